//! Recognizing JSON text that is already canonical, so that it can be stored as it is.
//!
//! JSON text written by `JSON.stringify` from an object whose keys are in canonical order (as
//! a store's values mostly are) is its own canonical form. Checking that costs one pass with no
//! tree and no output; anything the check is not sure about goes the full way.

use super::key_order::cmp_utf16;
use std::cmp::Ordering;

/// Objects nested deeper than this are left to the full canonicalizer.
const MAX_DEPTH: usize = 32;

/// True only when `json` is one Igniter value in exactly its canonical form: no whitespace,
/// strings without escapes or control characters, numbers as ECMAScript prints them, object
/// keys in strictly increasing UTF-16 order. False does not mean invalid.
///
/// Cost: one pass over the text; ECMAScript formatting of each non-integer number.
pub(crate) fn is_canonical(json: &str) -> bool {
    let mut check = Check {
        text: json,
        bytes: json.as_bytes(),
        at: 0,
    };
    check.value(0) && check.at == json.len()
}

struct Check<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Check<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn value(&mut self, depth: usize) -> bool {
        match self.peek() {
            Some(b'{') => depth < MAX_DEPTH && self.object(depth + 1),
            Some(b'[') => depth < MAX_DEPTH && self.array(depth + 1),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self.bytes.get(self.at..self.at + word.len()) == Some(word);
        self.at += word.len();
        found
    }

    /// A string with no escape and no control character; returns its contents.
    fn string(&mut self) -> Option<&'a str> {
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => {
                    let contents = self.text.get(start..self.at);
                    self.at += 1;
                    return contents;
                }
                b'\\' | 0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
    }

    fn object(&mut self, depth: usize) -> bool {
        self.at += 1;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return true;
        }
        let mut previous: Option<&'a str> = None;
        loop {
            if self.peek() != Some(b'"') {
                return false;
            }
            let Some(key) = self.string() else {
                return false;
            };
            let ordered = previous.is_none_or(|previous| {
                let order = if previous.is_ascii() && key.is_ascii() {
                    previous.cmp(key)
                } else {
                    cmp_utf16(previous, key)
                };
                order == Ordering::Less
            });
            if !ordered || self.peek() != Some(b':') {
                return false;
            }
            self.at += 1;
            if !self.value(depth) {
                return false;
            }
            previous = Some(key);
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    fn array(&mut self, depth: usize) -> bool {
        self.at += 1;
        if self.peek() == Some(b']') {
            self.at += 1;
            return true;
        }
        loop {
            if !self.value(depth) {
                return false;
            }
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    /// A number literal exactly as ECMAScript prints its value.
    fn number(&mut self) -> bool {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.at += 1;
        }
        let Some(literal) = self.text.get(start..self.at) else {
            return false;
        };
        let digits = literal.strip_prefix('-').unwrap_or(literal);
        let plain_integer = digits.bytes().all(|byte| byte.is_ascii_digit());
        if plain_integer && digits.len() <= 15 {
            // Exact as a double; canonical unless it has a leading zero or is -0.
            return !digits.is_empty()
                && (digits == "0" && literal == "0" || !digits.starts_with('0'));
        }
        let Ok(value) = literal.parse::<f64>() else {
            return false;
        };
        if !value.is_finite() {
            return false;
        }
        let mut printed = String::new();
        super::write::write_number(value, &mut printed);
        printed == literal
    }
}

#[cfg(test)]
mod tests {
    use super::is_canonical;
    use crate::canonical::canonicalize;

    #[test]
    fn canonical_text_is_recognized() {
        for text in [
            "0",
            "-1",
            "123456789012345",
            "1.25",
            "-0.5",
            "1e+21",
            "5e-324",
            "9007199254740992",
            r#""plain é 😀""#,
            "true",
            "null",
            "[]",
            "{}",
            r#"{"":0,"a":[1,{"b":null}],"b":"x"}"#,
            r#"{"a":1,"é":2,"😀":3,"\u{e000}":4}"#.replace("\\u{e000}", "\u{e000}").as_str(),
        ] {
            assert!(is_canonical(text), "{text}");
            assert_eq!(canonicalize(text).as_deref(), Ok(text), "{text}");
        }
    }

    /// Random JSON text in many spellings: keys in any order, numbers in any form, strings
    /// with escapes and characters on both sides of the UTF-16 order quirk.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
            options[(self.next() % options.len() as u64) as usize]
        }

        fn string(&mut self) -> String {
            let parts = [
                "a",
                "b",
                "é",
                "😀",
                r"\u00e9",
                r"\n",
                r"\\",
                r#"\""#,
                r"\ud83d\ude00",
                "\u{e000}",
                "1",
                "10",
                " ",
            ];
            let n = self.next() % 4;
            let body: String = (0..n).map(|_| self.pick(&parts)).collect();
            format!("\"{body}\"")
        }

        fn value(&mut self, depth: u32) -> String {
            let numbers = [
                "0",
                "-0",
                "1",
                "-1",
                "10",
                "1.5",
                "1.50",
                "1e2",
                "1E+21",
                "1e21",
                "0.1",
                "5e-324",
                "123456789012345678",
                "9007199254740993",
                "-12.25",
            ];
            match self.next() % if depth > 3 { 4 } else { 6 } {
                0 | 3 => self.pick(&numbers).to_owned(),
                1 => self.string(),
                2 => self.pick(&["true", "false", "null"]).to_owned(),
                4 => {
                    let n = self.next() % 4;
                    let items: Vec<String> = (0..n).map(|_| self.value(depth + 1)).collect();
                    format!("[{}]", items.join(","))
                }
                _ => {
                    let n = self.next() % 4;
                    let members: Vec<String> = (0..n)
                        .map(|_| format!("{}:{}", self.string(), self.value(depth + 1)))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }
            }
        }
    }

    #[test]
    fn text_taken_as_canonical_is_exactly_what_canonicalizing_gives() {
        let mut gen = Gen(0x9e37_79b9_7f4a_7c15);
        let mut fast = 0;
        for _ in 0..50_000 {
            let text = gen.value(0);
            if is_canonical(&text) {
                fast += 1;
                assert_eq!(canonicalize(&text).as_deref(), Ok(text.as_str()), "{text}");
            }
            if let Ok(canonical) = canonicalize(&text) {
                if !canonical.contains('\\') {
                    assert!(is_canonical(&canonical), "{canonical}");
                }
            }
        }
        assert!(fast > 5_000, "only {fast} texts took the fast path");
    }

    #[test]
    fn anything_else_goes_the_full_way() {
        for text in [
            "",
            " 1",
            "1 ",
            "-0",
            "01",
            "1.0",
            "1E+21",
            "1e21",
            "1e400",
            "9007199254740993",
            "0.1e1",
            "+1",
            "-",
            r#""a\"b""#,
            "\"\u{1}\"",
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            "{\"\u{e000}\":1,\"😀\":2}",
            r#"{"a" :1}"#,
            "[1,]",
            "[1 ]",
            "tru",
            "nul",
            r#"{"a":1"#,
            &"[".repeat(40),
        ] {
            assert!(!is_canonical(text), "{text}");
        }
    }
}
