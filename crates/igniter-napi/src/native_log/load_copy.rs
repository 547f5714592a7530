//! Loading facts from PostgreSQL's binary COPY bytes (`igniter_log::pg_copy`), as
//! `@igniter/backend-postgres` streams them at open: the bytes cross the boundary as they came
//! off the socket, and no row becomes a JS string.

use igniter_log::pg_copy::load_copy_rows;
use napi_derive::napi;

use super::tally::store_tallies;
use super::Handle;
use crate::{to_napi_error, ErrorCode};

/// What [`log_load_copy`] took, as JS reads it (see `igniter_log::pg_copy::CopyLoad`).
#[napi(object)]
pub struct CopyLoadResult {
    /// Bytes taken; the rest begins a row the next call must be given again, completed.
    pub consumed: f64,
    /// The trailer was read: the COPY is complete.
    pub ended: bool,
    /// Facts loaded.
    pub loaded: f64,
    /// Highest seq loaded (0 when none).
    pub max_seq: f64,
    /// Stores that got facts, with their fact counts and field bytes at the same index.
    pub tally_stores: Vec<String>,
    /// Facts loaded per store.
    pub tally_facts: Vec<f64>,
    /// Field bytes loaded per store.
    pub tally_bytes: Vec<f64>,
}

/// Loads the whole rows at the start of `bytes`, a piece of a binary COPY of the PostgreSQL
/// backend's fact columns, into the log; `header`: `bytes` starts with the COPY header.
///
/// Throws `ERR_CORRUPT_LOG` for bytes that are not such a COPY or a seq that does not
/// increase, `ERR_INVALID_VALUE` for JSON that is not an Igniter value; the facts before the
/// bad row stay, as with `log_load_batch`.
#[napi]
pub fn log_load_copy(
    log: &mut Handle,
    bytes: &[u8],
    header: bool,
) -> napi::Result<CopyLoadResult, ErrorCode> {
    let report = load_copy_rows(&mut log.log, bytes, header).map_err(to_napi_error)?;
    let (tally_stores, tally_facts, tally_bytes) = store_tallies(&log.log, &report.tally);
    Ok(CopyLoadResult {
        consumed: report.consumed as f64,
        ended: report.ended,
        loaded: report.loaded as f64,
        max_seq: report.max_seq as f64,
        tally_stores,
        tally_facts,
        tally_bytes,
    })
}
