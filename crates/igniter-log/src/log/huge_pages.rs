//! Backing the record array with transparent huge pages where Linux offers them on request
//! (`/sys/kernel/mm/transparent_hugepage/enabled` = `madvise`, a common default).
//!
//! Every read lands on a record at a random place in an array of hundreds of MiB: with 4 KiB
//! pages each such access also misses the TLB, and under a hypervisor the page walk that
//! follows costs several more memory accesses. With 2 MiB pages the array's translations fit
//! the TLB. The advice is given when the array is (re)allocated, before its pages are touched,
//! so that they are faulted in as huge pages; it changes nothing else.

/// Arrays smaller than this keep ordinary pages (a few huge pages would gain nothing).
#[cfg(target_os = "linux")]
const MIN_BYTES: usize = 32 << 20;
#[cfg(target_os = "linux")]
const HUGE_PAGE: usize = 2 << 20;

/// Advises huge pages for the whole 2 MiB-aligned part of `buffer`'s allocation.
pub(super) fn advise<T>(buffer: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        let bytes = buffer.capacity() * std::mem::size_of::<T>();
        if bytes < MIN_BYTES {
            return;
        }
        let start = buffer.as_ptr() as usize;
        let first = start.next_multiple_of(HUGE_PAGE);
        let end = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
        if end > first {
            // SAFETY: the range lies inside the vector's own allocation and is page-aligned;
            // MADV_HUGEPAGE only changes how the kernel backs it, never its contents. A
            // failure (no THP support) leaves ordinary pages, so its result is ignored.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}
