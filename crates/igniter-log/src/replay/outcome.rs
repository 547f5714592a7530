//! What a replay is asked to do and what it reports: [`ReplayOptions`] in, [`ReplayReport`]
//! (with its [`ReplayStop`] and per-store [`StoreTally`]) out.

/// Why a replay stopped at a frame that is not intact (the JS side's `FrameDamageReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameDamage {
    /// The file ends inside the frame.
    Incomplete,
    /// The body does not match its CRC-32.
    BadCrc,
    /// The length field is over the limit.
    TooLarge,
    /// A zero-length frame.
    Empty,
    /// A batch marker whose batch is not whole (its bytes run past the end of the file, or
    /// its last frame is not intact): the JS side decides whether that is a torn tail.
    BrokenBatch,
}

impl FrameDamage {
    /// The reason's name as the JS side spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::BadCrc => "bad-crc",
            Self::TooLarge => "too-large",
            Self::Empty => "empty",
            Self::BrokenBatch => "broken-batch",
        }
    }
}

/// Where and why a replay stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayStop {
    /// Every frame up to the end of the file was taken.
    End,
    /// The frame at `offset` is damaged.
    Damage {
        /// File offset of the frame.
        offset: u64,
        /// What is wrong with it.
        damage: FrameDamage,
    },
    /// The frame at `offset` is intact but not a record this reader takes as is (or its fact
    /// breaks an invariant); the JS decoder must judge the file.
    Unsupported {
        /// File offset of the frame.
        offset: u64,
        /// What this reader did not take.
        reason: String,
    },
}

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Offset of the first frame to read.
    pub start: u64,
    /// Largest frame body accepted.
    pub max_frame_bytes: u64,
    /// Read only the first frame and hand back its body (the metadata record).
    pub meta_only: bool,
    /// Every fact's seq must be above this and above the previous fact's.
    pub after_seq: u64,
    /// Every fact's seq must be at most this.
    pub max_seq: u64,
    /// Facts up to this seq are checked but not loaded (a snapshot already holds them).
    pub skip_through: u64,
}

impl ReplayOptions {
    /// Fact frames from `start` with no seq bounds.
    pub fn facts(start: u64, max_frame_bytes: u64) -> Self {
        Self {
            start,
            max_frame_bytes,
            meta_only: false,
            after_seq: 0,
            max_seq: u64::MAX,
            skip_through: 0,
        }
    }
}

/// Facts and frame bytes loaded for one store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreTally {
    /// Facts loaded.
    pub facts: u64,
    /// Their frame bytes, framing included.
    pub bytes: u64,
}

/// The outcome of [`replay_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// File size when the replay ran.
    pub size: u64,
    /// Offset just past the last frame taken.
    pub end: u64,
    /// Why the replay stopped.
    pub stop: ReplayStop,
    /// The body of the first frame, with `meta_only`.
    pub meta: Option<String>,
    /// Highest seq read (loaded or skipped); `after_seq` when there was none.
    pub max_seq: u64,
    /// Facts loaded into the log.
    pub loaded: u64,
    /// Per store index of the log: facts loaded and their frame bytes.
    pub tally: Vec<StoreTally>,
}
