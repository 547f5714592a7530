//! Reading a data file's frames: sequentially through one reusable buffer ([`ChunkReader`]),
//! and checking that a batch behind a marker is whole ([`batch_is_whole`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

use super::{FrameDamage, CHUNK_BYTES, FRAME_OVERHEAD};
use crate::wal::BatchMarker;

/// Sequential frames of a file through one reusable buffer.
pub(super) struct ChunkReader<'f> {
    pub(super) file: &'f mut File,
    size: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    base: u64,
    filled: usize,
    at: usize,
    /// Offset in `buf` just past the frame last returned.
    next: usize,
}

impl<'f> ChunkReader<'f> {
    pub(super) fn new(file: &'f mut File, start: u64, size: u64) -> std::io::Result<Self> {
        let want = size.saturating_sub(start).clamp(16, CHUNK_BYTES as u64) as usize;
        let mut reader = Self {
            file,
            size,
            buf: vec![0; want],
            base: start,
            filled: 0,
            at: 0,
            next: 0,
        };
        reader.file.seek(SeekFrom::Start(start))?;
        reader.fill()?;
        Ok(reader)
    }

    pub(super) fn offset(&self) -> u64 {
        self.base + self.at as u64
    }

    /// Moves past the frame last returned by [`ChunkReader::frame`].
    pub(super) fn advance(&mut self) {
        self.at = self.next;
    }

    /// Reads until the buffer is full or the file ends; returns the bytes added.
    fn fill(&mut self) -> std::io::Result<usize> {
        let mut added = 0;
        while self.filled < self.buf.len() {
            let Some(space) = self.buf.get_mut(self.filled..) else {
                break;
            };
            let n = self.file.read(space)?;
            if n == 0 {
                break;
            }
            self.filled += n;
            added += n;
        }
        Ok(added)
    }

    /// The body of the intact frame at the cursor (call [`ChunkReader::advance`] to move
    /// past it), or the damage there. Reads more of the file as needed.
    pub(super) fn frame(
        &mut self,
        max_frame_bytes: u64,
    ) -> std::io::Result<Result<&[u8], FrameDamage>> {
        loop {
            let available = self.filled - self.at;
            let mut needed = 4;
            if available >= 4 {
                let head = self.buf.get(self.at..self.at + 4).unwrap_or_default();
                let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
                if length as u64 > max_frame_bytes {
                    return Ok(Err(FrameDamage::TooLarge));
                }
                needed = length + FRAME_OVERHEAD;
                if available >= needed {
                    let body_start = self.at + 4;
                    let body_end = body_start + length;
                    let stored = self.buf.get(body_end..body_end + 4).unwrap_or_default();
                    let stored = u32::from_be_bytes([stored[0], stored[1], stored[2], stored[3]]);
                    let body = self.buf.get(body_start..body_end).unwrap_or_default();
                    if crc32fast::hash(body) != stored {
                        return Ok(Err(FrameDamage::BadCrc));
                    }
                    if length == 0 {
                        return Ok(Err(FrameDamage::Empty));
                    }
                    self.next = body_end + 4;
                    return Ok(Ok(body));
                }
            }
            if self.offset() + needed as u64 > self.size {
                return Ok(Err(FrameDamage::Incomplete));
            }
            // Keep the partial frame, at the start of a buffer big enough for all of it.
            self.buf.copy_within(self.at..self.filled, 0);
            self.filled -= self.at;
            self.base += self.at as u64;
            self.at = 0;
            if needed > self.buf.len() {
                self.buf.resize(needed, 0);
            }
            if self.fill()? == 0 {
                return Ok(Err(FrameDamage::Incomplete));
            }
        }
    }
}

/// Whether the batch whose marker frame ends at `first` is whole: its bytes are all in the
/// file (of `size` bytes) and its last frame is intact. A damaged frame inside a whole batch is
/// found when it is read, like any damaged frame followed by an intact one.
pub(super) fn batch_is_whole(
    file: &File,
    first: u64,
    marker: &BatchMarker,
    size: u64,
    max_frame_bytes: u64,
) -> std::io::Result<bool> {
    let end = first + marker.bytes;
    let length = marker.last_frame_bytes as usize;
    if end > size {
        return Ok(false);
    }
    let mut last = vec![0_u8; length];
    match file.read_exact_at(&mut last, end - length as u64) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(error) => return Err(error),
    }
    let body = length - FRAME_OVERHEAD;
    let declared = u32::from_be_bytes([last[0], last[1], last[2], last[3]]) as usize;
    let stored = u32::from_be_bytes([
        last[length - 4],
        last[length - 3],
        last[length - 2],
        last[length - 1],
    ]);
    Ok(declared == body
        && body > 0
        && body as u64 <= max_frame_bytes
        && crc32fast::hash(&last[4..4 + body]) == stored)
}
