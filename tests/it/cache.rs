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

/// A workspace whose `server` binary runs `main_body`, and whose `worker` lib forks in
/// `spawn_worker` (entry states flow from the dependent down into the dependency).
fn server_and_worker(p: &Path, main_body: &str) {
    write(
        p,
        "Cargo.toml",
        "[workspace]\nmembers = [\"server\", \"worker\", \"quiet\"]\n",
    );
    write(
        p,
        "server/Cargo.toml",
        "[package]\nname = \"server\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nworker = { path = \"../worker\" }\nquiet = { path = \"../quiet\" }\n",
    );
    write(
        p,
        "server/src/main.rs",
        &format!("fn main() {{\n{main_body}}}\n"),
    );
    write(
        p,
        "worker/Cargo.toml",
        "[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        p,
        "worker/src/lib.rs",
        "pub fn spawn_worker() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        let v = vec![1u8];\n        unsafe { libc::_exit(v.len() as i32) };\n    }\n}\n",
    );
    write(
        p,
        "quiet/Cargo.toml",
        "[package]\nname = \"quiet\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(p, "quiet/src/lib.rs", "pub fn nothing() {}\n");
}

#[test]
fn a_dependency_that_forks_is_keyed_on_its_callers_above() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    let json = ["check", "-v", "--output-format", "json", "."];
    // No thread at the call: the worker crate is clean.
    server_and_worker(p, "    quiet::nothing();\n    worker::spawn_worker();\n");
    let first = run(p, cache.path(), &json);
    assert_eq!(groups(&first), (0, 3), "{}", err(&first));
    assert!(!out(&first).contains("FL001"), "{}", out(&first));
    // The dependent now starts a thread first: the worker crate's entry must not be reused
    // (its findings depend on the units above it), the unrelated `quiet` crate's is.
    server_and_worker(
        p,
        "    let _t = std::thread::spawn(|| {});\n    quiet::nothing();\n    worker::spawn_worker();\n",
    );
    let threads = run(p, cache.path(), &json);
    assert_eq!(groups(&threads), (1, 2), "{}", err(&threads));
    assert!(
        out(&threads).contains("worker/src/lib.rs") && out(&threads).contains("FL001"),
        "{}",
        out(&threads)
    );
    assert_same_as_cold(p, cache.path(), &[]);
    // Only the worker crate changes (a comment): the dependent stays cached, and the worker
    // crate, analysed again with its callers as context, keeps its finding.
    write(
        p,
        "worker/src/lib.rs",
        "pub fn spawn_worker() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        let v = vec![1u8];\n        unsafe { libc::_exit(v.len() as i32) };\n    }\n}\n// note\n",
    );
    let comment = run(p, cache.path(), &json);
    assert_eq!(groups(&comment), (2, 1), "{}", err(&comment));
    assert!(out(&comment).contains("FL001"), "{}", out(&comment));
    assert_same_as_cold(p, cache.path(), &[]);
    // The thread is joined again: the finding goes.
    server_and_worker(
        p,
        "    let t = std::thread::spawn(|| {});\n    t.join().unwrap();\n    quiet::nothing();\n    worker::spawn_worker();\n",
    );
    let joined = run(p, cache.path(), &json);
    assert!(!out(&joined).contains("FL001"), "{}", out(&joined));
    assert_same_as_cold(p, cache.path(), &[]);
}

/// The `lib.rs` of a package whose `t.rs` blocks in async code and whose `w.rs` forks after
/// starting a thread, with `gate_t` and `gate_w` on their `mod` lines.
fn gated_lib(gate_t: &str, gate_w: &str) -> String {
    format!("{gate_t}mod t;\n{gate_w}mod w;\n\npub fn answer() -> u32 {{\n    42\n}}\n")
}

/// (file, code) of every finding of a json report, and its held-back count.
fn gated_findings(o: &Output) -> (Vec<(String, String)>, u64) {
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (found, report["summary"]["held_back"].as_u64().unwrap())
}

#[test]
fn a_gate_on_the_parents_mod_line_invalidates_the_declared_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"gated\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nlibc = \"0.2\"\ntokio = \"1\"\n",
    );
    write(
        p,
        "src/t.rs",
        "pub async fn setup() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    write(
        p,
        "src/w.rs",
        "pub fn start() {\n    std::thread::spawn(|| {});\n    if unsafe { libc::fork() } == 0 {\n        println!(\"child\");\n    }\n}\n",
    );
    let json = ["check", "-v", "--output-format", "json", "."];
    let t = ("src/t.rs".to_string(), "FL003".to_string());
    let w = |code: &str| ("src/w.rs".to_string(), code.to_string());
    write(p, "src/lib.rs", &gated_lib("", ""));
    let plain = run(p, cache.path(), &json);
    let (found, held_back) = gated_findings(&plain);
    assert!(
        found.contains(&t) && found.contains(&w("FL001")),
        "{found:?}"
    );
    assert_eq!(held_back, 0);
    // `#[cfg(test)] mod t;`: `t.rs` did not change, but its code is test code now.
    write(p, "src/lib.rs", &gated_lib("#[cfg(test)]\n", ""));
    let test = run(p, cache.path(), &json);
    assert_eq!(groups(&test), (0, 1), "{}", err(&test));
    let (found, held_back) = gated_findings(&test);
    assert!(
        !found.contains(&t) && found.contains(&w("FL001")),
        "{found:?}"
    );
    assert_eq!(held_back, 1);
    assert_same_as_cold(p, cache.path(), &[]);
    // `#[cfg(windows)] mod w;`: nothing in `w.rs` is analysed.
    write(
        p,
        "src/lib.rs",
        &gated_lib("#[cfg(test)]\n", "#[cfg(windows)]\n"),
    );
    let windows = run(p, cache.path(), &json);
    assert_eq!(groups(&windows), (0, 1), "{}", err(&windows));
    let (found, held_back) = gated_findings(&windows);
    assert_eq!(found, vec![], "{found:?}");
    assert_eq!(held_back, 1);
    assert!(
        err(&windows).contains("1 files compiled only for tests, 1 only for Windows"),
        "{}",
        err(&windows)
    );
    assert_same_as_cold(p, cache.path(), &[]);
    // Back to plain `mod` lines: the first entry is valid again, and equals a cold run.
    write(p, "src/lib.rs", &gated_lib("", ""));
    let again = run(p, cache.path(), &json);
    assert_eq!(groups(&again), (1, 0), "{}", err(&again));
    assert_eq!(out(&again), out(&plain));
    assert_same_as_cold(p, cache.path(), &[]);
}

#[test]
fn suppressions_in_windows_only_code_are_not_judged_unused() {
    // FL100 cannot judge a directive over code no rule analysed: a Windows-only file, a
    // `#[cfg(windows)]` block. A stale directive in code that was analysed is still FL100, on a
    // cold run and from the cache.
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"win\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    );
    write(
        p,
        "src/lib.rs",
        "#[cfg(windows)]\nmod w;\n\npub async fn g() -> String {\n    #[cfg(windows)]\n    {\n        // forklint: allow(FL003) a one-off registry read\n        return std::fs::read_to_string(\"C:/x\").unwrap();\n    }\n    // forklint: allow(FL003) stale\n    String::new()\n}\n",
    );
    write(
        p,
        "src/w.rs",
        "// forklint: allow-file(FL001)\npub async fn read() {\n    // forklint: allow(FL003) read once at start-up\n    std::fs::read(\"C:/config\").unwrap();\n}\n",
    );
    let json = ["check", "--output-format", "json", "."];
    for run_kind in ["cold", "warm"] {
        let o = run(p, cache.path(), &json);
        let (found, _) = gated_findings(&o);
        assert_eq!(
            found,
            vec![("src/lib.rs".to_string(), "FL100".to_string())],
            "{run_kind}: {}",
            err(&o)
        );
    }
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

/// The one entry file of a one-package tree, and its key.
fn only_entry(cache: &Path) -> (std::path::PathBuf, u128) {
    let entries: Vec<_> = std::fs::read_dir(cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|e| e.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let stem = entries[0].file_stem().unwrap().to_str().unwrap();
    let key = u128::from_str_radix(stem, 16).unwrap();
    (entries[0].clone(), key)
}

#[test]
fn forged_entries_are_discarded_and_never_fix_anything() {
    use forklint::cache::{self, CachedDiagnostic};
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (p, c) = (dir.path(), cache_dir.path());
    write(
        p,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    );
    let original = "// héllo wörld\npub async fn poll() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";
    write(p, "src/lib.rs", original);
    let lib = p.join("src/lib.rs");
    let len = original.len() as u32;
    let cold = |args: &[&str]| {
        let mut args = args.to_vec();
        args.insert(1, "--no-cache");
        args.push(".");
        run(p, c, &args)
    };
    // SARIF lists every finding with positions (an offset inside a character panicked it);
    // `--diff` applies fixes in memory.
    let formats: [&[&str]; 2] = [&["check", "--output-format", "sarif"], &["check", "--diff"]];
    let colds: Vec<Output> = formats.iter().map(|args| cold(args)).collect();
    run(p, c, &["check", "."]);
    let (path, key) = only_entry(c);
    let good = cache::decode(key, &std::fs::read(&path).unwrap()).expect("a valid entry");
    assert_eq!(good.diagnostics.len(), 1);
    let finding = |f: &dyn Fn(&mut CachedDiagnostic)| {
        let mut entry = cache::decode(key, &std::fs::read(&path).unwrap()).unwrap();
        entry.diagnostics = good
            .diagnostics
            .iter()
            .map(|d| {
                let mut d: CachedDiagnostic =
                    serde_json::from_value(serde_json::to_value(d).unwrap()).unwrap();
                f(&mut d);
                d
            })
            .collect();
        entry.others.clone_from(&good.others);
        entry.checked.clone_from(&good.checked);
        entry
    };
    // `é` is bytes 4..6 of the file. (`cache::tests` checks every kind of bad entry against
    // `Entry::is_valid`; these are the ones that panicked, hid findings or wiped files.)
    let forged = [
        ("inside a character", finding(&|d| d.range = (5, 9))),
        ("unknown code", finding(&|d| d.code = "FL999".to_string())),
        ("unknown file", finding(&|d| d.file = 7)),
        (
            "label in an unknown file",
            finding(&|d| d.labels.push((3, (0, 1), None, false))),
        ),
        (
            "fix that wipes the file",
            finding(&|d| {
                d.fix = Some(("wipe".to_string(), true, vec![(0, (0, len), String::new())]))
            }),
        ),
        (
            "fix inside a character",
            finding(&|d| d.fix = Some(("x".to_string(), true, vec![(0, (5, 5), "x".to_string())]))),
        ),
        ("others naming a file not in the run", {
            let mut e = finding(&|d| d.labels.push((1, (0, 1), None, false)));
            e.others = vec!["nowhere.rs".to_string()];
            e
        }),
    ];
    for (what, entry) in &forged {
        for (args, cold) in formats.iter().zip(&colds) {
            // A fix that stays inside its file is a plausible entry (only a new analysis could
            // tell): it may be shown, but `--diff` and `--fix` recompute what they show or write.
            if what.starts_with("fix that wipes") && !args.contains(&"--diff") {
                continue;
            }
            std::fs::write(&path, cache::encode(key, entry)).unwrap();
            let mut args = args.to_vec();
            args.push(".");
            let warm = run(p, c, &args);
            assert_eq!(
                warm.status.code(),
                cold.status.code(),
                "{what} {args:?}: {}",
                err(&warm)
            );
            assert_eq!(out(&warm), out(cold), "{what} {args:?}");
            assert_eq!(err(&warm), err(cold), "{what} {args:?}");
            // The bad entry was replaced by the recomputed one.
            let again = cache::decode(key, &std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(
                serde_json::to_value(&again.diagnostics).unwrap(),
                serde_json::to_value(&good.diagnostics).unwrap(),
                "{what} {args:?}"
            );
        }
        if !what.starts_with("fix") {
            continue;
        }
        // `--fix` recomputes what it writes: only the real fix is applied.
        std::fs::write(&path, cache::encode(key, entry)).unwrap();
        let fixed = run(p, c, &["check", "--fix", "."]);
        assert_eq!(fixed.status.code(), Some(0), "{what}: {}", err(&fixed));
        assert_eq!(
            std::fs::read_to_string(&lib).unwrap(),
            original.replace(
                "std::thread::sleep(std::time::Duration::from_secs(1));",
                "tokio::time::sleep(std::time::Duration::from_secs(1)).await;"
            ),
            "{what}"
        );
        std::fs::write(&lib, original).unwrap();
    }
    // A well-formed entry that is not forged still hits.
    std::fs::write(&path, cache::encode(key, &good)).unwrap();
    let warm = run(p, c, &["check", "-v", "--output-format", "json", "."]);
    assert_eq!(groups(&warm), (1, 0));
    assert_eq!(
        out(&warm),
        out(&cold(&["check", "--output-format", "json"]))
    );
}

#[test]
fn the_cache_is_pruned_of_orphans_and_unused_entries() {
    let dir = workspace();
    let cache = tempfile::tempdir().unwrap();
    let (p, c) = (dir.path(), cache.path());
    run(p, c, &["check", "."]);
    let day = std::time::Duration::from_secs(24 * 3600);
    let now = std::time::SystemTime::now();
    let set_age = |path: &Path, age: std::time::Duration| {
        let file = std::fs::File::options().append(true).open(path).unwrap();
        file.set_modified(now - age).unwrap();
    };
    let records: Vec<_> = std::fs::read_dir(c)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|e| e.extension().is_some_and(|x| x == "json" || x == "facts"))
        .collect();
    assert!(records.len() >= 4);
    // An entry in use (a warm run reads it) is kept however old it was.
    for record in &records {
        set_age(record, 40 * day);
    }
    let warm = run(p, c, &["check", "-v", "."]);
    assert_eq!(groups(&warm), (4, 0));
    // Unused records, an orphaned temporary file (a write killed long ago) and one being
    // written right now; then a run that stores something prunes.
    let stale = c.join("0123456789abcdef0123456789abcdef.json");
    let stale_facts = c.join("0123456789abcdef0123456789abcdef.facts");
    let orphan = c.join(".0123.json.999.1.tmp");
    let in_flight = c.join(".4567.json.999.2.tmp");
    for (path, age) in [
        (&stale, 31 * day),
        (&stale_facts, 31 * day),
        (&orphan, 2 * day),
        (&in_flight, std::time::Duration::ZERO),
    ] {
        std::fs::write(path, b"x").unwrap();
        set_age(path, age);
    }
    let foreign = c.join("notes.txt");
    std::fs::write(&foreign, b"mine").unwrap();
    set_age(&foreign, 400 * day);
    write(p, "other/src/broken.rs", "fn f() {}\n");
    let edited = run(p, c, &["check", "-v", "."]);
    assert_eq!(groups(&edited), (3, 1));
    assert!(!stale.exists() && !stale_facts.exists() && !orphan.exists());
    assert!(in_flight.exists() && foreign.exists());
    for record in &records {
        assert!(record.exists(), "{record:?} was in use");
    }
    assert!(c.join("CACHEDIR.TAG").exists());
}
