//! Reads of the log for JS: each returns its facts packed (see [`super::pack`]).

use igniter_log::Slot;
use napi::bindgen_prelude::{Float64Array, Float64ArraySlice};
use napi_derive::napi;

use super::pack::{pack, pack_one, pack_slots};
use super::{numbers, whole, Handle, NativeLog, TextParts};

/// The live facts a store restores after a replay, packed: those with an idempotency key or a
/// producer whose JSON contains `producerText` (see `FactLog::restorable`).
#[napi]
pub fn log_restorable(
    log: &mut Handle,
    producer_text: String,
    mut out: Float64ArraySlice<'_>,
) -> Vec<String> {
    let NativeLog {
        log: facts, spill, ..
    } = &mut **log;
    let slots = facts.restorable(&producer_text);
    pack_slots(facts, &slots, numbers(&mut out), spill, false)
}

/// The live fact with the highest seq, packed; `null` for an empty log.
#[napi]
pub fn log_last(log: &Handle, mut out: Float64ArraySlice<'_>) -> Option<String> {
    let last = log.log.all(None, None).end.checked_sub(1)?;
    Some(pack_one(log.log.view(last)?, numbers(&mut out), false))
}

/// The highest-seq fact of (store, key) as of a time, packed; `null` when there is none.
///
/// `storeAndKey` is the store name followed by the key; `out[0]` holds the store name's UTF-16
/// length and `out[1]` the as-of time (NaN for none) on the way in, the packed numbers on the
/// way out. One string crosses instead of two.
#[napi]
pub fn log_latest_for(
    log: &Handle,
    store_and_key: String,
    mut out: Float64ArraySlice<'_>,
) -> Option<String> {
    let out = numbers(&mut out);
    let store_units = out.first().copied().unwrap_or(-1.0);
    let as_of = out.get(1).copied().filter(|time| !time.is_nan());
    let mut parts = TextParts::new(&store_and_key);
    let store = parts.next(store_units)?;
    let key = parts.rest;
    let view = log.log.latest_for(store, key, as_of)?;
    Some(pack_one(view, out, true))
}

/// The live fact with this id, packed; `null` when there is none.
#[napi]
pub fn log_by_id(log: &Handle, id: String, mut out: Float64ArraySlice<'_>) -> Option<String> {
    let slot = log.log.by_id(&id)?;
    Some(pack_one(log.log.view(slot)?, numbers(&mut out), false))
}

/// Facts of a store (of one key when given) within inclusive time bounds, packed.
#[napi]
pub fn log_facts_for(
    log: &mut Handle,
    store: String,
    key: Option<String>,
    since: Option<f64>,
    as_of: Option<f64>,
    mut out: Float64ArraySlice<'_>,
) -> Vec<String> {
    let NativeLog {
        log: facts, spill, ..
    } = &mut **log;
    let known_key = key.is_some();
    let slots = facts.facts_for(&store, key.as_deref(), since, as_of);
    pack_slots(facts, &slots, numbers(&mut out), spill, known_key)
}

/// Every live fact within inclusive time bounds, packed.
#[napi]
pub fn log_all(
    log: &mut Handle,
    since: Option<f64>,
    as_of: Option<f64>,
    mut out: Float64ArraySlice<'_>,
) -> Vec<String> {
    let NativeLog {
        log: facts, spill, ..
    } = &mut **log;
    let slots = facts.all(since, as_of);
    let count = slots.len();
    pack(facts, slots, count, numbers(&mut out), spill, false)
}

/// The live facts with these seqs, in the given order, packed; unknown seqs are skipped.
#[napi]
pub fn log_by_seqs(log: &mut Handle, seqs: &[f64], mut out: Float64ArraySlice<'_>) -> Vec<String> {
    let NativeLog {
        log: facts, spill, ..
    } = &mut **log;
    let slots: Vec<Slot> = seqs
        .iter()
        .filter_map(|&seq| facts.by_seq(whole(seq)?))
        .collect();
    pack_slots(facts, &slots, numbers(&mut out), spill, false)
}

/// Removes the live facts with these ids and returns them, packed, seq order.
#[napi]
pub fn log_remove(
    log: &mut Handle,
    ids: Vec<String>,
    mut out: Float64ArraySlice<'_>,
) -> Vec<String> {
    let NativeLog {
        log: facts,
        spill,
        held,
        ..
    } = &mut **log;
    held.clear();
    let slots = facts.find_ids(ids.iter().map(String::as_str));
    let packed = pack_slots(facts, &slots, numbers(&mut out), spill, false);
    facts.remove_slots(&slots);
    packed
}

/// The numbers of the last packed result that did not fit the caller's array.
#[napi]
pub fn log_take_spill(log: &mut Handle) -> Float64Array {
    Float64Array::new(std::mem::take(&mut log.spill))
}

/// Keys of a store with at least one live fact.
#[napi]
pub fn log_keys(log: &Handle, store: String) -> Vec<&str> {
    log.log.keys(&store).collect()
}

/// Names of the stores with at least one live fact.
#[napi]
pub fn log_stores(log: &Handle) -> Vec<&str> {
    log.log.stores().collect()
}

/// The live facts and the keys with a live fact of a store: `[facts, keys]`.
#[napi]
pub fn log_store_counts(log: &Handle, store: String) -> Vec<f64> {
    let (facts, keys) = log.log.store_counts(&store);
    vec![facts as f64, keys as f64]
}

/// The name of the store with this index (from a packed fact).
#[napi]
pub fn log_store_name(log: &Handle, index: u32) -> Option<&str> {
    log.log.store_name(index)
}

/// Number of live facts.
#[napi]
pub fn log_size(log: &Handle) -> f64 {
    log.log.len() as f64
}

/// The highest seq ever committed or reserved.
#[napi]
pub fn log_last_seq(log: &Handle) -> f64 {
    log.log.last_seq() as f64
}

/// Bytes the log holds for its facts (records, payload, indexes), by capacity.
#[napi]
pub fn log_heap_bytes(log: &Handle) -> f64 {
    log.log.heap_bytes() as f64
}
