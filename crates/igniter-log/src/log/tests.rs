use super::{FactLog, FactView, LoadedFact, NewFact, Slot};
use crate::error::LogError;
use crate::hash::sha256_hex;

const LIMIT: usize = 1 << 20;

fn write(log: &mut FactLog, store: &str, key: &str, value: &str, time: f64) -> Slot {
    match log.append(&[NewFact::new(store, key, value, time)]) {
        Ok(range) => range.start as Slot,
        Err(error) => panic!("append of {value} failed: {error}"),
    }
}

fn view(log: &FactLog, slot: Slot) -> FactView<'_> {
    log.view(slot).expect("a live slot")
}

fn seqs(log: &FactLog, slots: &[Slot]) -> Vec<u64> {
    slots.iter().map(|&slot| view(log, slot).seq()).collect()
}

fn values(log: &FactLog, slots: impl IntoIterator<Item = Slot>) -> Vec<String> {
    slots
        .into_iter()
        .map(|slot| view(log, slot).value_json().to_owned())
        .collect()
}

fn loaded<'a>(id: &'a str, seq: u64, value: &'a str) -> LoadedFact<'a> {
    LoadedFact {
        id,
        seq,
        value_hash: "h",
        fact: NewFact::new("s", "k", value, 10.0),
    }
}

#[test]
fn append_assigns_seqs_from_1_and_stores_the_canonical_value_and_its_hash() {
    let mut log = FactLog::new(LIMIT);
    let first = write(&mut log, "users", "u1", r#"{"b":1.0,"a":"x"}"#, 5.0);
    let second = write(&mut log, "users", "u2", "[1,2]", 6.0);
    let fact = view(&log, first);
    assert_eq!(fact.seq(), 1);
    assert_eq!(view(&log, second).seq(), 2);
    assert_eq!(fact.value_json(), r#"{"a":"x","b":1}"#);
    assert_eq!(fact.value_hash(), sha256_hex(br#"{"a":"x","b":1}"#));
    assert_eq!((fact.store(), fact.key()), ("users", "u1"));
    assert_eq!(fact.transaction_time(), 5.0);
    assert_eq!(fact.valid_time(), None);
    assert_eq!(fact.schema_version(), 1.0);
    assert_eq!(fact.causation(), None);
    assert_eq!(log.len(), 2);
    assert_eq!(log.last_seq(), 2);
}

#[test]
fn an_appended_fact_has_a_uuidv7_id_of_its_transaction_time() {
    let mut log = FactLog::new(LIMIT);
    let slot = write(&mut log, "s", "k", "1", 1_714_200_123_456.0);
    let id = view(&log, slot).id();
    assert_eq!(id.len(), 36);
    let millis = u64::from_str_radix(&id.replace('-', "")[..12], 16).expect("hex");
    assert_eq!(millis, 1_714_200_123_456);
    assert_eq!(log.by_id(&id), Some(slot));
}

#[test]
fn optional_fields_round_trip() {
    let mut log = FactLog::new(LIMIT);
    let cause = "0190f0c5-8a4b-7d3e-9f21-0123456789ab";
    let fact = NewFact {
        causation: Some(cause),
        valid_time: Some(-0.5),
        schema_version: 3.0,
        producer_json: Some(r#"{"z":1,"a":2}"#),
        derivation_json: Some(r#"{"rule":"r"}"#),
        idempotency_key: Some("idem-1"),
        ..NewFact::new("s", "k", "true", 7.0)
    };
    let text_cause = NewFact {
        causation: Some("External-Cause"),
        ..NewFact::new("s", "k", "false", 7.0)
    };
    let range = log.append(&[fact, text_cause]).expect("valid facts");
    let first = view(&log, range.start as Slot);
    assert_eq!(first.causation().as_deref(), Some(cause));
    assert_eq!(first.valid_time(), Some(-0.5));
    assert_eq!(first.schema_version(), 3.0);
    assert_eq!(first.producer_json(), Some(r#"{"a":2,"z":1}"#));
    assert_eq!(first.derivation_json(), Some(r#"{"rule":"r"}"#));
    assert_eq!(first.idempotency_key(), Some("idem-1"));
    assert_eq!(first.value_json(), "true");
    let second = view(&log, range.start as Slot + 1);
    assert_eq!(second.causation().as_deref(), Some("External-Cause"));
    assert_eq!(second.producer_json(), None);
}

#[test]
fn latest_for_is_the_highest_seq_as_of_an_inclusive_time() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "k", "1", 10.0);
    write(&mut log, "s", "other", "9", 10.0);
    write(&mut log, "s", "k", "2", 20.0);
    write(&mut log, "s", "k", "3", 20.0);
    let latest = |as_of| log.latest_for("s", "k", as_of).map(|f| f.value_json());
    assert_eq!(latest(None), Some("3"));
    assert_eq!(latest(Some(20.0)), Some("3"));
    assert_eq!(latest(Some(19.0)), Some("1"));
    assert_eq!(latest(Some(10.0)), Some("1"));
    assert_eq!(latest(Some(9.0)), None);
    assert!(log.latest_for("s", "missing", None).is_none());
    assert!(log.latest_for("missing", "k", None).is_none());
}

#[test]
fn facts_for_a_key_or_a_store_honour_inclusive_since_and_as_of() {
    let mut log = FactLog::new(LIMIT);
    for (time, key) in [(1.0, "a"), (2.0, "b"), (3.0, "a"), (4.0, "a"), (5.0, "b")] {
        write(&mut log, "s", key, &format!("{time}"), time);
    }
    write(&mut log, "t", "a", "0", 6.0);
    assert_eq!(
        seqs(&log, &log.facts_for("s", Some("a"), None, None)),
        [1, 3, 4]
    );
    assert_eq!(
        seqs(&log, &log.facts_for("s", Some("a"), Some(3.0), None)),
        [3, 4]
    );
    assert_eq!(
        seqs(&log, &log.facts_for("s", Some("a"), None, Some(3.0))),
        [1, 3]
    );
    assert_eq!(
        seqs(&log, &log.facts_for("s", None, Some(2.0), Some(4.0))),
        [2, 3, 4]
    );
    assert!(log.facts_for("s", None, Some(5.0), Some(4.0)).is_empty());
    assert!(log.facts_for("s", Some("zz"), None, None).is_empty());
    let all: Vec<Slot> = log.all(Some(2.0), Some(5.0)).collect();
    assert_eq!(seqs(&log, &all), [2, 3, 4, 5]);
    assert_eq!(log.all(None, None).len(), 6);
    assert!(log.all(Some(9.0), Some(1.0)).is_empty());
}

#[test]
fn a_batch_with_an_invalid_value_appends_nothing_and_consumes_no_seq() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "k", "1", 1.0);
    let batch = [
        NewFact::new("s", "k", "2", 2.0),
        NewFact::new("s", "new", "[1E400]", 2.0),
    ];
    let error = log.append(&batch).expect_err("1E400 overflows");
    assert_eq!(error.code(), "ERR_INVALID_VALUE");
    assert_eq!(log.len(), 1);
    assert_eq!(log.last_seq(), 1);
    assert_eq!(log.latest_for("s", "k", None).map(|f| f.seq()), Some(1));
    assert_eq!(log.keys("s").collect::<Vec<_>>(), ["k"]);
    let slot = write(&mut log, "s", "k", "3", 3.0);
    assert_eq!(view(&log, slot).seq(), 2);
}

#[test]
fn a_value_over_the_limit_is_value_too_large() {
    let mut log = FactLog::new(8);
    let error = log
        .append(&[NewFact::new("s", "k", r#""123456789""#, 1.0)])
        .expect_err("11 bytes");
    assert_eq!(error, LogError::ValueTooLarge { size: 11, limit: 8 });
    assert!(log
        .append(&[NewFact::new("s", "k", "12345678", 1.0)])
        .is_ok());
}

#[test]
fn truncate_after_drops_the_newest_facts_and_their_index_entries() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "k", "1", 1.0);
    let dropped = write(&mut log, "s", "k2", "2", 2.0);
    let dropped_id = view(&log, dropped).id();
    log.truncate_after(1);
    assert_eq!(log.len(), 1);
    assert_eq!(log.last_seq(), 1);
    assert!(log.by_id(&dropped_id).is_none());
    assert_eq!(log.keys("s").collect::<Vec<_>>(), ["k"]);
    let next = write(&mut log, "s", "k2", "3", 3.0);
    assert_eq!(view(&log, next).seq(), 2);
    assert_eq!(view(&log, next).value_json(), "3");
}

#[test]
fn remove_drops_facts_keeps_the_seq_high_water_mark_and_rebuilds_indexes() {
    let mut log = FactLog::new(LIMIT);
    let a = write(&mut log, "s", "a", "1", 1.0);
    write(&mut log, "s", "b", "2", 2.0);
    write(&mut log, "t", "a", "3", 3.0);
    let a_id = view(&log, a).id();
    let b_id = log.latest_for("s", "b", None).map(|f| f.id()).expect("b");
    let found = log.find_ids([b_id.as_str(), "unknown", a_id.as_str(), a_id.as_str()]);
    assert_eq!(seqs(&log, &found), [1, 2]);
    log.remove_slots(&found);
    assert_eq!(log.len(), 1);
    assert_eq!(log.last_seq(), 3);
    assert!(log.by_id(&a_id).is_none());
    assert_eq!(log.stores().collect::<Vec<_>>(), ["t"]);
    assert_eq!(log.keys("s").count(), 0);
    assert_eq!(values(&log, log.all(None, None)), ["3"]);
    assert_eq!(log.by_seq(3), Some(0));
    let slot = write(&mut log, "s", "a", "4", 4.0);
    assert_eq!(view(&log, slot).seq(), 4);
}

#[test]
fn by_seq_finds_live_facts_only() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "a", "1", 1.0);
    write(&mut log, "s", "a", "2", 1.0);
    assert_eq!(log.by_seq(2), Some(1));
    assert_eq!(log.by_seq(3), None);
    assert_eq!(log.by_seq(0), None);
}

#[test]
fn load_keeps_ids_hashes_and_seqs_as_given() {
    let mut log = FactLog::new(LIMIT);
    let id = "0190f0c5-8a4b-7d3e-9f21-0123456789ab";
    let hash = sha256_hex(b"1");
    let slot = log
        .load(&LoadedFact {
            id,
            seq: 5,
            value_hash: &hash,
            fact: NewFact::new("s", "k", "1", 1.0),
        })
        .expect("a valid fact");
    assert_eq!(view(&log, slot).id(), id);
    assert_eq!(view(&log, slot).value_hash(), hash);
    let text = log.load(&loaded("Some-Id", 7, "2")).expect("valid");
    assert_eq!(view(&log, text).id(), "Some-Id");
    assert_eq!(view(&log, text).value_hash(), "h");
    assert_eq!(log.by_id("Some-Id"), Some(text));
    assert_eq!(log.last_seq(), 7);
    let slot = write(&mut log, "s", "k", "3", 2.0);
    assert_eq!(view(&log, slot).seq(), 8);
}

#[test]
fn load_rejects_a_seq_that_does_not_increase() {
    let mut log = FactLog::new(LIMIT);
    log.load(&loaded("a", 2, "1")).expect("valid");
    let error = log.load(&loaded("b", 2, "1")).expect_err("seq 2 again");
    assert_eq!(error.code(), "ERR_CORRUPT_LOG");
    assert_eq!(log.len(), 1);
}

#[test]
fn advance_seq_raises_the_next_seq_and_never_lowers_it() {
    let mut log = FactLog::new(LIMIT);
    log.advance_seq(10);
    log.advance_seq(4);
    assert_eq!(log.last_seq(), 10);
    let slot = write(&mut log, "s", "k", "1", 1.0);
    assert_eq!(view(&log, slot).seq(), 11);
}

#[test]
fn staged_facts_are_visible_until_discarded() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "k", "1", 1.0);
    log.stage(&NewFact::new("s", "k", "2", 2.0)).expect("valid");
    assert_eq!(log.latest_for("s", "k", None).map(|f| f.seq()), Some(2));
    log.discard();
    assert_eq!(log.latest_for("s", "k", None).map(|f| f.seq()), Some(1));
    assert_eq!(log.last_seq(), 1);
    log.stage(&NewFact::new("s", "k", "2", 2.0)).expect("valid");
    log.commit();
    log.discard();
    assert_eq!(log.last_seq(), 2);
}

#[test]
fn keys_and_stores_list_names_with_live_facts() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "b", "1", 1.0);
    write(&mut log, "s", "a", "1", 1.0);
    write(&mut log, "t", "a", "1", 1.0);
    assert_eq!(log.keys("s").collect::<Vec<_>>(), ["b", "a"]);
    assert_eq!(log.stores().collect::<Vec<_>>(), ["s", "t"]);
    assert_eq!(log.store_name(1), Some("t"));
    assert_eq!(log.keys("missing").count(), 0);
}

#[test]
fn store_counts_are_the_live_facts_and_keys_of_one_store() {
    let mut log = FactLog::new(LIMIT);
    let first = write(&mut log, "s", "a", "1", 1.0);
    write(&mut log, "s", "a", "2", 1.0);
    write(&mut log, "s", "b", "1", 1.0);
    write(&mut log, "t", "a", "1", 1.0);
    assert_eq!(log.store_counts("s"), (3, 2));
    assert_eq!(log.store_counts("t"), (1, 1));
    assert_eq!(log.store_counts("missing"), (0, 0));
    let ids = [view(&log, first).id()];
    let found = log.find_ids(ids.iter().map(String::as_str));
    log.remove_slots(&found);
    assert_eq!(log.store_counts("s"), (2, 2));
}

#[test]
fn a_key_or_store_that_lost_every_fact_is_listed_again_after_the_others() {
    let mut log = FactLog::new(LIMIT);
    let a = write(&mut log, "s", "a", "1", 1.0);
    write(&mut log, "s", "b", "1", 1.0);
    let t = write(&mut log, "t", "x", "1", 1.0);
    write(&mut log, "u", "y", "1", 1.0);
    let ids = [view(&log, a).id(), view(&log, t).id()];
    let found = log.find_ids(ids.iter().map(String::as_str));
    log.remove_slots(&found);
    assert_eq!(log.keys("s").collect::<Vec<_>>(), ["b"]);
    assert_eq!(log.stores().collect::<Vec<_>>(), ["s", "u"]);
    write(&mut log, "s", "a", "2", 2.0);
    write(&mut log, "t", "x", "2", 2.0);
    assert_eq!(log.keys("s").collect::<Vec<_>>(), ["b", "a"]);
    assert_eq!(log.stores().collect::<Vec<_>>(), ["s", "u", "t"]);
    assert_eq!(
        log.latest_for("s", "a", None).map(|f| f.value_json()),
        Some("2")
    );
    assert_eq!(
        log.latest_for("s", "b", Some(1.0)).map(|f| f.value_json()),
        Some("1")
    );
}

#[test]
fn an_undone_append_of_a_new_key_and_store_leaves_no_trace_in_their_order() {
    let mut log = FactLog::new(LIMIT);
    write(&mut log, "s", "a", "1", 1.0);
    write(&mut log, "t", "new", "1", 1.0);
    log.truncate_after(1);
    assert_eq!(log.stores().collect::<Vec<_>>(), ["s"]);
    write(&mut log, "u", "k", "1", 1.0);
    write(&mut log, "t", "new", "1", 1.0);
    write(&mut log, "s", "b", "1", 1.0);
    write(&mut log, "s", "c", "1", 1.0);
    log.truncate_after(4);
    write(&mut log, "s", "d", "1", 1.0);
    write(&mut log, "s", "c", "1", 1.0);
    assert_eq!(log.stores().collect::<Vec<_>>(), ["s", "u", "t"]);
    assert_eq!(log.keys("s").collect::<Vec<_>>(), ["a", "b", "d", "c"]);
}

#[test]
fn small_and_large_values_survive_truncation_and_removal_side_by_side() {
    let mut log = FactLog::new(LIMIT);
    let large = format!("\"{}\"", "x".repeat(500));
    let producer = format!(r#"{{"p":"{}"}}"#, "y".repeat(200));
    let small = write(&mut log, "s", "a", "1", 1.0);
    let with_producer = NewFact {
        producer_json: Some(&producer),
        ..NewFact::new("s", "b", &large, 1.0)
    };
    let big = log.append(&[with_producer]).expect("valid").start as Slot;
    write(&mut log, "s", "c", "[2]", 2.0);
    write(&mut log, "s", "d", &large, 3.0);
    log.truncate_after(3);
    write(&mut log, "s", "e", "true", 4.0);
    assert_eq!(view(&log, big).value_json(), large);
    assert_eq!(view(&log, big).producer_json(), Some(producer.as_str()));
    let small_id = view(&log, small).id();
    let found = log.find_ids([small_id.as_str()]);
    log.remove_slots(&found);
    assert_eq!(
        values(&log, log.all(None, None)),
        [large.as_str(), "[2]", "true"]
    );
    assert_eq!(
        log.latest_for("s", "b", None)
            .and_then(|f| f.producer_json()),
        Some(producer.as_str())
    );
}

#[test]
fn ids_out_of_order_are_found_and_forgotten_like_the_others() {
    let mut log = FactLog::new(LIMIT);
    let late = "0190f0c5-8a4b-7d3e-9f21-0123456789ab";
    let early = "0100f0c5-8a4b-7d3e-9f21-0123456789ab";
    let fact = |id, seq| LoadedFact {
        id,
        seq,
        value_hash: "h",
        fact: NewFact::new("s", "k", "1", 1.0),
    };
    let first = log.load(&fact(late, 1)).expect("valid");
    let second = log.load(&fact(early, 2)).expect("valid");
    let minted = write(&mut log, "s", "k", "2", 2.0);
    let minted_id = view(&log, minted).id();
    assert_eq!(log.by_id(late), Some(first));
    assert_eq!(log.by_id(early), Some(second));
    assert_eq!(log.by_id(&minted_id), Some(minted));
    log.truncate_after(1);
    assert_eq!(log.by_id(early), None);
    assert_eq!(log.by_id(&minted_id), None);
    assert_eq!(log.by_id(late), Some(first));
}

#[test]
fn a_key_with_many_facts_answers_as_of_any_time_and_undoes_appends() {
    let mut log = FactLog::new(LIMIT);
    for n in 1..=30 {
        write(&mut log, "s", "k", &n.to_string(), f64::from(n));
    }
    for n in 1..=30 {
        let latest = log.latest_for("s", "k", Some(f64::from(n)));
        assert_eq!(latest.map(|f| f.seq()), Some(n as u64));
    }
    assert_eq!(
        log.facts_for("s", Some("k"), Some(11.0), Some(14.0)).len(),
        4
    );
    log.truncate_after(5);
    assert_eq!(
        log.latest_for("s", "k", None).map(|f| f.value_json()),
        Some("5")
    );
    assert_eq!(log.facts_for("s", Some("k"), None, None).len(), 5);
    let slot = write(&mut log, "s", "k", "6", 6.0);
    assert_eq!(view(&log, slot).seq(), 6);
}

#[test]
fn restorable_facts_are_those_with_an_idempotency_key_or_a_matching_producer() {
    let mut log = FactLog::new(1 << 20);
    let mut keyed = NewFact::new("s", "a", "1", 1.0);
    keyed.idempotency_key = Some("once");
    let mut pruned = NewFact::new("s", "b", "2", 2.0);
    pruned.producer_json = Some(r#"{"kind":"prune"}"#);
    let mut other = NewFact::new("s", "c", "3", 3.0);
    other.producer_json = Some(r#"{"kind":"import"}"#);
    log.append(&[NewFact::new("s", "z", "0", 0.0), keyed, pruned, other])
        .expect("appended");
    assert_eq!(log.restorable(r#""kind":"prune""#), vec![1, 2]);
    assert_eq!(log.restorable("import"), vec![1, 3]);
}

#[test]
fn the_value_limit_can_change_after_creation() {
    let mut log = FactLog::new(1 << 20);
    log.set_max_value_bytes(3);
    assert!(log.append(&[NewFact::new("s", "k", "123", 1.0)]).is_ok());
    assert_eq!(
        log.append(&[NewFact::new("s", "k", "1234", 1.0)]),
        Err(LogError::ValueTooLarge { size: 4, limit: 3 })
    );
}
