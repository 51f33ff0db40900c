//! Inputs the fuzzers found interesting (crashers, hangs and coverage-minimised seeds, see
//! docs/fuzzing.md): each must go through `check_source` without a panic or an internal error.
//! Any findings are fine; only the absence of tool bugs is checked here.

use std::time::{Duration, Instant};

use crate::support::repo_root;

#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = repo_root().join("fuzz/regressions");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz/regressions exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no inputs in {}", dir.display());
    let mut failures = Vec::new();
    for path in &entries {
        let bytes = std::fs::read(path).expect("readable regression input");
        let text = String::from_utf8_lossy(&bytes);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let start = Instant::now();
        let report = forklint::check_source(&name, &text);
        let elapsed = start.elapsed();
        for err in &report.errors {
            if err.message.contains("internal error") {
                failures.push(format!("{name}: {}", err.message));
            }
        }
        // Generous for debug builds on a loaded machine; the hangs found took minutes.
        if elapsed > Duration::from_secs(20) {
            failures.push(format!("{name}: took {elapsed:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
