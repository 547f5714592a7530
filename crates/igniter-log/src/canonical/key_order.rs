//! Object key order of RFC 8785: by UTF-16 code units, as JavaScript's default sort does.

use std::cmp::Ordering;

/// Compares two keys by their UTF-16 code units without transcoding them.
///
/// UTF-8 byte order equals code point order, which differs from UTF-16 order only when a
/// supplementary character (a surrogate pair, 0xD800..) meets a BMP character in
/// U+E000..U+FFFF. So only the first differing character needs a closer look.
pub(crate) fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    let Some(first_difference) = a_bytes.iter().zip(b_bytes).position(|(x, y)| x != y) else {
        return a_bytes.len().cmp(&b_bytes.len());
    };
    // The prefix before the difference is shared, so both differing characters start at the
    // same char boundary.
    let mut start = first_difference;
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    let a_char = a.get(start..).and_then(|rest| rest.chars().next());
    let b_char = b.get(start..).and_then(|rest| rest.chars().next());
    match (a_char, b_char) {
        (Some(x), Some(y)) => utf16_units(x).cmp(&utf16_units(y)),
        _ => a_bytes.cmp(b_bytes),
    }
}

/// A character's UTF-16 code units; a BMP character's second unit is 0, which sorts first.
fn utf16_units(c: char) -> (u16, u16) {
    let mut buffer = [0u16; 2];
    match c.encode_utf16(&mut buffer) {
        [high, low] => (*high, *low),
        [unit] => (*unit, 0),
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::cmp_utf16;
    use std::cmp::Ordering;

    fn reference_order(a: &str, b: &str) -> Ordering {
        a.encode_utf16().cmp(b.encode_utf16())
    }

    #[test]
    fn a_supplementary_character_sorts_before_a_high_bmp_character() {
        assert_eq!(cmp_utf16("\u{1F600}", "\u{FFFD}"), Ordering::Less);
        assert_eq!(cmp_utf16("\u{FFFD}", "\u{1F600}"), Ordering::Greater);
        // Code point order would say the opposite.
        assert_eq!("\u{1F600}".cmp("\u{FFFD}"), Ordering::Greater);
    }

    #[test]
    fn a_prefix_sorts_before_its_extensions() {
        assert_eq!(cmp_utf16("", "a"), Ordering::Less);
        assert_eq!(cmp_utf16("ab", "abc"), Ordering::Less);
        assert_eq!(cmp_utf16("abc", "abc"), Ordering::Equal);
    }

    #[test]
    fn agrees_with_transcoding_to_utf16_on_every_pair_of_samples() {
        let samples = [
            "",
            "a",
            "A",
            "_",
            "10",
            "9",
            "e",
            "\u{e9}",
            "\u{7f}",
            "\u{80}",
            "\u{7ff}",
            "\u{800}",
            "\u{d7ff}",
            "\u{e000}",
            "\u{ffff}",
            "\u{fffd}",
            "\u{10000}",
            "\u{1F600}",
            "\u{10ffff}",
            "a\u{1F600}",
            "a\u{fffd}",
            "a\u{e9}b",
            "a\u{e9}c",
            "\u{1F600}\u{1F601}",
            "\u{1F601}\u{1F600}",
        ];
        for a in samples {
            for b in samples {
                assert_eq!(cmp_utf16(a, b), reference_order(a, b), "{a:?} vs {b:?}");
            }
        }
    }
}
