//! Meta tests: the registry, rule docs, vocabulary, module headers and layering invariants.

use forklint::rules::RULES;
use forklint::vocab::{Vocab, BUILTIN_FILES};

use crate::support::{files_with_ext, repo_root};

#[test]
fn vocabulary_files_are_valid() {
    if let Err(errors) = Vocab::with_extensions(&[]) {
        panic!("invalid vocabulary: {errors:#?}");
    }
    assert_eq!(
        BUILTIN_FILES.len(),
        files_with_ext(&repo_root().join("rules"), "toml").len()
    );
}

#[test]
fn rule_codes_and_names_are_unique_and_well_formed() {
    let mut codes: Vec<&str> = RULES.iter().map(|r| r.meta.code).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "registry is in code order");
    codes.dedup();
    assert_eq!(codes.len(), RULES.len());
    for rule in RULES {
        let m = rule.meta;
        assert!(m.code.len() == 5 && m.code.starts_with("FL"), "{}", m.code);
        assert!(
            m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            m.name
        );
        assert!(
            !m.summary.ends_with('.'),
            "{}: summary has a trailing period",
            m.code
        );
    }
}

#[test]
fn every_rule_has_the_four_doc_sections() {
    for rule in RULES {
        for section in ["What it does", "Why is this bad?", "Example", "Use instead"] {
            let body = rule.meta.section(section);
            assert!(
                body.is_some_and(|b| !b.is_empty()),
                "{} lacks `### {section}`",
                rule.meta.code
            );
        }
    }
}

fn code_block(section: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in section.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            inside = !inside;
            continue;
        }
        if inside {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
    }
    out
}

#[test]
fn doc_examples_fire_and_alternatives_are_clean() {
    for rule in RULES {
        let m = rule.meta;
        if m.code == "FL100" {
            continue; // needs the suppression machinery; covered by its fixtures
        }
        let example = code_block(m.section("Example").unwrap_or_default());
        let report = forklint::check_source("example.rs", &example);
        assert!(
            report.diagnostics.iter().any(|d| d.rule.code == m.code),
            "{}: the docs' Example does not fire:\n{example}",
            m.code
        );
        let fixed = code_block(m.section("Use instead").unwrap_or_default());
        let report = forklint::check_source("fixed.rs", &fixed);
        let codes: Vec<_> = report.diagnostics.iter().map(|d| d.rule.code).collect();
        assert!(
            codes.is_empty(),
            "{}: the docs' `Use instead` is not clean: {codes:?}\n{fixed}",
            m.code
        );
    }
}

#[test]
fn every_rule_has_firing_and_clean_fixtures() {
    let fixtures = repo_root().join("fixtures");
    for rule in RULES {
        let m = rule.meta;
        let dir = fixtures.join(format!("{}-{}", m.code, m.name));
        let files = files_with_ext(&dir, "rs");
        let texts: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        assert!(
            texts.iter().any(|t| t.contains(&format!("//~ {}", m.code))
                || t.contains(&format!("//~^ {}", m.code))
                || t.contains(&format!("//~| {}", m.code))),
            "{}: no firing fixture in {}",
            m.code,
            dir.display()
        );
        assert!(
            texts.iter().any(|t| t.contains("//@ expect: clean")),
            "{}: no `//@ expect: clean` fixture in {}",
            m.code,
            dir.display()
        );
    }
}

#[test]
fn every_module_starts_with_a_doc_header() {
    for file in files_with_ext(&repo_root().join("src"), "rs") {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} lacks a `//!` header",
            file.display()
        );
    }
}

#[test]
fn syn_and_proc_macro2_are_used_only_by_the_syntax_layer() {
    for file in files_with_ext(&repo_root().join("src"), "rs") {
        let rel = file
            .strip_prefix(repo_root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("src/syntax/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // `syn::` as a path of its own (not `proc_macro_syn::` or `syntax_error::`), and
        // proc-macro2, whose spans only the syntax layer may keep or reset.
        for krate in ["syn::", "proc_macro2::"] {
            let uses = text.match_indices(krate).any(|(at, _)| {
                !text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            assert!(!uses, "{rel} uses {krate}");
        }
    }
}

/// Matches on `Node` outside the IR are exhaustive: a new variant must be a compile error wherever
/// code must think about it, and code that only needs "the children" delegates to
/// `ir::visit` (a named catch-all such as `children => visit::any_child_list(children, ..)`).
/// A text check: a `_ =>` arm whose sibling arms (same indentation, back to the `match`) name
/// `Node::` variants.
#[test]
fn matches_on_node_have_no_wildcard_outside_the_ir() {
    let mut found = Vec::new();
    for file in files_with_ext(&repo_root().join("src"), "rs") {
        let rel = file
            .strip_prefix(repo_root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("src/ir/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with("_ =>") {
                continue;
            }
            let arm = indent(line);
            let on_node = lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.trim().is_empty() || indent(l) >= arm)
                .filter(|l| indent(l) == arm)
                .any(|l| {
                    let l = l.trim_start();
                    l.starts_with("Node::") || l.starts_with("| Node::")
                });
            if on_node {
                found.push(format!("{rel}:{}", i + 1));
            }
        }
    }
    assert!(found.is_empty(), "`_ =>` arms on `Node`: {found:?}");
}

#[test]
fn rules_analysis_and_model_do_no_io() {
    for dir in ["src/rules", "src/model", "src/analysis"] {
        for file in files_with_ext(&repo_root().join(dir), "rs") {
            let text = std::fs::read_to_string(&file).unwrap();
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for needle in [
                "std::fs",
                "std::io::",
                "File::open",
                "println!(",
                "eprintln!(",
            ] {
                assert!(!code.contains(needle), "{} uses {needle}", file.display());
            }
        }
    }
}

/// The `.rs` files under `dirs` (relative to the repository root): (path with `/`, text).
fn rust_sources(dirs: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in dirs {
        for file in files_with_ext(&repo_root().join(dir), "rs") {
            let rel = file
                .strip_prefix(repo_root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&file).unwrap()));
        }
    }
    out
}

/// Tables of the analyses, rules and model are keyed by ids (`ir::ids`), never by address: an
/// address means nothing once a model is cloned or moved. No raw pointer types or casts there.
#[test]
fn analysis_rules_and_model_hold_no_raw_pointers() {
    let mut found = Vec::new();
    for (rel, text) in rust_sources(&["src/analysis", "src/rules", "src/model"]) {
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for needle in ["*const", "*mut"] {
                if line.contains(needle) {
                    found.push(format!("{rel}:{}: {needle}", n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "raw pointers (key tables by `NodeId`/`BlockId` instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn messages_are_lowercase_without_period() {
    // Every rule's own fixtures produce messages; check them all.
    let vocab = Vocab::builtin();
    let options = forklint::Options {
        cwd: repo_root(),
        threads: 1,
        ..forklint::Options::default()
    };
    let report =
        forklint::driver::check_paths(&[repo_root().join("fixtures")], &options, &vocab).unwrap();
    for d in &report.diagnostics {
        let first = d.message.chars().next().unwrap_or('a');
        assert!(
            !first.is_uppercase(),
            "message starts uppercase: {}",
            d.message
        );
        assert!(
            !d.message.ends_with('.'),
            "message ends with a period: {}",
            d.message
        );
        if let Some(help) = &d.help {
            assert!(!help.ends_with('.'), "help ends with a period: {help}");
        }
    }
}

/// `docs/rules/<CODE>-<name>.md` is generated from the registry (`forklint rule`); every rule has
/// one, none is stale, and no page is left for a rule that is gone.
#[test]
fn rule_docs_are_fresh() {
    let dir = repo_root().join("docs/rules");
    if crate::support::bless() {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut expected = Vec::new();
    let mut problems = Vec::new();
    for rule in RULES {
        let name = format!("{}-{}.md", rule.meta.code, rule.meta.name);
        let text = forklint::rules::docs::markdown(rule.meta);
        if let Err(e) = crate::support::check_snapshot(&dir.join(&name), &text) {
            problems.push(e);
        }
        expected.push(name);
    }
    for file in files_with_ext(&dir, "md") {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "README.md" || expected.contains(&name) {
            continue;
        }
        if crate::support::bless() {
            std::fs::remove_file(&file).unwrap();
        } else {
            problems.push(format!(
                "{}: no rule has this page (run `FORKLINT_BLESS=1 cargo test` to remove it)",
                file.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn forklint_checks_its_own_source_clean() {
    let vocab = Vocab::builtin();
    let options = forklint::Options {
        cwd: repo_root(),
        threads: 1,
        ..forklint::Options::default()
    };
    let report =
        forklint::driver::check_paths(&[repo_root().join("src")], &options, &vocab).unwrap();
    assert!(report.errors.is_empty(), "tool errors: {:?}", report.errors);
    let found: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}: {} {}",
                report.source(d.file).display,
                d.rule.code,
                d.message
            )
        })
        .collect();
    assert!(
        found.is_empty(),
        "forklint reports on its own source: {found:#?}"
    );
}

/// The layers of `src/` (docs/ARCHITECTURE.md, "Layers"), lowest first: a module may use the
/// modules of lower layers only (and its own). Modules of one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["ir"],
    &["vocab"],
    &["syntax", "model"],
    &["analysis"],
    &["rules"],
    &["io"],
    &["cache", "suppress", "discover"],
    &["driver"],
    &["config", "fix", "render"],
    &["server"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn layers_point_one_way() {
    let src = repo_root().join("src");
    let mut violations = Vec::new();
    for file in files_with_ext(&src, "rs") {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // `lib.rs`, `main.rs`, `allocator.rs` and `bin/` sit above every layer.
        let module = rel.split(['/', '.']).next().unwrap_or_default().to_string();
        let Some(own) = layer_of(&module) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        // Code only: comments name modules of every layer.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let used: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                Some(_) => violations.push(format!("src/{rel} ({module}) uses crate::{used}")),
                // Not a module of the crate: a name in a comment or a string (`crate::db::query`).
                None => {}
            }
        }
    }
    violations.sort();
    violations.dedup();
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_module_of_src_has_a_layer() {
    let src = repo_root().join("src");
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let module = name.strip_suffix(".rs").unwrap_or(&name);
        if ["lib", "main", "allocator", "bin"].contains(&module) {
            continue;
        }
        assert!(
            layer_of(module).is_some(),
            "src/{name} has no layer in LAYERS"
        );
    }
}

/// The project stands alone: its code, vocabulary, docs and README cite its own docs
/// (docs/contexts.md, docs/rules/, docs/ARCHITECTURE.md), never design notes kept outside the
/// repository.
#[test]
fn the_project_cites_only_its_own_documents() {
    let root = repo_root();
    let mut files = vec![root.join("README.md")];
    for (dir, ext) in [
        ("src", "rs"),
        ("rules", "toml"),
        ("docs", "md"),
        ("docs", "json"),
    ] {
        files.extend(files_with_ext(&root.join(dir), ext));
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for needle in ["RULES.md", "INTERFACE.md", "LAYOUT.md", "../shared"] {
                if line.contains(needle) {
                    let rel = file.strip_prefix(&root).unwrap().display().to_string();
                    found.push(format!("{rel}:{}: {needle}", n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "citations of documents outside the repository:\n{}",
        found.join("\n")
    );
}

/// API-looking string literals (`"std::mem::drop"`, `"tokio::"`) allowed in `src/` outside the
/// vocabulary, with why. API knowledge belongs in `rules/*.toml`; an entry here is either not
/// API knowledge or a table still waiting to move there (then the reason says so).
const API_LITERALS_ALLOWED: &[(&str, &str, &str)] = &[
    // Not API knowledge: forklint's own names.
    (
        "src/config.rs",
        "forklint::config",
        "the error code of a config error",
    ),
    (
        "src/suppress.rs",
        "forklint::",
        "the tool prefix of `#[allow(forklint::..)]`",
    ),
    (
        "src/render/cargo_json.rs",
        "forklint::{}",
        "forklint's lint names in cargo's format",
    ),
    // Path normalisation: what a path *is*, not what an API does.
    (
        "src/syntax/resolve.rs",
        "core::",
        "core and alloc paths are std paths",
    ),
    (
        "src/syntax/resolve.rs",
        "alloc::",
        "core and alloc paths are std paths",
    ),
    (
        "src/syntax/resolve.rs",
        "nix::libc::",
        "nix re-exports libc",
    ),
    (
        "src/syntax/resolve.rs",
        "libc::{rest}",
        "nix re-exports libc",
    ),
    (
        "src/syntax/resolve.rs",
        "std::{rest}",
        "core and alloc paths are std paths",
    ),
    (
        "src/syntax/resolve.rs",
        "std::{name}",
        "unimported bare macros are std's",
    ),
    (
        "src/syntax/lower/items.rs",
        "std::test",
        "the built-in #[test] attribute",
    ),
    (
        "src/syntax/lower/items.rs",
        "std::main",
        "the built-in #[main] attribute",
    ),
    (
        "src/syntax/lower/macros.rs",
        "std::",
        "std calls are known even when no vocabulary names them",
    ),
    (
        "src/rules/async_loop_never_yields.rs",
        "std::",
        "std calls never yield",
    ),
];

/// The string literals of a line that look like an API path (`a_b::..`), outside comments.
fn api_literals(line: &str) -> Vec<String> {
    if line.trim_start().starts_with("//") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut chars = line.chars();
    let mut current: Option<String> = None;
    while let Some(c) = chars.next() {
        match (&mut current, c) {
            (None, '"') => current = Some(String::new()),
            (Some(_), '"') => {
                let literal = current.take().unwrap();
                if let Some((root, _)) = literal.split_once("::") {
                    let api_like = !root.is_empty()
                        && root.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        && !matches!(root, "crate" | "self" | "super");
                    if api_like {
                        found.push(literal);
                    }
                }
            }
            (Some(s), '\\') => {
                s.push('\\');
                if let Some(next) = chars.next() {
                    s.push(next);
                }
            }
            (Some(s), c) => s.push(c),
            (None, _) => {}
        }
    }
    found
}

#[test]
fn api_literals_stay_in_the_vocabulary() {
    let mut unexpected = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for file in files_with_ext(&repo_root().join("src"), "rs") {
        let rel = file
            .strip_prefix(repo_root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("src/vocab/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for literal in api_literals(line) {
                let allowed = API_LITERALS_ALLOWED
                    .iter()
                    .any(|(f, l, _)| *f == rel && *l == literal);
                if allowed {
                    seen.insert((rel.clone(), literal));
                } else {
                    unexpected.push(format!("{rel}:{}: \"{literal}\"", n + 1));
                }
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "API names belong in rules/*.toml (or in API_LITERALS_ALLOWED, with a reason):\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = API_LITERALS_ALLOWED
        .iter()
        .filter(|(f, l, _)| !seen.contains(&(f.to_string(), l.to_string())))
        .collect();
    assert!(
        stale.is_empty(),
        "allowlist entries no longer needed: {stale:?}"
    );
}

/// Bare method names compared in code, allowed per (file, name) with a reason. Method names that
/// are API knowledge belong in the vocabulary (a category with `methods` and `receivers`, or a
/// method table such as `join-method`); what stays here is language, not API.
const METHOD_LITERALS_ALLOWED: &[(&str, &str, &str)] = &[
    (
        "src/rules/child_escapes.rs",
        "main",
        "the program's entry point, a language name",
    ),
    ("src/syntax/lower/bodies.rs", "self", "the `self` keyword"),
    ("src/syntax/lower/origins.rs", "self", "the `self` keyword"),
    ("src/syntax/lower/scopes.rs", "self", "the `self` keyword"),
    (
        "src/syntax/lower/bodies.rs",
        "clone",
        "the language's `Clone::clone`: a clone of a guard is not a guard",
    ),
    (
        "src/syntax/lower/shapes.rs",
        "clone",
        "the language's `Clone::clone`: a clone of a plain local is that local's value",
    ),
];

/// The method-name-like literals (`"join"`, `"push_back"`: lowercase identifiers) that a line
/// compares a name with, outside comments. What it catches: `== "x"` and `!= "x"`, and the
/// literals of a `matches!(..)`, on a line that mentions `name` or `method` (how lowering and the
/// analyses hold a method's name). It misses comparisons through other variables and `"x" =>`
/// arms of a `match` written on another line: a heuristic against new bare comparisons, not a
/// proof that none exist.
fn method_literals(line: &str) -> Vec<String> {
    let code = line.trim_start();
    if code.starts_with("//") || !(code.contains("name") || code.contains("method")) {
        return Vec::new();
    }
    let is_ident = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && s.chars().any(|c| c.is_ascii_lowercase())
    };
    let in_matches = code.contains("matches!(");
    let mut found = Vec::new();
    let pieces: Vec<&str> = code.split('"').collect();
    // Odd pieces are inside string literals (no escapes in identifier-like literals).
    for i in (1..pieces.len()).step_by(2) {
        let literal = pieces[i];
        if !is_ident(literal) {
            continue;
        }
        let before = pieces[i - 1].trim_end();
        let compared = before.ends_with("==") || before.ends_with("!=");
        if compared || in_matches {
            found.push(literal.to_string());
        }
    }
    found
}

#[test]
fn method_names_stay_in_the_vocabulary() {
    let mut unexpected = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (rel, text) in rust_sources(&["src/syntax", "src/model", "src/analysis", "src/rules"]) {
        for (n, line) in text.lines().enumerate() {
            for literal in method_literals(line) {
                let allowed = METHOD_LITERALS_ALLOWED
                    .iter()
                    .any(|(f, l, _)| *f == rel && *l == literal);
                if allowed {
                    seen.insert((rel.clone(), literal));
                } else {
                    unexpected.push(format!("{rel}:{}: \"{literal}\"", n + 1));
                }
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "method names that are API knowledge belong in rules/*.toml (or in \
         METHOD_LITERALS_ALLOWED, with a reason):\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = METHOD_LITERALS_ALLOWED
        .iter()
        .filter(|(f, l, _)| !seen.contains(&(f.to_string(), l.to_string())))
        .collect();
    assert!(
        stale.is_empty(),
        "allowlist entries no longer needed: {stale:?}"
    );
}
