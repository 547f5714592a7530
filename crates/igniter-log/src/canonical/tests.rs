use super::{canonicalize, canonicalize_with_limit, value_hash};
use crate::error::LogError;

fn canonical(text: &str) -> String {
    match canonicalize(text) {
        Ok(canonical) => canonical,
        Err(error) => panic!("{text:?} was rejected: {error}"),
    }
}

fn rejection(text: &str) -> LogError {
    match canonicalize(text) {
        Ok(canonical) => panic!("{text:?} was accepted as {canonical:?}"),
        Err(error) => error,
    }
}

fn assert_invalid(text: &str) {
    assert_eq!(rejection(text).code(), "ERR_INVALID_VALUE", "{text:?}");
}

#[test]
fn sorts_keys_at_every_depth() {
    assert_eq!(
        canonical(r#"{"b":{"d":1,"c":[{"f":1,"e":2}]},"a":0}"#),
        r#"{"a":0,"b":{"c":[{"e":2,"f":1}],"d":1}}"#
    );
}

#[test]
fn keeps_array_order() {
    assert_eq!(canonical("[3,1,2]"), "[3,1,2]");
}

#[test]
fn decodes_escapes_and_writes_them_minimally() {
    assert_eq!(canonical(r#""\u0041\/\u00e9\n""#), "\"A/\u{e9}\\n\"");
}

#[test]
fn joins_an_escaped_surrogate_pair_into_one_character() {
    assert_eq!(canonical(r#""\ud83d\ude00""#), "\"\u{1F600}\"");
    assert_eq!(canonical(r#""\uD83D\uDE00""#), "\"\u{1F600}\"");
}

#[test]
fn sorts_keys_that_differ_only_after_an_escape() {
    assert_eq!(
        canonical(r#"{"a\u00e9b":1,"a\u00e9a":2}"#),
        "{\"a\u{e9}a\":2,\"a\u{e9}b\":1}"
    );
}

#[test]
fn rejects_lone_surrogates() {
    for text in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800x""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800""#,
        r#""\ude00\ud83d""#,
    ] {
        assert_invalid(text);
    }
}

#[test]
fn rejects_duplicate_keys_even_when_spelled_differently() {
    assert_invalid(r#"{"a":1,"a":2}"#);
    assert_invalid(r#"{"a":1,"\u0061":2}"#);
    assert_invalid(r#"{"x":{"b":1,"a":2,"b":3}}"#);
}

#[test]
fn rejects_numbers_that_overflow_a_double() {
    assert_invalid("1E400");
    assert_invalid("-1e309");
    assert_invalid("[1,2e308]");
}

#[test]
fn reads_numbers_that_underflow_as_zero() {
    assert_eq!(canonical("[1e-400,-1e-400]"), "[0,0]");
}

#[test]
fn reads_every_integer_as_a_double() {
    assert_eq!(canonical("123456789012345"), "123456789012345");
    assert_eq!(canonical("1234567890123456789"), "1234567890123456800");
    assert_eq!(canonical("-0.0e5"), "0");
}

#[test]
fn rejects_number_forms_json_does_not_allow() {
    for text in [
        "01",
        "+1",
        ".5",
        "1.",
        "1.e5",
        "1e",
        "1e+",
        "-",
        "--1",
        "0x10",
        "NaN",
        "Infinity",
        "-Infinity",
        "1_000",
    ] {
        assert_invalid(text);
    }
}

#[test]
fn rejects_text_that_is_not_exactly_one_json_value() {
    for text in [
        "",
        " ",
        "[",
        "]",
        "{",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\"}",
        "{\"a\" 1}",
        "{a:1}",
        "{1:1}",
        "[1 2]",
        "1 2",
        "nul",
        "tru",
        "falsey",
        "'a'",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\u{feff}1",
        "[1]x",
        "{}{}",
    ] {
        assert_invalid(text);
    }
}

#[test]
fn rejects_unescaped_control_characters_in_strings() {
    assert_invalid("\"a\nb\"");
    assert_invalid("\"\u{0}\"");
    assert_invalid("\"\\n\u{1f}\"");
}

#[test]
fn accepts_json_whitespace_only() {
    assert_eq!(canonical(" \t\r\n[ 1 ,\n2 ] \n"), "[1,2]");
    assert_invalid("\u{a0}1");
    assert_invalid("\u{c}1");
}

#[test]
fn error_messages_name_the_byte_offset() {
    let error = rejection("[1,}");
    assert_eq!(
        error.to_string(),
        "invalid value: expected a value, found '}' at byte 3"
    );
}

#[test]
fn handles_nesting_far_deeper_than_a_recursive_parser_could() {
    let depth = 1_000_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(canonical(&text), text);
    let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    assert_eq!(canonical(&objects), objects);
}

#[test]
fn a_rejected_value_leaves_nothing_behind_for_the_next_call() {
    assert_invalid(r#"{"k\u00e9":[1,{"b":2,"a":"x\n"},"#);
    assert_eq!(canonical(r#"["\u00e9"]"#), "[\"\u{e9}\"]");
    assert_eq!(canonical("{}"), "{}");
}

#[test]
fn decoded_strings_of_one_call_do_not_leak_into_the_next() {
    assert_eq!(
        canonical(r#"{"\u0062":"\u0041","a":"\t"}"#),
        r#"{"a":"\t","b":"A"}"#
    );
    assert_eq!(canonical(r#"{"\u0063":"\u0042"}"#), r#"{"c":"B"}"#);
}

#[test]
fn large_inputs_parse_the_same_as_small_ones() {
    let element = r#"{"z":"\u00e9","a":[1.50,-0]}"#;
    let large = format!("[{}]", vec![element; 60_000].join(","));
    assert!(large.len() > 1 << 20);
    let expected = format!(
        "[{}]",
        vec!["{\"a\":[1.5,0],\"z\":\"\u{e9}\"}"; 60_000].join(",")
    );
    assert_eq!(canonical(&large), expected);
}

#[test]
fn value_hash_hashes_the_canonical_bytes() {
    let value = match value_hash(r#"{ "b": 2, "a": 1 }"#) {
        Ok(value) => value,
        Err(error) => panic!("rejected: {error}"),
    };
    assert_eq!(value.canonical, r#"{"a":1,"b":2}"#);
    assert_eq!(
        value.hash,
        "43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777"
    );
}

#[test]
fn the_limit_applies_to_the_canonical_length() {
    // 17 bytes of input, 13 canonical.
    assert_eq!(
        canonicalize_with_limit(r#"{ "b": 2, "a": 1 }"#, 13),
        Ok(r#"{"a":1,"b":2}"#.to_owned())
    );
    assert_eq!(
        canonicalize_with_limit(r#"{"a":1,"b":2}"#, 12),
        Err(LogError::ValueTooLarge {
            size: 13,
            limit: 12
        })
    );
}
