//! Opening a log from an image: the records are mapped, everything else is read in bulk.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::super::record::Record;
use super::super::records::{MappedRecords, Records};
use super::super::FactLog;
use super::index::{parse_index, Cursor};
use super::{Header, LogTie, Section, SnapshotTie, CHUNK_RECORDS, RECORDS_ALIGN};
use crate::replay::StoreTally;

/// What an open from an image loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOpen {
    /// Facts in the log.
    pub records: u64,
    /// The per-store tally of the frames the image covers (the snapshot's, plus the log
    /// prefix's for an open's image), indexed like the log's stores.
    pub tally: Vec<StoreTally>,
    /// Offset in the log file just past the frames the image covers; 0 when it covers none
    /// (a checkpoint's image): the caller replays the log from there.
    pub log_end: u64,
}

/// Why an image was not used: the caller replays the snapshot instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefusal {
    /// What was wrong, for the open's report.
    pub reason: String,
}

impl ImageRefusal {
    pub(super) fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

impl FactLog {
    /// Loads the image at `path` into this log, which must be empty, when it is intact and
    /// tied to the snapshot `tie` describes. The records stay in the file, mapped read-only;
    /// each 1 MiB chunk of them is checked against its CRC-32 here (on all cores), then
    /// released from this process's memory until reads touch it again.
    ///
    /// # Errors
    /// An [`ImageRefusal`] when there is no image, it is tied to another snapshot, or any part
    /// of it fails its check; the log is then unchanged.
    ///
    /// Cost: mapping the file and one CRC pass over it; the key tables and the sorted ids stay
    /// in the mapping (no key is inserted, no id copied), the store slot lists are copied and
    /// every id's slot is bounds-checked.
    pub fn open_image(&mut self, path: &Path, tie: SnapshotTie) -> Result<ImageOpen, ImageRefusal> {
        self.open_image_file(&open_file(path)?, tie)
    }

    /// [`FactLog::open_image`] of an image file already open. An image an open wrote, which
    /// also covers a log prefix, is refused: only [`FactLog::open_image_with_log`] takes it.
    ///
    /// # Errors
    /// As [`FactLog::open_image`].
    pub fn open_image_file(
        &mut self,
        file: &File,
        tie: SnapshotTie,
    ) -> Result<ImageOpen, ImageRefusal> {
        self.open_mapped(file, tie, None, true)
    }

    /// [`FactLog::open_image`] that also takes an image an open wrote: one tied to the
    /// snapshot (all zeros for none) and to the first bytes of the log open as `log`, which must
    /// still be there as they were ([`LogTie`]). [`ImageOpen::log_end`] says where the caller
    /// replays the log from.
    ///
    /// # Errors
    /// As [`FactLog::open_image`], and an [`ImageRefusal`] when the log no longer starts with
    /// the bytes the image covers (cut, replaced, rewritten).
    pub fn open_image_with_log(
        &mut self,
        path: &Path,
        tie: SnapshotTie,
        log: &File,
    ) -> Result<ImageOpen, ImageRefusal> {
        self.open_mapped(&open_file(path)?, tie, Some(log), true)
    }

    /// The open itself; `check_records`: false only for an image this process just wrote from
    /// the same records (`remap.rs`), whose record pages then stay untouched.
    pub(super) fn open_mapped(
        &mut self,
        file: &File,
        tie: SnapshotTie,
        log: Option<&File>,
        check_records: bool,
    ) -> Result<ImageOpen, ImageRefusal> {
        if !self.records.is_empty() || !self.stores.is_empty() {
            return Err(ImageRefusal::new("the log already holds facts"));
        }
        // SAFETY: the image is only ever replaced by rename, never written in place, so the
        // mapped bytes do not change while the log uses them; every byte is checked below.
        let map = unsafe { memmap2::Mmap::map(file) }
            .map_err(|error| ImageRefusal::new(format!("the image cannot be mapped: {error}")))?;
        let map = Arc::new(map);
        let header = Header::decode(&map).map_err(ImageRefusal::new)?;
        if header.tie != tie {
            return Err(ImageRefusal::new(
                "the image belongs to another snapshot (stale or replaced)",
            ));
        }
        check_log_tie(header.log, log)?;
        let records = usize::try_from(header.records).unwrap_or(usize::MAX);
        let record_range = section_range(&map, header.record_section)?;
        if !header.record_section.offset.is_multiple_of(RECORDS_ALIGN)
            || record_range.len() != records.saturating_mul(std::mem::size_of::<Record>())
        {
            return Err(ImageRefusal::new(
                "the image's record section has the wrong size",
            ));
        }
        if !header.index_section.offset.is_multiple_of(8) {
            return Err(ImageRefusal::new("the image's index section is misaligned"));
        }
        let payload = checked(&map, header.payload_section)?;
        let index = checked(&map, header.index_section)?;
        let mut cursor = Cursor::new(index);
        let chunk_crcs = cursor.u32s()?;
        let record_bytes = map.get(record_range.clone()).unwrap_or_default();
        let check = ChunkCheck::new(record_bytes, &chunk_crcs)?;
        if !check_records {
            check.next.store(chunk_crcs.len(), Ordering::Relaxed);
        }
        // The records are checked on the other cores while this one reads the index, then on
        // this one too, the chunks handed out one at a time.
        let helpers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .max(2)
            - 1;
        let parsed = std::thread::scope(|scope| {
            for _ in 0..helpers {
                scope.spawn(|| check.run());
            }
            let parsed = parse_index(&mut cursor, records, &map);
            check.run();
            parsed
        });
        let verified = check.outcome();
        verified?;
        let parsed = parsed?;
        // The checked pages leave this process until a read needs them (they stay cached).
        // SAFETY: the mapping is private and read-only: dropping its pages loses nothing, the
        // next access reads them from the file again.
        let _ = unsafe {
            map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                record_range.start,
                record_range.len(),
            )
        };
        let mapped = MappedRecords::new(Arc::clone(&map), record_range, parsed.restorable)
            .ok_or_else(|| ImageRefusal::new("the image's record list is inconsistent"))?;
        self.records = Records::mapped(mapped);
        self.payload = payload.to_vec();
        self.store_ids = parsed
            .stores
            .iter()
            .enumerate()
            .map(|(index, store)| (store.name.clone(), index as u32))
            .collect();
        self.stores = parsed.stores;
        self.store_order = parsed.store_order;
        self.sorted_ids = parsed.sorted_ids;
        self.by_uuid = parsed.by_uuid.into_iter().collect();
        self.by_text_id = parsed.by_text_id;
        self.high_seq = header.high_seq;
        self.staged = None;
        Ok(ImageOpen {
            records: header.records,
            tally: parsed.tally,
            log_end: header.log.end,
        })
    }
}

/// The image file at `path`, or why it cannot be used.
fn open_file(path: &Path) -> Result<File, ImageRefusal> {
    File::open(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ImageRefusal::new("there is no image"),
        _ => ImageRefusal::new(format!("the image cannot be read: {error}")),
    })
}

/// Whether the log prefix an image covers (`tie`; none when `end` is 0) is still the start of
/// the log open as `log`.
fn check_log_tie(tie: LogTie, log: Option<&File>) -> Result<(), ImageRefusal> {
    if tie.end == 0 {
        return Ok(());
    }
    let Some(log) = log else {
        return Err(ImageRefusal::new(
            "the image covers a log prefix too (an open wrote it), not only the snapshot",
        ));
    };
    match LogTie::of_open(log, tie.end) {
        Ok(Some(found)) if found == tie => Ok(()),
        Ok(Some(_)) => Err(ImageRefusal::new(
            "the log no longer starts with the bytes the image covers (replaced or rewritten)",
        )),
        Ok(None) => Err(ImageRefusal::new(
            "the log is shorter than the prefix the image covers (cut or replaced)",
        )),
        Err(error) => Err(ImageRefusal::new(format!(
            "the log cannot be read to check the image: {error}"
        ))),
    }
}

/// The bytes of `section` in `map`, or a refusal when they are not inside it.
fn section_range(map: &[u8], section: Section) -> Result<std::ops::Range<usize>, ImageRefusal> {
    let start = usize::try_from(section.offset).unwrap_or(usize::MAX);
    let end = start.saturating_add(usize::try_from(section.len).unwrap_or(usize::MAX));
    if end > map.len() {
        return Err(ImageRefusal::new("the image is truncated"));
    }
    Ok(start..end)
}

/// The bytes of `section`, checked against its CRC-32.
fn checked(map: &[u8], section: Section) -> Result<&[u8], ImageRefusal> {
    let bytes = &map[section_range(map, section)?];
    if crc32fast::hash(bytes) != section.crc {
        return Err(ImageRefusal::new("an image section fails its CRC-32"));
    }
    Ok(bytes)
}

/// The check of every chunk of the record bytes against its CRC-32, shared by the threads
/// that [`ChunkCheck::run`] it: each takes the next unchecked chunk until none is left.
struct ChunkCheck<'a> {
    records: &'a [u8],
    crcs: &'a [u32],
    next: AtomicUsize,
    /// The record byte offset of the first chunk found bad (`usize::MAX` for none).
    bad: AtomicUsize,
}

impl<'a> ChunkCheck<'a> {
    fn new(records: &'a [u8], crcs: &'a [u32]) -> Result<Self, ImageRefusal> {
        if records.len().div_ceil(CHUNK_BYTES) != crcs.len() {
            return Err(ImageRefusal::new(
                "the image's chunk checksums do not match its records",
            ));
        }
        Ok(Self {
            records,
            crcs,
            next: AtomicUsize::new(0),
            bad: AtomicUsize::new(usize::MAX),
        })
    }

    fn run(&self) {
        loop {
            let chunk = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&crc) = self.crcs.get(chunk) else {
                return;
            };
            let from = chunk * CHUNK_BYTES;
            let bytes = self
                .records
                .get(from..(from + CHUNK_BYTES).min(self.records.len()))
                .unwrap_or_default();
            if crc32fast::hash(bytes) != crc {
                self.bad.fetch_min(from, Ordering::Relaxed);
            }
        }
    }

    /// After every chunk was checked: the first bad one, if any.
    fn outcome(&self) -> Result<(), ImageRefusal> {
        match self.bad.load(Ordering::Relaxed) {
            usize::MAX => Ok(()),
            at => Err(ImageRefusal::new(format!(
                "the image's records fail their CRC-32 in the chunk at record byte {at}"
            ))),
        }
    }
}

/// Bytes of a checksummed chunk of records.
const CHUNK_BYTES: usize = CHUNK_RECORDS * std::mem::size_of::<Record>();
