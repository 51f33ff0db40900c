//! The integration test binary: fixtures harness, CLI tests, meta tests.

mod cli;
mod fixtures;
mod formats;
mod meta;
mod support;
mod suppress;
