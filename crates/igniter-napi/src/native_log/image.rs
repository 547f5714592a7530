//! Checkpoint images for JS (`igniter_log::log::image`): building one from a snapshot on the
//! libuv pool, and opening a log from one.

use igniter_log::log::image::{build_image, seal_image, ImageSources, PrefixImage, SnapshotTie};
use igniter_log::replay::StoreTally;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use super::tally::store_tallies;
use super::{whole, Handle};

/// What [`log_open_image`] did, as JS reads it.
#[napi(object)]
pub struct ImageOpenResult {
    /// True when the log now holds the image's facts; false when the image was refused.
    pub opened: bool,
    /// Why the image was refused.
    pub reason: Option<String>,
    /// Facts loaded.
    pub loaded: f64,
    /// The log's last seq.
    pub max_seq: f64,
    /// Offset in the log file where the frames the image covers end (0: it covers none, a
    /// checkpoint's image); the caller replays the log from there.
    pub log_end: f64,
    /// The snapshot's stores that hold facts, with their fact counts and frame bytes at the
    /// same index (what a replay of the snapshot reports).
    pub tally_stores: Vec<String>,
    /// Facts per store.
    pub tally_facts: Vec<f64>,
    /// Frame bytes per store.
    pub tally_bytes: Vec<f64>,
}

/// Loads the image at `imagePath` into the empty log when it is intact and tied to the
/// snapshot at `snapshotPath`, whose metadata record declares `numbers` = [lastSeq, factCount]
/// (`snapshotPath` empty: there is no snapshot, and only an image an open wrote can match).
/// With `logPath`, an image an open wrote (it also covers the first bytes of that log) is
/// taken too when the log still starts with them; `logEnd` then says where they end.
/// A missing, stale or damaged image is refused (`opened: false` and the reason); the log is
/// then unchanged and the caller replays the snapshot. Never throws.
#[napi]
pub fn log_open_image(
    log: &mut Handle,
    image_path: String,
    snapshot_path: String,
    numbers: &[f64],
    log_path: Option<String>,
) -> ImageOpenResult {
    let refused = |reason: String| ImageOpenResult {
        opened: false,
        reason: Some(reason),
        loaded: 0.0,
        max_seq: 0.0,
        log_end: 0.0,
        tally_stores: Vec::new(),
        tally_facts: Vec::new(),
        tally_bytes: Vec::new(),
    };
    let number = |index: usize| numbers.get(index).copied().and_then(whole);
    let (Some(last_seq), Some(fact_count)) = (number(0), number(1)) else {
        return refused("the snapshot's lastSeq and factCount are needed".to_owned());
    };
    let tie = match snapshot_tie(&snapshot_path, last_seq, fact_count) {
        Ok(tie) => tie,
        Err(error) => return refused(format!("the snapshot cannot be read: {error}")),
    };
    let opened = match log_path {
        None => log.log.open_image(image_path.as_ref(), tie),
        Some(log_path) => match std::fs::File::open(log_path) {
            Ok(file) => log.log.open_image_with_log(image_path.as_ref(), tie, &file),
            Err(error) => return refused(format!("the log cannot be read: {error}")),
        },
    };
    match opened {
        Ok(open) => {
            let (tally_stores, tally_facts, tally_bytes) = store_tallies(&log.log, &open.tally);
            ImageOpenResult {
                opened: true,
                reason: None,
                loaded: open.records as f64,
                max_seq: log.log.last_seq() as f64,
                log_end: open.log_end as f64,
                tally_stores,
                tally_facts,
                tally_bytes,
            }
        }
        Err(refusal) => refused(refusal.reason),
    }
}

/// The tie of the snapshot at `path` (empty: none, all zeros).
fn snapshot_tie(path: &str, last_seq: u64, fact_count: u64) -> std::io::Result<SnapshotTie> {
    if path.is_empty() {
        return Ok(SnapshotTie::default());
    }
    SnapshotTie::of_file(path.as_ref(), last_seq, fact_count)
}

/// After an open replayed the snapshot at `snapshotPath` (empty: none; its metadata record
/// declares `numbers[1..3]` = lastSeq, factCount) and the log at `logPath` up to offset
/// `numbers[0]` into this log, writes the log's state as an image to `tempPath`, renames it to
/// `imagePath` and reopens this log from it (`igniter_log`'s `FactLog::remap_to_image`): the
/// records, key tables and ids become file pages instead of heap, and the next open maps the
/// image and replays only the log after that offset. `tallyStores`/`tallyFacts`/`tallyBytes`:
/// the frames replayed per store (snapshot and log). Returns `""` once done, else why not
/// (the log is then unchanged). Never throws.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn log_write_image(
    log: &mut Handle,
    image_path: String,
    temp_path: String,
    log_path: String,
    snapshot_path: String,
    numbers: &[f64],
    tally_stores: Vec<String>,
    tally_numbers: &[f64],
) -> String {
    let number = |index: usize| numbers.get(index).copied().and_then(whole);
    let (Some(log_end), Some(last_seq), Some(fact_count)) = (number(0), number(1), number(2))
    else {
        return "the log's end, lastSeq and factCount are needed".to_owned();
    };
    let snapshot = match snapshot_tie(&snapshot_path, last_seq, fact_count) {
        Ok(tie) => tie,
        Err(error) => return format!("the snapshot cannot be read: {error}"),
    };
    let file = match std::fs::File::open(&log_path) {
        Ok(file) => file,
        Err(error) => return format!("the log cannot be read: {error}"),
    };
    let count = |index: usize| tally_numbers.get(index).copied().and_then(whole);
    let mut tally = Vec::with_capacity(tally_stores.len());
    for (index, store) in tally_stores.into_iter().enumerate() {
        let (Some(facts), Some(bytes)) = (count(2 * index), count(2 * index + 1)) else {
            return "the tally needs a fact count and a byte count per store".to_owned();
        };
        tally.push((store, StoreTally { facts, bytes }));
    }
    let image = PrefixImage {
        snapshot,
        log: &file,
        log_end,
        tally,
    };
    let facts = log.log.len() as u64;
    let written = log
        .log
        .remap_to_image(&image, image_path.as_ref(), temp_path.as_ref());
    // The heap records are gone: give their memory back as a replay's end does.
    super::release::release_after_replay(facts);
    match written {
        Ok(()) => String::new(),
        Err(reason) => reason,
    }
}

/// [`image_build`] on the libuv pool.
pub struct BuildImageTask {
    sources: Option<ImageSources>,
    temp: String,
}

impl Task for BuildImageTask {
    /// Empty once the image is written, else why none was.
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        let Some(sources) = self.sources.take() else {
            return Ok("the image build ran twice".to_owned());
        };
        let facts = sources.fact_count;
        let built = build_image(sources, self.temp.as_ref());
        // The replayed log is gone: give its memory back as an open's replay does.
        super::release::release_after_replay(facts);
        Ok(match built {
            Ok(None) => String::new(),
            Ok(Some(reason)) => reason,
            Err(error) => format!("the image could not be written: {error}"),
        })
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// Starts writing, on the libuv pool, the checkpoint image of the facts in the data files at
/// `paths` (opened now, before this returns: a rename over them later does not change what is
/// read), each read from its offset in `numbers`, to `tempPath` (not fsynced: a CRC-32 guards
/// every part); the image is not tied to a snapshot until [`image_seal`]. `numbers`: one start offset per path, then the
/// largest frame body, the new snapshot's lastSeq and its factCount, then the old snapshot's
/// (the first path's) lastSeq and factCount, then 1 when there is no old snapshot (the paths
/// are the log alone). With `baseImage`, the old snapshot's image, the build starts from that
/// image when it is intact and tied to the first path (or to no snapshot), and replays only the
/// other files; an image an open wrote also covers the log's first frames, which are then
/// skipped too. Resolves to `""` once the image is written, or to why none was (a file that
/// cannot be opened, files that do not give exactly the snapshot's facts, a failed write: the
/// temp file is then removed). Never rejects.
#[napi(js_name = "buildImage", ts_return_type = "Promise<string>")]
pub fn image_build(
    paths: Vec<String>,
    numbers: Vec<f64>,
    temp_path: String,
    base_image: Option<String>,
) -> AsyncTask<BuildImageTask> {
    let number = |index: usize| numbers.get(index).copied().and_then(whole).unwrap_or(0);
    let opened: std::io::Result<Vec<_>> = paths
        .iter()
        .enumerate()
        .map(|(index, path)| Ok((std::fs::File::open(path)?, number(index))))
        .collect();
    let at = paths.len();
    let sources = opened.ok().map(|files| {
        // The old snapshot's tie, taken from the file the build reads (opened above).
        let no_snapshot = number(at + 5) == 1;
        let base = base_image
            .zip(files.first())
            .and_then(|(image, (snapshot, _))| {
                let tie = if no_snapshot {
                    SnapshotTie::default()
                } else {
                    SnapshotTie::of_open(snapshot, number(at + 3), number(at + 4)).ok()?
                };
                Some((std::fs::File::open(image).ok()?, tie))
            });
        ImageSources {
            files,
            max_frame_bytes: number(at),
            last_seq: number(at + 1),
            fact_count: number(at + 2),
            base,
        }
    });
    AsyncTask::new(BuildImageTask {
        sources,
        temp: temp_path,
    })
}

/// [`image_seal`] on the libuv pool.
pub struct SealImageTask {
    image: String,
    snapshot: String,
    last_seq: u64,
    fact_count: u64,
}

impl Task for SealImageTask {
    /// Empty once sealed, else why not.
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        let sealed = SnapshotTie::of_file(self.snapshot.as_ref(), self.last_seq, self.fact_count)
            .and_then(|tie| seal_image(self.image.as_ref(), tie));
        Ok(match sealed {
            Ok(None) => String::new(),
            Ok(Some(reason)) => reason,
            Err(error) => format!("the image could not be sealed: {error}"),
        })
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// Ties the image at `imagePath` (from [`image_build`]) to the snapshot at `snapshotPath`,
/// whose metadata record declares `lastSeq` and `factCount`, on the libuv pool.
/// Resolves to `""`, or to why it was not sealed. Never rejects.
#[napi(js_name = "sealImage", ts_return_type = "Promise<string>")]
pub fn image_seal(
    image_path: String,
    snapshot_path: String,
    last_seq: f64,
    fact_count: f64,
) -> AsyncTask<SealImageTask> {
    AsyncTask::new(SealImageTask {
        image: image_path,
        snapshot: snapshot_path,
        last_seq: whole(last_seq).unwrap_or(0),
        fact_count: whole(fact_count).unwrap_or(0),
    })
}
