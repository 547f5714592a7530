use super::{load_copy_rows, CopyLoad, FACT_FIELDS};
use crate::error::LogError;
use crate::log::FactLog;
use crate::replay::StoreTally;

/// One row's fields as PostgreSQL's binary COPY writes them (`None` for NULL).
pub(super) struct Row {
    seq: i64,
    id: &'static str,
    store: &'static str,
    value: &'static str,
    producer: Option<&'static str>,
    valid_time: Option<f64>,
}

pub(super) fn row(seq: i64, store: &'static str, value: &'static str) -> Row {
    Row {
        seq,
        id: "fact-id",
        store,
        value,
        producer: None,
        valid_time: None,
    }
}

fn push_field(out: &mut Vec<u8>, field: Option<&[u8]>) {
    match field {
        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        Some(bytes) => {
            out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
            out.extend_from_slice(bytes);
        }
    }
}

pub(super) fn header() -> Vec<u8> {
    let mut out = b"PGCOPY\n\xff\r\n\0".to_vec();
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    out
}

pub(super) fn encode(row: &Row) -> Vec<u8> {
    let mut out = (FACT_FIELDS as i16).to_be_bytes().to_vec();
    let id = format!("{}-{}", row.id, row.seq);
    push_field(&mut out, Some(&row.seq.to_be_bytes()));
    push_field(&mut out, Some(id.as_bytes()));
    push_field(&mut out, Some(row.store.as_bytes()));
    push_field(&mut out, Some(b"k"));
    push_field(&mut out, Some(row.value.as_bytes()));
    push_field(&mut out, Some(b"hash"));
    push_field(&mut out, None);
    push_field(&mut out, Some(&(1000.0 + row.seq as f64).to_be_bytes()));
    push_field(
        &mut out,
        row.valid_time
            .map(f64::to_be_bytes)
            .as_ref()
            .map(|b| &b[..]),
    );
    push_field(&mut out, Some(&1i32.to_be_bytes()));
    push_field(&mut out, row.producer.map(str::as_bytes));
    push_field(&mut out, None);
    push_field(&mut out, None);
    out
}

pub(super) fn stream(rows: &[Row]) -> Vec<u8> {
    let mut out = header();
    for row in rows {
        out.extend(encode(row));
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    out
}

pub(super) fn new_log() -> FactLog {
    FactLog::new(1 << 20)
}

#[test]
fn a_whole_stream_loads_every_row_with_its_fields_and_tallies_per_store() {
    let mut log = new_log();
    let mut second = row(2, "b", "[1,2]");
    second.producer = Some(r#"{"system":"importer"}"#);
    second.valid_time = Some(5.0);
    let bytes = stream(&[
        row(1, "a", r#"{"a":1,"b":"x"}"#),
        second,
        row(7, "a", "true"),
    ]);
    let report = load_copy_rows(&mut log, &bytes, true).expect("a valid stream");
    assert_eq!(report.consumed, bytes.len());
    assert!(report.ended);
    assert_eq!((report.loaded, report.max_seq), (3, 7));
    let index = |store| {
        log.latest_for(store, "k", None)
            .expect("a fact")
            .store_index() as usize
    };
    let (a, b) = (index("a"), index("b"));
    assert_eq!(report.tally[a].facts, 2);
    assert_eq!(
        report.tally[b],
        StoreTally {
            facts: 1,
            bytes: encode_payload(&bytes, 1)
        }
    );
    let fact = log.latest_for("b", "k", None).expect("the fact of store b");
    assert_eq!(fact.seq(), 2);
    assert_eq!(fact.id(), "fact-id-2");
    assert_eq!(fact.value_json(), "[1,2]");
    assert_eq!(fact.value_hash(), "hash");
    assert_eq!(fact.transaction_time(), 1002.0);
    assert_eq!(fact.valid_time(), Some(5.0));
    assert_eq!(fact.producer_json(), Some(r#"{"system":"importer"}"#));
    assert_eq!(fact.causation(), None);
    assert_eq!(log.last_seq(), 7);
}

/// The payload bytes of the `index`-th row of `bytes` (a stream from [`stream`]).
fn encode_payload(bytes: &[u8], index: usize) -> u64 {
    let mut at = 19;
    for current in 0.. {
        at += 2;
        let mut payload = 0;
        for _ in 0..FACT_FIELDS {
            let length = i32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
            at += 4;
            if length > 0 {
                payload += length as u64;
                at += length as usize;
            }
        }
        if current == index {
            return payload;
        }
    }
    unreachable!()
}

#[test]
fn a_value_that_is_not_canonical_is_stored_canonicalized() {
    let mut log = new_log();
    let bytes = stream(&[row(1, "a", r#"{ "b": 1.0, "a": [2.50] }"#)]);
    load_copy_rows(&mut log, &bytes, true).expect("a valid stream");
    let fact = log.latest_for("a", "k", None).expect("the fact");
    assert_eq!(fact.value_json(), r#"{"a":[2.5],"b":1}"#);
}

#[test]
fn a_stream_cut_anywhere_loads_the_whole_rows_and_takes_the_rest_on_the_next_call() {
    let bytes = stream(&[row(1, "a", "1"), row(2, "a", "2"), row(3, "b", "3")]);
    for cut in 0..bytes.len() {
        let mut log = new_log();
        let first = load_copy_rows(&mut log, &bytes[..cut], true).expect("a valid prefix");
        assert!(!first.ended);
        assert!(first.consumed <= cut);
        let header = first.consumed == 0;
        let second = load_copy_rows(&mut log, &bytes[first.consumed..], header).expect("the rest");
        assert!(second.ended, "cut at {cut}");
        assert_eq!(first.consumed + second.consumed, bytes.len());
        assert_eq!(first.loaded + second.loaded, 3, "cut at {cut}");
        assert_eq!(log.last_seq(), 3);
    }
}

#[test]
fn an_incomplete_header_takes_nothing() {
    let mut log = new_log();
    let report = load_copy_rows(&mut log, &header()[..10], true).expect("a prefix");
    assert_eq!(report, CopyLoad::default());
}

fn error_of(bytes: &[u8]) -> LogError {
    match load_copy_rows(&mut new_log(), bytes, true) {
        Ok(report) => panic!("loaded {report:?}"),
        Err(error) => error,
    }
}

#[test]
fn bytes_that_are_not_a_copy_of_fact_rows_are_corrupt() {
    let mut no_signature = stream(&[row(1, "a", "1")]);
    no_signature[0] = b'X';
    let mut narrow = header();
    narrow.extend_from_slice(&3i16.to_be_bytes());
    let mut trailing = stream(&[row(1, "a", "1")]);
    trailing.push(0);
    let mut null_store = header();
    let mut encoded = encode(&row(1, "a", "1"));
    // The store field (third) of a row whose id is "fact-id-1" (9 bytes) starts at byte 27.
    encoded.splice(27..27 + 4 + 1, (-1i32).to_be_bytes());
    null_store.extend(encoded);
    for (bytes, reason) in [
        (no_signature, "no PGCOPY signature"),
        (narrow, "a row of 3 fields"),
        (trailing, "bytes after the trailer"),
        (null_store, "NULL store"),
    ] {
        let error = error_of(&bytes);
        assert_eq!(error.code(), "ERR_CORRUPT_LOG");
        assert!(
            error.to_string().contains(reason),
            "{error} should say {reason}"
        );
    }
}

#[test]
fn a_seq_that_does_not_increase_stops_the_load_after_the_rows_before_it() {
    let mut log = new_log();
    let bytes = stream(&[row(4, "a", "1"), row(4, "a", "2")]);
    let error = load_copy_rows(&mut log, &bytes, true).expect_err("a repeated seq");
    assert_eq!(error.code(), "ERR_CORRUPT_LOG");
    assert_eq!(log.len(), 1);
}

#[test]
fn a_value_that_is_not_an_igniter_value_is_invalid() {
    let error = error_of(&stream(&[row(1, "a", r#"{"a":1,"a":2}"#)]));
    assert_eq!(error.code(), "ERR_INVALID_VALUE");
}
