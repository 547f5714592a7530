//! The parts of an image an open maps as they are (the key tables, the sorted ids) and the
//! check of the mapped records.

use super::tests::{dump, refusal, written, TempDir, TIE};
use crate::log::key_table::key_hash;
use crate::log::{FactLog, NewFact};

/// A log of one store with 3000 keys (the table probes past collisions), a key longer than
/// a key held inline, a key that is not ASCII, and `last`, the newest key, with one fact.
fn many_keys() -> FactLog {
    let mut log = FactLog::new(1 << 20);
    let long = "a-key-much-longer-than-twenty-two-bytes";
    for n in 0..6000u32 {
        let key = match n {
            10 => long.to_owned(),
            11 => "clé-ключ-鍵".to_owned(),
            _ => format!("k{}", n % 3000),
        };
        let value = format!("{n}");
        log.append(&[NewFact::new("s", &key, &value, 1000.0 + f64::from(n))])
            .expect("appended");
    }
    log.append(&[NewFact::new("s", "last", "1", 9000.0)])
        .expect("appended");
    log
}

/// The dump without the ids minted at random (36 characters).
fn strip(log: &FactLog) -> Vec<String> {
    dump(log)
        .lines()
        .map(|line| {
            line.split(' ')
                .filter(|part| part.len() != 36)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn key_heap(log: &FactLog) -> usize {
    log.stores
        .iter()
        .map(|store| store.key_ids.heap_bytes())
        .sum()
}

#[test]
fn image_keys_are_probed_in_place_copied_on_change_and_forgotten_like_the_originals() {
    let dir = TempDir::new();
    let mut log = many_keys();
    let path = written(&dir, &log);
    let mut opened = FactLog::new(1 << 20);
    opened.open_image(&path, TIE).expect("opened");
    // The open inserted no key: every lookup probes the mapped table.
    assert_eq!(key_heap(&opened), 0);
    assert_eq!(dump(&opened), dump(&log));
    for key in [
        "a-key-much-longer-than-twenty-two-bytes",
        "clé-ключ-鍵",
        "k2999",
    ] {
        let seq = opened.latest_for("s", key, None).map(|fact| fact.seq());
        assert_eq!(seq, log.latest_for("s", key, None).map(|fact| fact.seq()));
        assert!(seq.is_some(), "{key}");
    }
    for missing in ["k3000", "", "clé", "a-key-much-longer-than-twenty-two-byte"] {
        assert!(opened.latest_for("s", missing, None).is_none(), "{missing}");
        assert!(opened.facts_for("s", Some(missing), None, None).is_empty());
    }
    let image_last = opened.last_seq();

    // A fact for an image key copies that key to the heap; a new key goes there too.
    for each in [&mut log, &mut opened] {
        each.append(&[NewFact::new("s", "k5", "[5]", 10_000.0)])
            .expect("appended");
        each.append(&[NewFact::new("s", "fresh", "[6]", 10_001.0)])
            .expect("appended");
    }
    assert!(key_heap(&opened) > 0);
    assert_eq!(strip(&opened), strip(&log));
    assert_eq!(
        opened.facts_for("s", Some("k5"), None, None).len(),
        log.facts_for("s", Some("k5"), None, None).len()
    );

    // Undoing them: `fresh` leaves the heap table, k5 loses its new fact, the image keys stay
    // mapped.
    for each in [&mut log, &mut opened] {
        each.truncate_after(image_last);
    }
    assert_eq!(dump(&opened), dump(&log));
    assert!(opened.latest_for("s", "fresh", None).is_none());
    assert!(opened.records.mapped_len() > 0);

    // Undoing the newest image key's only fact forgets that key (the mapped table is copied
    // to the heap first); a later fact for it makes it a new key again.
    for each in [&mut log, &mut opened] {
        each.truncate_after(image_last - 1);
    }
    assert_eq!(dump(&opened), dump(&log));
    assert!(opened.latest_for("s", "last", None).is_none());
    assert!(!opened.keys("s").any(|key| key == "last"));
    for each in [&mut log, &mut opened] {
        each.append(&[NewFact::new("s", "last", "2", 10_002.0)])
            .expect("appended");
    }
    assert_eq!(strip(&opened), strip(&log));
    assert_eq!(opened.keys("s").last(), Some("last"));
}

#[test]
fn a_flipped_byte_in_a_mapped_key_name_or_id_is_refused() {
    let dir = TempDir::new();
    let log = many_keys();
    let path = written(&dir, &log);
    let bytes = std::fs::read(&path).expect("read");
    let name = b"a-key-much-longer-than-twenty-two-bytes";
    let at = bytes
        .windows(name.len())
        .rposition(|window| window == name)
        .expect("the key name is in the image");
    let id = log.view(0).expect("fact").id();
    let uuid = crate::log::ids::parse_uuid(&id).expect("a uuid");
    let id_at = bytes
        .windows(16)
        .rposition(|window| window == uuid)
        .expect("the id is in the image");
    let damaged = dir.file("damaged.image");
    for (offset, what) in [(at + 3, "key name"), (id_at + 15, "sorted id")] {
        let mut copy = bytes.clone();
        copy[offset] ^= 0x01;
        std::fs::write(&damaged, &copy).expect("written");
        let reason = refusal(&damaged, TIE);
        assert_eq!(reason, "an image section fails its CRC-32", "{what}");
    }
}

#[test]
fn the_mapped_tables_hash_is_fixed_by_this_code_and_keyed_by_the_seed() {
    // Images on disk depend on it: a change needs a new image format version.
    assert_eq!(key_hash(7, b""), 6_018_027_590_748_038_295);
    assert_eq!(key_hash(1, b"k1"), 866_778_296_361_089_291);
    assert_eq!(
        key_hash(1, b"a-key-much-longer-than-twenty-two-bytes"),
        10_267_749_095_147_834_477
    );
    assert_ne!(key_hash(1, b"k1"), key_hash(2, b"k1"));
    assert_ne!(key_hash(1, b"a"), key_hash(1, b"a\0"));
}

#[test]
fn with_two_damaged_record_chunks_the_refusal_names_the_first() {
    let dir = TempDir::new();
    // 9000 records: three chunks of 4096 records, the last one partial.
    let log = super::tests::sample();
    let path = written(&dir, &log);
    let bytes = std::fs::read(&path).expect("read");
    let header = super::Header::decode(&bytes).expect("header");
    let records = header.record_section.offset as usize;
    let chunk = super::CHUNK_RECORDS * 256;
    let damaged = dir.file("damaged.image");
    for (flipped, first) in [
        (vec![2 * chunk + 7, chunk + 9], chunk),
        (vec![2 * chunk + 7], 2 * chunk),
        (vec![chunk - 1, 2 * chunk + 7], 0),
    ] {
        let mut copy = bytes.clone();
        for at in &flipped {
            copy[records + at] ^= 0x04;
        }
        std::fs::write(&damaged, &copy).expect("written");
        assert_eq!(
            refusal(&damaged, TIE),
            format!("the image's records fail their CRC-32 in the chunk at record byte {first}"),
            "{flipped:?}"
        );
    }
}
