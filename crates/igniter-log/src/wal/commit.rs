//! The committing side of a [`WalWriter`](super::WalWriter): the state the appending thread and
//! the `Group` mode's writer thread share, and the commits (one write and one fdatasync each)
//! that make the buffer durable, with the lock held or not.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::status::{Durability, WalError};

pub(super) struct State {
    pub(super) file: Arc<File>,
    pub(super) buf: Vec<u8>,
    pub(super) spare: Vec<u8>,
    /// Highest seq in `buf`.
    pub(super) buf_seq: u64,
    pub(super) buf_since: Option<Instant>,
    /// Bytes being written now (taken from `buf`), 0 when no commit runs.
    pub(super) inflight: u64,
    /// A commit (the thread's or a `sync` caller's) runs without the lock: others wait for it.
    pub(super) committing: bool,
    pub(super) written: u64,
    pub(super) written_seq: u64,
    pub(super) durable: u64,
    pub(super) durable_seq: u64,
    pub(super) last_seq: u64,
    pub(super) syncs: u64,
    pub(super) failure: Option<WalError>,
    pub(super) sealed: bool,
    pub(super) urgent: bool,
    pub(super) stop: bool,
    /// The thread waits without a deadline (it had nothing to commit): an append must wake it
    /// to start the window. Otherwise it wakes by itself within the window (see `commit_loop`).
    pub(super) parked: bool,
    /// Callers waiting on `done` (a notification with none is a wasted system call).
    pub(super) waiting_done: u32,
}

pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// Wakes the writer thread: frames arrived, a flush asks, or it must stop.
    pub(super) wake: Condvar,
    /// Wakes waiters: the thread finished a commit.
    pub(super) done: Condvar,
    pub(super) durability: Durability,
    pub(super) group_window: Duration,
    pub(super) group_bytes: usize,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the plain numbers inconsistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(super) fn usable(state: &State) -> Result<(), WalError> {
    if let Some(failure) = &state.failure {
        return Err(failure.clone());
    }
    if state.sealed {
        return Err(WalError::closed());
    }
    Ok(())
}

pub(super) fn wait<'a>(condvar: &Condvar, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    condvar
        .wait(guard)
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes `buf` at `at` (when not empty), then fdatasyncs when `sync`.
pub(super) fn commit(file: &File, buf: &[u8], at: u64, sync: bool) -> Result<(), WalError> {
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
pub(super) fn wait_done<'a>(
    shared: &Shared,
    mut state: MutexGuard<'a, State>,
) -> MutexGuard<'a, State> {
    state.waiting_done += 1;
    let mut state = wait(&shared.done, state);
    state.waiting_done -= 1;
    state
}

/// Wakes the callers waiting for a commit to end, if any.
pub(super) fn commit_ended(shared: &Shared, state: &State) {
    if state.waiting_done > 0 {
        shared.done.notify_all();
    }
}

/// Commits the buffer (write and fdatasync) with the lock held: the `Fsync` and `None` modes'
/// [`WalWriter::sync`], where appends write under the lock anyway.
pub(super) fn commit_locked<'a>(
    shared: &Shared,
    mut state: MutexGuard<'a, State>,
) -> MutexGuard<'a, State> {
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
pub(super) fn commit_buffer<'a>(
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
pub(super) fn commit_loop(shared: &Shared) {
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
