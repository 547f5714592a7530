//! Loading a binary COPY into a log off the calling thread, as the bytes come off the socket:
//! the caller (the JS thread) only splits the wire messages ([`super::wire`]) and hands the
//! `CopyData` payloads over; one worker parses and checks the rows (fields, UTF-8, canonical
//! values, ids and hashes), a second inserts them into the log (see
//! [`super::load_copy_rows`]). PostgreSQL's production of the rows, the socket reads, the
//! parse and the insert then overlap, and the caller's event loop stays free while rows
//! arrive.
//!
//! ```
//! use igniter_log::{pg_copy::background::BackgroundCopyLoad, FactLog};
//!
//! let mut load = BackgroundCopyLoad::start(FactLog::new(1 << 20));
//! // ... load.push(bytes off the socket) until it answers that the COPY ended ...
//! let finished = load.finish();
//! assert!(finished.outcome.is_err()); // no COPY was given
//! ```

use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use super::rows::{self, parse_rows, RowBatch};
use super::wire::{CopyOutEnd, CopyOutMessages};
use super::{corrupt, insert_rows, load_copy_rows, CopyLoad};
use crate::error::LogError;
use crate::log::FactLog;

/// What the inserting worker hands back: the log, and what it loaded or the first error.
type Outcome = (FactLog, Result<CopyLoad, LogError>);

/// What [`BackgroundCopyLoad::finish`] hands back.
pub struct Finished {
    /// The log, with the rows loaded (up to a bad one).
    pub log: FactLog,
    /// What was loaded, or the first error.
    pub outcome: Result<CopyLoad, LogError>,
    /// The COPY's bytes (the `CopyData` payloads, joined in order), in the pieces they came in,
    /// for a caller that needs the rows again later.
    pub bytes: Vec<Vec<u8>>,
}

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

/// Rows parsed from one piece, for the inserting worker.
struct Parsed {
    batch: RowBatch,
    consumed: usize,
    ended: bool,
    /// The first bad row's error (the rows before it are in `batch`): the last message.
    error: Option<LogError>,
}

/// The parsing worker: parses every piece it is sent into batches of rows for the inserting
/// worker, until the sender hangs up, a row is bad, or the inserting worker stops.
fn parse_pieces(pieces: &Receiver<Vec<u8>>, batches: &SyncSender<Parsed>) -> Vec<Vec<u8>> {
    let mut kept = Vec::new();
    let mut stream = PieceStream::default();
    for piece in pieces {
        if piece.is_empty() {
            continue;
        }
        let mut batch = RowBatch::default();
        let parsed = stream.parse(&piece, &mut batch);
        let stop = parsed.error.is_some();
        let message = Parsed {
            batch,
            consumed: parsed.consumed,
            ended: parsed.ended,
            error: parsed.error,
        };
        kept.push(piece);
        if batches.send(message).is_err() || stop {
            break;
        }
    }
    kept
}

/// Bytes of a piece first joined to a row cut by the previous piece's end (rows are a few
/// hundred bytes; a longer row takes more rounds).
const JOIN_BYTES: usize = 1024;

/// The rows of a COPY given in pieces, parsed where they lie: only a row cut by a piece's end
/// is copied, with just enough of the next piece to complete it.
#[derive(Default)]
struct PieceStream {
    /// The start of a row (or of the header) cut by the end of the last piece.
    pending: Vec<u8>,
    header_read: bool,
    ended: bool,
}

impl PieceStream {
    /// Parses the rows that `piece` completes into `batch`; `consumed` counts the pending
    /// bytes that a completed row took too.
    fn parse(&mut self, piece: &[u8], batch: &mut RowBatch) -> rows::Parsed {
        if self.ended {
            return rows::Parsed {
                error: Some(corrupt("bytes after the trailer")),
                ..rows::Parsed::default()
            };
        }
        let mut from = 0;
        let mut joined = rows::Parsed::default();
        if !self.pending.is_empty() {
            let old = self.pending.len();
            let mut take = JOIN_BYTES.min(piece.len());
            loop {
                self.pending.extend_from_slice(&piece[..take]);
                let parsed = parse_rows(&self.pending, !self.header_read, batch);
                self.note(&parsed);
                if parsed.error.is_some() || parsed.consumed >= old {
                    // Rows from the joined bytes are in `batch`; the rest of the piece follows.
                    from = parsed.consumed.saturating_sub(old).min(piece.len());
                    joined = parsed;
                    self.pending.clear();
                    break;
                }
                if take == piece.len() {
                    // The cut row (or header) goes on past this piece too.
                    self.pending.drain(..parsed.consumed);
                    return parsed;
                }
                self.pending.truncate(old);
                take = (take * 4).min(piece.len());
            }
            if self.ended && from < piece.len() && joined.error.is_none() {
                joined.error = Some(corrupt("bytes after the trailer"));
            }
            if joined.error.is_some() || from == piece.len() {
                return joined;
            }
        }
        let mut parsed = parse_rows(&piece[from..], !self.header_read, batch);
        self.note(&parsed);
        self.pending
            .extend_from_slice(&piece[from + parsed.consumed..]);
        parsed.consumed += joined.consumed;
        parsed
    }

    fn note(&mut self, parsed: &rows::Parsed) {
        self.header_read |= parsed.consumed > 0;
        self.ended |= parsed.ended;
    }
}

/// The inserting worker: inserts every batch it is sent until the parsing worker ends, a
/// batch brings an error, or a row is refused.
fn insert_batches(mut log: FactLog, batches: &Receiver<Parsed>) -> Outcome {
    let mut total = CopyLoad::default();
    for parsed in batches {
        if let Err(error) = insert_rows(&mut log, &parsed.batch, &mut total) {
            return (log, Err(error));
        }
        total.consumed += parsed.consumed;
        total.ended |= parsed.ended;
        if let Some(error) = parsed.error {
            return (log, Err(error));
        }
    }
    if !total.ended {
        return (log, Err(corrupt("the stream ended without its trailer")));
    }
    (log, Ok(total))
}

/// Batches the parsing worker may run ahead of the insert.
const BATCHES_IN_FLIGHT: usize = 256;

/// Where the rows go.
enum Loader {
    /// Two workers parse and insert them.
    Workers {
        sender: Sender<Vec<u8>>,
        parser: JoinHandle<Vec<Vec<u8>>>,
        inserter: JoinHandle<Outcome>,
    },
    /// No thread could be started: the caller loads them as they come.
    Inline {
        log: Box<FactLog>,
        rows: Rows,
        error: Option<LogError>,
        kept: Vec<Vec<u8>>,
    },
}

impl Loader {
    fn inline(log: FactLog) -> Self {
        Self::Inline {
            log: Box::new(log),
            rows: Rows::default(),
            error: None,
            kept: Vec::new(),
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
        Self {
            messages: CopyOutMessages::default(),
            loader: Self::spawn(log),
        }
    }

    fn spawn(log: FactLog) -> Loader {
        let (give, take) = channel::<FactLog>();
        let (batches, parsed) = sync_channel::<Parsed>(BATCHES_IN_FLIGHT);
        // The log goes to the inserting worker once both run, so that a failed spawn leaves
        // it here (or brings it back).
        let inserter = std::thread::Builder::new()
            .name("igniter-pg-insert".to_owned())
            .spawn(move || match take.recv() {
                Ok(log) => insert_batches(log, &parsed),
                Err(_) => (FactLog::new(0), Ok(CopyLoad::default())),
            });
        let Ok(inserter) = inserter else {
            return Loader::inline(log);
        };
        let (sender, pieces) = channel::<Vec<u8>>();
        let parser = std::thread::Builder::new()
            .name("igniter-pg-parse".to_owned())
            .spawn(move || parse_pieces(&pieces, &batches));
        let Ok(parser) = parser else {
            drop(give);
            drop(inserter);
            return Loader::inline(log);
        };
        match give.send(log) {
            Ok(()) => Loader::Workers {
                sender,
                parser,
                inserter,
            },
            Err(returned) => Loader::inline(returned.0),
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
            Loader::Workers { sender, .. } => {
                let _ = sender.send(payloads);
            }
            Loader::Inline {
                log,
                rows,
                error,
                kept,
            } => {
                if error.is_none() {
                    *error = rows.feed(log, &payloads).err();
                }
                kept.push(payloads);
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
    /// loaded (or the first error) and the COPY's bytes. Errors: [`LogError::CorruptLog`] for a COPY that did not end with
    /// `CopyDone` after its trailer and for every error of [`super::load_copy_rows`] (the
    /// facts before the bad row stay in the log).
    pub fn finish(self) -> Finished {
        let done = self.messages.done();
        let ((log, outcome), bytes) = match self.loader {
            Loader::Workers {
                sender,
                parser,
                inserter,
            } => {
                drop(sender);
                let bytes = parser.join().unwrap_or_default();
                let outcome = inserter.join().unwrap_or_else(|_| {
                    let error = LogError::CorruptLog {
                        reason: "the COPY loading thread panicked".to_owned(),
                    };
                    (FactLog::new(0), Err(error))
                });
                (outcome, bytes)
            }
            Loader::Inline {
                log,
                rows,
                error,
                kept,
            } => {
                let outcome = match error {
                    Some(error) => Err(error),
                    None => rows.finish(),
                };
                ((*log, outcome), kept)
            }
        };
        let outcome = outcome.and_then(|loaded| {
            if done {
                Ok(loaded)
            } else {
                Err(corrupt("the COPY's messages ended without CopyDone"))
            }
        });
        Finished {
            log,
            outcome,
            bytes,
        }
    }
}
