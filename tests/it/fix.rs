//! Writing user files: `--fix` and `init` never leave a file half written (a file size limit
//! makes the write fail), keep permissions, and a file that cannot be written is a tool error
//! while every other file is fixed and the report printed.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::cli::write;

const BLOCKING: &str =
    "pub async fn poll() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";
const FIXED: &str =
    "pub async fn poll() {\n    tokio::time::sleep(std::time::Duration::from_secs(1)).await;\n}\n";
const MANIFEST: &str = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"time\"] }\n";

/// `forklint ARGS` in `dir`, started through `wrapper` (e.g. `prlimit --fsize=64`).
fn run_wrapped(dir: &Path, wrapper: &[&str], args: &[&str]) -> Option<Output> {
    let mut command = Command::new(wrapper[0]);
    command
        .args(&wrapper[1..])
        .arg(env!("CARGO_BIN_EXE_forklint"))
        .args(args)
        .current_dir(dir)
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .env_remove("FORKLINT_CACHE_DIR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command.output().ok()
}

/// Whether `wrapper` can start forklint at all (the tool exists, privileges can be dropped).
fn wrapper_works(wrapper: &[&str]) -> bool {
    let dir = std::env::temp_dir();
    run_wrapped(&dir, wrapper, &["--version"]).is_some_and(|o| o.status.success())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Names in `dir` that look like temporary files.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn fix_under_a_file_size_limit_leaves_the_file_intact() {
    let limit = ["prlimit", "--fsize=48"];
    if !wrapper_works(&limit) {
        eprintln!("SKIP: prlimit is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "Cargo.toml", MANIFEST);
    write(p, "src/lib.rs", BLOCKING);
    for cache in [&["--no-cache"][..], &[]] {
        let mut args = vec!["check", "--fix"];
        args.extend_from_slice(cache);
        args.push(".");
        let out = run_wrapped(p, &limit, &args).unwrap();
        assert_eq!(out.status.code(), Some(2), "{cache:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error: src/lib.rs: cannot write the fixes:"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read_to_string(p.join("src/lib.rs")).unwrap(),
            BLOCKING
        );
        assert!(leftovers(&p.join("src")).is_empty());
    }
    // Without the limit the same run fixes the file.
    let out = run_wrapped(p, &["env"], &["check", "--fix", "."]).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(p.join("src/lib.rs")).unwrap(),
        FIXED
    );
}

#[test]
fn init_under_a_file_size_limit_writes_nothing() {
    let limit = ["prlimit", "--fsize=16"];
    if !wrapper_works(&limit) {
        eprintln!("SKIP: prlimit is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_wrapped(dir.path(), &limit, &["init"]).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write forklint.toml"));
    assert!(!dir.path().join("forklint.toml").exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "Cargo.toml", MANIFEST);
    write(p, "src/lib.rs", BLOCKING);
    let lib = p.join("src/lib.rs");
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o751)).unwrap();
    let out = run_wrapped(p, &["env"], &["check", "--fix", "--no-cache", "."]).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), FIXED);
    let mode = std::fs::metadata(&lib).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o751);
}

#[cfg(unix)]
#[test]
fn an_unwritable_file_is_a_tool_error_and_every_other_fix_is_applied() {
    use std::os::unix::fs::PermissionsExt;
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    if !wrapper_works(&nobody) {
        eprintln!("SKIP: cannot run forklint as an unprivileged user (setpriv)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "Cargo.toml", MANIFEST);
    write(p, "src/lib.rs", "mod a;\nmod b;\nmod c;\n");
    for name in ["a", "b", "c"] {
        write(p, &format!("src/{name}.rs"), BLOCKING);
    }
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // The directories are writable (a rename could replace b.rs); b.rs itself is not.
    mode(p, 0o777);
    mode(&p.join("src"), 0o777);
    mode(&p.join("src/a.rs"), 0o666);
    mode(&p.join("src/b.rs"), 0o444);
    mode(&p.join("src/c.rs"), 0o666);
    let out = run_wrapped(
        p,
        &nobody,
        &["check", "--fix", "--output-format", "json", "."],
    )
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: src/b.rs: cannot write the fixes: Permission denied"),
        "{err}"
    );
    assert!(err.contains("fixed 2 findings"), "{err}");
    let read = |name: &str| std::fs::read_to_string(p.join("src").join(name)).unwrap();
    assert_eq!(read("a.rs"), FIXED);
    assert_eq!(read("b.rs"), BLOCKING);
    assert_eq!(read("c.rs"), FIXED);
    let meta = std::fs::metadata(p.join("src/b.rs")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o444);
    assert!(leftovers(&p.join("src")).is_empty());
    // The report is printed: b.rs keeps its finding, and the write error is listed.
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["src/b.rs"]);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "src/b.rs");
}
