//! Writing a log's state as an image (see the module documentation of [`super`]).
//!
//! The index section starts 8-aligned in the file (zero bytes pad the payload), so that the
//! parts an open maps as they are lie aligned. In order: `u64` count and the record chunk
//! CRC-32s as `u32`s (first, so that an open checks the records while it reads the rest);
//! `u32` store count; per store its name, `u32` key count, `u32` slot count, its key tables
//! (see `keys.rs`: a hash table, the keys' entries, facts and names, mapped at open) and its
//! slots as `u32`s; `u32` count and the store order; padding to 4, `u64` count and the sorted
//! ids as `(16 bytes, u32 slot)` (mapped at open); the same for the out-of-order ids; `u64`
//! count and the text ids as `(string, u32 slot)`; `u32` count and per store index its tally
//! as `(u64 facts, u64 frame bytes)`; `u32` count and the distinct producers' JSON of the
//! records a store restores from (the first one empty), then `u64` count and those records
//! (with a producer or an idempotency key, what `FactLog::restorable` looks at) as `(u32 index,
//! u32 producer number, u32 1 if it has an idempotency key)`. A string is a `u32` byte length
//! and its UTF-8 bytes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::super::record::{Record, HAS_IDEMPOTENCY_KEY, RESTORE_FLAGS};
use super::super::{FactLog, FactView};
use super::{Header, LogTie, Section, SnapshotTie, CHUNK_RECORDS, HEADER_BYTES, RECORDS_ALIGN};
use crate::replay::StoreTally;

/// The bytes of records, as the image stores them.
fn record_bytes(records: &[Record]) -> &[u8] {
    // SAFETY: `Record` is `repr(C)` of integers, floats and byte arrays with no padding
    // (its fields add up to its size, 256), so its bytes are initialized and may be read as
    // `u8`s for as long as the records are borrowed.
    unsafe {
        std::slice::from_raw_parts(
            records.as_ptr().cast::<u8>(),
            std::mem::size_of_val(records),
        )
    }
}

/// Writes the image of `log` to `temp` (not fsynced, see below); the caller renames it into
/// place once it knows the snapshot is still current. `tally` is the per-store tally of the snapshot's frames
/// (indexed like the log's stores), `tie` the snapshot's identity.
///
/// # Errors
/// The I/O error of a failed create or write (`temp` is then removed).
///
/// Cost: one sequential write of the records, payload and indexes.
pub fn write_image(
    log: &FactLog,
    tally: &[StoreTally],
    tie: SnapshotTie,
    temp: &Path,
) -> std::io::Result<()> {
    write_tied(log, tally, (tie, LogTie::default()), temp)
}

/// [`write_image`] with the tie of the log bytes the image covers too (an open's image).
pub(super) fn write_tied(
    log: &FactLog,
    tally: &[StoreTally],
    tie: (SnapshotTie, LogTie),
    temp: &Path,
) -> std::io::Result<()> {
    let written = write_temp(log, tally, tie, temp);
    if written.is_err() {
        // Best effort: the temp file is garbage either way, and the open removes stale ones.
        let _ = std::fs::remove_file(temp);
    }
    written
}

fn write_temp(
    log: &FactLog,
    tally: &[StoreTally],
    (tie, log_tie): (SnapshotTie, LogTie),
    temp: &Path,
) -> std::io::Result<()> {
    let file = File::create(temp)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(&[0u8; HEADER_BYTES])?;
    let record_offset = (HEADER_BYTES as u64).next_multiple_of(RECORDS_ALIGN);
    out.write_all(&vec![0u8; (record_offset - HEADER_BYTES as u64) as usize])?;

    let mut record_crc = crc32fast::Hasher::new();
    let mut chunk_crcs = Vec::new();
    let (prefix, owned) = log.records.slices();
    let mut pending: Vec<Record> = Vec::new();
    // Chunks are cut on the whole array's indexes, across the mapped prefix and the heap part.
    for part in [prefix, owned] {
        let mut rest = part;
        while !rest.is_empty() {
            let room = CHUNK_RECORDS - pending.len();
            let (take, after) = rest.split_at(room.min(rest.len()));
            if pending.is_empty() && take.len() == CHUNK_RECORDS {
                chunk_crcs.push(crc32fast::hash(record_bytes(take)));
            } else {
                pending.extend_from_slice(take);
                if pending.len() == CHUNK_RECORDS {
                    chunk_crcs.push(crc32fast::hash(record_bytes(&pending)));
                    pending.clear();
                }
            }
            out.write_all(record_bytes(take))?;
            rest = after;
        }
    }
    if !pending.is_empty() {
        chunk_crcs.push(crc32fast::hash(record_bytes(&pending)));
    }
    let record_len = (log.records.len() * std::mem::size_of::<Record>()) as u64;
    // The section's CRC-32 from the chunks' (no second pass over the records).
    let chunk_bytes = (CHUNK_RECORDS * std::mem::size_of::<Record>()) as u64;
    for (index, &crc) in chunk_crcs.iter().enumerate() {
        let len = chunk_bytes.min(record_len - index as u64 * chunk_bytes);
        record_crc.combine(&crc32fast::Hasher::new_with_initial_len(crc, len));
    }
    out.write_all(&log.payload)?;
    let payload_offset = record_offset + record_len;
    // The index starts 8-aligned: its key tables are mapped as they are.
    let index_offset = (payload_offset + log.payload.len() as u64).next_multiple_of(8);
    out.write_all(
        &[0u8; 8][..(index_offset - payload_offset - log.payload.len() as u64) as usize],
    )?;
    let index = index_bytes(log, tally, &chunk_crcs);
    out.write_all(&index)?;
    let header = Header {
        tie,
        log: log_tie,
        high_seq: log.high_seq,
        records: log.records.len() as u64,
        payload_len: log.payload.len() as u64,
        record_section: Section {
            offset: record_offset,
            len: record_len,
            crc: record_crc.finalize(),
        },
        payload_section: Section {
            offset: payload_offset,
            len: log.payload.len() as u64,
            crc: crc32fast::hash(&log.payload),
        },
        index_section: Section {
            offset: index_offset,
            len: index.len() as u64,
            crc: crc32fast::hash(&index),
        },
    };
    let mut file = out.into_inner().map_err(|error| error.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    // Not fsynced: the image is an accelerator whose every part is checked against a CRC-32 at
    // open, so pages a power loss kept from the disk make it refused, never served; an fsync
    // of the whole image would double the disk writes a checkpoint waits for.
    file.write_all(&header.encode())
}

/// The index section (see the module documentation).
fn index_bytes(log: &FactLog, tally: &[StoreTally], chunk_crcs: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    let text = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(&(text.len() as u32).to_ne_bytes());
        out.extend_from_slice(text.as_bytes());
    };
    out.extend_from_slice(&(chunk_crcs.len() as u64).to_ne_bytes());
    for crc in chunk_crcs {
        out.extend_from_slice(&crc.to_ne_bytes());
    }
    out.extend_from_slice(&(log.stores.len() as u32).to_ne_bytes());
    for store in &log.stores {
        text(&mut out, &store.name);
        out.extend_from_slice(&(store.key_names.len() as u32).to_ne_bytes());
        out.extend_from_slice(&(store.slots.len() as u32).to_ne_bytes());
        super::keys::write_keys(&mut out, store);
        for slot in &store.slots {
            out.extend_from_slice(&slot.to_ne_bytes());
        }
    }
    out.extend_from_slice(&(log.store_order.len() as u32).to_ne_bytes());
    for index in &log.store_order {
        out.extend_from_slice(&index.to_ne_bytes());
    }
    for ids in [
        log.sorted_ids.iter().collect::<Vec<_>>(),
        log.by_uuid.iter().map(|(id, slot)| (*id, *slot)).collect(),
    ] {
        // Aligned to 4 (it is already: the store order's `u32`s end there): the sorted ids
        // are mapped as they are.
        out.resize(out.len().next_multiple_of(4), 0);
        out.extend_from_slice(&(ids.len() as u64).to_ne_bytes());
        for (id, slot) in ids {
            out.extend_from_slice(&id);
            out.extend_from_slice(&slot.to_ne_bytes());
        }
    }
    out.extend_from_slice(&(log.by_text_id.len() as u64).to_ne_bytes());
    for (id, slot) in &log.by_text_id {
        text(&mut out, id);
        out.extend_from_slice(&slot.to_ne_bytes());
    }
    out.extend_from_slice(&(tally.len() as u32).to_ne_bytes());
    for store in tally {
        out.extend_from_slice(&store.facts.to_ne_bytes());
        out.extend_from_slice(&store.bytes.to_ne_bytes());
    }
    let restorable: Vec<_> = log
        .records
        .iter()
        .enumerate()
        .filter(|(_, record)| record.flags & RESTORE_FLAGS != 0)
        .collect();
    // Each distinct producer once (a store's facts share a few), the first the empty one.
    let mut producers: Vec<&str> = vec![""];
    let mut numbers: HashMap<&str, u32> = HashMap::from([("", 0)]);
    let mut entries = Vec::with_capacity(restorable.len() * 12);
    for (index, record) in restorable {
        let producer = FactView { log, record }.producer_json().unwrap_or_default();
        let number = *numbers.entry(producer).or_insert_with(|| {
            producers.push(producer);
            producers.len() as u32 - 1
        });
        let idempotent = u32::from(record.flags & HAS_IDEMPOTENCY_KEY != 0);
        for word in [index as u32, number, idempotent] {
            entries.extend_from_slice(&word.to_ne_bytes());
        }
    }
    out.extend_from_slice(&(producers.len() as u32).to_ne_bytes());
    for producer in producers {
        text(&mut out, producer);
    }
    out.extend_from_slice(&(entries.len() as u64 / 12).to_ne_bytes());
    out.extend_from_slice(&entries);
    out
}
