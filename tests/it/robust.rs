//! Robustness tests: hostile or odd input next to a normal file, run through the built binary.
//!
//! Each test writes a temporary tree holding `normal.rs` (one FL003 finding at 2:5) and some bad
//! input, runs `forklint check --output-format json .`, and checks that the bad input gets a
//! clear message naming it, that the normal file is still reported, and the exit code: 2 for a
//! tool error, 1 for a syntax error (an FL000 finding), 0 otherwise (FL003 is a warning).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::write;

const NORMAL: &str =
    "async fn handler() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";

struct Run {
    code: Option<i32>,
    json: Value,
    stderr: String,
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_forklint"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .env_remove("FORKLINT_TEST_REMOVE_AFTER_DISCOVERY")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs the binary, killing it (and failing) if it takes longer than `limit`.
pub fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs forklint");
    // Drain the pipes on other threads so a large report cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).unwrap();
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("forklint did not finish within {limit:?} (hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// `forklint check --output-format json FLAGS PATHS` (PATHS default to `.`) in `dir`.
fn run_in(dir: &Path, flags: &[&str], paths: &[&str]) -> Run {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend_from_slice(flags);
    if paths.is_empty() {
        args.push(".");
    }
    args.extend_from_slice(paths);
    run_cmd(command(dir, &args))
}

fn run_cmd(cmd: Command) -> Run {
    let out = output_within(cmd, Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); exit {:?}; stderr:\n{stderr}\nstdout:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    Run {
        code: out.status.code(),
        json,
        stderr,
    }
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "normal.rs", NORMAL);
    dir
}

impl Run {
    fn diagnostics(&self, file: &str) -> Vec<&Value> {
        self.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == file)
            .collect()
    }

    /// `(code, line, column, offset)` of each diagnostic in `file`.
    fn positions(&self, file: &str) -> Vec<(String, u64, u64, u64)> {
        self.diagnostics(file)
            .iter()
            .map(|d| {
                let start = &d["range"]["start"];
                (
                    d["code"].as_str().unwrap().to_string(),
                    start["line"].as_u64().unwrap(),
                    start["column"].as_u64().unwrap(),
                    start["offset"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    fn errors(&self) -> Vec<(String, String)> {
        self.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["file"].as_str().unwrap().to_string(),
                    e["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn assert_normal_reported(&self) {
        let offset = NORMAL.find("std::thread").unwrap() as u64;
        assert_eq!(
            self.positions("normal.rs"),
            vec![("FL003".to_string(), 2, 5, offset)],
            "normal.rs not reported; stderr:\n{}",
            self.stderr
        );
    }

    /// A tool error for `file` whose message contains `needle`, also printed on stderr.
    fn assert_tool_error(&self, file: &str, needle: &str) {
        let errors = self.errors();
        assert!(
            errors.iter().any(|(f, m)| f == file && m.contains(needle)),
            "no tool error for {file} containing {needle:?}: {errors:?}"
        );
        assert!(
            self.stderr.contains(file) && self.stderr.contains(needle),
            "stderr does not name {file} ({needle:?}):\n{}",
            self.stderr
        );
        assert_eq!(
            self.code,
            Some(2),
            "tool errors exit 2; stderr:\n{}",
            self.stderr
        );
    }

    fn assert_clean_exit(&self, files: u64) {
        assert_eq!(self.errors(), vec![], "stderr:\n{}", self.stderr);
        assert_eq!(self.code, Some(0), "stderr:\n{}", self.stderr);
        assert_eq!(self.json["summary"]["files_checked"], files);
    }
}

/// 1-based column, in Unicode scalar values, of byte `offset` in `text`.
fn column_of(text: &str, offset: usize) -> u64 {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset].chars().count() as u64 + 1
}

fn line_of(text: &str, offset: usize) -> u64 {
    text[..offset].matches('\n').count() as u64 + 1
}

#[test]
fn not_utf8_is_a_tool_error() {
    let dir = tree();
    let mut bytes = b"fn main() { let s = \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x80]);
    bytes.extend_from_slice(b"\"; }\n");
    std::fs::write(dir.path().join("latin1.rs"), bytes).unwrap();
    let run = run_in(dir.path(), &[], &[]);
    run.assert_tool_error("latin1.rs", "not valid UTF-8 (invalid byte at offset 21)");
    run.assert_normal_reported();
}

#[test]
fn byte_order_mark_is_ignored_and_not_counted_in_columns() {
    let dir = tree();
    let text = "\u{feff}async fn a() { std::thread::sleep(d()); }\nasync fn b() {\n\tstd::thread::sleep(d());\n}\n";
    write(dir.path(), "bom.rs", text);
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(2);
    run.assert_normal_reported();
    let first = text.find("std").unwrap();
    let second = text.rfind("std").unwrap();
    assert_eq!(
        run.positions("bom.rs"),
        vec![
            // rustc's column on the first line does not count the BOM; the offset does.
            ("FL003".to_string(), 1, 16, first as u64),
            ("FL003".to_string(), 3, 2, second as u64),
        ]
    );
}

#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let dir = tree();
    let text = "// crlf\r\nasync fn handler() {\r\n    let x = 1;\r\n    std::thread::sleep(d(x));\r\n}\r\n";
    write(dir.path(), "crlf.rs", text);
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(2);
    run.assert_normal_reported();
    let at = text.find("std").unwrap();
    assert_eq!(
        run.positions("crlf.rs"),
        vec![("FL003".to_string(), 4, 5, at as u64)]
    );
    let end = &run.diagnostics("crlf.rs")[0]["range"]["end"];
    let end_at = at + "std::thread::sleep".len();
    assert_eq!(end["offset"], end_at as u64);
    assert_eq!(end["column"], column_of(text, end_at));
}

#[test]
fn tabs_and_wide_characters_count_as_one_column_each() {
    let dir = tree();
    let text = "async fn h() {\n\t\tlet _é = \"日本語🦀\"; /* ü */ std::thread::sleep(d());\n}\n";
    write(dir.path(), "wide.rs", text);
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(2);
    let at = text.find("std").unwrap();
    let column = column_of(text, at);
    let line_start = text.find('\n').unwrap() + 1;
    assert!(
        column < (at - line_start + 1) as u64,
        "wide characters are before the span"
    );
    assert_eq!(
        run.positions("wide.rs"),
        vec![("FL003".to_string(), 2, column, at as u64)]
    );
}

#[test]
fn empty_file_is_checked_and_clean() {
    let dir = tree();
    write(dir.path(), "empty.rs", "");
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(2);
    run.assert_normal_reported();
    assert!(run.diagnostics("empty.rs").is_empty());
}

#[test]
fn ten_megabyte_file_is_checked() {
    let dir = tree();
    let mut text = String::with_capacity(10_500_000);
    let mut i = 0;
    while text.len() < 10_000_000 {
        text.push_str(&format!(
            "/// Item {i}.\npub fn item_{i}(x: u64) -> u64 {{\n    let y = x.wrapping_mul({i});\n    y + 1\n}}\n"
        ));
        i += 1;
    }
    text.push_str("async fn last() {\n    std::thread::sleep(d());\n}\n");
    write(dir.path(), "big.rs", &text);
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(2);
    run.assert_normal_reported();
    let at = text.rfind("std").unwrap();
    assert_eq!(
        run.positions("big.rs"),
        vec![("FL003".to_string(), line_of(&text, at), 5, at as u64)]
    );
}

#[test]
fn one_megabyte_line_is_checked() {
    let dir = tree();
    let mut text = String::from("static TABLE: [u32; 600000] = [");
    for i in 0..600_000 {
        text.push_str(&format!("{},", i % 10));
    }
    text.push_str("]; async fn f() { std::thread::sleep(d()); }\n");
    assert!(text.len() > 1_000_000);
    write(dir.path(), "long_line.rs", &text);
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(2);
    run.assert_normal_reported();
    let at = text.find("std").unwrap();
    assert_eq!(
        run.positions("long_line.rs"),
        vec![("FL003".to_string(), 1, column_of(&text, at), at as u64)]
    );
}

#[test]
fn binary_garbage_is_a_tool_error_or_a_syntax_error() {
    let dir = tree();
    // Deterministic pseudo-random bytes (not UTF-8).
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(dir.path().join("garbage.rs"), &bytes).unwrap();
    // Control characters and NULs are valid UTF-8 but not Rust: a syntax error (FL000).
    let controls: String = (0..2048u32)
        .map(|i| char::from_u32(i % 32).unwrap())
        .collect();
    write(dir.path(), "controls.rs", &controls);
    let run = run_in(dir.path(), &[], &[]);
    run.assert_tool_error("garbage.rs", "not valid UTF-8");
    let codes: Vec<String> = run
        .positions("controls.rs")
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(codes, vec!["FL000".to_string()]);
    run.assert_normal_reported();
}

/// Files nested `n` levels deep in each way syn recurses (or builds a deep tree).
fn deep_sources(n: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "parens",
            format!(
                "fn f() {{ let x = {}1{}; }}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
        (
            "blocks",
            format!("fn f() {}{}\n", "{".repeat(n), "}".repeat(n)),
        ),
        (
            "closures",
            format!("fn f() {{ let c = {}x; }}\n", "|x| ".repeat(n)),
        ),
        (
            "closures_two_args",
            format!("fn f() {{ let c = {}x; }}\n", "move |x, y| ".repeat(n)),
        ),
        (
            "generics",
            format!("type T = {}u8{};\n", "Vec<".repeat(n), ">".repeat(n)),
        ),
        (
            "generics_with_commas",
            format!(
                "type T = {}u8{};\n",
                "HashMap<u8, ".repeat(n),
                ">".repeat(n)
            ),
        ),
        ("not", format!("fn f() {{ let x = {}x; }}\n", "!".repeat(n))),
        (
            "refs",
            format!("fn f() {{ let x = {}x; }}\n", "&".repeat(n)),
        ),
        (
            "ref_muts",
            format!("fn f() {{ let x = {}x; }}\n", "&mut ".repeat(n)),
        ),
        (
            "negs",
            format!("fn f() {{ let x = {}1; }}\n", "- ".repeat(n)),
        ),
        (
            "ref_types",
            format!("type T = {}u8;\n", "&'static ".repeat(n)),
        ),
        (
            "pointer_types",
            format!("type T = {}u8;\n", "*const ".repeat(n)),
        ),
        (
            "fn_types",
            format!("type T = {}u8;\n", "fn(u8, u8) -> ".repeat(n)),
        ),
        (
            "returns",
            format!("fn f() {{ {}1; }}\n", "return ".repeat(n)),
        ),
        (
            "method_chain",
            format!("fn f() {{ x{}; }}\n", ".f()".repeat(n)),
        ),
        ("call_chain", format!("fn f() {{ x{}; }}\n", "()".repeat(n))),
        (
            "binary_chain",
            format!("fn f() {{ let x = 1{}; }}\n", " + 1".repeat(n)),
        ),
        ("try_chain", format!("fn f() {{ x{}; }}\n", "?".repeat(n))),
        (
            "else_if_chain",
            format!("fn f() {{ if a {{}}{} }}\n", " else if a {}".repeat(n)),
        ),
        (
            "modules",
            format!("{}{}\n", "mod m { ".repeat(n), "}".repeat(n)),
        ),
        // Braces that are operands do not end what is around them.
        (
            "const_generic_blocks",
            format!("type T = {}u8{};\n", "A<{0}, ".repeat(n), ">".repeat(n)),
        ),
        (
            "block_operands",
            format!("fn f() {{ let x = 0{}; }}\n", " + {0}".repeat(n)),
        ),
        (
            "block_assignments",
            format!("fn f() {{ a{}; }}\n", " = {0}".repeat(n)),
        ),
        (
            "turbofish_block_chain",
            format!("fn f() {{ x{}; }}\n", ".f::<{0}>()".repeat(n)),
        ),
        (
            "at_patterns",
            format!("fn f() {{ let {}b = 1; }}\n", "a @ ".repeat(n)),
        ),
        (
            "match_scrutinees",
            format!("fn f() {{ {}x{} }}\n", "match ".repeat(n), " {}".repeat(n)),
        ),
        (
            "if_conditions",
            format!(
                "fn f() {{ {}a{} }}\n",
                "if ".repeat(n),
                " {} else {}".repeat(n)
            ),
        ),
        (
            "while_conditions",
            format!("fn f() {{ {}a{} }}\n", "while ".repeat(n), " {}".repeat(n)),
        ),
        (
            "for_iterables",
            format!(
                "fn f() {{ {}y{} }}\n",
                "for x in ".repeat(n),
                " {}".repeat(n)
            ),
        ),
        (
            "shift_chain",
            format!("fn f() {{ let x = 1{}; }}\n", " >> 1".repeat(n)),
        ),
        // Multi-byte char literals (and a quote in one) keep the scan in step with the lexer.
        (
            "parens_after_char_literals",
            format!(
                "fn f() {{ let c = ('é', '\"', '日', '🦀', '\\'', b'\"'); let x = {}1{}; }}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
    ]
}

#[test]
fn nesting_100_000_deep_is_a_clear_error_never_a_crash() {
    let dir = tree();
    let sources = deep_sources(100_000);
    for (name, text) in &sources {
        // The pre-scan catches every one (so syn never recurses that deep).
        assert!(
            forklint::syntax::parse::nesting_depth(text).0 > forklint::syntax::parse::MAX_NESTING,
            "{name} passes the pre-scan"
        );
        write(dir.path(), &format!("{name}.rs"), text);
    }
    let run = run_in(dir.path(), &[], &[]);
    for (name, _) in &sources {
        run.assert_tool_error(&format!("{name}.rs"), "nested too deeply to analyse safely");
    }
    run.assert_normal_reported();
}

#[test]
fn nesting_just_under_the_limit_parses_lowers_and_drops() {
    let dir = tree();
    let limit = forklint::syntax::parse::MAX_NESTING;
    let mut names = Vec::new();
    for (name, _) in deep_sources(1) {
        // The deepest of this shape the pre-scan accepts.
        let (mut lo, mut hi) = (1, limit + 1);
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            let text = &deep_sources(mid)
                .into_iter()
                .find(|s| s.0 == name)
                .unwrap()
                .1;
            if forklint::syntax::parse::nesting_depth(text).0 <= limit {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        assert!(lo * 3 >= limit, "{name}: only {lo} levels accepted");
        let text = deep_sources(lo)
            .into_iter()
            .find(|s| s.0 == name)
            .unwrap()
            .1;
        write(dir.path(), &format!("{name}.rs"), &text);
        names.push(name);
    }
    let run = run_in(dir.path(), &["-j", "2"], &[]);
    // Parsed (a syntax error would be an FL000 finding, exit 1), lowered and dropped.
    run.assert_clean_exit(names.len() as u64 + 1);
    run.assert_normal_reported();
}

/// `prlimit --as=BYTES forklint check --output-format json -j 1 .` in `dir`, or `None` (and a
/// SKIP line) when prlimit is missing.
fn run_with_address_space_limit(dir: &Path, bytes: u64) -> Option<Run> {
    if Command::new("prlimit").arg("--version").output().is_err() {
        println!("SKIP: prlimit is not available");
        return None;
    }
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--as={bytes}"))
        .arg(env!("CARGO_BIN_EXE_forklint"))
        .args([
            "check",
            "--output-format",
            "json",
            "--no-cache",
            "-j",
            "1",
            ".",
        ])
        .current_dir(dir)
        .env_remove("FORKLINT_OUTPUT_FORMAT")
        .env_remove("FORKLINT_TEST_REMOVE_AFTER_DISCOVERY")
        .env("NO_COLOR", "1");
    let out = output_within(cmd, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "forklint crashed ({:?}) under a {bytes}-byte address space; stderr:\n{stderr}",
        out.status
    );
    let json = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    Some(Run {
        code: out.status.code(),
        json,
        stderr,
    })
}

#[test]
fn hostile_nesting_in_a_large_file_is_refused_within_bounded_memory() {
    // The shapes of issue 12 at their reported sizes: each overflowed the stack (or, for the
    // assignments, took half a minute) before the pre-scan counted them.
    let dir = tree();
    let files = [
        (
            "const_generics.rs",
            format!(
                "type T = {}u8{};\n",
                "A<{0}, ".repeat(50_000),
                ">".repeat(50_000)
            ),
        ),
        (
            "block_operands.rs",
            format!("fn f() {{ let x = 0{}; }}\n", " + {0}".repeat(1_000_000)),
        ),
        (
            "at_patterns.rs",
            format!("fn f() {{ let {}b = 1; }}\n", "a @ ".repeat(1_000_000)),
        ),
        (
            "assignments.rs",
            format!("fn f() {{ a{}; }}\n", " = {0}".repeat(100_000)),
        ),
        (
            "turbofish.rs",
            format!("fn f() {{ x{}; }}\n", ".f::<{0}>()".repeat(16_000)),
        ),
    ];
    for (name, text) in &files {
        write(dir.path(), name, text);
    }
    let Some(run) = run_with_address_space_limit(dir.path(), 2 << 30) else {
        return;
    };
    for (name, _) in &files {
        run.assert_tool_error(name, "nested too deeply to analyse safely");
    }
    run.assert_normal_reported();
}

/// A file of `count` statements, each a chain of `links` method calls on a local whose type is
/// known (so every link's receiver has an origin).
fn method_chains(count: usize, links: usize) -> String {
    let chain = format!("m{}", ".f()".repeat(links));
    let mut text = String::from("fn f() {\n    let m = std::sync::Mutex::new(1);\n");
    for _ in 0..count {
        text.push_str(&format!("    {chain};\n"));
    }
    text.push_str("}\n");
    text
}

#[test]
fn long_method_chains_cost_memory_linear_in_their_length() {
    // 1000 chains of 480 links (1.9 MB) needed over 2 GB when each link's receiver kept the
    // whole chain before it; 150 of them still took 12 s and 700 MB (a debug build, aborting
    // under the limit here), now 1 s and about 110 MB.
    let dir = tree();
    write(dir.path(), "chains.rs", &method_chains(150, 480));
    let Some(run) = run_with_address_space_limit(dir.path(), 1 << 30) else {
        return;
    };
    run.assert_clean_exit(2);
    run.assert_normal_reported();
}

#[cfg(unix)]
#[test]
fn fifo_is_skipped_and_never_read() {
    let dir = tree();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("x.rs"))
        .status()
        .expect("runs mkfifo");
    assert!(status.success());
    // Walking a directory: the FIFO is not a Rust source; nothing hangs.
    let run = run_in(dir.path(), &[], &[]);
    run.assert_clean_exit(1);
    run.assert_normal_reported();
    // Named on the command line: a tool error, still without opening it for a blocking read.
    let run = run_in(dir.path(), &[], &["x.rs", "normal.rs"]);
    run.assert_tool_error("x.rs", "not a regular file");
    run.assert_normal_reported();
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_dangling_symlink_are_tool_errors() {
    let dir = tree();
    let p = dir.path();
    std::os::unix::fs::symlink(p.join("loop_b.rs"), p.join("loop_a.rs")).unwrap();
    std::os::unix::fs::symlink(p.join("loop_a.rs"), p.join("loop_b.rs")).unwrap();
    std::os::unix::fs::symlink(p.join("missing.rs"), p.join("dangling.rs")).unwrap();
    // A directory link back to the root is not followed while walking.
    std::os::unix::fs::symlink(p, p.join("again")).unwrap();
    let run = run_in(p, &[], &[]);
    run.assert_tool_error("loop_a.rs", "symlink loop");
    run.assert_tool_error("loop_b.rs", "symlink loop");
    run.assert_tool_error("dangling.rs", "dangling symlink");
    run.assert_normal_reported();
    assert_eq!(run.json["summary"]["files_checked"], 1);
}

#[test]
fn file_vanishing_before_it_is_read_is_a_tool_error() {
    let dir = tree();
    // The removal is injected by debug builds only (`src/driver/hooks.rs`); a release run of the
    // suite still checks the library's path below.
    if cfg!(debug_assertions) {
        write(dir.path(), "gone.rs", "fn main() {}\n");
        let mut cmd = command(dir.path(), &["check", "--output-format", "json", "."]);
        cmd.env(
            "FORKLINT_TEST_REMOVE_AFTER_DISCOVERY",
            dir.path().join("gone.rs"),
        );
        let run = run_cmd(cmd);
        run.assert_tool_error("gone.rs", "cannot read: No such file or directory");
        run.assert_normal_reported();
    }

    // Through the library: a path that does not exist.
    let options = forklint::Options {
        cwd: dir.path().to_path_buf(),
        threads: 1,
        ..forklint::Options::default()
    };
    let vocab = forklint::vocab::Vocab::builtin();
    let paths = [dir.path().join("nope.rs"), dir.path().join("normal.rs")];
    let report = forklint::check_paths(&paths, &options, &vocab).unwrap();
    assert_eq!(report.files_checked, 1);
    assert_eq!(report.diagnostics.len(), 1);
    assert!(report
        .errors
        .iter()
        .any(|e| e.path == "nope.rs" && e.message.contains("no such file")));
}

#[test]
fn file_edited_during_the_run_is_a_tool_error_not_wrong_spans() {
    if !cfg!(debug_assertions) {
        return; // the edit is injected by debug builds only
    }
    let dir = tree();
    write(
        dir.path(),
        "edited.rs",
        "async fn f() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    );
    let mut cmd = command(
        dir.path(),
        &["check", "--no-cache", "--output-format", "json", "."],
    );
    cmd.env(
        "FORKLINT_TEST_EDIT_AFTER_READ",
        dir.path().join("edited.rs"),
    );
    let run = run_cmd(cmd);
    // Texts are released after lowering and read again for the files with findings: a file
    // that changed in between is reported, and its findings (stale spans) are not shown.
    run.assert_tool_error(
        "edited.rs",
        "changed on disk while forklint was checking it",
    );
    run.assert_normal_reported();
    let findings = run.json["diagnostics"].as_array().unwrap();
    assert!(
        findings.iter().all(|d| d["file"] != "edited.rs"),
        "{findings:?}"
    );
}

#[test]
fn panic_in_one_file_is_a_tool_error_and_the_rest_is_reported() {
    if !cfg!(debug_assertions) {
        return; // the panic is injected by debug builds only
    }
    let dir = tree();
    write(
        dir.path(),
        "boom.rs",
        "// forklint-test-inject-panic\nfn main() {}\n",
    );
    let run = run_in(dir.path(), &["-j", "2"], &[]);
    run.assert_tool_error("boom.rs", "internal error while analysing this file");
    run.assert_tool_error("boom.rs", "please report it");
    assert!(!run.stderr.contains("panicked at"), "{}", run.stderr);
    run.assert_normal_reported();
}

#[test]
fn output_is_byte_identical_across_threads_and_runs() {
    let root = crate::support::repo_root();
    for format in ["json", "concise", "full"] {
        let mut outputs = Vec::new();
        for threads in ["1", "2", "1", "2", "0"] {
            let out = output_within(
                {
                    let mut cmd = command(
                        &root,
                        &[
                            "check",
                            "--output-format",
                            format,
                            "-j",
                            threads,
                            "fixtures",
                            "src",
                            "tests",
                        ],
                    );
                    cmd.env("NO_COLOR", "1");
                    cmd
                },
                Duration::from_secs(300),
            );
            assert!(!out.stdout.is_empty());
            outputs.push((threads, out.stdout, out.status.code()));
        }
        for (threads, stdout, code) in &outputs[1..] {
            assert_eq!(*code, outputs[0].2);
            assert!(
                *stdout == outputs[0].1,
                "{format} output with -j {threads} differs from -j 1"
            );
        }
    }
}

/// The binaries parse into a per-thread arena taken back after each file (src/allocator.rs):
/// the report is the same without it, over every fixture (syntax errors included) and the
/// project's own sources, on two threads. (Debug builds poison each arena when a file is done,
/// so a syntax tree used past its file would show here.)
#[test]
fn the_parse_arena_changes_nothing() {
    let root = crate::support::repo_root();
    let run = |no_arena: bool| {
        let mut cmd = command(
            &root,
            &[
                "check",
                "--no-cache",
                "--output-format",
                "json",
                "-j",
                "2",
                "fixtures",
                "src",
                "tests",
            ],
        );
        if no_arena {
            cmd.env("FORKLINT_NO_ARENA", "1");
        } else {
            cmd.env_remove("FORKLINT_NO_ARENA");
        }
        output_within(cmd, Duration::from_secs(300))
    };
    let (with, without) = (run(false), run(true));
    assert!(!with.stdout.is_empty());
    assert_eq!(with.status.code(), without.status.code());
    assert!(
        with.stdout == without.stdout,
        "the arena changed the report"
    );
}

/// `forklint check --output-format FORMAT .` in `dir`: (exit code, stdout, stderr).
fn run_format(dir: &Path, format: &str) -> (Option<i32>, String, String) {
    let out = output_within(
        command(dir, &["check", "--output-format", format, "."]),
        Duration::from_secs(60),
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn full_output_clips_long_lines_and_survives_columns_past_65535() {
    let dir = tree();
    // A finding and a syntax error past column 65535 (miette's `{:width$}` limit), on 1 MB lines.
    let pad = " ".repeat(1 << 20);
    let long =
        format!("async fn f() {{{pad}std::thread::sleep(std::time::Duration::from_secs(1)); }}\n");
    write(dir.path(), "long.rs", &long);
    write(
        dir.path(),
        "syntax.rs",
        &format!("fn g() {{{pad}let x = ; }}\n"),
    );
    let (code, stdout, stderr) = run_format(dir.path(), "full");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(1), "stderr:\n{stderr}");
    let sleep = long.find("std::thread").unwrap();
    let semi = "fn g() {".len() + pad.len() + "let x = ".len();
    for header in [
        format!("[long.rs:1:{}]", sleep + 1),
        format!("[syntax.rs:1:{}]", semi + 1),
        "[normal.rs:2:5]".to_string(),
    ] {
        assert!(stdout.contains(&header), "no {header} in:\n{stdout}");
    }
    assert!(stdout.contains("…"), "{stdout}");
    // Three findings, not two megabytes of echoed source.
    assert!(stdout.len() < 8 << 10, "{} bytes of output", stdout.len());
}

#[test]
fn control_characters_never_reach_concise_full_or_stderr_raw() {
    let dir = tree();
    // FL004's message quotes the receiver, a string literal with a raw line break and an ESC;
    // an unknown rule in a directive is a tool error quoting the comment.
    write(
        dir.path(),
        "lock.rs",
        "fn main() {\n    let _t = std::thread::spawn(|| {});\n    let _g = std::sync::Mutex::new(\"\n::error::pwned\u{1b}[2J\").lock().unwrap();\n    let _pid = unsafe { libc::fork() };\n}\n",
    );
    write(
        dir.path(),
        "directive.rs",
        "fn f() {} // forklint: allow(FL003\u{1b}[2J\r::error::pwned)\n",
    );
    for format in ["concise", "full"] {
        let (code, stdout, stderr) = run_format(dir.path(), format);
        assert_eq!(code, Some(2), "{format}: stderr:\n{stderr}");
        assert!(stdout.contains("FL004"), "{format}:\n{stdout}");
        assert!(stderr.contains("directive.rs"), "{format}:\n{stderr}");
        for (what, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !text.contains(['\u{1b}', '\r']),
                "{format} {what} holds a raw control:\n{text:?}"
            );
            assert!(
                !text.lines().any(|l| l.starts_with("::")),
                "{format} {what} has a line starting `::`:\n{text}"
            );
        }
        // The message's line break and (in the source excerpt) the ESC, written as escapes.
        assert!(stdout.contains("(\"\\n::error"), "{format}:\n{stdout}");
        if format == "full" {
            assert!(stdout.contains("\\u{1b}[2J"), "{format}:\n{stdout}");
        }
    }
}

/// `run_in` with a 10 s cap: a regression here is a hang, not a slow test.
fn run_within_10s(dir: &Path, flags: &[&str], paths: &[&str]) -> Run {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend_from_slice(flags);
    args.extend_from_slice(if paths.is_empty() { &["."] } else { paths });
    let out = output_within(command(dir, &args), Duration::from_secs(10));
    Run {
        code: out.status.code(),
        json: serde_json::from_slice(&out.stdout).expect("stdout is JSON"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
#[test]
fn fifo_or_device_ignore_files_are_tool_errors_not_hangs() {
    let mkfifo = |path: &Path| {
        let status = Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("runs mkfifo");
        assert!(status.success());
    };
    // A git repository (the walker looks for `.git`) with normal.rs at the top.
    let repo = || {
        let dir = tree();
        std::fs::create_dir_all(dir.path().join(".git/info")).unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        write(dir.path(), "sub/x.rs", NORMAL);
        dir
    };

    // A FIFO `.gitignore` in a subdirectory: that directory is left out, the rest reported.
    let dir = repo();
    mkfifo(&dir.path().join("sub/.gitignore"));
    let run = run_within_10s(dir.path(), &[], &[]);
    run.assert_tool_error("sub/.gitignore", "not a regular file");
    run.assert_normal_reported();
    assert!(run.diagnostics("sub/x.rs").is_empty());

    // A FIFO `.ignore` is read even with --no-respect-gitignore; above the root too.
    let dir = repo();
    mkfifo(&dir.path().join(".ignore"));
    let run = run_within_10s(dir.path(), &["--no-respect-gitignore"], &[]);
    run.assert_tool_error(".ignore", "not a regular file");
    let run = run_within_10s(dir.path(), &[], &["sub", "normal.rs"]);
    run.assert_tool_error(".ignore", "not a regular file");
    run.assert_normal_reported();

    // `.git/info/exclude` linked to /dev/zero would be read forever.
    let dir = repo();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join(".git/info/exclude")).unwrap();
    let run = run_within_10s(dir.path(), &[], &["sub", "normal.rs"]);
    run.assert_tool_error(".git/info/exclude", "not a regular file");
    run.assert_normal_reported();

    // A worktree's `.git` file that is a FIFO (the walker reads it for the gitdir).
    let dir = tree();
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    write(dir.path(), "sub/x.rs", NORMAL);
    mkfifo(&dir.path().join("sub/.git"));
    let run = run_within_10s(dir.path(), &[], &[]);
    run.assert_tool_error("sub/.git", "not a regular file");
    run.assert_normal_reported();
}
