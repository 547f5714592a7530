//! Building a checkpoint's image: the data files the checkpoint copies into its new snapshot
//! (the old snapshot's frames, then the log's up to the checkpoint's seq) are replayed into a
//! fresh log, the same replay an open of the new snapshot does, and its state is written. This
//! runs while the checkpoint copies those frames; the image is sealed to the new snapshot
//! (its tie written into the header) once the snapshot is in place. When the old snapshot has
//! an intact image, the log starts from that image and only the log's frames are replayed; when
//! an open wrote the image (it covers the log's first frames too), only the log after those.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::super::FactLog;
use super::{write_image, Header, SnapshotTie, HEADER_BYTES};
use crate::replay::{replay_opened, ReplayOptions, StoreTally};

/// What the new snapshot holds: the facts of `sources` (open files, each read from its offset)
/// up to `last_seq`, `fact_count` of them.
#[derive(Debug)]
pub struct ImageSources {
    /// The data files, in order, each with the offset of its first fact frame.
    pub files: Vec<(File, u64)>,
    /// Largest frame body accepted.
    pub max_frame_bytes: u64,
    /// The new snapshot's `lastSeq`.
    pub last_seq: u64,
    /// The new snapshot's `factCount`.
    pub fact_count: u64,
    /// The image to start from, open, with the old snapshot's tie (all zeros when there is no
    /// snapshot): the checkpoint image of the first file (the old snapshot), or an image an open
    /// wrote, which also covers the first bytes of the last file (the log). When it is intact
    /// and tied to them, the log starts from it and only the files' rest is replayed.
    pub base: Option<(File, SnapshotTie)>,
}

/// Replays `sources` and writes the image of the result to `temp`, not yet tied to a
/// snapshot: [`seal_image`] does that. Returns `Ok(None)` once written, or `Ok(Some(reason))`
/// when the files do not give exactly the snapshot's facts (a frame this replay leaves to the
/// JS decoder, damage, another count): then nothing is written.
///
/// # Errors
/// The I/O error of a failed read or write (`temp` is removed).
///
/// Cost: one replay of the sources and one write of the image, on the calling thread.
pub fn build_image(sources: ImageSources, temp: &Path) -> std::io::Result<Option<String>> {
    let mut log = FactLog::new(usize::MAX);
    let mut tally: Vec<StoreTally> = Vec::new();
    let mut files = sources.files;
    if let Some((image, tie)) = sources.base {
        let last = files.last().map(|(file, _)| file);
        if let Ok(open) = log.open_mapped(&image, tie, last, true) {
            tally = open.tally;
            if open.log_end == 0 {
                // A checkpoint's image: it holds the old snapshot, the first file.
                files.remove(0);
            } else {
                // An open's image: it holds the old snapshot and the log up to `log_end`.
                files.drain(..files.len() - 1);
                if let Some(log_part) = files.last_mut() {
                    log_part.1 = log_part.1.max(open.log_end);
                }
            }
        }
    }
    for (file, start) in files {
        let options = ReplayOptions {
            after_seq: log.last_seq(),
            max_seq: sources.last_seq,
            ..ReplayOptions::facts(start, sources.max_frame_bytes)
        };
        let report = replay_opened(&mut log, file, &options)?;
        // A frame past the checkpoint's seq (or a torn one being written) ends the log's part.
        tally.resize(tally.len().max(report.tally.len()), StoreTally::default());
        for (sum, part) in tally.iter_mut().zip(&report.tally) {
            sum.facts += part.facts;
            sum.bytes += part.bytes;
        }
    }
    if log.len() as u64 != sources.fact_count {
        return Ok(Some(format!(
            "the checkpoint's files gave {} facts, not the snapshot's {}",
            log.len(),
            sources.fact_count
        )));
    }
    write_image(&log, &tally, SnapshotTie::default(), temp)?;
    Ok(None)
}

/// Ties the image at `path` (written by [`build_image`]) to the snapshot `tie` describes (not
/// fsynced, as the image's other bytes: a header lost to a power loss fails its CRC-32).
/// Returns `Ok(Some(reason))` when `path` does not hold an intact image header.
///
/// # Errors
/// The I/O error of a failed read or write.
pub fn seal_image(path: &Path, tie: SnapshotTie) -> std::io::Result<Option<String>> {
    let mut file = OpenOptions::new().read(true).write(true).open(path)?;
    let mut head = [0u8; HEADER_BYTES];
    file.read_exact(&mut head)?;
    let mut header = match Header::decode(&head) {
        Ok(header) => header,
        Err(reason) => return Ok(Some(reason.to_owned())),
    };
    header.tie = tie;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&header.encode())?;
    Ok(None)
}
