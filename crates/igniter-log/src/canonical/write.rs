//! Writes a parsed value as RFC 8785 text: no whitespace, ECMAScript number formatting,
//! minimal string escaping. Object members are already in canonical order.

use super::tree::{Node, NodeId, Tree};

/// Appends the canonical JSON of `tree`, parsed from `input`, to `out`, iteratively so depth
/// cannot overflow the stack.
pub(crate) fn write_canonical(tree: &mut Tree, input: &str, out: &mut String) {
    let mut open = std::mem::take(&mut tree.open_writes);
    open.clear();
    write_value(tree, input, tree.root, out, &mut open);
    while let Some(&(id, next)) = open.last() {
        let child = match tree.node(id) {
            Node::Array { start, len } if next < len => {
                if next > 0 {
                    out.push(',');
                }
                tree.items
                    .get((start + next) as usize)
                    .copied()
                    .unwrap_or(NodeId::MAX)
            }
            Node::Object { start, len } if next < len => {
                if next > 0 {
                    out.push(',');
                }
                match tree.members.get((start + next) as usize) {
                    Some(&(key, value)) => {
                        write_string(tree.str(input, key), out);
                        out.push(':');
                        value
                    }
                    None => NodeId::MAX,
                }
            }
            Node::Array { .. } => {
                out.push(']');
                open.pop();
                continue;
            }
            Node::Object { .. } => {
                out.push('}');
                open.pop();
                continue;
            }
            _ => {
                open.pop();
                continue;
            }
        };
        if let Some(top) = open.last_mut() {
            top.1 += 1;
        }
        write_value(tree, input, child, out, &mut open);
    }
    tree.open_writes = open;
}

/// Writes a scalar whole, or a container's opening bracket and marks it open.
fn write_value(
    tree: &Tree,
    input: &str,
    id: NodeId,
    out: &mut String,
    open: &mut Vec<(NodeId, u32)>,
) {
    match tree.node(id) {
        Node::Null => out.push_str("null"),
        Node::Bool(true) => out.push_str("true"),
        Node::Bool(false) => out.push_str("false"),
        Node::Number(number) => write_number(number, out),
        Node::String(text) => write_string(tree.str(input, text), out),
        Node::Array { .. } => {
            out.push('[');
            open.push((id, 0));
        }
        Node::Object { .. } => {
            out.push('{');
            open.push((id, 0));
        }
    }
}

/// Writes a finite double as ECMAScript's `Number.prototype.toString()` does (-0 becomes `0`).
pub(crate) fn write_number(number: f64, out: &mut String) {
    // Below 2^53 doubles are at most 1 apart, so an integral one's shortest round-trip digits
    // are its integer digits; printing those skips the general algorithm. -0 becomes 0 here.
    const EXACT_INTEGER_BOUND: f64 = 9_007_199_254_740_992.0;
    if number.fract() == 0.0 && number.abs() < EXACT_INTEGER_BOUND {
        write_integer(number as i64, out);
        return;
    }
    let mut buffer = ryu_js::Buffer::new();
    out.push_str(buffer.format_finite(number));
}

/// Writes an integer in decimal.
fn write_integer(value: i64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    let mut magnitude = value.unsigned_abs();
    loop {
        first -= 1;
        digits[first] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if value < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[first..]).unwrap_or_default());
}

/// Writes a quoted string, escaping only `"`, `\` and control characters below U+0020.
pub(crate) fn write_string(string: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = string.as_bytes();
    // Most strings need no escape; this scan is branch-free and vectorises.
    let needs_escape = bytes.iter().fold(false, |any, &byte| {
        any | (byte < 0x20) | (byte == b'"') | (byte == b'\\')
    });
    if !needs_escape {
        out.push_str(string);
        out.push('"');
        return;
    }
    let mut run_start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so both ends of the run are char boundaries.
        out.push_str(string.get(run_start..index).unwrap_or_default());
        run_start = index + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(string.get(run_start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::{write_number, write_string};

    fn number(value: f64) -> String {
        let mut out = String::new();
        write_number(value, &mut out);
        out
    }

    fn string(value: &str) -> String {
        let mut out = String::new();
        write_string(value, &mut out);
        out
    }

    #[test]
    fn formats_integers_without_a_fraction() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-42.0), "-42");
        assert_eq!(number(9007199254740991.0), "9007199254740991");
        assert_eq!(number(-9007199254740991.0), "-9007199254740991");
    }

    #[test]
    fn formats_integers_from_2_pow_53_on_by_shortest_digits() {
        assert_eq!(number(9007199254740992.0), "9007199254740992");
        assert_eq!(number(18446744073709551615.0), "18446744073709552000");
        assert_eq!(number(-9223372036854775809.0), "-9223372036854776000");
    }

    #[test]
    fn formats_negative_zero_as_zero() {
        assert_eq!(number(-0.0), "0");
    }

    #[test]
    fn uses_plain_notation_from_1e_minus_6_up_to_below_1e21() {
        assert_eq!(number(0.000001), "0.000001");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(123456789012345680000.0), "123456789012345680000");
    }

    #[test]
    fn uses_exponent_notation_outside_that_range() {
        assert_eq!(number(1e21), "1e+21");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(1.5e-7), "1.5e-7");
        assert_eq!(number(-1.5e300), "-1.5e+300");
        assert_eq!(number(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(number(5e-324), "5e-324");
    }

    #[test]
    fn formats_fractions_with_the_shortest_round_trip_digits() {
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(5274.47), "5274.47");
        assert_eq!(number(-2.5e-5), "-0.000025");
    }

    #[test]
    fn escapes_quote_and_backslash() {
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
    }

    #[test]
    fn escapes_control_characters_with_short_forms_where_json_has_them() {
        assert_eq!(string("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
    }

    #[test]
    fn escapes_other_control_characters_as_lowercase_u00xx() {
        assert_eq!(
            string("\u{0}\u{1}\u{b}\u{1f}"),
            r#""\u0000\u0001\u000b\u001f""#
        );
    }

    #[test]
    fn leaves_slash_delete_and_line_separators_unescaped() {
        assert_eq!(
            string("/\u{7f}\u{2028}\u{2029}"),
            "\"/\u{7f}\u{2028}\u{2029}\""
        );
    }

    #[test]
    fn leaves_non_ascii_characters_as_utf8() {
        assert_eq!(
            string("Zo\u{eb} \u{2603} \u{1F600}"),
            "\"Zo\u{eb} \u{2603} \u{1F600}\""
        );
    }
}
