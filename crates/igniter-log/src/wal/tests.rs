use std::time::Duration;

use super::{push_frame, write_fact_frame, Durability, FrameParts, Unframed, WalWriter};
use crate::log::{FactLog, NewFact};

fn frame_of(
    fact: &NewFact<'_>,
    parts: &FrameParts<'_>,
) -> (Result<usize, Unframed>, Vec<u8>, String) {
    let mut log = FactLog::new(1 << 20);
    let view = log.stage(fact).expect("a valid fact");
    let mut body = String::new();
    let mut out = Vec::new();
    let framed = write_fact_frame(&view, parts, &mut body, &mut out);
    let head = format!("{},\"{}\"", view.id(), view.value_hash());
    (framed, out, head)
}

#[test]
fn a_fact_frame_is_the_json_v1_body_between_its_length_and_crc() {
    let mut fact = NewFact::new(
        "orders",
        "o-\u{e9}\"\\\n\u{1}",
        r#"{"b":[1.50,2],"a":"x"}"#,
        1_767_225_600_000.0,
    );
    fact.valid_time = Some(-12.5);
    fact.schema_version = 3.0;
    let parts = FrameParts {
        store_key: None,
        causation: Some("c-1"),
        producer_json: Some(r#"{"z":1,"a":2}"#),
        derivation_json: None,
        idempotency_key: Some("idem\u{2028}"),
    };
    let (framed, out, head) = frame_of(&fact, &parts);
    let (id, hash) = head.split_once(",").expect("two parts");
    let body = format!(
        "[1,\"{id}\",1,\"orders\",\"o-\u{e9}\\\"\\\\\\n\\u0001\",{{\"a\":\"x\",\"b\":[1.5,2]}},{hash},\"c-1\",1767225600000,-12.5,3,{{\"z\":1,\"a\":2}},null,\"idem\u{2028}\"]"
    );
    let mut expected = Vec::new();
    expected.extend_from_slice(&(body.len() as u32).to_be_bytes());
    expected.extend_from_slice(body.as_bytes());
    expected.extend_from_slice(&crc32fast::hash(body.as_bytes()).to_be_bytes());
    assert_eq!(framed, Ok(expected.len()));
    assert_eq!(out, expected);
}

#[test]
fn the_callers_store_and_key_frame_the_same_bytes_as_the_views() {
    let key = "o-\u{e9}\"\\\n\u{1}";
    let mut log = FactLog::new(1 << 20);
    let view = log
        .stage(&NewFact::new("orders", key, r#"{"a":1}"#, 5.0))
        .expect("a valid fact");
    let mut body = String::new();
    let mut from_view = Vec::new();
    let mut from_caller = Vec::new();
    let framed = write_fact_frame(&view, &FrameParts::default(), &mut body, &mut from_view);
    let given = FrameParts {
        store_key: Some(("orders", key)),
        ..FrameParts::default()
    };
    let framed_given = write_fact_frame(&view, &given, &mut body, &mut from_caller);
    assert_eq!(framed, Ok(from_view.len()));
    assert_eq!(framed_given, framed);
    assert_eq!(from_caller, from_view);
    let text = String::from_utf8(from_view[4..from_view.len() - 4].to_vec()).expect("UTF-8");
    let expected = ",\"orders\",\"o-\u{e9}\\\"\\\\\\n\\u0001\",{\"a\":1},";
    assert!(text.contains(expected), "{text}");
}

#[test]
fn facts_outside_the_plain_form_are_left_to_the_caller() {
    let mut negative_zero = NewFact::new("s", "k", "1", 5.0);
    negative_zero.valid_time = Some(-0.0);
    let escaped = FrameParts {
        idempotency_key: Some("\u{0}\"\\ud800\""),
        ..FrameParts::default()
    };
    let (framed, out, _) = frame_of(&negative_zero, &FrameParts::default());
    assert_eq!((framed, out.len()), (Err(Unframed::Unusual), 0));
    let (framed, out, _) = frame_of(&NewFact::new("s", "k", "1", 5.0), &escaped);
    assert_eq!((framed, out.len()), (Err(Unframed::Unusual), 0));
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("igniter-wal-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("app.log");
    std::fs::write(&path, b"HEAD").expect("header");
    path
}

fn frame(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    push_frame(body.as_bytes(), &mut out);
    out
}

#[test]
fn fsync_mode_makes_each_append_durable_before_it_returns() {
    let path = temp_file("fsync");
    let wal = WalWriter::open(&path, 4, 0, Durability::Fsync, Duration::ZERO, 1).expect("open");
    wal.append(&frame("one"), 1).expect("append");
    wal.append(&frame("two"), 2).expect("append");
    let status = wal.status();
    assert_eq!(
        (status.durable_seq, status.syncs, status.pending_bytes),
        (2, 2, 0)
    );
    let mut expected = b"HEAD".to_vec();
    expected.extend(frame("one"));
    expected.extend(frame("two"));
    assert_eq!(std::fs::read(&path).expect("read"), expected);
    assert_eq!(status.size, expected.len() as u64);
}

#[test]
fn group_mode_commits_on_its_thread_once_the_window_passes() {
    let path = temp_file("group");
    let wal = WalWriter::open(
        &path,
        4,
        7,
        Durability::Group,
        Duration::from_millis(5),
        1 << 20,
    )
    .expect("open");
    wal.append(&frame("eight"), 8).expect("append");
    assert_eq!(wal.status().last_seq, 8);
    // Nobody asks for a flush: the thread commits when the window ends.
    let started = std::time::Instant::now();
    while wal.status().durable_seq < 8 {
        assert!(started.elapsed() < Duration::from_secs(30), "no commit");
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = wal.status();
    assert_eq!((status.syncs, status.pending_bytes), (1, 0));
    wal.append(&frame("nine"), 9).expect("append");
    wal.sync().expect("sync");
    assert_eq!(wal.status().durable_seq, 9);
    let mut expected = b"HEAD".to_vec();
    expected.extend(frame("eight"));
    expected.extend(frame("nine"));
    assert_eq!(std::fs::read(&path).expect("read"), expected);
    wal.seal();
    let refused = wal.append(&frame("ten"), 10).expect_err("sealed");
    assert_eq!(refused.code, "ERR_CLOSED");
}

#[test]
fn a_full_buffer_is_committed_without_waiting_for_the_window() {
    let path = temp_file("full");
    let wal = WalWriter::open(
        &path,
        4,
        0,
        Durability::Group,
        Duration::from_secs(3600),
        16,
    )
    .expect("open");
    wal.append(&frame("0123456789"), 1).expect("append");
    let started = std::time::Instant::now();
    while wal.status().durable_seq < 1 {
        assert!(started.elapsed() < Duration::from_secs(30), "no commit");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(wal.status().syncs, 1);
}

#[test]
fn a_writer_whose_file_cannot_be_opened_refuses_everything_after() {
    let path = temp_file("reopen");
    let wal = WalWriter::open(&path, 4, 0, Durability::None, Duration::ZERO, 1).expect("open");
    wal.append(&frame("one"), 1).expect("append");
    let gone = path.with_file_name("gone.log");
    let missing = wal.reopen(&gone, 4, 0).expect_err("no such file");
    assert_eq!(missing.code, "ENOENT");
    assert_eq!(
        wal.append(&frame("two"), 2).expect_err("failed before"),
        missing
    );
    assert!(wal.status().failed);
    // A rewrite that made a new log clears the failure.
    wal.reopen(&path, 4 + frame("one").len() as u64, 1)
        .expect("reopen");
    wal.append(&frame("two"), 2).expect("append");
    let mut expected = b"HEAD".to_vec();
    expected.extend(frame("one"));
    expected.extend(frame("two"));
    assert_eq!(std::fs::read(&path).expect("read"), expected);
}

#[test]
fn a_sync_in_group_mode_commits_without_waiting_for_the_window() {
    let path = temp_file("sync-caller");
    let wal = WalWriter::open(
        &path,
        4,
        0,
        Durability::Group,
        Duration::from_secs(3600),
        1 << 20,
    )
    .expect("open");
    wal.append(&frame("one"), 1).expect("append");
    wal.sync().expect("sync");
    let status = wal.status();
    assert_eq!(
        (status.durable_seq, status.syncs, status.pending_bytes),
        (1, 1, 0)
    );
    // Nothing new: a second sync commits nothing.
    wal.sync().expect("sync");
    assert_eq!(wal.status().syncs, 1);
    let mut expected = b"HEAD".to_vec();
    expected.extend(frame("one"));
    assert_eq!(std::fs::read(&path).expect("read"), expected);
    assert_eq!(wal.status().size, expected.len() as u64);
}

#[test]
fn frames_appended_while_the_thread_is_awake_are_committed_within_the_window() {
    let path = temp_file("awake");
    let wal = WalWriter::open(
        &path,
        4,
        0,
        Durability::Group,
        Duration::from_millis(20),
        1 << 20,
    )
    .expect("open");
    let mut expected = b"HEAD".to_vec();
    // After its first commit the thread sleeps a window at a time instead of parking, so the
    // later appends (into an empty buffer, without waking it) still reach the disk.
    for seq in 1..=3_u64 {
        let body = format!("fact {seq}");
        wal.append(&frame(&body), seq).expect("append");
        expected.extend(frame(&body));
        let started = std::time::Instant::now();
        while wal.status().durable_seq < seq {
            assert!(started.elapsed() < Duration::from_secs(30), "no commit");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert_eq!(wal.status().syncs, 3);
    assert_eq!(std::fs::read(&path).expect("read"), expected);
}

#[test]
fn concurrent_syncs_and_appends_keep_every_frame_in_order() {
    let path = temp_file("concurrent");
    let wal = std::sync::Arc::new(
        WalWriter::open(
            &path,
            4,
            0,
            Durability::Group,
            Duration::from_millis(1),
            1 << 20,
        )
        .expect("open"),
    );
    let syncers: Vec<_> = (0..3)
        .map(|_| {
            let wal = std::sync::Arc::clone(&wal);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    wal.sync().expect("sync");
                }
            })
        })
        .collect();
    let mut expected = b"HEAD".to_vec();
    for seq in 1..=2_000_u64 {
        let body = format!("fact {seq}");
        wal.append(&frame(&body), seq).expect("append");
        expected.extend(frame(&body));
        if seq % 100 == 0 {
            wal.sync().expect("sync");
            assert!(wal.status().durable_seq >= seq);
        }
    }
    for syncer in syncers {
        syncer.join().expect("syncer");
    }
    wal.sync().expect("sync");
    let status = wal.status();
    assert_eq!((status.durable_seq, status.pending_bytes), (2_000, 0));
    assert_eq!(std::fs::read(&path).expect("read"), expected);
}
