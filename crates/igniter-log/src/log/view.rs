//! [`FactView`]: a read-only view of one live fact, decoding its record and payload parts.

use super::ids::{write_hex, write_uuid};
use super::prefetch::prefetch;
use super::record::{
    text, Record, CAUSATION_TEXT, CAUSATION_UUID, HASH_TEXT, HAS_DERIVATION, HAS_IDEMPOTENCY_KEY,
    HAS_PRODUCER, HAS_VALID_TIME, ID_TEXT, META_PARTS,
};
use super::FactLog;

/// A read-only view of one live fact.
#[derive(Debug, Clone, Copy)]
pub struct FactView<'a> {
    pub(super) log: &'a FactLog,
    pub(super) record: &'a Record,
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
            .unwrap_or_default()
    }

    /// Canonical JSON of the value.
    pub fn value_json(&self) -> &'a str {
        // A first read's record is in no cache: ask for all of its lines at once, so that the
        // value's bytes arrive with its length rather than after it.
        prefetch(self.record);
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
