//! Loading facts from PostgreSQL's binary COPY bytes (`igniter_log::pg_copy`), as
//! `@igniter/backend-postgres` streams them at open: the connection's bytes cross the boundary
//! as they came off the socket (`log_copy_*`, loaded on worker threads) or as COPY pieces
//! (`log_load_copy`), and no row becomes a JS string.

use igniter_log::pg_copy::background::BackgroundCopyLoad;
use igniter_log::pg_copy::wire::CopyOutEnd;
use igniter_log::pg_copy::{load_copy_rows, CopyLoad};
use igniter_log::{FactLog, LogError};
use napi::bindgen_prelude::{Buffer, External};
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
    /// The COPY's bytes (`CopyData` payloads in order, in pieces), from [`log_copy_finish`].
    pub bytes: Option<Vec<Buffer>>,
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
    Ok(result(&log.log, &report))
}

fn result(log: &FactLog, report: &CopyLoad) -> CopyLoadResult {
    let (tally_stores, tally_facts, tally_bytes) = store_tallies(log, &report.tally);
    CopyLoadResult {
        consumed: report.consumed as f64,
        ended: report.ended,
        loaded: report.loaded as f64,
        max_seq: report.max_seq as f64,
        tally_stores,
        tally_facts,
        tally_bytes,
        bytes: None,
    }
}

/// A COPY being loaded into a log on a worker thread (`igniter_log::pg_copy::background`); the
/// log is the worker's until [`log_copy_finish`] puts it back.
pub struct CopyJob {
    load: Option<BackgroundCopyLoad>,
}

/// Where the COPY's messages ended in a piece given to [`log_copy_push`].
#[napi(object)]
pub struct CopyOutEndResult {
    /// Offset in the piece where the driver's bytes begin (after `carried`).
    pub at: f64,
    /// The COPY ended with `CopyDone`; false: another message (an `ErrorResponse`) ended it.
    pub done: bool,
    /// The first bytes of that message, which came at the end of earlier pieces.
    pub carried: Buffer,
}

/// Starts loading a COPY off the wire into the log on a worker thread: the log is the
/// worker's (and this handle's empty) until [`log_copy_finish`].
#[napi]
pub fn log_copy_begin(log: &mut Handle) -> External<CopyJob> {
    let taken = std::mem::replace(&mut log.log, FactLog::new(0));
    External::new(CopyJob {
        load: Some(BackgroundCopyLoad::start(taken)),
    })
}

/// Takes `bytes`, the next bytes off the connection that runs
/// `COPY (SELECT <fact columns> ...) TO STDOUT (FORMAT binary)`, as the driver would read
/// them (message framing included), and hands the COPY's rows to the worker. Returns null
/// while the COPY goes on, else where its messages ended in `bytes`: the rest, from `at`
/// (preceded by `carried`), belongs to the driver. A finished job takes nothing.
#[napi]
pub fn log_copy_push(job: &mut External<CopyJob>, bytes: &[u8]) -> Option<CopyOutEndResult> {
    let Some(load) = job.load.as_mut() else {
        return Some(CopyOutEndResult {
            at: 0.0,
            done: false,
            carried: Buffer::from(Vec::new()),
        });
    };
    let (at, done) = match load.push(bytes) {
        CopyOutEnd::Continues => return None,
        CopyOutEnd::Done(at) => (at, true),
        CopyOutEnd::Other { at, .. } => (at, false),
    };
    Some(CopyOutEndResult {
        at: at as f64,
        done,
        carried: Buffer::from(load.carried().to_vec()),
    })
}

/// Waits for the workers to load the rows they were given and gives the log back to its
/// handle; returns what was loaded, with the COPY's bytes (for reading the rows again later).
///
/// Throws `ERR_CORRUPT_LOG` for a COPY that did not end (trailer and `CopyDone`), is not a
/// COPY of the fact columns, or has a seq that does not increase; `ERR_INVALID_VALUE` for
/// JSON that is not an Igniter value (the facts before the bad row stay);
/// `ERR_INVALID_ARGUMENT` for a job finished already.
#[napi]
pub fn log_copy_finish(
    log: &mut Handle,
    job: &mut External<CopyJob>,
) -> napi::Result<CopyLoadResult, ErrorCode> {
    let Some(load) = job.load.take() else {
        return Err(to_napi_error(LogError::InvalidArgument {
            reason: "this COPY load was finished already".to_owned(),
        }));
    };
    let finished = load.finish();
    log.log = finished.log;
    let report = finished.outcome.map_err(to_napi_error)?;
    super::release::release_after_replay(report.loaded);
    let bytes = finished.bytes.into_iter().map(Buffer::from).collect();
    Ok(CopyLoadResult {
        bytes: Some(bytes),
        ..result(&log.log, &report)
    })
}
