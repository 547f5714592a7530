//! Replaying batches behind a batch marker: taken whole, or the replay stops at the marker.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{replay_file, FrameDamage, ReplayOptions, ReplayStop};
use crate::log::FactLog;
use crate::wal::{push_frame, BatchMarker, BATCH_MARKER_FRAME_BYTES};

static FILES: AtomicUsize = AtomicUsize::new(0);

fn record(seq: u64) -> String {
    format!(
        r#"[1,"01a21ebf-546d-7000-8000-{seq:012}",{seq},"s","k{seq}",{{"n":{seq}}},"{hash}",null,{tt},null,1,null,null,null]"#,
        hash = "0".repeat(64),
        tt = 1000 + seq
    )
}

/// A header stand-in, a metadata frame, fact 1 alone, then facts 2-4 behind a marker; returns
/// the bytes, the marker's offset and the offset of each frame of the batch.
fn with_batch() -> (Vec<u8>, usize, Vec<usize>) {
    let mut bytes = b"HEADER..".to_vec();
    push_frame(br#"{"type":"wal","baseSeq":0}"#, &mut bytes);
    push_frame(record(1).as_bytes(), &mut bytes);
    let marker_at = bytes.len();
    let mut frames = Vec::new();
    let mut offsets = Vec::new();
    let mut last = 0;
    for seq in 2..=4 {
        offsets.push(marker_at + BATCH_MARKER_FRAME_BYTES + frames.len());
        last = push_frame(record(seq).as_bytes(), &mut frames);
    }
    let mut marker = vec![0_u8; BATCH_MARKER_FRAME_BYTES];
    BatchMarker {
        count: 3,
        bytes: frames.len() as u64,
        last_frame_bytes: last as u32,
    }
    .write_frame(&mut marker);
    bytes.extend(marker);
    bytes.extend(frames);
    (bytes, marker_at, offsets)
}

fn replay(bytes: &[u8]) -> (FactLog, super::ReplayReport) {
    let n = FILES.fetch_add(1, Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("igniter-replay-batch-{}-{n}", std::process::id()));
    std::fs::write(&path, bytes).expect("written");
    let mut log = FactLog::new(1 << 20);
    // From the first fact frame, after the header stand-in and the metadata frame.
    let start = 8 + 8 + r#"{"type":"wal","baseSeq":0}"#.len() as u64;
    let report = replay_file(&mut log, &path, &ReplayOptions::facts(start, 1 << 20));
    let _ = std::fs::remove_file(&path);
    (log, report.expect("replayed"))
}

#[test]
fn a_whole_batch_is_loaded_and_its_marker_is_not_a_fact() {
    let (bytes, _, _) = with_batch();
    let (log, report) = replay(&bytes);
    assert_eq!(report.stop, ReplayStop::End);
    assert_eq!(log.len(), 4);
    assert_eq!(report.loaded, 4);
    assert_eq!(report.end, bytes.len() as u64);
}

#[test]
fn a_batch_cut_at_any_byte_stops_the_replay_at_its_marker_with_none_of_it_loaded() {
    let (bytes, marker_at, _) = with_batch();
    for cut in marker_at + 1..bytes.len() {
        let (log, report) = replay(&bytes[..cut]);
        let expected = ReplayStop::Damage {
            offset: marker_at as u64,
            damage: if cut < marker_at + BATCH_MARKER_FRAME_BYTES {
                FrameDamage::Incomplete
            } else {
                FrameDamage::BrokenBatch
            },
        };
        assert_eq!(report.stop, expected, "cut at {cut}");
        assert_eq!(log.len(), 1, "cut at {cut}");
        assert_eq!(report.end, marker_at as u64, "cut at {cut}");
    }
}

#[test]
fn a_batch_whose_last_frame_is_zeroed_is_not_whole() {
    let (mut bytes, marker_at, offsets) = with_batch();
    let last = offsets[2];
    bytes[last..].fill(0);
    let (log, report) = replay(&bytes);
    let expected = ReplayStop::Damage {
        offset: marker_at as u64,
        damage: FrameDamage::BrokenBatch,
    };
    assert_eq!(report.stop, expected);
    assert_eq!(log.len(), 1);
}

#[test]
fn a_damaged_frame_inside_a_whole_batch_stops_at_that_frame() {
    let (mut bytes, _, offsets) = with_batch();
    bytes[offsets[1] + 10] ^= 0xff;
    let (_, report) = replay(&bytes);
    let expected = ReplayStop::Damage {
        offset: offsets[1] as u64,
        damage: FrameDamage::BadCrc,
    };
    assert_eq!(report.stop, expected);
}
