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

pub mod record;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::log::{FactLog, LoadedFact, NewFact};
use record::parse_record;

/// Bytes a frame adds around its body.
pub const FRAME_OVERHEAD: usize = 8;

/// Read size while replaying.
const CHUNK_BYTES: usize = 16 * 1024 * 1024;

/// Why a replay stopped at a frame that is not intact (the JS side's `FrameDamageReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameDamage {
    /// The file ends inside the frame.
    Incomplete,
    /// The body does not match its CRC-32.
    BadCrc,
    /// The length field is over the limit.
    TooLarge,
    /// A zero-length frame.
    Empty,
}

impl FrameDamage {
    /// The reason's name as the JS side spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::BadCrc => "bad-crc",
            Self::TooLarge => "too-large",
            Self::Empty => "empty",
        }
    }
}

/// Where and why a replay stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayStop {
    /// Every frame up to the end of the file was taken.
    End,
    /// The frame at `offset` is damaged.
    Damage {
        /// File offset of the frame.
        offset: u64,
        /// What is wrong with it.
        damage: FrameDamage,
    },
    /// The frame at `offset` is intact but not a record this reader takes as is (or its fact
    /// breaks an invariant); the JS decoder must judge the file.
    Unsupported {
        /// File offset of the frame.
        offset: u64,
        /// What this reader did not take.
        reason: String,
    },
}

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Offset of the first frame to read.
    pub start: u64,
    /// Largest frame body accepted.
    pub max_frame_bytes: u64,
    /// Read only the first frame and hand back its body (the metadata record).
    pub meta_only: bool,
    /// Every fact's seq must be above this and above the previous fact's.
    pub after_seq: u64,
    /// Every fact's seq must be at most this.
    pub max_seq: u64,
    /// Facts up to this seq are checked but not loaded (a snapshot already holds them).
    pub skip_through: u64,
}

impl ReplayOptions {
    /// Fact frames from `start` with no seq bounds.
    pub fn facts(start: u64, max_frame_bytes: u64) -> Self {
        Self {
            start,
            max_frame_bytes,
            meta_only: false,
            after_seq: 0,
            max_seq: u64::MAX,
            skip_through: 0,
        }
    }
}

/// Facts and frame bytes loaded for one store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreTally {
    /// Facts loaded.
    pub facts: u64,
    /// Their frame bytes, framing included.
    pub bytes: u64,
}

/// The outcome of [`replay_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// File size when the replay ran.
    pub size: u64,
    /// Offset just past the last frame taken.
    pub end: u64,
    /// Why the replay stopped.
    pub stop: ReplayStop,
    /// The body of the first frame, with `meta_only`.
    pub meta: Option<String>,
    /// Highest seq read (loaded or skipped); `after_seq` when there was none.
    pub max_seq: u64,
    /// Facts loaded into the log.
    pub loaded: u64,
    /// Per store index of the log: facts loaded and their frame bytes.
    pub tally: Vec<StoreTally>,
}

/// Reads the frames of the file at `path` from `options.start` into `log` (see the module
/// docs). Facts loaded before the stop stay loaded.
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
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut reader = ChunkReader::new(&mut file, options.start, size)?;
    let mut replay = Replay {
        log,
        options,
        report: ReplayReport {
            size,
            end: options.start,
            stop: ReplayStop::End,
            meta: None,
            max_seq: options.after_seq,
            loaded: 0,
            tally: Vec::new(),
        },
    };
    loop {
        let offset = reader.offset();
        if offset >= size {
            break;
        }
        let frame = match reader.frame(options.max_frame_bytes)? {
            Ok(frame) => frame,
            Err(damage) => {
                replay.report.stop = ReplayStop::Damage { offset, damage };
                break;
            }
        };
        if options.meta_only {
            replay.report.meta = Some(String::from_utf8_lossy(frame).into_owned());
            reader.advance();
            replay.report.end = reader.offset();
            break;
        }
        if let Err(reason) = replay.fact(frame) {
            replay.report.stop = ReplayStop::Unsupported { offset, reason };
            break;
        }
        reader.advance();
        replay.report.end = reader.offset();
    }
    Ok(replay.report)
}

struct Replay<'l, 'o> {
    log: &'l mut FactLog,
    options: &'o ReplayOptions,
    report: ReplayReport,
}

impl Replay<'_, '_> {
    /// Takes one fact frame body, or says why not.
    fn fact(&mut self, body: &[u8]) -> Result<(), String> {
        let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        let record =
            parse_record(text).ok_or_else(|| "the body is not a plain fact record".to_owned())?;
        let previous = self.report.max_seq;
        if record.seq <= previous || record.seq > self.options.max_seq {
            return Err(format!("seq {} after seq {previous}", record.seq));
        }
        self.report.max_seq = record.seq;
        if record.seq <= self.options.skip_through {
            return Ok(());
        }
        let loaded = LoadedFact {
            id: &record.id,
            seq: record.seq,
            value_hash: &record.value_hash,
            fact: NewFact {
                store: &record.store,
                key: &record.key,
                value_json: record.value_json,
                causation: record.causation.as_deref(),
                transaction_time: record.transaction_time,
                valid_time: record.valid_time,
                schema_version: record.schema_version,
                producer_json: record.producer_json,
                derivation_json: record.derivation_json,
                idempotency_key: record.idempotency_key.as_deref(),
            },
        };
        let slot = self.log.load(&loaded).map_err(|error| error.to_string())?;
        let store = self.log.view(slot).map_or(0, |view| view.store_index()) as usize;
        if self.report.tally.len() <= store {
            self.report.tally.resize(store + 1, StoreTally::default());
        }
        if let Some(tally) = self.report.tally.get_mut(store) {
            tally.facts += 1;
            tally.bytes += (body.len() + FRAME_OVERHEAD) as u64;
        }
        self.report.loaded += 1;
        Ok(())
    }
}

/// Sequential frames of a file through one reusable buffer.
struct ChunkReader<'f> {
    file: &'f mut File,
    size: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    base: u64,
    filled: usize,
    at: usize,
    /// Offset in `buf` just past the frame last returned.
    next: usize,
}

impl<'f> ChunkReader<'f> {
    fn new(file: &'f mut File, start: u64, size: u64) -> std::io::Result<Self> {
        let want = size.saturating_sub(start).clamp(16, CHUNK_BYTES as u64) as usize;
        let mut reader = Self {
            file,
            size,
            buf: vec![0; want],
            base: start,
            filled: 0,
            at: 0,
            next: 0,
        };
        reader.file.seek(SeekFrom::Start(start))?;
        reader.fill()?;
        Ok(reader)
    }

    fn offset(&self) -> u64 {
        self.base + self.at as u64
    }

    /// Moves past the frame last returned by [`ChunkReader::frame`].
    fn advance(&mut self) {
        self.at = self.next;
    }

    /// Reads until the buffer is full or the file ends; returns the bytes added.
    fn fill(&mut self) -> std::io::Result<usize> {
        let mut added = 0;
        while self.filled < self.buf.len() {
            let Some(space) = self.buf.get_mut(self.filled..) else {
                break;
            };
            let n = self.file.read(space)?;
            if n == 0 {
                break;
            }
            self.filled += n;
            added += n;
        }
        Ok(added)
    }

    /// The body of the intact frame at the cursor (call [`ChunkReader::advance`] to move
    /// past it), or the damage there. Reads more of the file as needed.
    fn frame(&mut self, max_frame_bytes: u64) -> std::io::Result<Result<&[u8], FrameDamage>> {
        loop {
            let available = self.filled - self.at;
            let mut needed = 4;
            if available >= 4 {
                let head = self.buf.get(self.at..self.at + 4).unwrap_or_default();
                let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
                if length as u64 > max_frame_bytes {
                    return Ok(Err(FrameDamage::TooLarge));
                }
                needed = length + FRAME_OVERHEAD;
                if available >= needed {
                    let body_start = self.at + 4;
                    let body_end = body_start + length;
                    let stored = self.buf.get(body_end..body_end + 4).unwrap_or_default();
                    let stored = u32::from_be_bytes([stored[0], stored[1], stored[2], stored[3]]);
                    let body = self.buf.get(body_start..body_end).unwrap_or_default();
                    if crc32fast::hash(body) != stored {
                        return Ok(Err(FrameDamage::BadCrc));
                    }
                    if length == 0 {
                        return Ok(Err(FrameDamage::Empty));
                    }
                    self.next = body_end + 4;
                    return Ok(Ok(body));
                }
            }
            if self.offset() + needed as u64 > self.size {
                return Ok(Err(FrameDamage::Incomplete));
            }
            // Keep the partial frame, at the start of a buffer big enough for all of it.
            self.buf.copy_within(self.at..self.filled, 0);
            self.filled -= self.at;
            self.base += self.at as u64;
            self.at = 0;
            if needed > self.buf.len() {
                self.buf.resize(needed, 0);
            }
            if self.fill()? == 0 {
                return Ok(Err(FrameDamage::Incomplete));
            }
        }
    }
}

#[cfg(test)]
mod tests;
