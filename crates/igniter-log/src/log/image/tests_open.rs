//! Images an open writes (`remap.rs`): tied to the log bytes replayed, reopened, refused, and
//! used as the base of a checkpoint's build.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::tests::{dump, frame, TempDir, TIE};
use super::{build_image, seal_image, ImageSources, PrefixImage, SnapshotTie, HEADER_BYTES};
use crate::log::{FactLog, NewFact};
use crate::replay::{replay_file, ReplayOptions, StoreTally};

/// The frames of facts `seqs` (keys a, b, c in turn; every fourth value in the arena).
fn facts(seqs: std::ops::RangeInclusive<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for seq in seqs {
        let key = ["a", "b", "c"][(seq % 3) as usize];
        let value = if seq % 4 == 0 {
            format!(r#"{{"text":"{}"}}"#, "y".repeat(200))
        } else {
            format!(r#"{{"v":{seq}}}"#)
        };
        out.extend(frame(&format!(
            r#"[1,"01a21ebf-546d-7000-8000-{seq:012}",{seq},"s","{key}",{value},"{hash}",null,{tt},null,1,null,null,null]"#,
            hash = "0".repeat(64),
            tt = 1000 + seq
        )));
    }
    out
}

/// A log file holding facts 1..=`last`; returns its path and the offset of its first fact.
fn wal(dir: &TempDir, last: u64) -> (PathBuf, u64) {
    let path = dir.file("app.log");
    let mut bytes = b"16-byte-header..".to_vec();
    bytes.extend(frame(r#"{"type":"wal","baseSeq":0}"#));
    let start = bytes.len() as u64;
    bytes.extend(facts(1..=last));
    std::fs::write(&path, &bytes).expect("written");
    (path, start)
}

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("opened");
    file.write_all(bytes).expect("appended");
}

/// The log's facts from `start` on replayed into `log`, after what it holds; the facts loaded.
fn replay(log: &mut FactLog, path: &Path, start: u64, max_seq: u64) -> u64 {
    let options = ReplayOptions {
        after_seq: log.last_seq(),
        max_seq,
        ..ReplayOptions::facts(start, 1 << 20)
    };
    replay_file(log, path, &options).expect("replayed").loaded
}

/// Replays the log at `path` up to seq `through` and remaps it to an image of the log's bytes
/// up to `log_end`; returns the image's path and the remapped log.
fn remapped(
    dir: &TempDir,
    path: &Path,
    start: u64,
    through: u64,
    log_end: u64,
) -> (PathBuf, FactLog) {
    let mut log = FactLog::new(1 << 20);
    replay(&mut log, path, start, through);
    let image = dir.file("app.log.image");
    let file = File::open(path).expect("opened");
    let prefix = PrefixImage {
        snapshot: SnapshotTie::default(),
        log: &file,
        log_end,
        tally: vec![(
            "s".to_owned(),
            StoreTally {
                facts: through,
                bytes: log_end - start,
            },
        )],
    };
    let temp = dir.file("app.log.image.tmp-1");
    log.remap_to_image(&prefix, &image, &temp)
        .expect("remapped");
    assert!(!temp.exists());
    (image, log)
}

/// A change to a file's bytes.
type Change = fn(&mut Vec<u8>);

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).expect("stat").len()
}

#[test]
fn an_open_maps_what_it_replayed_and_the_next_open_replays_only_the_log_after_it() {
    let dir = TempDir::new();
    let (path, start) = wal(&dir, 9000);
    let mut replayed = FactLog::new(1 << 20);
    replay(&mut replayed, &path, start, u64::MAX);
    let end = size(&path);
    let (image, mut log) = remapped(&dir, &path, start, 9000, end);
    assert_eq!(log.mapped_facts(), 9000);
    assert_eq!(dump(&log), dump(&replayed));
    // The records section's CRC-32 (combined from its chunks') is the CRC-32 of its bytes.
    let bytes = std::fs::read(&image).expect("read");
    let header = super::Header::decode(&bytes).expect("header");
    let section = header.record_section;
    let records = &bytes[section.offset as usize..(section.offset + section.len) as usize];
    assert_eq!(section.len, 9000 * 256);
    assert_eq!(section.crc, crc32fast::hash(records));
    // The remapped log takes appends as the heap log does (ids are minted: compare seqs).
    for each in [&mut log, &mut replayed] {
        let slots = each
            .append(&[NewFact::new("s", "a", "[1]", 50_000.0)])
            .expect("appended");
        assert_eq!(each.view(slots.start as u32).expect("live").seq(), 9001);
    }
    // More frames after the image's: the next open maps it and replays only those.
    append(&path, &facts(9001..=9100));
    let mut reopened = FactLog::new(1 << 20);
    let log_file = File::open(&path).expect("opened");
    let open = reopened
        .open_image_with_log(&image, SnapshotTie::default(), &log_file)
        .expect("opened");
    assert_eq!(open.log_end, end);
    assert_eq!(open.records, 9000);
    assert_eq!(
        open.tally,
        vec![StoreTally {
            facts: 9000,
            bytes: end - start
        }]
    );
    assert_eq!(replay(&mut reopened, &path, open.log_end, u64::MAX), 100);
    let mut whole = FactLog::new(1 << 20);
    replay(&mut whole, &path, start, u64::MAX);
    assert_eq!(dump(&reopened), dump(&whole));
}

/// Opens the image at `image` with the log at `path` into a new log; the refusal's reason.
fn refusal(image: &Path, tie: SnapshotTie, path: &Path) -> String {
    let mut log = FactLog::new(1 << 20);
    let file = File::open(path).expect("opened");
    let refused = log
        .open_image_with_log(image, tie, &file)
        .expect_err("refused");
    assert_eq!(log.len(), 0);
    refused.reason
}

#[test]
fn an_open_image_is_refused_when_its_log_bytes_or_snapshot_changed_or_it_is_damaged() {
    let dir = TempDir::new();
    let (path, start) = wal(&dir, 9000);
    let end = size(&path);
    let (image, _) = remapped(&dir, &path, start, 9000, end);
    let log_bytes = std::fs::read(&path).expect("read");
    let image_bytes = std::fs::read(&image).expect("read");
    let none = SnapshotTie::default();
    // Taken only with its log: a checkpoint's build or open that passes none refuses it.
    let mut log = FactLog::new(1 << 20);
    let reason = log.open_image(&image, none).expect_err("refused").reason;
    assert!(reason.contains("covers a log prefix too"), "{reason}");
    // A snapshot appeared (a checkpoint, compaction or prune since).
    assert!(refusal(&image, TIE, &path).contains("another snapshot"));
    let log_cases: [(&str, Change); 3] = [
        ("cut", |bytes| bytes.truncate(bytes.len() - 1)),
        ("last bytes", |bytes| {
            let at = bytes.len() - 10;
            bytes[at] ^= 1;
        }),
        ("header", |bytes| bytes[3] ^= 1),
    ];
    for (case, change) in log_cases {
        let mut bytes = log_bytes.clone();
        change(&mut bytes);
        std::fs::write(&path, &bytes).expect("written");
        let reason = refusal(&image, none, &path);
        let expected = if case == "cut" {
            "shorter than the prefix"
        } else {
            "no longer starts with"
        };
        assert!(reason.contains(expected), "{case}: {reason}");
    }
    std::fs::write(&path, &log_bytes).expect("written");
    let record_at = 4096 + 256 * 4500 + 17;
    let image_cases: [(&str, usize, &str); 3] = [
        ("header", 170, "header fails its CRC-32"),
        ("record", record_at, "records fail their CRC-32"),
        ("index", image_bytes.len() - 3, "section fails its CRC-32"),
    ];
    for (case, at, expected) in image_cases {
        let mut bytes = image_bytes.clone();
        bytes[at] ^= 0x40;
        std::fs::write(&image, &bytes).expect("written");
        let reason = refusal(&image, none, &path);
        assert!(reason.contains(expected), "{case}: {reason}");
    }
    std::fs::write(&image, &image_bytes[..image_bytes.len() / 2]).expect("written");
    assert!(refusal(&image, none, &path).contains("truncated"));
    std::fs::write(&image, &image_bytes[..HEADER_BYTES - 1]).expect("written");
    assert!(refusal(&image, none, &path).contains("shorter than an image header"));
    std::fs::remove_file(&image).expect("removed");
    assert_eq!(refusal(&image, none, &path), "there is no image");
}

#[test]
fn a_checkpoint_build_starts_from_an_open_image_and_replays_only_the_log_after_it() {
    let dir = TempDir::new();
    let (path, start) = wal(&dir, 30);
    let end = size(&path);
    append(&path, &facts(31..=40));
    let sources = |image: &Path| ImageSources {
        files: vec![(File::open(&path).expect("opened"), start)],
        max_frame_bytes: 1 << 20,
        last_seq: 38,
        fact_count: 38,
        base: Some((File::open(image).expect("opened"), SnapshotTie::default())),
    };
    let mut expected = FactLog::new(1 << 20);
    replay(&mut expected, &path, start, 38);
    let (image, _) = remapped(&dir, &path, start, 30, end);
    let built = dir.file("built.image");
    assert_eq!(build_image(sources(&image), &built).expect("built"), None);
    assert_eq!(seal_image(&built, TIE).expect("sealed"), None);
    let mut opened = FactLog::new(1 << 20);
    let open = opened.open_image(&built, TIE).expect("opened");
    assert_eq!((open.records, open.log_end), (38, 0));
    assert_eq!(dump(&opened), dump(&expected));
    // The build reads the log only after the image's bytes: an image of facts 1..29 that
    // claims the bytes of 1..30 gives a log one fact short, which is refused.
    let (short, _) = remapped(&dir, &path, start, 29, end);
    let refused = build_image(sources(&short), &dir.file("x")).expect("ran");
    assert_eq!(
        refused.as_deref(),
        Some("the checkpoint's files gave 37 facts, not the snapshot's 38")
    );
}
