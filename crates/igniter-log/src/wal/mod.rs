//! The native write path of a file-backend log (DESIGN D8, D9): a fact the log just appended is
//! framed here ([`write_fact_frame`], the `json-v1` codec's exact bytes) and handed to a
//! [`WalWriter`], which owns the buffer, the file and, for group commit, the thread that makes
//! it durable. Reading such files back is [`crate::replay`]'s job.

mod batch;
mod commit;
mod frame;
mod status;
mod writer;

#[cfg(test)]
mod tests;

pub use batch::{BatchMarker, BATCH_MARKER_BODY_BYTES, BATCH_MARKER_FRAME_BYTES};
pub use frame::{push_frame, write_fact_frame, FrameParts, Unframed, FRAME_OVERHEAD};
pub use status::{Durability, WalError, WalStatus};
pub use writer::WalWriter;
