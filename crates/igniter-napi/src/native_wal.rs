//! The native write path of a file-backend log for JS: `wal*` functions over a [`NativeWal`]
//! handle (an `igniter_log::wal::WalWriter` and the frame size limit), and `logAttachWal`, which
//! makes a fact log frame every fact it commits into that writer (see [`crate::native_log`]'s
//! `logStage`), so a durable write does not cross back into JS with its frame.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use igniter_log::wal::{Durability, WalError, WalWriter};
use napi::bindgen_prelude::{AsyncTask, External, Float64ArraySlice};
use napi::{Env, Task};
use napi_derive::napi;

use crate::native_log::{numbers, whole, Handle};
use crate::ErrorCode;

/// A data file's frame writer and the largest frame body it takes.
pub struct NativeWal {
    pub(crate) writer: WalWriter,
    pub(crate) max_frame_bytes: usize,
}

/// The handle JS holds; a fact log that frames into the writer holds it too.
type WalHandle = External<Arc<NativeWal>>;

/// The JS error of a writer failure: its `code` is the system error code or `ERR_CLOSED`.
pub(crate) fn wal_error(error: WalError) -> napi::Error<ErrorCode> {
    napi::Error::new(error.code, error.message)
}

/// Numbers of a [`wal_open`] call.
pub const WAL_OPEN_NUMBERS: usize = 6;

/// Takes over the data file at `path` for appending. `numbers`: the offset where its frames
/// end, the highest seq in it (all durable), the durability (0 `fsync`, 1 `group`, 2 `none`),
/// the group-commit window in ms and its size in bytes, and the largest frame body.
///
/// Throws the system error of opening the file (`code` `"ENOENT"`, ...), and
/// `ERR_INVALID_ARGUMENT` for numbers out of range.
#[napi]
pub fn wal_open(path: String, numbers: &[f64]) -> napi::Result<WalHandle, ErrorCode> {
    let bad = || napi::Error::new("ERR_INVALID_ARGUMENT", "bad frame writer options");
    let get = |index: usize| numbers.get(index).copied().and_then(whole).ok_or_else(bad);
    let durability = match get(2)? {
        0 => Durability::Fsync,
        1 => Durability::Group,
        2 => Durability::None,
        _ => return Err(bad()),
    };
    let writer = WalWriter::open(
        Path::new(&path),
        get(0)?,
        get(1)?,
        durability,
        Duration::from_millis(get(3)?),
        usize::try_from(get(4)?).unwrap_or(usize::MAX),
    )
    .map_err(wal_error)?;
    let max_frame_bytes = usize::try_from(get(5)?).unwrap_or(usize::MAX);
    Ok(External::new(Arc::new(NativeWal {
        writer,
        max_frame_bytes,
    })))
}

/// Appends frames encoded in JS (facts the native log did not frame) holding facts up to `seq`.
///
/// Throws the writer's failure or `ERR_CLOSED`; see `WalWriter::append`.
#[napi]
pub fn wal_append(wal: &WalHandle, frames: &[u8], seq: f64) -> napi::Result<(), ErrorCode> {
    wal.writer
        .append(frames, whole(seq).unwrap_or(0))
        .map_err(wal_error)
}

/// Blocks until everything appended so far is on disk. Throws the writer's failure.
#[napi]
pub fn wal_sync(wal: &WalHandle) -> napi::Result<(), ErrorCode> {
    wal.writer.sync().map_err(wal_error)
}

/// [`wal_sync`] on the libuv pool.
pub struct SyncTask {
    wal: Arc<NativeWal>,
}

impl Task for SyncTask {
    /// The failure as `"<code>\n<message>"`, empty on success (the binding's error codes are
    /// strings, which a task's error cannot carry).
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        Ok(match self.wal.writer.sync() {
            Ok(()) => String::new(),
            Err(error) => format!("{}\n{}", error.code, error.message),
        })
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// Resolves once everything appended so far is on disk: to `""`, or to the failure as
/// `"<code>\n<message>"`. Never rejects.
#[napi(ts_return_type = "Promise<string>")]
pub fn wal_flush(wal: &WalHandle) -> AsyncTask<SyncTask> {
    AsyncTask::new(SyncTask {
        wal: Arc::clone(wal),
    })
}

/// Writes buffered frames to the OS, unsynced. Throws the writer's failure.
#[napi]
pub fn wal_write_to_os(wal: &WalHandle) -> napi::Result<(), ErrorCode> {
    wal.writer.write_to_os().map_err(wal_error)
}

/// Refuses every later append with `ERR_CLOSED`.
#[napi]
pub fn wal_seal(wal: &WalHandle) {
    wal.writer.seal();
}

/// Stops the writer and closes the file, dropping what is buffered. Idempotent.
#[napi]
pub fn wal_shut(wal: &WalHandle) {
    wal.writer.shut();
}

/// Switches to the data file at `path`, which ends at `end` and holds seqs up to `lastSeq`.
/// Throws the system error of opening it.
#[napi]
pub fn wal_reopen(
    wal: &WalHandle,
    path: String,
    end: f64,
    last_seq: f64,
) -> napi::Result<(), ErrorCode> {
    wal.writer
        .reopen(
            Path::new(&path),
            whole(end).unwrap_or(0),
            whole(last_seq).unwrap_or(0),
        )
        .map_err(wal_error)
}

/// Writes the writer's status into `out`: pending bytes, last seq, durable seq, fsyncs,
/// size, and 1 when a write or fsync failed (else 0).
#[napi]
pub fn wal_status(wal: &WalHandle, mut out: Float64ArraySlice<'_>) {
    let status = wal.writer.status();
    let figures = [
        status.pending_bytes as f64,
        status.last_seq as f64,
        status.durable_seq as f64,
        status.syncs as f64,
        status.size as f64,
        if status.failed { 1.0 } else { 0.0 },
    ];
    for (slot, figure) in numbers(&mut out).iter_mut().zip(figures) {
        *slot = figure;
    }
}

/// Whether frames wait to be made durable (a normal exit syncs them).
#[napi]
pub fn wal_has_pending(wal: &WalHandle) -> bool {
    wal.writer.has_pending()
}

/// Makes the log frame every fact it stages with the frame flag into `wal` (see `logStage`).
#[napi]
pub fn log_attach_wal(log: &mut Handle, wal: &WalHandle) {
    log.wal = Some(Arc::clone(wal));
    log.frames.clear();
}

/// Stops framing into a writer.
#[napi]
pub fn log_detach_wal(log: &mut Handle) {
    log.wal = None;
    log.frames.clear();
}
