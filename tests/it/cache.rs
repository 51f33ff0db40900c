//! The findings cache: warm output equals cold output, edits invalidate what they must, a corrupt
//! or foreign entry is ignored and rewritten, `--no-cache` writes nothing, stdin never caches.

use std::path::Path;
use std::process::Output;

use crate::cli::{forklint_with, write};

fn run(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    forklint_with(
        dir,
        args,
        &[("FORKLINT_CACHE_DIR", cache.to_str().unwrap())],
    )
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A workspace: `app` calls into its path dependency `dep`, a second unrelated package, and a
/// loose file outside any package.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"dep\", \"other\"]\n",
    );
    write(
        p,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndep = { path = \"../dep\" }\ntokio = \"1\"\n",
    );
    write(
        p,
        "app/src/lib.rs",
        "mod net;\npub async fn run() {\n    dep::helper();\n    net::serve();\n}\n",
    );
    write(
        p,
        "app/src/net.rs",
        "pub fn serve() {\n    // forklint: allow(FL001)\n    let _ = 1;\n}\n",
    );
    write(
        p,
        "dep/Cargo.toml",
        "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        p,
        "dep/src/lib.rs",
        "pub fn helper() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    // A test of `dep`: not in its lib crate, so not context when only `app` is analysed again.
    write(
        p,
        "dep/tests/slow.rs",
        "async fn slow() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    write(
        p,
        "other/Cargo.toml",
        "[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        p,
        "other/src/lib.rs",
        "pub async fn poll() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    write(p, "other/src/broken.rs", "fn f( {\n");
    write(
        p,
        "loose/script.rs",
        "async fn g() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n",
    );
    dir
}

const FORMATS: [&str; 4] = ["full", "json", "sarif", "cargo-json"];

/// Asserts that every format's output with the cache equals a cold `--no-cache` run.
fn assert_same_as_cold(p: &Path, cache: &Path, extra: &[&str]) {
    for format in FORMATS {
        let mut args = vec!["check", "--output-format", format];
        args.extend_from_slice(extra);
        args.push(".");
        let warm = run(p, cache, &args);
        let mut cold_args = args.clone();
        cold_args.insert(1, "--no-cache");
        let cold = run(p, cache, &cold_args);
        assert_eq!(
            out(&warm),
            out(&cold),
            "{format} {extra:?}: cached differs from cold"
        );
        assert_eq!(err(&warm), err(&cold), "{format} {extra:?}: stderr differs");
        assert_eq!(warm.status.code(), cold.status.code());
    }
}

fn groups(o: &Output) -> (usize, usize) {
    let text = err(o);
    let line = text
        .lines()
        .find(|l| l.contains("units from the cache"))
        .unwrap_or_else(|| panic!("no cache line in -v output:\n{text}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let hits = words[2].parse().unwrap();
    let misses = words[words.len() - 2].parse().unwrap();
    (hits, misses)
}

#[test]
fn warm_output_is_identical_to_cold() {
    let dir = workspace();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    let first = run(
        p,
        cache.path(),
        &["check", "-v", "--output-format", "json", "."],
    );
    let (hits, misses) = groups(&first);
    assert_eq!(hits, 0);
    // app, dep, other, the loose file.
    assert_eq!(misses, 4, "{}", err(&first));
    let second = run(
        p,
        cache.path(),
        &["check", "-v", "--output-format", "json", "."],
    );
    assert_eq!(groups(&second), (4, 0));
    assert!(
        !err(&second).contains("read+parse+lower"),
        "a warm run parses nothing"
    );
    assert_eq!(out(&first), out(&second));
    assert!(out(&first).contains("app/src/lib.rs"), "{}", out(&first));
    assert_same_as_cold(p, cache.path(), &[]);
    // Levels are applied after the cache: a warm run with other levels equals a cold one.
    for extra in [
        &["-A", "all"][..],
        &["-D", "warnings"],
        &["--statistics"],
        &["--select", "FL000"],
    ] {
        assert_same_as_cold(p, cache.path(), extra);
        assert_same_as_cold(p, cache.path(), extra);
    }
    // Checking one file of a package uses its own entry and equals cold.
    for args in [&["check", "app/src/net.rs"][..], &["check", "dep"]] {
        let cached = run(p, cache.path(), args);
        let mut cold_args = args.to_vec();
        cold_args.insert(1, "--no-cache");
        let cold = run(p, cache.path(), &cold_args);
        assert_eq!(out(&cached), out(&cold));
    }
}

#[test]
fn edits_invalidate_the_packages_that_depend_on_them() {
    let dir = workspace();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    let json = ["check", "-v", "--output-format", "json", "."];
    let before = run(p, cache.path(), &json);
    assert!(out(&before).contains("app/src/lib.rs"));
    // A comment after the last item changes no fact: the dependent stays cached.
    write(
        p,
        "dep/src/lib.rs",
        "pub fn helper() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n// note\n",
    );
    let comment = run(p, cache.path(), &json);
    assert_eq!(groups(&comment), (3, 1), "{}", err(&comment));
    assert_eq!(out(&comment), out(&before));
    // A line inserted above the helper moves its span, which the dependent's finding shows.
    write(
        p,
        "dep/src/lib.rs",
        "// note\npub fn helper() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    let moved = run(p, cache.path(), &json);
    assert_eq!(groups(&moved), (2, 2), "{}", err(&moved));
    assert_same_as_cold(p, cache.path(), &[]);
    // The dependency no longer blocks: the dependent's finding must go.
    write(p, "dep/src/lib.rs", "pub fn helper() {}\n");
    let after = run(p, cache.path(), &json);
    assert_eq!(groups(&after), (2, 2));
    assert!(!out(&after).contains("app/src/lib.rs"), "{}", out(&after));
    assert_same_as_cold(p, cache.path(), &[]);
    // A new finding in an untouched-before file, and a fixed syntax error.
    write(
        p,
        "app/src/net.rs",
        "pub fn serve() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    write(p, "other/src/broken.rs", "fn f() {}\n");
    let again = run(p, cache.path(), &json);
    assert_eq!(groups(&again), (2, 2));
    assert!(!out(&again).contains("FL000"));
    assert_same_as_cold(p, cache.path(), &[]);
    // A manifest edit (dropping the path dependency) changes what resolves.
    write(
        p,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    assert_same_as_cold(p, cache.path(), &[]);
}

#[test]
fn corrupt_or_foreign_entries_are_ignored_and_rewritten() {
    let dir = workspace();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    let args = ["check", "--output-format", "json", "."];
    let cold = run(
        p,
        cache.path(),
        &["check", "--no-cache", "--output-format", "json", "."],
    );
    run(p, cache.path(), &args);
    let entries: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|e| e.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(entries.len(), 4);
    // Facts fingerprints that are corrupt are ignored too (the units are analysed again).
    for facts in std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|e| e.extension().is_some_and(|x| x == "facts"))
    {
        std::fs::write(&facts, b"forklint-cache 2 0.1.0 00 zz\n").unwrap();
    }
    for (i, entry) in entries.iter().enumerate() {
        let good = std::fs::read(entry).unwrap();
        let bad: Vec<u8> = match i % 3 {
            0 => b"garbage".to_vec(),
            1 => good[..good.len() / 2].to_vec(),
            // Same header, payload replaced by another valid entry's.
            _ => {
                let newline = good.iter().position(|&b| b == b'\n').unwrap();
                let mut bad = good[..=newline].to_vec();
                bad.extend_from_slice(br#"{"checked":[],"diagnostics":[],"errors":[]}"#);
                bad
            }
        };
        std::fs::write(entry, &bad).unwrap();
    }
    let warm = run(
        p,
        cache.path(),
        &["check", "-v", "--output-format", "json", "."],
    );
    assert_eq!(groups(&warm), (0, 4));
    assert_eq!(out(&warm), out(&cold));
    for entry in &entries {
        let text = std::fs::read(entry).unwrap();
        assert!(
            text.starts_with(b"forklint-cache "),
            "{entry:?} was not rewritten"
        );
    }
    let again = run(
        p,
        cache.path(),
        &["check", "-v", "--output-format", "json", "."],
    );
    assert_eq!(groups(&again), (4, 0));
    assert_eq!(out(&again), out(&cold));
}

#[test]
fn default_location_no_cache_and_stdin() {
    let dir = workspace();
    let p = dir.path();
    let no_env = [("FORKLINT_CACHE_DIR", "")];
    let out1 = forklint_with(p, &["check", "--no-cache", "."], &no_env);
    assert!(!p.join("target").exists(), "--no-cache wrote a cache");
    assert!(!p.join(".forklint-cache").exists());
    let out2 = forklint_with(p, &["check", "."], &no_env);
    assert_eq!(out(&out1), out(&out2));
    assert!(p.join("target/forklint/CACHEDIR.TAG").is_file());
    // Outside any cargo project: .forklint-cache in the working directory.
    let loose = tempfile::tempdir().unwrap();
    write(loose.path(), "a.rs", "fn main() {}\n");
    forklint_with(loose.path(), &["check", "a.rs"], &no_env);
    assert!(loose.path().join(".forklint-cache/CACHEDIR.TAG").is_file());
    // stdin never uses the cache.
    let cache = tempfile::tempdir().unwrap();
    let target = cache.path().join("c");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_forklint"))
        .args(["check", "-"])
        .current_dir(p)
        .env("FORKLINT_CACHE_DIR", &target)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"fn main() {}\n")
        .unwrap();
    child.wait().unwrap();
    assert!(!target.exists(), "stdin wrote a cache");
}

#[test]
fn vocabulary_extensions_are_part_of_the_key() {
    let dir = workspace();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "other/src/db.rs",
        "pub async fn load() {\n    query_sync();\n}\npub fn query_sync() {}\n",
    );
    let json = ["check", "-v", "--output-format", "json", "."];
    let before = run(p, cache.path(), &json);
    assert_eq!(groups(&run(p, cache.path(), &json)), (4, 0));
    write(
        p,
        "forklint.toml",
        "[vocab]\nblocking = [{ path = \"crate::db::query_sync\" }]\n",
    );
    let after = run(p, cache.path(), &json);
    assert_eq!(groups(&after), (0, 4), "{}", err(&after));
    assert_ne!(out(&before), out(&after));
    assert!(out(&after).contains("other/src/db.rs"), "{}", out(&after));
    assert_same_as_cold(p, cache.path(), &[]);
}

#[test]
fn a_rebuilt_binary_does_not_reuse_entries() {
    let dir = workspace();
    let cache = tempfile::tempdir().unwrap();
    let bin_dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // A copy of the binary stands for a rebuild: same version, another build.
    let bin = bin_dir.path().join("forklint");
    std::fs::copy(env!("CARGO_BIN_EXE_forklint"), &bin).unwrap();
    let run_bin = || {
        // Another test's child, forked while the copy was open for writing, can hold that
        // descriptor until it execs: running the copy then fails with ETXTBSY for a moment.
        for _ in 0..100 {
            match std::process::Command::new(&bin)
                .args(["check", "-v", "--output-format", "json", "."])
                .current_dir(p)
                .env("FORKLINT_CACHE_DIR", cache.path())
                .output()
            {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                result => return result.unwrap(),
            }
        }
        panic!("{} stayed busy", bin.display());
    };
    run_bin();
    assert_eq!(groups(&run_bin()), (4, 0));
    let file = std::fs::File::options().write(true).open(&bin).unwrap();
    file.set_modified(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000),
    )
    .unwrap();
    drop(file);
    assert_eq!(groups(&run_bin()), (0, 4));
}
