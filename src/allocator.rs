//! The global allocator of the `forklint` and `cargo-forklint` binaries (not of the library).
//!
//! mimalloc: syn allocates a node per token and lowering a string per name, so with the system
//! allocator a quarter of a run was `malloc` and `free` (docs/performance.md, docs/ARCHITECTURE.md).
//!
//! A linter frees a whole syntax tree per file and builds the next one at once. With transparent
//! huge pages, each page mimalloc gets back from the OS after purging freed memory is faulted in
//! 2 MiB at a time and zeroed by the kernel (`clear_page_erms` was a sixth of a run's samples, and
//! the system time 2.0 s of 10.5 s on the corpus). [`tune`] turns transparent huge pages off for
//! the process, as mimalloc's own `MIMALLOC_ALLOW_THP=0` does: system time fell to 0.5 s and peak
//! memory by 7% (4 KiB pages are faulted in only where touched). Purging stays on: keeping freed
//! memory instead raised the peak by 15% for no further gain.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Process-wide memory settings for the binaries; call first thing in `main`.
pub fn tune() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_THP_DISABLE) takes plain integer arguments and only sets a flag of
    // this process (kept across fork, unused here); a failure (old kernel) changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
