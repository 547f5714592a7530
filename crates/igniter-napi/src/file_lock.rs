//! An exclusive advisory lock on an open file, for the single-writer lock of `@igniter/core`.
//!
//! Node has no `flock(2)`. The lock belongs to the open file description, so it covers the
//! file itself (its inode) whatever path reached it (a symlink, a hard link, another spelling),
//! conflicts between two descriptors of one process as well as between processes, and is
//! released by the kernel when the descriptor is closed or the process dies.

use napi_derive::napi;

use crate::ErrorCode;

/// Takes an exclusive `flock(2)` on the open descriptor `fd` without waiting.
///
/// Returns `true` when the lock is now held through `fd`, `false` when another open
/// description (in this or another process) holds one. Throws an `Error` with `code`
/// `"ERR_INVALID_ARGUMENT"` for any other failure (a closed descriptor, a file system without
/// locks), with the system's message, and `"ERR_UNSUPPORTED_PLATFORM"` where there is no
/// `flock` (Windows). Cost: one system call.
#[cfg(unix)]
#[napi]
pub fn try_lock_file(fd: i32) -> napi::Result<bool, ErrorCode> {
    // SAFETY: flock only reads its two integer arguments; an invalid fd is reported as EBADF.
    let status = unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) };
    if status == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.kind() == std::io::ErrorKind::WouldBlock {
        return Ok(false);
    }
    Err(napi::Error::new(
        "ERR_INVALID_ARGUMENT",
        format!("flock failed: {error}"),
    ))
}

/// Windows has no `flock`, and a Node descriptor is not a `HANDLE`: always `ERR_UNSUPPORTED_PLATFORM`.
#[cfg(not(unix))]
#[napi]
pub fn try_lock_file(_fd: i32) -> napi::Result<bool, ErrorCode> {
    Err(napi::Error::new(
        "ERR_UNSUPPORTED_PLATFORM",
        "flock is not available on this platform".to_owned(),
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::try_lock_file;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_second_description_of_the_same_file_cannot_take_the_lock() {
        let path = std::env::temp_dir().join(format!("igniter-flock-{}", std::process::id()));
        let first = std::fs::File::create(&path).expect("create");
        let second = std::fs::File::open(&path).expect("open");
        assert_eq!(try_lock_file(first.as_raw_fd()).ok(), Some(true));
        assert_eq!(try_lock_file(second.as_raw_fd()).ok(), Some(false));
        drop(first);
        assert_eq!(try_lock_file(second.as_raw_fd()).ok(), Some(true));
        std::fs::remove_file(&path).expect("remove");
    }
}
