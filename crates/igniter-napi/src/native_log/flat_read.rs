//! The read of a flat JSON object's members for the JS decoder ([`FlatShapes::read`]), done on
//! the bytes a value read has in hand anyway: Rust checks which keys the object has (one
//! comparison of its key sequence with a known one) and parses its numbers, and JS only takes
//! the strings out of the text at the offsets written here and builds the object with the
//! factory of its shape (`packages/core/src/engine/flat-json.ts`). Measured on the peers
//! workload's values, the key checks and number parsing were most of the JS decode.
//!
//! What `out` holds after a read (indexes from [`FLAT_AT`]): the shape's id, or -1 when the
//! text is not read here; then two numbers per member, in text order: a string's start and
//! end (UTF-16 offsets in the text, which is ASCII), or [`NUMBER`] and the number, [`BOOLEAN`]
//! and 1 or 0, [`NULL`] and 0; or, for the few distinct short strings a member keeps having
//! (a status, a region), [`KEPT`] and the string's index among those the member keeps, or the
//! string's start and `-(end + 1)`: the string is new, and JS appends it to the member's kept
//! strings (so both sides number them alike, in order of first sight; see [`Kept`]).
//!
//! A shape's id names one exact key sequence for the life of the log; ids are given in order
//! of first sight, up to [`MAX_SHAPES`]. Only texts JS's flat decoder reads exactly are read:
//! ASCII, no backslash, an object of 1 to [`MAX_MEMBERS`] members each a string, number,
//! boolean or null, no key `__proto__` or starting with a digit, nothing between the tokens.

/// Where in `out` the shape id goes (`out[0]` is `readValue`'s slot).
pub(crate) const FLAT_AT: usize = 1;
/// Most members of a shape (as the JS decoder's `MAX_MEMBERS`).
pub(crate) const MAX_MEMBERS: usize = 32;
/// Numbers of `out` a flat read needs.
pub(crate) const FLAT_OUT: usize = FLAT_AT + 1 + 2 * MAX_MEMBERS;
/// Most shapes given an id.
const MAX_SHAPES: usize = 64;
/// Most bytes of a key sequence (keys each followed by a zero byte).
const MAX_SKELETON: usize = 1024;

/// Member kinds written instead of a string's start.
pub(crate) const NUMBER: f64 = -1.0;
pub(crate) const BOOLEAN: f64 = -2.0;
pub(crate) const NULL: f64 = -3.0;
pub(crate) const KEPT: f64 = -4.0;

/// Distinct strings kept per member (as the JS decoder's `RecentStrings`).
const MAX_KEPT: usize = 16;
/// Longest string kept.
const MAX_KEPT_LENGTH: usize = 32;
/// Reads after which a member whose strings mostly miss stops looking (it has too many).
const TRIAL: u32 = 256;
/// Places of the kept strings' table (a power of two, a few times `MAX_KEPT`).
const PLACES: usize = 64;

/// The key sequences seen, by id.
#[derive(Debug, Default)]
pub(crate) struct FlatShapes {
    shapes: Vec<Shape>,
    /// The id matched last, tried first.
    last: usize,
}

#[derive(Debug)]
struct Shape {
    /// Each key followed by a zero byte.
    skeleton: Box<[u8]>,
    /// The text before each member's value: `{"key":` for the first, `,"key":` for the others.
    prefixes: Vec<Box<[u8]>>,
    /// Per member, the strings it keeps having.
    members: Vec<Kept>,
}

/// The few distinct short strings one member of a shape keeps having: JS keeps the same
/// strings, in the same order (it appends each one this side tells it is new), so a value
/// read hands out the string JS holds instead of a copy per value. A member with more
/// distinct values than it keeps stops looking after a trial, as the JS decoder's do.
///
/// A string has one place in a small table, from its length and its first and last bytes,
/// so a lookup compares one candidate: two strings that would share a place are not both
/// kept (the second is sliced each time, still exact).
#[derive(Debug)]
struct Kept {
    strings: Vec<Box<[u8]>>,
    /// Per place, one more than the index of the string kept there (0: none).
    places: [u8; PLACES],
    hits: u32,
    misses: u32,
    off: bool,
}

impl Default for Kept {
    fn default() -> Self {
        Self {
            strings: Vec::new(),
            places: [0; PLACES],
            hits: 0,
            misses: 0,
            off: false,
        }
    }
}

impl Kept {
    /// What `out` gets for the string `bytes` at `start`..`end` (see the module's doc).
    fn pair(&mut self, bytes: &[u8], start: f64, end: f64) -> (f64, f64) {
        if self.off {
            return (start, end);
        }
        let place = match (bytes.first(), bytes.last()) {
            (Some(&first), Some(&last)) => {
                (usize::from(first) * 31 + usize::from(last) * 7 + bytes.len()) % PLACES
            }
            _ => 0,
        };
        let held = self.places.get(place).copied().unwrap_or(0);
        if held > 0 {
            let index = usize::from(held - 1);
            if self.strings.get(index).is_some_and(|kept| **kept == *bytes) {
                self.hits += 1;
                return (KEPT, index as f64);
            }
        } else if self.strings.len() < MAX_KEPT && bytes.len() <= MAX_KEPT_LENGTH {
            self.strings.push(bytes.into());
            if let Some(at) = self.places.get_mut(place) {
                *at = self.strings.len() as u8;
            }
            return (start, -(end + 1.0));
        }
        self.misses += 1;
        if self.hits + self.misses >= TRIAL && self.misses > self.hits {
            self.off = true;
            self.strings = Vec::new();
        }
        (start, end)
    }
}

impl FlatShapes {
    /// Reads `json` into `out` (at least [`FLAT_OUT`] long): its shape id and members, or -1.
    pub(crate) fn read(&mut self, json: &[u8], out: &mut [f64]) {
        let members = out.get_mut(FLAT_AT + 1..).unwrap_or_default();
        let id = match self.same_as_last(json, members) {
            Some(id) => Some(id),
            None => self.members(json, members),
        };
        if let Some(at) = out.get_mut(FLAT_AT) {
            *at = id.map_or(-1.0, |id| id as f64);
        }
    }

    /// The read of a text of the shape matched last, the common case: each member's prefix
    /// (its key and the punctuation around it) compared as a whole, no key scanned; strings
    /// are checked for a backslash or a non-ASCII byte as they are scanned. None when the
    /// text is not of that shape (or not read here at all): `members` then reads it.
    fn same_as_last(&mut self, json: &[u8], out: &mut [f64]) -> Option<usize> {
        let id = self.last;
        let shape = self.shapes.get(id)?;
        let mut at = 0usize;
        for (member, prefix) in shape.prefixes.iter().enumerate() {
            if json.get(at..at + prefix.len())? != &**prefix {
                return None;
            }
            at += prefix.len();
            let (kind, value, end) = primitive(json, at)?;
            let pair = out.get_mut(2 * member..2 * member + 2)?;
            pair[0] = kind;
            pair[1] = value;
            at = end;
        }
        if json.get(at) != Some(&b'}') || at + 1 != json.len() {
            return None;
        }
        let members = shape.prefixes.len();
        self.keep(id, json, out.get_mut(..2 * members)?);
        Some(id)
    }

    fn members(&mut self, json: &[u8], out: &mut [f64]) -> Option<usize> {
        if !json.is_ascii() || json.contains(&b'\\') {
            return None;
        }
        // The keys are compared with the shape matched last as they come; only when they
        // differ is the key sequence put together (from `keys`) to look up or add.
        let expected = self.shapes.get(self.last).map_or(&[][..], |s| &*s.skeleton);
        let mut same = true;
        let mut skeleton_len = 0usize;
        let mut keys = [(0u32, 0u32); MAX_MEMBERS];
        let mut at = 1usize;
        if json.first() != Some(&b'{') {
            return None;
        }
        for member in 0..MAX_MEMBERS {
            // The key.
            if json.get(at) != Some(&b'"') {
                return None;
            }
            let key_start = at + 1;
            let key_end = key_start + find_quote(json.get(key_start..)?)?;
            let key = json.get(key_start..key_end)?;
            if key.first().is_some_and(u8::is_ascii_digit) || key == b"__proto__" {
                return None;
            }
            let next = skeleton_len + key.len() + 1;
            same = same
                && expected.get(skeleton_len..next - 1) == Some(key)
                && expected.get(next - 1) == Some(&0);
            skeleton_len = next;
            *keys.get_mut(member)? = (key_start as u32, key_end as u32);
            if json.get(key_end + 1) != Some(&b':') {
                return None;
            }
            at = key_end + 2;
            // The value.
            let (kind, value, end) = primitive(json, at)?;
            let pair = out.get_mut(2 * member..2 * member + 2)?;
            pair[0] = kind;
            pair[1] = value;
            at = end;
            match json.get(at) {
                Some(b',') => at += 1,
                Some(b'}') if at + 1 == json.len() => {
                    let id = if same && skeleton_len == expected.len() {
                        self.last
                    } else {
                        self.id(&skeleton(json, keys.get(..=member)?, skeleton_len)?)?
                    };
                    self.keep(id, json, out.get_mut(..2 * member + 2)?);
                    return Some(id);
                }
                _ => return None,
            }
        }
        None
    }

    /// The id of `skeleton`, given one now if it is new and there is room.
    fn id(&mut self, skeleton: &[u8]) -> Option<usize> {
        let id = match self.shapes.iter().position(|s| *s.skeleton == *skeleton) {
            Some(id) => id,
            None if self.shapes.len() < MAX_SHAPES => {
                let prefixes: Vec<Box<[u8]>> = skeleton
                    .strip_suffix(&[0])
                    .unwrap_or_default()
                    .split(|&b| b == 0)
                    .enumerate()
                    .map(|(i, key)| {
                        let mut prefix = Vec::with_capacity(key.len() + 4);
                        prefix.push(if i == 0 { b'{' } else { b',' });
                        prefix.push(b'"');
                        prefix.extend_from_slice(key);
                        prefix.extend_from_slice(b"\":");
                        prefix.into()
                    })
                    .collect();
                self.shapes.push(Shape {
                    skeleton: skeleton.into(),
                    members: prefixes.iter().map(|_| Kept::default()).collect(),
                    prefixes,
                });
                self.shapes.len() - 1
            }
            None => return None,
        };
        self.last = id;
        Some(id)
    }

    /// Rewrites the string members of `out` (read from `json`, of shape `id`) as kept strings.
    fn keep(&mut self, id: usize, json: &[u8], out: &mut [f64]) {
        let Some(shape) = self.shapes.get_mut(id) else {
            return;
        };
        for (kept, pair) in shape.members.iter_mut().zip(out.chunks_exact_mut(2)) {
            let (start, end) = (pair[0], pair[1]);
            if start < 0.0 {
                continue;
            }
            let Some(bytes) = json.get(start as usize..end as usize) else {
                continue;
            };
            (pair[0], pair[1]) = kept.pair(bytes, start, end);
        }
    }
}

/// The key sequence of `json` (each key followed by a zero byte), from where its keys are.
fn skeleton(json: &[u8], keys: &[(u32, u32)], len: usize) -> Option<Vec<u8>> {
    if len > MAX_SKELETON {
        return None;
    }
    let mut skeleton = Vec::with_capacity(len);
    for &(start, end) in keys {
        skeleton.extend_from_slice(json.get(start as usize..end as usize)?);
        skeleton.push(0);
    }
    Some(skeleton)
}

/// The primitive value at `at`: its kind (a string's start), value (a string's end) and where
/// it ends.
fn primitive(json: &[u8], at: usize) -> Option<(f64, f64, usize)> {
    match *json.get(at)? {
        b'"' => {
            let rest = json.get(at + 1..)?;
            let stop = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || !b.is_ascii())?;
            if rest.get(stop) != Some(&b'"') {
                return None;
            }
            let end = at + 1 + stop;
            Some(((at + 1) as f64, end as f64, end + 1))
        }
        b't' => literal(json, at, b"true", BOOLEAN, 1.0),
        b'f' => literal(json, at, b"false", BOOLEAN, 0.0),
        b'n' => literal(json, at, b"null", NULL, 0.0),
        b'-' | b'0'..=b'9' => {
            let len = json
                .get(at..)?
                .iter()
                .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))?;
            let text = json.get(at..at + len)?;
            Some((NUMBER, number(text)?, at + len))
        }
        _ => None,
    }
}

/// Digits below which a decimal is an exact integer over an exact power of ten.
const EXACT_DIGITS: usize = 15;
const POW10: [f64; EXACT_DIGITS + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The number a JSON number's text denotes, as JSON.parse gives it: a decimal of at most 15
/// digits without exponent is an integer below 2^53 over a power of ten, both exact, so one
/// division rounds it correctly; anything else goes to Rust's parse, also correctly rounded.
fn number(text: &[u8]) -> Option<f64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa = 0u64;
    let mut count = 0usize;
    let mut fraction: Option<usize> = None;
    let mut plain = digits.len() <= EXACT_DIGITS + 1;
    for &b in digits {
        match b {
            b'0'..=b'9' if plain => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                if let Some(f) = fraction.as_mut() {
                    *f += 1;
                }
            }
            b'.' if fraction.is_none() && count > 0 => fraction = Some(0),
            _ => plain = false,
        }
    }
    if plain && count > 0 && count <= EXACT_DIGITS && fraction != Some(0) {
        let magnitude = mantissa as f64 / POW10.get(fraction.unwrap_or(0))?;
        return Some(if negative { -magnitude } else { magnitude });
    }
    // ASCII, so the bytes are a `str`.
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn literal(
    json: &[u8],
    at: usize,
    word: &[u8],
    kind: f64,
    value: f64,
) -> Option<(f64, f64, usize)> {
    (json.get(at..at + word.len())? == word).then_some((kind, value, at + word.len()))
}

/// The offset of the first `"` in `bytes`.
fn find_quote(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'"')
}

#[cfg(test)]
#[path = "flat_read_tests.rs"]
mod tests;
