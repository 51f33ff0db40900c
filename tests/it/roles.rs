//! Code roles: findings of FL002/FL003 in test code are held back by default (`[test-lints]`),
//! counted in the summary line, `--statistics` and the json summary, survive the cache, and the
//! directives users wrote for them count as used (no FL100).

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::cli::{forklint, forklint_with, write};
use crate::formats::validate;

/// A package with one FL003 in library code and three in test code (a `#[cfg(test)]` module,
/// a `tests/` crate with and without a suppression comment).
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    );
    write(
        p,
        "src/lib.rs",
        "pub async fn serve() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n\n#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn slow() {\n        std::thread::sleep(std::time::Duration::from_secs(1));\n    }\n}\n",
    );
    write(
        p,
        "tests/setup.rs",
        "#[tokio::test]\nasync fn setup() {\n    // forklint: allow(FL003) writes the fixture before the test\n    std::fs::write(\"in.txt\", \"x\").unwrap();\n}\n\nasync fn helper() {\n    let _ = std::fs::read(\"in.txt\");\n}\n",
    );
    dir
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// (file, line, code) of every reported finding.
fn found(p: &Path, args: &[&str]) -> Vec<(String, u64, String)> {
    let mut all = vec!["check", "--no-cache", "--output-format", "json"];
    all.extend_from_slice(args);
    all.push(".");
    let report = json(&forklint(p, &all));
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn test_code_is_held_back_and_counted() {
    let dir = tree();
    let p = dir.path();
    let out = forklint(p, &["check", "--no-cache", "."]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "Found 0 errors and 1 warning in 2 files; 3 findings in test code held back (see [test-lints])."
        ),
        "{text}"
    );
    assert!(
        !text.contains("FL100"),
        "a directive for a held-back finding is used: {text}"
    );
    let out = forklint(p, &["check", "--no-cache", "--statistics", "."]);
    assert_eq!(
        stdout(&out),
        "1\tFL003\tblocking-call-in-async (3 held back in test code, 1 fixable)\n"
    );
    let out = forklint(
        p,
        &[
            "check",
            "--no-cache",
            "--statistics",
            "--output-format",
            "json",
            ".",
        ],
    );
    let stats = json(&out);
    assert_eq!(stats[0]["count"], 1);
    assert_eq!(stats[0]["held_back"], 3);
    let out = forklint(p, &["check", "--no-cache", "--output-format", "json", "."]);
    let report = json(&out);
    validate("report-v1.schema.json", &report);
    assert_eq!(report["summary"]["held_back"], 3);
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(report["summary"]["suppressed"], 0);
}

#[test]
fn test_lints_precedence() {
    let dir = tree();
    let p = dir.path();
    let lib = ("src/lib.rs".to_string(), 2, "FL003".to_string());
    // [lints] and -W sit below [test-lints]: test code stays held back.
    write(p, "forklint.toml", "[lints]\nFL003 = \"deny\"\n");
    assert_eq!(found(p, &[]), vec![lib.clone()]);
    assert_eq!(found(p, &["-W", "FL003"]), vec![lib.clone()]);
    // [test-lints] turns it on in test code (the directive still hides its finding).
    write(p, "forklint.toml", "[test-lints]\nFL003 = \"warn\"\n");
    let all = vec![
        lib.clone(),
        ("src/lib.rs".to_string(), 9, "FL003".to_string()),
        ("tests/setup.rs".to_string(), 8, "FL003".to_string()),
    ];
    assert_eq!(found(p, &[]), all);
    // -A sits below [test-lints] too.
    assert_eq!(found(p, &["-A", "FL003"]), all[1..].to_vec());
    // [per-file-lints] is above [test-lints].
    write(
        p,
        "forklint.toml",
        "[per-file-lints]\n\"tests/**\" = { FL003 = \"warn\" }\n",
    );
    assert_eq!(
        found(p, &[]),
        vec![
            lib.clone(),
            ("tests/setup.rs".to_string(), 8, "FL003".to_string())
        ]
    );
    // An unknown rule in [test-lints] is a config error pointing at the key.
    write(p, "forklint.toml", "[test-lints]\nFL999 = \"warn\"\n");
    let out = forklint(p, &["check", "--no-cache", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("unknown rule `FL999`"), "{err}");
}

#[test]
fn fork_rules_keep_their_level_in_tests() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "src/lib.rs",
        "#[test]\nfn forks() {\n    std::thread::spawn(|| {});\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        println!(\"child\");\n        unsafe { libc::_exit(0) };\n    }\n}\n",
    );
    let codes: Vec<String> = found(p, &[]).into_iter().map(|(_, _, c)| c).collect();
    assert!(codes.contains(&"FL001".to_string()), "{codes:?}");
}

#[test]
fn held_back_findings_survive_a_warm_run() {
    let dir = tree();
    let p = dir.path();
    let cache = tempfile::tempdir().unwrap();
    let env = [("FORKLINT_CACHE_DIR", cache.path().to_str().unwrap())];
    for format in ["full", "json"] {
        let args = ["check", "--output-format", format, "."];
        let cold = forklint_with(p, &args, &env);
        let warm = forklint_with(p, &args, &env);
        assert_eq!(
            stdout(&warm),
            stdout(&cold),
            "{format}: warm differs from cold"
        );
        assert!(stdout(&warm).contains("held"), "{}", stdout(&warm));
    }
    let args = ["check", "--statistics", "."];
    let cold = forklint_with(p, &args, &env);
    let warm = forklint_with(p, &args, &env);
    assert_eq!(stdout(&warm), stdout(&cold));
}
