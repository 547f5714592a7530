//! Reads of the fact log: lookups by key, time, id and seq, and what the log holds.

use std::ops::Range;

use super::ids::{parse_uuid, Uuid};
use super::key_index::{StoreLog, NO_SLOT};
use super::prefetch::prefetch;
use super::record::{Record, HAS_IDEMPOTENCY_KEY, HAS_PRODUCER};
use super::{FactLog, FactView, Slot};

/// A key's facts up to this size (16 of them) are prefetched before an as-of search.
const PREFETCH_FACT_BYTES: usize = 256;

impl FactLog {
    /// The highest-seq fact of (store, key) with a transaction time at or before `as_of`.
    ///
    /// Cost: two hash lookups, plus a binary search over the key's facts with `as_of`.
    pub fn latest_for(&self, store: &str, key: &str, as_of: Option<f64>) -> Option<FactView<'_>> {
        self.view(self.latest_slot(store, key, as_of)?)
    }

    /// The slot of [`FactLog::latest_for`]'s fact: a caller that keeps something per slot (the
    /// JS engine keeps decoded values) can tell whether it already holds it before reading the
    /// record. A slot stays the same fact until facts are removed or truncated.
    ///
    /// Cost: two hash lookups, plus a binary search over the key's facts with `as_of`; no
    /// record is read.
    pub fn latest_slot(&self, store: &str, key: &str, as_of: Option<f64>) -> Option<Slot> {
        let entry = self.store_log(store)?.key_ids.get(key)?;
        let slot = match as_of {
            None => entry.latest,
            Some(as_of) => {
                let facts = entry.facts;
                // The binary search's steps would each wait for their own cache line: ask for
                // the few lines a key's facts span at once (when they are few).
                if std::mem::size_of_val(facts) <= PREFETCH_FACT_BYTES {
                    prefetch(facts);
                }
                let end = facts.partition_point(|fact| fact.time <= as_of);
                facts.get(end.checked_sub(1)?)?.slot
            }
        };
        (slot != NO_SLOT).then_some(slot)
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
                let facts = entry.facts;
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
            Some(uuid) => self
                .by_uuid
                .get(&uuid)
                .copied()
                .or_else(|| self.sorted_ids.find(&uuid)),
            None => self.by_text_id.get(id).copied(),
        }
    }

    /// The slot of the live fact with this seq.
    pub fn by_seq(&self, seq: u64) -> Option<Slot> {
        let index = self.records.partition_point(|record| record.seq < seq);
        let record = self.records.get(index)?;
        (record.seq == seq).then_some(index as Slot)
    }

    /// The slots of the live facts with these ids, seq order, each once; unknown ids are
    /// skipped.
    pub fn find_ids<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Vec<Slot> {
        let mut slots: Vec<Slot> = ids.into_iter().filter_map(|id| self.by_id(id)).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
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
    /// Cost: one pass over the records (over a list of the candidates for records mapped from
    /// an image), reading the payload of facts with a producer.
    pub fn restorable(&self, producer_text: &str) -> Vec<Slot> {
        let mut slots = self.records.mapped_restorable(producer_text);
        for (slot, record) in self.records.heap_part() {
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

    /// A view of the fact at `slot`.
    pub fn view(&self, slot: Slot) -> Option<FactView<'_>> {
        let record = self.records.get(slot as usize)?;
        Some(FactView { log: self, record })
    }

    /// Keys of a store that have at least one live fact, in first-write order.
    pub fn keys<'s>(&'s self, store: &str) -> impl Iterator<Item = &'s str> + 's {
        self.store_log(store).into_iter().flat_map(|store| {
            store.key_names.iter().filter(|name| {
                store
                    .key_ids
                    .get(name)
                    .is_some_and(|entry| !entry.facts.is_empty())
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
                    + store.key_ids.heap_bytes()
                    + store.key_names.heap_bytes()
            })
            .sum();
        records + self.payload.capacity() + ids + lists
    }

    pub(super) fn store_log(&self, store: &str) -> Option<&StoreLog> {
        let index = *self.store_ids.get(store)?;
        self.stores.get(index as usize)
    }

    pub(super) fn transaction_time(&self, slot: Slot) -> f64 {
        self.records
            .get(slot as usize)
            .map_or(f64::NAN, |record| record.transaction_time)
    }
}
