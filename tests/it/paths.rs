//! Paths and crate context: every spelling of a path gives the same findings, each file uses
//! its own nearest configuration, stdin keeps its package, and a configuration that cannot be
//! read is an error (README.md, "Usage").

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::cli::{forklint, forklint_with, write};

const SLEEPS: &str =
    "async fn h() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";

/// A crate whose lib calls a sleeping function of another module (the crate context decides
/// whether FL003 fires) and sleeps directly (a tokio fix).
fn crate_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"t1\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    );
    write(
        p,
        "src/lib.rs",
        "mod h;\npub async fn run() {\n    h::block();\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    write(
        p,
        "src/h.rs",
        "pub fn block() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    dir
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn concise(dir: &Path, paths: &[&str]) -> Output {
    let mut args = vec![
        "check",
        "--force-exclude",
        "-D",
        "warnings",
        "--output-format",
        "concise",
    ];
    args.extend_from_slice(paths);
    forklint(dir, &args)
}

const EXPECTED: &str = "src/lib.rs:3:5: FL003 `block` blocks on `std::thread::sleep` in async fn `run` [blocking-call-in-async]\n\
src/lib.rs:4:5: FL003 blocking call `std::thread::sleep` in async fn `run` [blocking-call-in-async]\n";

#[test]
fn every_spelling_of_a_file_gives_its_crate_findings() {
    let dir = crate_tree();
    let p = dir.path();
    let absolute = p.join("src/lib.rs").display().to_string();
    let through_vendor = {
        std::fs::create_dir_all(p.join("vendor")).unwrap();
        "vendor/../src/lib.rs".to_string()
    };
    for spelling in [
        "src/lib.rs",
        "./src/lib.rs",
        absolute.as_str(),
        "src/../src/lib.rs",
        through_vendor.as_str(),
    ] {
        let out = concise(p, &[spelling]);
        assert_eq!(code(&out), Some(1), "{spelling}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            format!("{EXPECTED}Found 0 errors and 2 warnings in 1 file.\n"),
            "{spelling}"
        );
    }
    // From below the package root, and from a sibling directory through `..`.
    std::fs::create_dir_all(p.join("sub")).unwrap();
    let out = concise(&p.join("src"), &["lib.rs"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with("lib.rs:3:5: FL003 `block` blocks"));
    let out = concise(&p.join("sub"), &["../src/lib.rs"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains(":3:5: FL003 `block` blocks"));
}

#[test]
fn a_file_through_a_symlink_keeps_its_crate() {
    let dir = crate_tree();
    let p = dir.path();
    let link = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(p, link.path().join("t1")).unwrap();
    std::os::unix::fs::symlink("src/lib.rs", p.join("alias.rs")).unwrap();
    let through_dir = link.path().join("t1/src/lib.rs").display().to_string();
    for spelling in [through_dir.as_str(), "alias.rs"] {
        let out = concise(p, &[spelling]);
        assert_eq!(code(&out), Some(1), "{spelling}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains(":3:5: FL003 `block` blocks"),
            "{spelling}: {stdout}"
        );
        assert!(
            stdout.contains("2 warnings in 1 file."),
            "{spelling}: {stdout}"
        );
    }
}

#[test]
fn a_file_named_twice_is_reported_once() {
    let dir = crate_tree();
    let p = dir.path();
    for paths in [
        &["src/lib.rs", "./src/lib.rs"][..],
        &["src/lib.rs", "src/../src/lib.rs", "src"][..],
    ] {
        let out = concise(p, paths);
        assert_eq!(code(&out), Some(1), "{paths:?}");
        let stdout = text(&out.stdout);
        assert_eq!(stdout.matches("FL003").count(), 2, "{paths:?}: {stdout}");
    }
    let out = concise(p, &[".", "src/lib.rs"]);
    assert_eq!(
        text(&out.stdout),
        format!("{EXPECTED}Found 0 errors and 2 warnings in 2 files.\n")
    );
}

#[test]
fn a_missing_path_is_reported_under_its_normalised_name() {
    let dir = crate_tree();
    let out = concise(dir.path(), &["nowhere/../missing.rs", "./src/lib.rs"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        text(&out.stderr).contains("error: missing.rs: no such file or directory"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).starts_with(EXPECTED),
        "{}",
        text(&out.stdout)
    );
}

fn two_projects() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "projA/x.rs", SLEEPS);
    write(p, "projB/x.rs", SLEEPS);
    write(p, "projA/forklint.toml", "[lints]\nFL003 = \"allow\"\n");
    dir
}

fn files_with_findings(out: &Output) -> Vec<String> {
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_file_uses_its_nearest_configuration() {
    let dir = two_projects();
    let p = dir.path();
    for (flags, paths, expected) in [
        (&[][..], &["projA", "projB"][..], &["projB/x.rs"][..]),
        (&[][..], &["projB", "projA"][..], &["projB/x.rs"][..]),
        (&[][..], &["."][..], &["projB/x.rs"][..]),
        (
            &["--no-cache"][..],
            &["projA", "projB"][..],
            &["projB/x.rs"][..],
        ),
        // `--config` and `--isolated` apply to every file; -A/-W/-D override the files.
        (
            &["--config", "projA/forklint.toml"][..],
            &["projA", "projB"][..],
            &[][..],
        ),
        (
            &["--isolated"][..],
            &["projA", "projB"][..],
            &["projA/x.rs", "projB/x.rs"][..],
        ),
        (
            &["-W", "FL003"][..],
            &["projA", "projB"][..],
            &["projA/x.rs", "projB/x.rs"][..],
        ),
    ] {
        let mut args = vec!["check", "--output-format", "json"];
        args.extend_from_slice(flags);
        args.extend_from_slice(paths);
        let out = forklint(p, &args);
        assert_eq!(code(&out), Some(0), "{args:?}: {}", text(&out.stderr));
        assert_eq!(files_with_findings(&out), expected, "{args:?}");
    }
}

#[test]
fn warnings_deny_of_one_configuration_fails_only_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "strict/clean.rs", "fn main() {}\n");
    write(p, "strict/forklint.toml", "[lints]\nwarnings = \"deny\"\n");
    write(p, "lax/x.rs", SLEEPS);
    let out = forklint(p, &["check", "--output-format", "concise", "strict", "lax"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stdout));
    write(p, "strict/x.rs", SLEEPS);
    let out = forklint(p, &["check", "--output-format", "concise", "lax", "strict"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out.stdout));
}

fn with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_forklint"))
        .args(args)
        .current_dir(dir)
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .env("NO_COLOR", "1")
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
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The diagnostics of a json report (without timings or other run details).
fn diagnostics(out: &Output) -> Value {
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    report["diagnostics"].clone()
}

#[test]
fn stdin_gives_the_findings_of_the_file_on_disk() {
    let dir = crate_tree();
    let p = dir.path();
    let buffer = std::fs::read_to_string(p.join("src/lib.rs")).unwrap();
    let on_disk = forklint(p, &["check", "--output-format", "json", "src/lib.rs"]);
    let expected = diagnostics(&on_disk);
    assert_eq!(expected.as_array().unwrap().len(), 2, "{expected}");
    assert!(
        expected.to_string().contains("tokio::time::sleep"),
        "{expected}"
    );
    for name in ["src/lib.rs", "./src/lib.rs", "src/../src/lib.rs"] {
        let out = with_stdin(
            p,
            &[
                "check",
                "--output-format",
                "json",
                "--stdin-filename",
                name,
                "-",
            ],
            &buffer,
        );
        assert_eq!(code(&out), Some(0), "{name}: {}", text(&out.stderr));
        assert_eq!(diagnostics(&out), expected, "{name}");
    }
    // The buffer, not the file on disk, is what is checked.
    let out = with_stdin(
        p,
        &[
            "check",
            "--output-format",
            "json",
            "--stdin-filename",
            "src/lib.rs",
        ],
        "mod h;\npub async fn run() {}\n",
    );
    assert_eq!(diagnostics(&out), serde_json::json!([]));
}

#[test]
fn dash_means_stdin_and_is_not_mixed_with_paths() {
    let dir = crate_tree();
    let p = dir.path();
    let out = forklint(p, &["check", "-", "src/lib.rs"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        text(&out.stderr).contains("`-` (standard input) cannot be combined with other paths"),
        "{}",
        text(&out.stderr)
    );
    // With --stdin-filename, stdin is read and other paths are ignored with a warning (ruff).
    let out = with_stdin(
        p,
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "src/lib.rs",
            "src/h.rs",
        ],
        "mod h;\npub async fn run() {\n    h::block();\n}\n",
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning: ignoring src/h.rs in favor of standard input"));
    assert!(
        text(&out.stdout).starts_with("src/lib.rs:3:5: FL003"),
        "{}",
        text(&out.stdout)
    );
}

const DENYING_MANIFEST: &str = "[package]\nname = \"p7\"\nversion = \"0.1.0\"\n\n[package.metadata.forklint.lints]\nFL003 = \"deny\"\n";

#[test]
fn an_unreadable_cargo_toml_with_forklint_metadata_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let probe = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIP: setpriv cannot drop privileges here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "Cargo.toml", DENYING_MANIFEST);
    write(p, "src/lib.rs", SLEEPS);
    for sub in [p.to_path_buf(), p.join("src")] {
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(p.join("src/lib.rs"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = |manifest_mode: u32| {
        std::fs::set_permissions(
            p.join("Cargo.toml"),
            std::fs::Permissions::from_mode(manifest_mode),
        )
        .unwrap();
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_forklint"))
            .args(["check", "--no-cache", "--output-format", "concise", "."])
            .current_dir(p)
            .env("NO_COLOR", "1")
            .env_remove("FORKLINT_OUTPUT_FORMAT");
        crate::robust::output_within(cmd, Duration::from_secs(20))
    };
    let readable = run(0o644);
    if code(&readable) != Some(1) {
        eprintln!(
            "SKIP: the unprivileged user cannot run the binary here: {}",
            text(&readable.stderr)
        );
        return;
    }
    let out = run(0o000);
    assert_eq!(code(&out), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("invalid configuration in Cargo.toml: cannot read the file"),
        "{stderr}"
    );
}

#[test]
fn a_cargo_toml_that_is_not_a_file_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "src/lib.rs", SLEEPS);
    let fifo = p.join("Cargo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIP: mkfifo is not available");
        return;
    }
    let run = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_forklint"));
        cmd.args(["check", "--no-cache", "--output-format", "concise", "."])
            .current_dir(p)
            .env("NO_COLOR", "1")
            .env_remove("FORKLINT_OUTPUT_FORMAT");
        crate::robust::output_within(cmd, Duration::from_secs(20))
    };
    // A FIFO is never opened (that would wait for a writer), and a directory is not skipped.
    for (manifest, shown) in [
        (None, "Cargo.toml"),
        (Some("src/Cargo.toml"), "src/Cargo.toml"),
    ] {
        if let Some(manifest) = manifest {
            std::fs::create_dir_all(p.join(manifest)).unwrap();
        }
        let out = run();
        assert_eq!(code(&out), Some(2), "{shown}: {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "invalid configuration in {shown}: cannot read the file: not a regular file"
            )),
            "{stderr}"
        );
    }
    // --isolated reads no configuration: the file is checked.
    let out = forklint_with(p, &["check", "--isolated", "--no-cache", "."], &[]);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_file_that_ends_as_a_tool_error_is_not_counted_as_checked() {
    if !cfg!(debug_assertions) {
        return; // the edit is injected by debug builds only
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "edited.rs", SLEEPS);
    write(p, "clean.rs", "fn main() {}\n");
    let out = forklint_with(
        p,
        &["check", "--no-cache", "--output-format", "concise", "."],
        &[(
            "FORKLINT_TEST_EDIT_AFTER_READ",
            p.join("edited.rs").to_str().unwrap(),
        )],
    );
    assert_eq!(code(&out), Some(2));
    assert!(
        text(&out.stderr).contains("edited.rs"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "No problems found in 1 file.\n");
}

/// A file below a target root outside `src/` (as nix's `[[test]] path = "test/test.rs"`) is
/// lowered once, under the module path its root's directory gives, and its calls resolve.
#[test]
fn a_module_beside_a_declared_target_root_is_lowered_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"t1\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n\n[[bin]]\nname = \"t\"\npath = \"tool/app.rs\"\n",
    );
    write(p, "src/lib.rs", "pub fn f() {}\n");
    write(
        p,
        "tool/app.rs",
        "mod sys;\npub async fn run() {\n    sys::inner::block();\n}\n",
    );
    write(p, "tool/sys/mod.rs", "pub mod inner;\n");
    write(
        p,
        "tool/sys/inner.rs",
        "pub fn block() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    let out = forklint(
        p,
        &[
            "check",
            "-v",
            "--no-cache",
            "--output-format",
            "concise",
            ".",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("tool/app.rs:3:5: FL003 `block` blocks on `std::thread::sleep`"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("forklint:   0 files lowered again"),
        "{stderr}"
    );
}
