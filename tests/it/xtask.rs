//! The rule scaffold (`cargo xtask new-rule`, xtask/src/new_rule.rs), tested from here so the root's
//! `cargo test` covers it: what it would write in this repository, and what it refuses.

#[path = "../../xtask/src/new_rule.rs"]
#[allow(dead_code)]
mod new_rule;

use crate::support::repo_root;

#[test]
fn new_rule_plans_the_rule_file_fixtures_and_one_registry_line() {
    let root = repo_root();
    let plan = new_rule::plan(&root, "FL011", "some-name").unwrap();
    let paths: Vec<&str> = plan.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "src/rules/mod.rs",
            "src/rules/some_name.rs",
            "fixtures/FL011-some-name/basic.rs",
            "fixtures/FL011-some-name/clean_basic.rs",
        ]
    );
    assert_eq!(
        plan.iter().map(|e| e.creates).collect::<Vec<_>>(),
        [false, true, true, true]
    );

    // The registry gains exactly one line, in code order (before FL100).
    let old = std::fs::read_to_string(root.join("src/rules/mod.rs")).unwrap();
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = plan[0].text.lines().collect();
    assert_eq!(new.len(), old.len() + 1);
    let at = old.iter().zip(&new).position(|(a, b)| a != b).unwrap();
    assert_eq!(new[at], "    FL011 => some_name,");
    assert!(
        old[at - 1].trim_start().starts_with("FL010 =>"),
        "{}",
        old[at - 1]
    );
    assert!(old[at].trim_start().starts_with("FL100 =>"), "{}", old[at]);
    assert_eq!(&new[at + 1..], &old[at..]);

    // The rule file: a `//!` header, the four doc sections, the declaration and a stub `check`.
    let rule = &plan[1].text;
    assert!(rule.starts_with("//! FL011 some-name: "), "{rule}");
    for section in ["What it does", "Why is this bad?", "Example", "Use instead"] {
        assert!(
            rule.contains(&format!("    /// ### {section}\n")),
            "{section}"
        );
    }
    assert!(rule.contains(r#"pub static RULE = "FL011", "some-name", Warning, "#));
    assert!(rule.contains("pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>)"));
    syn::parse_file(rule).unwrap_or_else(|e| panic!("the rule file does not parse: {e}\n{rule}"));

    // A firing and a clean fixture, as `every_rule_has_firing_and_clean_fixtures` asks.
    assert!(plan[2].text.contains("//~ FL011"), "{}", plan[2].text);
    assert!(plan[3].text.starts_with("//@ expect: clean\n"));
    for edit in &plan[2..] {
        syn::parse_file(&edit.text).unwrap();
    }
}

#[test]
fn new_rule_refuses_an_existing_code_or_name_and_malformed_ones() {
    let root = repo_root();
    let refused = |code: &str, name: &str| new_rule::plan(&root, code, name).unwrap_err();
    assert!(refused("FL003", "x").contains("FL003 exists"));
    assert!(
        refused("FL000", "x").contains("FL000 exists"),
        "engine rules count"
    );
    assert!(refused("FL012", "fork-in-async").contains("FL007"));
    assert!(refused("FL012", "unused-suppression").contains("FL100"));
    for code in ["FL11", "fl011", "FL0111", "XX011"] {
        assert!(refused(code, "x").contains("not a rule code"), "{code}");
    }
    // Names are what `rule_codes_and_names_are_unique_and_well_formed` accepts: no digits.
    for name in ["", "Some-name", "some_name", "-x", "x-", "a--b", "fl011"] {
        let err = refused("FL012", name);
        assert!(err.contains("not a rule name"), "{name:?}: {err}");
    }
}

/// Applied to a copy of `src/rules/`: the files appear, and a second run refuses the code and
/// the name it just added.
#[test]
fn new_rule_applied_to_a_copy_then_refuses_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("src/rules");
    std::fs::create_dir_all(&rules).unwrap();
    for entry in std::fs::read_dir(repo_root().join("src/rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, rules.join(path.file_name().unwrap())).unwrap();
        }
    }
    let plan = new_rule::plan(tmp.path(), "FL011", "some-name").unwrap();
    new_rule::apply(tmp.path(), &plan).unwrap();
    for edit in &plan {
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(&edit.path)).unwrap(),
            edit.text
        );
    }
    let err = new_rule::plan(tmp.path(), "FL011", "other-name").unwrap_err();
    assert!(err.contains("FL011 exists"), "{err}");
    let err = new_rule::plan(tmp.path(), "FL012", "some-name").unwrap_err();
    assert!(err.contains("some-name"), "{err}");
}
