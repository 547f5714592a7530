//! Facts read from PostgreSQL's binary COPY format, as `@igniter/backend-postgres` stores them:
//! a store opens by streaming `COPY (SELECT <fact columns> ...) TO STDOUT (FORMAT binary)` into
//! [`load_copy_rows`], so that no row becomes JS strings on the way.
//!
//! The columns, in order (`FACT_COLUMNS` in the package's `layout.ts`): `seq` bigint, `id`
//! text, `store` text, `key` text, `value` json, `value_hash` text, `causation` text,
//! `transaction_time` double precision, `valid_time` double precision, `schema_version`
//! integer, `producer` json, `derivation` json, `idempotency_key` text. In the binary format a
//! `json` field is its text, a `bigint` 8 big-endian bytes, and so on.
//!
//! Values, producers and derivations are stored as canonical JSON by every Igniter writer:
//! text that is already canonical is checked in one pass and stored as it is (no tree, no
//! rewrite); anything else is canonicalized, and so validated, as [`FactLog::load`] does.

pub mod background;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_background;
pub mod wire;

use crate::canonical::canonicalize_append;
use crate::error::LogError;
use crate::log::{FactLog, LoadedFact, NewFact};
use crate::replay::StoreTally;

/// Fields of one fact row.
pub const FACT_FIELDS: usize = 13;

/// `PGCOPY\n\377\r\n\0`, then 4 bytes of flags and the 4-byte length of a header extension.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
const HEADER_BYTES: usize = SIGNATURE.len() + 8;

/// What one [`load_copy_rows`] call took from its input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyLoad {
    /// Bytes taken: the header when asked for, whole rows, the trailer. The rest of the input
    /// begins a row (or the header) that the next call must be given again, completed.
    pub consumed: usize,
    /// The trailer was read: the COPY is complete.
    pub ended: bool,
    /// Facts loaded.
    pub loaded: u64,
    /// Highest seq loaded (0 when none).
    pub max_seq: u64,
    /// Per store index of the log: facts loaded and the bytes of their fields (NULLs count 0).
    pub tally: Vec<StoreTally>,
}

impl CopyLoad {
    /// Adds what a later call took from the rest of the same stream.
    pub fn absorb(&mut self, later: CopyLoad) {
        self.consumed += later.consumed;
        self.ended |= later.ended;
        self.loaded += later.loaded;
        if later.loaded > 0 {
            self.max_seq = later.max_seq;
        }
        if self.tally.len() < later.tally.len() {
            self.tally.resize(later.tally.len(), StoreTally::default());
        }
        for (total, more) in self.tally.iter_mut().zip(later.tally) {
            total.facts += more.facts;
            total.bytes += more.bytes;
        }
    }
}

fn corrupt(reason: impl Into<String>) -> LogError {
    LogError::CorruptLog {
        reason: format!(
            "the binary COPY of fact rows is malformed: {}",
            reason.into()
        ),
    }
}

/// Loads the whole rows at the start of `bytes` into `log`, in order; `header` says that
/// `bytes` starts with the COPY header (the first call of a stream). Stops at the first
/// incomplete row, or after the trailer.
///
/// # Errors
/// [`LogError::CorruptLog`] for bytes that are not a binary COPY of fact rows (no signature, a
/// row of another width, a field of the wrong size, a NULL where a fact has none, text that is
/// not UTF-8, bytes after the trailer) and for a seq that does not increase;
/// [`LogError::InvalidValue`] for a value, producer or derivation that is not an Igniter value.
/// The facts before the bad row stay loaded.
///
/// Cost: one pass over the bytes; a value that is not canonical is canonicalized.
pub fn load_copy_rows(log: &mut FactLog, bytes: &[u8], header: bool) -> Result<CopyLoad, LogError> {
    let mut report = CopyLoad::default();
    let mut at = 0;
    if header {
        let Some(end) = header_end(bytes)? else {
            return Ok(report);
        };
        at = end;
        report.consumed = end;
    }
    let mut scratch = Scratch::default();
    let mut fields = [None; FACT_FIELDS];
    while let Some(count) = read_i16(bytes, at) {
        if count == -1 {
            report.ended = true;
            report.consumed = at + 2;
            if report.consumed != bytes.len() {
                return Err(corrupt("bytes after the trailer"));
            }
            return Ok(report);
        }
        if count != FACT_FIELDS as i16 {
            return Err(corrupt(format!(
                "a row of {count} fields, expected {FACT_FIELDS}"
            )));
        }
        let Some((end, payload)) = split_row(bytes, at + 2, &mut fields)? else {
            break;
        };
        let (seq, store) = load_row(log, &fields, &mut scratch)?;
        let store = store as usize;
        if report.tally.len() <= store {
            report.tally.resize(store + 1, StoreTally::default());
        }
        if let Some(tally) = report.tally.get_mut(store) {
            tally.facts += 1;
            tally.bytes += payload;
        }
        report.loaded += 1;
        report.max_seq = seq;
        at = end;
        report.consumed = end;
    }
    Ok(report)
}

/// The end of the header, `None` while it is incomplete.
fn header_end(bytes: &[u8]) -> Result<Option<usize>, LogError> {
    if bytes.len() < HEADER_BYTES {
        return Ok(None);
    }
    if &bytes[..SIGNATURE.len()] != SIGNATURE {
        return Err(corrupt("no PGCOPY signature"));
    }
    let extension = read_i32(bytes, SIGNATURE.len() + 4).unwrap_or(-1);
    let extension =
        usize::try_from(extension).map_err(|_| corrupt("a negative header extension"))?;
    let end = HEADER_BYTES + extension;
    Ok((bytes.len() >= end).then_some(end))
}

fn read_i16(bytes: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn read_i32(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Fills `fields` with the row's field bytes from `at` (`None` for NULL); returns where the
/// row ends and its payload bytes, or `None` when the row is incomplete.
fn split_row<'a>(
    bytes: &'a [u8],
    mut at: usize,
    fields: &mut [Option<&'a [u8]>; FACT_FIELDS],
) -> Result<Option<(usize, u64)>, LogError> {
    let mut payload = 0;
    for field in fields.iter_mut() {
        let Some(length) = read_i32(bytes, at) else {
            return Ok(None);
        };
        at += 4;
        if length == -1 {
            *field = None;
            continue;
        }
        let length = usize::try_from(length).map_err(|_| corrupt("a negative field length"))?;
        let Some(data) = bytes.get(at..at + length) else {
            return Ok(None);
        };
        *field = Some(data);
        payload += length as u64;
        at += length;
    }
    Ok(Some((at, payload)))
}

/// Reused buffers for the canonical JSON of one row.
#[derive(Default)]
struct Scratch {
    value: String,
    producer: String,
    derivation: String,
}

/// Loads one row; returns its seq and its store's index.
fn load_row(
    log: &mut FactLog,
    fields: &[Option<&[u8]>; FACT_FIELDS],
    scratch: &mut Scratch,
) -> Result<(u64, u32), LogError> {
    let seq = i64::from_be_bytes(fixed(fields[0], "seq")?);
    let seq = u64::try_from(seq)
        .ok()
        .filter(|&seq| seq > 0)
        .ok_or_else(|| corrupt(format!("seq {seq} is not a positive integer")))?;
    let required = |index: usize, name: &str| {
        text(fields[index], name)?.ok_or_else(|| corrupt(format!("fact {seq} has a NULL {name}")))
    };
    let id = required(1, "id")?;
    let store = required(2, "store")?;
    let key = required(3, "key")?;
    let value = required(4, "value")?;
    let value_hash = required(5, "value_hash")?;
    let causation = text(fields[6], "causation")?;
    let transaction_time = f64::from_be_bytes(fixed(fields[7], "transaction_time")?);
    let valid_time = fields[8]
        .map(|bytes| fixed(Some(bytes), "valid_time").map(f64::from_be_bytes))
        .transpose()?;
    let schema_version = f64::from(i32::from_be_bytes(fixed(fields[9], "schema_version")?));
    let producer = canonical(text(fields[10], "producer")?, &mut scratch.producer)?;
    let derivation = canonical(text(fields[11], "derivation")?, &mut scratch.derivation)?;
    let idempotency_key = text(fields[12], "idempotency_key")?;
    let value_json = canonical(Some(value), &mut scratch.value)?.unwrap_or_default();
    let loaded = LoadedFact {
        id,
        seq,
        value_hash,
        fact: NewFact {
            store,
            key,
            value_json,
            causation,
            transaction_time,
            valid_time,
            schema_version,
            producer_json: producer,
            derivation_json: derivation,
            idempotency_key,
        },
    };
    let slot = log.load_canonical(&loaded)?;
    let store = log.view(slot).map_or(0, |view| view.store_index());
    Ok((seq, store))
}

/// A fixed-size field (`N` bytes); NULL or another size is a malformed row.
fn fixed<const N: usize>(field: Option<&[u8]>, name: &str) -> Result<[u8; N], LogError> {
    field
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| corrupt(format!("{name} is not {N} bytes")))
}

/// A text field as UTF-8, `None` for NULL.
fn text<'a>(field: Option<&'a [u8]>, name: &str) -> Result<Option<&'a str>, LogError> {
    field
        .map(|bytes| {
            std::str::from_utf8(bytes).map_err(|_| corrupt(format!("{name} is not UTF-8")))
        })
        .transpose()
}

/// The canonical JSON of `json` in `buffer` (`json` itself when already canonical).
fn canonical<'a>(json: Option<&str>, buffer: &'a mut String) -> Result<Option<&'a str>, LogError> {
    let Some(json) = json else {
        return Ok(None);
    };
    buffer.clear();
    canonicalize_append(json, buffer)?;
    Ok(Some(buffer.as_str()))
}
