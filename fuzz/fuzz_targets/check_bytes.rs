//! Fuzz target: raw bytes; UTF-8 input goes through the whole pipeline (forklint never panics on
//! input). Seed it with `fixtures/**/*.rs` and `rust.dict` (see docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        forklint_fuzz::check(text);
    }
});
