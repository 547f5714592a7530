//! What the [`WalWriter`](super::WalWriter) is asked for and answers: its [`Durability`] mode,
//! its [`WalStatus`] and its [`WalError`] (a system error with a Node-style code).

use std::io;

/// When an appended frame is on disk (DESIGN D8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Written and fdatasynced before `append` returns.
    Fsync,
    /// Buffered and committed by the writer thread within the group-commit window.
    Group,
    /// Written to the OS before `append` returns, never synced by the writer.
    None,
}

/// A failure of the writer: the system error of a write or fsync (after which the writer
/// refuses everything), or a refusal because it was sealed or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalError {
    /// A Node-style system error code (`"ENOSPC"`, `"EIO"`, ...) or `"ERR_CLOSED"`.
    pub code: &'static str,
    /// A message naming the code, the cause and the operation.
    pub message: String,
}

impl WalError {
    pub(super) fn io(error: &io::Error, op: &str) -> Self {
        let code = errno_code(error.raw_os_error());
        Self {
            code,
            message: format!("{code}: {error}, {op}"),
        }
    }

    pub(super) fn closed() -> Self {
        Self {
            code: "ERR_CLOSED",
            message: "the frame writer is closed".to_owned(),
        }
    }
}

/// The Node-style code of an OS error number.
fn errno_code(errno: Option<i32>) -> &'static str {
    match errno {
        Some(28) => "ENOSPC",
        Some(122) => "EDQUOT",
        Some(27) => "EFBIG",
        Some(30) => "EROFS",
        Some(9) => "EBADF",
        Some(13) => "EACCES",
        Some(1) => "EPERM",
        Some(2) => "ENOENT",
        _ => "EIO",
    }
}

/// Where the writes stand (`durabilityStatus()` of a file backend).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalStatus {
    /// Bytes handed to the writer and not yet written to the OS.
    pub pending_bytes: u64,
    /// Highest seq handed to the writer.
    pub last_seq: u64,
    /// Highest seq known to be on disk.
    pub durable_seq: u64,
    /// fdatasyncs of the file so far.
    pub syncs: u64,
    /// Size of the file once everything handed over is written.
    pub size: u64,
    /// A write or fsync failed: the writer refuses everything.
    pub failed: bool,
}
