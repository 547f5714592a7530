//! Facts read from PostgreSQL's binary COPY format, as `@igniter/backend-postgres` stores them:
//! a native open streams `COPY (SELECT <fact columns> ...) TO STDOUT (FORMAT binary)` straight
//! off the connection into [`background::BackgroundCopyLoad`] ([`wire`] splits PostgreSQL's
//! messages; two threads parse and insert the rows), so that no row becomes JS strings on the
//! way; [`load_copy_rows`] loads pieces of the COPY bytes on the calling thread.
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
mod rows;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_background;
pub mod wire;

use crate::error::LogError;
use crate::log::FactLog;
use crate::replay::StoreTally;
use rows::{parse_rows, RowBatch};

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
    let mut batch = RowBatch::default();
    let parsed = parse_rows(bytes, header, &mut batch);
    let mut report = CopyLoad {
        consumed: parsed.consumed,
        ended: parsed.ended,
        ..CopyLoad::default()
    };
    insert_rows(log, &batch, &mut report)?;
    parsed.error.map_or(Ok(report), Err)
}

/// Inserts the rows of `batch` into `log`, in order, counting them in `report`.
///
/// # Errors
/// [`LogError::CorruptLog`] for a seq that does not increase; the rows before it stay.
fn insert_rows(log: &mut FactLog, batch: &RowBatch, report: &mut CopyLoad) -> Result<(), LogError> {
    for row in batch.facts() {
        let slot = log.load_stored(row.seq, row.id, row.value_hash, &row.fact)?;
        let store = log.view(slot).map_or(0, |view| view.store_index()) as usize;
        if report.tally.len() <= store {
            report.tally.resize(store + 1, StoreTally::default());
        }
        if let Some(tally) = report.tally.get_mut(store) {
            tally.facts += 1;
            tally.bytes += row.payload;
        }
        report.loaded += 1;
        report.max_seq = row.seq;
    }
    Ok(())
}
