//! How the language server uses memory: no transparent huge pages, and the
//! memory of a large computation handed back to the system when it ends.
//!
//! mimalloc reserves its arena (1 GiB of address space) with
//! `madvise(MADV_HUGEPAGE)`. Where the kernel honours that (THP in `madvise`
//! mode, the default of many distributions), every first touch of a 2 MB
//! region zeroes all of it: measured with `perf`, the server zeroed about
//! 800 MB of huge pages (about 400 faults) for one 3 MB document, the reactor
//! thread spent ~100 ms of it while reading the document's `didOpen` (the
//! hover behind it on the wire waited that long), and the resident memory for
//! a 259 KB document was 279x its size, most of it huge pages of which a few
//! kilobytes were used. With THP off the same document holds 100x its size
//! (docs/performance.md, "Memory for one open document").
//!
//! `check` keeps THP: it reads files and drops them, and has no latency to keep.

/// Turns transparent huge pages off for this process (Linux only; elsewhere
/// nothing to do). Applies to memory already reserved: the kernel checks the
/// flag at each page fault.
pub fn disable_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        /// `PR_SET_THP_DISABLE` of `<linux/prctl.h>`.
        const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
        unsafe extern "C" {
            fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
        }
        // SAFETY: PR_SET_THP_DISABLE takes one integer argument and touches
        // no memory of ours; the trailing zeros are the unused arguments.
        let status = unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
            )
        };
        if status != 0 {
            tracing::debug!(
                "transparent huge pages stay on: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// Hands the memory this thread freed back to the system now. mimalloc
/// otherwise returns it only when the thread allocates again (after a
/// delay), and the blocking pool's threads may sit idle holding the whole
/// heap of an engine run. Call it on the thread that did the work, after it.
pub fn release_freed() {
    // SAFETY: `mi_collect` only walks mimalloc's own heap of this thread.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
