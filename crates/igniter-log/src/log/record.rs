//! One fact as the log stores it: a fixed-size [`Record`], its flags, and the payload parts
//! (value, then optional text parts) that live inline in the record or in the arena.

use super::ids::{parse_sha256_hex, parse_uuid, Uuid};

/// The fact has a valid time (else it is null).
pub(super) const HAS_VALID_TIME: u16 = 1;
/// The causation is a compact UUID in `Record::causation`.
pub(super) const CAUSATION_UUID: u16 = 1 << 1;
/// The causation is text in the payload.
pub(super) const CAUSATION_TEXT: u16 = 1 << 2;
/// The id is text in the payload (not a lowercase hyphenated UUID).
pub(super) const ID_TEXT: u16 = 1 << 3;
/// The value hash is text in the payload (not 64 lowercase hex digits).
pub(super) const HASH_TEXT: u16 = 1 << 4;
pub(super) const HAS_PRODUCER: u16 = 1 << 5;
pub(super) const HAS_DERIVATION: u16 = 1 << 6;
pub(super) const HAS_IDEMPOTENCY_KEY: u16 = 1 << 7;
/// The value and optional parts are in `Record::inline`, not in the payload arena.
pub(super) const PAYLOAD_INLINE: u16 = 1 << 8;
/// Flags of the facts a store restores state from after an open (`FactLog::restorable`).
pub(super) const RESTORE_FLAGS: u16 = HAS_IDEMPOTENCY_KEY | HAS_PRODUCER;

/// Bytes of value and optional parts a record holds itself: a fact whose canonical value is
/// this small (the common case) is read from its record alone, one cache miss fewer than a
/// separate arena, whose address would only be known after the record arrived.
pub(super) const INLINE_BYTES: usize = 134;

/// The optional payload parts, in the order they follow the value, each as a little-endian
/// `u32` length and its UTF-8 bytes.
pub(super) const META_PARTS: [u16; 6] = [
    ID_TEXT,
    HASH_TEXT,
    CAUSATION_TEXT,
    HAS_PRODUCER,
    HAS_DERIVATION,
    HAS_IDEMPOTENCY_KEY,
];

/// One fact: exactly four cache lines, with its value inline when it fits.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub(super) struct Record {
    pub(super) seq: u64,
    pub(super) transaction_time: f64,
    pub(super) valid_time: f64,
    pub(super) schema_version: f64,
    pub(super) id: Uuid,
    pub(super) causation: Uuid,
    pub(super) hash: [u8; 32],
    /// Offset of the value in the payload arena (unless inline); the optional parts follow it.
    pub(super) payload: u64,
    pub(super) value_len: u32,
    pub(super) meta_len: u32,
    pub(super) store: u32,
    pub(super) key: u32,
    pub(super) flags: u16,
    /// The value and optional parts when they fit (`PAYLOAD_INLINE`).
    pub(super) inline: [u8; INLINE_BYTES],
}

const _: () = assert!(std::mem::size_of::<Record>() == 256);

impl Record {
    pub(super) fn is_inline(&self) -> bool {
        self.flags & PAYLOAD_INLINE != 0
    }
}

/// Payload bytes as text: they were written from `&str`, so they are UTF-8.
pub(super) fn text(bytes: Option<&[u8]>) -> &str {
    bytes
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// A fact's id as the log stores it: 16 bytes when it is a lowercase hyphenated UUID, else
/// its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier<'a> {
    /// The UUID's bytes.
    Uuid([u8; 16]),
    /// Any other id.
    Text(&'a str),
}

impl<'a> Identifier<'a> {
    /// The stored form of an id.
    pub fn parse(text: &'a str) -> Self {
        parse_uuid(text).map_or(Self::Text(text), Self::Uuid)
    }
}

/// A fact's value hash as the log stores it: 32 bytes when it is 64 lowercase hex digits,
/// else its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest<'a> {
    /// The SHA-256 bytes.
    Bytes([u8; 32]),
    /// Any other text.
    Text(&'a str),
}

impl<'a> Digest<'a> {
    /// The stored form of a value hash.
    pub fn parse(text: &'a str) -> Self {
        parse_sha256_hex(text).map_or(Self::Text(text), Self::Bytes)
    }
}
