//! The integration test binary: CLI tests, meta tests, robustness tests (the fixtures have a
//! binary of their own, `tests/fixtures/main.rs`: one test per case).

mod cache;
mod cli;
mod e2e;
mod fix;
mod formats;
mod meta;
mod model;
mod paths;
mod regressions;
mod robust;
mod roles;
mod server;
mod support;
mod suppress;
mod vocab_audit;
mod xtask;
