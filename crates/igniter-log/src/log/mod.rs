//! The fact log (D3, D9): every fact of a store, kept compactly off any garbage-collected heap.
//!
//! Facts live in one seq-ordered array of fixed-size records plus one byte arena that holds
//! each fact's canonical JSON value (and, rarely, its producer, derivation, idempotency key
//! and any identifier that is not in the compact form). Store names and keys are interned;
//! each store and each key keeps the slots of its facts in seq order, and an index maps ids to
//! slots. Because transaction times never decrease in seq order, every time-bounded lookup is
//! a binary search.
//!
//! ```
//! use igniter_log::log::{FactLog, NewFact};
//!
//! let mut log = FactLog::new(1 << 20);
//! let fact = NewFact::new("users", "u1", r#"{"name":"Ada","age":36}"#, 1_000.0);
//! let appended = log.append(&[fact])?;
//! let latest = log.latest_for("users", "u1", None).expect("just appended");
//! assert_eq!(latest.seq(), 1);
//! assert_eq!(latest.value_json(), r#"{"age":36,"name":"Ada"}"#);
//! assert_eq!(appended, 0..1);
//! # Ok::<(), igniter_log::LogError>(())
//! ```

mod ids;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;

use crate::canonical::canonicalize;
use crate::error::LogError;
use crate::hash::sha256;
use ids::{parse_sha256_hex, parse_uuid, write_hex, write_uuid, IdHasher, Uuid, UuidV7Source};

/// The fact has a valid time (else it is null).
const HAS_VALID_TIME: u16 = 1;
/// The causation is a compact UUID in `Record::causation`.
const CAUSATION_UUID: u16 = 1 << 1;
/// The causation is text in the payload.
const CAUSATION_TEXT: u16 = 1 << 2;
/// The id is text in the payload (not a lowercase hyphenated UUID).
const ID_TEXT: u16 = 1 << 3;
/// The value hash is text in the payload (not 64 lowercase hex digits).
const HASH_TEXT: u16 = 1 << 4;
const HAS_PRODUCER: u16 = 1 << 5;
const HAS_DERIVATION: u16 = 1 << 6;
const HAS_IDEMPOTENCY_KEY: u16 = 1 << 7;
/// The value and optional parts are in `Record::inline`, not in the payload arena.
const PAYLOAD_INLINE: u16 = 1 << 8;

/// Bytes of value and optional parts a record holds itself: a fact whose canonical value is
/// this small (the common case) is read from its record alone, one cache miss fewer than a
/// separate arena, whose address would only be known after the record arrived.
const INLINE_BYTES: usize = 134;

/// The optional payload parts, in the order they follow the value, each as a little-endian
/// `u32` length and its UTF-8 bytes.
const META_PARTS: [u16; 6] = [
    ID_TEXT,
    HASH_TEXT,
    CAUSATION_TEXT,
    HAS_PRODUCER,
    HAS_DERIVATION,
    HAS_IDEMPOTENCY_KEY,
];

/// Index of a fact in the log's seq-ordered record array.
pub type Slot = u32;

/// One fact: exactly four cache lines, with its value inline when it fits.
#[derive(Debug, Clone)]
#[repr(align(64))]
struct Record {
    seq: u64,
    transaction_time: f64,
    valid_time: f64,
    schema_version: f64,
    id: Uuid,
    causation: Uuid,
    hash: [u8; 32],
    /// Offset of the value in the payload arena (unless inline); the optional parts follow it.
    payload: u64,
    value_len: u32,
    meta_len: u32,
    store: u32,
    key: u32,
    flags: u16,
    /// The value and optional parts when they fit (`PAYLOAD_INLINE`).
    inline: [u8; INLINE_BYTES],
}

const _: () = assert!(std::mem::size_of::<Record>() == 256);

impl Record {
    fn is_inline(&self) -> bool {
        self.flags & PAYLOAD_INLINE != 0
    }
}

/// One fact of a key: its slot and its transaction time side by side, so that an as-of lookup
/// binary-searches one dense array instead of chasing records.
#[derive(Debug, Clone, Copy)]
struct KeyFact {
    slot: Slot,
    time: f64,
}

/// What the key index holds per key. The entry itself holds the key's latest slot and its
/// fact list, so the commonest read, the current value, costs one hash lookup and the record,
/// and an append or an as-of read one more line.
#[derive(Debug)]
struct KeyEntry {
    /// Index of the key in `StoreLog::key_names`, which records refer to.
    index: u32,
    latest: Slot,
    facts: KeyFacts,
}

/// Facts of a key held in the key index entry itself: up to this many. A key's first facts
/// then cost no separate allocation, and appending one or searching them as of a time touches
/// the entry the lookup just brought in, not another cache line somewhere else.
const INLINE_KEY_FACTS: usize = 12;

/// A key's facts, seq order: inline while few, on the heap after.
#[derive(Debug)]
enum KeyFacts {
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

    fn new() -> Self {
        Self::Inline {
            len: 0,
            facts: [Self::EMPTY_FACT; INLINE_KEY_FACTS],
        }
    }

    fn as_slice(&self) -> &[KeyFact] {
        match self {
            Self::Inline { len, facts } => facts.get(..usize::from(*len)).unwrap_or_default(),
            Self::Heap(facts) => facts,
        }
    }

    fn push(&mut self, fact: KeyFact) {
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

    fn pop(&mut self) {
        match self {
            Self::Inline { len, .. } => *len = len.saturating_sub(1),
            Self::Heap(facts) => {
                facts.pop();
            }
        }
    }

    fn clear(&mut self) {
        *self = Self::new();
    }

    /// Bytes held on the heap.
    fn heap_bytes(&self) -> usize {
        match self {
            Self::Inline { .. } => 0,
            Self::Heap(facts) => facts.capacity() * std::mem::size_of::<KeyFact>(),
        }
    }
}

/// Hashes store names and keys: foldhash, seeded at random per process (so keys cannot be
/// chosen to collide), at a fraction of SipHash's cost on short strings.
type NameHasher = foldhash::fast::RandomState;

/// `KeyEntry::latest` of a key without live facts.
const NO_SLOT: Slot = Slot::MAX;

/// The interned keys of one store and the slots of its facts, seq order.
#[derive(Debug)]
struct StoreLog {
    name: Box<str>,
    key_ids: HashMap<KeyName, KeyEntry, NameHasher>,
    /// Key names by index, in the order keys got their first live fact; a key that loses its
    /// last fact leaves the list (as a JS `Map` entry would), so `keys()` lists keys in the TS
    /// engine's order.
    key_names: Vec<Box<str>>,
    slots: Vec<Slot>,
}

/// A key of the key index. Keys of up to 22 bytes are held in the table itself, so comparing
/// one on lookup reads no other memory; a cache miss per lookup saved.
#[derive(Debug, Clone)]
enum KeyName {
    Inline { len: u8, bytes: [u8; 22] },
    Heap(Box<str>),
}

impl KeyName {
    fn new(name: &str) -> Self {
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

    fn as_str(&self) -> &str {
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

/// Where a batch of staged facts started, to undo it.
#[derive(Debug, Clone, Copy)]
struct StageMark {
    records: usize,
    high_seq: u64,
}

/// A fact to append: the log validates and canonicalizes its value, hashes it, and assigns
/// its id (a UUIDv7 of its transaction time) and seq.
#[derive(Debug, Clone, Copy)]
pub struct NewFact<'a> {
    /// Store name.
    pub store: &'a str,
    /// Key within the store.
    pub key: &'a str,
    /// The value as JSON text (any valid JSON; it is stored canonicalized).
    pub value_json: &'a str,
    /// Id of the fact this one follows, stored as given.
    pub causation: Option<&'a str>,
    /// Integer ms since the epoch, not below the previous fact's.
    pub transaction_time: f64,
    /// Writer-supplied ms since the epoch.
    pub valid_time: Option<f64>,
    /// Schema version of the value.
    pub schema_version: f64,
    /// Producer object as JSON text.
    pub producer_json: Option<&'a str>,
    /// Derivation object as JSON text.
    pub derivation_json: Option<&'a str>,
    /// Idempotency key.
    pub idempotency_key: Option<&'a str>,
}

impl<'a> NewFact<'a> {
    /// A fact with schema version 1 and no causation, valid time, producer, derivation or
    /// idempotency key.
    pub fn new(store: &'a str, key: &'a str, value_json: &'a str, transaction_time: f64) -> Self {
        Self {
            store,
            key,
            value_json,
            causation: None,
            transaction_time,
            valid_time: None,
            schema_version: 1.0,
            producer_json: None,
            derivation_json: None,
            idempotency_key: None,
        }
    }
}

/// An already-built fact (replayed from a backend): its id, seq and hash are kept as given.
#[derive(Debug, Clone, Copy)]
pub struct LoadedFact<'a> {
    /// The fact's id.
    pub id: &'a str,
    /// Its seq; must be above every seq the log has seen.
    pub seq: u64,
    /// Its value hash, kept as given.
    pub value_hash: &'a str,
    /// Everything else, as for a new fact.
    pub fact: NewFact<'a>,
}

/// A read-only view of one live fact.
#[derive(Debug, Clone, Copy)]
pub struct FactView<'a> {
    log: &'a FactLog,
    record: &'a Record,
}

impl<'a> FactView<'a> {
    /// Commit sequence.
    pub fn seq(&self) -> u64 {
        self.record.seq
    }

    /// Transaction time, ms since the epoch.
    pub fn transaction_time(&self) -> f64 {
        self.record.transaction_time
    }

    /// Valid time, ms since the epoch, if any.
    pub fn valid_time(&self) -> Option<f64> {
        (self.record.flags & HAS_VALID_TIME != 0).then_some(self.record.valid_time)
    }

    /// Schema version.
    pub fn schema_version(&self) -> f64 {
        self.record.schema_version
    }

    /// Index of the fact's store in the log's store table (stable for the log's lifetime).
    pub fn store_index(&self) -> u32 {
        self.record.store
    }

    /// Store name.
    pub fn store(&self) -> &'a str {
        self.log.store_name(self.record.store).unwrap_or_default()
    }

    /// Key.
    pub fn key(&self) -> &'a str {
        self.log
            .stores
            .get(self.record.store as usize)
            .and_then(|store| store.key_names.get(self.record.key as usize))
            .map(|name| &**name)
            .unwrap_or_default()
    }

    /// Canonical JSON of the value.
    pub fn value_json(&self) -> &'a str {
        text(self.payload().get(..self.record.value_len as usize))
    }

    /// The value and the optional parts, from the record or the arena.
    fn payload(&self) -> &'a [u8] {
        let len = self.record.value_len as usize + self.record.meta_len as usize;
        if self.record.is_inline() {
            self.record.inline.get(..len).unwrap_or_default()
        } else {
            let start = self.record.payload as usize;
            self.log.payload.get(start..start + len).unwrap_or_default()
        }
    }

    /// Appends the id.
    pub fn write_id(&self, out: &mut String) {
        match self.meta(ID_TEXT) {
            Some(text) => out.push_str(text),
            None => write_uuid(&self.record.id, out),
        }
    }

    /// The id.
    pub fn id(&self) -> String {
        let mut out = String::with_capacity(36);
        self.write_id(&mut out);
        out
    }

    /// Appends the value hash.
    pub fn write_value_hash(&self, out: &mut String) {
        match self.meta(HASH_TEXT) {
            Some(text) => out.push_str(text),
            None => write_hex(&self.record.hash, out),
        }
    }

    /// The value hash.
    pub fn value_hash(&self) -> String {
        let mut out = String::with_capacity(64);
        self.write_value_hash(&mut out);
        out
    }

    /// Appends the causation and returns true, or returns false when it is null.
    pub fn write_causation(&self, out: &mut String) -> bool {
        if self.record.flags & CAUSATION_UUID != 0 {
            write_uuid(&self.record.causation, out);
            return true;
        }
        match self.meta(CAUSATION_TEXT) {
            Some(text) => {
                out.push_str(text);
                true
            }
            None => false,
        }
    }

    /// The causation, if any.
    pub fn causation(&self) -> Option<String> {
        let mut out = String::new();
        self.write_causation(&mut out).then_some(out)
    }

    /// Canonical JSON of the producer, if any.
    pub fn producer_json(&self) -> Option<&'a str> {
        self.meta(HAS_PRODUCER)
    }

    /// Canonical JSON of the derivation, if any.
    pub fn derivation_json(&self) -> Option<&'a str> {
        self.meta(HAS_DERIVATION)
    }

    /// Idempotency key, if any.
    pub fn idempotency_key(&self) -> Option<&'a str> {
        self.meta(HAS_IDEMPOTENCY_KEY)
    }

    /// The optional payload part `part`, when the fact has it.
    fn meta(&self, part: u16) -> Option<&'a str> {
        let flags = self.record.flags;
        if flags & part == 0 {
            return None;
        }
        let payload = self.payload();
        let mut at = self.record.value_len as usize;
        for candidate in META_PARTS {
            if flags & candidate == 0 {
                continue;
            }
            let len_bytes = payload.get(at..at + 4)?;
            let len = u32::from_le_bytes(len_bytes.try_into().ok()?) as usize;
            if candidate == part {
                return Some(text(payload.get(at + 4..at + 4 + len)));
            }
            at += 4 + len;
        }
        None
    }
}

/// The fact log. See the module documentation.
#[derive(Debug)]
pub struct FactLog {
    records: Vec<Record>,
    payload: Vec<u8>,
    stores: Vec<StoreLog>,
    store_ids: HashMap<Box<str>, u32, NameHasher>,
    /// Indexes of the stores with live facts, in the order they got their first one.
    store_order: Vec<u32>,
    /// Ids with their slots in increasing order: ids minted here increase with seq, so
    /// appending keeps the order and touches no random memory, and a lookup is a binary search.
    sorted_ids: Vec<(Uuid, Slot)>,
    /// Ids that would break that order (replayed facts minted elsewhere), by hash.
    by_uuid: HashMap<Uuid, Slot, BuildHasherDefault<IdHasher>>,
    by_text_id: HashMap<Box<str>, Slot>,
    high_seq: u64,
    max_value_bytes: usize,
    ids: UuidV7Source,
    staged: Option<StageMark>,
}

impl FactLog {
    /// An empty log whose values may be at most `max_value_bytes` of canonical JSON.
    pub fn new(max_value_bytes: usize) -> Self {
        Self {
            records: Vec::new(),
            payload: Vec::new(),
            stores: Vec::new(),
            store_ids: HashMap::default(),
            store_order: Vec::new(),
            sorted_ids: Vec::new(),
            by_uuid: HashMap::default(),
            by_text_id: HashMap::new(),
            high_seq: 0,
            max_value_bytes,
            ids: UuidV7Source::from_os(),
            staged: None,
        }
    }

    /// Appends `facts` (all or none) with seqs `last_seq() + 1 ...` and returns their slots.
    ///
    /// # Errors
    /// [`LogError::InvalidValue`] when a value, producer or derivation is not an Igniter value,
    /// [`LogError::ValueTooLarge`] when a value's canonical JSON is over the limit; the log is
    /// then unchanged.
    pub fn append(&mut self, facts: &[NewFact<'_>]) -> Result<Range<usize>, LogError> {
        let start = self.records.len();
        for fact in facts {
            if let Err(error) = self.stage(fact) {
                self.discard();
                return Err(error);
            }
        }
        self.commit();
        Ok(start..self.records.len())
    }

    /// Appends one fact as part of a batch that [`FactLog::commit`] keeps and
    /// [`FactLog::discard`] undoes; the fact is visible to reads at once. Returns a view of it.
    ///
    /// # Errors
    /// As [`FactLog::append`]; a failing fact is not staged, the earlier ones stay staged.
    ///
    /// Cost: canonicalizing and hashing the value, one id, amortized O(1) index upkeep.
    pub fn stage(&mut self, fact: &NewFact<'_>) -> Result<FactView<'_>, LogError> {
        let canonical = canonicalize(fact.value_json)?;
        if canonical.len() > self.max_value_bytes {
            return Err(LogError::ValueTooLarge {
                size: canonical.len(),
                limit: self.max_value_bytes,
            });
        }
        let producer = fact.producer_json.map(canonicalize).transpose()?;
        let derivation = fact.derivation_json.map(canonicalize).transpose()?;
        if self.staged.is_none() {
            self.staged = Some(StageMark {
                records: self.records.len(),
                high_seq: self.high_seq,
            });
        }
        let id = self.ids.next(fact.transaction_time);
        let slot = self.insert(Insert {
            seq: self.high_seq + 1,
            id: Identifier::Uuid(id),
            hash: Digest::Bytes(sha256(canonical.as_bytes())),
            value: &canonical,
            producer: producer.as_deref(),
            derivation: derivation.as_deref(),
            fact,
        });
        Ok(self.view(slot).unwrap_or_else(|| unreachable_view(self)))
    }

    /// Keeps every staged fact.
    pub fn commit(&mut self) {
        self.staged = None;
    }

    /// Undoes every fact staged since the last commit or discard, seqs included.
    pub fn discard(&mut self) {
        if let Some(mark) = self.staged.take() {
            self.truncate_records(mark.records);
            self.high_seq = mark.high_seq;
        }
    }

    /// Inserts an already-built fact, replayed in increasing seq order.
    ///
    /// # Errors
    /// [`LogError::CorruptLog`] when its seq is not above every seq seen so far;
    /// [`LogError::InvalidValue`] when its value, producer or derivation is not JSON.
    pub fn load(&mut self, loaded: &LoadedFact<'_>) -> Result<Slot, LogError> {
        if loaded.seq <= self.high_seq {
            return Err(LogError::CorruptLog {
                reason: format!(
                    "fact {} has seq {}, not above the previous seq {}",
                    loaded.id, loaded.seq, self.high_seq
                ),
            });
        }
        let fact = &loaded.fact;
        let canonical = canonicalize(fact.value_json)?;
        let producer = fact.producer_json.map(canonicalize).transpose()?;
        let derivation = fact.derivation_json.map(canonicalize).transpose()?;
        let mut stored = *loaded;
        stored.fact.value_json = &canonical;
        stored.fact.producer_json = producer.as_deref();
        stored.fact.derivation_json = derivation.as_deref();
        self.load_canonical(&stored)
    }

    /// [`FactLog::load`] for a fact whose value, producer and derivation are already canonical
    /// JSON (a replay canonicalized them elsewhere); they are stored as given.
    ///
    /// # Errors
    /// [`LogError::CorruptLog`] when its seq is not above every seq seen so far.
    pub fn load_canonical(&mut self, loaded: &LoadedFact<'_>) -> Result<Slot, LogError> {
        if loaded.seq <= self.high_seq {
            return Err(LogError::CorruptLog {
                reason: format!(
                    "fact {} has seq {}, not above the previous seq {}",
                    loaded.id, loaded.seq, self.high_seq
                ),
            });
        }
        self.load_stored(
            loaded.seq,
            Identifier::parse(loaded.id),
            Digest::parse(loaded.value_hash),
            &loaded.fact,
        )
    }

    /// [`FactLog::load_canonical`] with the id and hash already in stored form.
    ///
    /// # Errors
    /// [`LogError::CorruptLog`] when `seq` is not above every seq seen so far.
    pub fn load_stored(
        &mut self,
        seq: u64,
        id: Identifier<'_>,
        hash: Digest<'_>,
        fact: &NewFact<'_>,
    ) -> Result<Slot, LogError> {
        if seq <= self.high_seq {
            return Err(LogError::CorruptLog {
                reason: format!(
                    "fact {} has seq {seq}, not above the previous seq {}",
                    match id {
                        Identifier::Uuid(uuid) => {
                            let mut text = String::new();
                            write_uuid(&uuid, &mut text);
                            text
                        }
                        Identifier::Text(text) => text.to_owned(),
                    },
                    self.high_seq
                ),
            });
        }
        Ok(self.insert(Insert {
            seq,
            id,
            hash,
            value: fact.value_json,
            producer: fact.producer_json,
            derivation: fact.derivation_json,
            fact,
        }))
    }

    /// Drops every fact with a seq above `seq` and makes `seq` the last seq (undoes appends).
    pub fn truncate_after(&mut self, seq: u64) {
        let keep = self.records.partition_point(|record| record.seq <= seq);
        self.truncate_records(keep);
        self.high_seq = seq;
        self.staged = None;
    }

    /// Makes the next seq at least `seq + 1`.
    pub fn advance_seq(&mut self, seq: u64) {
        self.high_seq = self.high_seq.max(seq);
    }

    /// The slots of the live facts with these ids, seq order, each once; unknown ids are
    /// skipped.
    pub fn find_ids<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Vec<Slot> {
        let mut slots: Vec<Slot> = ids.into_iter().filter_map(|id| self.by_id(id)).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// Removes the facts at these slots (from [`FactLog::find_ids`]); seqs are never reused.
    ///
    /// Cost: O(live facts): the records, the payload arena and every index are rebuilt, so the
    /// removed facts' bytes leave the arena.
    pub fn remove_slots(&mut self, slots: &[Slot]) {
        if slots.is_empty() {
            return;
        }
        let mut removed = slots.to_vec();
        removed.sort_unstable();
        removed.dedup();
        let old_records = std::mem::take(&mut self.records);
        let old_payload = std::mem::take(&mut self.payload);
        let mut kept = Vec::with_capacity(old_records.len().saturating_sub(removed.len()));
        let mut next_removed = removed.iter().peekable();
        for (index, record) in old_records.into_iter().enumerate() {
            if next_removed
                .peek()
                .is_some_and(|&&slot| slot as usize == index)
            {
                next_removed.next();
                continue;
            }
            kept.push(record);
        }
        self.forget_empty_keys(&mut kept);
        self.sorted_ids.clear();
        self.by_uuid.clear();
        self.by_text_id.clear();
        for store in &mut self.stores {
            store.slots.clear();
        }
        for mut record in kept {
            if !record.is_inline() {
                let start = record.payload as usize;
                let len = record.value_len as usize + record.meta_len as usize;
                record.payload = self.payload.len() as u64;
                self.payload
                    .extend_from_slice(old_payload.get(start..start + len).unwrap_or_default());
            }
            let slot = self.records.len() as Slot;
            self.index(&record, slot);
            self.records.push(record);
        }
        let stores = &self.stores;
        self.store_order.retain(|&index| {
            stores
                .get(index as usize)
                .is_some_and(|store| !store.slots.is_empty())
        });
        self.staged = None;
    }

    /// Drops from the key tables every key without a fact in `kept`, keeping the order of the
    /// others, renumbers the survivors and the records' key indexes, and empties every fact
    /// list for `index` to refill.
    fn forget_empty_keys(&mut self, kept: &mut [Record]) {
        let mut live: Vec<Vec<bool>> = self
            .stores
            .iter()
            .map(|store| vec![false; store.key_names.len()])
            .collect();
        for record in kept.iter() {
            if let Some(flag) = live
                .get_mut(record.store as usize)
                .and_then(|keys| keys.get_mut(record.key as usize))
            {
                *flag = true;
            }
        }
        let mut renumbered: Vec<Vec<u32>> = Vec::with_capacity(self.stores.len());
        for (store, live) in self.stores.iter_mut().zip(&live) {
            let mut new_index = vec![u32::MAX; store.key_names.len()];
            let mut names = Vec::with_capacity(store.key_names.len());
            for (old, name) in std::mem::take(&mut store.key_names).into_iter().enumerate() {
                if live.get(old).copied().unwrap_or(false) {
                    new_index[old] = names.len() as u32;
                    if let Some(entry) = store.key_ids.get_mut(&*name) {
                        entry.index = names.len() as u32;
                        entry.facts.clear();
                        entry.latest = NO_SLOT;
                    }
                    names.push(name);
                } else {
                    store.key_ids.remove(&*name);
                }
            }
            store.key_names = names;
            renumbered.push(new_index);
        }
        for record in kept.iter_mut() {
            if let Some(&index) = renumbered
                .get(record.store as usize)
                .and_then(|keys| keys.get(record.key as usize))
            {
                record.key = index;
            }
        }
    }

    /// The highest-seq fact of (store, key) with a transaction time at or before `as_of`.
    ///
    /// Cost: two hash lookups, plus a binary search over the key's facts with `as_of`.
    pub fn latest_for(&self, store: &str, key: &str, as_of: Option<f64>) -> Option<FactView<'_>> {
        let entry = self.store_log(store)?.key_ids.get(key)?;
        let slot = match as_of {
            None => entry.latest,
            Some(as_of) => {
                let facts = entry.facts.as_slice();
                let end = facts.partition_point(|fact| fact.time <= as_of);
                facts.get(end.checked_sub(1)?)?.slot
            }
        };
        self.view(slot)
    }

    /// The slots of a store's facts (of one key when given), seq order, with a transaction time
    /// within the inclusive bounds.
    pub fn facts_for(
        &self,
        store: &str,
        key: Option<&str>,
        since: Option<f64>,
        as_of: Option<f64>,
    ) -> Vec<Slot> {
        let Some(store) = self.store_log(store) else {
            return Vec::new();
        };
        match key {
            Some(key) => {
                let Some(entry) = store.key_ids.get(key) else {
                    return Vec::new();
                };
                let facts = entry.facts.as_slice();
                let start =
                    since.map_or(0, |since| facts.partition_point(|fact| fact.time < since));
                let end = as_of.map_or(facts.len(), |as_of| {
                    facts.partition_point(|fact| fact.time <= as_of)
                });
                facts
                    .get(start..end.max(start))
                    .unwrap_or_default()
                    .iter()
                    .map(|fact| fact.slot)
                    .collect()
            }
            None => {
                let slots = store.slots.as_slice();
                let start = since.map_or(0, |since| {
                    slots.partition_point(|&slot| self.transaction_time(slot) < since)
                });
                let end = as_of.map_or(slots.len(), |as_of| {
                    slots.partition_point(|&slot| self.transaction_time(slot) <= as_of)
                });
                slots
                    .get(start..end.max(start))
                    .unwrap_or_default()
                    .to_vec()
            }
        }
    }

    /// The slots of every live fact within the inclusive bounds, seq order.
    pub fn all(&self, since: Option<f64>, as_of: Option<f64>) -> Range<Slot> {
        let start = since.map_or(0, |since| {
            self.records
                .partition_point(|record| record.transaction_time < since)
        });
        let end = as_of.map_or(self.records.len(), |as_of| {
            self.records
                .partition_point(|record| record.transaction_time <= as_of)
        });
        start as Slot..end.max(start) as Slot
    }

    /// The slot of the live fact with this id.
    pub fn by_id(&self, id: &str) -> Option<Slot> {
        match parse_uuid(id) {
            Some(uuid) => self.by_uuid.get(&uuid).copied().or_else(|| {
                let index = self
                    .sorted_ids
                    .binary_search_by(|(id, _)| id.cmp(&uuid))
                    .ok()?;
                self.sorted_ids.get(index).map(|&(_, slot)| slot)
            }),
            None => self.by_text_id.get(id).copied(),
        }
    }

    /// The slot of the live fact with this seq.
    pub fn by_seq(&self, seq: u64) -> Option<Slot> {
        let index = self.records.partition_point(|record| record.seq < seq);
        let record = self.records.get(index)?;
        (record.seq == seq).then_some(index as Slot)
    }

    /// Reads the first byte of every record and payload of `slots` before they are used, so
    /// their cache misses overlap instead of being paid one after another (the facts of a key
    /// lie far apart in memory). Returns nothing useful; call it before walking `slots`.
    pub fn warm(&self, slots: impl IntoIterator<Item = Slot>) {
        let mut touched = 0u64;
        for slot in slots {
            if let Some(record) = self.records.get(slot as usize) {
                touched ^= record.seq;
                if record.is_inline() {
                    continue;
                }
                touched ^= u64::from(
                    self.payload
                        .get(record.payload as usize)
                        .copied()
                        .unwrap_or(0),
                );
            }
        }
        std::hint::black_box(touched);
    }

    /// Slots of the live facts that carry an idempotency key, or a producer whose JSON text
    /// contains `producer_text`, in seq order: what a store restores after a replay, found
    /// without handing every fact to JS. The text match only narrows; the caller checks the
    /// producer itself.
    ///
    /// Cost: one pass over the records, reading the payload of facts with a producer.
    pub fn restorable(&self, producer_text: &str) -> Vec<Slot> {
        let mut slots = Vec::new();
        for (slot, record) in self.records.iter().enumerate() {
            let keep = record.flags & HAS_IDEMPOTENCY_KEY != 0
                || (record.flags & HAS_PRODUCER != 0
                    && FactView { log: self, record }
                        .producer_json()
                        .is_some_and(|producer| producer.contains(producer_text)));
            if keep {
                slots.push(slot as Slot);
            }
        }
        slots
    }

    /// Makes room for `additional` more facts, so that loading a known number of them does
    /// not copy the record array as it grows.
    pub fn reserve(&mut self, additional: usize) {
        self.records.reserve(additional);
        self.sorted_ids.reserve(additional);
    }

    /// Changes the largest canonical value that later appends accept.
    pub fn set_max_value_bytes(&mut self, max_value_bytes: usize) {
        self.max_value_bytes = max_value_bytes;
    }

    /// A view of the fact at `slot`.
    pub fn view(&self, slot: Slot) -> Option<FactView<'_>> {
        let record = self.records.get(slot as usize)?;
        Some(FactView { log: self, record })
    }

    /// Keys of a store that have at least one live fact, in first-write order.
    pub fn keys<'s>(&'s self, store: &str) -> impl Iterator<Item = &'s str> + 's {
        self.store_log(store).into_iter().flat_map(|store| {
            store.key_names.iter().map(|name| &**name).filter(|name| {
                store
                    .key_ids
                    .get(*name)
                    .is_some_and(|entry| !entry.facts.as_slice().is_empty())
            })
        })
    }

    /// Names of the stores that have at least one live fact, in the order they got their
    /// first one.
    pub fn stores(&self) -> impl Iterator<Item = &str> + '_ {
        self.store_order
            .iter()
            .filter_map(|&index| self.store_name(index))
    }

    /// The number of live facts and of keys with a live fact in a store (0, 0 when unknown).
    ///
    /// Cost: O(keys of the store); no name is copied.
    pub fn store_counts(&self, store: &str) -> (usize, usize) {
        let facts = self.store_log(store).map_or(0, |store| store.slots.len());
        (facts, self.keys(store).count())
    }

    /// The name of the store with this index (see [`FactView::store_index`]).
    pub fn store_name(&self, index: u32) -> Option<&str> {
        self.stores.get(index as usize).map(|store| &*store.name)
    }

    /// Number of live facts.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the log has no live fact.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The highest seq ever committed or reserved (0 for a new log).
    pub fn last_seq(&self) -> u64 {
        self.high_seq
    }

    /// Bytes held by facts: records, payload arena and indexes, by capacity.
    pub fn heap_bytes(&self) -> usize {
        let records = self.records.capacity() * std::mem::size_of::<Record>();
        let ids = self.sorted_ids.capacity() * std::mem::size_of::<(Uuid, Slot)>()
            + self.by_uuid.capacity() * (std::mem::size_of::<(Uuid, Slot)>() + 1);
        let lists: usize = self
            .stores
            .iter()
            .map(|store| {
                store.slots.capacity() * 4
                    + store.key_ids.capacity() * (std::mem::size_of::<(KeyName, KeyEntry)>() + 1)
                    + store
                        .key_ids
                        .values()
                        .map(|entry| entry.facts.heap_bytes())
                        .sum::<usize>()
                    + store
                        .key_names
                        .iter()
                        .map(|name| name.len() + 16)
                        .sum::<usize>()
            })
            .sum();
        records + self.payload.capacity() + ids + lists
    }

    fn store_log(&self, store: &str) -> Option<&StoreLog> {
        let index = *self.store_ids.get(store)?;
        self.stores.get(index as usize)
    }

    fn transaction_time(&self, slot: Slot) -> f64 {
        self.records
            .get(slot as usize)
            .map_or(f64::NAN, |record| record.transaction_time)
    }

    /// Interns a store name.
    fn store_index(&mut self, name: &str) -> u32 {
        if let Some(&index) = self.store_ids.get(name) {
            return index;
        }
        let index = self.stores.len() as u32;
        self.stores.push(StoreLog {
            name: name.into(),
            key_ids: HashMap::default(),
            key_names: Vec::new(),
            slots: Vec::new(),
        });
        self.store_ids.insert(name.into(), index);
        index
    }

    /// Writes a fact's record and payload and indexes it; returns its slot.
    fn insert(&mut self, insert: Insert<'_, '_>) -> Slot {
        let fact = insert.fact;
        let store = self.store_index(fact.store);
        let slot = self.records.len() as Slot;
        let time = fact.transaction_time;
        let key = {
            let store_log = &mut self.stores[store as usize];
            if store_log.slots.is_empty() {
                self.store_order.push(store);
            }
            store_log.slots.push(slot);
            match store_log.key_ids.get_mut(fact.key) {
                Some(entry) => {
                    entry.latest = slot;
                    entry.facts.push(KeyFact { slot, time });
                    entry.index
                }
                None => {
                    let index = store_log.key_names.len() as u32;
                    store_log.key_names.push(fact.key.into());
                    let entry = KeyEntry {
                        index,
                        latest: slot,
                        facts: {
                            let mut facts = KeyFacts::new();
                            facts.push(KeyFact { slot, time });
                            facts
                        },
                    };
                    store_log.key_ids.insert(KeyName::new(fact.key), entry);
                    index
                }
            }
        };
        let mut flags = 0;
        let mut record = Record {
            seq: insert.seq,
            transaction_time: fact.transaction_time,
            valid_time: fact.valid_time.unwrap_or(0.0),
            schema_version: fact.schema_version,
            id: [0; 16],
            causation: [0; 16],
            hash: [0; 32],
            payload: self.payload.len() as u64,
            value_len: insert.value.len() as u32,
            meta_len: 0,
            store,
            key,
            flags: 0,
            inline: [0; INLINE_BYTES],
        };
        if fact.valid_time.is_some() {
            flags |= HAS_VALID_TIME;
        }
        self.payload.extend_from_slice(insert.value.as_bytes());
        let meta_start = self.payload.len();
        match insert.id {
            Identifier::Uuid(id) => record.id = id,
            Identifier::Text(text) => flags |= self.push_meta(ID_TEXT, text),
        }
        match insert.hash {
            Digest::Bytes(hash) => record.hash = hash,
            Digest::Text(text) => flags |= self.push_meta(HASH_TEXT, text),
        }
        if let Some(causation) = fact.causation {
            match parse_uuid(causation) {
                Some(uuid) => {
                    record.causation = uuid;
                    flags |= CAUSATION_UUID;
                }
                None => flags |= self.push_meta(CAUSATION_TEXT, causation),
            }
        }
        if let Some(producer) = insert.producer {
            flags |= self.push_meta(HAS_PRODUCER, producer);
        }
        if let Some(derivation) = insert.derivation {
            flags |= self.push_meta(HAS_DERIVATION, derivation);
        }
        if let Some(idempotency_key) = fact.idempotency_key {
            flags |= self.push_meta(HAS_IDEMPOTENCY_KEY, idempotency_key);
        }
        record.meta_len = (self.payload.len() - meta_start) as u32;
        let start = record.payload as usize;
        if let Some(inline) = record.inline.get_mut(..self.payload.len() - start) {
            inline.copy_from_slice(self.payload.get(start..).unwrap_or_default());
            self.payload.truncate(start);
            flags |= PAYLOAD_INLINE;
        }
        record.flags = flags;
        self.index_id(&record, slot);
        self.high_seq = self.high_seq.max(record.seq);
        self.records.push(record);
        slot
    }

    /// Appends one optional payload part; returns its flag.
    fn push_meta(&mut self, part: u16, text: &str) -> u16 {
        self.payload
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.payload.extend_from_slice(text.as_bytes());
        part
    }

    /// Adds a record at `slot` to the store, key and id indexes (when rebuilding them).
    fn index(&mut self, record: &Record, slot: Slot) {
        if let Some(store) = self.stores.get_mut(record.store as usize) {
            store.slots.push(slot);
            let name = store.key_names.get(record.key as usize);
            if let Some(entry) = name.and_then(|name| store.key_ids.get_mut(&**name)) {
                entry.latest = slot;
                entry.facts.push(KeyFact {
                    slot,
                    time: record.transaction_time,
                });
            }
        }
        self.index_id(record, slot);
    }

    /// Adds a record at `slot` to the id index.
    fn index_id(&mut self, record: &Record, slot: Slot) {
        if record.flags & ID_TEXT == 0 {
            if self
                .sorted_ids
                .last()
                .is_none_or(|(last, _)| record.id > *last)
            {
                self.sorted_ids.push((record.id, slot));
            } else {
                self.by_uuid.insert(record.id, slot);
            }
        } else {
            let text = FactView { log: self, record }.id();
            self.by_text_id.insert(text.into_boxed_str(), slot);
        }
    }

    /// Drops the records from `len` on, newest first, with their index entries and payload.
    fn truncate_records(&mut self, len: usize) {
        while self.records.len() > len {
            let Some(record) = self.records.pop() else {
                break;
            };
            let slot = self.records.len() as Slot;
            if let Some(store) = self.stores.get_mut(record.store as usize) {
                if store.slots.last() == Some(&slot) {
                    store.slots.pop();
                }
                if store.slots.is_empty() {
                    self.store_order.retain(|&index| index != record.store);
                }
                let name = store.key_names.get(record.key as usize);
                let mut forget = false;
                if let Some(entry) = name.and_then(|name| store.key_ids.get_mut(&**name)) {
                    if entry.facts.as_slice().last().map(|fact| fact.slot) == Some(slot) {
                        entry.facts.pop();
                    }
                    let facts = entry.facts.as_slice();
                    entry.latest = facts.last().map_or(NO_SLOT, |fact| fact.slot);
                    // A key that lost its only fact leaves the tables, as the TS engine's map
                    // entry does, when nothing refers to its index (it is the newest key).
                    forget = facts.is_empty() && record.key as usize + 1 == store.key_names.len();
                }
                if forget {
                    if let Some(name) = store.key_names.pop() {
                        store.key_ids.remove(&*name);
                    }
                }
            }
            if record.flags & ID_TEXT == 0 {
                if self.sorted_ids.last() == Some(&(record.id, slot)) {
                    self.sorted_ids.pop();
                } else if self.by_uuid.get(&record.id) == Some(&slot) {
                    self.by_uuid.remove(&record.id);
                }
            } else {
                let text = FactView {
                    log: self,
                    record: &record,
                }
                .id();
                if self.by_text_id.get(text.as_str()) == Some(&slot) {
                    self.by_text_id.remove(text.as_str());
                }
            }
            if !record.is_inline() {
                self.payload.truncate(record.payload as usize);
            }
        }
    }
}

/// Payload bytes as text: they were written from `&str`, so they are UTF-8.
fn text(bytes: Option<&[u8]>) -> &str {
    bytes
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// A fact's id as the log stores it: 16 bytes when it is a lowercase hyphenated UUID, else
/// its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier<'a> {
    /// The UUID's bytes.
    Uuid([u8; 16]),
    /// Any other id.
    Text(&'a str),
}

impl<'a> Identifier<'a> {
    /// The stored form of an id.
    pub fn parse(text: &'a str) -> Self {
        parse_uuid(text).map_or(Self::Text(text), Self::Uuid)
    }
}

/// A fact's value hash as the log stores it: 32 bytes when it is 64 lowercase hex digits,
/// else its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest<'a> {
    /// The SHA-256 bytes.
    Bytes([u8; 32]),
    /// Any other text.
    Text(&'a str),
}

impl<'a> Digest<'a> {
    /// The stored form of a value hash.
    pub fn parse(text: &'a str) -> Self {
        parse_sha256_hex(text).map_or(Self::Text(text), Self::Bytes)
    }
}

/// Everything [`FactLog::insert`] needs about one fact.
struct Insert<'a, 'f> {
    seq: u64,
    id: Identifier<'a>,
    hash: Digest<'a>,
    value: &'a str,
    producer: Option<&'a str>,
    derivation: Option<&'a str>,
    fact: &'a NewFact<'f>,
}

/// A view of the newest record: `insert` has just pushed it, so it always exists.
fn unreachable_view(log: &FactLog) -> FactView<'_> {
    static EMPTY: Record = Record {
        seq: 0,
        transaction_time: 0.0,
        valid_time: 0.0,
        schema_version: 0.0,
        id: [0; 16],
        causation: [0; 16],
        hash: [0; 32],
        payload: 0,
        value_len: 0,
        meta_len: 0,
        store: 0,
        key: 0,
        flags: 0,
        inline: [0; INLINE_BYTES],
    };
    FactView {
        log,
        record: log.records.last().unwrap_or(&EMPTY),
    }
}
