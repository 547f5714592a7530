//! The fact log of `igniter-log` for JS: `log*` functions over a [`NativeLog`] handle, which
//! `@igniter/native`'s `index.js` wraps into its `NativeLog` class.
//!
//! The boundary is built for few, compact crossings. A call passes strings and numbers and
//! returns facts packed in two parts: their numbers, [`FACT_STRIDE`] per fact, written into a
//! `Float64Array` the caller passes in (or, when they do not fit, kept for
//! [`log_take_spill`]), and their text in one JS string per [`GROUP`] facts, which the
//! caller slices by the UTF-16 lengths among the numbers. Values stay canonical JSON text
//! until JS decodes them, lazily.
//!
//! Numbers of one fact, in order: seq, transaction time, valid time (NaN for null), schema
//! version, store index, then the UTF-16 lengths of its text parts (-1 for null): id, value
//! hash, causation, key, value, producer, derivation, idempotency key. The key is -1, and not
//! in the text, when the caller named it (`latestFor`, `factsFor` with a key). The text parts follow
//! each other in that order. Slot 0 of the numbers holds the count of facts.

mod flat_read;
mod held;
mod image;
mod load_copy;
mod pack;
mod read;
mod read_raw;
mod read_value;
mod release;
mod replay;
mod stage;
mod stage_frames;
mod tally;

use std::sync::Arc;

use igniter_log::FactLog;
use napi::bindgen_prelude::{External, Float64ArraySlice};
use napi_derive::napi;

pub use image::*;
pub use load_copy::*;
pub use pack::{FACT_STRIDE, GROUP};
pub use read::*;
pub use read_raw::*;
pub use read_value::*;
pub use replay::*;
pub use stage::*;

use crate::native_wal::NativeWal;
use flat_read::FlatShapes;
use held::HeldValues;
use stage_frames::StagedFrames;

/// The fact log of one store, off the V8 heap, held by JS as an `External`.
///
/// The functions below are free functions over `&External<NativeLog>` rather than methods of
/// a `#[napi]` class: a class method checks its receiver's type tag and registers a borrow
/// guard on every call (about 250 ns here), an external costs a pointer read.
pub struct NativeLog {
    pub(crate) log: FactLog,
    pub(crate) spill: Vec<f64>,
    /// The data file writer that committed facts are framed into, when attached.
    pub(crate) wal: Option<Arc<NativeWal>>,
    /// Frames of the facts staged since the last commit, for `wal`.
    pub(crate) frames: StagedFrames,
    /// The slots whose values JS holds decoded (see [`log_read_value_function`]).
    pub(crate) held: HeldValues,
    /// The flat-object key sequences value reads have seen (see `flat_read.rs`).
    pub(crate) shapes: FlatShapes,
}

/// The handle JS holds: the log is freed when the handle is garbage-collected.
pub(crate) type Handle = External<NativeLog>;

impl Drop for NativeLog {
    fn drop(&mut self) {
        // The value reads remember the handle they checked last (`read_raw.rs`).
        read_raw::forget_checked(self);
    }
}

impl NativeLog {
    /// An empty log whose values may be at most `max_value_bytes` of canonical JSON.
    fn new(max_value_bytes: f64) -> Self {
        Self {
            log: FactLog::new(value_limit(max_value_bytes)),
            spill: Vec::new(),
            wal: None,
            frames: StagedFrames::default(),
            held: HeldValues::default(),
            shapes: FlatShapes::default(),
        }
    }
}

/// A JS value limit in bytes; anything but a non-negative finite number means no limit.
pub(crate) fn value_limit(max_value_bytes: f64) -> usize {
    if max_value_bytes.is_finite() && max_value_bytes >= 0.0 {
        max_value_bytes as usize
    } else {
        usize::MAX
    }
}

/// Creates a fact log whose values may be at most `maxValueBytes` of canonical JSON.
#[napi]
pub fn log_create(max_value_bytes: f64) -> Handle {
    External::new(NativeLog::new(max_value_bytes))
}

/// Changes the largest canonical value that later appends accept.
#[napi]
pub fn log_set_max_value_bytes(log: &mut Handle, max_value_bytes: f64) {
    log.log.set_max_value_bytes(value_limit(max_value_bytes));
}

/// Drops every fact with a seq above `seq`; `seq` becomes the last seq.
#[napi]
pub fn log_truncate_after(log: &mut Handle, seq: f64) {
    log.held.clear();
    log.log.truncate_after(whole(seq).unwrap_or(0));
}

/// Makes the next seq at least `seq + 1`.
#[napi]
pub fn log_advance_seq(log: &mut Handle, seq: f64) {
    if let Some(seq) = whole(seq) {
        log.log.advance_seq(seq);
    }
}

/// The caller's number array as a slice to write into.
pub(crate) fn numbers<'a>(out: &'a mut Float64ArraySlice<'_>) -> &'a mut [f64] {
    // SAFETY: the array is the engine's private scratch, passed in for this call only; no
    // other reference to its memory exists while the call runs, and JS cannot run meanwhile.
    unsafe { out.as_mut() }
}

/// A JS number as a seq: a non-negative integer.
pub(crate) fn whole(number: f64) -> Option<u64> {
    (number.is_finite() && number >= 0.0 && number.fract() == 0.0).then_some(number as u64)
}

/// Cuts a string into consecutive parts given in UTF-16 code units, as JS measures them.
pub(crate) struct TextParts<'a> {
    pub(crate) rest: &'a str,
    ascii: bool,
}

impl<'a> TextParts<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            rest: text,
            ascii: text.is_ascii(),
        }
    }

    /// The next part, `units` UTF-16 code units long; `None` for -1 (null) or past the end.
    pub(crate) fn next(&mut self, units: f64) -> Option<&'a str> {
        if units < 0.0 {
            return None;
        }
        let units = units as usize;
        let bytes = if self.ascii {
            units
        } else {
            let mut counted = 0;
            let mut bytes = 0;
            for c in self.rest.chars() {
                if counted >= units {
                    break;
                }
                counted += c.len_utf16();
                bytes += c.len_utf8();
            }
            bytes
        };
        let part = self.rest.get(..bytes)?;
        self.rest = self.rest.get(bytes..)?;
        Some(part)
    }
}

/// Number of UTF-16 code units of `text`.
pub(crate) fn utf16_len(text: &str) -> f64 {
    if text.is_ascii() {
        text.len() as f64
    } else {
        text.encode_utf16().count() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::TextParts;

    #[test]
    fn text_parts_are_cut_by_utf16_lengths() {
        let mut parts = TextParts::new("idé\u{1F600}xyz");
        assert_eq!(parts.next(2.0), Some("id"));
        assert_eq!(parts.next(-1.0), None);
        assert_eq!(parts.next(3.0), Some("é\u{1F600}"));
        assert_eq!(parts.next(0.0), Some(""));
        assert_eq!(parts.next(3.0), Some("xyz"));
    }

    #[test]
    fn ascii_text_parts_are_cut_by_bytes() {
        let mut parts = TextParts::new("abcdef");
        assert_eq!(parts.next(4.0), Some("abcd"));
        assert_eq!(parts.next(2.0), Some("ef"));
        assert_eq!(parts.next(1.0), None);
    }
}
