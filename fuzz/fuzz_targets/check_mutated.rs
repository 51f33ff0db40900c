//! Fuzz target: Rust text mutated at token and line granularity (dictionary tokens, spliced
//! fixture lines), so inputs get past syn into lowering and the rules far more often than raw
//! byte mutation does.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        forklint_fuzz::check(text);
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    match forklint_fuzz::mutate(data, size, max_size, seed) {
        Some(size) => size,
        None => libfuzzer_sys::fuzzer_mutate(data, size, max_size),
    }
});
