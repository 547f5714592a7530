//! The golden vectors in `vectors/canonical-json.json` at the repository root (a copy of the
//! project's shared vectors), read by the TS engine's tests too (D2).

use igniter_log::{canonicalize, value_hash};
use serde_json::Value;

const VECTORS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/canonical-json.json"
);

fn vectors(section: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(VECTORS_PATH)
        .unwrap_or_else(|error| panic!("cannot read {VECTORS_PATH}: {error}"));
    let file: Value = serde_json::from_str(&text).expect("the vectors file is JSON");
    let list = file[section].as_array().expect("a list of vectors").clone();
    assert!(!list.is_empty(), "no {section} vectors");
    list
}

fn field<'v>(vector: &'v Value, name: &str) -> &'v str {
    vector[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector {vector} has no string {name:?}"))
}

#[test]
fn every_valid_vector_has_its_canonical_form_and_hash() {
    for vector in vectors("valid") {
        let name = field(&vector, "name");
        let hashed = value_hash(field(&vector, "input"))
            .unwrap_or_else(|error| panic!("{name}: rejected: {error}"));
        assert_eq!(hashed.canonical, field(&vector, "canonical"), "{name}");
        assert_eq!(hashed.hash, field(&vector, "sha256"), "{name}");
    }
}

#[test]
fn every_canonical_form_is_a_fixed_point() {
    for vector in vectors("valid") {
        let canonical = field(&vector, "canonical");
        assert_eq!(
            canonicalize(canonical).as_deref(),
            Ok(canonical),
            "{}",
            field(&vector, "name")
        );
    }
}

#[test]
fn every_invalid_vector_is_rejected_as_an_invalid_value() {
    for vector in vectors("invalid") {
        let name = field(&vector, "name");
        match canonicalize(field(&vector, "input")) {
            Ok(canonical) => panic!("{name}: accepted as {canonical:?}"),
            Err(error) => assert_eq!(error.code(), "ERR_INVALID_VALUE", "{name}"),
        }
    }
}
