//! The integration test binary: fixtures harness, CLI tests, meta tests.

mod cli;
mod fixtures;
mod meta;
mod regressions;
mod support;
