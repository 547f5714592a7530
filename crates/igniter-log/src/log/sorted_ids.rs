//! The log's ids in increasing order with their slots: after an open from a checkpoint image,
//! the image's list stays in the image, mapped read-only, and the ids appended since follow it
//! on the heap (every appended id is above the mapped ones), so the open copies no id.

use std::ops::Range;
use std::sync::Arc;

use super::ids::Uuid;
use super::Slot;

/// An id and its slot as the image stores them (`repr(C)`, 20 bytes, aligned to 4).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(super) struct MappedId {
    id: Uuid,
    slot: Slot,
}

const _: () = assert!(std::mem::size_of::<MappedId>() == 20);

/// The sorted id list. See the module documentation.
#[derive(Debug, Default)]
pub(super) struct SortedIds {
    mapped: Option<(Arc<memmap2::Mmap>, Range<usize>)>,
    owned: Vec<(Uuid, Slot)>,
}

impl SortedIds {
    /// The ids at `range` of `map` (20-byte [`MappedId`]s, increasing), or `None` when the
    /// range is not whole ids aligned for them inside the mapping.
    pub(super) fn mapped(map: Arc<memmap2::Mmap>, range: Range<usize>) -> Option<Self> {
        let bytes = map.get(range.clone())?;
        let aligned = (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<MappedId>());
        (aligned && bytes.len().is_multiple_of(std::mem::size_of::<MappedId>())).then(|| Self {
            mapped: Some((map, range)),
            owned: Vec::new(),
        })
    }

    fn prefix(&self) -> &[MappedId] {
        let Some((map, range)) = &self.mapped else {
            return &[];
        };
        let bytes = map.get(range.clone()).unwrap_or_default();
        // SAFETY: `mapped` checked that the bytes are whole `MappedId`s, aligned, inside the
        // mapping, which `self` keeps alive and nothing writes (see `records.rs`); `MappedId`
        // is `repr(C)` of bytes and a `u32`, valid for any bit pattern.
        unsafe {
            std::slice::from_raw_parts(
                bytes.as_ptr().cast::<MappedId>(),
                bytes.len() / std::mem::size_of::<MappedId>(),
            )
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.owned.capacity()
    }

    pub(super) fn last(&self) -> Option<(Uuid, Slot)> {
        self.owned
            .last()
            .copied()
            .or_else(|| self.prefix().last().map(|entry| (entry.id, entry.slot)))
    }

    /// The slot of `id`: a binary search.
    pub(super) fn find(&self, id: &Uuid) -> Option<Slot> {
        let prefix = self.prefix();
        if prefix.last().is_some_and(|last| last.id >= *id) {
            let at = prefix.binary_search_by(|entry| entry.id.cmp(id)).ok()?;
            return prefix.get(at).map(|entry| entry.slot);
        }
        let at = self
            .owned
            .binary_search_by(|(entry, _)| entry.cmp(id))
            .ok()?;
        self.owned.get(at).map(|&(_, slot)| slot)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (Uuid, Slot)> + '_ {
        self.prefix()
            .iter()
            .map(|entry| (entry.id, entry.slot))
            .chain(self.owned.iter().copied())
    }

    pub(super) fn push(&mut self, entry: (Uuid, Slot)) {
        self.owned.push(entry);
    }

    pub(super) fn pop(&mut self) {
        if self.owned.is_empty() {
            self.owned = self.iter().collect();
            self.mapped = None;
        }
        self.owned.pop();
    }

    pub(super) fn clear(&mut self) {
        self.mapped = None;
        self.owned.clear();
    }

    pub(super) fn reserve(&mut self, additional: usize) {
        self.owned.reserve(additional);
    }
}
