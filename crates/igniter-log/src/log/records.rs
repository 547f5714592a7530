//! The log's record array: a read-only prefix that may be mapped from a checkpoint image,
//! then the records appended since, on the heap.
//!
//! An open from an image maps the image's records instead of reading them (see
//! [`super::image`]): the kernel reads a record's page when a read first touches it and may
//! drop it again under memory pressure, so the open costs no copy of the records and they do
//! not count as resident until used. Appends go to the heap part; undoing appends down into the
//! mapped part (never done by the store, which only undoes its own latest appends) first copies
//! the mapped prefix to the heap.

use std::ops::Range;
use std::sync::Arc;

use super::record::Record;

/// A read-only mapping whose bytes at `range` are records, kept alive while any log uses it.
#[derive(Debug)]
pub(crate) struct MappedRecords {
    map: Arc<memmap2::Mmap>,
    range: Range<usize>,
    /// The records with any of `RESTORE_FLAGS`, so that finding them reads no record (and
    /// keeps the mapping's pages out of memory).
    restorable: RestorableList,
}

/// The mapped records a store restores from: their entries, in order, and the distinct
/// producers' canonical JSON they refer to (the first the empty one, for none).
#[derive(Debug, Default)]
pub(crate) struct RestorableList {
    pub(crate) entries: Vec<Restorable>,
    pub(crate) producers: Vec<Box<str>>,
}

/// A mapped record that `FactLog::restorable` may return: its index, whether it has an
/// idempotency key, and its producer (an index into [`RestorableList::producers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Restorable {
    pub(crate) index: u32,
    pub(crate) idempotent: bool,
    pub(crate) producer: u32,
}

impl MappedRecords {
    /// The records at `range` of `map`, or `None` when the range is not whole records aligned
    /// for them inside the mapping.
    /// `restorable` lists the records with any of `RESTORE_FLAGS`, in order (only their
    /// indexes are checked: reading the records would bring every page in).
    pub(crate) fn new(
        map: Arc<memmap2::Mmap>,
        range: Range<usize>,
        restorable: RestorableList,
    ) -> Option<Self> {
        let size = std::mem::size_of::<Record>();
        let bytes = map.get(range.clone())?;
        let aligned = (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<Record>());
        let len = bytes.len() / size;
        let ordered = restorable
            .entries
            .windows(2)
            .all(|pair| pair[0].index < pair[1].index)
            && restorable
                .entries
                .last()
                .is_none_or(|last| (last.index as usize) < len);
        (aligned && bytes.len().is_multiple_of(size) && ordered).then_some(Self {
            map,
            range,
            restorable,
        })
    }

    fn as_slice(&self) -> &[Record] {
        let bytes = self.map.get(self.range.clone()).unwrap_or_default();
        let len = bytes.len() / std::mem::size_of::<Record>();
        // SAFETY: `new` checked that the bytes are `len` whole records, aligned for `Record`,
        // inside the mapping, which lives as long as `self` and is never written (a private
        // read-only mapping of a file that is replaced by rename, never rewritten in place).
        // `Record` is `repr(C)` of integers, floats and byte arrays: every bit pattern is a
        // valid `Record`. The bytes were written from records of the same layout (the image
        // header checks the record size and byte order).
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<Record>(), len) }
    }
}

/// The record array. See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Records {
    mapped: Option<MappedRecords>,
    /// Cached `mapped.as_slice().len()`, read on every lookup.
    mapped_len: usize,
    owned: Vec<Record>,
}

impl Records {
    /// Records that start with the mapped `prefix`.
    pub(crate) fn mapped(prefix: MappedRecords) -> Self {
        Self {
            mapped_len: prefix.as_slice().len(),
            mapped: Some(prefix),
            owned: Vec::new(),
        }
    }

    fn prefix(&self) -> &[Record] {
        self.mapped.as_ref().map_or(&[], MappedRecords::as_slice)
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Record> {
        if index < self.mapped_len {
            self.prefix().get(index)
        } else {
            self.owned.get(index - self.mapped_len)
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.mapped_len + self.owned.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records held on the heap (the mapped prefix is not heap).
    pub(crate) fn capacity(&self) -> usize {
        self.owned.capacity()
    }

    /// Records mapped from an image.
    pub(crate) fn mapped_len(&self) -> usize {
        self.mapped_len
    }

    /// The mapped prefix and the heap part.
    pub(crate) fn slices(&self) -> (&[Record], &[Record]) {
        (self.prefix(), &self.owned)
    }

    pub(crate) fn last(&self) -> Option<&Record> {
        self.owned.last().or_else(|| self.prefix().last())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Record> {
        self.prefix().iter().chain(self.owned.iter())
    }

    /// The mapped records with an idempotency key or whose producer contains
    /// `producer_text`, in order, from their list.
    pub(crate) fn mapped_restorable(&self, producer_text: &str) -> Vec<u32> {
        let Some(mapped) = &self.mapped else {
            return Vec::new();
        };
        let list = &mapped.restorable;
        let matches: Vec<bool> = list
            .producers
            .iter()
            .map(|producer| !producer.is_empty() && producer.contains(producer_text))
            .collect();
        list.entries
            .iter()
            .filter(|entry| {
                entry.idempotent || matches.get(entry.producer as usize).copied() == Some(true)
            })
            .map(|entry| entry.index)
            .collect()
    }

    /// The heap records with their indexes in the whole array.
    pub(crate) fn heap_part(&self) -> impl Iterator<Item = (usize, &Record)> {
        let start = self.mapped_len;
        self.owned
            .iter()
            .enumerate()
            .map(move |(index, record)| (start + index, record))
    }

    /// As `slice::partition_point` over the whole array.
    pub(crate) fn partition_point(&self, pred: impl Fn(&Record) -> bool) -> usize {
        let prefix = self.prefix();
        match prefix.last() {
            Some(last) if !pred(last) => prefix.partition_point(pred),
            _ => self.mapped_len + self.owned.partition_point(pred),
        }
    }

    pub(crate) fn push(&mut self, record: Record) {
        self.owned.push(record);
    }

    pub(crate) fn pop(&mut self) -> Option<Record> {
        if self.owned.is_empty() {
            self.unmap();
        }
        self.owned.pop()
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.owned.reserve(additional);
    }

    /// Every record, on the heap, leaving the array empty.
    pub(crate) fn take_all(&mut self) -> Vec<Record> {
        self.unmap();
        std::mem::take(&mut self.owned)
    }

    /// Copies the mapped prefix to the heap and drops the mapping.
    fn unmap(&mut self) {
        if self.mapped.is_none() {
            return;
        }
        let mut all = Vec::with_capacity(self.len());
        all.extend_from_slice(self.prefix());
        all.append(&mut self.owned);
        self.owned = all;
        self.mapped = None;
        self.mapped_len = 0;
    }
}
