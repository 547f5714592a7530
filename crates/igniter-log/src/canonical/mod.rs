//! RFC 8785 (JCS) canonical JSON of Igniter values (D1, D2).
//!
//! The input is JSON text. Every number is read as an IEEE double, as JavaScript does, so
//! integers beyond 2^53 round (`18446744073709551615` becomes `18446744073709552000`) and
//! `1.0` is `1`. The output has no whitespace, object keys sorted by UTF-16 code units,
//! ECMAScript number formatting and minimal string escaping, byte for byte what the
//! TypeScript engine produces.

mod check;
mod key_order;
mod parse;
mod tree;
pub(crate) mod write;

use std::cell::Cell;

use crate::error::LogError;
use crate::hash::sha256_hex;
use tree::Tree;

/// A value's canonical JSON together with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueHash {
    /// The RFC 8785 canonical JSON text.
    pub canonical: String,
    /// Lowercase hex SHA-256 of `canonical`'s UTF-8 bytes.
    pub hash: String,
}

/// Returns the canonical JSON of the value written as `json_text`.
///
/// # Errors
/// [`LogError::InvalidValue`] when `json_text` is not exactly one JSON value, or the value is
/// not an Igniter value: a number that overflows a double (`1E400`; underflow to 0 is fine),
/// an escaped lone UTF-16 surrogate (`"\ud800"`), or an object with a repeated key.
/// [`LogError::ValueTooLarge`] when `json_text` is 2 GiB or longer.
///
/// Cost: linear in the input plus sorting each object's keys; no recursion, so any nesting
/// depth that fits in memory is accepted. Parse buffers are reused by the next call on the
/// same thread (up to inputs of 1 MiB), so a small value allocates only its output.
pub fn canonicalize(json_text: &str) -> Result<String, LogError> {
    with_tree(json_text.len(), |tree| {
        parse::parse(json_text, tree)?;
        let mut out = String::with_capacity(json_text.len());
        write::write_canonical(tree, json_text, &mut out);
        Ok(out)
    })
}

/// Appends the canonical JSON of the value written as `json_text` to `out` (see
/// [`canonicalize`]); on error `out` may hold part of it.
///
/// # Errors
/// Those of [`canonicalize`].
pub fn canonicalize_append(json_text: &str, out: &mut String) -> Result<(), LogError> {
    if check::is_canonical(json_text) {
        out.push_str(json_text);
        return Ok(());
    }
    with_tree(json_text.len(), |tree| {
        parse::parse(json_text, tree)?;
        write::write_canonical(tree, json_text, out);
        Ok(())
    })
}

/// Inputs up to this size leave their parse buffers to the thread for the next call.
const REUSED_INPUT_LEN: usize = 1 << 20;

thread_local! {
    /// Parse buffers reused across calls, so canonicalizing a small value allocates only its
    /// output.
    static REUSED_TREE: Cell<Tree> = Cell::new(Tree::default());
}

/// Runs `work` with this thread's reusable tree, or with a fresh one for a large input, which
/// then releases its memory at once.
fn with_tree<T>(input_len: usize, work: impl FnOnce(&mut Tree) -> T) -> T {
    let reuse = input_len <= REUSED_INPUT_LEN;
    let mut tree = if reuse {
        REUSED_TREE.try_with(Cell::take).unwrap_or_default()
    } else {
        Tree::default()
    };
    let result = work(&mut tree);
    if reuse {
        // Only fails while the thread is exiting, when the buffers are not needed any more.
        let _ = REUSED_TREE.try_with(|cell| cell.set(tree));
    }
    result
}

/// Like [`canonicalize`], but rejects a value whose canonical JSON exceeds `limit` bytes.
///
/// # Errors
/// Those of [`canonicalize`], and [`LogError::ValueTooLarge`] above the limit.
pub fn canonicalize_with_limit(json_text: &str, limit: usize) -> Result<String, LogError> {
    let canonical = canonicalize(json_text)?;
    if canonical.len() > limit {
        return Err(LogError::ValueTooLarge {
            size: canonical.len(),
            limit,
        });
    }
    Ok(canonical)
}

/// Returns the canonical JSON of the value written as `json_text` and its SHA-256.
///
/// # Errors
/// Those of [`canonicalize`].
pub fn value_hash(json_text: &str) -> Result<ValueHash, LogError> {
    let canonical = canonicalize(json_text)?;
    let hash = sha256_hex(canonical.as_bytes());
    Ok(ValueHash { canonical, hash })
}

#[cfg(test)]
mod tests;
