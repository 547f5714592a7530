//! Cache-line prefetch hints for the read path: a first read of a key touches memory no cache
//! holds (the key's entry, then its record), and asking for all the lines a read will need
//! at once lets their misses overlap instead of following one another.

/// Bytes of a cache line.
const LINE: usize = 64;

/// Asks for every cache line of `bytes` (a hint: nothing is read, nothing can fault).
#[inline(always)]
pub(super) fn prefetch<T: ?Sized>(bytes: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = std::ptr::from_ref(bytes).cast::<i8>();
        let len = std::mem::size_of_val(bytes);
        let mut offset = 0;
        while offset < len {
            // SAFETY: SSE, which `_mm_prefetch` needs, is part of every x86_64 CPU. A prefetch
            // is a hint: it dereferences nothing, faults on nothing and changes nothing, and
            // every address asked for lies inside `bytes`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
            offset += LINE;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}
