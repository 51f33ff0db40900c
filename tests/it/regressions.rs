//! Inputs the fuzzers found interesting (crashers, hangs and coverage-minimised seeds, see
//! docs/fuzzing.md): each must go through `check_source` without a panic or an internal error.
//! Any findings are fine; only the absence of tool bugs is checked here. The nesting shapes of
//! the `check_nesting` target (`fuzz/nesting_seeds/`) must each be refused, expanded, by the
//! nesting pre-scan.

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

/// `HEAD\0OPEN\0MIDDLE\0CLOSE\0TAIL` as `HEAD + OPEN * n + MIDDLE + CLOSE * n + TAIL`, like
/// `forklint_fuzz::expand_nesting` (the fuzz crate is not a dependency of the tests).
fn expand_nesting(shape: &str, n: usize) -> String {
    let parts: Vec<&str> = shape.splitn(5, '\0').collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or("");
    format!(
        "{}{}{}{}{}",
        part(0),
        part(1).repeat(n),
        part(2),
        part(3).repeat(n),
        part(4)
    )
}

#[test]
fn nesting_seeds_expanded_are_refused_by_the_pre_scan() {
    let dir = repo_root().join("fuzz/nesting_seeds");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz/nesting_seeds exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    assert!(entries.len() >= 10, "too few shapes in {}", dir.display());
    for path in &entries {
        let shape = std::fs::read_to_string(path).expect("a UTF-8 shape");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        assert_eq!(
            shape.split('\0').count(),
            5,
            "{name}: not HEAD\\0OPEN\\0MIDDLE\\0CLOSE\\0TAIL"
        );
        // The small expansion parses (the shape is valid Rust), the large one is refused.
        let small = forklint::check_source(&name, &expand_nesting(&shape, 3));
        let syntax_errors: Vec<&String> = small
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "FL000")
            .map(|d| &d.message)
            .collect();
        assert!(
            small.errors.is_empty() && syntax_errors.is_empty(),
            "{name}: 3 levels do not parse: {:?} {syntax_errors:?}",
            small.errors
        );
        let text = expand_nesting(&shape, 100_000);
        let (depth, _) = forklint::syntax::parse::nesting_depth(&text);
        assert!(
            depth > forklint::syntax::parse::MAX_NESTING,
            "{name} passes the pre-scan"
        );
    }
}
