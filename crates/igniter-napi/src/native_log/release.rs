//! Giving memory that a large replay freed back to the operating system.
//!
//! A replay's reader thread allocates its read chunks and parsed batches in its own malloc
//! arena; once the replay ends they are free, but glibc keeps free pages of a thread's arena
//! (and, after a large block was freed, serves even 1 MiB blocks from the arenas instead of
//! mapping them). `malloc_trim` returns the free pages of every arena: 5-7 MiB of RSS on a
//! 1M-fact open (benchmarks/memory.mjs, 396 -> 390 bytes per fact).

/// Facts a replay must have loaded before trimming is worth its cost (a walk of the arenas).
const TRIM_AFTER_FACTS: u64 = 100_000;

/// Returns the memory the allocator holds free to the OS after a replay of `loaded` facts.
pub(crate) fn release_after_replay(loaded: u64) {
    if loaded >= TRIM_AFTER_FACTS {
        trim();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks glibc's own free lists and is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
