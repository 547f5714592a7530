//! The `json-v1` frame of one fact, byte for byte what the TypeScript codec writes
//! (`packages/core/src/storage/fact-codec.ts`): `u32 BE length | body | u32 BE CRC-32 (IEEE)`
//! around the body
//! `[1,"<id>",seq,"store","key",value,"hash",causation,tt,vt,schemaVersion,producer,derivation,idempotencyKey]`.

use crate::canonical::write::{write_number, write_string};
use crate::log::FactView;

/// Bytes a frame adds around its body: the length before it and the CRC after it.
pub const FRAME_OVERHEAD: usize = 8;

/// The parts of a fact's body that the log does not hold as the codec writes them: the texts
/// the caller passed (`JSON.stringify` of the producer and derivation, not their canonical
/// form) and the resolved causation; and, optionally, the store and key as the caller staged
/// them.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameParts<'a> {
    /// The store and key the fact was staged with (the same text the view holds), if at hand:
    /// the caller's copies are in cache, while the view's live in the log's key table, where a
    /// write to a random key misses the cache twice (the table entry, then the text). None
    /// reads them from the view.
    pub store_key: Option<(&'a str, &'a str)>,
    /// The causation, if any.
    pub causation: Option<&'a str>,
    /// The producer's JSON text as the caller wrote it, if any.
    pub producer_json: Option<&'a str>,
    /// The derivation's JSON text as the caller wrote it, if any.
    pub derivation_json: Option<&'a str>,
    /// The idempotency key, if any.
    pub idempotency_key: Option<&'a str>,
}

/// Why a fact was not framed here: the caller frames it the general way instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unframed {
    /// A field outside the plain form this encoder guarantees to match: a time of -0, a
    /// non-integral schema version, or a causation or idempotency key that crossed the
    /// boundary escaped (it starts with U+0000).
    Unusual,
}

/// Starts a string that crossed the boundary as JSON text (`toBoundaryText` in core).
const ESCAPED: char = '\u{0}';

fn plain(text: Option<&str>) -> bool {
    text.is_none_or(|text| !text.starts_with(ESCAPED))
}

fn plain_time(time: f64) -> bool {
    time.is_finite() && !(time == 0.0 && time.is_sign_negative())
}

/// Appends the whole frame of `view` (with `parts`) to `out`, reusing `body` as scratch;
/// returns the frame's length. `out` is unchanged when the fact is [`Unframed`].
///
/// # Errors
/// [`Unframed`] for a fact outside the plain form.
///
/// Cost: one pass writing the body and one CRC pass over it.
pub fn write_fact_frame(
    view: &FactView<'_>,
    parts: &FrameParts<'_>,
    body: &mut String,
    out: &mut Vec<u8>,
) -> Result<usize, Unframed> {
    let valid_time = view.valid_time();
    let schema = view.schema_version();
    let plain_fields = plain_time(view.transaction_time())
        && valid_time.is_none_or(plain_time)
        && schema.fract() == 0.0
        && schema.abs() < 9_007_199_254_740_992.0
        && plain(parts.causation)
        && plain(parts.idempotency_key);
    if !plain_fields {
        return Err(Unframed::Unusual);
    }
    let (store, key) = parts
        .store_key
        .unwrap_or_else(|| (view.store(), view.key()));
    debug_assert!(store == view.store() && key == view.key());
    body.clear();
    body.push_str("[1,\"");
    view.write_id(body);
    body.push_str("\",");
    write_number(view.seq() as f64, body);
    body.push(',');
    write_string(store, body);
    body.push(',');
    write_string(key, body);
    body.push(',');
    body.push_str(view.value_json());
    body.push_str(",\"");
    view.write_value_hash(body);
    body.push_str("\",");
    write_optional_string(parts.causation, body);
    body.push(',');
    write_number(view.transaction_time(), body);
    body.push(',');
    match valid_time {
        Some(time) => write_number(time, body),
        None => body.push_str("null"),
    }
    body.push(',');
    write_number(schema, body);
    body.push(',');
    body.push_str(parts.producer_json.unwrap_or("null"));
    body.push(',');
    body.push_str(parts.derivation_json.unwrap_or("null"));
    body.push(',');
    write_optional_string(parts.idempotency_key, body);
    body.push(']');
    Ok(push_frame(body.as_bytes(), out))
}

fn write_optional_string(text: Option<&str>, out: &mut String) {
    match text {
        Some(text) => write_string(text, out),
        None => out.push_str("null"),
    }
}

/// Appends `body` framed (length, body, CRC-32) to `out`; returns the frame's length.
pub fn push_frame(body: &[u8], out: &mut Vec<u8>) -> usize {
    let length = u32::try_from(body.len()).unwrap_or(u32::MAX);
    out.reserve(body.len() + FRAME_OVERHEAD);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&crc32fast::hash(body).to_be_bytes());
    body.len() + FRAME_OVERHEAD
}
