//! Packing facts for the trip to JS: numbers into a `Float64Array`, text into few strings.

use igniter_log::{FactLog, FactView, Slot};

use super::utf16_len;

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
