//! CLI tests: run the built binary on temporary trees and assert on output and exit code.

use std::path::Path;
use std::process::{Command, Output};

pub fn forklint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_forklint"))
        .args(args)
        .current_dir(dir)
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs forklint")
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    let out = forklint(dir.path(), &["check", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("No problems found in 1 file."));
}
