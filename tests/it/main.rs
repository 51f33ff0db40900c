//! The integration test binary: fixtures harness, CLI tests, meta tests, robustness tests.

mod cache;
mod cli;
mod fixtures;
mod formats;
mod meta;
mod robust;
mod support;
mod suppress;
