//! Fuzz target: arbitrary bytes as a findings-cache entry (a file's text, NUL, the entry's JSON
//! payload) through the cache-load path: decoding, validation against the file, conversion to
//! findings, every renderer and the fix planner must never panic (see docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    forklint_fuzz::cache_entry(data);
});
