//! Reading one fact record of the file backends' `json-v1` codec without building a JSON tree.
//!
//! A record is a JSON array of fixed positions, as `@igniter/core/storage` writes it (the format:
//! ARCHITECTURE.md, "The record format"):
//! `[1, id, seq, store, key, value, valueHash, causation, transactionTime, validTime,
//! schemaVersion, producer, derivation, idempotencyKey]`, with no whitespace. The value,
//! producer and derivation are only delimited here; the log canonicalizes (and so validates)
//! them when it loads the fact.
//!
//! This reader takes only records written that way with plain fields. Anything else (other
//! spacing, a field of the wrong type, a string this side cannot hold) is `None`, and the
//! caller leaves the file to the JS decoder, which accepts or rejects it with its own message.

use std::borrow::Cow;

/// The fields of one fact record, borrowed from the body where no unescaping was needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// The fact's id.
    pub id: Cow<'a, str>,
    /// Its seq.
    pub seq: u64,
    /// Store name.
    pub store: Cow<'a, str>,
    /// Key within the store.
    pub key: Cow<'a, str>,
    /// The value's JSON text as stored (not necessarily canonical).
    pub value_json: &'a str,
    /// The value hash as stored.
    pub value_hash: Cow<'a, str>,
    /// Id of the fact this one follows.
    pub causation: Option<Cow<'a, str>>,
    /// Ms since the epoch.
    pub transaction_time: f64,
    /// Writer-supplied ms since the epoch.
    pub valid_time: Option<f64>,
    /// Schema version of the value.
    pub schema_version: f64,
    /// Producer object as JSON text.
    pub producer_json: Option<&'a str>,
    /// Derivation object as JSON text.
    pub derivation_json: Option<&'a str>,
    /// Idempotency key.
    pub idempotency_key: Option<Cow<'a, str>>,
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Parses a record body; `None` when it is not a plain record of this codec.
///
/// Cost: one pass over the body, plus a copy of any string that has escapes.
pub fn parse_record(body: &str) -> Option<Record<'_>> {
    let mut cursor = Cursor {
        text: body,
        bytes: body.as_bytes(),
        at: 0,
    };
    cursor.eat(b'[')?;
    if cursor.number()? != 1.0 {
        return None;
    }
    cursor.eat(b',')?;
    let id = cursor.non_empty_string()?;
    cursor.eat(b',')?;
    let seq = cursor.counter()?;
    cursor.eat(b',')?;
    let store = cursor.non_empty_string()?;
    cursor.eat(b',')?;
    let key = cursor.non_empty_string()?;
    cursor.eat(b',')?;
    let value_json = cursor.value()?;
    cursor.eat(b',')?;
    let value_hash = cursor.string()?;
    cursor.eat(b',')?;
    let causation = cursor.free_text()?;
    cursor.eat(b',')?;
    let transaction_time = cursor.number()?;
    cursor.eat(b',')?;
    let valid_time = if cursor.null() {
        None
    } else {
        Some(cursor.number()?)
    };
    cursor.eat(b',')?;
    let schema_version = cursor.counter()? as f64;
    cursor.eat(b',')?;
    let producer_json = cursor.object_or_null()?;
    cursor.eat(b',')?;
    let derivation_json = cursor.object_or_null()?;
    cursor.eat(b',')?;
    let idempotency_key = cursor.free_text()?;
    cursor.eat(b']')?;
    if cursor.at != cursor.bytes.len() {
        return None;
    }
    Some(Record {
        id,
        seq,
        store,
        key,
        value_json,
        value_hash,
        causation,
        transaction_time,
        valid_time,
        schema_version,
        producer_json,
        derivation_json,
        idempotency_key,
    })
}

struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn null(&mut self) -> bool {
        let found = self.bytes.get(self.at..self.at + 4) == Some(b"null");
        if found {
            self.at += 4;
        }
        found
    }

    /// A JSON number (strict grammar) as JS reads it; `None` for one that is not finite.
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.required_digits()?;
        }
        let number: f64 = self.text.get(start..self.at)?.parse().ok()?;
        number.is_finite().then_some(number)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn required_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    /// A safe integer of at least 1 (a seq or a schema version).
    fn counter(&mut self) -> Option<u64> {
        let number = self.number()?;
        ((1.0..=MAX_SAFE_INTEGER).contains(&number) && number.fract() == 0.0)
            .then_some(number as u64)
    }

    fn non_empty_string(&mut self) -> Option<Cow<'a, str>> {
        self.string().filter(|text| !text.is_empty())
    }

    /// A causation or idempotency key: a string or null. A string that starts with NUL is not
    /// taken: the native engine reserves that prefix (`toBoundaryText` in core).
    fn free_text(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null() {
            return Some(None);
        }
        let text = self.string()?;
        (!text.starts_with('\0')).then_some(Some(text))
    }

    /// A JSON string, unescaped; `None` for an escaped lone surrogate or a raw control char.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => {
                    let text = self.text.get(start..self.at)?;
                    self.at += 1;
                    return Some(Cow::Borrowed(text));
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
        let mut out = String::from(self.text.get(start..self.at)?);
        loop {
            let run = self.at;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(self.text.get(run..self.at)?);
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                _ => return None,
            }
        }
    }

    /// The character of an escape, after its backslash.
    fn escape(&mut self) -> Option<char> {
        let byte = self.peek()?;
        self.at += 1;
        Some(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xd800..0xdc00).contains(&unit) {
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    let low = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))?
                } else {
                    char::from_u32(unit)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    /// The text of one JSON value, delimited but not validated (canonicalizing does that).
    fn value(&mut self) -> Option<&'a str> {
        let start = self.at;
        match self.peek()? {
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                break;
                            }
                        }
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            b'"' => self.skip_string()?,
            _ => {
                while !matches!(self.peek()?, b',' | b']') {
                    self.at += 1;
                }
            }
        }
        let text = self.text.get(start..self.at)?;
        (!text.is_empty()).then_some(text)
    }

    /// Moves past a string starting at the cursor.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    fn object_or_null(&mut self) -> Option<Option<&'a str>> {
        if self.null() {
            return Some(None);
        }
        if self.peek()? != b'{' {
            return None;
        }
        self.value().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_record, Record};
    use std::borrow::Cow;

    const ID: &str = "01a21ebf-546d-7000-8000-000000000001";
    const HASH: &str = "ab";

    fn body(middle: &str) -> String {
        format!(
            r#"[1,"{ID}",7,"orders","k1",{middle},"{HASH}",null,1700000000000,null,1,null,null,null]"#
        )
    }

    #[test]
    fn a_plain_record_is_read_field_by_field() {
        let text = format!(
            r#"[1,"{ID}",42,"or\"ders","k\u00e9\n",{{"a":[1,"]"],"b":{{}}}},"{HASH}","c-1",1.5e3,-0,3,{{"kind":"x"}},{{"rule":"r"}},"idem"]"#
        );
        let record = parse_record(&text).expect("a plain record");
        assert_eq!(
            record,
            Record {
                id: Cow::Borrowed(ID),
                seq: 42,
                store: Cow::Owned("or\"ders".to_owned()),
                key: Cow::Owned("k\u{e9}\n".to_owned()),
                value_json: r#"{"a":[1,"]"],"b":{}}"#,
                value_hash: Cow::Borrowed(HASH),
                causation: Some(Cow::Borrowed("c-1")),
                transaction_time: 1500.0,
                valid_time: Some(-0.0),
                schema_version: 3.0,
                producer_json: Some(r#"{"kind":"x"}"#),
                derivation_json: Some(r#"{"rule":"r"}"#),
                idempotency_key: Some(Cow::Borrowed("idem")),
            }
        );
    }

    #[test]
    fn scalar_values_and_surrogate_pairs_are_read() {
        for value in ["null", "true", "-1.25e-7", r#""a\"b""#, "[]"] {
            let text = body(value);
            assert_eq!(parse_record(&text).map(|r| r.value_json), Some(value));
        }
        let text =
            format!(r#"[1,"{ID}",7,"s","\ud83d\ude00",1,"{HASH}",null,1,null,1,null,null,null]"#);
        assert_eq!(
            parse_record(&text).map(|r| r.key.into_owned()),
            Some("\u{1F600}".to_owned())
        );
    }

    #[test]
    fn anything_but_a_plain_record_is_left_to_the_js_decoder() {
        let bad = [
            String::new(),
            "[]".to_owned(),
            body("1").replacen("[1,", "[2,", 1),
            body("1").replacen("[1,", "[ 1,", 1),
            body("1").replacen(",7,", ",0,", 1),
            body("1").replacen(",7,", ",7.5,", 1),
            body("1").replacen(",7,", ",9007199254740992,", 1),
            body("1").replacen("\"orders\"", "\"\"", 1),
            body("1").replacen("\"k1\"", "\"\\ud800\"", 1),
            body("1").replacen("\"k1\"", "\"a\u{1}\"", 1),
            body("1").replacen("null,1700000000000", "\"\\u0000x\",1700000000000", 1),
            body("1").replacen("1700000000000", "1e400", 1),
            body("1").replacen("1700000000000", "01", 1),
            body("1").replacen(",1,null,null,null]", ",1,[],null,null]", 1),
            body("1").replacen(",1,null,null,null]", ",1,null,null,7]", 1),
            body("1").replacen("null]", "null,null]", 1),
            format!("{} ", body("1")),
            body("1").replacen(",1,\"ab\"", ",\"ab\"", 1),
        ];
        for text in &bad {
            assert!(parse_record(text).is_none(), "{text}");
        }
    }
}

#[cfg(test)]
mod robustness {
    use super::parse_record;

    /// Every prefix, and many byte mutations, of a rich record either parse or are declined;
    /// none panics.
    #[test]
    fn damaged_records_are_declined_without_panicking() {
        let record = concat!(
            r#"[1,"01a21ebf-546d-7000-8000-000000000001",42,"st\"ore","k\u00e9y\ud83d\ude00","#,
            r#"{"a":[1,-2.5e-3,"x\\y",{"b":null}],"c":true},"ab",null,1700000000000,-0,3,"#,
            r#"{"kind":"fact_prune"},{"rule":"r"},"idem"]"#
        );
        assert!(parse_record(record).is_some());
        for end in 0..record.len() {
            if let Some(prefix) = record.get(..end) {
                assert!(parse_record(prefix).is_none(), "{prefix}");
            }
        }
        let bytes = record.as_bytes();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let specials = *b"[]{}\",:\\0123456789-+.eEnulltrfas ";
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut mutated = bytes.to_vec();
            let at = (state % mutated.len() as u64) as usize;
            mutated[at] = specials[((state >> 32) % specials.len() as u64) as usize];
            if let Ok(text) = std::str::from_utf8(&mutated) {
                let _ = parse_record(text);
            }
        }
    }
}
