//! Opening a log from an image: the records are mapped, everything else is read in bulk.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use super::super::ids::Uuid;
use super::super::key_index::{KeyEntry, KeyFact, KeyFacts, KeyName, StoreLog};
use super::super::record::Record;
use super::super::records::{MappedRecords, Records};
use super::super::{FactLog, Slot};
use super::{Header, Section, SnapshotTie, CHUNK_RECORDS, RECORDS_ALIGN};
use crate::replay::StoreTally;

/// What an open from an image loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOpen {
    /// Facts in the log.
    pub records: u64,
    /// The snapshot's per-store tally of frames, indexed like the log's stores.
    pub tally: Vec<StoreTally>,
}

/// Why an image was not used: the caller replays the snapshot instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefusal {
    /// What was wrong, for the open's report.
    pub reason: String,
}

impl ImageRefusal {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Sequential reads of the index section; any read past its end fails the open.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], ImageRefusal> {
        let bytes = self
            .bytes
            .get(self.at..self.at.saturating_add(len))
            .ok_or_else(|| ImageRefusal::new("the image index ends early"))?;
        self.at += len;
        Ok(bytes)
    }

    fn u32(&mut self) -> Result<u32, ImageRefusal> {
        Ok(u32::from_ne_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }

    fn u64(&mut self) -> Result<u64, ImageRefusal> {
        Ok(u64::from_ne_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }

    fn count(&mut self, wide: bool) -> Result<usize, ImageRefusal> {
        let count = if wide {
            self.u64()?
        } else {
            u64::from(self.u32()?)
        };
        // No count can exceed the bytes left: every counted item takes at least one byte.
        if count > (self.bytes.len() - self.at) as u64 {
            return Err(ImageRefusal::new("an image index count is out of range"));
        }
        Ok(count as usize)
    }

    fn text(&mut self) -> Result<&'a str, ImageRefusal> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?)
            .map_err(|_| ImageRefusal::new("an image name is not UTF-8"))
    }

    fn id(&mut self) -> Result<(Uuid, Slot), ImageRefusal> {
        let id: Uuid = self.take(16)?.try_into().unwrap_or_default();
        Ok((id, self.u32()?))
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
    /// Cost: mapping the file, one CRC pass over it, and building the key tables (one hash
    /// insert per key); no per-fact work beyond copying the index lists.
    pub fn open_image(&mut self, path: &Path, tie: SnapshotTie) -> Result<ImageOpen, ImageRefusal> {
        if !self.records.is_empty() || !self.stores.is_empty() {
            return Err(ImageRefusal::new("the log already holds facts"));
        }
        let file = File::open(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => ImageRefusal::new("there is no image"),
            _ => ImageRefusal::new(format!("the image cannot be read: {error}")),
        })?;
        // SAFETY: the image is only ever replaced by rename, never written in place, so the
        // mapped bytes do not change while the log uses them; every byte is checked below.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|error| ImageRefusal::new(format!("the image cannot be mapped: {error}")))?;
        let map = Arc::new(map);
        let header = Header::decode(&map).map_err(ImageRefusal::new)?;
        if header.tie != tie {
            return Err(ImageRefusal::new(
                "the image belongs to another snapshot (stale or replaced)",
            ));
        }
        let records = usize::try_from(header.records).unwrap_or(usize::MAX);
        let record_range = section_range(&map, header.record_section)?;
        if !header.record_section.offset.is_multiple_of(RECORDS_ALIGN)
            || record_range.len() != records.saturating_mul(std::mem::size_of::<Record>())
        {
            return Err(ImageRefusal::new(
                "the image's record section has the wrong size",
            ));
        }
        let payload = checked(&map, header.payload_section)?;
        let index = checked(&map, header.index_section)?;
        let mut cursor = Cursor {
            bytes: index,
            at: 0,
        };
        let parsed = parse_index(&mut cursor, records)?;
        verify_chunks(&map[record_range.clone()], &parsed.chunk_crcs)?;
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
        let mapped = MappedRecords::new(Arc::clone(&map), record_range)
            .ok_or_else(|| ImageRefusal::new("the image's records are not aligned"))?;
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
        })
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

/// Checks every chunk of the record bytes against its CRC-32, the chunks shared among the
/// machine's cores.
fn verify_chunks(records: &[u8], crcs: &[u32]) -> Result<(), ImageRefusal> {
    let chunk_bytes = CHUNK_RECORDS * std::mem::size_of::<Record>();
    if records.len().div_ceil(chunk_bytes) != crcs.len() {
        return Err(ImageRefusal::new(
            "the image's chunk checksums do not match its records",
        ));
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = crcs.len().div_ceil(threads.max(1)).max(1);
    let bad = std::thread::scope(|scope| {
        let workers: Vec<_> = crcs
            .chunks(per_thread)
            .enumerate()
            .map(|(part, expected)| {
                let start = part * per_thread * chunk_bytes;
                scope.spawn(move || {
                    expected.iter().enumerate().find_map(|(index, &crc)| {
                        let from = start + index * chunk_bytes;
                        let bytes = records.get(from..(from + chunk_bytes).min(records.len()))?;
                        (crc32fast::hash(bytes) != crc).then_some(from)
                    })
                })
            })
            .collect();
        workers
            .into_iter()
            .filter_map(|worker| worker.join().unwrap_or(Some(0)))
            .min()
    });
    match bad {
        Some(at) => Err(ImageRefusal::new(format!(
            "the image's records fail their CRC-32 in the chunk at record byte {at}"
        ))),
        None => Ok(()),
    }
}

/// The index section's contents.
struct ParsedIndex {
    stores: Vec<StoreLog>,
    store_order: Vec<u32>,
    sorted_ids: Vec<(Uuid, Slot)>,
    by_uuid: Vec<(Uuid, Slot)>,
    by_text_id: HashMap<Box<str>, Slot>,
    tally: Vec<StoreTally>,
    chunk_crcs: Vec<u32>,
}

fn parse_index(cursor: &mut Cursor<'_>, records: usize) -> Result<ParsedIndex, ImageRefusal> {
    let slot = |slot: u32| {
        ((slot as usize) < records || slot == super::super::key_index::NO_SLOT)
            .then_some(slot)
            .ok_or_else(|| ImageRefusal::new("an image slot is out of range"))
    };
    let store_count = cursor.count(false)?;
    let mut stores = Vec::with_capacity(store_count);
    for _ in 0..store_count {
        let name: Box<str> = cursor.text()?.into();
        let key_count = cursor.count(false)?;
        let slot_count = cursor.count(false)?;
        let mut key_ids = HashMap::with_capacity_and_hasher(key_count, Default::default());
        let mut key_names = Vec::with_capacity(key_count);
        for index in 0..key_count {
            let key = cursor.text()?;
            let latest = slot(cursor.u32()?)?;
            let fact_count = cursor.count(false)?;
            let mut facts = KeyFacts::new();
            for _ in 0..fact_count {
                let fact_slot = slot(cursor.u32()?)?;
                let time = f64::from_bits(cursor.u64()?);
                facts.push(KeyFact {
                    slot: fact_slot,
                    time,
                });
            }
            key_names.push(key.into());
            let entry = KeyEntry {
                index: index as u32,
                latest,
                facts,
            };
            key_ids.insert(KeyName::new(key), entry);
        }
        let bytes = cursor.take(slot_count * 4)?;
        let slots = bytes
            .chunks_exact(4)
            .map(|word| slot(u32::from_ne_bytes(word.try_into().unwrap_or_default())))
            .collect::<Result<Vec<_>, _>>()?;
        stores.push(StoreLog {
            name,
            key_ids,
            key_names,
            slots,
        });
    }
    let order_count = cursor.count(false)?;
    let mut store_order = Vec::with_capacity(order_count);
    for _ in 0..order_count {
        store_order.push(cursor.u32()?);
    }
    let mut id_lists = [Vec::new(), Vec::new()];
    for list in &mut id_lists {
        let count = cursor.count(true)?;
        list.reserve_exact(count);
        for _ in 0..count {
            let (id, id_slot) = cursor.id()?;
            list.push((id, slot(id_slot)?));
        }
    }
    let [sorted_ids, by_uuid] = id_lists;
    let text_count = cursor.count(true)?;
    let mut by_text_id = HashMap::with_capacity(text_count);
    for _ in 0..text_count {
        let id: Box<str> = cursor.text()?.into();
        by_text_id.insert(id, slot(cursor.u32()?)?);
    }
    let tally_count = cursor.count(false)?;
    let mut tally = Vec::with_capacity(tally_count);
    for _ in 0..tally_count {
        tally.push(StoreTally {
            facts: cursor.u64()?,
            bytes: cursor.u64()?,
        });
    }
    let crc_count = cursor.count(true)?;
    let mut chunk_crcs = Vec::with_capacity(crc_count);
    for _ in 0..crc_count {
        chunk_crcs.push(cursor.u32()?);
    }
    if cursor.at != cursor.bytes.len() || store_order.iter().any(|&i| i as usize >= stores.len()) {
        return Err(ImageRefusal::new("the image index is inconsistent"));
    }
    Ok(ParsedIndex {
        stores,
        store_order,
        sorted_ids,
        by_uuid,
        by_text_id,
        tally,
        chunk_crcs,
    })
}
