//! Replaying a data file of the file backends straight into a [`FactLog`] (D8, D9).
//!
//! A data file is a header, then frames `u32 BE length | body | u32 BE CRC-32 of body`: first
//! a metadata record, then one fact record per frame (see [`record`]). The JS side reads the
//! header and the metadata record and decides what recovery means; this module does the bulk
//! of the work in one pass: it reads the frames, checks their CRCs, parses the records and
//! loads the facts, and stops at the first frame that is damaged or that it does not take.
//!
//! ```no_run
//! use igniter_log::{replay::{replay_file, ReplayOptions, ReplayStop}, FactLog};
//!
//! let mut log = FactLog::new(1 << 24);
//! let report = replay_file(&mut log, "app.log".as_ref(), &ReplayOptions::facts(64, 0))?;
//! assert!(matches!(report.stop, ReplayStop::End));
//! # Ok::<(), std::io::Error>(())
//! ```

mod frames;
mod outcome;
pub mod record;

use std::fs::File;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use crate::canonical::canonicalize_append;
use crate::log::{Digest, FactLog, Identifier, NewFact};
use crate::wal::{BatchMarker, BATCH_MARKER_FRAME_BYTES};
use frames::{batch_is_whole, ChunkReader};
pub use outcome::{FrameDamage, ReplayOptions, ReplayReport, ReplayStop, StoreTally};
use record::parse_record;

/// Bytes a frame adds around its body.
pub const FRAME_OVERHEAD: usize = 8;

/// Read size while replaying: one read must not outlast the batches in flight, or the loading
/// thread idles. With 16 MiB reads and 4 batches it waited 20-110 ms per 1M-fact open; with
/// 1 MiB reads and 16 batches, 2-20 ms. Fresh-process opens of 1M facts, interleaved: 16 MiB
/// and 4 batches 482 ms on average, 1 MiB and 32 batches 465 ms, 1 MiB and 64 batches 451 ms.
const CHUNK_BYTES: usize = 1024 * 1024;

/// Reads the frames of the file at `path` from `options.start` into `log` (see the module
/// docs). Facts loaded before the stop stay loaded.
///
/// Two threads share the work: a worker reads, CRC-checks and parses the frames and
/// canonicalizes the values, handing batches of stored-form facts to the calling thread, which
/// inserts them into the log.
///
/// # Errors
/// The I/O error of a failed open or read.
///
/// Cost: one sequential read, one CRC pass and one parse of the file; each loaded value is
/// canonicalized once.
pub fn replay_file(
    log: &mut FactLog,
    path: &Path,
    options: &ReplayOptions,
) -> std::io::Result<ReplayReport> {
    replay_opened(log, File::open(path)?, options)
}

/// [`replay_file`] of a file already open (read from `options.start`, whatever its position).
///
/// # Errors
/// The I/O error of a failed read.
pub fn replay_opened(
    log: &mut FactLog,
    file: File,
    options: &ReplayOptions,
) -> std::io::Result<ReplayReport> {
    let size = file.metadata()?.len();
    let mut report = ReplayReport {
        size,
        end: options.start,
        stop: ReplayStop::End,
        meta: None,
        max_seq: options.after_seq,
        loaded: 0,
        tally: Vec::new(),
    };
    let (sender, receiver) = sync_channel::<Batch>(BATCHES_IN_FLIGHT);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || prepare_file(file, size, options, &sender));
        let loaded = load_batches(log, &receiver, options, &mut report);
        // Stops the worker if the loading stopped early.
        drop(receiver);
        let prepared = worker
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the replay worker panicked")));
        loaded.and(prepared)
    })?;
    Ok(report)
}

/// Facts per batch handed from the worker to the loading thread.
const BATCH_FACTS: usize = 1024;
/// Batches the worker may run ahead (about 20 MiB of text for 1M-fact logs like the benchmark's).
const BATCHES_IN_FLIGHT: usize = 64;

/// A part of a batch's text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// A fact in stored form: its text parts in the batch's text, its value canonical.
#[derive(Debug)]
struct Prepared {
    seq: u64,
    transaction_time: f64,
    valid_time: Option<f64>,
    schema_version: f64,
    /// File offset of its frame, and the frame's size.
    offset: u64,
    frame_bytes: u64,
    id: Parsed<[u8; 16]>,
    value_hash: Parsed<[u8; 32]>,
    store: Span,
    key: Span,
    value: Span,
    causation: Option<Span>,
    producer: Option<Span>,
    derivation: Option<Span>,
    idempotency_key: Option<Span>,
}

/// An id or hash in stored form: its bytes, or its text when it is not in the compact form.
#[derive(Debug, Clone, Copy)]
enum Parsed<T> {
    Bytes(T),
    Text(Span),
}

/// How the worker's reading ended.
#[derive(Debug)]
struct Ending {
    stop: ReplayStop,
    meta: Option<String>,
}

/// Facts the worker prepared, with where the file stands after them.
#[derive(Debug, Default)]
struct Batch {
    text: String,
    facts: Vec<Prepared>,
    /// Offset just past the last frame read, and the highest seq read (skipped facts too).
    end: u64,
    max_seq: u64,
    /// Set on the last batch.
    ending: Option<Ending>,
}

impl Batch {
    fn span(&mut self, part: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(part);
        Span {
            start,
            end: self.text.len(),
        }
    }

    fn part(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    fn optional(&self, span: Option<Span>) -> Option<&str> {
        span.map(|span| self.part(span))
    }
}

/// The worker: reads the frames and sends batches of prepared facts until the file ends, a
/// frame stops it, or the loading side hangs up.
fn prepare_file(
    mut file: File,
    size: u64,
    options: &ReplayOptions,
    sender: &SyncSender<Batch>,
) -> std::io::Result<()> {
    let mut reader = ChunkReader::new(&mut file, options.start, size)?;
    let mut max_seq = options.after_seq;
    let mut batch = Batch {
        end: options.start,
        max_seq,
        ..Batch::default()
    };
    let stop = loop {
        let offset = reader.offset();
        if offset >= size {
            break ReplayStop::End;
        }
        let frame = match reader.frame(options.max_frame_bytes)? {
            Ok(frame) => frame,
            Err(damage) => break ReplayStop::Damage { offset, damage },
        };
        let marker = if options.meta_only {
            None
        } else {
            BatchMarker::read(frame)
        };
        if let Some(marker) = marker {
            let first = offset + BATCH_MARKER_FRAME_BYTES as u64;
            if !batch_is_whole(reader.file, first, &marker, size, options.max_frame_bytes)? {
                break ReplayStop::Damage {
                    offset,
                    damage: FrameDamage::BrokenBatch,
                };
            }
            reader.advance();
            continue;
        }
        if options.meta_only {
            batch.ending = Some(Ending {
                stop: ReplayStop::End,
                meta: Some(String::from_utf8_lossy(frame).into_owned()),
            });
            reader.advance();
            batch.end = reader.offset();
            let _ = sender.send(batch);
            return Ok(());
        }
        let frame_bytes = (frame.len() + FRAME_OVERHEAD) as u64;
        if let Err(reason) = prepare(
            frame,
            offset,
            frame_bytes,
            options,
            &mut max_seq,
            &mut batch,
        ) {
            break ReplayStop::Unsupported { offset, reason };
        }
        reader.advance();
        batch.end = reader.offset();
        batch.max_seq = max_seq;
        if batch.facts.len() == BATCH_FACTS {
            let next = Batch {
                text: String::with_capacity(batch.text.capacity()),
                facts: Vec::with_capacity(BATCH_FACTS),
                end: batch.end,
                max_seq,
                ending: None,
            };
            if sender.send(std::mem::replace(&mut batch, next)).is_err() {
                return Ok(());
            }
        }
    };
    batch.ending = Some(Ending { stop, meta: None });
    let _ = sender.send(batch);
    Ok(())
}

/// Parses one fact frame body into `batch`, or says why not; facts up to
/// `options.skip_through` are checked but not added.
fn prepare(
    body: &[u8],
    offset: u64,
    frame_bytes: u64,
    options: &ReplayOptions,
    max_seq: &mut u64,
    batch: &mut Batch,
) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let record =
        parse_record(text).ok_or_else(|| "the body is not a plain fact record".to_owned())?;
    if record.seq <= *max_seq || record.seq > options.max_seq {
        return Err(format!("seq {} after seq {max_seq}", record.seq));
    }
    *max_seq = record.seq;
    if record.seq <= options.skip_through {
        return Ok(());
    }
    let mark = batch.text.len();
    let canonical = |json: &str, batch: &mut Batch| -> Result<Span, String> {
        let start = batch.text.len();
        canonicalize_append(json, &mut batch.text).map_err(|error| error.to_string())?;
        Ok(Span {
            start,
            end: batch.text.len(),
        })
    };
    let prepared = (|| {
        Ok(Prepared {
            seq: record.seq,
            transaction_time: record.transaction_time,
            valid_time: record.valid_time,
            schema_version: record.schema_version,
            offset,
            frame_bytes,
            value: canonical(record.value_json, batch)?,
            producer: record
                .producer_json
                .map(|json| canonical(json, batch))
                .transpose()?,
            derivation: record
                .derivation_json
                .map(|json| canonical(json, batch))
                .transpose()?,
            id: match Identifier::parse(&record.id) {
                Identifier::Uuid(bytes) => Parsed::Bytes(bytes),
                Identifier::Text(text) => Parsed::Text(batch.span(text)),
            },
            value_hash: match Digest::parse(&record.value_hash) {
                Digest::Bytes(bytes) => Parsed::Bytes(bytes),
                Digest::Text(text) => Parsed::Text(batch.span(text)),
            },
            store: batch.span(&record.store),
            key: batch.span(&record.key),
            causation: record.causation.as_deref().map(|text| batch.span(text)),
            idempotency_key: record
                .idempotency_key
                .as_deref()
                .map(|text| batch.span(text)),
        })
    })();
    match prepared {
        Ok(prepared) => {
            batch.facts.push(prepared);
            Ok(())
        }
        Err(reason) => {
            batch.text.truncate(mark);
            Err(reason)
        }
    }
}

/// The loading side: inserts every batch's facts into `log` and fills in `report`.
fn load_batches(
    log: &mut FactLog,
    receiver: &Receiver<Batch>,
    options: &ReplayOptions,
    report: &mut ReplayReport,
) -> std::io::Result<()> {
    for batch in receiver {
        if report.loaded == 0 && !batch.facts.is_empty() {
            reserve_for_rest(log, options, report.size, &batch);
        }
        for fact in &batch.facts {
            let new_fact = NewFact {
                store: batch.part(fact.store),
                key: batch.part(fact.key),
                value_json: batch.part(fact.value),
                causation: batch.optional(fact.causation),
                transaction_time: fact.transaction_time,
                valid_time: fact.valid_time,
                schema_version: fact.schema_version,
                producer_json: batch.optional(fact.producer),
                derivation_json: batch.optional(fact.derivation),
                idempotency_key: batch.optional(fact.idempotency_key),
            };
            let id = match fact.id {
                Parsed::Bytes(bytes) => Identifier::Uuid(bytes),
                Parsed::Text(span) => Identifier::Text(batch.part(span)),
            };
            let hash = match fact.value_hash {
                Parsed::Bytes(bytes) => Digest::Bytes(bytes),
                Parsed::Text(span) => Digest::Text(batch.part(span)),
            };
            let slot = match log.load_stored(fact.seq, id, hash, &new_fact) {
                Ok(slot) => slot,
                Err(error) => {
                    report.stop = ReplayStop::Unsupported {
                        offset: fact.offset,
                        reason: error.to_string(),
                    };
                    report.end = fact.offset;
                    return Ok(());
                }
            };
            let store = log.view(slot).map_or(0, |view| view.store_index()) as usize;
            if report.tally.len() <= store {
                report.tally.resize(store + 1, StoreTally::default());
            }
            if let Some(tally) = report.tally.get_mut(store) {
                tally.facts += 1;
                tally.bytes += fact.frame_bytes;
            }
            report.loaded += 1;
            report.end = fact.offset + fact.frame_bytes;
            report.max_seq = fact.seq;
        }
        report.end = batch.end;
        report.max_seq = batch.max_seq;
        if let Some(ending) = batch.ending {
            report.stop = ending.stop;
            report.meta = ending.meta;
            return Ok(());
        }
    }
    Ok(())
}

/// Reserves room for the facts the rest of the file likely holds, judging by the first batch
/// (the record array would otherwise be copied each time it doubles).
fn reserve_for_rest(log: &mut FactLog, options: &ReplayOptions, size: u64, first: &Batch) {
    let read = first.end.saturating_sub(options.start).max(1);
    let rest = size.saturating_sub(first.end);
    let estimate = rest.saturating_mul(first.facts.len() as u64) / read;
    log.reserve(usize::try_from(estimate + estimate / 16).unwrap_or(0));
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_batch;
