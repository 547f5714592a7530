//! [`WalWriter`]: appends frames to a data file with one of three durability modes, owning
//! the buffer and, in `Group` mode, a thread that commits it (one write and one fdatasync per
//! group), so the thread that appends never waits for the disk in that mode.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
    fn io(error: &io::Error, op: &str) -> Self {
        let code = errno_code(error.raw_os_error());
        Self {
            code,
            message: format!("{code}: {error}, {op}"),
        }
    }

    fn closed() -> Self {
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

struct State {
    file: Arc<File>,
    buf: Vec<u8>,
    spare: Vec<u8>,
    /// Highest seq in `buf`.
    buf_seq: u64,
    buf_since: Option<Instant>,
    /// Bytes being written now (taken from `buf`), 0 when no commit runs.
    inflight: u64,
    /// A commit (the thread's or a `sync` caller's) runs without the lock: others wait for it.
    committing: bool,
    written: u64,
    written_seq: u64,
    durable: u64,
    durable_seq: u64,
    last_seq: u64,
    syncs: u64,
    failure: Option<WalError>,
    sealed: bool,
    urgent: bool,
    stop: bool,
    /// The thread waits without a deadline (it had nothing to commit): an append must wake it
    /// to start the window. Otherwise it wakes by itself within the window (see `commit_loop`).
    parked: bool,
    /// Callers waiting on `done` (a notification with none is a wasted system call).
    waiting_done: u32,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer thread: frames arrived, a flush asks, or it must stop.
    wake: Condvar,
    /// Wakes waiters: the thread finished a commit.
    done: Condvar,
    durability: Durability,
    group_window: Duration,
    group_bytes: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the plain numbers inconsistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The frame writer of one data file. Dropping it stops the thread without committing.
pub struct WalWriter {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// Opens `path` for writing without truncating it.
fn open_file(path: &Path) -> Result<File, WalError> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|error| WalError::io(&error, "open"))
}

impl WalWriter {
    /// Takes over the data file at `path`, whose frames end at `end` and hold seqs up to
    /// `last_seq`, all durable. `Group` commits when `group_window` has passed since the oldest
    /// buffered frame or the buffer reaches `group_bytes`.
    ///
    /// # Errors
    /// The system error of opening the file, or of starting the thread (`EIO`).
    pub fn open(
        path: &Path,
        end: u64,
        last_seq: u64,
        durability: Durability,
        group_window: Duration,
        group_bytes: usize,
    ) -> Result<Self, WalError> {
        let file = Arc::new(open_file(path)?);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                file,
                buf: Vec::new(),
                spare: Vec::new(),
                buf_seq: last_seq,
                buf_since: None,
                inflight: 0,
                committing: false,
                written: end,
                written_seq: last_seq,
                durable: end,
                durable_seq: last_seq,
                last_seq,
                syncs: 0,
                failure: None,
                sealed: false,
                urgent: false,
                stop: false,
                parked: true,
                waiting_done: 0,
            }),
            wake: Condvar::new(),
            done: Condvar::new(),
            durability,
            group_window,
            group_bytes: group_bytes.max(1),
        });
        let thread = if durability == Durability::Group {
            let worker = Arc::clone(&shared);
            let handle = std::thread::Builder::new()
                .name("igniter-wal".to_owned())
                .spawn(move || commit_loop(&worker))
                .map_err(|error| WalError::io(&error, "spawn"))?;
            Some(handle)
        } else {
            None
        };
        Ok(Self {
            shared,
            thread: Mutex::new(thread),
        })
    }

    /// The durability mode.
    pub fn durability(&self) -> Durability {
        self.shared.durability
    }

    /// The highest seq handed to the writer.
    pub fn last_seq(&self) -> u64 {
        self.shared.lock().last_seq
    }

    /// Appends `frames` (whole frames) holding facts up to `last_seq`, which must be above
    /// every seq appended before (the caller checks). A call that fails has not added them.
    ///
    /// # Errors
    /// An earlier failure, `ERR_CLOSED` once sealed, or the system error of the write or fsync
    /// (`Fsync` and `None` modes), after which every call fails with it.
    ///
    /// Cost: `Fsync` one write and one fdatasync; `None` one write; `Group` a copy.
    pub fn append(&self, frames: &[u8], last_seq: u64) -> Result<(), WalError> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        usable(&state)?;
        if shared.durability == Durability::Group {
            let was_empty = state.buf.is_empty();
            if was_empty {
                state.buf_since = Some(Instant::now());
            }
            state.buf.extend_from_slice(frames);
            state.buf_seq = last_seq;
            state.last_seq = last_seq;
            let full = state.buf.len() >= shared.group_bytes;
            if full {
                state.urgent = true;
            }
            // The thread wakes by itself within the window unless it parked: wake it only to
            // start the window of a parked thread or to commit a full buffer. (Waking a thread
            // costs a system call here and a context switch there; a busy writer would pay one
            // per group.)
            if (was_empty && state.parked) || full {
                shared.wake.notify_one();
            }
            return Ok(());
        }
        let at = state.written;
        let file = Arc::clone(&state.file);
        let result = file
            .write_all_at(frames, at)
            .map_err(|error| WalError::io(&error, "write"))
            .and_then(|()| {
                if shared.durability == Durability::Fsync {
                    file.sync_data()
                        .map_err(|error| WalError::io(&error, "fdatasync"))
                } else {
                    Ok(())
                }
            });
        if let Err(error) = result {
            // Best effort: the torn bytes are truncated on the next open anyway.
            let _ = file.set_len(at);
            state.failure = Some(error.clone());
            return Err(error);
        }
        state.written = at + frames.len() as u64;
        state.written_seq = last_seq;
        state.last_seq = last_seq;
        if shared.durability == Durability::Fsync {
            state.syncs += 1;
            state.durable = state.written;
            state.durable_seq = last_seq;
        }
        Ok(())
    }

    /// Blocks until everything appended before the call is on disk.
    ///
    /// # Errors
    /// The writer's failure, or the system error of the fsync.
    pub fn sync(&self) -> Result<(), WalError> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        let target = state.written + state.inflight + state.buf.len() as u64;
        loop {
            if let Some(failure) = &state.failure {
                return Err(failure.clone());
            }
            if state.durable >= target {
                return Ok(());
            }
            if shared.durability == Durability::Group && !state.stop {
                // The thread commits: this caller (a flush) does not hold the lock over the
                // disk. Frames beyond the commit under way are marked urgent, so the thread
                // commits them as soon as that one ends, without waiting to be woken.
                if state.written + state.inflight < target {
                    state.urgent = true;
                    if !state.committing {
                        shared.wake.notify_one();
                    }
                }
                state = wait_done(shared, state);
                continue;
            }
            if state.committing {
                state = wait_done(shared, state);
                continue;
            }
            // Nothing is in flight and no thread commits: commit here, under the lock.
            state = commit_locked(shared, state);
        }
    }

    /// Writes buffered frames to the OS without syncing them, so a reader of the file sees them.
    ///
    /// # Errors
    /// The writer's failure, or the system error of the write.
    pub fn write_to_os(&self) -> Result<(), WalError> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        while state.committing {
            state = wait_done(shared, state);
        }
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        if state.buf.is_empty() {
            return Ok(());
        }
        let at = state.written;
        let buf = std::mem::take(&mut state.buf);
        let result = commit(&state.file, &buf, at, false);
        state.buf = buf;
        match result {
            Ok(()) => {
                state.written = at + state.buf.len() as u64;
                state.written_seq = state.buf_seq;
                state.buf.clear();
                // The window stays open: the thread still has to sync what was written.
                state.urgent = true;
                shared.wake.notify_one();
                Ok(())
            }
            Err(error) => {
                let _ = state.file.set_len(at);
                state.failure = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Refuses every later append (`ERR_CLOSED`); what was appended can still be synced.
    pub fn seal(&self) {
        self.shared.lock().sealed = true;
    }

    /// Stops the thread and drops buffered frames (the caller synced what it needs first).
    /// Idempotent.
    pub fn shut(&self) {
        {
            let mut state = self.shared.lock();
            state.sealed = true;
            state.stop = true;
            state.buf.clear();
            self.shared.wake.notify_one();
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// Switches to the data file at `path` (a rewrite replaced the old one with a file that
    /// holds everything appended so far): its frames end at `end` and hold seqs up to
    /// `last_seq`, all durable. Buffered frames are dropped and an earlier failure is cleared.
    ///
    /// # Errors
    /// The system error of opening the file (the writer then refuses everything).
    pub fn reopen(&self, path: &Path, end: u64, last_seq: u64) -> Result<(), WalError> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        while state.committing {
            state = wait_done(shared, state);
        }
        state.buf.clear();
        state.buf_since = None;
        match open_file(path) {
            Ok(file) => {
                state.file = Arc::new(file);
                state.failure = None;
                state.written = end;
                state.durable = end;
                state.written_seq = last_seq;
                state.durable_seq = last_seq;
                state.buf_seq = last_seq;
                state.last_seq = last_seq;
                Ok(())
            }
            Err(error) => {
                state.failure = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Where the writes stand.
    pub fn status(&self) -> WalStatus {
        let state = self.shared.lock();
        let pending = state.inflight + state.buf.len() as u64;
        WalStatus {
            pending_bytes: pending,
            last_seq: state.last_seq,
            durable_seq: state.durable_seq,
            syncs: state.syncs,
            size: state.written + pending,
            failed: state.failure.is_some(),
        }
    }

    /// Whether frames wait in the buffer or the thread (a normal exit should [`Self::sync`]).
    pub fn has_pending(&self) -> bool {
        let state = self.shared.lock();
        state.failure.is_none() && (!state.buf.is_empty() || state.inflight > 0)
    }
}

impl Drop for WalWriter {
    fn drop(&mut self) {
        self.shut();
    }
}

fn usable(state: &State) -> Result<(), WalError> {
    if let Some(failure) = &state.failure {
        return Err(failure.clone());
    }
    if state.sealed {
        return Err(WalError::closed());
    }
    Ok(())
}

fn wait<'a>(condvar: &Condvar, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    condvar
        .wait(guard)
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes `buf` at `at` (when not empty), then fdatasyncs when `sync`.
fn commit(file: &File, buf: &[u8], at: u64, sync: bool) -> Result<(), WalError> {
    if !buf.is_empty() {
        file.write_all_at(buf, at)
            .map_err(|error| WalError::io(&error, "write"))?;
    }
    if sync {
        file.sync_data()
            .map_err(|error| WalError::io(&error, "fdatasync"))?;
    }
    Ok(())
}

/// Waits on `done` (a commit ended), counted so that a commit wakes no one when no one waits.
fn wait_done<'a>(shared: &Shared, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    state.waiting_done += 1;
    let mut state = wait(&shared.done, state);
    state.waiting_done -= 1;
    state
}

/// Wakes the callers waiting for a commit to end, if any.
fn commit_ended(shared: &Shared, state: &State) {
    if state.waiting_done > 0 {
        shared.done.notify_all();
    }
}

/// Commits the buffer (write and fdatasync) with the lock held: the `Fsync` and `None` modes'
/// [`WalWriter::sync`], where appends write under the lock anyway.
fn commit_locked<'a>(shared: &Shared, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    let at = state.written;
    let buf = std::mem::take(&mut state.buf);
    let result = commit(&state.file, &buf, at, true);
    state.buf = buf;
    match result {
        Ok(()) => {
            state.written = at + state.buf.len() as u64;
            state.written_seq = state.buf_seq.max(state.written_seq);
            state.buf.clear();
            state.buf_since = None;
            state.syncs += 1;
            state.durable = state.written;
            state.durable_seq = state.written_seq;
        }
        Err(error) => {
            let _ = state.file.set_len(at);
            state.failure = Some(error);
        }
    }
    commit_ended(shared, &state);
    state
}

/// Commits the buffer (write and fdatasync) without holding the lock over the disk, so appends
/// continue into a fresh buffer meanwhile; the caller checked that nothing is in flight. Used
/// by the `Group` thread and by a `sync` caller that finds nothing in flight.
fn commit_buffer<'a>(
    shared: &'a Shared,
    mut state: MutexGuard<'a, State>,
) -> MutexGuard<'a, State> {
    state.urgent = false;
    let spare = std::mem::take(&mut state.spare);
    let buf = std::mem::replace(&mut state.buf, spare);
    state.buf_since = None;
    let at = state.written;
    let seq = state.buf_seq;
    let file = Arc::clone(&state.file);
    state.inflight = buf.len() as u64;
    state.committing = true;
    drop(state);
    let result = commit(&file, &buf, at, true);
    let mut state = shared.lock();
    state.inflight = 0;
    state.committing = false;
    let same_file = Arc::ptr_eq(&file, &state.file);
    match result {
        Ok(()) if same_file => {
            state.written = at + buf.len() as u64;
            state.written_seq = seq.max(state.written_seq);
            state.syncs += 1;
            state.durable = state.written;
            state.durable_seq = state.written_seq;
        }
        Ok(()) => {}
        Err(error) => {
            let _ = file.set_len(at);
            if same_file {
                state.failure = Some(error);
            }
        }
    }
    let mut buf = buf;
    buf.clear();
    if buf.capacity() <= 4 * shared.group_bytes + (64 << 10) {
        state.spare = buf;
    }
    commit_ended(shared, &state);
    state
}

/// The writer thread of `Group` mode: waits for frames, lets the window run, then writes and
/// syncs them without holding the lock, so appends continue into a fresh buffer meanwhile.
/// After a commit, and while frames keep coming, it sleeps at most a window at a time, so an
/// append into an empty buffer need not wake it: it sees the frames within the window. Only
/// when a window passed without frames does it park until an append wakes it.
fn commit_loop(shared: &Shared) {
    let mut state = shared.lock();
    // Whether the last wait ran a whole window without frames arriving: the thread then parks.
    let mut quiet = true;
    loop {
        if state.stop {
            return;
        }
        let work = !state.buf.is_empty() || state.durable < state.written;
        if state.failure.is_some() || (!work && quiet) {
            state.parked = true;
            state = wait(&shared.wake, state);
            state.parked = false;
            continue;
        }
        if !work {
            let (guard, timeout) = shared
                .wake
                .wait_timeout(state, shared.group_window)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state = guard;
            quiet = timeout.timed_out() && state.buf.is_empty();
            continue;
        }
        quiet = false;
        let remaining = state.buf_since.map_or(Duration::ZERO, |since| {
            shared.group_window.saturating_sub(since.elapsed())
        });
        // Frames wait for their window unless urgent; a commit that a `sync` caller runs
        // meanwhile is waited out too (its end does not wake this thread: the window's does).
        if state.committing || (!state.urgent && remaining > Duration::ZERO) {
            let wait_for = if remaining > Duration::ZERO {
                remaining
            } else {
                shared.group_window
            };
            state = shared
                .wake
                .wait_timeout(state, wait_for)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
            continue;
        }
        state = commit_buffer(shared, state);
    }
}
