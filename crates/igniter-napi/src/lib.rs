//! `igniter-napi`: the Node-API binding of `igniter-log`, built into `@igniter/native`.
//!
//! This crate only converts types and errors; behaviour lives in `igniter-log`. Every
//! `LogError` becomes a JS `Error` whose `code` is the stable code, in one place:
//! `to_napi_error`. The generated loader is private to `@igniter/native`, whose hand-written
//! `index.js` is the public surface.
#![deny(clippy::all)]

pub mod file_lock;
pub mod native_log;
pub mod native_wal;

use igniter_log::LogError;
use napi::{JsString, JsStringUtf8};
use napi_derive::napi;

/// Version of this binding's JS surface; `@igniter/core` refuses an addon with another one.
///
/// Bump it on any incompatible change of a function's name, arguments, result or errors.
pub const ABI_VERSION: u32 = 6;

/// The `code` of a thrown JS error, e.g. `"ERR_INVALID_VALUE"`.
///
/// Exported functions return `napi::Result<T, ErrorCode>` spelled out: `#[napi]` recognises a
/// fallible function only by a return type named `Result`.
pub(crate) type ErrorCode = &'static str;

/// The one place where an `igniter-log` error becomes a JS error.
pub(crate) fn to_napi_error(error: LogError) -> napi::Error<ErrorCode> {
    napi::Error::new(error.code(), error.to_string())
}

/// Returns `ABI_VERSION`, which `@igniter/core` checks before using the addon.
#[napi]
pub fn abi_version() -> u32 {
    ABI_VERSION
}

/// Returns the version of the Rust crates the addon was built from, e.g. `"0.1.0"`.
#[napi]
pub fn crate_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Returns the RFC 8785 canonical JSON of the value written as `jsonText`.
///
/// Throws an `Error` with `code` `"ERR_INVALID_VALUE"` when `jsonText` is not exactly one JSON
/// value or not an Igniter value (non-finite number such as `1E400`, lone UTF-16 surrogate,
/// duplicate object key), and `"ERR_INVALID_ARGUMENT"` when it is not a string.
/// Cost: linear in the text plus sorting object keys; one copy of the text into Rust.
#[napi]
pub fn canonical_json(json_text: JsString) -> napi::Result<String, ErrorCode> {
    let text = utf8_text(json_text).map_err(to_napi_error)?;
    let text = well_formed_str(json_text, &text).map_err(to_napi_error)?;
    igniter_log::canonicalize(text).map_err(to_napi_error)
}

/// Returns the lowercase hex SHA-256 of the canonical JSON of the value written as `jsonText`.
///
/// Throws as `canonicalJson` does.
#[napi]
pub fn value_hash(json_text: JsString) -> napi::Result<String, ErrorCode> {
    let text = utf8_text(json_text).map_err(to_napi_error)?;
    let text = well_formed_str(json_text, &text).map_err(to_napi_error)?;
    igniter_log::value_hash(text)
        .map(|hashed| hashed.hash)
        .map_err(to_napi_error)
}

/// Returns the lowercase hex SHA-256 of the UTF-8 bytes of `text`.
///
/// A lone surrogate is hashed as U+FFFD, as `Buffer.from(text)` encodes it. Throws an `Error`
/// with `code` `"ERR_INVALID_ARGUMENT"` when `text` is not a string.
#[napi]
pub fn sha256_hex(text: JsString) -> napi::Result<String, ErrorCode> {
    let text = utf8_text(text).map_err(to_napi_error)?;
    Ok(igniter_log::sha256_hex(text.as_slice()))
}

/// Copies a JS string argument into UTF-8; lone surrogates become U+FFFD.
fn utf8_text(value: JsString<'_>) -> Result<JsStringUtf8<'_>, LogError> {
    value.into_utf8().map_err(|_| LogError::InvalidArgument {
        reason: "expected a string".to_owned(),
    })
}

/// Views the UTF-8 copy of `value` as `&str`, rejecting a lone surrogate in `value`.
///
/// The UTF-8 conversion of Node-API replaces a lone surrogate with U+FFFD, which would hide
/// it, so only a text that contains U+FFFD is re-read as UTF-16 to tell the two apart.
fn well_formed_str<'a>(
    value: JsString<'_>,
    text: &'a JsStringUtf8<'_>,
) -> Result<&'a str, LogError> {
    let text = text.as_str().map_err(|_| LogError::InvalidArgument {
        reason: "the string is not valid UTF-8".to_owned(),
    })?;
    if text.contains('\u{FFFD}') {
        let units = value.into_utf16().map_err(|_| LogError::InvalidArgument {
            reason: "expected a string".to_owned(),
        })?;
        if char::decode_utf16(units.as_slice().iter().copied()).any(|unit| unit.is_err()) {
            return Err(LogError::InvalidValue {
                reason: "lone UTF-16 surrogate in the JSON text".to_owned(),
            });
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{to_napi_error, LogError};

    #[test]
    fn a_log_error_becomes_a_js_error_whose_code_is_the_stable_code() {
        let error = to_napi_error(LogError::InvalidArgument {
            reason: "expected a string".to_owned(),
        });
        assert_eq!(error.status, "ERR_INVALID_ARGUMENT");
        assert_eq!(error.reason, "invalid argument: expected a string");
    }
}
