//! Writing records into the log and keeping the store, key and id indexes in step with them.

use super::ids::parse_uuid;
use super::key_index::{KeyEntry, KeyFact, KeyFacts, KeyName, StoreLog, NO_SLOT};
use super::key_table::{KeyNames, KeyTable};
use super::record::{
    Digest, Identifier, Record, CAUSATION_TEXT, CAUSATION_UUID, HASH_TEXT, HAS_DERIVATION,
    HAS_IDEMPOTENCY_KEY, HAS_PRODUCER, HAS_VALID_TIME, ID_TEXT, INLINE_BYTES, PAYLOAD_INLINE,
};
use super::{FactLog, FactView, Insert, Slot};

impl FactLog {
    /// Interns a store name.
    pub(super) fn store_index(&mut self, name: &str) -> u32 {
        if let Some(&index) = self.store_ids.get(name) {
            return index;
        }
        let index = self.stores.len() as u32;
        self.stores.push(StoreLog {
            name: name.into(),
            key_ids: KeyTable::default(),
            key_names: KeyNames::default(),
            slots: Vec::new(),
        });
        self.store_ids.insert(name.into(), index);
        index
    }

    /// Writes a fact's record and payload and indexes it; returns its slot.
    pub(super) fn insert(&mut self, insert: Insert<'_, '_>) -> Slot {
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
    pub(super) fn push_meta(&mut self, part: u16, text: &str) -> u16 {
        self.payload
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.payload.extend_from_slice(text.as_bytes());
        part
    }

    /// Adds a record at `slot` to the store, key and id indexes (when rebuilding them).
    pub(super) fn index(&mut self, record: &Record, slot: Slot) {
        if let Some(store) = self.stores.get_mut(record.store as usize) {
            store.slots.push(slot);
            let name = store.key_names.get(record.key as usize);
            if let Some(entry) = name.and_then(|name| store.key_ids.get_mut(name)) {
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
    pub(super) fn index_id(&mut self, record: &Record, slot: Slot) {
        if record.flags & ID_TEXT == 0 {
            if self
                .sorted_ids
                .last()
                .is_none_or(|(last, _)| record.id > last)
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
    pub(super) fn truncate_records(&mut self, len: usize) {
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
                if let Some(entry) = name.and_then(|name| store.key_ids.get_mut(name)) {
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
                        store.key_ids.remove(&name);
                    }
                }
            }
            if record.flags & ID_TEXT == 0 {
                if self.sorted_ids.last() == Some((record.id, slot)) {
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

    /// Drops from the key tables every key without a fact in `kept`, keeping the order of the
    /// others, renumbers the survivors and the records' key indexes, and empties every fact
    /// list for `index` to refill.
    pub(super) fn forget_empty_keys(&mut self, kept: &mut [Record]) {
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
            for (old, name) in store.key_names.take_all().into_iter().enumerate() {
                if live.get(old).copied().unwrap_or(false) {
                    new_index[old] = names.len() as u32;
                    if let Some(entry) = store.key_ids.get_mut(&name) {
                        entry.index = names.len() as u32;
                        entry.facts.clear();
                        entry.latest = NO_SLOT;
                    }
                    names.push(name);
                } else {
                    store.key_ids.remove(&name);
                }
            }
            store.key_names = KeyNames::owned(names);
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
}
