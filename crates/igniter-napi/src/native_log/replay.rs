//! Replaying a data file into the log in one call (`igniter_log::replay`), as JS reads it.

use igniter_log::replay::{replay_file, ReplayOptions, ReplayStop};
use igniter_log::LogError;
use napi_derive::napi;

use super::tally::store_tallies;
use super::{whole, Handle};
use crate::{to_napi_error, ErrorCode};

/// What [`log_replay_file`] found, as JS reads it (see `igniter_log::replay`).
#[napi(object)]
pub struct ReplayResult {
    /// File size when the replay ran.
    pub size: f64,
    /// Offset just past the last frame taken.
    pub end: f64,
    /// `"end"`, a damage reason (`"incomplete"`, `"bad-crc"`, `"too-large"`, `"empty"`,
    /// `"broken-batch"`: a batch marker whose batch is not whole), or
    /// `"unsupported"` for an intact frame the JS decoder must judge (or a failed read).
    pub stop: String,
    /// Offset of the frame the replay stopped at (-1 at the end of the file).
    pub stop_offset: f64,
    /// Why an unsupported frame was not taken.
    pub reason: Option<String>,
    /// The first frame's body, when only it was asked for.
    pub meta: Option<String>,
    /// Highest seq read.
    pub max_seq: f64,
    /// Facts loaded.
    pub loaded: f64,
    /// Stores that got facts, with their fact counts and frame bytes at the same index.
    pub tally_stores: Vec<String>,
    /// Facts loaded per store.
    pub tally_facts: Vec<f64>,
    /// Frame bytes loaded per store.
    pub tally_bytes: Vec<f64>,
}

/// Numbers of a [`log_replay_file`] call.
pub const REPLAY_NUMBERS: usize = 6;

/// Replays the data file at `path` into the log in one call: reads its frames from
/// `numbers[0]`, checks their CRCs and loads their facts, stopping at the first frame that is
/// damaged or that this reader does not take. `numbers`: start offset, largest frame body,
/// 1 to read only the first frame (the metadata record), the seq every fact must be above,
/// the highest seq allowed (Infinity for none), and the seq up to which facts are checked but
/// not loaded. A failed read is reported as `"unsupported"`, so that the JS reader, which
/// reads the file next, raises the system error itself.
///
/// Throws `ERR_INVALID_ARGUMENT` when `numbers` is too short.
#[napi]
pub fn log_replay_file(
    log: &mut Handle,
    path: String,
    numbers: &[f64],
) -> napi::Result<ReplayResult, ErrorCode> {
    if numbers.len() < REPLAY_NUMBERS {
        return Err(to_napi_error(LogError::InvalidArgument {
            reason: format!("a replay takes {REPLAY_NUMBERS} numbers"),
        }));
    }
    let count = |index: usize| whole(numbers[index]).unwrap_or(u64::MAX);
    let options = ReplayOptions {
        start: count(0),
        max_frame_bytes: count(1),
        meta_only: numbers[2] == 1.0,
        after_seq: count(3),
        max_seq: count(4),
        skip_through: count(5),
    };
    let report = match replay_file(&mut log.log, path.as_ref(), &options) {
        Ok(report) => report,
        Err(error) => {
            return Ok(ReplayResult {
                size: -1.0,
                end: -1.0,
                stop: "unsupported".to_owned(),
                stop_offset: -1.0,
                reason: Some(error.to_string()),
                meta: None,
                max_seq: 0.0,
                loaded: 0.0,
                tally_stores: Vec::new(),
                tally_facts: Vec::new(),
                tally_bytes: Vec::new(),
            })
        }
    };
    super::release::release_after_replay(report.loaded);
    let (stop, stop_offset, reason) = match report.stop {
        ReplayStop::End => ("end".to_owned(), -1.0, None),
        ReplayStop::Damage { offset, damage } => (damage.name().to_owned(), offset as f64, None),
        ReplayStop::Unsupported { offset, reason } => {
            ("unsupported".to_owned(), offset as f64, Some(reason))
        }
    };
    let (tally_stores, tally_facts, tally_bytes) = store_tallies(&log.log, &report.tally);
    Ok(ReplayResult {
        size: report.size as f64,
        end: report.end as f64,
        stop,
        stop_offset,
        reason,
        meta: report.meta,
        max_seq: report.max_seq as f64,
        loaded: report.loaded as f64,
        tally_stores,
        tally_facts,
        tally_bytes,
    })
}
