//! The std audit: `tests/it/std_surface.toml` lists the surface of std's fs, io, net, process,
//! thread, sync and env, each item either in the vocabulary (in the named categories) or
//! deliberately left out (with a reason); this checks the vocabulary against it both ways.

use forklint::ir::{Callee, Origin, Receiver};
use forklint::vocab::{Category, Vocab};
use serde::Deserialize;

use crate::support::repo_root;

/// The categories whose std entries must all be listed in the surface file.
const AUDITED: &[&str] = &[
    "blocking",
    "lock",
    "alloc",
    "not-as-safe",
    "as-safe",
    "thread-start",
    "thread-join",
    "spin",
    "exec",
    "process-exit",
];

/// The std modules of the audit (`std::path` for `Path`'s file-system methods).
const MODULES: &[&str] = &[
    "std::fs",
    "std::io",
    "std::net",
    "std::os::unix::net",
    "std::process",
    "std::os::unix::process",
    "std::thread",
    "std::sync",
    "std::env",
    "std::path",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Surface {
    #[serde(rename = "in")]
    listed: Vec<In>,
    #[serde(rename = "out")]
    left_out: Vec<Out>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct In {
    #[serde(default)]
    paths: Vec<String>,
    receiver: Option<String>,
    #[serde(default)]
    methods: Vec<String>,
    categories: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Out {
    #[serde(default)]
    paths: Vec<String>,
    receiver: Option<String>,
    #[serde(default)]
    methods: Vec<String>,
    of: Vec<String>,
    reason: String,
}

fn surface() -> Surface {
    let path = repo_root().join("tests/it/std_surface.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn category(name: &str) -> Category {
    Category::from_name(name).unwrap_or_else(|| panic!("unknown category `{name}`"))
}

fn method_call(name: &str, receiver: &str) -> Callee {
    Callee::Method {
        name: name.to_string(),
        receiver: Box::new(Receiver {
            local: Some("x".to_string()),
            field: None,
            origin: Some(Origin::ty(receiver)),
            ..Receiver::default()
        }),
    }
}

/// Every call an item names: its paths, and its methods on a receiver of its type.
fn calls(paths: &[String], receiver: &Option<String>, methods: &[String]) -> Vec<(String, Callee)> {
    let mut out: Vec<(String, Callee)> = paths
        .iter()
        .map(|p| (p.clone(), Callee::Path(p.clone())))
        .collect();
    if let Some(receiver) = receiver {
        out.extend(
            methods
                .iter()
                .map(|m| (format!("{receiver}::{m}"), method_call(m, receiver))),
        );
    }
    assert!(
        !out.is_empty(),
        "a surface item names no path and no method"
    );
    out
}

#[test]
fn the_std_surface_is_in_the_vocabulary_as_listed() {
    let vocab = Vocab::builtin();
    let mut wrong = Vec::new();
    for item in surface().listed {
        for (name, callee) in calls(&item.paths, &item.receiver, &item.methods) {
            for c in &item.categories {
                if vocab.call(category(c), &callee).is_none() {
                    wrong.push(format!("`{name}` is not in `{c}`"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn what_is_left_out_is_not_in_the_vocabulary_and_says_why() {
    let vocab = Vocab::builtin();
    let mut wrong = Vec::new();
    for item in surface().left_out {
        assert!(
            item.reason.len() > 10,
            "a left-out item needs a reason: {:?}",
            item.paths
        );
        for (name, callee) in calls(&item.paths, &item.receiver, &item.methods) {
            for c in &item.of {
                if vocab.call(category(c), &callee).is_some() {
                    wrong.push(format!("`{name}` is left out of `{c}` but is in it"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

fn in_scope(path: &str) -> bool {
    MODULES
        .iter()
        .any(|m| path == *m || path.strip_prefix(m).is_some_and(|r| r.starts_with("::")))
}

/// A receiver hint that names a type (or a `prefix::*` of types), not a constructor whose result
/// the type's own hint already covers (`std::sync::mpsc::channel`, `std::io::stdin`).
fn names_a_type(hint: &str) -> bool {
    let last = hint.rsplit("::").next().unwrap_or(hint);
    last == "*" || last.starts_with(|c: char| c.is_ascii_uppercase())
}

#[test]
fn every_std_entry_of_the_vocabulary_is_in_the_surface_file() {
    let vocab = Vocab::builtin();
    let surface = surface();
    let listed = |c: &str, name: &str| {
        surface.listed.iter().any(|item| {
            item.categories.iter().any(|x| x == c)
                && calls(&item.paths, &item.receiver, &item.methods)
                    .iter()
                    .any(|(n, _)| n == name)
        })
    };
    let mut missing = Vec::new();
    for c in AUDITED {
        for entry in vocab.entries(category(c)) {
            if let Some(path) = entry.path.as_deref().filter(|p| in_scope(p)) {
                if !listed(c, path) {
                    missing.push(format!("`{path}` ({c})"));
                }
            }
            for hint in entry.receivers.iter().flatten() {
                if !in_scope(hint) || !names_a_type(hint) {
                    continue;
                }
                for method in entry.methods.iter().flatten() {
                    let name = format!("{hint}::{method}");
                    if !listed(c, &name) {
                        missing.push(format!("`{name}` ({c})"));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "vocabulary entries missing from tests/it/std_surface.toml: {missing:#?}"
    );
}
