//! Building a snapshot's image: the snapshot is replayed into a fresh log (the same replay an
//! open does), whose state is then written as the image.

use std::path::Path;

use super::super::FactLog;
use super::{write_image, SnapshotTie};
use crate::replay::{replay_file, ReplayOptions, ReplayStop};

/// Where the snapshot's facts are and what its metadata record declares.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotFacts {
    /// Offset of the first fact frame (just past the metadata record).
    pub start: u64,
    /// Largest frame body accepted.
    pub max_frame_bytes: u64,
    /// The metadata record's `lastSeq`.
    pub last_seq: u64,
    /// The metadata record's `factCount`.
    pub fact_count: u64,
}

/// Replays the snapshot at `snapshot` and writes its image to `temp` (fsynced; the caller
/// renames it into place). Returns `Ok(None)` once the image is written, or `Ok(Some(reason))` when the snapshot is
/// not one this replay takes whole (a frame left to the JS decoder, damage, another count than
/// declared): then no image is written and opens keep replaying the snapshot.
///
/// # Errors
/// The I/O error of a failed read or write (`temp` is removed).
///
/// Cost: one replay of the snapshot and one write of the image, on the calling thread.
pub fn build_image(
    snapshot: &Path,
    facts: SnapshotFacts,
    temp: &Path,
) -> std::io::Result<Option<String>> {
    let mut log = FactLog::new(usize::MAX);
    let options = ReplayOptions {
        max_seq: facts.last_seq,
        ..ReplayOptions::facts(facts.start, facts.max_frame_bytes)
    };
    let report = replay_file(&mut log, snapshot, &options)?;
    if report.stop != ReplayStop::End || report.loaded != facts.fact_count {
        return Ok(Some(format!(
            "the snapshot replay stopped at {:?} after {} of {} facts",
            report.stop, report.loaded, facts.fact_count
        )));
    }
    let tie = SnapshotTie::of_file(snapshot, facts.last_seq, facts.fact_count)?;
    if tie.size != report.size {
        return Ok(Some(
            "the snapshot changed while its image was built".to_owned(),
        ));
    }
    write_image(&log, &report.tally, tie, temp)?;
    Ok(None)
}
