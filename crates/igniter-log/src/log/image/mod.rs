//! Checkpoint images: the log's state as the memory holds it, in one file an open maps instead
//! of replaying a snapshot's records (D8, D9).
//!
//! An image is an accelerator written next to a snapshot and tied to it: its header names the
//! snapshot's size, last seq, fact count and the CRC-32 of its last bytes, and an open uses the
//! image only when the snapshot on disk still matches. The snapshot stays the source of truth
//! (every other reader reads it); a missing, stale or damaged image is refused with a reason and
//! the caller replays the snapshot instead.
//!
//! An open that replayed many facts also writes one (`remap.rs`): then the image covers the
//! snapshot (if any: its tie is all zeros when there is none) and the first bytes of the log
//! file, and its header ties it to those bytes too ([`LogTie`]); the next open maps it and
//! replays only the log after them. A checkpoint's image covers no log bytes (`end` 0).
//!
//! Layout, all integers in the writing machine's byte order (the header's byte-order mark and
//! record size refuse an image from another layout):
//!
//! - header, [`HEADER_BYTES`]: magic, version, record size, byte-order mark, the snapshot tie,
//!   the log's high seq, record and payload counts, offset/length/CRC-32 of the three sections,
//!   the log tie (end, CRC-32 of the first and of the last bytes before it), and a CRC-32 of
//!   the header itself;
//! - records, at a page-aligned offset: the 256-byte records exactly as in memory, so an open
//!   maps them read-only; their CRC-32s, one per [`CHUNK_RECORDS`] records, are in the index;
//! - payload: the arena of values that do not fit in their record;
//! - index: store names, each store's key tables (an open-addressed hash table, the keys'
//!   entries, fact lists and names, which an open maps as they are: see `keys.rs`), the store
//!   slot lists, the store order, the id indexes (the sorted ids mapped too), the per-store tally
//!   of the snapshot's frames, and the record chunk CRCs (see `write.rs` for the exact order).

mod build;
mod index;
mod keys;
mod open;
mod remap;
mod write;

pub use build::{build_image, seal_image, ImageSources};
pub use open::{ImageOpen, ImageRefusal};
pub use remap::PrefixImage;
pub use write::write_image;

/// The first bytes of an image file.
pub const MAGIC: [u8; 8] = *b"IGNIMG\r\n";
/// Format version.
pub const VERSION: u32 = 3;
/// Bytes of the header.
pub const HEADER_BYTES: usize = 184;
/// Records per checksummed chunk (1 MiB of records).
pub const CHUNK_RECORDS: usize = 4096;
/// Alignment of the records section in the file (a page, so it can be mapped).
pub const RECORDS_ALIGN: u64 = 4096;
/// Bytes at the end of the snapshot whose CRC-32 ties an image to it.
pub const TAIL_BYTES: u64 = 64 * 1024;
/// Written as a native `u32`: reads back differently on a machine of the other byte order.
const BYTE_ORDER_MARK: u32 = 0x0102_0304;

/// What ties an image to its snapshot: the snapshot's size, last seq, fact count (from its
/// metadata record) and the CRC-32 of its last [`TAIL_BYTES`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotTie {
    /// Size of the snapshot file.
    pub size: u64,
    /// Its `lastSeq`.
    pub last_seq: u64,
    /// Its `factCount`.
    pub fact_count: u64,
    /// CRC-32 of its last [`TAIL_BYTES`] bytes (all of it when smaller).
    pub tail_crc: u32,
}

impl SnapshotTie {
    /// The tie of the snapshot at `path`, given its metadata record's numbers.
    ///
    /// # Errors
    /// The I/O error of a failed open or read.
    pub fn of_file(
        path: &std::path::Path,
        last_seq: u64,
        fact_count: u64,
    ) -> std::io::Result<Self> {
        Self::of_open(&std::fs::File::open(path)?, last_seq, fact_count)
    }

    /// [`SnapshotTie::of_file`] of a snapshot already open.
    ///
    /// # Errors
    /// The I/O error of a failed read.
    pub fn of_open(file: &std::fs::File, last_seq: u64, fact_count: u64) -> std::io::Result<Self> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file;
        let size = file.metadata()?.len();
        let tail = size.min(TAIL_BYTES);
        file.seek(SeekFrom::Start(size - tail))?;
        let mut bytes = vec![0u8; tail as usize];
        file.read_exact(&mut bytes)?;
        Ok(Self {
            size,
            last_seq,
            fact_count,
            tail_crc: crc32fast::hash(&bytes),
        })
    }
}

/// What ties an image written by an open to the log file it replayed: the offset where the
/// frames it covers end, and the CRC-32s of the first and of the last [`TAIL_BYTES`] bytes
/// before it (the first ones hold the log's header and metadata record, so a log replaced by a
/// rewrite or a checkpoint does not match). All zeros for an image that covers no log bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogTie {
    /// Offset just past the last frame the image covers.
    pub end: u64,
    /// CRC-32 of the log's first `min(end, TAIL_BYTES)` bytes.
    pub head_crc: u32,
    /// CRC-32 of the `min(end, TAIL_BYTES)` bytes before `end`.
    pub tail_crc: u32,
}

impl LogTie {
    /// The tie of the first `end` bytes of the log open as `file`, or `None` when the file is
    /// shorter than `end`.
    ///
    /// # Errors
    /// The I/O error of a failed read.
    pub fn of_open(file: &std::fs::File, end: u64) -> std::io::Result<Option<Self>> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file;
        if file.metadata()?.len() < end {
            return Ok(None);
        }
        let span = end.min(TAIL_BYTES);
        let mut bytes = vec![0u8; span as usize];
        file.seek(SeekFrom::Start(0))?;
        file.read_exact(&mut bytes)?;
        let head_crc = crc32fast::hash(&bytes);
        file.seek(SeekFrom::Start(end - span))?;
        file.read_exact(&mut bytes)?;
        Ok(Some(Self {
            end,
            head_crc,
            tail_crc: crc32fast::hash(&bytes),
        }))
    }
}

/// Offset, length and CRC-32 of one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Section {
    offset: u64,
    len: u64,
    crc: u32,
}

/// The header's fields (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Header {
    tie: SnapshotTie,
    log: LogTie,
    high_seq: u64,
    records: u64,
    payload_len: u64,
    record_section: Section,
    payload_section: Section,
    index_section: Section,
}

impl Header {
    fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut out = [0u8; HEADER_BYTES];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&MAGIC);
        put(&VERSION.to_ne_bytes());
        put(&(std::mem::size_of::<super::record::Record>() as u32).to_ne_bytes());
        put(&BYTE_ORDER_MARK.to_ne_bytes());
        put(&0u32.to_ne_bytes());
        for number in [
            self.tie.size,
            self.tie.last_seq,
            self.tie.fact_count,
            u64::from(self.tie.tail_crc),
            self.high_seq,
            self.records,
            self.payload_len,
        ] {
            put(&number.to_ne_bytes());
        }
        for section in [
            self.record_section,
            self.payload_section,
            self.index_section,
        ] {
            put(&section.offset.to_ne_bytes());
            put(&section.len.to_ne_bytes());
            put(&u64::from(section.crc).to_ne_bytes());
        }
        put(&self.log.end.to_ne_bytes());
        put(&u64::from(self.log.head_crc).to_ne_bytes());
        put(&u64::from(self.log.tail_crc).to_ne_bytes());
        let crc = crc32fast::hash(&out[..HEADER_BYTES - 4]);
        out[HEADER_BYTES - 4..].copy_from_slice(&crc.to_ne_bytes());
        out
    }

    /// The header at the start of `bytes`, or why it is not one this build reads.
    fn decode(bytes: &[u8]) -> Result<Self, &'static str> {
        let head = bytes
            .get(..HEADER_BYTES)
            .ok_or("the file is shorter than an image header")?;
        if head[..8] != MAGIC {
            return Err("the file is not an image (bad magic)");
        }
        let stored = u32::from_ne_bytes(head[HEADER_BYTES - 4..].try_into().unwrap_or_default());
        if crc32fast::hash(&head[..HEADER_BYTES - 4]) != stored {
            return Err("the image header fails its CRC-32");
        }
        let word = |at: usize| u32::from_ne_bytes(head[at..at + 4].try_into().unwrap_or_default());
        let long = |at: usize| u64::from_ne_bytes(head[at..at + 8].try_into().unwrap_or_default());
        if word(8) != VERSION {
            return Err("the image has another format version");
        }
        if word(12) as usize != std::mem::size_of::<super::record::Record>()
            || word(16) != BYTE_ORDER_MARK
        {
            return Err("the image was written with another record layout or byte order");
        }
        let section = |at: usize| Section {
            offset: long(at),
            len: long(at + 8),
            crc: long(at + 16) as u32,
        };
        Ok(Self {
            tie: SnapshotTie {
                size: long(24),
                last_seq: long(32),
                fact_count: long(40),
                tail_crc: long(48) as u32,
            },
            high_seq: long(56),
            records: long(64),
            payload_len: long(72),
            record_section: section(80),
            payload_section: section(104),
            index_section: section(128),
            log: LogTie {
                end: long(152),
                head_crc: long(160) as u32,
                tail_crc: long(168) as u32,
            },
        })
    }
}

impl super::FactLog {
    /// Facts whose records are mapped from an image rather than held on the heap.
    pub fn mapped_facts(&self) -> usize {
        self.records.mapped_len()
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_mapped;
#[cfg(test)]
mod tests_open;
