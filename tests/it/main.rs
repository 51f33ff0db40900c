//! The integration test binary: fixtures harness, CLI tests, meta tests.

mod cli;
mod e2e;
mod fixtures;
mod formats;
mod meta;
mod support;
mod suppress;
