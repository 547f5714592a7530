//! The key index: per store, its interned keys and, per key, the slots of its facts in seq
//! order with their transaction times, sized so that the common lookups touch one cache line.

use super::key_table::{KeyNames, KeyTable};
use super::Slot;

/// One fact of a key: its slot and its transaction time side by side, so that an as-of lookup
/// binary-searches one dense array instead of chasing records.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(super) struct KeyFact {
    pub(super) slot: Slot,
    pub(super) time: f64,
}

/// What the key index holds per key. The entry itself holds the key's latest slot and its
/// fact list, so the commonest read, the current value, costs one hash lookup and the record,
/// and an append or an as-of read one more line. In this field order (`repr(C)`): the latest
/// slot then lies right after the key in the table's bucket, in the cache line the key's
/// comparison reads, not 200 bytes further behind the fact list.
#[derive(Debug)]
#[repr(C)]
pub(super) struct KeyEntry {
    /// Index of the key in `StoreLog::key_names`, which records refer to.
    pub(super) index: u32,
    pub(super) latest: Slot,
    pub(super) facts: KeyFacts,
}

/// Facts of a key held in the key index entry itself: up to this many. A key's first facts
/// then cost no separate allocation, and appending one or searching them as of a time touches
/// the entry the lookup just brought in, not another cache line somewhere else.
pub(super) const INLINE_KEY_FACTS: usize = 12;

/// A key's facts, seq order: inline while few, on the heap after.
#[derive(Debug)]
pub(super) enum KeyFacts {
    Inline {
        len: u8,
        facts: [KeyFact; INLINE_KEY_FACTS],
    },
    Heap(Vec<KeyFact>),
}

impl KeyFacts {
    const EMPTY_FACT: KeyFact = KeyFact {
        slot: NO_SLOT,
        time: 0.0,
    };

    pub(super) fn new() -> Self {
        Self::Inline {
            len: 0,
            facts: [Self::EMPTY_FACT; INLINE_KEY_FACTS],
        }
    }

    pub(super) fn as_slice(&self) -> &[KeyFact] {
        match self {
            Self::Inline { len, facts } => facts.get(..usize::from(*len)).unwrap_or_default(),
            Self::Heap(facts) => facts,
        }
    }

    pub(super) fn push(&mut self, fact: KeyFact) {
        match self {
            Self::Inline { len, facts } => match facts.get_mut(usize::from(*len)) {
                Some(free) => {
                    *free = fact;
                    *len += 1;
                }
                None => {
                    let mut heap = Vec::with_capacity(INLINE_KEY_FACTS * 2);
                    heap.extend_from_slice(facts);
                    heap.push(fact);
                    *self = Self::Heap(heap);
                }
            },
            Self::Heap(facts) => facts.push(fact),
        }
    }

    pub(super) fn pop(&mut self) {
        match self {
            Self::Inline { len, .. } => *len = len.saturating_sub(1),
            Self::Heap(facts) => {
                facts.pop();
            }
        }
    }

    pub(super) fn clear(&mut self) {
        *self = Self::new();
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Self::Inline { .. } => 0,
            Self::Heap(facts) => facts.capacity() * std::mem::size_of::<KeyFact>(),
        }
    }
}

/// Hashes store names and keys: foldhash, seeded at random per process (so keys cannot be
/// chosen to collide), at a fraction of SipHash's cost on short strings.
pub(super) type NameHasher = foldhash::fast::RandomState;

/// `KeyEntry::latest` of a key without live facts.
pub(super) const NO_SLOT: Slot = Slot::MAX;

/// The interned keys of one store and the slots of its facts, seq order.
#[derive(Debug)]
pub(super) struct StoreLog {
    pub(super) name: Box<str>,
    pub(super) key_ids: KeyTable,
    /// Key names by index, in the order keys got their first live fact; a key that loses its
    /// last fact leaves the list (as a JS `Map` entry would), so `keys()` lists keys in the TS
    /// engine's order.
    pub(super) key_names: KeyNames,
    pub(super) slots: Vec<Slot>,
}

/// A key of the key index. Keys of up to 22 bytes are held in the table itself, so comparing
/// one on lookup reads no other memory; a cache miss per lookup saved.
#[derive(Debug, Clone)]
pub(super) enum KeyName {
    Inline { len: u8, bytes: [u8; 22] },
    Heap(Box<str>),
}

impl KeyName {
    pub(super) fn new(name: &str) -> Self {
        let mut bytes = [0u8; 22];
        match bytes.get_mut(..name.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(name.as_bytes());
                Self::Inline {
                    len: name.len() as u8,
                    bytes,
                }
            }
            None => Self::Heap(name.into()),
        }
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|prefix| std::str::from_utf8(prefix).ok())
                .unwrap_or_default(),
            Self::Heap(name) => name,
        }
    }
}

impl std::borrow::Borrow<str> for KeyName {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::hash::Hash for KeyName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for KeyName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for KeyName {}
