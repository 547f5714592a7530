//! A store's key tables in an image, in the form the log maps as they are
//! ([`super::super::key_table::MappedKeys`]): an open reads their bounds, not their keys.
//!
//! Layout, inside a store's part of the index section (which starts 8-aligned in the file):
//! padding to 8, `u64` hash seed, `u64` table length (a power of two above the key count) and
//! the table's [`MappedKey`] slots (a key's at [`key_hash`]`(seed, name)` or linearly after,
//! the others zero); each key's slot number as a `u32`, by key index (as many as the store's
//! key count); padding to 8, `u64` count and the key facts (`u32` slot, 4 zero bytes, `f64`
//! time) of every key, key by key; `u64` length and the key names' UTF-8 bytes, key by key;
//! padding to 4.

use std::hash::BuildHasher;
use std::sync::Arc;

use super::super::key_index::{StoreLog, NO_SLOT};
use super::super::key_table::{key_hash, MappedKey, MappedKeys};
use super::index::Cursor;
use super::open::ImageRefusal;

fn pad(out: &mut Vec<u8>, to: usize) {
    out.resize(out.len().next_multiple_of(to), 0);
}

/// Appends `store`'s key tables to the index section being written in `out`.
pub(super) fn write_keys(out: &mut Vec<u8>, store: &StoreLog) {
    let count = store.key_names.len();
    let seed = std::collections::hash_map::RandomState::new().hash_one(count);
    // At most half full, so that a missing key's probe ends at an empty slot quickly.
    let mut table = vec![MappedKey::default(); (count * 2).next_power_of_two().max(2)];
    let mask = table.len() - 1;
    let mut positions = Vec::with_capacity(count);
    let mut facts = Vec::new();
    let mut names = Vec::new();
    let mut fact_count = 0usize;
    for (index, name) in store.key_names.iter().enumerate() {
        let entry = store.key_ids.get(name);
        let list = entry.map(|entry| entry.facts).unwrap_or_default();
        let slot = MappedKey {
            index_plus_one: index as u32 + 1,
            name_at: names.len() as u32,
            name_len: name.len() as u32,
            latest: entry.map_or(NO_SLOT, |entry| entry.latest),
            facts_at: fact_count as u32,
            facts_len: list.len() as u32,
        };
        names.extend_from_slice(name.as_bytes());
        fact_count += list.len();
        for fact in list {
            facts.extend_from_slice(&fact.slot.to_ne_bytes());
            facts.extend_from_slice(&[0u8; 4]);
            facts.extend_from_slice(&fact.time.to_ne_bytes());
        }
        let mut at = key_hash(seed, name.as_bytes()) as usize & mask;
        while table[at].index_plus_one != 0 {
            at = (at + 1) & mask;
        }
        table[at] = slot;
        positions.push(at as u32);
    }
    pad(out, 8);
    out.extend_from_slice(&seed.to_ne_bytes());
    out.extend_from_slice(&(table.len() as u64).to_ne_bytes());
    for slot in table {
        let MappedKey {
            index_plus_one,
            name_at,
            name_len,
            latest,
            facts_at,
            facts_len,
        } = slot;
        for word in [
            index_plus_one,
            name_at,
            name_len,
            latest,
            facts_at,
            facts_len,
        ] {
            out.extend_from_slice(&word.to_ne_bytes());
        }
    }
    for position in positions {
        out.extend_from_slice(&position.to_ne_bytes());
    }
    pad(out, 8);
    out.extend_from_slice(&(fact_count as u64).to_ne_bytes());
    out.extend_from_slice(&facts);
    out.extend_from_slice(&(names.len() as u64).to_ne_bytes());
    out.extend_from_slice(&names);
    pad(out, 4);
}

/// Reads the bounds of a store's key tables (`keys` keys) from `cursor`, over the index
/// section of `map`.
pub(super) fn read_keys(
    cursor: &mut Cursor<'_>,
    keys: usize,
    map: &Arc<memmap2::Mmap>,
) -> Result<MappedKeys, ImageRefusal> {
    let range = |bytes: &[u8]| {
        let start = bytes.as_ptr() as usize - map.as_ptr() as usize;
        start..start + bytes.len()
    };
    cursor.align(8)?;
    let seed = cursor.u64()?;
    let table_len = cursor.count(true)?;
    if !table_len.is_power_of_two() || table_len <= keys {
        return Err(ImageRefusal::new("an image key table has the wrong size"));
    }
    let table = range(cursor.take(table_len.saturating_mul(std::mem::size_of::<MappedKey>()))?);
    let key_bytes = range(cursor.take(keys.saturating_mul(4))?);
    cursor.align(8)?;
    let fact_count = cursor.count(true)?;
    let facts = range(cursor.take(fact_count.saturating_mul(16))?);
    let name_len = cursor.count(true)?;
    let names = range(cursor.take(name_len)?);
    cursor.align(4)?;
    Ok(MappedKeys {
        map: Arc::clone(map),
        seed,
        table,
        keys: key_bytes,
        facts,
        names,
    })
}
