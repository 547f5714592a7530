//! [`WalWriter`]: appends frames to a data file with one of three durability modes, owning
//! the buffer and, in `Group` mode, a thread that commits it (one write and one fdatasync per
//! group), so the thread that appends never waits for the disk in that mode.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::commit::{commit, commit_locked, commit_loop, usable, wait_done, Shared, State};
use super::status::{Durability, WalError, WalStatus};

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
