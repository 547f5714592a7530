//! What the reads that want only a value (`readValue` and `latestValue`, plain Node-API
//! callbacks in `read_raw.rs`), the commonest reads of a store, share: the store name and the
//! key are copied into one buffer on the stack (one Node-API call each, no heap allocation, no
//! concatenated JS string), and an ASCII value comes back as a one-byte JS string copied as is
//! (no UTF-8 decoding on the V8 side).

use igniter_log::Slot;
use napi::{sys, Env, JsString, JsValue};
use napi_derive::napi;

use super::flat_read::FLAT_OUT;
use super::{Handle, NativeLog};
use crate::ErrorCode;

/// Bytes of store name plus key read without a heap allocation (Node-API writes a terminating
/// zero too). Names are short as a rule; a store name and key of up to 1024 UTF-8 bytes each
/// (ARCHITECTURE.md D10) that do not fit are read through the heap. Kept small: the buffer is
/// zeroed on every call.
const NAMES_ON_STACK: usize = 512;

/// Forgets that JS holds any value: the next `readValue` (see `read_raw.rs`) of each answers
/// with its JSON.
#[napi]
pub fn log_forget_values(log: &mut Handle) {
    log.held.clear();
}

/// Runs `find` with `store` and `key` read as UTF-8: from one stack buffer when they fit,
/// else through the heap.
pub(super) fn with_names<T>(
    env: &Env,
    store: JsString,
    key: JsString,
    find: impl FnOnce(&str, &str) -> T,
) -> napi::Result<T, ErrorCode> {
    let mut names = [0u8; NAMES_ON_STACK];
    let store_len = copy_utf8(env, store, &mut names)?;
    let key_len = copy_utf8(env, key, names.get_mut(store_len..).unwrap_or_default())?;
    if store_len + key_len + 2 < NAMES_ON_STACK {
        let store = utf8(names.get(..store_len))?;
        let key = utf8(names.get(store_len..store_len + key_len))?;
        Ok(find(store, key))
    } else {
        // Too long for the stack buffer (it may have been cut): read both through the heap.
        let store = heap_utf8(store)?;
        let key = heap_utf8(key)?;
        Ok(find(&store, &key))
    }
}

/// The value of the fact at `slot` as a JS string (one-byte when it is ASCII); when `out` has
/// room for it ([`FLAT_OUT`]), a flat object's members are read into it too (see
/// `flat_read.rs`).
pub(super) fn value_string<'env>(
    env: &'env Env,
    log: &mut NativeLog,
    slot: Slot,
    out: &mut [f64],
) -> napi::Result<Option<JsString<'env>>, ErrorCode> {
    let Some(view) = log.log.view(slot) else {
        return Ok(None);
    };
    let json = view.value_json();
    if out.len() >= FLAT_OUT {
        log.shapes.read(json.as_bytes(), out);
    }
    let text = if json.is_ascii() {
        env.create_string_latin1(json.as_bytes())
    } else {
        env.create_string(json)
    };
    text.map(Some)
        .map_err(|error| boundary_error(&error.reason))
}

/// Copies `text` as UTF-8 into `out` and returns the bytes written, at most `out.len() - 1`
/// (Node-API keeps room for a terminating zero and cuts a longer text).
fn copy_utf8(env: &Env, text: JsString, out: &mut [u8]) -> napi::Result<usize, ErrorCode> {
    let mut written = 0usize;
    // SAFETY: `out` is writable for `out.len()` bytes and outlives the call; Node-API writes at
    // most that many bytes, the terminating zero included, and reports how many it wrote.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env.raw(),
            text.raw(),
            out.as_mut_ptr().cast(),
            out.len(),
            &mut written,
        )
    };
    if status == sys::Status::napi_ok {
        Ok(written)
    } else {
        Err(boundary_error("expected a string"))
    }
}

/// A string argument read through the heap.
fn heap_utf8(text: JsString) -> napi::Result<String, ErrorCode> {
    text.into_utf8()
        .and_then(|utf8| utf8.into_owned())
        .map_err(|_| boundary_error("expected a string"))
}

/// Bytes Node-API wrote as UTF-8, as `&str`.
fn utf8(bytes: Option<&[u8]>) -> napi::Result<&str, ErrorCode> {
    std::str::from_utf8(bytes.unwrap_or_default())
        .map_err(|_| boundary_error("the string is not valid UTF-8"))
}

pub(super) fn boundary_error(reason: &str) -> napi::Error<ErrorCode> {
    napi::Error::new(
        "ERR_INVALID_ARGUMENT",
        format!("invalid argument: {reason}"),
    )
}
