//! Packing facts for the trip to JS: numbers into a `Float64Array`, text into few strings.

use igniter_log::{FactLog, FactView, Slot};

use super::utf16_len;

/// The packed fact layout: where each number of a fact sits, from its first number. The twin of
/// the `SLOT_*` constants of `packages/core/src/engine/native-binding.ts`, which unpacks them
/// (`packages/core/test/packed-fact-layout.test.ts` checks that the two agree). The text parts
/// follow one another in the order of their lengths; a length of -1 is a null part.
pub mod slot {
    pub const SEQ: usize = 0;
    pub const TRANSACTION_TIME: usize = 1;
    /// NaN for a null valid time.
    pub const VALID_TIME: usize = 2;
    pub const SCHEMA_VERSION: usize = 3;
    /// Index of the store's name.
    pub const STORE_INDEX: usize = 4;
    pub const ID_LENGTH: usize = 5;
    pub const VALUE_HASH_LENGTH: usize = 6;
    pub const CAUSATION_LENGTH: usize = 7;
    /// -1 when the caller named the key (it is left out of the text).
    pub const KEY_LENGTH: usize = 8;
    pub const VALUE_LENGTH: usize = 9;
    pub const PRODUCER_LENGTH: usize = 10;
    pub const DERIVATION_LENGTH: usize = 11;
    pub const IDEMPOTENCY_KEY_LENGTH: usize = 12;
}

/// Numbers per fact in a packed result.
pub const FACT_STRIDE: usize = 13;
/// Facts per text string of a packed result: a fact decoded later keeps its group's string
/// alive, so groups stay small.
pub const GROUP: usize = 256;

/// Results of at most this many facts touch their memory first, so that its cache misses
/// overlap (a larger result is a scan, whose records lie next to each other anyway).
const WARMED: usize = 4096;

/// Appends a part written by `write` to `text`; returns its UTF-16 length.
pub(crate) fn part(text: &mut String, write: impl FnOnce(&mut String)) -> f64 {
    let start = text.len();
    write(text);
    utf16_len(text.get(start..).unwrap_or_default())
}

/// Appends an optional part; returns its UTF-16 length, or -1 when absent.
pub(crate) fn optional_part(text: &mut String, value: Option<&str>) -> f64 {
    value.map_or(-1.0, |value| part(text, |out| out.push_str(value)))
}

/// Writes one fact's numbers into `numbers` (exactly [`FACT_STRIDE`] long) and its text parts
/// onto `text`.
pub(crate) fn pack_fact(
    view: FactView<'_>,
    numbers: &mut [f64],
    text: &mut String,
    known_key: bool,
) {
    let mut causation_present = false;
    // Written in text order (the parts' lengths in slot order), each into its named slot.
    let values = [
        (slot::SEQ, view.seq() as f64),
        (slot::TRANSACTION_TIME, view.transaction_time()),
        (slot::VALID_TIME, view.valid_time().unwrap_or(f64::NAN)),
        (slot::SCHEMA_VERSION, view.schema_version()),
        (slot::STORE_INDEX, f64::from(view.store_index())),
        (slot::ID_LENGTH, part(text, |out| view.write_id(out))),
        (
            slot::VALUE_HASH_LENGTH,
            part(text, |out| view.write_value_hash(out)),
        ),
        (
            slot::CAUSATION_LENGTH,
            part(text, |out| causation_present = view.write_causation(out)),
        ),
        (
            slot::KEY_LENGTH,
            if known_key {
                -1.0
            } else {
                part(text, |out| out.push_str(view.key()))
            },
        ),
        (
            slot::VALUE_LENGTH,
            part(text, |out| out.push_str(view.value_json())),
        ),
        (
            slot::PRODUCER_LENGTH,
            optional_part(text, view.producer_json()),
        ),
        (
            slot::DERIVATION_LENGTH,
            optional_part(text, view.derivation_json()),
        ),
        (
            slot::IDEMPOTENCY_KEY_LENGTH,
            optional_part(text, view.idempotency_key()),
        ),
    ];
    for (index, value) in values {
        if let Some(target) = numbers.get_mut(index) {
            *target = value;
        }
    }
    if !causation_present {
        if let Some(target) = numbers.get_mut(slot::CAUSATION_LENGTH) {
            *target = -1.0;
        }
    }
}

/// Packs one fact: count 1 in `out[0]`, its numbers after it.
pub(crate) fn pack_one(view: FactView<'_>, out: &mut [f64], known_key: bool) -> String {
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
pub(crate) fn pack_slots(
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
pub(crate) fn pack(
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
