use super::{FlatShapes, BOOLEAN, FLAT_AT, FLAT_OUT, KEPT, NULL, NUMBER};

fn read(shapes: &mut FlatShapes, json: &str) -> Vec<f64> {
    let mut out = vec![f64::NAN; FLAT_OUT];
    shapes.read(json.as_bytes(), &mut out);
    out
}

#[test]
fn reads_each_member_kind_at_its_offsets() {
    let mut shapes = FlatShapes::default();
    let json = r#"{"a":"xy","b":-1.25e+21,"c":true,"d":false,"e":null,"f":"","g":0.1}"#;
    let out = read(&mut shapes, json);
    assert_eq!(out[FLAT_AT], 0.0);
    let members = &out[FLAT_AT + 1..FLAT_AT + 15];
    // Offsets counted by hand: `{"a":"` is 6 bytes, `xy","b":-1.25e+21,"c":true,"d":false,
    // "e":null,"f":"` 51 more.
    let xy = 6.0;
    let empty = 57.0;
    assert_eq!(&json[6..8], "xy");
    assert_eq!(&json[56..58], r#""""#);
    assert_eq!(
        members,
        [
            xy,
            -(xy + 3.0),
            NUMBER,
            -1.25e21,
            BOOLEAN,
            1.0,
            BOOLEAN,
            0.0,
            NULL,
            0.0,
            empty,
            -(empty + 1.0),
            NUMBER,
            0.1
        ]
    );
    // Untouched past the last member.
    assert!(out[FLAT_AT + 15].is_nan());
}

#[test]
fn one_id_per_key_sequence_in_order_of_first_sight() {
    let mut shapes = FlatShapes::default();
    assert_eq!(read(&mut shapes, r#"{"a":1,"b":2}"#)[FLAT_AT], 0.0);
    assert_eq!(read(&mut shapes, r#"{"a":1}"#)[FLAT_AT], 1.0);
    assert_eq!(read(&mut shapes, r#"{"a":"x","b":null}"#)[FLAT_AT], 0.0);
    // Keys that concatenate alike are different sequences.
    assert_eq!(read(&mut shapes, r#"{"ab":1}"#)[FLAT_AT], 2.0);
    assert_eq!(read(&mut shapes, r#"{"a":1,"b":2}"#)[FLAT_AT], 0.0);
    assert_eq!(read(&mut shapes, r#"{"b":1,"a":2}"#)[FLAT_AT], 3.0);
}

#[test]
fn leaves_to_js_what_it_cannot_read_exactly() {
    let mut shapes = FlatShapes::default();
    for json in [
        r#"{}"#,
        r#"[1,2]"#,
        r#""text""#,
        r#"12"#,
        r#"{"a":{"b":1}}"#,
        r#"{"a":[1]}"#,
        r#"{"a":"x\"y"}"#,
        r#"{"a\n":1}"#,
        "{\"a\":\"\u{e9}\"}",
        r#"{"__proto__":1}"#,
        r#"{"1":1}"#,
        r#"{"a":1} "#,
        r#"{"a" :1}"#,
        r#"{"a":1,}"#,
        r#"{"a":tru}"#,
        r#"{"a":-}"#,
        r#"{"a":"x"#,
    ] {
        assert_eq!(read(&mut shapes, json)[FLAT_AT], -1.0, "{json}");
    }
    let many = (0..33)
        .map(|i| format!("\"k{i}\":1"))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(read(&mut shapes, &format!("{{{many}}}"))[FLAT_AT], -1.0);
    let most = (0..32)
        .map(|i| format!("\"k{i}\":{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let out = read(&mut shapes, &format!("{{{most}}}"));
    assert_eq!(out[FLAT_AT], 0.0);
    assert_eq!(out[FLAT_AT + 64], 31.0);
}

#[test]
fn gives_at_most_64_ids() {
    let mut shapes = FlatShapes::default();
    for i in 0..64 {
        assert_eq!(
            read(&mut shapes, &format!("{{\"k{i}\":1}}"))[FLAT_AT],
            f64::from(i)
        );
    }
    assert_eq!(read(&mut shapes, r#"{"new":1}"#)[FLAT_AT], -1.0);
    assert_eq!(read(&mut shapes, r#"{"k5":"x"}"#)[FLAT_AT], 5.0);
}

#[test]
fn numbers_parse_as_json_parse_does() {
    let mut shapes = FlatShapes::default();
    for (text, number) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("123456789012345678", 123_456_789_012_345_680.0),
        ("0.30000000000000004", 0.300_000_000_000_000_04),
        ("5e-324", 5e-324),
        ("1.7976931348623157e+308", f64::MAX),
        ("-9007199254740993", -9_007_199_254_740_992.0),
    ] {
        let out = read(&mut shapes, &format!("{{\"n\":{text}}}"));
        assert_eq!(out[FLAT_AT + 1], NUMBER);
        assert_eq!(out[FLAT_AT + 2].to_bits(), number.to_bits(), "{text}");
    }
}

#[test]
fn a_member_keeps_its_few_strings_in_order_of_first_sight() {
    let mut shapes = FlatShapes::default();
    let pair = |out: &[f64]| (out[FLAT_AT + 1], out[FLAT_AT + 2]);
    // New strings: start and -(end + 1), appended by JS as 0, 1.
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"open"}"#)), (6.0, -11.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"shut"}"#)), (6.0, -11.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"open"}"#)), (KEPT, 0.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"shut"}"#)), (KEPT, 1.0));
    // Another shape keeps its own.
    assert_eq!(pair(&read(&mut shapes, r#"{"t":"shut"}"#)), (6.0, -11.0));
    // A string longer than 32 bytes is never kept.
    let long = "x".repeat(33);
    assert_eq!(
        pair(&read(&mut shapes, &format!("{{\"s\":\"{long}\"}}"))),
        (6.0, 39.0)
    );
}

#[test]
fn a_member_with_many_strings_stops_keeping_them() {
    let mut shapes = FlatShapes::default();
    // "x" to "x" * 16: each has a place of its own, and is kept.
    for len in 1..=16 {
        let x = "x".repeat(len);
        let out = read(&mut shapes, &format!("{{\"s\":\"{x}\"}}"));
        assert_eq!(out[FLAT_AT + 2], -(6.0 + len as f64 + 1.0));
    }
    // Past 16 kept strings, the others are slices; after 256 reads mostly missing, every one.
    for i in 16..300 {
        let out = read(&mut shapes, &format!("{{\"s\":\"k{i:03}\"}}"));
        assert_eq!((out[FLAT_AT + 1], out[FLAT_AT + 2]), (6.0, 10.0));
    }
    let out = read(&mut shapes, r#"{"s":"x"}"#);
    assert_eq!((out[FLAT_AT + 1], out[FLAT_AT + 2]), (6.0, 7.0));
}

#[test]
fn a_string_whose_place_is_taken_is_not_kept() {
    let mut shapes = FlatShapes::default();
    let pair = |out: &[f64]| (out[FLAT_AT + 1], out[FLAT_AT + 2]);
    // "ab" and "by" share a place in the table (length, first and last bytes).
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"ab"}"#)), (6.0, -9.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"by"}"#)), (6.0, 8.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"by"}"#)), (6.0, 8.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"ab"}"#)), (KEPT, 0.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"ba"}"#)), (6.0, -9.0));
    assert_eq!(pair(&read(&mut shapes, r#"{"s":"ba"}"#)), (KEPT, 1.0));
}

#[test]
fn a_text_of_the_last_shape_is_checked_as_fully_as_any_other() {
    let mut shapes = FlatShapes::default();
    for json in [
        r#"{"a":"x\"y","b":1}"#,
        "{\"a\":\"\u{e9}\",\"b\":1}",
        r#"{"a":"x","b":{"c":1}}"#,
        r#"{"a":"x","b":[1]}"#,
        r#"{"a":"x","b":1} "#,
        r#"{"a":"x","b":1,"c":2}"#,
        r#"{"a":"x","b":tru}"#,
        r#"{"a":"x","b":1.2.3}"#,
        r#"{"a":"x"}"#,
    ] {
        // The shape {"a", "b"} is the one matched last before each of these.
        assert_eq!(read(&mut shapes, r#"{"a":"x","b":1}"#)[FLAT_AT], 0.0);
        let out = read(&mut shapes, json);
        // Two of them are flat objects of other shapes, given the next ids.
        let expected = match json {
            r#"{"a":"x","b":1,"c":2}"# => 1.0,
            r#"{"a":"x"}"# => 2.0,
            _ => -1.0,
        };
        assert_eq!(out[FLAT_AT], expected, "{json}");
    }
    // A key that only starts like the shape's is another shape.
    assert_eq!(read(&mut shapes, r#"{"a":"x","bb":1}"#)[FLAT_AT], 3.0);
}
