//! The frames of a staged batch, waiting for its commit to hand them to the attached writer.

use igniter_log::wal::{
    write_fact_frame, BatchMarker, FrameParts, BATCH_MARKER_FRAME_BYTES, FRAME_OVERHEAD,
};
use igniter_log::FactView;

use crate::native_wal::{wal_error, NativeWal};
use crate::ErrorCode;

/// Frames of the facts staged since the last commit, in seq order, after room for a batch
/// marker (written at the commit of two or more frames, so a crash keeps all or none of them).
#[derive(Default)]
pub struct StagedFrames {
    /// Room for the marker, then the frames.
    bytes: Vec<u8>,
    /// Frames staged, and the length of the last one.
    count: u32,
    last_frame: usize,
    /// Seq of the last framed fact.
    last_seq: u64,
    /// A fact of this batch was left to JS: so are all the others, earlier ones included, so
    /// that JS frames and checks the whole batch before the writer takes any of it (a
    /// `writeMany` is stored whole or not at all).
    declined: bool,
    body: String,
}

impl StagedFrames {
    /// Forgets the batch.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.count = 0;
        self.declined = false;
    }

    /// Frames `view`: returns its frame's length, or -1 when it is left to JS to frame (a fact
    /// outside the plain form, or one after such a fact in the same batch). After a -1, the
    /// batch's earlier frames are dropped too: the caller leaves the whole batch to JS.
    ///
    /// # Errors
    /// `ERR_VALUE_TOO_LARGE` for a body over the writer's limit.
    pub fn push(
        &mut self,
        wal: &NativeWal,
        view: &FactView<'_>,
        parts: &FrameParts<'_>,
    ) -> napi::Result<f64, ErrorCode> {
        if self.declined {
            return Ok(-1.0);
        }
        if self.bytes.is_empty() {
            self.bytes.resize(BATCH_MARKER_FRAME_BYTES, 0);
        }
        let start = self.bytes.len();
        let Ok(length) = write_fact_frame(view, parts, &mut self.body, &mut self.bytes) else {
            self.clear();
            self.declined = true;
            return Ok(-1.0);
        };
        let body = length - FRAME_OVERHEAD;
        if body > wal.max_frame_bytes {
            self.bytes.truncate(start);
            return Err(napi::Error::new(
                "ERR_VALUE_TOO_LARGE",
                format!(
                    "fact {} encodes to {body} bytes; maxFrameBytes is {}",
                    view.id(),
                    wal.max_frame_bytes
                ),
            ));
        }
        self.last_seq = view.seq();
        self.count += 1;
        self.last_frame = length;
        Ok(length as f64)
    }

    /// Hands the batch's frames to `wal` and forgets them.
    ///
    /// # Errors
    /// The writer's failure (see `WalWriter::append`); the frames are dropped all the same.
    pub fn commit(&mut self, wal: &NativeWal) -> napi::Result<(), ErrorCode> {
        let frames = if self.count > 1 {
            let marker = BatchMarker {
                count: self.count,
                bytes: (self.bytes.len() - BATCH_MARKER_FRAME_BYTES) as u64,
                last_frame_bytes: u32::try_from(self.last_frame).unwrap_or(u32::MAX),
            };
            marker.write_frame(&mut self.bytes);
            self.bytes.as_slice()
        } else {
            self.bytes
                .get(BATCH_MARKER_FRAME_BYTES..)
                .unwrap_or_default()
        };
        let result = if frames.is_empty() {
            Ok(())
        } else {
            wal.writer.append(frames, self.last_seq).map_err(wal_error)
        };
        self.clear();
        result
    }
}
