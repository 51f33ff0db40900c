//! Fuzz target: a shape of nesting (`HEAD\0OPEN\0MIDDLE\0CLOSE\0TAIL`, see
//! `forklint_fuzz::expand_nesting`) repeated up to a million times. The nesting pre-scan must
//! refuse every such file that syn, lowering or `Drop` would recurse on as deeply: a construct
//! it does not count overflows the stack, which libFuzzer reports as a crash. Seed it with
//! `fuzz/nesting_seeds/` (see docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(shape) = std::str::from_utf8(data) {
        forklint_fuzz::check(&forklint_fuzz::expand_nesting(shape));
    }
});
