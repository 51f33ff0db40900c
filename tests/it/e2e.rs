//! End-to-end checks with real external tools, `#[ignore]`d so `cargo test` (and CI) needs none
//! of them: `cargo test --test it e2e -- --ignored --nocapture`.
//!
//! Each test runs a script from `scripts/` against the forklint binary cargo just built. The
//! scripts print `SKIP: ...` and exit 77 when their tool (rust-analyzer, pre-commit) is absent;
//! libtest has no "skipped" outcome, so such a test fails with `SKIP` in its message rather than
//! reporting a pass for a check that never ran.

use std::process::Command;

use crate::support::repo_root;

fn run_script(name: &str) {
    let script = repo_root().join("scripts").join(name);
    let status = Command::new("bash")
        .arg(&script)
        .env("FORKLINT", env!("CARGO_BIN_EXE_forklint"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    // 77: the automake code for a skipped test (the script printed why).
    assert!(
        status.code() != Some(77),
        "SKIP, not a pass: {name} did not run (its tool is missing; see its output)"
    );
    assert!(status.success(), "{name} failed: {status}");
}

/// rust-analyzer with `check.overrideCommand` running forklint: codes, messages, LSP ranges.
#[test]
#[ignore = "needs rust-analyzer (RUST_ANALYZER or PATH); slow"]
fn e2e_rust_analyzer() {
    run_script("e2e-rust-analyzer.sh");
}

/// `pre-commit try-repo` of this checkout: builds the hook with `cargo install`, minutes.
#[test]
#[ignore = "needs pre-commit; builds forklint in release mode"]
fn e2e_pre_commit() {
    run_script("e2e-pre-commit.sh");
}

/// `forklint server` in headless Neovim: `vim.diagnostic.get()` against `forklint check`.
/// The script exits 0 on a skip (no `nvim`), so its output is checked for `SKIP`.
#[test]
#[ignore = "needs nvim"]
fn e2e_neovim() {
    let script = repo_root().join("scripts").join("e2e-neovim.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("FORKLINT", env!("CARGO_BIN_EXE_forklint"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    assert!(
        !stdout.contains("SKIP:"),
        "SKIP, not a pass: nvim is missing"
    );
    assert!(out.status.success(), "e2e-neovim.sh failed: {}", out.status);
}
