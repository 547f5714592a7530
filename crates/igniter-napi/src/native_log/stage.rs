//! Writing into the log: staging new facts (one per call, in batches) and loading replayed ones.

use igniter_log::wal::FrameParts;
use igniter_log::{LoadedFact, LogError, NewFact};
use napi::bindgen_prelude::Float64ArraySlice;
use napi_derive::napi;

use super::{numbers, utf16_len, whole, Handle, TextParts};
use crate::{to_napi_error, ErrorCode};

/// Numbers of a [`log_stage`] call.
pub const STAGE_NUMBERS: usize = 11;

/// Slot of the optional frame flag of a [`log_stage`] call: 1 frames the fact into the
/// attached writer; the next slot then gets its frame's length, or -1 when JS must frame it.
pub const FRAME_FLAG: usize = 11;

/// The causation length of a [`log_stage`] call that links the fact to its key's latest fact.
pub const CAUSATION_LATEST: f64 = -2.0;

/// Appends one fact of a batch: canonicalizes and hashes its value, mints the id and seq, and
/// returns the id (36 chars), the value hash (64 chars) and the canonical value, concatenated.
/// A causation length of [`CAUSATION_LATEST`] links the fact to its key's latest fact (none:
/// null): its id then follows the hash in the result, and its UTF-16 length (-1 for null)
/// replaces the flag in `numbers`, so that a write needs no separate crossing for it.
///
/// `text` holds the fact's text parts one after another: store, key, value JSON, causation,
/// producer JSON, derivation JSON, idempotency key; `numbers` holds the transaction time, the
/// valid time (NaN for null), the schema version, 1 to commit the batch (0 to keep it open;
/// [`log_discard`] undoes an unfinished one), then the UTF-16 lengths of the seven parts (-1
/// for null). One string and one array cross instead of seven strings.
///
/// Throws `ERR_INVALID_VALUE` for JSON that is not an Igniter value and
/// `ERR_VALUE_TOO_LARGE` above the limit; the fact is then not staged.
#[napi]
pub fn log_stage(
    log: &mut Handle,
    text: String,
    mut numbers: Float64ArraySlice<'_>,
) -> napi::Result<String, ErrorCode> {
    let numbers = self::numbers(&mut numbers);
    let malformed = || {
        to_napi_error(LogError::InvalidArgument {
            reason: "a staged fact's text parts do not match their lengths".to_owned(),
        })
    };
    let mut given = [f64::NAN; STAGE_NUMBERS];
    match numbers.get(..STAGE_NUMBERS) {
        Some(first) => given.copy_from_slice(first),
        None => return Err(malformed()),
    }
    let number = |index: usize| given.get(index).copied().unwrap_or(f64::NAN);
    let mut parts = TextParts::new(&text);
    let store = parts.next(number(4)).ok_or_else(malformed)?;
    let key = parts.next(number(5)).ok_or_else(malformed)?;
    let value_json = parts.next(number(6)).ok_or_else(malformed)?;
    let link_latest = number(7) == CAUSATION_LATEST;
    let causation = if link_latest {
        None
    } else {
        parts.next(number(7))
    };
    let producer_json = parts.next(number(8));
    let derivation_json = parts.next(number(9));
    let idempotency_key = parts.next(number(10));
    let valid_time = number(1);
    let previous = if link_latest {
        log.log.latest_for(store, key, None).map(|view| view.id())
    } else {
        None
    };
    let causation = causation.or(previous.as_deref());
    let fact = NewFact {
        store,
        key,
        value_json,
        causation,
        transaction_time: number(0),
        valid_time: (!valid_time.is_nan()).then_some(valid_time),
        schema_version: number(2),
        producer_json,
        derivation_json,
        idempotency_key,
    };
    let native = &mut **log;
    let view = native.log.stage(&fact).map_err(to_napi_error)?;
    // Framed into the attached writer when asked: the frame bytes (or -1) go back in slot 12.
    if let (Some(wal), Some(&1.0)) = (&native.wal, numbers.get(FRAME_FLAG)) {
        let parts = FrameParts {
            store_key: Some((store, key)),
            causation: fact.causation,
            producer_json,
            derivation_json,
            idempotency_key,
        };
        let framed = native.frames.push(wal, &view, &parts)?;
        if let Some(slot) = numbers.get_mut(FRAME_FLAG + 1) {
            *slot = framed;
        }
    }
    let value = view.value_json();
    let mut result = String::with_capacity(136 + value.len());
    view.write_id(&mut result);
    view.write_value_hash(&mut result);
    if link_latest {
        let linked = previous.as_deref().map_or(-1.0, utf16_len);
        if let Some(previous) = &previous {
            result.push_str(previous);
        }
        if let Some(slot) = numbers.get_mut(7) {
            *slot = linked;
        }
    }
    result.push_str(value);
    if number(3) == 1.0 {
        if let Some(wal) = &native.wal {
            // The batch stays staged until its frames are taken: a failed write undoes it.
            if let Err(error) = native.frames.commit(wal) {
                native.log.discard();
                return Err(error);
            }
        }
        native.log.commit();
    }
    Ok(result)
}

/// Undoes every fact staged since the last commit.
#[napi]
pub fn log_discard(log: &mut Handle) {
    log.held.clear();
    log.log.discard();
    log.frames.clear();
}

/// Numbers per fact of a [`log_load_batch`] call.
pub const LOAD_STRIDE: usize = 13;

/// Inserts already-built facts (replay) in one call: their numbers, [`LOAD_STRIDE`] per fact
/// (seq, transaction time, valid time or NaN, schema version, then the UTF-16 lengths of the
/// text parts id, value hash, store, key, value JSON, causation, producer JSON, derivation
/// JSON, idempotency key, -1 for null), and their text parts concatenated in that order.
///
/// Facts are inserted in order; the first bad one throws (`ERR_CORRUPT_LOG` for a seq that
/// does not increase, `ERR_INVALID_VALUE` for JSON that is not an Igniter value) and the ones
/// before it stay, as one-by-one loading would leave them.
#[napi]
pub fn log_load_batch(
    log: &mut Handle,
    text: String,
    numbers: &[f64],
) -> napi::Result<(), ErrorCode> {
    let mut parts = TextParts::new(&text);
    for fact in numbers.chunks_exact(LOAD_STRIDE) {
        let malformed = || {
            to_napi_error(LogError::InvalidArgument {
                reason: "a loaded fact's text parts do not match their lengths".to_owned(),
            })
        };
        let id = parts.next(fact[4]).ok_or_else(malformed)?;
        let value_hash = parts.next(fact[5]).ok_or_else(malformed)?;
        let store = parts.next(fact[6]).ok_or_else(malformed)?;
        let key = parts.next(fact[7]).ok_or_else(malformed)?;
        let value_json = parts.next(fact[8]).ok_or_else(malformed)?;
        let causation = parts.next(fact[9]);
        let producer_json = parts.next(fact[10]);
        let derivation_json = parts.next(fact[11]);
        let idempotency_key = parts.next(fact[12]);
        let seq = whole(fact[0]).ok_or_else(|| {
            to_napi_error(LogError::CorruptLog {
                reason: format!("fact {id} has seq {}, not a positive integer", fact[0]),
            })
        })?;
        let valid_time = (!fact[2].is_nan()).then_some(fact[2]);
        let loaded = LoadedFact {
            id,
            seq,
            value_hash,
            fact: NewFact {
                store,
                key,
                value_json,
                causation,
                transaction_time: fact[1],
                valid_time,
                schema_version: fact[3],
                producer_json,
                derivation_json,
                idempotency_key,
            },
        };
        log.log.load(&loaded).map_err(to_napi_error)?;
    }
    Ok(())
}
