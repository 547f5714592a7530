use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{build_image, seal_image, write_image, ImageSources, SnapshotTie, HEADER_BYTES};
use crate::log::{FactLog, LoadedFact, NewFact};
use crate::replay::StoreTally;

static DIRS: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory in the temp directory, removed on drop.
pub(super) struct TempDir(PathBuf);

impl TempDir {
    pub(super) fn new() -> Self {
        let n = DIRS.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("igniter-image-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir created");
        Self(path)
    }

    pub(super) fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) const TIE: SnapshotTie = SnapshotTie {
    size: 1234,
    last_seq: 9000,
    fact_count: 9000,
    tail_crc: 77,
};

/// A log with 9000 facts over two stores (two chunks and a part), values inline and in the
/// arena, text ids, out-of-order ids, a producer and a key with many facts.
pub(super) fn sample() -> FactLog {
    let mut log = FactLog::new(1 << 20);
    let big = format!(r#"{{"text":"{}"}}"#, "x".repeat(300));
    for n in 0..9000u32 {
        let store = if n % 3 == 0 { "orders" } else { "users" };
        let key = format!("k{}", n % 700);
        let value = if n % 10 == 0 {
            big.clone()
        } else {
            format!(r#"{{"n":{n}}}"#)
        };
        let mut fact = NewFact::new(store, &key, &value, 1000.0 + f64::from(n));
        let producer = r#"{"by":"test"}"#;
        if n % 500 == 0 {
            fact.producer_json = Some(producer);
            fact.valid_time = Some(5.0);
        }
        log.append(&[fact]).expect("appended");
    }
    let mut odd = NewFact::new("users", "odd", "1", 20_000.0);
    odd.idempotency_key = Some("idem");
    for (id, seq) in [
        ("not-a-uuid", 9001),
        ("00000000-0000-7000-8000-000000000001", 9002),
    ] {
        log.load(&LoadedFact {
            id,
            seq,
            value_hash: "weird",
            fact: odd,
        })
        .expect("loaded");
    }
    log
}

/// Everything a reader can see of a log, as text.
pub(super) fn dump(log: &FactLog) -> String {
    let mut out = String::new();
    for slot in log.all(None, None) {
        let fact = log.view(slot).expect("live");
        out += &format!(
            "{} {} {:?} {} {} {} {} {} {:?} {:?} {:?} {:?} {:?}\n",
            fact.seq(),
            fact.id(),
            fact.valid_time(),
            fact.transaction_time(),
            fact.store(),
            fact.key(),
            fact.value_json(),
            fact.value_hash(),
            fact.causation(),
            fact.producer_json(),
            fact.derivation_json(),
            fact.idempotency_key(),
            log.by_id(&fact.id()),
        );
    }
    for store in log.stores() {
        out += &format!("store {store} {:?}\n", log.store_counts(store));
        for key in log.keys(store) {
            let latest = log.latest_for(store, key, None).map(|fact| fact.seq());
            let as_of = log
                .latest_for(store, key, Some(3000.0))
                .map(|fact| fact.seq());
            let facts = log.facts_for(store, Some(key), None, Some(5000.0));
            out += &format!("  {key} {latest:?} {as_of:?} {facts:?}\n");
        }
    }
    out += &format!("restorable {:?}\n", log.restorable("test"));
    out += &format!("last {}\n", log.last_seq());
    out
}

fn tally() -> Vec<StoreTally> {
    vec![
        StoreTally {
            facts: 3000,
            bytes: 1,
        },
        StoreTally {
            facts: 6002,
            bytes: 2,
        },
    ]
}

pub(super) fn written(dir: &TempDir, log: &FactLog) -> PathBuf {
    let path = dir.file("app.log.image");
    write_image(log, &tally(), TIE, &path).expect("written");
    path
}

#[test]
fn an_opened_image_reads_exactly_like_the_log_it_was_written_from() {
    let dir = TempDir::new();
    let log = sample();
    let path = written(&dir, &log);
    let mut opened = FactLog::new(1 << 20);
    let open = opened.open_image(&path, TIE).expect("opened");
    assert_eq!(open.records, 9002);
    assert_eq!(open.tally, tally());
    assert_eq!(opened.records.mapped_len(), 9002);
    assert_eq!(dump(&opened), dump(&log));
}

#[test]
fn a_log_opened_from_an_image_takes_appends_undoes_them_and_removes_facts_like_the_original() {
    let dir = TempDir::new();
    let mut log = sample();
    let path = written(&dir, &log);
    let mut opened = FactLog::new(1 << 20);
    opened.open_image(&path, TIE).expect("opened");
    for each in [&mut log, &mut opened] {
        each.append(&[NewFact::new("users", "k1", "[1]", 30_000.0)])
            .expect("appended");
        each.append(&[NewFact::new("new", "n", "2", 30_001.0)])
            .expect("appended");
    }
    // Ids are minted at random: compare everything but them.
    let strip = |log: &FactLog| {
        dump(log)
            .lines()
            .map(|line| {
                line.split(' ')
                    .filter(|part| part.len() != 36)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&opened), strip(&log));
    for each in [&mut log, &mut opened] {
        // Into the mapped part: the prefix is copied to the heap first.
        each.truncate_after(8000);
    }
    assert_eq!(opened.records.mapped_len(), 0);
    assert_eq!(dump(&opened), dump(&log));
    for each in [&mut log, &mut opened] {
        let slots = each.find_ids(["not-a-uuid"].into_iter().chain([]));
        assert!(slots.is_empty());
        each.remove_slots(&[0, 5, 7000]);
    }
    assert_eq!(dump(&opened), dump(&log));
}

/// Opens `path` into a new log and returns the refusal's reason.
pub(super) fn refusal(path: &std::path::Path, tie: SnapshotTie) -> String {
    let mut log = FactLog::new(1 << 20);
    let refused = log.open_image(path, tie).expect_err("refused");
    assert_eq!(log.len(), 0);
    assert_eq!(log.stores().count(), 0);
    refused.reason
}

#[test]
fn a_flipped_byte_in_any_section_a_truncation_or_another_snapshot_is_refused() {
    let dir = TempDir::new();
    let log = sample();
    let path = written(&dir, &log);
    let bytes = std::fs::read(&path).expect("read");
    let header = super::Header::decode(&bytes).expect("header");
    let cases = [
        (10usize, "header"),
        (
            header.record_section.offset as usize + 5000 * 256 + 100,
            "records",
        ),
        (header.payload_section.offset as usize + 3, "payload"),
        (header.index_section.offset as usize + 40, "index"),
        (bytes.len() - 1, "chunk checksums"),
    ];
    let damaged = dir.file("damaged.image");
    for (at, section) in cases {
        let mut copy = bytes.clone();
        copy[at] ^= 0x20;
        std::fs::write(&damaged, &copy).expect("written");
        let reason = refusal(&damaged, TIE);
        assert!(reason.contains("CRC-32"), "{section}: {reason}");
    }
    for len in [0, HEADER_BYTES - 1, HEADER_BYTES + 10, bytes.len() - 1] {
        std::fs::write(&damaged, &bytes[..len]).expect("written");
        let reason = refusal(&damaged, TIE);
        assert!(
            reason.contains("truncated") || reason.contains("shorter"),
            "{len}: {reason}"
        );
    }
    for tie in [
        SnapshotTie { size: 1235, ..TIE },
        SnapshotTie {
            last_seq: 8999,
            ..TIE
        },
        SnapshotTie {
            fact_count: 1,
            ..TIE
        },
        SnapshotTie {
            tail_crc: 78,
            ..TIE
        },
    ] {
        assert!(refusal(&path, tie).contains("another snapshot"));
    }
    assert_eq!(
        refusal(&dir.file("missing.image"), TIE),
        "there is no image"
    );
    std::fs::write(
        &damaged,
        b"not an image at all, but long enough for a header".repeat(9),
    )
    .expect("written");
    assert!(refusal(&damaged, TIE).contains("bad magic"));
}

#[test]
fn a_log_that_holds_facts_does_not_take_an_image() {
    let dir = TempDir::new();
    let path = written(&dir, &sample());
    let mut log = FactLog::new(1 << 20);
    log.append(&[NewFact::new("s", "k", "1", 1.0)])
        .expect("appended");
    assert!(log.open_image(&path, TIE).is_err());
    assert_eq!(log.len(), 1);
}

pub(super) fn frame(body: &str) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(&crc32fast::hash(body.as_bytes()).to_be_bytes());
    out
}

#[test]
fn an_image_built_from_a_snapshot_opens_like_its_replay_and_names_the_snapshot() {
    let dir = TempDir::new();
    let snapshot = dir.file("app.log.snapshot");
    let mut bytes = b"16-byte-header..".to_vec();
    bytes.extend(frame(r#"{"type":"snapshot","lastSeq":7,"factCount":3}"#));
    let start = bytes.len() as u64;
    for (seq, key) in [(2u64, "a"), (5, "b"), (7, "a")] {
        bytes.extend(frame(&format!(
            r#"[1,"01a21ebf-546d-7000-8000-{seq:012}",{seq},"s","{key}",{{"v":{seq}}},"{hash}",null,{tt},null,1,null,null,null]"#,
            hash = "0".repeat(64),
            tt = 1000 + seq
        )));
    }
    std::fs::write(&snapshot, &bytes).expect("written");
    let sources = |fact_count| ImageSources {
        files: vec![(std::fs::File::open(&snapshot).expect("opened"), start)],
        max_frame_bytes: 1 << 20,
        last_seq: 7,
        fact_count,
        base: None,
    };
    let image = dir.file("app.log.image");
    assert_eq!(build_image(sources(3), &image).expect("built"), None);
    // Not tied to the snapshot until sealed.
    let tie = SnapshotTie::of_file(&snapshot, 7, 3).expect("tie");
    assert!(refusal(&image, tie).contains("another snapshot"));
    assert_eq!(seal_image(&image, tie).expect("sealed"), None);
    let mut opened = FactLog::new(1 << 20);
    let open = opened.open_image(&image, tie).expect("opened");
    assert_eq!(open.tally.iter().map(|store| store.facts).sum::<u64>(), 3);
    let mut replayed = FactLog::new(1 << 20);
    let options = crate::replay::ReplayOptions::facts(start, 1 << 20);
    crate::replay::replay_file(&mut replayed, &snapshot, &options).expect("replayed");
    assert_eq!(dump(&opened), dump(&replayed));
    // Files that do not give the snapshot's count of facts give no image.
    let refused = build_image(sources(4), &dir.file("x"));
    assert!(refused
        .expect("ran")
        .is_some_and(|reason| reason.contains("3 facts, not the snapshot's 4")));
    assert_eq!(
        seal_image(&dir.file("app.log.snapshot"), tie).expect("ran"),
        Some("the file is not an image (bad magic)".to_owned())
    );
    assert!(!dir.file("x").exists());
}

#[test]
fn a_build_starts_from_the_old_snapshots_image_and_replays_only_the_log_or_everything_without_it() {
    let dir = TempDir::new();
    let fact = |seq: u64, key: &str| {
        frame(&format!(
            r#"[1,"01a21ebf-546d-7000-8000-{seq:012}",{seq},"s","{key}",{{"v":{seq}}},"{hash}",null,{tt},null,1,null,null,null]"#,
            hash = "0".repeat(64),
            tt = 1000 + seq
        ))
    };
    let snapshot = dir.file("app.log.snapshot");
    let mut bytes = b"16-byte-header..".to_vec();
    bytes.extend(frame(r#"{"type":"snapshot","lastSeq":7,"factCount":2}"#));
    let snapshot_start = bytes.len() as u64;
    bytes.extend(fact(2, "a"));
    bytes.extend(fact(7, "b"));
    std::fs::write(&snapshot, &bytes).expect("written");
    let wal = dir.file("app.log");
    let mut bytes = b"16-byte-header..".to_vec();
    bytes.extend(frame(r#"{"type":"wal","baseSeq":7}"#));
    let wal_start = bytes.len() as u64;
    for (seq, key) in [(8, "a"), (9, "c"), (10, "a")] {
        bytes.extend(fact(seq, key));
    }
    std::fs::write(&wal, &bytes).expect("written");
    let open = |path: &PathBuf| std::fs::File::open(path).expect("opened");
    let old_image = dir.file("old.image");
    let old = ImageSources {
        files: vec![(open(&snapshot), snapshot_start)],
        max_frame_bytes: 1 << 20,
        last_seq: 7,
        fact_count: 2,
        base: None,
    };
    assert_eq!(build_image(old, &old_image).expect("built"), None);
    let old_tie = SnapshotTie::of_file(&snapshot, 7, 2).expect("tie");
    assert_eq!(seal_image(&old_image, old_tie).expect("sealed"), None);
    // The new snapshot holds seqs up to 9: the log's seq 10 came after the checkpoint.
    let mut replayed = FactLog::new(1 << 20);
    let options = crate::replay::ReplayOptions::facts(snapshot_start, 1 << 20);
    crate::replay::replay_file(&mut replayed, &snapshot, &options).expect("replayed");
    let options = crate::replay::ReplayOptions {
        after_seq: 7,
        max_seq: 9,
        ..crate::replay::ReplayOptions::facts(wal_start, 1 << 20)
    };
    crate::replay::replay_file(&mut replayed, &wal, &options).expect("replayed");
    for base_tie in [old_tie, SnapshotTie { size: 1, ..old_tie }] {
        let image = dir.file("new.image");
        let sources = ImageSources {
            files: vec![(open(&snapshot), snapshot_start), (open(&wal), wal_start)],
            max_frame_bytes: 1 << 20,
            last_seq: 9,
            fact_count: 4,
            base: Some((open(&old_image), base_tie)),
        };
        assert_eq!(build_image(sources, &image).expect("built"), None);
        assert_eq!(seal_image(&image, TIE).expect("sealed"), None);
        let mut opened = FactLog::new(1 << 20);
        let open = opened.open_image(&image, TIE).expect("opened");
        assert_eq!(open.tally.iter().map(|store| store.facts).sum::<u64>(), 4);
        assert_eq!(dump(&opened), dump(&replayed));
    }
    // The base image is what the build starts from: one tied to the old snapshot but holding
    // one fact fewer gives a log one fact short, which is refused.
    let short = ImageSources {
        files: vec![(open(&snapshot), snapshot_start)],
        max_frame_bytes: 1 << 20,
        last_seq: 2,
        fact_count: 1,
        base: None,
    };
    assert_eq!(build_image(short, &old_image).expect("built"), None);
    assert_eq!(seal_image(&old_image, old_tie).expect("sealed"), None);
    let sources = ImageSources {
        files: vec![(open(&snapshot), snapshot_start), (open(&wal), wal_start)],
        max_frame_bytes: 1 << 20,
        last_seq: 9,
        fact_count: 4,
        base: Some((open(&old_image), old_tie)),
    };
    let refused = build_image(sources, &dir.file("x")).expect("ran");
    assert_eq!(
        refused.as_deref(),
        Some("the checkpoint's files gave 3 facts, not the snapshot's 4")
    );
}
