//! Compact forms of the fact log's identifiers: UUIDs as 16 bytes, SHA-256 hex as 32 bytes,
//! and the UUIDv7 generator.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

/// A UUID as its 16 bytes.
pub(crate) type Uuid = [u8; 16];

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
/// Byte offsets of the hyphens in the 36-character text form.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// Value of each byte as a lowercase hex digit, 0xff for any other byte.
const NIBBLES: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut digit = 0;
    while digit < 16 {
        table[HEX_DIGITS[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};

/// Parses lowercase hex digits into `out` (two per byte); `None` unless every byte is one.
///
/// Branch-free per digit: a table lookup, with any non-digit flagged in the high bits.
fn parse_hex_into(text: &[u8], out: &mut [u8]) -> Option<()> {
    if text.len() != out.len() * 2 {
        return None;
    }
    let mut flags = 0u8;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let high = NIBBLES[usize::from(pair[0])];
        let low = NIBBLES[usize::from(pair[1])];
        flags |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (flags & 0xf0 == 0).then_some(())
}

/// Writes `bytes` as lowercase hex into `digits` (twice as long).
fn hex_into(bytes: &[u8], digits: &mut [u8]) {
    for (&byte, pair) in bytes.iter().zip(digits.chunks_exact_mut(2)) {
        pair[0] = HEX_DIGITS[usize::from(byte >> 4)];
        pair[1] = HEX_DIGITS[usize::from(byte & 0x0f)];
    }
}

/// Appends 32 bytes (a SHA-256 digest) as 64 lowercase hex characters.
pub(crate) fn write_hex(bytes: &[u8; 32], out: &mut String) {
    let mut digits = [0u8; 64];
    hex_into(bytes, &mut digits);
    // Hex digits are ASCII.
    out.push_str(std::str::from_utf8(&digits).unwrap_or_default());
}

/// The bytes of a UUID written in the lowercase hyphenated form, the only form that is stored
/// compactly (any other text must round-trip exactly, so it is stored as text).
pub(crate) fn parse_uuid(text: &str) -> Option<Uuid> {
    let bytes = text.as_bytes();
    if bytes.len() != 36 || HYPHENS.iter().any(|&at| bytes[at] != b'-') {
        return None;
    }
    let mut id = [0u8; 16];
    parse_hex_into(&bytes[..8], &mut id[..4])?;
    parse_hex_into(&bytes[9..13], &mut id[4..6])?;
    parse_hex_into(&bytes[14..18], &mut id[6..8])?;
    parse_hex_into(&bytes[19..23], &mut id[8..10])?;
    parse_hex_into(&bytes[24..], &mut id[10..])?;
    Some(id)
}

/// Appends the lowercase hyphenated form of a UUID (36 characters).
pub(crate) fn write_uuid(id: &Uuid, out: &mut String) {
    let mut text = [b'-'; 36];
    hex_into(&id[..4], &mut text[..8]);
    hex_into(&id[4..6], &mut text[9..13]);
    hex_into(&id[6..8], &mut text[14..18]);
    hex_into(&id[8..10], &mut text[19..23]);
    hex_into(&id[10..], &mut text[24..]);
    // Hex digits and hyphens are ASCII.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// The 32 bytes of a SHA-256 digest written as 64 lowercase hex characters.
pub(crate) fn parse_sha256_hex(text: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    parse_hex_into(text.as_bytes(), &mut digest)?;
    Some(digest)
}

/// Mints UUIDv7 ids (RFC 9562): a 48-bit millisecond timestamp and 74 bits that are random
/// (wyrand, a fast non-cryptographic generator seeded from the OS: ids need to be unique, not
/// secret) for the first id of a millisecond and counted up from there for the next ones
/// (RFC 9562 §6.2, method 1), so ids minted in order sort in order.
#[derive(Debug, Clone)]
pub(crate) struct UuidV7Source {
    state: u64,
    last_millis: u64,
    /// The 74 low bits of the last id; `None` before the first.
    last_counter: Option<u128>,
}

impl UuidV7Source {
    /// A generator seeded from the OS (std's hash keys come from the OS's random source) and
    /// the clock.
    pub(crate) fn from_os() -> Self {
        let mut hasher = RandomState::new().build_hasher();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default();
        hasher.write_u128(nanos);
        hasher.write_usize(std::process::id() as usize);
        Self {
            state: hasher.finish(),
            last_millis: 0,
            last_counter: None,
        }
    }

    /// A generator with a fixed seed, for reproducible tests.
    #[cfg(test)]
    pub(crate) fn seeded(seed: u64) -> Self {
        Self {
            state: seed,
            last_millis: 0,
            last_counter: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xa076_1d64_78bd_642f);
        let product = u128::from(self.state) * u128::from(self.state ^ 0xe703_7ed1_a0b4_28db);
        ((product >> 64) as u64) ^ (product as u64)
    }

    /// A UUIDv7 whose timestamp is `ms`, as the TypeScript engine builds it: the integer part
    /// of `ms` (0 when negative or not a number), its low 48 bits big-endian. Within one
    /// millisecond each id is the previous one plus one; a random start leaves 2^72 steps.
    pub(crate) fn next(&mut self, ms: f64) -> Uuid {
        const COUNTER_BITS: u32 = 74;
        let millis = if ms.is_finite() && ms > 0.0 {
            (ms.floor() as u64) & ((1 << 48) - 1)
        } else {
            0
        };
        let random = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64()))
            & ((1 << (COUNTER_BITS - 2)) - 1);
        let counter = match self.last_counter {
            Some(last) if millis == self.last_millis && last + 1 < (1 << COUNTER_BITS) => last + 1,
            _ => random,
        };
        self.last_millis = millis;
        self.last_counter = Some(counter);
        let rand_a = (counter >> 62) as u16;
        let rand_b = (counter & ((1 << 62) - 1)) as u64;
        let mut id = [0u8; 16];
        id[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
        id[6..8].copy_from_slice(&(0x7000 | rand_a).to_be_bytes());
        id[8..].copy_from_slice(&((2 << 62) | rand_b).to_be_bytes());
        id
    }
}

/// Hashes UUID keys of the id index: their bits are mostly random already, so a multiply per
/// 8 bytes spreads them enough, at a fraction of SipHash's cost.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(29) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_sha256_hex, parse_uuid, write_hex, write_uuid, UuidV7Source};

    #[test]
    fn a_lowercase_uuid_round_trips_through_its_bytes() {
        let text = "0190f0c5-8a4b-7d3e-9f21-0123456789ab";
        let id = parse_uuid(text).expect("a valid uuid");
        let mut out = String::new();
        write_uuid(&id, &mut out);
        assert_eq!(out, text);
    }

    #[test]
    fn only_the_lowercase_hyphenated_form_is_a_compact_uuid() {
        assert!(parse_uuid("0190F0C5-8A4B-7D3E-9F21-0123456789AB").is_none());
        assert!(parse_uuid("0190f0c58a4b7d3e9f210123456789ab").is_none());
        assert!(parse_uuid("0190f0c5-8a4b-7d3e-9f21-0123456789a").is_none());
        assert!(parse_uuid("not-a-uuid").is_none());
    }

    #[test]
    fn a_sha256_hex_round_trips_through_its_bytes() {
        let text = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let digest = parse_sha256_hex(text).expect("valid hex");
        let mut out = String::new();
        write_hex(&digest, &mut out);
        assert_eq!(out, text);
        assert!(parse_sha256_hex(
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        )
        .is_none());
    }

    #[test]
    fn a_uuidv7_carries_its_timestamp_version_and_variant() {
        let mut source = UuidV7Source::seeded(7);
        let id = source.next(1_714_200_123_456.9);
        let mut text = String::new();
        write_uuid(&id, &mut text);
        let millis = u64::from_str_radix(&text.replace('-', "")[..12], 16).expect("hex");
        assert_eq!(millis, 1_714_200_123_456);
        assert_eq!(&text[14..15], "7");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(source.next(1.0)[6..], source.next(1.0)[6..]);
    }

    #[test]
    fn ids_of_one_millisecond_count_up_and_a_later_one_starts_anew() {
        let mut source = UuidV7Source::seeded(3);
        let first = source.next(5.0);
        let second = source.next(5.0);
        let later = source.next(6.0);
        assert!(first < second && second < later);
        assert_eq!(u128::from_be_bytes(second) - u128::from_be_bytes(first), 1);
        for id in [first, second, later] {
            assert_eq!(id[6] >> 4, 7);
            assert_eq!(id[8] >> 6, 2);
        }
    }

    #[test]
    fn a_negative_or_non_finite_time_gives_a_zero_timestamp() {
        let mut source = UuidV7Source::seeded(1);
        assert_eq!(source.next(-5.0)[..6], [0; 6]);
        assert_eq!(source.next(f64::NAN)[..6], [0; 6]);
    }
}
