//! The batch marker (ARCHITECTURE.md, "The record format"; `core/src/storage/batch-marker.ts`
//! is the TypeScript side): a frame before the frames of a `writeMany` batch of two or more
//! facts, saying how many follow and how many bytes they take, so that a reader takes the
//! batch whole or not at all. Body: `u8 0xBA | u8 1 | u16 0 | u32 BE count | u64 BE bytes |
//! u32 BE bytes of the last frame` (20 bytes; no fact or metadata body is 20 bytes starting
//! with 0xBA, which is not JSON).

use super::frame::{push_frame, FRAME_OVERHEAD};

/// Bytes of a marker's body.
pub const BATCH_MARKER_BODY_BYTES: usize = 20;
/// Bytes of a marker's whole frame.
pub const BATCH_MARKER_FRAME_BYTES: usize = BATCH_MARKER_BODY_BYTES + FRAME_OVERHEAD;
const TAG: u8 = 0xba;
const VERSION: u8 = 1;

/// What a batch marker says about the frames after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMarker {
    /// Frames in the batch (at least 2).
    pub count: u32,
    /// Bytes of those frames, framing included.
    pub bytes: u64,
    /// Bytes of the batch's last frame, framing included.
    pub last_frame_bytes: u32,
}

impl BatchMarker {
    /// The marker's frame, written into `out` (which must hold [`BATCH_MARKER_FRAME_BYTES`]).
    pub fn write_frame(&self, out: &mut [u8]) {
        let mut body = [0_u8; BATCH_MARKER_BODY_BYTES];
        body[0] = TAG;
        body[1] = VERSION;
        body[4..8].copy_from_slice(&self.count.to_be_bytes());
        body[8..16].copy_from_slice(&self.bytes.to_be_bytes());
        body[16..20].copy_from_slice(&self.last_frame_bytes.to_be_bytes());
        let mut frame = Vec::with_capacity(BATCH_MARKER_FRAME_BYTES);
        push_frame(&body, &mut frame);
        if let Some(target) = out.get_mut(..BATCH_MARKER_FRAME_BYTES) {
            target.copy_from_slice(&frame);
        }
    }

    /// The marker in a (CRC-checked) frame body, or `None` when the body is not a marker.
    pub fn read(body: &[u8]) -> Option<Self> {
        if body.len() != BATCH_MARKER_BODY_BYTES || body[0] != TAG || body[1] != VERSION {
            return None;
        }
        let u32_at =
            |at: usize| u32::from_be_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
        let mut bytes = [0_u8; 8];
        bytes.copy_from_slice(&body[8..16]);
        let marker = Self {
            count: u32_at(4),
            bytes: u64::from_be_bytes(bytes),
            last_frame_bytes: u32_at(16),
        };
        let plausible = marker.count >= 2
            && marker.last_frame_bytes as usize >= FRAME_OVERHEAD
            && marker.bytes >= u64::from(marker.last_frame_bytes);
        plausible.then_some(marker)
    }
}
