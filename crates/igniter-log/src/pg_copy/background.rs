//! Loading a binary COPY into a log on a thread of its own, as the bytes come off the socket:
//! the caller (the JS thread) only splits the wire messages ([`super::wire`]) and hands the
//! `CopyData` payloads over, while a worker parses the rows, checks them and inserts them
//! (see [`super::load_copy_rows`]). PostgreSQL's production of the rows, the socket reads and
//! the load then overlap, and the caller's event loop stays free while rows arrive.
//!
//! ```
//! use igniter_log::{pg_copy::background::BackgroundCopyLoad, FactLog};
//!
//! let mut load = BackgroundCopyLoad::start(FactLog::new(1 << 20));
//! // ... load.push(bytes off the socket) until it answers that the COPY ended ...
//! let (log, outcome) = load.finish();
//! assert!(outcome.is_err()); // no COPY was given
//! # drop(log);
//! ```

use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;

use super::wire::{CopyOutEnd, CopyOutMessages};
use super::{corrupt, load_copy_rows, CopyLoad};
use crate::error::LogError;
use crate::log::FactLog;

/// What the worker hands back: the log, and what it loaded or the first error.
type Outcome = (FactLog, Result<CopyLoad, LogError>);

/// The rows of one COPY, fed in pieces of its bytes (the joined `CopyData` payloads).
#[derive(Debug, Default)]
struct Rows {
    /// The start of a row (or of the header) cut by the end of the last piece.
    pending: Vec<u8>,
    /// The header is read.
    header_read: bool,
    total: CopyLoad,
}

impl Rows {
    /// Loads the whole rows that `bytes`, after what is pending, completes.
    fn feed(&mut self, log: &mut FactLog, bytes: &[u8]) -> Result<(), LogError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.total.ended {
            return Err(corrupt("bytes after the trailer"));
        }
        let input = if self.pending.is_empty() {
            bytes
        } else {
            self.pending.extend_from_slice(bytes);
            &self.pending[..]
        };
        let report = load_copy_rows(log, input, !self.header_read)?;
        let consumed = report.consumed;
        if consumed > 0 {
            self.header_read = true;
        }
        if self.pending.is_empty() {
            self.pending.extend_from_slice(&bytes[consumed..]);
        } else {
            self.pending.drain(..consumed);
        }
        self.total.absorb(report);
        Ok(())
    }

    /// What was loaded, once the stream is complete.
    fn finish(self) -> Result<CopyLoad, LogError> {
        if !self.total.ended {
            return Err(corrupt("the stream ended without its trailer"));
        }
        Ok(self.total)
    }
}

/// The worker: loads every piece it is sent until the sender hangs up or a row is refused.
fn work(mut log: FactLog, pieces: &Receiver<Vec<u8>>) -> Outcome {
    let mut rows = Rows::default();
    for piece in pieces {
        if let Err(error) = rows.feed(&mut log, &piece) {
            return (log, Err(error));
        }
    }
    let outcome = rows.finish();
    (log, outcome)
}

/// Where the rows go.
enum Loader {
    /// A worker thread loads them.
    Worker {
        sender: Sender<Vec<u8>>,
        worker: JoinHandle<Outcome>,
    },
    /// No thread could be started: the caller loads them as they come.
    Inline {
        log: Box<FactLog>,
        rows: Rows,
        error: Option<LogError>,
    },
}

impl Loader {
    fn inline(log: FactLog) -> Self {
        Self::Inline {
            log: Box::new(log),
            rows: Rows::default(),
            error: None,
        }
    }
}

/// One COPY being loaded into a log. See the module docs.
pub struct BackgroundCopyLoad {
    messages: CopyOutMessages,
    loader: Loader,
}

impl BackgroundCopyLoad {
    /// Starts loading into `log` on a worker thread (on the calling thread, as the pieces come,
    /// when no thread can be started).
    pub fn start(log: FactLog) -> Self {
        let (sender, receiver) = channel::<Vec<u8>>();
        // The log goes to the worker once it runs, so that a failed spawn leaves it here.
        let (give, take) = channel::<FactLog>();
        let spawned = std::thread::Builder::new()
            .name("igniter-pg-copy".to_owned())
            .spawn(move || match take.recv() {
                Ok(log) => work(log, &receiver),
                Err(_) => (FactLog::new(0), Ok(CopyLoad::default())),
            });
        let loader = match spawned {
            Ok(worker) => match give.send(log) {
                Ok(()) => Loader::Worker { sender, worker },
                Err(returned) => Loader::inline(returned.0),
            },
            Err(_) => Loader::inline(log),
        };
        Self {
            messages: CopyOutMessages::default(),
            loader,
        }
    }

    /// Takes `piece`, the next bytes off the connection, and hands the COPY's payloads in it to
    /// the loader. Says where the COPY's messages ended, if they did in this piece (see
    /// [`CopyOutEnd`]); nothing after that end is taken. Cost: one copy of the payloads.
    pub fn push(&mut self, piece: &[u8]) -> CopyOutEnd {
        let mut payloads = Vec::with_capacity(piece.len());
        let end = self.messages.push(piece, &mut payloads);
        match &mut self.loader {
            // A worker that stopped at a bad row hangs up; its error comes with `finish`.
            Loader::Worker { sender, .. } => {
                let _ = sender.send(payloads);
            }
            Loader::Inline { log, rows, error } => {
                if error.is_none() {
                    *error = rows.feed(log, &payloads).err();
                }
            }
        }
        end
    }

    /// The header bytes of the message that ended the COPY that came in earlier pieces (see
    /// [`CopyOutEnd::Other`]).
    pub fn carried(&self) -> &[u8] {
        self.messages.carried()
    }

    /// Waits for the loader to load what it was given, and returns the log with what was
    /// loaded, or the first error: [`LogError::CorruptLog`] for a COPY that did not end with
    /// `CopyDone` after its trailer and for every error of [`super::load_copy_rows`] (the
    /// facts before the bad row stay in the log).
    pub fn finish(self) -> Outcome {
        let done = self.messages.done();
        let (log, outcome) = match self.loader {
            Loader::Worker { sender, worker } => {
                drop(sender);
                worker.join().unwrap_or_else(|_| {
                    let error = LogError::CorruptLog {
                        reason: "the COPY loading thread panicked".to_owned(),
                    };
                    (FactLog::new(0), Err(error))
                })
            }
            Loader::Inline { log, rows, error } => {
                let outcome = match error {
                    Some(error) => Err(error),
                    None => rows.finish(),
                };
                (*log, outcome)
            }
        };
        let outcome = outcome.and_then(|loaded| {
            if done {
                Ok(loaded)
            } else {
                Err(corrupt("the COPY's messages ended without CopyDone"))
            }
        });
        (log, outcome)
    }
}
