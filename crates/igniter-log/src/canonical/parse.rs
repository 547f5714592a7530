//! A strict RFC 8259 parser that accepts only Igniter values (D1).
//!
//! It is iterative (an explicit stack of open containers), so nesting depth is bounded by
//! memory, not by the thread's stack. Object members are sorted, and duplicate keys rejected,
//! as each object closes.

use super::key_order::cmp_utf16;
use super::tree::{resolve, Node, NodeId, OpenContainer, Text, Tree, MAX_INPUT_LEN};
use crate::error::LogError;

/// Parses `text` into `tree` (cleared first) as exactly one JSON value surrounded by optional
/// whitespace.
pub(crate) fn parse(text: &str, tree: &mut Tree) -> Result<(), LogError> {
    if text.len() > MAX_INPUT_LEN {
        return Err(LogError::ValueTooLarge {
            size: text.len(),
            limit: MAX_INPUT_LEN,
        });
    }
    tree.clear();
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tree,
    };
    let root = parser.document()?;
    parser.tree.root = root;
    Ok(())
}

struct Parser<'a, 't> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tree: &'t mut Tree,
}

impl<'a> Parser<'a, '_> {
    fn document(&mut self) -> Result<NodeId, LogError> {
        self.skip_whitespace();
        'value: loop {
            let mut completed = match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.eat(b']') {
                        let start = self.tree.items.len();
                        self.push_container(start, 0, false)
                    } else {
                        let first = self.tree.open_items.len();
                        self.tree
                            .open_containers
                            .push(OpenContainer::Array { first });
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.eat(b'}') {
                        let start = self.tree.members.len();
                        self.push_container(start, 0, true)
                    } else {
                        let pending_key = self.member_key()?;
                        let first = self.tree.open_members.len();
                        self.tree
                            .open_containers
                            .push(OpenContainer::Object { first, pending_key });
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
                match self.tree.open_containers.last().copied() {
                    None => {
                        self.skip_whitespace();
                        if self.pos != self.bytes.len() {
                            return Err(self.unexpected("the end of the input"));
                        }
                        return Ok(completed);
                    }
                    Some(OpenContainer::Array { first }) => {
                        self.tree.open_items.push(completed);
                        self.skip_whitespace();
                        if self.eat(b',') {
                            self.skip_whitespace();
                            continue 'value;
                        }
                        if !self.eat(b']') {
                            return Err(self.unexpected("',' or ']'"));
                        }
                        self.tree.open_containers.pop();
                        let tree = &mut *self.tree;
                        let start = tree.items.len();
                        tree.items.extend(tree.open_items.drain(first..));
                        let len = tree.items.len() - start;
                        completed = self.push_container(start, len, false);
                    }
                    Some(OpenContainer::Object { first, pending_key }) => {
                        self.tree.open_members.push((pending_key, completed));
                        self.skip_whitespace();
                        if self.eat(b',') {
                            self.skip_whitespace();
                            let key = self.member_key()?;
                            if let Some(OpenContainer::Object { pending_key, .. }) =
                                self.tree.open_containers.last_mut()
                            {
                                *pending_key = key;
                            }
                            continue 'value;
                        }
                        if !self.eat(b'}') {
                            return Err(self.unexpected("',' or '}'"));
                        }
                        self.tree.open_containers.pop();
                        let tree = &mut *self.tree;
                        let start = tree.members.len();
                        tree.members.extend(tree.open_members.drain(first..));
                        self.sort_members(start)?;
                        let len = self.tree.members.len() - start;
                        completed = self.push_container(start, len, true);
                    }
                }
            }
        }
    }

    /// Sorts the members of the object just closed, `members[start..]`, into canonical order
    /// and rejects a repeated key.
    fn sort_members(&mut self, start: usize) -> Result<(), LogError> {
        let (input, decoded) = (self.text, self.tree.decoded.as_str());
        let key = |text: Text| resolve(input, decoded, text);
        let members = self.tree.members.get_mut(start..).unwrap_or_default();
        members.sort_unstable_by(|a, b| cmp_utf16(key(a.0), key(b.0)));
        if let Some(pair) = members
            .windows(2)
            .find(|pair| key(pair[0].0) == key(pair[1].0))
        {
            return Err(LogError::invalid_value(format!(
                "duplicate object key {:?} in the object ending at byte {}",
                key(pair[0].0),
                self.pos - 1
            )));
        }
        Ok(())
    }

    /// Parses `"key"` `:` and the whitespace after it.
    fn member_key(&mut self) -> Result<Text, LogError> {
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
    fn string(&mut self) -> Result<Text, LogError> {
        let start = self.pos + 1;
        let mut end = start;
        // Fast path: no escapes, so the value is a slice of the input.
        loop {
            match self.bytes.get(end) {
                None => return Err(self.error_at(start - 1, "unterminated string")),
                Some(b'"') => {
                    self.pos = end + 1;
                    return Ok(Text::in_input(start, end - start));
                }
                Some(b'\\') => break,
                Some(&byte) if byte < 0x20 => {
                    return Err(self.error_at(end, "unescaped control character in a string"))
                }
                Some(_) => end += 1,
            }
        }
        let decoded_start = self.tree.decoded.len();
        let run = self.slice(start, end);
        self.tree.decoded.push_str(run);
        self.pos = end;
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error_at(start - 1, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    let len = self.tree.decoded.len() - decoded_start;
                    return Ok(Text::in_decoded(decoded_start, len));
                }
                Some(b'\\') => self.escape()?,
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
                    let run = self.slice(run_start, self.pos);
                    self.tree.decoded.push_str(run);
                }
            }
        }
    }

    /// Decodes one escape sequence starting at its backslash.
    fn escape(&mut self) -> Result<(), LogError> {
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
                self.tree.decoded.push(c);
                return Ok(());
            }
            _ => return Err(self.error_at(escape_start, "invalid escape sequence")),
        };
        self.tree.decoded.push(simple);
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

    fn literal(&mut self, word: &str, node: Node) -> Result<NodeId, LogError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if !rest.starts_with(word.as_bytes()) {
            return Err(self.unexpected("a value"));
        }
        self.pos += word.len();
        Ok(self.push(node))
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.tree.nodes.push(node);
        // Fewer nodes than input bytes, and the input is at most `MAX_INPUT_LEN` long.
        (self.tree.nodes.len() - 1) as NodeId
    }

    /// Pushes an array or object whose children are `start..start + len` of its arena.
    fn push_container(&mut self, start: usize, len: usize, object: bool) -> NodeId {
        let (start, len) = (start as u32, len as u32);
        self.push(if object {
            Node::Object { start, len }
        } else {
            Node::Array { start, len }
        })
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
