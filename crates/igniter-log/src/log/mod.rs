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
pub mod image;
mod indexing;
mod key_index;
mod key_table;
mod prefetch;
mod read;
mod record;
mod records;
mod sorted_ids;
#[cfg(test)]
mod tests;
mod view;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;

use crate::canonical::canonicalize;
use crate::error::LogError;
use crate::hash::sha256;
use ids::{write_uuid, IdHasher, Uuid, UuidV7Source};
use key_index::{NameHasher, StoreLog};
use record::{Record, INLINE_BYTES};
use records::Records;

pub use record::{Digest, Identifier};
pub use view::FactView;

/// Index of a fact in the log's seq-ordered record array.
pub type Slot = u32;

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

/// The fact log. See the module documentation.
#[derive(Debug)]
pub struct FactLog {
    records: Records,
    payload: Vec<u8>,
    stores: Vec<StoreLog>,
    store_ids: HashMap<Box<str>, u32, NameHasher>,
    /// Indexes of the stores with live facts, in the order they got their first one.
    store_order: Vec<u32>,
    /// Ids with their slots in increasing order: ids minted here increase with seq, so
    /// appending keeps the order and touches no random memory, and a lookup is a binary search.
    sorted_ids: sorted_ids::SortedIds,
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
            records: Records::default(),
            payload: Vec::new(),
            stores: Vec::new(),
            store_ids: HashMap::default(),
            store_order: Vec::new(),
            sorted_ids: sorted_ids::SortedIds::default(),
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
        let old_records = self.records.take_all();
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
