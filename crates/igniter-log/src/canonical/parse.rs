//! A strict RFC 8259 parser that accepts only Igniter values (D1).
//!
//! It is iterative (an explicit stack of open containers), so nesting depth is bounded by
//! memory, not by the thread's stack. Object members are sorted, and duplicate keys rejected,
//! as each object closes.

use std::borrow::Cow;

use super::key_order::cmp_utf16;
use super::tree::{Node, NodeId, Tree};
use crate::error::LogError;

/// Parses `text` as exactly one JSON value surrounded by optional whitespace.
pub(crate) fn parse(text: &str) -> Result<Tree<'_>, LogError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        nodes: Vec::with_capacity(text.len() / 8 + 1),
    };
    let root = parser.document()?;
    Ok(Tree {
        nodes: parser.nodes,
        root,
    })
}

/// A container whose closing bracket has not been seen yet.
enum OpenContainer<'a> {
    Array(Vec<NodeId>),
    Object {
        members: Vec<(Cow<'a, str>, NodeId)>,
        /// The key whose value is being parsed.
        pending_key: Cow<'a, str>,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    nodes: Vec<Node<'a>>,
}

impl<'a> Parser<'a> {
    fn document(&mut self) -> Result<NodeId, LogError> {
        let mut open: Vec<OpenContainer<'a>> = Vec::new();
        self.skip_whitespace();
        'value: loop {
            let mut completed = match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.eat(b']') {
                        self.push(Node::Array(Vec::new()))
                    } else {
                        open.push(OpenContainer::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.eat(b'}') {
                        self.push(Node::Object(Vec::new()))
                    } else {
                        let pending_key = self.member_key()?;
                        open.push(OpenContainer::Object {
                            members: Vec::new(),
                            pending_key,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let string = self.string()?;
                    self.push(Node::String(string))
                }
                Some(b'-' | b'0'..=b'9') => {
                    let number = self.number()?;
                    self.push(Node::Number(number))
                }
                Some(b't') => self.literal("true", Node::Bool(true))?,
                Some(b'f') => self.literal("false", Node::Bool(false))?,
                Some(b'n') => self.literal("null", Node::Null)?,
                _ => return Err(self.unexpected("a value")),
            };
            // Attach the completed value to its container; closing that container completes
            // another value, so keep going up until a container wants a next element.
            loop {
                match open.last_mut() {
                    None => {
                        self.skip_whitespace();
                        if self.pos != self.bytes.len() {
                            return Err(self.unexpected("the end of the input"));
                        }
                        return Ok(completed);
                    }
                    Some(OpenContainer::Array(items)) => {
                        items.push(completed);
                        self.skip_whitespace();
                        if self.eat(b',') {
                            self.skip_whitespace();
                            continue 'value;
                        }
                        if !self.eat(b']') {
                            return Err(self.unexpected("',' or ']'"));
                        }
                        let items = std::mem::take(items);
                        open.pop();
                        completed = self.push(Node::Array(items));
                    }
                    Some(OpenContainer::Object {
                        members,
                        pending_key,
                    }) => {
                        members.push((std::mem::take(pending_key), completed));
                        self.skip_whitespace();
                        if self.eat(b',') {
                            self.skip_whitespace();
                            *pending_key = self.member_key()?;
                            continue 'value;
                        }
                        if !self.eat(b'}') {
                            return Err(self.unexpected("',' or '}'"));
                        }
                        let members = std::mem::take(members);
                        open.pop();
                        let members = self.sorted_members(members)?;
                        completed = self.push(Node::Object(members));
                    }
                }
            }
        }
    }

    /// Sorts an object's members into canonical order and rejects a repeated key.
    fn sorted_members(
        &self,
        mut members: Vec<(Cow<'a, str>, NodeId)>,
    ) -> Result<Vec<(Cow<'a, str>, NodeId)>, LogError> {
        members.sort_unstable_by(|a, b| cmp_utf16(&a.0, &b.0));
        if let Some(pair) = members.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(LogError::invalid_value(format!(
                "duplicate object key {:?} in the object ending at byte {}",
                pair[0].0,
                self.pos - 1
            )));
        }
        Ok(members)
    }

    /// Parses `"key"` `:` and the whitespace after it.
    fn member_key(&mut self) -> Result<Cow<'a, str>, LogError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string key"));
        }
        let key = self.string()?;
        self.skip_whitespace();
        if !self.eat(b':') {
            return Err(self.unexpected("':'"));
        }
        self.skip_whitespace();
        Ok(key)
    }

    /// Parses a string starting at its opening quote.
    fn string(&mut self) -> Result<Cow<'a, str>, LogError> {
        let start = self.pos + 1;
        let mut end = start;
        // Fast path: no escapes, so the value is a slice of the input.
        loop {
            match self.bytes.get(end) {
                None => return Err(self.error_at(start - 1, "unterminated string")),
                Some(b'"') => {
                    self.pos = end + 1;
                    return Ok(Cow::Borrowed(self.slice(start, end)));
                }
                Some(b'\\') => break,
                Some(&byte) if byte < 0x20 => {
                    return Err(self.error_at(end, "unescaped control character in a string"))
                }
                Some(_) => end += 1,
            }
        }
        let mut decoded = String::with_capacity(end - start + 16);
        decoded.push_str(self.slice(start, end));
        self.pos = end;
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error_at(start - 1, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(decoded));
                }
                Some(b'\\') => self.escape(&mut decoded)?,
                Some(&byte) if byte < 0x20 => {
                    return Err(self.error_at(self.pos, "unescaped control character in a string"))
                }
                Some(_) => {
                    let run_start = self.pos;
                    while let Some(&byte) = self.bytes.get(self.pos) {
                        if byte == b'"' || byte == b'\\' || byte < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    decoded.push_str(self.slice(run_start, self.pos));
                }
            }
        }
    }

    /// Decodes one escape sequence starting at its backslash.
    fn escape(&mut self, decoded: &mut String) -> Result<(), LogError> {
        let escape_start = self.pos;
        let simple = match self.bytes.get(self.pos + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4(self.pos + 2)?;
                self.pos += 6;
                let code_point = match unit {
                    0xD800..=0xDBFF => {
                        let low = if self.bytes.get(self.pos) == Some(&b'\\')
                            && self.bytes.get(self.pos + 1) == Some(&b'u')
                        {
                            self.hex4(self.pos + 2)?
                        } else {
                            0
                        };
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.error_at(escape_start, "lone UTF-16 surrogate"));
                        }
                        self.pos += 6;
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.error_at(escape_start, "lone UTF-16 surrogate"))
                    }
                    _ => u32::from(unit),
                };
                let c = char::from_u32(code_point)
                    .ok_or_else(|| self.error_at(escape_start, "invalid \\u escape"))?;
                decoded.push(c);
                return Ok(());
            }
            _ => return Err(self.error_at(escape_start, "invalid escape sequence")),
        };
        decoded.push(simple);
        self.pos += 2;
        Ok(())
    }

    /// Reads four hex digits at `at` as one UTF-16 code unit.
    fn hex4(&self, at: usize) -> Result<u16, LogError> {
        let digits = self
            .bytes
            .get(at..at + 4)
            .ok_or_else(|| self.error_at(at, "truncated \\u escape"))?;
        let mut unit: u16 = 0;
        for &digit in digits {
            let nibble = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(self.error_at(at, "invalid hex digit in a \\u escape")),
            };
            unit = (unit << 4) | u16::from(nibble);
        }
        Ok(unit)
    }

    /// Parses a number as an IEEE double, correctly rounded; one that overflows is rejected.
    fn number(&mut self) -> Result<f64, LogError> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        let integer_end = self.pos;
        if self.eat(b'.') {
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.unexpected("a digit after '.'"));
            }
            self.skip_digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.skip_digits();
        }
        let literal = self.slice(start, self.pos);
        // Up to 15 digits an integer is exact in a double, so skip the general float parser.
        if self.pos == integer_end && literal.len() <= 15 {
            let (negative, digits) = match literal.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, literal),
            };
            let magnitude = digits
                .bytes()
                .fold(0u64, |acc, digit| acc * 10 + u64::from(digit - b'0'));
            // Exact: magnitude < 10^15 < 2^53.
            let value = magnitude as f64;
            return Ok(if negative { -value } else { value });
        }
        let value: f64 = literal
            .parse()
            .map_err(|_| self.error_at(start, "malformed number"))?;
        if !value.is_finite() {
            return Err(self.error_at(start, format!("number {literal} is not a finite double")));
        }
        Ok(value)
    }

    fn literal(&mut self, word: &str, node: Node<'a>) -> Result<NodeId, LogError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if !rest.starts_with(word.as_bytes()) {
            return Err(self.unexpected("a value"));
        }
        self.pos += word.len();
        Ok(self.push(node))
    }

    fn push(&mut self, node: Node<'a>) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let matched = self.peek() == Some(byte);
        if matched {
            self.pos += 1;
        }
        matched
    }

    /// The input between two offsets that sit next to ASCII bytes, hence on char boundaries.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    fn unexpected(&self, expected: &str) -> LogError {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(found) => self.error_at(self.pos, format!("expected {expected}, found {found:?}")),
            None => self.error_at(self.pos, format!("expected {expected}, found the end")),
        }
    }

    fn error_at(&self, offset: usize, problem: impl AsRef<str>) -> LogError {
        LogError::invalid_value(format!("{} at byte {offset}", problem.as_ref()))
    }
}
