//! The global allocator of the `forklint` and `cargo-forklint` binaries (not of the library).
//!
//! mimalloc: syn allocates a node per token and lowering a string per name, so with the system
//! allocator a quarter of a run was `malloc` and `free` (docs/performance.md, docs/ARCHITECTURE.md).
//! mimalloc also returns freed memory to the OS 10 ms after it is freed; a linter frees a whole
//! syntax tree per file and builds the next one at once, so that memory was faulted in again and
//! zeroed for every file (a tenth of a run in the kernel). [`keep_freed_memory`] turns purging off,
//! unless `MIMALLOC_PURGE_DELAY` says otherwise; peak memory is unchanged.

use std::os::raw::c_long;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    fn mi_option_get(option: i32) -> c_long;
    fn mi_option_set(option: i32, value: c_long);
}

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (libmimalloc-sys 0.1.49).
const PURGE_DELAY: i32 = 15;
/// Its default: if the option there has another value, it is not the one meant (or the user
/// set it), and nothing is changed.
const PURGE_DELAY_DEFAULT: c_long = 10;

/// Keeps freed memory for reuse instead of returning it to the OS.
pub fn keep_freed_memory() {
    // SAFETY: plain C calls into the linked mimalloc with an in-range option index; setting an
    // option at run time is supported, and the value is checked first.
    unsafe {
        if mi_option_get(PURGE_DELAY) == PURGE_DELAY_DEFAULT {
            mi_option_set(PURGE_DELAY, -1);
        }
    }
}
