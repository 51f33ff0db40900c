//! The integration test binary: fixtures harness, CLI tests, meta tests, robustness tests.

mod cache;
mod cli;
mod e2e;
mod fix;
mod fixtures;
mod formats;
mod meta;
mod regressions;
mod robust;
mod support;
mod suppress;
