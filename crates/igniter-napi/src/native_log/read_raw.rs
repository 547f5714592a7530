//! The reads of a key's value, as plain Node-API callbacks: `logReadValueFunction()` and
//! `logLatestValueFunction()` each return one, which JS fetches once and calls as
//! `readValue(log, store, key, asOf, out)` and `latestValue(log, store, key, asOf)`.
//!
//! A `#[napi]` function pays, on every call, for napi-rs' machinery around the body: a
//! `CallbackInfo`, a native borrow scope with its guards, the runtime check, the conversion of
//! each argument through its trait and of the result. Measured in
//! `benchmarks/peers/read-phases.mjs`, that was a sizeable part of a ~3.3 µs first read. These
//! callbacks do only the Node-API calls the read needs: the arguments, the external's pointer,
//! the two names, the `Float64Array`'s memory, and the answer.

use std::cell::Cell;
use std::ffi::{c_void, CString};
use std::ptr;

use napi::bindgen_prelude::{FromNapiMutRef, FromNapiValue, Unknown};
use napi::{sys, Env, JsString, JsValue};
use napi_derive::napi;

use super::read_value::{boundary_error, value_string, with_names};
use super::{Handle, NativeLog};
use igniter_log::Slot;

/// Arguments a callback reads: log, store, key, asOf, and for `readValue` out.
const ARGS: usize = 5;

/// Returns the function `(log, store, key, asOf, out) => number | string | null`: the slot of
/// the highest-seq fact of (store, key) with a transaction time at or before `asOf` (NaN for
/// the latest), as `logLatestValue` finds it, and the answer JS needs: `null` when there is
/// none; the slot, a number, when JS holds that fact's value already (it said so by taking it
/// from here before, and nothing since made it forget: see `HeldValues`); else the value's
/// canonical JSON, with the slot written to `out[0]`, and from then on JS is taken to hold it
/// (when `out` is empty, nothing is written and nothing is taken to be held). When `out` has
/// room for it, the members of a value that is a flat object are read into it from `out[1]`
/// on, so that JS builds the object without checking its keys or parsing its numbers (see
/// `flat_read.rs`; `out[1]` is -1 for a value JS must parse itself).
///
/// The function throws an `Error` with `code` `"ERR_INVALID_ARGUMENT"` when `log` is not a
/// log handle, `store` or `key` not a string, `asOf` not a number or `out` not a
/// `Float64Array`. A lone surrogate in `store` or `key` is read as U+FFFD, as every string
/// argument is.
#[napi]
pub fn log_read_value_function(env: &Env) -> napi::Result<Unknown<'_>> {
    function(env, "readValue", read_value)
}

/// Returns the function `(log, store, key, asOf, out?) => string | null`: the value (canonical
/// JSON) of the highest-seq fact of (store, key) with a transaction time at or before `asOf`
/// (NaN for the latest), or `null` when there is none. It neither looks at nor changes what
/// `readValue` handed over. When `out` (a `Float64Array`, optional) has room for it, a flat
/// object's members are read into it from `out[1]` on, as `readValue` does (`flat_read.rs`).
///
/// The function throws as `readValue`'s does.
#[napi]
pub fn log_latest_value_function(env: &Env) -> napi::Result<Unknown<'_>> {
    function(env, "latestValue", latest_value)
}

/// A JS function named `name` that Node-API runs as `callback`.
fn function<'env>(
    env: &'env Env,
    name: &str,
    callback: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
) -> napi::Result<Unknown<'env>> {
    let mut function = ptr::null_mut();
    // SAFETY: `env` is the current environment; the name is valid for `name.len()` bytes and
    // the callback has the signature Node-API calls it with.
    let status = unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr().cast(),
            name.len() as isize,
            Some(callback),
            ptr::null_mut(),
            &mut function,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_reason(format!("could not create {name}")));
    }
    // SAFETY: `function` was just created in `env`.
    Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), function) })
}

/// `readValue`'s callback.
unsafe extern "C" fn read_value(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by Node-API on the JS thread with this callback's `env` and `info`.
    unsafe { call(env, info, read_answer) }
}

/// `latestValue`'s callback.
unsafe extern "C" fn latest_value(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by Node-API on the JS thread with this callback's `env` and `info`.
    unsafe { call(env, info, latest_answer) }
}

/// Reads a callback's arguments (undefined for missing ones) and answers with `answer`, or
/// throws its error as a JS exception.
///
/// # Safety
/// Called on the JS thread, during the callback of `env` that `info` describes.
unsafe fn call(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    answer: unsafe fn(sys::napi_env, &[sys::napi_value; ARGS]) -> Answer,
) -> sys::napi_value {
    let mut argc = ARGS;
    let mut argv = [ptr::null_mut(); ARGS];
    // SAFETY: `argv` has room for `argc` values; missing arguments are filled with undefined.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    let answer = if status == sys::Status::napi_ok {
        // SAFETY: as this function's.
        unsafe { answer(env, &argv) }
    } else {
        Err(boundary_error("unreadable arguments"))
    };
    match answer {
        Ok(value) => value,
        Err(error) => {
            let code = CString::new(error.status).unwrap_or_default();
            let message = CString::new(error.reason).unwrap_or_default();
            // SAFETY: both strings are zero-terminated and live through the call; a failure
            // to throw leaves nothing else to do.
            unsafe { sys::napi_throw_error(env, code.as_ptr(), message.as_ptr()) };
            ptr::null_mut()
        }
    }
}

/// A callback's answer, or the error to throw.
type Answer = napi::Result<sys::napi_value, &'static str>;

/// The arguments every read takes: the log, the slot of the fact a read picks (`None` when
/// there is none).
///
/// # Safety
/// Called on the JS thread, during a callback of `env`, with that callback's arguments.
unsafe fn pick<'a>(
    env: sys::napi_env,
    argv: &[sys::napi_value; ARGS],
) -> napi::Result<(&'a mut NativeLog, Option<Slot>), &'static str> {
    let [log, store, key, as_of, _] = *argv;
    // SAFETY: `log` is a value of this callback.
    let log = unsafe { log_handle(env, log) }?;
    let as_of = number(env, as_of)?;
    // SAFETY: `with_names` type-checks both values (Node-API refuses a non-string).
    let (store, key) = unsafe {
        (
            JsString::from_napi_value(env, store),
            JsString::from_napi_value(env, key),
        )
    };
    let (Ok(store), Ok(key)) = (store, key) else {
        return Err(boundary_error("expected a string"));
    };
    let as_of = (!as_of.is_nan()).then_some(as_of);
    let slot = with_names(&Env::from_raw(env), store, key, |store, key| {
        log.log.latest_slot(store, key, as_of)
    })?;
    Ok((log, slot))
}

thread_local! {
    /// The data pointer of the last external these callbacks found to be a log handle, and the
    /// log it holds: a read that passes the same handle again (the rule: one store reads
    /// through one log) skips napi-rs' check, a global mutex and a hash lookup per call (~2% of
    /// a first read). Cleared when that log is dropped (`NativeLog`'s `Drop`), so an address
    /// freed and reused by another external is checked again.
    static CHECKED: Cell<(*mut c_void, *const NativeLog)> = const { Cell::new((ptr::null_mut(), ptr::null())) };
}

/// The log a handle argument holds, checked as napi-rs checks an `External<NativeLog>` unless
/// it is the handle checked last (see [`CHECKED`]).
///
/// # Safety
/// Called on the JS thread, during a callback of `env`, with one of that callback's values.
unsafe fn log_handle<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> napi::Result<&'a mut NativeLog, &'static str> {
    let mut data = ptr::null_mut();
    // SAFETY: `value` is a value of the current callback; Node-API refuses a non-external.
    let status = unsafe { sys::napi_get_value_external(env, value, &mut data) };
    if status != sys::Status::napi_ok {
        return Err(boundary_error("expected a log handle"));
    }
    let (checked, _) = CHECKED.get();
    if !data.is_null() && data == checked {
        // SAFETY: `data` was found to be a live `External<NativeLog>` by napi-rs' check below,
        // and is forgotten when that log drops, before its memory can be reused: it is still
        // that external. JS runs one callback at a time, so no other reference to it is alive.
        let external = unsafe { &mut *data.cast::<Handle>() };
        return Ok(external.as_mut());
    }
    // SAFETY: as this function's; the check rejects any external but a log handle.
    let external = unsafe { Handle::from_napi_mut_ref(env, value) }
        .map_err(|_| boundary_error("expected a log handle"))?;
    let log: &mut NativeLog = external.as_mut();
    CHECKED.set((data, std::ptr::from_ref(log)));
    Ok(log)
}

/// Forgets the handle checked last if it holds `log` (which is being dropped).
pub(super) fn forget_checked(log: &NativeLog) {
    // `try_with`: a log dropped while the thread's locals are torn down has nothing to clear.
    let _ = CHECKED.try_with(|checked| {
        if std::ptr::eq(checked.get().1, log) {
            checked.set((ptr::null_mut(), ptr::null()));
        }
    });
}

/// `latestValue` on the arguments `log, store, key, asOf, out`.
///
/// # Safety
/// As [`pick`].
unsafe fn latest_answer(env: sys::napi_env, argv: &[sys::napi_value; ARGS]) -> Answer {
    let out = optional_f64_array(env, argv[4])?;
    // SAFETY: as this function's.
    let (log, slot) = unsafe { pick(env, argv) }?;
    match slot {
        Some(slot) => text(env, log, slot, out),
        None => null(env),
    }
}

/// The value of the fact at `slot` as a JS string, or `null` when there is none.
fn text(env: sys::napi_env, log: &mut NativeLog, slot: Slot, out: &mut [f64]) -> Answer {
    let context = Env::from_raw(env);
    match value_string(&context, log, slot, out)? {
        Some(text) => Ok(text.raw()),
        None => null(env),
    }
}

/// `readValue` on the arguments `log, store, key, asOf, out`.
///
/// # Safety
/// As [`pick`].
unsafe fn read_answer(env: sys::napi_env, argv: &[sys::napi_value; ARGS]) -> Answer {
    let out = f64_array(env, argv[4])?;
    // SAFETY: as this function's.
    let (log, slot) = unsafe { pick(env, argv) }?;
    let Some(slot) = slot else {
        return null(env);
    };
    if log.held.holds(slot) {
        return double(env, f64::from(slot));
    }
    let context = Env::from_raw(env);
    let Some(text) = value_string(&context, log, slot, out)? else {
        return null(env);
    };
    if let Some(first) = out.first_mut() {
        *first = f64::from(slot);
        log.held.insert(slot);
    }
    Ok(text.raw())
}

/// A JS number argument.
fn number(env: sys::napi_env, value: sys::napi_value) -> napi::Result<f64, &'static str> {
    let mut number = 0.0;
    // SAFETY: `value` is a value of the current callback; Node-API checks its type.
    let status = unsafe { sys::napi_get_value_double(env, value, &mut number) };
    if status == sys::Status::napi_ok {
        Ok(number)
    } else {
        Err(boundary_error("expected a number"))
    }
}

/// The memory of a `Float64Array` argument, or nothing when the argument is undefined.
fn optional_f64_array<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> napi::Result<&'a mut [f64], &'static str> {
    let mut kind = sys::ValueType::napi_undefined;
    // SAFETY: `value` is a value of the current callback.
    let status = unsafe { sys::napi_typeof(env, value, &mut kind) };
    if status == sys::Status::napi_ok && kind == sys::ValueType::napi_undefined {
        return Ok(&mut []);
    }
    f64_array(env, value)
}

/// The memory of a `Float64Array` argument, for this call only.
fn f64_array<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> napi::Result<&'a mut [f64], &'static str> {
    let mut kind = sys::TypedarrayType::int8_array as sys::napi_typedarray_type;
    let mut length = 0usize;
    let mut data = ptr::null_mut();
    // SAFETY: `value` is a value of the current callback; Node-API checks that it is a typed
    // array and reports its kind, length and memory.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            &mut kind,
            &mut length,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if status != sys::Status::napi_ok
        || kind != sys::TypedarrayType::float64_array as sys::napi_typedarray_type
    {
        return Err(boundary_error("expected a Float64Array"));
    }
    if length == 0 || data.is_null() {
        return Ok(&mut []);
    }
    // SAFETY: the array is the engine's private scratch, `length` doubles at `data`, aligned
    // as a Float64Array is; no other reference to it exists while the call runs, and JS cannot
    // run meanwhile.
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<f64>(), length) })
}

fn null(env: sys::napi_env) -> napi::Result<sys::napi_value, &'static str> {
    let mut value = ptr::null_mut();
    // SAFETY: `env` is the current environment.
    match unsafe { sys::napi_get_null(env, &mut value) } {
        sys::Status::napi_ok => Ok(value),
        _ => Err(boundary_error("could not answer")),
    }
}

fn double(env: sys::napi_env, number: f64) -> napi::Result<sys::napi_value, &'static str> {
    let mut value = ptr::null_mut();
    // SAFETY: `env` is the current environment.
    match unsafe { sys::napi_create_double(env, number, &mut value) } {
        sys::Status::napi_ok => Ok(value),
        _ => Err(boundary_error("could not answer")),
    }
}
