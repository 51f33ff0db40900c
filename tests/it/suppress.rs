//! Suppression directives (docs/configuration.md, "Suppressing findings in code"): own-line, trailing, allow-file,
//! `cfg_attr(forklint, allow(..))`, bare and unknown directives, and FL100 for unused ones.

use forklint::Report;

fn check(text: &str) -> Report {
    forklint::check_source("lib.rs", text)
}

fn codes(report: &Report) -> Vec<(&'static str, u32)> {
    report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.code,
                report.source(d.file).position(d.range.start).line,
            )
        })
        .collect()
}

const SLEEP: &str = "std::thread::sleep(std::time::Duration::from_secs(1));";

#[test]
fn unsuppressed_finding_fires() {
    let report = check(&format!("async fn f() {{\n    {SLEEP}\n}}\n"));
    assert_eq!(codes(&report), [("FL003", 2)]);
}

#[test]
fn own_line_directive_covers_the_next_statement() {
    let report = check(&format!(
        "async fn f() {{\n    // forklint: allow(FL003) startup only\n    {SLEEP}\n    {SLEEP}\n}}\n"
    ));
    assert_eq!(codes(&report), [("FL003", 4)]);
    assert_eq!(report.suppressed, 1);
    assert_eq!(report.suppressed_by_code.get("FL003"), Some(&1));
}

#[test]
fn own_line_directive_covers_a_whole_item() {
    let report = check(&format!(
        "// forklint: allow(blocking-call-in-async)\n#[inline]\nasync fn f() {{\n    {SLEEP}\n    {SLEEP}\n}}\nasync fn g() {{\n    {SLEEP}\n}}\n"
    ));
    assert_eq!(codes(&report), [("FL003", 8)]);
    assert_eq!(report.suppressed, 2);
}

#[test]
fn trailing_directive_covers_its_line() {
    let report = check(&format!(
        "async fn f() {{\n    {SLEEP} // forklint: allow(FL003)\n    {SLEEP}\n}}\n"
    ));
    assert_eq!(codes(&report), [("FL003", 3)]);
}

#[test]
fn allow_file_before_the_first_item_covers_the_file() {
    let report = check(&format!(
        "//! docs\n// forklint: allow-file(FL003)\nasync fn f() {{\n    {SLEEP}\n}}\nasync fn g() {{\n    {SLEEP}\n}}\n"
    ));
    assert!(codes(&report).is_empty());
    assert_eq!(report.suppressed, 2);
}

#[test]
fn allow_file_after_an_item_is_an_error() {
    let report = check(&format!(
        "async fn f() {{\n    {SLEEP}\n}}\n// forklint: allow-file(FL003)\n"
    ));
    assert_eq!(codes(&report), [("FL003", 2)]);
    assert!(report.errors[0].message.contains("before the first item"));
}

#[test]
fn bare_and_unknown_directives_are_errors() {
    let report = check(&format!(
        "async fn f() {{\n    {SLEEP} // forklint: allow\n    {SLEEP} // forklint: allow(FL999)\n}}\n"
    ));
    assert_eq!(codes(&report), [("FL003", 2), ("FL003", 3)]);
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("2:") && messages[0].contains("must name the rules"));
    assert!(messages[1].starts_with("3:") && messages[1].contains("unknown rule `FL999`"));
}

#[test]
fn an_unused_directive_is_fl100() {
    let report = check("// forklint: allow(FL003) nothing blocks\nasync fn f() {}\n");
    assert_eq!(codes(&report), [("FL100", 1)]);
    assert!(report.diagnostics[0].message.contains("FL003"));
}

#[test]
fn a_directive_for_a_rule_that_did_not_run_is_not_fl100() {
    let vocab = forklint::vocab::Vocab::builtin();
    let options = forklint::Options {
        ignore: vec!["FL003"],
        ..forklint::Options::default()
    };
    let report = forklint::check_sources(
        vec![(
            "lib.rs".to_string(),
            "// forklint: allow(FL003)\nasync fn f() {}\n".to_string(),
        )],
        &options,
        &vocab,
    );
    assert!(codes(&report).is_empty());
}

#[test]
fn cfg_attr_on_an_item_suppresses_the_item() {
    let report = check(&format!(
        "#[cfg_attr(forklint, allow(forklint::FL003))]\nasync fn f() {{\n    {SLEEP}\n}}\n\n#[cfg_attr(forklint, allow(forklint::blocking_call_in_async))]\n#[inline]\nasync fn g() {{\n    {SLEEP}\n}}\nasync fn h() {{\n    {SLEEP}\n}}\n"
    ));
    assert_eq!(codes(&report), [("FL003", 12)]);
    assert_eq!(report.suppressed, 2);
}

#[test]
fn inner_cfg_attr_covers_the_file() {
    let report = check(&format!(
        "#![cfg_attr(forklint, allow(forklint::FL003))]\nasync fn f() {{\n    {SLEEP}\n}}\n"
    ));
    assert!(codes(&report).is_empty());
    assert_eq!(report.suppressed, 1);
}

#[test]
fn unused_or_unknown_cfg_attr_is_reported() {
    let report = check("#[cfg_attr(forklint, allow(forklint::FL003))]\nasync fn f() {}\n");
    assert_eq!(codes(&report), [("FL100", 1)]);
    let report = check("#[cfg_attr(forklint, allow(forklint::nope))]\nasync fn f() {}\n");
    assert!(report.errors[0]
        .message
        .contains("unknown rule `forklint::nope`"));
}

#[test]
fn directives_in_doc_comments_and_strings_are_ignored() {
    let report = check(&format!(
        "/// // forklint: allow(FL003)\nasync fn f() {{\n    let _ = \"#[cfg_attr(forklint, allow(forklint::FL003))]\";\n    {SLEEP}\n}}\n"
    ));
    assert_eq!(codes(&report), [("FL003", 4)]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn comments_inside_strings_and_doc_comments_are_not_directives() {
    let text = format!(
        "//! forklint: a linter (a doc comment, not a directive)\n/* block\n// forklint: allow(FL003)\n*/\nconst A: &str = \"// forklint: allow(FL003)\";\nconst B: &str = r#\"\n// forklint: allow(nope)\n#[cfg_attr(forklint, allow(forklint::FL003))]\n\"#;\nconst C: char = '\"'; // forklint: allow(FL003)\nfn f<'a>(_: &'a str) {{}}\nasync fn g() {{\n    {SLEEP}\n}}\n"
    );
    let report = check(&text);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Only the trailing directive after the char literal is real (and unused: line 10).
    assert_eq!(codes(&report), [("FL100", 10), ("FL003", 13)]);
}
