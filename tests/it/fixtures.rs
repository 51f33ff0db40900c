//! The fixture harness (compiletest-style).
//!
//! Each `fixtures/<CODE>-<name>/<case>.rs` is checked with all rules (or those named by an
//! `//@ rules: FL001,FL004` header). Annotations are exhaustive: every finding must be expected
//! and every expectation must be found.
//!
//! - `//~ FL003` expects a finding whose primary span starts on this line;
//!   `//~^ FL003` one line up (`^^` two lines up); `//~| FL003` the same line as the previous
//!   annotation. `//~ FL003: text` also requires `text` in the message.
//! - `//@ expect: clean` is required in a file with no annotation.
//! - `//@ known-fn: reason` marks a known false negative: the annotations say what should fire;
//!   missing ones are tolerated (and listed), unexpected ones still fail, and a case that fully
//!   passes must drop the header.
//!
//! A directory case (a small crate: `Cargo.toml` + `src/`) is linted as one, with the same
//! annotations in any of its files. Beside each case, `<case>.stderr` holds the `full` output
//! (no colour, width 100); `FORKLINT_BLESS=1 cargo test` rewrites it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use forklint::engine::{self, Options};
use forklint::render::{self, Format, Style};
use forklint::vocab::Vocab;

use crate::support::{check_snapshot, repo_root};

/// (code, required message substring) expected at one place.
type Expected = Vec<(String, Option<String>)>;

#[derive(Debug, Default)]
struct Expectations {
    /// (file display path, line) -> expected (code, message substring).
    expected: BTreeMap<(String, u32), Expected>,
    rules: Option<Vec<String>>,
    clean: bool,
    known_fn: Option<String>,
}

fn parse_annotations(display: &str, text: &str, exp: &mut Expectations) -> Result<(), String> {
    let mut previous: Option<u32> = None;
    for (index, line) in text.lines().enumerate() {
        let line_no = index as u32 + 1;
        if let Some(rest) = line.trim_start().strip_prefix("//@") {
            let rest = rest.trim();
            if let Some(list) = rest.strip_prefix("rules:") {
                exp.rules = Some(list.split(',').map(|s| s.trim().to_string()).collect());
            } else if rest == "expect: clean" {
                exp.clean = true;
            } else if let Some(reason) = rest.strip_prefix("known-fn:") {
                exp.known_fn = Some(reason.trim().to_string());
            } else {
                return Err(format!("{display}:{line_no}: unknown header `//@ {rest}`"));
            }
            continue;
        }
        let Some(pos) = line.find("//~") else {
            continue;
        };
        let ann = &line[pos + 3..];
        let (target, rest) = if let Some(rest) = ann.strip_prefix('|') {
            let Some(prev) = previous else {
                return Err(format!(
                    "{display}:{line_no}: `//~|` with no previous annotation"
                ));
            };
            (prev, rest)
        } else {
            let ups = ann.chars().take_while(|c| *c == '^').count() as u32;
            (line_no.saturating_sub(ups), &ann[ups as usize..])
        };
        let rest = rest.trim();
        let (code, message) = match rest.split_once(':') {
            Some((code, message)) => (code.trim(), Some(message.trim().to_string())),
            None => (rest, None),
        };
        if !(code.len() == 5 && code.starts_with("FL")) {
            return Err(format!("{display}:{line_no}: bad annotation `//~{ann}`"));
        }
        exp.expected
            .entry((display.to_string(), target))
            .or_default()
            .push((code.to_string(), message));
        previous = Some(target);
    }
    Ok(())
}

/// A case: a single `.rs` file, or a directory crate.
struct Case {
    path: PathBuf,
    is_dir: bool,
}

fn cases() -> Vec<Case> {
    let root = repo_root().join("fixtures");
    let mut out = Vec::new();
    let mut groups: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    for group in groups {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&group)
            .expect("readable fixture dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                out.push(Case { path, is_dir: true });
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(Case {
                    path,
                    is_dir: false,
                });
            }
        }
    }
    out
}

fn rel(path: &Path) -> String {
    engine::display_path(path, &repo_root())
}

fn run_case(case: &Case, vocab: &Vocab) -> Result<Vec<String>, String> {
    let mut exp = Expectations::default();
    let files: Vec<PathBuf> = if case.is_dir {
        crate::support::files_with_ext(&case.path, "rs")
    } else {
        vec![case.path.clone()]
    };
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        parse_annotations(&rel(file), &text, &mut exp)?;
    }
    let name = rel(&case.path);
    if exp.expected.is_empty() && !exp.clean && exp.known_fn.is_none() {
        return Err(format!(
            "{name}: no annotations: add `//@ expect: clean` if none should fire"
        ));
    }
    if exp.clean && !exp.expected.is_empty() {
        return Err(format!("{name}: `//@ expect: clean` with annotations"));
    }
    let mut options = Options {
        cwd: repo_root(),
        threads: 1,
        ..Options::default()
    };
    if let Some(rules) = &exp.rules {
        options.select = rules
            .iter()
            .map(|r| {
                forklint::rules::find(r)
                    .map(|m| m.code)
                    .ok_or(format!("{name}: unknown rule {r}"))
            })
            .collect::<Result<_, _>>()?;
    }
    let report = if case.is_dir {
        engine::check_paths(std::slice::from_ref(&case.path), &options, vocab)?
    } else {
        let text = std::fs::read_to_string(&case.path).map_err(|e| e.to_string())?;
        engine::check_sources(vec![(name.clone(), text)], &options, vocab)
    };
    if !report.errors.is_empty() {
        return Err(format!("{name}: tool errors: {:?}", report.errors));
    }
    let mut actual: BTreeMap<(String, u32), Vec<(String, String)>> = BTreeMap::new();
    for diag in &report.diagnostics {
        let source = report.source(diag.file);
        let line = source.position(diag.range.start).line;
        actual
            .entry((source.display.clone(), line))
            .or_default()
            .push((diag.rule.code.to_string(), diag.message.clone()));
    }
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut keys: Vec<&(String, u32)> = exp.expected.keys().chain(actual.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let mut found = actual.get(key).cloned().unwrap_or_default();
        for (code, message) in exp.expected.get(key).cloned().unwrap_or_default() {
            let hit = found.iter().position(|(c, m)| {
                *c == code
                    && message
                        .as_ref()
                        .is_none_or(|want| m.contains(want.as_str()))
            });
            match hit {
                Some(i) => {
                    found.remove(i);
                }
                None => missing.push(format!(
                    "{}:{}: expected {code}{}",
                    key.0,
                    key.1,
                    message.map(|m| format!(": {m}")).unwrap_or_default()
                )),
            }
        }
        for (code, message) in found {
            problems.push(format!("{}:{}: unexpected {code}: {message}", key.0, key.1));
        }
    }
    match &exp.known_fn {
        Some(reason) if missing.is_empty() => problems.push(format!(
            "{name}: marked `known-fn: {reason}` but every expectation is met: drop the header"
        )),
        Some(_) => {}
        None => problems.extend(missing.iter().cloned()),
    }
    // Snapshot of the rendered output.
    let mut rendered = Vec::new();
    let style = Style {
        color: false,
        links: false,
        width: Some(100),
        quiet: true,
    };
    render::render(&report, Format::Full, style, &mut rendered).map_err(|e| e.to_string())?;
    let rendered = String::from_utf8(rendered).map_err(|e| e.to_string())?;
    let snapshot = case.path.with_extension("stderr");
    if !report.diagnostics.is_empty() {
        if let Err(e) = check_snapshot(&snapshot, &rendered) {
            problems.push(e);
        }
    } else if snapshot.exists() {
        if crate::support::bless() {
            let _ = std::fs::remove_file(&snapshot);
        } else {
            problems.push(format!(
                "{}: stale snapshot of a clean case (run `FORKLINT_BLESS=1 cargo test`)",
                rel(&snapshot)
            ));
        }
    }
    if problems.is_empty() {
        Ok(missing)
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn fixtures() {
    let vocab = Vocab::builtin();
    let mut failures = Vec::new();
    let mut count = 0;
    for case in cases() {
        count += 1;
        match run_case(&case, &vocab) {
            Ok(missing) => {
                for m in missing {
                    eprintln!("known miss: {m}");
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(count > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} of {count} fixture cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
