//! `igniter-log`: the pure-Rust core of Igniter's native engine: canonical JSON, SHA-256 value
//! hashes and the fact log.
//!
//! It has no Node.js dependency: `crates/igniter-napi` exposes it to JavaScript, and
//! `cargo test -p igniter-log` checks it against the golden vectors in the repository's
//! `vectors/` folder, which the TypeScript engine's tests read too.
//!
//! ```
//! let value = igniter_log::value_hash(r#"{"b":1,"a":[1.0,"x"]}"#)?;
//! assert_eq!(value.canonical, r#"{"a":[1,"x"],"b":1}"#);
//! assert_eq!(value.hash.len(), 64);
//! # Ok::<(), igniter_log::LogError>(())
//! ```
#![deny(clippy::all)]
#![warn(missing_docs)]

pub mod canonical;
pub mod error;
pub mod hash;
pub mod log;
pub mod pg_copy;
pub mod replay;
pub mod wal;

pub use canonical::{
    canonicalize, canonicalize_append, canonicalize_with_limit, value_hash, ValueHash,
};
pub use error::LogError;
pub use hash::{sha256, sha256_hex};
pub use log::{Digest, FactLog, FactView, Identifier, LoadedFact, NewFact, Slot};
