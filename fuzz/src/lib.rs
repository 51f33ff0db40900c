//! Shared harness of the forklint fuzz targets.
//!
//! Both targets feed text to the same pipeline as [`forklint::check_source`] (one in-memory file,
//! default options) and render the report in every format, so positions, labels and miette's
//! snippets are exercised too. libfuzzer-sys installs a panic hook that aborts, so a panic that
//! the engine would catch and turn into a tool error still counts as a crash here; an
//! "internal error" tool error is treated the same way in case the hook is ever replaced.
//! The vocabulary and options are built once (`check_source` builds them per call), and the
//! engine runs on one worker thread: the machine is shared.
//!
//! [`cache_entry`] is the harness of `cache_entry`: a forged findings-cache entry through
//! decoding, validation, conversion, every renderer and the fix planner.
//!
//! [`mutate`] is the structure-aware mutator of `check_mutated`: it edits Rust text at token and
//! line granularity with a dictionary of Rust keywords and the tokens forklint's rules look for,
//! and splices lines of the embedded fixtures, so most mutants stay close to real Rust.
//!
//! [`expand_nesting`] is the input format of `check_nesting`: a small shape, repeated until it
//! nests far deeper than any stack holds, so that a construct the nesting pre-scan misses
//! overflows the stack (a crash) instead of hiding under the input size limit.

use std::sync::OnceLock;

use forklint::driver::{self, Options};
use forklint::render::{self, Format, Style};
use forklint::vocab::Vocab;

/// The fixtures (`fixtures/**/*.rs`), embedded by build.rs.
pub static FIXTURES: &[&str] = include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// Keywords and the tokens forklint's rules react to (the same list as `rust.dict`).
#[rustfmt::skip] // a table: one token per line would be 120 lines
pub static DICTIONARY: &[&str] = &[
    "fn ", "async ", "async fn ", "async move ", ".await", "await", "loop ", "while ", "for ",
    " in ", "if ", "else ", "match ", " => ", "break", "continue", "return ", "let ", "mut ",
    "unsafe ", "unsafe { ", "impl ", "trait ", "struct ", "enum ", "mod ", "use ", "pub ",
    "crate::", "self::", "super::", "where ", "dyn ", "move ", "const ", "static ", "type ",
    "extern \"C\" ", "macro_rules! ", "#[tokio::main]", "#[async_std::main]", "#[test]",
    "#[cfg(test)]", "#[path = \"x.rs\"]", "fork", "libc::fork()", "nix::unistd::fork()",
    "libc::", "nix::", "pre_exec", ".pre_exec(|| Ok(()))", "spawn", "std::thread::spawn(|| {})",
    "tokio::spawn(async {})", "tokio::", "std::thread::sleep", "block_on", ".lock()",
    ".unwrap()", "?", "std::process::exit(0)", "libc::_exit(0)", "execvp", "Command::new(\"x\")",
    "select! { _ = a => {} }", "join!(a, b)", "yield_now().await", "try_recv()", "println!(\"{}\", x)",
    "format!(\"{x}\")", "vec![]", "Box<Fn(&u8) + Send>", "&Trait", "try!(x)", "'a", "'label: ",
    "<", ">", "<T>", "::<", "(", ")", "{", "}", "[", "]", ";", ",", "|", "||", "|x| ", "&", "*",
    "!", "-", "..", "0..", "=", "==", "->", " -> ! ", "#", "\"", "'", "r#\"", "\"#", "b'x'", "//",
    "/*", "*/", "// forklint: allow(FL003)\n", "// forklint: allow-file(FL002)\n",
    "// forklint: allow(all)\n", "\n", "\u{feff}", "#!", "---cargo\n", "---\n", "é", "\u{301}", "\t", "\r\n",
    // Nesting that the pre-scan must count (see `expand_nesting`).
    "a @ ", "{0}", " + {0}", " = {0}", "::<{0}>", "A<{0}, ", "'é'", "'\"'", ">>", "match match ",
    "if if ", "for x in for x in ",
];

struct Harness {
    vocab: Vocab,
    options: Options,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness {
        vocab: Vocab::builtin(),
        options: Options {
            threads: 1,
            ..Options::default()
        },
    })
}

/// The engine's test hook: debug builds panic on a file containing it (the CLI tests check that
/// such a panic becomes a tool error), and the fuzzers build with debug assertions.
const INJECTED_PANIC_MARKER: &str = "forklint-test-inject-panic";

/// Checks `text` as one file and renders the report in every format; panics on a forklint bug.
pub fn check(text: &str) {
    if text.contains(INJECTED_PANIC_MARKER) {
        return;
    }
    let h = harness();
    let report = driver::check_sources(
        vec![("fuzz.rs".to_string(), text.to_string())],
        &h.options,
        &h.vocab,
    );
    for err in &report.errors {
        assert!(
            !err.message.contains("internal error"),
            "tool error: {}",
            err.message
        );
    }
    let style = Style {
        width: Some(100),
        ..Style::default()
    };
    for format in [
        Format::Full,
        Format::Concise,
        Format::Json,
        Format::JsonLines,
    ] {
        let mut out = Vec::new();
        render::render(&report, format, style, &mut out).expect("rendering to memory");
    }
}

/// The file of a unit below that a forged entry may point into (`others`).
const OTHER: (&str, &str) = (
    "dep/src/lib.rs",
    "pub fn helper() {\n    std::thread::sleep(d());\n}\n",
);

/// The cache-load path on arbitrary bytes: `data` is a file's text, a NUL byte, then an entry
/// payload (JSON), stored under a valid header as a forged entry would be. The entry is decoded
/// and validated against the texts the way `driver::cached_run` does; a valid one must convert
/// into findings without losing any, and render in every format and apply as fixes without
/// panicking (what an offset inside a character or past the end used to do).
pub fn cache_entry(data: &[u8]) {
    use forklint::base::source::SourceFile;
    use forklint::cache;
    let (text, payload) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (FIXTURES.first().map_or(&b""[..], |f| f.as_bytes()), data),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let key = 0x5eed;
    let Some(entry) = cache::decode(key, &cache::with_header(key, payload)) else {
        return;
    };
    let mut texts = vec![Some(text)];
    for other in &entry.others {
        if other != OTHER.0 {
            return; // not a file of the run: the engine discards the entry
        }
        texts.push(Some(OTHER.1));
    }
    let known = |code: &str| forklint::rules::find(code).is_some();
    if !entry.is_valid(&texts, 1, &known) {
        return;
    }
    let mut report = forklint::Report {
        sources: vec![
            SourceFile::new("src/lib.rs".into(), "src/lib.rs".to_string(), text.into()),
            SourceFile::new(OTHER.0.into(), OTHER.0.to_string(), OTHER.1.into()),
        ],
        ..forklint::Report::default()
    };
    for cached in &entry.diagnostics {
        let d = cached
            // Every `others` entry names the one other file.
            .to_diagnostic(&|index| {
                ((index as usize) < texts.len())
                    .then(|| forklint::base::source::FileId::from_index(index.min(1) as usize))
            })
            .expect("a valid entry converts without losing findings");
        report.diagnostics.push(d);
    }
    let style = Style {
        width: Some(100),
        ..Style::default()
    };
    for format in [
        Format::Full,
        Format::Concise,
        Format::Json,
        Format::JsonLines,
        Format::CargoJson,
        Format::Sarif,
        Format::Github,
    ] {
        let mut out = Vec::new();
        render::render(&report, format, style, &mut out).expect("rendering to memory");
    }
    let plan = forklint::fix::plan(&report);
    for (file, (fixed, _)) in &plan.files {
        let source = report.source(*file);
        forklint::fix::unified_diff(&source.display, &source.text, fixed);
    }
}

/// A small deterministic generator (xorshift) seeded by libFuzzer.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Byte offsets where a token starts or ends (identifier runs, punctuation, whitespace edges).
fn boundaries(text: &str) -> Vec<usize> {
    let mut out = vec![0];
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev {
            let word = |c: char| c.is_alphanumeric() || c == '_';
            if word(p) != word(c) || !word(c) {
                out.push(i);
            }
        }
        prev = Some(c);
    }
    out.push(text.len());
    out
}

/// Line start offsets (and the end).
fn lines(text: &str) -> Vec<usize> {
    let mut out = vec![0];
    out.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    if *out.last().unwrap_or(&0) != text.len() {
        out.push(text.len());
    }
    out
}

/// One structure-aware edit of `text`.
fn edit(text: &mut String, rng: &mut Rng) {
    let bounds = boundaries(text);
    let at = bounds[rng.below(bounds.len())];
    match rng.below(8) {
        // Insert a dictionary token at a token boundary.
        0 | 1 => text.insert_str(at, DICTIONARY[rng.below(DICTIONARY.len())]),
        // Replace the token at a boundary with a dictionary token.
        2 => {
            let end = bounds.iter().copied().find(|b| *b > at).unwrap_or(at);
            text.replace_range(at..end, DICTIONARY[rng.below(DICTIONARY.len())]);
        }
        // Delete a run of tokens.
        3 => {
            let later: Vec<usize> = bounds.iter().copied().filter(|b| *b >= at).collect();
            let end = later[rng.below(later.len().min(8))];
            text.replace_range(at..end, "");
        }
        // Duplicate a line (nesting, repeated statements).
        4 => {
            let ls = lines(text);
            if ls.len() >= 2 {
                let i = rng.below(ls.len() - 1);
                let line = text[ls[i]..ls[i + 1]].to_string();
                text.insert_str(ls[i], &line);
            }
        }
        // Splice a line of another fixture in at a line start.
        5 | 6 => {
            let other = FIXTURES[rng.below(FIXTURES.len())];
            let ols = lines(other);
            if ols.len() >= 2 {
                let i = rng.below(ols.len() - 1);
                let n = 1 + rng.below(6);
                let end = ols[(i + n).min(ols.len() - 1)];
                let chunk = other[ols[i]..end].to_string();
                let ls = lines(text);
                text.insert_str(ls[rng.below(ls.len())], &chunk);
            }
        }
        // Swap two lines.
        _ => {
            let ls = lines(text);
            if ls.len() >= 3 {
                let i = rng.below(ls.len() - 1);
                let j = rng.below(ls.len() - 1);
                let (i, j) = (i.min(j), i.max(j));
                if i != j {
                    let a = text[ls[i]..ls[i + 1]].to_string();
                    let b = text[ls[j]..ls[j + 1]].to_string();
                    let mut out = String::with_capacity(text.len());
                    out.push_str(&text[..ls[i]]);
                    out.push_str(&b);
                    out.push_str(&text[ls[i + 1]..ls[j]]);
                    out.push_str(&a);
                    out.push_str(&text[ls[j + 1]..]);
                    *text = out;
                }
            }
        }
    }
}

/// Mutates `data[..size]` in place as Rust text; returns the new size (at most `max_size`), or
/// `None` to let libFuzzer's byte-level mutator handle this round.
pub fn mutate(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> Option<usize> {
    let mut rng = Rng(u64::from(seed) | 1 << 40);
    // One round in eight: libFuzzer's own mutations (bit flips, its dictionary, cross-over).
    if rng.below(8) == 0 {
        return None;
    }
    let mut text = match std::str::from_utf8(&data[..size]) {
        Ok(t) if !t.is_empty() => t.to_string(),
        // Not text (or empty): start over from a fixture.
        _ => FIXTURES[rng.below(FIXTURES.len())].to_string(),
    };
    for _ in 0..1 + rng.below(4) {
        edit(&mut text, &mut rng);
    }
    if text.len() > max_size {
        let mut cut = max_size;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    data[..text.len()].copy_from_slice(text.as_bytes());
    Some(text.len())
}

/// Most repetitions [`expand_nesting`] makes (`0 + {0}` needed a million to overflow a worker's
/// stack before the pre-scan counted it).
pub const NESTING_REPEATS: usize = 1_000_000;

/// Largest text [`expand_nesting`] makes: a repeated shape the pre-scan accepts is parsed in full.
pub const NESTING_MAX_LEN: usize = 4 << 20;

/// `HEAD\0OPEN\0MIDDLE\0CLOSE\0TAIL` (missing parts are empty) expanded to
/// `HEAD + OPEN * n + MIDDLE + CLOSE * n + TAIL`, with `n` as large as [`NESTING_REPEATS`] and
/// [`NESTING_MAX_LEN`] allow. `type T = \0A<{0}, \0u8\0>\0;` gives `A<{0}, A<{0}, .. u8>>;`.
pub fn expand_nesting(input: &str) -> String {
    let mut parts = input.splitn(5, '\0');
    let mut part = || parts.next().unwrap_or("");
    let (head, open, middle, close, tail) = (part(), part(), part(), part(), part());
    let fixed = head.len() + middle.len() + tail.len();
    let unit = open.len() + close.len();
    let n = match unit {
        0 => 0,
        _ => (NESTING_MAX_LEN.saturating_sub(fixed) / unit).min(NESTING_REPEATS),
    };
    let mut text = String::with_capacity(fixed + unit * n);
    text.push_str(head);
    for _ in 0..n {
        text.push_str(open);
    }
    text.push_str(middle);
    for _ in 0..n {
        text.push_str(close);
    }
    text.push_str(tail);
    text
}
