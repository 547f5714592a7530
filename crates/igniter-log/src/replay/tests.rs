use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{replay_file, FrameDamage, ReplayOptions, ReplayStop, StoreTally};
use crate::log::FactLog;

static FILES: AtomicUsize = AtomicUsize::new(0);

/// A file of `bytes` in the temp directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8]) -> Self {
        let n = FILES.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("igniter-replay-{}-{n}", std::process::id()));
        std::fs::write(&path, bytes).expect("temp file written");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn frame(body: &str) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(&crc32fast::hash(body.as_bytes()).to_be_bytes());
    out
}

fn record(seq: u64, store: &str, key: &str, value: &str) -> String {
    format!(
        r#"[1,"01a21ebf-546d-7000-8000-{seq:012}",{seq},"{store}","{key}",{value},"{hash}",null,{tt},null,1,null,null,null]"#,
        hash = "0".repeat(64),
        tt = 1000 + seq
    )
}

/// Header stand-in (the JS side reads the real one), a metadata frame and three facts.
fn three_facts() -> (Vec<u8>, Vec<usize>) {
    let mut bytes = b"HEADER..".to_vec();
    let mut offsets = Vec::new();
    for body in [
        r#"{"type":"wal","baseSeq":0}"#.to_owned(),
        record(1, "a", "k1", r#"{"b":1,"a":[true,null]}"#),
        record(2, "b", "k1", "2"),
        record(5, "a", "k2", r#""x""#),
    ] {
        offsets.push(bytes.len());
        bytes.extend(frame(&body));
    }
    (bytes, offsets)
}

fn options(start: usize) -> ReplayOptions {
    ReplayOptions::facts(start as u64, 1 << 20)
}

#[test]
fn the_metadata_frame_is_handed_back_alone() {
    let (bytes, offsets) = three_facts();
    let file = TempFile::new(&bytes);
    let mut log = FactLog::new(1 << 20);
    let mut meta = options(8);
    meta.meta_only = true;
    let report = replay_file(&mut log, &file.0, &meta).expect("replayed");
    assert_eq!(
        report.meta.as_deref(),
        Some(r#"{"type":"wal","baseSeq":0}"#)
    );
    assert_eq!(report.end, offsets[1] as u64);
    assert_eq!(report.stop, ReplayStop::End);
    assert_eq!(log.len(), 0);
}

#[test]
fn fact_frames_load_with_canonical_values_and_a_tally_per_store() {
    let (bytes, offsets) = three_facts();
    let file = TempFile::new(&bytes);
    let mut log = FactLog::new(1 << 20);
    let report = replay_file(&mut log, &file.0, &options(offsets[1])).expect("replayed");
    assert_eq!(report.stop, ReplayStop::End);
    assert_eq!(report.end, bytes.len() as u64);
    assert_eq!(report.size, bytes.len() as u64);
    assert_eq!((report.loaded, report.max_seq), (3, 5));
    let sizes: Vec<u64> = offsets.windows(2).map(|w| (w[1] - w[0]) as u64).collect();
    let last = (bytes.len() - offsets[3]) as u64;
    assert_eq!(
        report.tally,
        vec![
            StoreTally {
                facts: 2,
                bytes: sizes[1] + last
            },
            StoreTally {
                facts: 1,
                bytes: sizes[2]
            },
        ]
    );
    let fact = log.latest_for("a", "k1", None).expect("loaded");
    assert_eq!(fact.value_json(), r#"{"a":[true,null],"b":1}"#);
    assert_eq!(fact.id(), "01a21ebf-546d-7000-8000-000000000001");
    assert_eq!(fact.transaction_time(), 1001.0);
    assert_eq!(log.last_seq(), 5);
}

#[test]
fn facts_a_snapshot_holds_are_checked_but_not_loaded() {
    let (bytes, offsets) = three_facts();
    let file = TempFile::new(&bytes);
    let mut log = FactLog::new(1 << 20);
    let mut skip = options(offsets[1]);
    skip.skip_through = 2;
    let report = replay_file(&mut log, &file.0, &skip).expect("replayed");
    assert_eq!((report.loaded, report.max_seq, log.len()), (1, 5, 1));
}

#[test]
fn a_seq_out_of_bounds_is_left_to_the_js_decoder() {
    let (bytes, offsets) = three_facts();
    let file = TempFile::new(&bytes);
    let mut after = options(offsets[1]);
    after.after_seq = 1;
    let report = replay_file(&mut FactLog::new(1 << 20), &file.0, &after).expect("replayed");
    assert_eq!(
        report.stop,
        ReplayStop::Unsupported {
            offset: offsets[1] as u64,
            reason: "seq 1 after seq 1".to_owned()
        }
    );
    let mut capped = options(offsets[1]);
    capped.max_seq = 4;
    let report = replay_file(&mut FactLog::new(1 << 20), &file.0, &capped).expect("replayed");
    assert_eq!(
        report.stop,
        ReplayStop::Unsupported {
            offset: offsets[3] as u64,
            reason: "seq 5 after seq 2".to_owned()
        }
    );
    assert_eq!((report.loaded, report.end), (2, offsets[3] as u64));
}

#[test]
fn a_torn_tail_stops_the_replay_at_every_cut() {
    let (bytes, offsets) = three_facts();
    for cut in offsets[3] + 1..bytes.len() {
        let file = TempFile::new(&bytes[..cut]);
        let mut log = FactLog::new(1 << 20);
        let report = replay_file(&mut log, &file.0, &options(offsets[1])).expect("replayed");
        assert_eq!(
            report.stop,
            ReplayStop::Damage {
                offset: offsets[3] as u64,
                damage: FrameDamage::Incomplete
            },
            "cut at {cut}"
        );
        assert_eq!(
            (report.loaded, report.end, log.len()),
            (2, offsets[3] as u64, 2)
        );
    }
}

#[test]
fn damaged_empty_and_oversized_frames_are_reported_where_they_start() {
    let (bytes, offsets) = three_facts();
    let mut flipped = bytes.clone();
    flipped[offsets[2] + 10] ^= 1;
    let mut empty = bytes[..offsets[2]].to_vec();
    empty.extend([0; 8]);
    let mut huge = bytes[..offsets[2]].to_vec();
    huge.extend([0xff; 12]);
    for (bytes, damage) in [
        (flipped, FrameDamage::BadCrc),
        (empty, FrameDamage::Empty),
        (huge, FrameDamage::TooLarge),
    ] {
        let file = TempFile::new(&bytes);
        let report = replay_file(&mut FactLog::new(1 << 20), &file.0, &options(offsets[1]))
            .expect("replayed");
        assert_eq!(
            report.stop,
            ReplayStop::Damage {
                offset: offsets[2] as u64,
                damage
            }
        );
        assert_eq!((report.loaded, report.end), (1, offsets[2] as u64));
    }
}

#[test]
fn frames_larger_than_a_read_chunk_are_read_whole() {
    let big = format!(r#""{}""#, "x".repeat(super::CHUNK_BYTES + 100));
    let mut bytes = b"HEADER..".to_vec();
    bytes.extend(frame(&record(1, "a", "k", "1")));
    bytes.extend(frame(&record(2, "a", "k", &big)));
    bytes.extend(frame(&record(3, "a", "k", "3")));
    let file = TempFile::new(&bytes);
    let mut log = FactLog::new(1 << 30);
    let report =
        replay_file(&mut log, &file.0, &ReplayOptions::facts(8, 1 << 30)).expect("replayed");
    assert_eq!((report.stop, report.loaded), (ReplayStop::End, 3));
    assert_eq!(log.facts_for("a", Some("k"), None, None).len(), 3);
}
