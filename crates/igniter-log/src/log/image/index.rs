//! Reading the index section of an image (its layout: `write.rs`) in bulk: every list is one
//! bounds check and a tight loop, not a checked read per number.

use std::collections::HashMap;
use std::sync::Arc;

use super::super::ids::Uuid;
use super::super::key_index::StoreLog;
use super::super::key_table::{KeyNames, KeyTable};
use super::super::records::{Restorable, RestorableList};
use super::super::sorted_ids::SortedIds;
use super::super::Slot;
use super::keys::read_keys;
use super::open::ImageRefusal;
use crate::replay::StoreTally;

/// Sequential reads of the index section; any read past its end fails the open.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], ImageRefusal> {
        let bytes = self
            .bytes
            .get(self.at..self.at.saturating_add(len))
            .ok_or_else(|| ImageRefusal::new("the image index ends early"))?;
        self.at += len;
        Ok(bytes)
    }

    pub(super) fn u32(&mut self) -> Result<u32, ImageRefusal> {
        Ok(u32::from_ne_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }

    pub(super) fn u64(&mut self) -> Result<u64, ImageRefusal> {
        Ok(u64::from_ne_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }

    pub(super) fn count(&mut self, wide: bool) -> Result<usize, ImageRefusal> {
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

    /// A `u64` count, then that many `u32`s.
    pub(super) fn u32s(&mut self) -> Result<Vec<u32>, ImageRefusal> {
        let count = self.count(true)?;
        Ok(words(self.take(count.saturating_mul(4))?).collect())
    }

    /// Skips to the next multiple of `to` bytes from the section's start.
    pub(super) fn align(&mut self, to: usize) -> Result<(), ImageRefusal> {
        self.take(self.at.next_multiple_of(to) - self.at).map(drop)
    }

    pub(super) fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn text(&mut self) -> Result<&'a str, ImageRefusal> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?)
            .map_err(|_| ImageRefusal::new("an image name is not UTF-8"))
    }
}

/// The index section's contents (but the chunk checksums, read first).
pub(super) struct ParsedIndex {
    pub(super) stores: Vec<StoreLog>,
    pub(super) store_order: Vec<u32>,
    pub(super) sorted_ids: SortedIds,
    pub(super) by_uuid: Vec<(Uuid, Slot)>,
    pub(super) by_text_id: HashMap<Box<str>, Slot>,
    pub(super) tally: Vec<StoreTally>,
    pub(super) restorable: RestorableList,
}

fn out_of_range() -> ImageRefusal {
    ImageRefusal::new("an image slot is out of range")
}

/// `u32`s from native-endian bytes.
fn words(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|word| u32::from_ne_bytes(word.try_into().unwrap_or_default()))
}

/// Reads what follows the chunk checksums; every slot must be below `records`.
pub(super) fn parse_index(
    cursor: &mut Cursor<'_>,
    records: usize,
    map: &Arc<memmap2::Mmap>,
) -> Result<ParsedIndex, ImageRefusal> {
    let store_count = cursor.count(false)?;
    let mut stores = Vec::with_capacity(store_count);
    for _ in 0..store_count {
        stores.push(parse_store(cursor, records, map)?);
    }

    let order_count = cursor.count(false)?;
    let store_order: Vec<u32> = words(cursor.take(order_count * 4)?).collect();
    let mut id_lists = [Vec::new(), Vec::new()];
    let mut sorted_range = 0..0;
    for (which, list) in id_lists.iter_mut().enumerate() {
        cursor.align(4)?;
        let count = cursor.count(true)?;
        let bytes = cursor.take(count.saturating_mul(20))?;
        if which == 0 {
            // The sorted ids stay in the image: only their slots are checked.
            let start = bytes.as_ptr() as usize - map.as_ptr() as usize;
            sorted_range = start..start + bytes.len();
            let slots = bytes
                .chunks_exact(20)
                .map(|pair| u32::from_ne_bytes(pair[16..].try_into().unwrap_or_default()));
            if slots.fold(0, u32::max) as usize >= records && count > 0 {
                return Err(out_of_range());
            }
            continue;
        }
        *list = bytes
            .chunks_exact(20)
            .map(|pair| {
                let id: Uuid = pair[..16].try_into().unwrap_or_default();
                (
                    id,
                    u32::from_ne_bytes(pair[16..].try_into().unwrap_or_default()),
                )
            })
            .collect();
        if list.iter().any(|&(_, slot)| slot as usize >= records) {
            return Err(out_of_range());
        }
    }
    let [_, by_uuid] = id_lists;
    let sorted_ids = SortedIds::mapped(Arc::clone(map), sorted_range)
        .ok_or_else(|| ImageRefusal::new("the image's id list is misaligned"))?;

    let text_count = cursor.count(true)?;
    let mut by_text_id = HashMap::with_capacity(text_count);
    for _ in 0..text_count {
        let id: Box<str> = cursor.text()?.into();
        let slot = cursor.u32()?;
        if slot as usize >= records {
            return Err(out_of_range());
        }
        by_text_id.insert(id, slot);
    }
    let tally_count = cursor.count(false)?;
    let mut tally = Vec::with_capacity(tally_count);
    for _ in 0..tally_count {
        tally.push(StoreTally {
            facts: cursor.u64()?,
            bytes: cursor.u64()?,
        });
    }
    let producer_count = cursor.count(false)?;
    let mut producers = Vec::with_capacity(producer_count);
    for _ in 0..producer_count {
        producers.push(cursor.text()?.into());
    }
    let restorable_count = cursor.count(true)?;
    let mut entries = Vec::with_capacity(restorable_count);
    for entry in cursor
        .take(restorable_count.saturating_mul(12))?
        .chunks_exact(12)
    {
        let mut words = words(entry);
        let mut word = || words.next().unwrap_or_default();
        let (index, producer, idempotent) = (word(), word(), word());
        if producer as usize >= producers.len() {
            return Err(ImageRefusal::new("the image index is inconsistent"));
        }
        entries.push(Restorable {
            index,
            idempotent: idempotent == 1,
            producer,
        });
    }
    let restorable = RestorableList { entries, producers };
    if !cursor.at_end() || store_order.iter().any(|&i| i as usize >= stores.len()) {
        return Err(ImageRefusal::new("the image index is inconsistent"));
    }
    Ok(ParsedIndex {
        stores,
        store_order,
        sorted_ids,
        by_uuid,
        by_text_id,
        tally,
        restorable,
    })
}

/// One store: its name, its key tables (mapped, see `keys.rs`), its slots.
fn parse_store(
    cursor: &mut Cursor<'_>,
    records: usize,
    map: &Arc<memmap2::Mmap>,
) -> Result<StoreLog, ImageRefusal> {
    let name: Box<str> = cursor.text()?.into();
    let key_count = cursor.count(false)?;
    let slot_count = cursor.count(false)?;
    let keys = Arc::new(read_keys(cursor, key_count, map)?);
    if !keys.whole(key_count) {
        return Err(ImageRefusal::new("an image key table is misaligned"));
    }
    let slots: Vec<Slot> = words(cursor.take(slot_count.saturating_mul(4))?).collect();
    if slots.iter().any(|&slot| slot as usize >= records) {
        return Err(out_of_range());
    }
    Ok(StoreLog {
        name,
        key_ids: KeyTable::mapped(Arc::clone(&keys)),
        key_names: KeyNames::mapped(keys),
        slots,
    })
}
