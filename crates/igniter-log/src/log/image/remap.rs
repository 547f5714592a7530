//! An open's image: after an open replayed many facts into the heap, the log's state is written
//! as an image tied to the snapshot and to the log bytes the replay read, and the log is
//! reopened from it, so that its records, key tables and ids become file pages instead of heap
//! (they were written with `write`, never touched through the mapping, so they are not
//! resident), and the next open maps the image and replays only the log after those bytes.

use std::fs::File;
use std::path::Path;

use super::super::FactLog;
use super::write::write_tied;
use super::{LogTie, SnapshotTie};
use crate::replay::StoreTally;

/// What an open's image covers: the snapshot (its tie, all zeros when there is none) and the
/// first `log_end` bytes of the log file open as `log`, with the per-store tally of their frames.
#[derive(Debug)]
pub struct PrefixImage<'a> {
    /// The snapshot's tie, or the default (all zeros) when there is no snapshot.
    pub snapshot: SnapshotTie,
    /// The log file, open.
    pub log: &'a File,
    /// Offset just past the last frame replayed into the log.
    pub log_end: u64,
    /// Facts and frame bytes per store name, of the snapshot and the log prefix together.
    pub tally: Vec<(String, StoreTally)>,
}

impl FactLog {
    /// Writes this log (just replayed from the files `image` describes) as an image to `temp`,
    /// renames it to `path`, and reopens this log from it: its records, key tables and ids
    /// are then mapped from the file and the heap copies are freed. Facts appended later go to
    /// the heap as after any image open.
    ///
    /// # Errors
    /// Why no image was put in place (a failed read of the log, write or rename, staged facts);
    /// this log is then unchanged and `temp` removed.
    ///
    /// Cost: one sequential write of the records, payload and index; the reopen reads the
    /// index and payload sections (CRC-32) but not the records (this process wrote them).
    pub fn remap_to_image(
        &mut self,
        image: &PrefixImage<'_>,
        path: &Path,
        temp: &Path,
    ) -> Result<(), String> {
        if self.staged.is_some() {
            return Err("the log has staged facts".to_owned());
        }
        let log_tie = match LogTie::of_open(image.log, image.log_end) {
            Ok(Some(tie)) => tie,
            Ok(None) => return Err("the log is shorter than the frames replayed".to_owned()),
            Err(error) => return Err(format!("the log cannot be read: {error}")),
        };
        let mut tally = vec![StoreTally::default(); self.stores.len()];
        for (name, counts) in &image.tally {
            let Some(&index) = self.store_ids.get(name.as_str()) else {
                return Err(format!("the tally names store {name}, which has no facts"));
            };
            tally[index as usize] = *counts;
        }
        write_tied(self, &tally, (image.snapshot, log_tie), temp)
            .map_err(|error| format!("the image could not be written: {error}"))?;
        // Removed first, not renamed over: ext4 flushes a file renamed over another one before
        // the rename returns (auto_da_alloc). An image there now is one this open refused.
        let _ = std::fs::remove_file(path);
        if let Err(error) = std::fs::rename(temp, path) {
            let _ = std::fs::remove_file(temp);
            return Err(format!("the image could not be put in place: {error}"));
        }
        let mut fresh = FactLog::new(self.max_value_bytes);
        let opened = File::open(path)
            .map_err(|error| format!("the image just written cannot be read: {error}"))
            .and_then(|file| {
                fresh
                    .open_mapped(&file, image.snapshot, Some(image.log), false)
                    .map_err(|refusal| {
                        format!("the image just written was refused: {}", refusal.reason)
                    })
            });
        if let Err(reason) = opened {
            // Not left behind for a later open to judge: this open could not use it either.
            let _ = std::fs::remove_file(path);
            return Err(reason);
        }
        // Ids minted from now on keep counting up from this log's last one.
        std::mem::swap(&mut fresh.ids, &mut self.ids);
        *self = fresh;
        Ok(())
    }
}
