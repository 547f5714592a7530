//! The fact log of `igniter-log` for JS: `log*` functions over a [`NativeLog`] handle, which
//! `@igniter/native`'s `index.js` wraps into its `NativeLog` class.
//!
//! The boundary is built for few, compact crossings. A call passes strings and numbers and
//! returns facts packed in two parts: their numbers, [`FACT_STRIDE`] per fact, written into a
//! `Float64Array` the caller passes in (or, when they do not fit, kept for
//! [`log_take_spill`]), and their text in one JS string per [`GROUP`] facts, which the
//! caller slices by the UTF-16 lengths among the numbers. Values stay canonical JSON text
//! until JS decodes them, lazily.
//!
//! Numbers of one fact, in order: seq, transaction time, valid time (NaN for null), schema
//! version, store index, then the UTF-16 lengths of its text parts (-1 for null): id, value
//! hash, causation, key, value, producer, derivation, idempotency key. The key is -1, and not
//! in the text, when the caller named it (`latestFor`, `factsFor` with a key). The text parts follow
//! each other in that order. Slot 0 of the numbers holds the count of facts.

use igniter_log::replay::{replay_file, ReplayOptions, ReplayStop};
use igniter_log::{FactLog, FactView, LoadedFact, LogError, NewFact, Slot};
use napi::bindgen_prelude::{External, Float64Array, Float64ArraySlice};
use napi_derive::napi;

use crate::{to_napi_error, ErrorCode};

/// Numbers per fact in a packed result.
pub const FACT_STRIDE: usize = 13;
/// Facts per text string of a packed result: a fact decoded later keeps its group's string
/// alive, so groups stay small.
pub const GROUP: usize = 256;

/// Results of at most this many facts touch their memory first, so that its cache misses
/// overlap (a larger result is a scan, whose records lie next to each other anyway).
const WARMED: usize = 4096;

/// The fact log of one store, off the V8 heap, held by JS as an `External`.
///
/// The functions below are free functions over `&External<NativeLog>` rather than methods of
/// a `#[napi]` class: a class method checks its receiver's type tag and registers a borrow
/// guard on every call (about 250 ns here), an external costs a pointer read.
pub struct NativeLog {
    log: FactLog,
    spill: Vec<f64>,
}

/// The handle JS holds: the log is freed when the handle is garbage-collected.
type Handle = External<NativeLog>;

impl NativeLog {
    /// An empty log whose values may be at most `max_value_bytes` of canonical JSON.
    fn new(max_value_bytes: f64) -> Self {
        Self {
            log: FactLog::new(value_limit(max_value_bytes)),
            spill: Vec::new(),
        }
    }
}

/// A JS value limit in bytes; anything but a non-negative finite number means no limit.
fn value_limit(max_value_bytes: f64) -> usize {
    if max_value_bytes.is_finite() && max_value_bytes >= 0.0 {
        max_value_bytes as usize
    } else {
        usize::MAX
    }
}

/// Creates a fact log whose values may be at most `maxValueBytes` of canonical JSON.
#[napi]
pub fn log_create(max_value_bytes: f64) -> Handle {
    External::new(NativeLog::new(max_value_bytes))
}

/// Numbers of a [`log_stage`] call.
pub const STAGE_NUMBERS: usize = 11;

/// The causation length of a [`log_stage`] call that links the fact to its key's latest fact.
pub const CAUSATION_LATEST: f64 = -2.0;

/// Appends one fact of a batch: canonicalizes and hashes its value, mints the id and seq, and
/// returns the id (36 chars), the value hash (64 chars) and the canonical value, concatenated.
/// A causation length of [`CAUSATION_LATEST`] links the fact to its key's latest fact (none:
/// null): its id then follows the hash in the result, and its UTF-16 length (-1 for null)
/// replaces the flag in `numbers`, so that a write needs no separate crossing for it.
///
/// `text` holds the fact's text parts one after another: store, key, value JSON, causation,
/// producer JSON, derivation JSON, idempotency key; `numbers` holds the transaction time, the
/// valid time (NaN for null), the schema version, 1 to commit the batch (0 to keep it open;
/// [`log_discard`] undoes an unfinished one), then the UTF-16 lengths of the seven parts (-1
/// for null). One string and one array cross instead of seven strings.
///
/// Throws `ERR_INVALID_VALUE` for JSON that is not an Igniter value and
/// `ERR_VALUE_TOO_LARGE` above the limit; the fact is then not staged.
#[napi]
pub fn log_stage(
    log: &mut Handle,
    text: String,
    mut numbers: Float64ArraySlice<'_>,
) -> napi::Result<String, ErrorCode> {
    let numbers = self::numbers(&mut numbers);
    let malformed = || {
        to_napi_error(LogError::InvalidArgument {
            reason: "a staged fact's text parts do not match their lengths".to_owned(),
        })
    };
    let mut given = [f64::NAN; STAGE_NUMBERS];
    match numbers.get(..STAGE_NUMBERS) {
        Some(first) => given.copy_from_slice(first),
        None => return Err(malformed()),
    }
    let number = |index: usize| given.get(index).copied().unwrap_or(f64::NAN);
    let mut parts = TextParts::new(&text);
    let store = parts.next(number(4)).ok_or_else(malformed)?;
    let key = parts.next(number(5)).ok_or_else(malformed)?;
    let value_json = parts.next(number(6)).ok_or_else(malformed)?;
    let link_latest = number(7) == CAUSATION_LATEST;
    let causation = if link_latest {
        None
    } else {
        parts.next(number(7))
    };
    let producer_json = parts.next(number(8));
    let derivation_json = parts.next(number(9));
    let idempotency_key = parts.next(number(10));
    let valid_time = number(1);
    let previous = if link_latest {
        log.log.latest_for(store, key, None).map(|view| view.id())
    } else {
        None
    };
    let causation = causation.or(previous.as_deref());
    let fact = NewFact {
        store,
        key,
        value_json,
        causation,
        transaction_time: number(0),
        valid_time: (!valid_time.is_nan()).then_some(valid_time),
        schema_version: number(2),
        producer_json,
        derivation_json,
        idempotency_key,
    };
    let view = log.log.stage(&fact).map_err(to_napi_error)?;
    let value = view.value_json();
    let mut result = String::with_capacity(136 + value.len());
    view.write_id(&mut result);
    view.write_value_hash(&mut result);
    if link_latest {
        let linked = previous.as_deref().map_or(-1.0, utf16_len);
        if let Some(previous) = &previous {
            result.push_str(previous);
        }
        if let Some(slot) = numbers.get_mut(7) {
            *slot = linked;
        }
    }
    result.push_str(value);
    if number(3) == 1.0 {
        log.log.commit();
    }
    Ok(result)
}

/// Undoes every fact staged since the last commit.
#[napi]
pub fn log_discard(log: &mut Handle) {
    log.log.discard();
}

/// Numbers per fact of a [`log_load_batch`] call.
pub const LOAD_STRIDE: usize = 13;

/// Inserts already-built facts (replay) in one call: their numbers, [`LOAD_STRIDE`] per fact
/// (seq, transaction time, valid time or NaN, schema version, then the UTF-16 lengths of the
/// text parts id, value hash, store, key, value JSON, causation, producer JSON, derivation
/// JSON, idempotency key, -1 for null), and their text parts concatenated in that order.
///
/// Facts are inserted in order; the first bad one throws (`ERR_CORRUPT_LOG` for a seq that
/// does not increase, `ERR_INVALID_VALUE` for JSON that is not an Igniter value) and the ones
/// before it stay, as one-by-one loading would leave them.
#[napi]
pub fn log_load_batch(
    log: &mut Handle,
    text: String,
    numbers: &[f64],
) -> napi::Result<(), ErrorCode> {
    let mut parts = TextParts::new(&text);
    for fact in numbers.chunks_exact(LOAD_STRIDE) {
        let malformed = || {
            to_napi_error(LogError::InvalidArgument {
                reason: "a loaded fact's text parts do not match their lengths".to_owned(),
            })
        };
        let id = parts.next(fact[4]).ok_or_else(malformed)?;
        let value_hash = parts.next(fact[5]).ok_or_else(malformed)?;
        let store = parts.next(fact[6]).ok_or_else(malformed)?;
        let key = parts.next(fact[7]).ok_or_else(malformed)?;
        let value_json = parts.next(fact[8]).ok_or_else(malformed)?;
        let causation = parts.next(fact[9]);
        let producer_json = parts.next(fact[10]);
        let derivation_json = parts.next(fact[11]);
        let idempotency_key = parts.next(fact[12]);
        let seq = whole(fact[0]).ok_or_else(|| {
            to_napi_error(LogError::CorruptLog {
                reason: format!("fact {id} has seq {}, not a positive integer", fact[0]),
            })
        })?;
        let valid_time = (!fact[2].is_nan()).then_some(fact[2]);
        let loaded = LoadedFact {
            id,
            seq,
            value_hash,
            fact: NewFact {
                store,
                key,
                value_json,
                causation,
                transaction_time: fact[1],
                valid_time,
                schema_version: fact[3],
                producer_json,
                derivation_json,
                idempotency_key,
            },
        };
        log.log.load(&loaded).map_err(to_napi_error)?;
    }
    Ok(())
}

/// Cuts a string into consecutive parts given in UTF-16 code units, as JS measures them.
struct TextParts<'a> {
    rest: &'a str,
    ascii: bool,
}

impl<'a> TextParts<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            rest: text,
            ascii: text.is_ascii(),
        }
    }

    /// The next part, `units` UTF-16 code units long; `None` for -1 (null) or past the end.
    fn next(&mut self, units: f64) -> Option<&'a str> {
        if units < 0.0 {
            return None;
        }
        let units = units as usize;
        let bytes = if self.ascii {
            units
        } else {
            let mut counted = 0;
            let mut bytes = 0;
            for c in self.rest.chars() {
                if counted >= units {
                    break;
                }
                counted += c.len_utf16();
                bytes += c.len_utf8();
            }
            bytes
        };
        let part = self.rest.get(..bytes)?;
        self.rest = self.rest.get(bytes..)?;
        Some(part)
    }
}

/// What [`log_replay_file`] found, as JS reads it (see `igniter_log::replay`).
#[napi(object)]
pub struct ReplayResult {
    /// File size when the replay ran.
    pub size: f64,
    /// Offset just past the last frame taken.
    pub end: f64,
    /// `"end"`, a damage reason (`"incomplete"`, `"bad-crc"`, `"too-large"`, `"empty"`), or
    /// `"unsupported"` for an intact frame the JS decoder must judge (or a failed read).
    pub stop: String,
    /// Offset of the frame the replay stopped at (-1 at the end of the file).
    pub stop_offset: f64,
    /// Why an unsupported frame was not taken.
    pub reason: Option<String>,
    /// The first frame's body, when only it was asked for.
    pub meta: Option<String>,
    /// Highest seq read.
    pub max_seq: f64,
    /// Facts loaded.
    pub loaded: f64,
    /// Stores that got facts, with their fact counts and frame bytes at the same index.
    pub tally_stores: Vec<String>,
    /// Facts loaded per store.
    pub tally_facts: Vec<f64>,
    /// Frame bytes loaded per store.
    pub tally_bytes: Vec<f64>,
}

/// Numbers of a [`log_replay_file`] call.
pub const REPLAY_NUMBERS: usize = 6;

/// Replays the data file at `path` into the log in one call: reads its frames from
/// `numbers[0]`, checks their CRCs and loads their facts, stopping at the first frame that is
/// damaged or that this reader does not take. `numbers`: start offset, largest frame body,
/// 1 to read only the first frame (the metadata record), the seq every fact must be above,
/// the highest seq allowed (Infinity for none), and the seq up to which facts are checked but
/// not loaded. A failed read is reported as `"unsupported"`, so that the JS reader, which
/// reads the file next, raises the system error itself.
///
/// Throws `ERR_INVALID_ARGUMENT` when `numbers` is too short.
#[napi]
pub fn log_replay_file(
    log: &mut Handle,
    path: String,
    numbers: &[f64],
) -> napi::Result<ReplayResult, ErrorCode> {
    if numbers.len() < REPLAY_NUMBERS {
        return Err(to_napi_error(LogError::InvalidArgument {
            reason: format!("a replay takes {REPLAY_NUMBERS} numbers"),
        }));
    }
    let count = |index: usize| whole(numbers[index]).unwrap_or(u64::MAX);
    let options = ReplayOptions {
        start: count(0),
        max_frame_bytes: count(1),
        meta_only: numbers[2] == 1.0,
        after_seq: count(3),
        max_seq: count(4),
        skip_through: count(5),
    };
    let report = match replay_file(&mut log.log, path.as_ref(), &options) {
        Ok(report) => report,
        Err(error) => {
            return Ok(ReplayResult {
                size: -1.0,
                end: -1.0,
                stop: "unsupported".to_owned(),
                stop_offset: -1.0,
                reason: Some(error.to_string()),
                meta: None,
                max_seq: 0.0,
                loaded: 0.0,
                tally_stores: Vec::new(),
                tally_facts: Vec::new(),
                tally_bytes: Vec::new(),
            })
        }
    };
    let (stop, stop_offset, reason) = match report.stop {
        ReplayStop::End => ("end".to_owned(), -1.0, None),
        ReplayStop::Damage { offset, damage } => (damage.name().to_owned(), offset as f64, None),
        ReplayStop::Unsupported { offset, reason } => {
            ("unsupported".to_owned(), offset as f64, Some(reason))
        }
    };
    let mut result = ReplayResult {
        size: report.size as f64,
        end: report.end as f64,
        stop,
        stop_offset,
        reason,
        meta: report.meta,
        max_seq: report.max_seq as f64,
        loaded: report.loaded as f64,
        tally_stores: Vec::new(),
        tally_facts: Vec::new(),
        tally_bytes: Vec::new(),
    };
    for (index, tally) in report.tally.iter().enumerate() {
        if tally.facts == 0 {
            continue;
        }
        let name = log.log.store_name(index as u32).unwrap_or_default();
        result.tally_stores.push(name.to_owned());
        result.tally_facts.push(tally.facts as f64);
        result.tally_bytes.push(tally.bytes as f64);
    }
    Ok(result)
}

/// The live facts a store restores after a replay, packed: those with an idempotency key or a
/// producer whose JSON contains `producerText` (see `FactLog::restorable`).
#[napi]
pub fn log_restorable(
    log: &mut Handle,
    producer_text: String,
    mut out: Float64ArraySlice<'_>,
) -> Vec<String> {
    let NativeLog { log: facts, spill } = &mut **log;
    let slots = facts.restorable(&producer_text);
    pack_slots(facts, &slots, numbers(&mut out), spill, false)
}

/// The live fact with the highest seq, packed; `null` for an empty log.
#[napi]
pub fn log_last(log: &Handle, mut out: Float64ArraySlice<'_>) -> Option<String> {
    let last = log.log.all(None, None).end.checked_sub(1)?;
    Some(pack_one(log.log.view(last)?, numbers(&mut out), false))
}

/// Changes the largest canonical value that later appends accept.
#[napi]
pub fn log_set_max_value_bytes(log: &mut Handle, max_value_bytes: f64) {
    log.log.set_max_value_bytes(value_limit(max_value_bytes));
}

/// Drops every fact with a seq above `seq`; `seq` becomes the last seq.
#[napi]
pub fn log_truncate_after(log: &mut Handle, seq: f64) {
    log.log.truncate_after(whole(seq).unwrap_or(0));
}

/// Makes the next seq at least `seq + 1`.
#[napi]
pub fn log_advance_seq(log: &mut Handle, seq: f64) {
    if let Some(seq) = whole(seq) {
        log.log.advance_seq(seq);
    }
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

/// The value (canonical JSON) of the fact [`log_latest_for`] would return, alone; `null` when
/// there is none. `storeAndKey` is the store name followed by the key, `storeUnits` the store
/// name's UTF-16 length, `asOf` the as-of time (NaN for none). A read that wants only the
/// value neither packs nor unpacks the rest of the fact, and passes plain numbers.
#[napi]
pub fn log_latest_value(
    log: &Handle,
    store_and_key: String,
    store_units: f64,
    as_of: f64,
) -> Option<&str> {
    let mut parts = TextParts::new(&store_and_key);
    let store = parts.next(store_units)?;
    let view = log
        .log
        .latest_for(store, parts.rest, (!as_of.is_nan()).then_some(as_of))?;
    Some(view.value_json())
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
    let NativeLog { log: facts, spill } = &mut **log;
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
    let NativeLog { log: facts, spill } = &mut **log;
    let slots = facts.all(since, as_of);
    let count = slots.len();
    pack(facts, slots, count, numbers(&mut out), spill, false)
}

/// The live facts with these seqs, in the given order, packed; unknown seqs are skipped.
#[napi]
pub fn log_by_seqs(log: &mut Handle, seqs: &[f64], mut out: Float64ArraySlice<'_>) -> Vec<String> {
    let NativeLog { log: facts, spill } = &mut **log;
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
    let NativeLog { log: facts, spill } = &mut **log;
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

/// The caller's number array as a slice to write into.
fn numbers<'a>(out: &'a mut Float64ArraySlice<'_>) -> &'a mut [f64] {
    // SAFETY: the array is the engine's private scratch, passed in for this call only; no
    // other reference to its memory exists while the call runs, and JS cannot run meanwhile.
    unsafe { out.as_mut() }
}

/// A JS number as a seq: a non-negative integer.
fn whole(number: f64) -> Option<u64> {
    (number.is_finite() && number >= 0.0 && number.fract() == 0.0).then_some(number as u64)
}

/// Number of UTF-16 code units of `text`.
fn utf16_len(text: &str) -> f64 {
    if text.is_ascii() {
        text.len() as f64
    } else {
        text.encode_utf16().count() as f64
    }
}

/// Appends a part written by `write` to `text`; returns its UTF-16 length.
fn part(text: &mut String, write: impl FnOnce(&mut String)) -> f64 {
    let start = text.len();
    write(text);
    utf16_len(text.get(start..).unwrap_or_default())
}

/// Appends an optional part; returns its UTF-16 length, or -1 when absent.
fn optional_part(text: &mut String, value: Option<&str>) -> f64 {
    value.map_or(-1.0, |value| part(text, |out| out.push_str(value)))
}

/// Writes one fact's numbers into `numbers` (exactly [`FACT_STRIDE`] long) and its text parts
/// onto `text`.
fn pack_fact(view: FactView<'_>, numbers: &mut [f64], text: &mut String, known_key: bool) {
    let mut causation_present = false;
    let values = [
        view.seq() as f64,
        view.transaction_time(),
        view.valid_time().unwrap_or(f64::NAN),
        view.schema_version(),
        f64::from(view.store_index()),
        part(text, |out| view.write_id(out)),
        part(text, |out| view.write_value_hash(out)),
        part(text, |out| causation_present = view.write_causation(out)),
        if known_key {
            -1.0
        } else {
            part(text, |out| out.push_str(view.key()))
        },
        part(text, |out| out.push_str(view.value_json())),
        optional_part(text, view.producer_json()),
        optional_part(text, view.derivation_json()),
        optional_part(text, view.idempotency_key()),
    ];
    for (slot, value) in numbers.iter_mut().zip(values) {
        *slot = value;
    }
    if !causation_present {
        if let Some(slot) = numbers.get_mut(7) {
            *slot = -1.0;
        }
    }
}

/// Packs one fact: count 1 in `out[0]`, its numbers after it.
fn pack_one(view: FactView<'_>, out: &mut [f64], known_key: bool) -> String {
    let mut text = String::with_capacity(160 + view.value_json().len());
    let mut numbers = [0.0; FACT_STRIDE];
    pack_fact(view, &mut numbers, &mut text, known_key);
    if let Some(target) = out.get_mut(..=FACT_STRIDE) {
        target[0] = 1.0;
        target[1..].copy_from_slice(&numbers);
    }
    text
}

/// Packs the facts at `slots` (see [`pack`]).
fn pack_slots(
    log: &FactLog,
    slots: &[Slot],
    out: &mut [f64],
    spill: &mut Vec<f64>,
    known_key: bool,
) -> Vec<String> {
    pack(
        log,
        slots.iter().copied(),
        slots.len(),
        out,
        spill,
        known_key,
    )
}

/// Packs `count` facts: the count in `out[0]` and their numbers after it, or in `spill` when
/// they do not fit; their text in one string per [`GROUP`] facts.
fn pack(
    log: &FactLog,
    slots: impl IntoIterator<Item = Slot> + Clone,
    count: usize,
    out: &mut [f64],
    spill: &mut Vec<f64>,
    known_key: bool,
) -> Vec<String> {
    if let Some(first) = out.first_mut() {
        *first = count as f64;
    }
    let fits = count * FACT_STRIDE < out.len();
    spill.clear();
    if !fits {
        spill.resize(count * FACT_STRIDE, 0.0);
    }
    let numbers: &mut [f64] = if fits {
        out.get_mut(1..).unwrap_or_default()
    } else {
        spill.as_mut_slice()
    };
    if count > 1 && count <= WARMED {
        log.warm(slots.clone());
    }
    let mut texts = Vec::with_capacity(count.div_ceil(GROUP));
    let mut text = String::with_capacity(count.min(GROUP) * 256);
    for (index, (slot, target)) in slots
        .into_iter()
        .zip(numbers.chunks_exact_mut(FACT_STRIDE))
        .enumerate()
    {
        let Some(view) = log.view(slot) else {
            continue;
        };
        if index > 0 && index % GROUP == 0 {
            texts.push(std::mem::take(&mut text));
        }
        pack_fact(view, target, &mut text, known_key);
    }
    if count > 0 {
        texts.push(text);
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::TextParts;

    #[test]
    fn text_parts_are_cut_by_utf16_lengths() {
        let mut parts = TextParts::new("idé\u{1F600}xyz");
        assert_eq!(parts.next(2.0), Some("id"));
        assert_eq!(parts.next(-1.0), None);
        assert_eq!(parts.next(3.0), Some("é\u{1F600}"));
        assert_eq!(parts.next(0.0), Some(""));
        assert_eq!(parts.next(3.0), Some("xyz"));
    }

    #[test]
    fn ascii_text_parts_are_cut_by_bytes() {
        let mut parts = TextParts::new("abcdef");
        assert_eq!(parts.next(4.0), Some("abcd"));
        assert_eq!(parts.next(2.0), Some("ef"));
        assert_eq!(parts.next(1.0), None);
    }
}
