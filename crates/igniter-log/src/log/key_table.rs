//! The key tables of one store as the log holds them: the keys a checkpoint image held stay in
//! the image, in a read-only open-addressed table mapped from it ([`MappedKeys`]), so an open
//! from an image inserts no key; keys added since, and image keys the log has changed since
//! (copied over once, on their first change), are in a hash map looked at first.
//!
//! [`KeyTable`] is the key -> entry map, [`KeyNames`] the key names by index; both keep the
//! lookup API the log used on the plain map and vector.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::key_index::{KeyEntry, KeyFact, KeyFacts, KeyName, NameHasher};
use super::Slot;

/// One slot of a mapped table, as the image stores it (`repr(C)`, 24 bytes): one more than
/// the key's index (0 for an empty slot), where its name and facts are, and its latest slot, so
/// that a lookup of the current value reads the slot and the name and nothing else.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub(super) struct MappedKey {
    pub(super) index_plus_one: u32,
    pub(super) name_at: u32,
    pub(super) name_len: u32,
    pub(super) latest: Slot,
    pub(super) facts_at: u32,
    pub(super) facts_len: u32,
}

/// A store's keys in an image: `table` (a power of two of [`MappedKey`] slots, probed linearly
/// from [`key_hash`] of the key), `keys` (each key's slot in `table`, by key index), `facts`
/// (every key's [`KeyFact`]s, by key) and `names` (every key's UTF-8 name, by key).
#[derive(Debug)]
pub(super) struct MappedKeys {
    pub(super) map: Arc<memmap2::Mmap>,
    pub(super) seed: u64,
    pub(super) table: Range<usize>,
    pub(super) keys: Range<usize>,
    pub(super) facts: Range<usize>,
    pub(super) names: Range<usize>,
}

// The image writes a key fact as 16 bytes: `u32` slot, 4 bytes of padding, `f64` time.
const _: () =
    assert!(std::mem::size_of::<KeyFact>() == 16 && std::mem::size_of::<MappedKey>() == 24);

/// `bytes` as `T`s, or `None` when they are not whole, aligned `T`s.
///
/// `T` must be a `repr(C)` type of integers and floats, for which every bit pattern is valid.
fn cast<T>(bytes: &[u8]) -> Option<&[T]> {
    let size = std::mem::size_of::<T>();
    let aligned = (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>());
    (aligned && bytes.len().is_multiple_of(size)).then(|| {
        // SAFETY: aligned, whole `T`s inside `bytes` (borrowed for the result's lifetime), and
        // `T` (u32, MappedKey, KeyFact: integers and floats) is valid for any bit pattern.
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) }
    })
}

/// The hash of a key in a mapped table: a folded multiply over its bytes, keyed by the table's
/// random seed (so keys cannot be chosen to collide), and fixed by this code, not a library.
pub(super) fn key_hash(seed: u64, key: &[u8]) -> u64 {
    const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
    let fold = |a: u64, b: u64| {
        let product = u128::from(a) * u128::from(b);
        (product as u64) ^ ((product >> 64) as u64)
    };
    let mut hash = seed ^ (key.len() as u64).wrapping_mul(MULTIPLIER);
    let mut words = key.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        hash = fold(hash ^ word, MULTIPLIER ^ seed);
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    fold(
        hash ^ u64::from_le_bytes(last),
        MULTIPLIER ^ seed.rotate_left(32),
    )
}

impl MappedKeys {
    fn part<T>(&self, range: &Range<usize>) -> &[T] {
        self.map
            .get(range.clone())
            .and_then(cast)
            .unwrap_or_default()
    }

    /// True when every part casts (aligned, whole items) and there are `keys` keys.
    pub(super) fn whole(&self, keys: usize) -> bool {
        let casts = |range: &Range<usize>, size: usize, align: usize| {
            let start = self.map.as_ptr() as usize + range.start;
            range.end <= self.map.len()
                && start.is_multiple_of(align)
                && range.len().is_multiple_of(size)
        };
        casts(&self.table, std::mem::size_of::<MappedKey>(), 4)
            && casts(&self.keys, 4, 4)
            && casts(&self.facts, std::mem::size_of::<KeyFact>(), 8)
            && self.keys.len() / 4 == keys
    }

    pub(super) fn len(&self) -> usize {
        self.part::<u32>(&self.keys).len()
    }

    /// The table slot of key `index`.
    fn slot_of(&self, index: usize) -> Option<&MappedKey> {
        let at = *self.part::<u32>(&self.keys).get(index)?;
        self.part::<MappedKey>(&self.table).get(at as usize)
    }

    /// The name of key `index` (`None` for a damaged entry).
    pub(super) fn name(&self, index: usize) -> Option<&str> {
        self.name_of(self.slot_of(index)?)
    }

    fn name_of(&self, slot: &MappedKey) -> Option<&str> {
        let names = self.map.get(self.names.clone())?;
        let start = slot.name_at as usize;
        let bytes = names.get(start..start.checked_add(slot.name_len as usize)?)?;
        std::str::from_utf8(bytes).ok()
    }

    /// The slot of `name`'s key.
    fn find(&self, name: &str) -> Option<&MappedKey> {
        let table = self.part::<MappedKey>(&self.table);
        let mask = table.len().checked_sub(1)?;
        let mut at = key_hash(self.seed, name.as_bytes()) as usize & mask;
        for _ in 0..table.len() {
            let slot = table.get(at)?;
            if slot.index_plus_one == 0 {
                return None;
            }
            if slot.name_len as usize == name.len() && self.name_of(slot) == Some(name) {
                return Some(slot);
            }
            at = (at + 1) & mask;
        }
        None
    }

    fn entry(&self, slot: &MappedKey) -> KeyRef<'_> {
        let start = slot.facts_at as usize;
        let facts = self
            .part::<KeyFact>(&self.facts)
            .get(start..start.saturating_add(slot.facts_len as usize))
            .unwrap_or_default();
        KeyRef {
            index: slot.index_plus_one.saturating_sub(1),
            latest: slot.latest,
            facts,
        }
    }

    /// A slot's entry, copied to the heap.
    fn owned_entry(&self, slot: &MappedKey) -> KeyEntry {
        let found = self.entry(slot);
        let mut facts = KeyFacts::new();
        for &fact in found.facts {
            facts.push(fact);
        }
        KeyEntry {
            index: found.index,
            latest: found.latest,
            facts,
        }
    }
}

/// A key's entry, where it is: its index, latest slot and facts.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyRef<'a> {
    pub(super) index: u32,
    pub(super) latest: Slot,
    pub(super) facts: &'a [KeyFact],
}

/// A store's key -> entry table. See the module documentation.
#[derive(Debug, Default)]
pub(super) struct KeyTable {
    owned: HashMap<KeyName, KeyEntry, NameHasher>,
    mapped: Option<Arc<MappedKeys>>,
}

impl KeyTable {
    /// The table of an image's keys.
    pub(super) fn mapped(keys: Arc<MappedKeys>) -> Self {
        Self {
            owned: HashMap::default(),
            mapped: Some(keys),
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<KeyRef<'_>> {
        if !self.owned.is_empty() {
            if let Some(entry) = self.owned.get(name) {
                return Some(KeyRef {
                    index: entry.index,
                    latest: entry.latest,
                    facts: entry.facts.as_slice(),
                });
            }
        }
        let mapped = self.mapped.as_ref()?;
        Some(mapped.entry(mapped.find(name)?))
    }

    /// The entry of `name`, to change: an image key is copied to the heap first.
    pub(super) fn get_mut(&mut self, name: &str) -> Option<&mut KeyEntry> {
        if let Some(mapped) = &self.mapped {
            if !self.owned.contains_key(name) {
                if let Some(entry) = mapped.find(name).map(|slot| mapped.owned_entry(slot)) {
                    self.owned.insert(KeyName::new(name), entry);
                }
            }
        }
        self.owned.get_mut(name)
    }

    pub(super) fn insert(&mut self, name: KeyName, entry: KeyEntry) {
        self.owned.insert(name, entry);
    }

    pub(super) fn remove(&mut self, name: &str) {
        if self.mapped.as_ref().is_some_and(|m| m.find(name).is_some()) {
            self.unmap();
        }
        self.owned.remove(name);
    }

    /// Copies every image key not yet copied to the heap and drops the mapped table.
    fn unmap(&mut self) {
        let Some(mapped) = self.mapped.take() else {
            return;
        };
        for index in 0..mapped.len() {
            let Some(slot) = mapped.slot_of(index) else {
                continue;
            };
            let (Some(name), entry) = (mapped.name_of(slot), mapped.owned_entry(slot)) else {
                continue;
            };
            if !self.owned.contains_key(name) {
                self.owned.insert(KeyName::new(name), entry);
            }
        }
    }

    /// Bytes held on the heap (the mapped table is not heap).
    pub(super) fn heap_bytes(&self) -> usize {
        self.owned.capacity() * (std::mem::size_of::<(KeyName, KeyEntry)>() + 1)
            + self
                .owned
                .values()
                .map(|entry| entry.facts.heap_bytes())
                .sum::<usize>()
    }
}

/// A store's key names by index: an image's, mapped, then those added since on the heap.
#[derive(Debug, Default)]
pub(super) struct KeyNames {
    mapped: Option<Arc<MappedKeys>>,
    mapped_len: usize,
    owned: Vec<Box<str>>,
}

impl KeyNames {
    /// The names of an image's keys.
    pub(super) fn mapped(keys: Arc<MappedKeys>) -> Self {
        Self {
            mapped_len: keys.len(),
            mapped: Some(keys),
            owned: Vec::new(),
        }
    }

    /// Names held on the heap.
    pub(super) fn owned(names: Vec<Box<str>>) -> Self {
        Self {
            mapped: None,
            mapped_len: 0,
            owned: names,
        }
    }

    pub(super) fn get(&self, index: usize) -> Option<&str> {
        if index < self.mapped_len {
            self.mapped.as_ref()?.name(index)
        } else {
            self.owned.get(index - self.mapped_len).map(|name| &**name)
        }
    }

    pub(super) fn len(&self) -> usize {
        self.mapped_len + self.owned.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|index| self.get(index))
    }

    pub(super) fn push(&mut self, name: Box<str>) {
        self.owned.push(name);
    }

    pub(super) fn pop(&mut self) -> Option<Box<str>> {
        if self.owned.is_empty() {
            self.owned = self.take_all();
        }
        self.owned.pop()
    }

    /// Every name, on the heap, leaving the list empty.
    pub(super) fn take_all(&mut self) -> Vec<Box<str>> {
        let mut all: Vec<Box<str>> = Vec::with_capacity(self.len());
        if let Some(mapped) = self.mapped.take() {
            all.extend((0..self.mapped_len).map(|at| mapped.name(at).unwrap_or_default().into()));
        }
        self.mapped_len = 0;
        all.append(&mut self.owned);
        all
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.owned.iter().map(|name| name.len() + 16).sum()
    }
}
