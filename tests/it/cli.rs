//! CLI tests: run the built binary on temporary trees and assert on output and exit code.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn forklint(dir: &Path, args: &[&str]) -> Output {
    forklint_with(dir, args, &[])
}

pub fn forklint_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_forklint"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (key, value) in env {
        if value.is_empty() {
            command.env_remove(key);
        } else {
            command.env(key, value);
        }
    }
    command.output().expect("runs forklint")
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// (file, line, code) of every diagnostic of a json report.
fn findings(report: &Value) -> Vec<(String, u64, String)> {
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

fn files_with_findings(report: &Value) -> Vec<String> {
    let mut files: Vec<String> = findings(report).into_iter().map(|f| f.0).collect();
    files.dedup();
    files
}

const BLOCKING: &str =
    "pub async fn poll() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";

fn blocking_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(dir.path(), "src/lib.rs", BLOCKING);
    dir
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    let out = forklint(dir.path(), &["check", "."]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No problems found in 1 file."));
}

#[test]
fn exit_codes_follow_levels() {
    let dir = blocking_tree();
    let p = dir.path();
    // FL003 is a warning by default: reported, exit 0.
    let out = forklint(p, &["check", "."]);
    assert_eq!(code(&out), Some(0));
    assert!(stdout(&out).contains("Found 0 errors and 1 warning in 1 file."));
    assert_eq!(
        code(&forklint(p, &["check", "-D", "warnings", "."])),
        Some(1)
    );
    assert_eq!(code(&forklint(p, &["check", "-D", "FL003", "."])), Some(1));
    assert_eq!(
        code(&forklint(
            p,
            &["check", "-D", "blocking-call-in-async", "."]
        )),
        Some(1)
    );
    assert_eq!(
        code(&forklint(p, &["check", "-D", "all", "--exit-zero", "."])),
        Some(0)
    );
    let out = forklint(p, &["check", "-A", "FL003", "-D", "warnings", "."]);
    assert_eq!(code(&out), Some(0));
    assert!(stdout(&out).contains("No problems found"));
    assert_eq!(
        code(&forklint(
            p,
            &["check", "--ignore", "FL003", "-D", "warnings", "."]
        )),
        Some(0)
    );
    assert_eq!(
        code(&forklint(
            p,
            &["check", "--select", "FL000", "-D", "warnings", "."]
        )),
        Some(0)
    );
    // Usage errors.
    assert_eq!(code(&forklint(p, &["check", "--no-such-flag"])), Some(2));
    assert_eq!(code(&forklint(p, &["check", "-D", "FL999", "."])), Some(2));
    assert_eq!(
        code(&forklint(p, &["check", "--output-format", "xml", "."])),
        Some(2)
    );
    // --exit-zero does not hide tool errors.
    assert_eq!(
        code(&forklint(p, &["check", "--exit-zero", "missing"])),
        Some(2)
    );
}

#[test]
fn discovery_prunes_target_hidden_and_ignored_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
    );
    write(p, "src/lib.rs", BLOCKING);
    write(p, "target/debug/build/out.rs", BLOCKING); // target/ beside Cargo.toml
    write(
        p,
        "other/build-dir/CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n",
    );
    write(p, "other/build-dir/gen.rs", BLOCKING);
    write(p, ".hidden/x.rs", BLOCKING);
    write(p, "ignored/x.rs", BLOCKING);
    write(p, ".gitignore", "ignored/\n");
    // Not a git repository yet: .gitignore does not apply (like ripgrep).
    let report = json(&forklint(p, &["check", "--output-format", "json", "."]));
    assert_eq!(files_with_findings(&report), ["ignored/x.rs", "src/lib.rs"]);
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(p)
        .status()
        .expect("git runs");
    assert!(git.success());
    let report = json(&forklint(p, &["check", "--output-format", "json", "."]));
    assert_eq!(files_with_findings(&report), ["src/lib.rs"]);
    let report = json(&forklint(
        p,
        &[
            "check",
            "--output-format",
            "json",
            "--no-respect-gitignore",
            ".",
        ],
    ));
    assert_eq!(files_with_findings(&report), ["ignored/x.rs", "src/lib.rs"]);
}

#[test]
fn explicit_files_are_checked_even_if_excluded_unless_force_exclude() {
    let dir = blocking_tree();
    let p = dir.path();
    write(p, "generated/b.rs", BLOCKING);
    let args = [
        "check",
        "--output-format",
        "json",
        "--extend-exclude",
        "generated/**",
    ];
    let report = json(&forklint(p, &[&args[..], &["."]].concat()));
    assert_eq!(files_with_findings(&report), ["src/lib.rs"]);
    let report = json(&forklint(p, &[&args[..], &["generated/b.rs"]].concat()));
    assert_eq!(files_with_findings(&report), ["generated/b.rs"]);
    let report = json(&forklint(
        p,
        &[
            &args[..],
            &["--force-exclude", "generated/b.rs", "src/lib.rs"],
        ]
        .concat(),
    ));
    assert_eq!(files_with_findings(&report), ["src/lib.rs"]);
    // --exclude replaces, --extend-exclude adds; both take globs.
    let report = json(&forklint(
        p,
        &[
            "check",
            "--output-format",
            "json",
            "--exclude",
            "src/**",
            ".",
        ],
    ));
    assert_eq!(files_with_findings(&report), ["generated/b.rs"]);
}

#[test]
fn bad_input_is_a_tool_error_and_the_rest_is_reported() {
    let dir = blocking_tree();
    let p = dir.path();
    std::fs::write(p.join("src/latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap();
    write(p, "src/broken.rs", "fn f( {\n");
    let out = forklint(p, &["check", "--output-format", "json", ".", "missing.rs"]);
    assert_eq!(code(&out), Some(2));
    let report = json(&out);
    assert_eq!(
        findings(&report),
        [
            ("src/broken.rs".to_string(), 1, "FL000".to_string()),
            ("src/lib.rs".to_string(), 2, "FL003".to_string())
        ]
    );
    let errors: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["missing.rs", "src/latin1.rs"]);
    let err = stderr(&out);
    assert!(err.contains("src/latin1.rs: not valid UTF-8"), "{err}");
    assert!(
        err.contains("missing.rs: no such file or directory"),
        "{err}"
    );
    // A syntax error alone is a finding (error level), not a tool error: exit 1.
    let out = forklint(p, &["check", "src/broken.rs"]);
    assert_eq!(code(&out), Some(1));
    assert!(stdout(&out).contains("FL000"));
}

#[test]
fn output_is_deterministic() {
    let dir = blocking_tree();
    let p = dir.path();
    for i in 0..12 {
        write(p, &format!("src/m{i}.rs"), BLOCKING);
    }
    write(p, "src/broken.rs", "fn f( {\n");
    for format in ["full", "json", "sarif", "cargo-json"] {
        let a = forklint(p, &["check", "--output-format", format, "-j1", "."]);
        let b = forklint(p, &["check", "--output-format", format, "-j2", "."]);
        let c = forklint(p, &["check", "--output-format", format, "-j2", "."]);
        assert_eq!(stdout(&a), stdout(&b), "{format}: -j1 differs from -j2");
        assert_eq!(stdout(&b), stdout(&c), "{format}: two runs differ");
    }
}

#[test]
fn stdin_with_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_forklint"))
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "src/editor.rs",
            "-",
        ])
        .current_dir(dir.path())
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(BLOCKING.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(0));
    assert!(
        stdout(&out).starts_with("src/editor.rs:2:5: FL003 "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn output_file_gets_the_report() {
    let dir = blocking_tree();
    let p = dir.path();
    let out = forklint(
        p,
        &[
            "check",
            "--output-format",
            "json",
            "-o",
            "report.json",
            "src",
        ],
    );
    assert_eq!(code(&out), Some(0));
    assert!(out.stdout.is_empty());
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("report.json")).unwrap()).unwrap();
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn quiet_silent_and_statistics() {
    let dir = blocking_tree();
    let p = dir.path();
    write(
        p,
        "src/more.rs",
        "async fn a() {\n    std::thread::sleep(std::time::Duration::from_secs(1)); // forklint: allow(FL003)\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    let out = forklint(p, &["check", "-q", "--output-format", "concise", "."]);
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    let out = forklint(p, &["check", "-s", "-D", "warnings", "."]);
    assert!(out.stdout.is_empty());
    assert_eq!(code(&out), Some(1));
    let out = forklint(p, &["check", "--statistics", "."]);
    assert_eq!(
        stdout(&out),
        "2\tFL003\tblocking-call-in-async (1 suppressed)\n"
    );
    let out = forklint(
        p,
        &["check", "--statistics", "--output-format", "json", "."],
    );
    let stats = json(&out);
    assert_eq!(stats[0]["code"], "FL003");
    assert_eq!(stats[0]["count"], 2);
    assert_eq!(stats[0]["suppressed"], 1);
    let out = forklint(p, &["check", "-v", "."]);
    assert!(stderr(&out).contains("forklint: checked src/lib.rs"));
}

#[test]
fn colour_follows_flag_env_and_tty() {
    let dir = blocking_tree();
    let p = dir.path();
    let esc = |out: &Output| out.stdout.contains(&0x1b);
    let no_env = [("NO_COLOR", ""), ("CLICOLOR_FORCE", "")];
    assert!(
        !esc(&forklint_with(p, &["check", "."], &no_env)),
        "non-tty gets no colour"
    );
    assert!(esc(&forklint_with(
        p,
        &["check", "--color", "always", "."],
        &no_env
    )));
    assert!(esc(&forklint_with(
        p,
        &["check", "."],
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")]
    )));
    assert!(!esc(&forklint_with(
        p,
        &["check", "."],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]
    )));
    assert!(!esc(&forklint_with(
        p,
        &["check", "--color", "never", "."],
        &[("CLICOLOR_FORCE", "1")]
    )));
    // Machine formats are never coloured.
    assert!(!esc(&forklint_with(
        p,
        &["check", "--color", "always", "--output-format", "json", "."],
        &no_env
    )));
}

#[test]
fn fix_and_diff() {
    let dir = blocking_tree();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"time\"] }\n",
    );
    let out = forklint(p, &["check", "--diff", "."]);
    assert_eq!(code(&out), Some(1));
    assert_eq!(
        stdout(&out),
        "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n pub async fn poll() {\n-    std::thread::sleep(std::time::Duration::from_secs(1));\n+    tokio::time::sleep(std::time::Duration::from_secs(1)).await;\n }\n"
    );
    assert_eq!(
        std::fs::read_to_string(p.join("src/lib.rs")).unwrap(),
        BLOCKING
    );
    let out = forklint(p, &["check", "--fix", "."]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No problems found"));
    let fixed = std::fs::read_to_string(p.join("src/lib.rs")).unwrap();
    assert!(fixed.contains("tokio::time::sleep(std::time::Duration::from_secs(1)).await;"));
    // Fixing twice changes nothing more.
    let out = forklint(p, &["check", "--fix", "."]);
    assert_eq!(code(&out), Some(0));
    assert_eq!(
        std::fs::read_to_string(p.join("src/lib.rs")).unwrap(),
        fixed
    );
    let out = forklint(p, &["check", "--diff", "."]);
    assert_eq!(code(&out), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn no_fix_without_tokio_or_inside_a_closure() {
    let dir = blocking_tree();
    let p = dir.path();
    let out = forklint(p, &["check", "--diff", "."]);
    assert_eq!(code(&out), Some(0));
    assert!(out.stdout.is_empty());
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n[dependencies]\ntokio = \"1\"\n",
    );
    write(
        p,
        "src/lib.rs",
        "pub async fn poll(v: Vec<u64>) {\n    v.iter().for_each(|_| std::thread::sleep(std::time::Duration::from_secs(1)));\n}\n",
    );
    let report = json(&forklint(p, &["check", "--output-format", "json", "."]));
    assert_eq!(findings(&report).len(), 1);
    assert!(report["diagnostics"][0]["fix"].is_null());
}

#[test]
fn config_file_sets_levels_excludes_per_file_lints_and_vocab() {
    let dir = blocking_tree();
    let p = dir.path();
    write(p, "examples/e.rs", BLOCKING);
    write(p, "generated/b.rs", BLOCKING);
    write(
        p,
        "src/db.rs",
        "pub fn query_sync() {}\npub async fn handler() {\n    query_sync();\n}\n",
    );
    write(
        p,
        "forklint.toml",
        "[lints]\nFL003 = \"deny\"\n[files]\nextend-exclude = [\"generated/**\"]\n[per-file-lints]\n\"examples/**\" = { FL003 = \"allow\" }\n[vocab]\nblocking = [{ path = \"crate::db::query_sync\" }]\n",
    );
    let out = forklint(p, &["check", "--output-format", "json", "."]);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        findings(&report),
        [
            ("src/db.rs".to_string(), 3, "FL003".to_string()),
            ("src/lib.rs".to_string(), 2, "FL003".to_string())
        ]
    );
    assert_eq!(report["diagnostics"][0]["severity"], "error");
    // CLI flags override the file.
    let out = forklint(p, &["check", "-W", "FL003", "."]);
    assert_eq!(code(&out), Some(0));
    // --isolated ignores it; --config names one.
    let report = json(&forklint(
        p,
        &["check", "--isolated", "--output-format", "json", "."],
    ));
    assert_eq!(findings(&report).len(), 3, "{report}");
    write(p, "other.toml", "[lints]\nall = \"allow\"\n");
    let report = json(&forklint(
        p,
        &[
            "check",
            "--config",
            "other.toml",
            "--output-format",
            "json",
            ".",
        ],
    ));
    assert!(findings(&report).is_empty());
    // The nearest file wins, upward from the checked path.
    write(p, "src/.forklint.toml", "[lints]\nFL003 = \"allow\"\n");
    let report = json(&forklint(p, &["check", "--output-format", "json", "src"]));
    assert!(findings(&report).is_empty());
}

#[test]
fn cargo_metadata_config() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\n\n[workspace.metadata.forklint]\nlints = { FL003 = \"deny\" }\n",
    );
    write(
        p,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
    );
    write(p, "app/src/lib.rs", BLOCKING);
    let out = forklint(p, &["check", "app"]);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    write(
        p,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.forklint.lints]\nFL003 = \"allow\"\n",
    );
    let out = forklint(p, &["check", "app"]);
    assert_eq!(code(&out), Some(0));
    assert!(stdout(&out).contains("No problems found"));
    write(
        p,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.forklint]\nlint = {}\n",
    );
    let out = forklint(p, &["check", "app"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("[app/Cargo.toml:6:1]"),
        "{}",
        stderr(&out)
    );
}

/// Runs with `config` as forklint.toml and returns (exit code, stderr).
fn config_error(config: &str) -> (Option<i32>, String) {
    let dir = blocking_tree();
    write(dir.path(), "forklint.toml", config);
    let out = forklint(dir.path(), &["check", "--output-format", "json", "."]);
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a config error"
    );
    (code(&out), stderr(&out))
}

#[test]
fn config_errors_point_at_the_key() {
    let (code, err) = config_error("[lints]\nFL003 = \"deny\"\n\n[filez]\nexclude = []\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `filez`"), "{err}");
    assert!(err.contains("[forklint.toml:4:2]"), "{err}");
    assert!(err.contains("4 │ [filez]"), "{err}");

    let (code, err) = config_error("[files]\nexclude = []\nextend_exclude = [\"x\"]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `extend_exclude`"), "{err}");
    assert!(err.contains("[forklint.toml:3:1]"), "{err}");

    let (code, err) = config_error("[lints]\nFL003 = \"error\"\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("invalid level `error`"), "{err}");
    assert!(err.contains("[forklint.toml:2:9]"), "{err}");

    let (code, err) = config_error("[lints]\nFL003 = \"deny\"\nfork-in-space = \"deny\"\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown rule `fork-in-space`"), "{err}");
    assert!(err.contains("[forklint.toml:3:1]"), "{err}");

    let (code, err) = config_error("[per-file-lints]\n\"a/**\" = { FL003 = \"nope\" }\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("[forklint.toml:2:20]"), "{err}");

    let (code, err) = config_error("[vocab]\nblockin = [{ path = \"a::b\" }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown vocabulary category"), "{err}");
    assert!(err.contains("[forklint.toml:2:1]"), "{err}");

    let (code, err) = config_error("[vocab]\nblocking = [{ pth = \"a::b\" }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `pth`"), "{err}");

    let (code, err) = config_error("[lints\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("forklint.toml:1:"), "{err}");
}

#[test]
fn init_writes_a_valid_commented_config_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let out = forklint(p, &["init"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(p.join("forklint.toml")).unwrap();
    assert!(text.contains("# FL003 = \"warn\""));
    let config = forklint::config::parse(&p.join("forklint.toml"), &text).expect("valid");
    assert!(config.levels.is_empty());
    let out = forklint(p, &["init"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(p.join("forklint.toml")).unwrap(),
        text
    );
    // Every section of the file is there, and its commented defaults are valid when enabled.
    for section in [
        "[lints]",
        "[files]",
        "[per-file-lints]",
        "[test-lints]",
        "[extension]",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    let enabled: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with("host-forks = ") => rest,
            Some(rest) if rest.starts_with("FL002 = \"allow\"") => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(enabled.contains("\nhost-forks = \"auto\""), "{enabled}");
    let config = forklint::config::parse(&p.join("forklint.toml"), &enabled).expect("valid");
    assert!(!config.test_levels.is_empty(), "{enabled}");
    // The written file is picked up.
    write(p, "src/lib.rs", BLOCKING);
    assert_eq!(code(&forklint(p, &["check", "-v", "."])), Some(0));
}

#[test]
fn rule_command() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let by_code = forklint(p, &["rule", "FL003"]);
    assert_eq!(code(&by_code), Some(0));
    assert!(stdout(&by_code).starts_with("# blocking-call-in-async (FL003)"));
    let by_name = forklint(p, &["rule", "blocking-call-in-async"]);
    assert_eq!(stdout(&by_code), stdout(&by_name));
    let lower = forklint(p, &["rule", "fl003"]);
    assert_eq!(stdout(&by_code), stdout(&lower));
    let all = forklint(p, &["rule", "--all"]);
    for rule in forklint::rules::RULES {
        assert!(stdout(&all).contains(&format!("({})", rule.meta.code)));
    }
    let list = json(&forklint(p, &["rule", "--all", "--output-format", "json"]));
    assert_eq!(list.as_array().unwrap().len(), forklint::rules::RULES.len());
    assert_eq!(code(&forklint(p, &["rule", "FL999"])), Some(2));
    assert_eq!(code(&forklint(p, &["rule"])), Some(2));
}

#[test]
fn version_completions_man_and_cargo_subcommand() {
    let dir = blocking_tree();
    let p = dir.path();
    let out = forklint(p, &["--version"]);
    assert_eq!(code(&out), Some(0));
    assert_eq!(
        stdout(&out),
        format!("forklint {}\n", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = forklint(p, &["completions", shell]);
        assert_eq!(code(&out), Some(0), "{shell}");
        assert!(stdout(&out).contains("forklint"), "{shell}");
    }
    let out = forklint(p, &["man"]);
    assert_eq!(code(&out), Some(0));
    assert!(stdout(&out).starts_with(".ie") || stdout(&out).contains(".TH forklint"));
    let cargo = Command::new(env!("CARGO_BIN_EXE_cargo-forklint"))
        .args(["forklint", "check", "--output-format", "concise", "."])
        .current_dir(p)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let direct = forklint(p, &["check", "--output-format", "concise", "."]);
    assert_eq!(code(&cargo), Some(0));
    assert_eq!(stdout(&cargo), stdout(&direct));
}

#[test]
fn output_format_from_the_environment() {
    let dir = blocking_tree();
    let out = forklint_with(
        dir.path(),
        &["check", "."],
        &[("FORKLINT_OUTPUT_FORMAT", "concise")],
    );
    assert!(
        stdout(&out).starts_with("src/lib.rs:2:5: FL003"),
        "{}",
        stdout(&out)
    );
}

/// The acceptance scenario: a small crate with a blocking call in async code, a broken file, a
/// non-UTF-8 file, a build directory and a git-ignored folder.
#[test]
fn acceptance_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"scenario\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        p,
        "src/main.rs",
        "mod broken;\nmod latin1;\n\n#[allow(dead_code)]\nasync fn refresh() {\n    std::thread::sleep(std::time::Duration::from_millis(10));\n}\n\nfn main() {}\n",
    );
    write(p, "src/broken.rs", "pub fn oops( {\n");
    std::fs::write(p.join("src/latin1.rs"), b"// na\xefve\npub fn f() {}\n").unwrap();
    write(
        p,
        "target/CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n",
    );
    write(p, "target/debug/build/gen.rs", BLOCKING);
    write(p, "vendor-cache/x.rs", BLOCKING);
    write(p, ".gitignore", "/vendor-cache/\n");
    assert!(Command::new("git")
        .args(["init", "-q"])
        .current_dir(p)
        .status()
        .unwrap()
        .success());

    let run = || forklint(p, &["check", "--output-format", "json", "."]);
    let first = run();
    assert_eq!(code(&first), Some(2), "{}", stderr(&first));
    let report = json(&first);
    assert_eq!(
        findings(&report),
        [
            ("src/broken.rs".to_string(), 1, "FL000".to_string()),
            ("src/main.rs".to_string(), 6, "FL003".to_string())
        ]
    );
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["file"], "src/latin1.rs");
    assert!(errors[0]["message"].as_str().unwrap().contains("UTF-8"));
    let text = stdout(&first);
    assert!(!text.contains("target/") && !text.contains("vendor-cache"));
    let second = run();
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.stderr, second.stderr);
}

#[test]
fn level_flags_apply_in_command_line_order() {
    let dir = blocking_tree();
    let p = dir.path();
    assert_eq!(
        code(&forklint(p, &["check", "-D", "all", "-A", "FL003", "."])),
        Some(0)
    );
    assert_eq!(
        code(&forklint(p, &["check", "-A", "FL003", "-D", "all", "."])),
        Some(1)
    );
    assert_eq!(
        code(&forklint(p, &["check", "-D", "FL003", "-W", "FL003", "."])),
        Some(0)
    );
    assert_eq!(
        code(&forklint(
            p,
            &["check", "-W", "FL003", "-D", "warnings", "."]
        )),
        Some(1)
    );
}

#[test]
fn stdin_is_capped_like_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_forklint"))
        .args(["check", "--output-format", "json", "-"])
        .current_dir(dir.path())
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // 64 MiB of blanks and then one more byte: valid Rust, one byte over the files' limit.
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..64 {
            if input.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = input.write_all(b"\n");
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stdin: input too large (more than 64 MiB)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_file_problems_say_what_they_are() {
    let dir = blocking_tree();
    let run = |config: &str| {
        let out = forklint(dir.path(), &["check", "--config", config, "."]);
        (code(&out), stderr(&out))
    };
    let (code_, err) = run("/dev/zero");
    assert_eq!(code_, Some(2));
    assert!(
        err.contains("configuration file /dev/zero is not a regular file"),
        "{err}"
    );
    let (code_, err) = run("missing.toml");
    assert_eq!(code_, Some(2));
    assert!(
        err.contains("configuration file missing.toml does not exist"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn permission_denied_is_not_reported_as_missing() {
    use std::os::unix::fs::PermissionsExt;
    if Command::new("setpriv").arg("--version").output().is_err() {
        println!("SKIP: setpriv not available");
        return;
    }
    let dir = blocking_tree();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(dir.path(), "locked/forklint.toml", "");
    write(dir.path(), "locked/x.rs", "fn main() {}\n");
    std::fs::set_permissions(
        dir.path().join("locked"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_forklint"))
        .args(["check", "--output-format", "json"])
        .args(["--config", "locked/forklint.toml", "src/lib.rs"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&out);
    if err.contains("setpriv:") {
        println!("SKIP: cannot drop privileges: {err}");
        return;
    }
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(
        err.contains("configuration file locked/forklint.toml cannot be read: Permission denied"),
        "{err}"
    );
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_forklint"))
        .args([
            "check",
            "--isolated",
            "--output-format",
            "json",
            "locked/x.rs",
            "src/lib.rs",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&out);
    std::fs::set_permissions(
        dir.path().join("locked"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("locked/x.rs: Permission denied"), "{err}");
    assert!(!err.contains("no such file"), "{err}");
    assert_eq!(
        findings(&json(&out)).len(),
        1,
        "src/lib.rs is still reported"
    );
}

#[test]
fn vocabulary_and_glob_mistakes_point_at_the_key() {
    let (code, err) = config_error("[vocab]\nblocking = [{ path = \"\" }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("a path is empty"), "{err}");
    assert!(err.contains("[forklint.toml:2:1]"), "{err}");

    let (code, err) = config_error("[vocab]\nblocking = [{ path = \"db::\" }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("empty segment"), "{err}");

    // Kinds are typed: a misspelt one fails at its value, one of another category at the key.
    let (code, err) =
        config_error("[vocab]\nfork = [{ path = \"crate::sys::spawn\", kind = \"deamon\" }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown variant `deamon`"), "{err}");
    assert!(err.contains("`daemon`"), "{err}");
    assert!(err.contains("[forklint.toml:2:"), "{err}");
    let (code, err) =
        config_error("[vocab]\nblocking = [{ path = \"crate::db::query\", kind = \"daemon\" }]\n");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("`kind = \"daemon\"` does not go with `blocking` entries"),
        "{err}"
    );
    assert!(err.contains("`io-adapter`"), "{err}");
    assert!(err.contains("[forklint.toml:2:1]"), "{err}");

    // A glob whose regex exceeds globset's size limit: globset said `error building NFA` with
    // no file or key (`[files]`) or panicked (`[per-file-lints]`).
    let huge: Vec<String> = (0..4_000)
        .map(|i| format!("{}{i}", "a".repeat(50)))
        .collect();
    let huge = format!("{{{}}}", huge.join(","));
    let (code, err) = config_error(&format!("[files]\nextend-exclude = [\"{huge}\"]\n"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("too complex to match"), "{err}");
    assert!(err.contains("[forklint.toml:2:19]"), "{err}");
    let (code, err) = config_error(&format!(
        "[per-file-lints]\n\"{huge}\" = {{ FL003 = \"allow\" }}\n"
    ));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("too complex to match"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_configured_thread_join_ends_the_threads_it_waits_for() {
    // A crate-local pool whose `stop_all` joins its workers: without the vocabulary entry the
    // fork still sees the pool's threads (FL001); with it, they are joined before the fork.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        dir.path(),
        "src/main.rs",
        "mod pool;\n\
         fn main() {\n    \
             let workers = pool::Workers::start();\n    \
             workers.stop_all();\n    \
             let pid = unsafe { libc::fork() };\n    \
             if pid == 0 {\n        \
                 println!(\"child\");\n        \
                 unsafe { libc::_exit(0) };\n    \
             }\n\
         }\n",
    );
    write(
        dir.path(),
        "src/pool.rs",
        "pub struct Workers { handles: Vec<std::thread::JoinHandle<()>> }\n\
         impl Workers {\n    \
             pub fn start() -> Workers {\n        \
                 let h = std::thread::spawn(|| {});\n        \
                 Workers { handles: vec![h] }\n    \
             }\n    \
             pub fn stop_all(self) {\n        \
                 for h in self.handles {\n            \
                     h.join().unwrap();\n        \
                 }\n    \
             }\n\
         }\n",
    );
    let codes = |dir: &Path| -> Vec<String> {
        let out = forklint(
            dir,
            &["check", "--no-cache", "--output-format", "json", "."],
        );
        findings(&json(&out)).into_iter().map(|f| f.2).collect()
    };
    assert_eq!(
        codes(dir.path()),
        ["FL001", "FL004"],
        "the pool's threads are seen"
    );
    write(
        dir.path(),
        "forklint.toml",
        "[vocab]\nthread-join = [{ methods = [\"stop_all\"], receivers = [\"crate::pool::Workers\"] }]\n",
    );
    assert_eq!(
        codes(dir.path()),
        Vec::<String>::new(),
        "stop_all joins them"
    );
}

/// A package with a runtime in a static read by a `#[pyfunction]`, and no `#[pymodule]`: only
/// its manifest (or the config) can make it an extension crate.
fn extension_tree(manifest_extra: &str, config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        &format!(
            "[package]\nname = \"ext\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{manifest_extra}\n[dependencies]\npyo3 = \"0.22\"\ntokio = \"1\"\n"
        ),
    );
    write(
        dir.path(),
        "src/lib.rs",
        "use pyo3::prelude::*;\nuse std::sync::OnceLock;\nuse tokio::runtime::Runtime;\n\nfn rt() -> &'static Runtime {\n    static RT: OnceLock<Runtime> = OnceLock::new();\n    RT.get_or_init(|| Runtime::new().unwrap())\n}\n\n#[pyfunction]\nfn read() -> usize {\n    rt().block_on(async { 1 })\n}\n",
    );
    if let Some(config) = config {
        write(dir.path(), "forklint.toml", config);
    }
    dir
}

fn fl008_count(dir: &tempfile::TempDir) -> usize {
    let out = forklint(
        dir.path(),
        &["check", "--no-cache", "--output-format", "concise", "."],
    );
    String::from_utf8_lossy(&out.stdout)
        .matches("FL008")
        .count()
}

#[test]
fn extension_crates_come_from_the_manifest_and_host_forks() {
    let cdylib = "\n[lib]\ncrate-type = [\"cdylib\"]\n";
    assert_eq!(fl008_count(&extension_tree(cdylib, None)), 1);
    // Without `cdylib` the package is a plain library: quiet unless the config says otherwise.
    assert_eq!(fl008_count(&extension_tree("", None)), 0);
    let always = "[extension]\nhost-forks = \"always\"\n";
    assert_eq!(fl008_count(&extension_tree("", Some(always))), 1);
    let never = "[extension]\nhost-forks = \"never\"\n";
    assert_eq!(fl008_count(&extension_tree(cdylib, Some(never))), 0);
    // A maturin pyproject.toml beside the manifest is enough.
    let maturin = extension_tree("", None);
    write(
        maturin.path(),
        "pyproject.toml",
        "[build-system]\nrequires = [\"maturin>=1\"]\nbuild-backend = \"maturin\"\n",
    );
    assert_eq!(fl008_count(&maturin), 1);
}

#[test]
fn host_forks_rejects_unknown_values_at_the_key() {
    let (code, err) = config_error("[extension]\nhost-forks = \"sometimes\"\n");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("invalid `host-forks` value `sometimes`"),
        "{err}"
    );
    assert!(err.contains("[forklint.toml:2:14]"), "{err}");
    let (code, err) = config_error("[extension]\nhost_forks = \"never\"\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `host_forks`"), "{err}");
}

#[test]
fn a_loose_files_ctor_runs_in_no_other_file() {
    // Files no module tree reaches are linked with nothing: a `#[ctor]` that starts a thread in
    // one of them is no thread before another one's fork. Checked together, only the file with
    // the ctor has its fork reported (each used to see the other's ctor).
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(dir.path(), "src/lib.rs", "pub fn f() {}\n");
    write(
        dir.path(),
        "scripts/watchdog.rs",
        "#[ctor::ctor]\nfn start() {\n    std::thread::spawn(|| loop { std::thread::park(); });\n}\n\
         fn work() {}\nfn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 { work(); unsafe { libc::_exit(0) }; }\n}\n",
    );
    write(
        dir.path(),
        "scripts/single.rs",
        "fn work() {}\nfn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 { work(); unsafe { libc::_exit(0) }; }\n}\n",
    );
    let out = forklint(
        dir.path(),
        &["check", "--no-cache", "--output-format", "json", "scripts"],
    );
    assert_eq!(
        findings(&json(&out)),
        vec![("scripts/watchdog.rs".to_string(), 7, "FL001".to_string())],
        "{}",
        stderr(&out)
    );
}
