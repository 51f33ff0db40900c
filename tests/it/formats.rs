//! Machine formats: real output of the binary validated against the schemas (json, sarif,
//! cargo-json) or the workflow-command grammar (github), with positions checked on a line that
//! has tabs, accented and CJK text before the span.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{forklint, write};
use crate::support::repo_root;

/// `<repo>/../shared/schemas`, else the copy under `tests/schemas`.
fn schema(name: &str) -> Value {
    let shared = repo_root().join("../shared/schemas").join(name);
    let path = if shared.is_file() {
        shared
    } else {
        repo_root().join("tests/schemas").join(name)
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn validate(schema_name: &str, instance: &Value) {
    let schema = schema(schema_name);
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_name}: {errors:#?}\n{instance:#}"
    );
}

const LINE_PREFIX: &str = "\tlet _é = \"中文\"; ";

/// A tokio crate with one FL003 (with a fix and a secondary label) after non-ASCII text, and a
/// file whose name needs escaping in properties.
fn tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        &format!(
            "pub async fn poll() {{\n{LINE_PREFIX}std::thread::sleep(std::time::Duration::from_secs(1));\n}}\n"
        ),
    );
    write(
        dir.path(),
        "src/bin/we,ird: name.rs",
        "async fn tick() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\nfn main() {}\n",
    );
    let root = dir.path().to_path_buf();
    (dir, root)
}

fn run(dir: &Path, format: &str) -> (String, Option<i32>) {
    let out = forklint(dir, &["check", "--output-format", format, "."]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.stderr.is_empty(),
        "{format}: stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, out.status.code())
}

/// 1-based column (in chars) and byte offset of the sleep call in src/lib.rs.
fn expected_position() -> (u64, u64) {
    let column = LINE_PREFIX.chars().count() as u64 + 1;
    let offset = "pub async fn poll() {\n".len() + LINE_PREFIX.len();
    (column, offset as u64)
}

#[test]
fn json_matches_the_report_schema() {
    let (dir, _) = tree();
    let (stdout, code) = run(dir.path(), "json");
    assert_eq!(code, Some(0));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    validate("report-v1.schema.json", &report);
    let diag = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "src/lib.rs")
        .expect("finding in src/lib.rs");
    let (column, offset) = expected_position();
    assert_eq!(diag["range"]["start"]["line"], 2);
    assert_eq!(diag["range"]["start"]["column"], column);
    assert_eq!(diag["range"]["start"]["offset"], offset);
    assert_eq!(diag["fix"]["applicability"], "machine-applicable");
}

#[test]
fn json_lines_are_report_diagnostics() {
    let (dir, _) = tree();
    let (stdout, _) = run(dir.path(), "json-lines");
    let diagnostics: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(diagnostics.len(), 2);
    let wrapped = serde_json::json!({
        "schema_version": 1,
        "tool": { "name": "forklint", "version": "0" },
        "root": "/",
        "diagnostics": diagnostics,
        "summary": { "files_checked": 2, "errors": 0, "warnings": 2, "suppressed": 0 },
    });
    validate("report-v1.schema.json", &wrapped);
}

#[test]
fn cargo_json_matches_cargo_messages() {
    let (dir, _) = tree();
    let (stdout, code) = run(dir.path(), "cargo-json");
    assert_eq!(code, Some(0));
    let records: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for record in &records {
        validate("cargo-json.schema.json", record);
    }
    assert_eq!(records.last().unwrap()["reason"], "build-finished");
    assert_eq!(records.last().unwrap()["success"], true);
    let message = records
        .iter()
        .find(|r| r["message"]["spans"][0]["file_name"] == "src/lib.rs")
        .map(|r| &r["message"])
        .expect("a message for src/lib.rs");
    assert_eq!(message["code"]["code"], "forklint::FL003");
    let primary: Vec<&Value> = message["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["is_primary"] == true)
        .collect();
    assert_eq!(primary.len(), 1);
    let (column, offset) = expected_position();
    assert_eq!(primary[0]["column_start"], column);
    assert_eq!(primary[0]["byte_start"], offset);
    assert_eq!(primary[0]["line_start"], 2);
    assert_eq!(primary[0]["text"][0]["highlight_start"], column);
    // The fix is a help child with suggested replacements, as rustc sends suggestions.
    let suggestion = message["children"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["spans"].as_array().unwrap())
        .find(|s| s["suggested_replacement"] == "tokio::time::sleep")
        .expect("a suggestion");
    assert_eq!(suggestion["suggestion_applicability"], "MachineApplicable");
}

#[test]
fn message_format_json_is_cargo_json() {
    let (dir, _) = tree();
    let a = forklint(dir.path(), &["check", "--message-format=json", "."]);
    let (b, _) = run(dir.path(), "cargo-json");
    assert_eq!(String::from_utf8(a.stdout).unwrap(), b);
}

#[test]
fn sarif_matches_the_official_schema() {
    let (dir, _) = tree();
    let (stdout, code) = run(dir.path(), "sarif");
    assert_eq!(code, Some(0));
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    validate("sarif-2.1.0.schema.json", &sarif);
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), forklint::rules::RULES.len());
    for rule in rules {
        for key in ["id", "name", "shortDescription", "fullDescription"] {
            assert!(!rule[key].is_null(), "rule lacks {key}: {rule}");
        }
        // The docs travel with the rule; a helpUri only when Cargo.toml names a repository.
        let markdown = rule["help"]["markdown"].as_str().unwrap_or_default();
        assert!(markdown.contains("### What it does"), "{rule}");
        assert_eq!(
            rule["helpUri"].is_null(),
            forklint::rules::REPOSITORY.is_empty(),
            "{rule}"
        );
        assert!(!rule["defaultConfiguration"]["level"].is_null());
    }
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/lib.rs")
        .expect("a result in src/lib.rs");
    assert_eq!(result["ruleId"], "FL003");
    assert_eq!(result["level"], "warning");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    let (column, _) = expected_position();
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], column);
    assert!(result["partialFingerprints"]
        .as_object()
        .is_some_and(|f| !f.is_empty()));
    assert!(result["relatedLocations"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    assert!(result["fixes"].as_array().is_some_and(|f| !f.is_empty()));
}

/// Parses `::warning k=v,k=v::message`, checking the toolkit's escaping.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").expect("starts with ::");
    let (head, message) = rest.split_once("::").expect("has a message");
    let (command, props) = head.split_once(' ').expect("has properties");
    assert!(!message.contains('\n') && !message.contains('\r'));
    let props: Vec<(String, String)> = props
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            assert!(!v.contains(':'), "unescaped `:` in {v}");
            (k.to_string(), v.to_string())
        })
        .collect();
    (command.to_string(), props, message.to_string())
}

fn unescape(text: &str) -> String {
    text.replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

#[test]
fn github_annotations_follow_the_workflow_command_grammar() {
    let (dir, _) = tree();
    let (stdout, code) = run(dir.path(), "github");
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let mut files = Vec::new();
    for line in lines {
        let (command, props, message) = parse_command(line);
        assert_eq!(command, "warning");
        let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"]
        );
        assert_eq!(props[5].1, "forklint (FL003)");
        assert!(unescape(&message).starts_with("blocking call"));
        files.push((
            unescape(&props[0].1),
            props[1].1.clone(),
            props[2].1.clone(),
        ));
    }
    let (column, _) = expected_position();
    assert!(files.contains(&(
        "src/lib.rs".to_string(),
        "2".to_string(),
        column.to_string()
    )));
    assert!(files.iter().any(|(f, _, _)| f == "src/bin/we,ird: name.rs"));
    assert!(stdout.contains("file=src/bin/we%2Cird%3A name.rs"));
}

#[test]
fn github_escaping_matches_the_toolkit() {
    use forklint::render::github::{escape_data, escape_property};
    assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
    assert_eq!(
        escape_property("50% a\r\nb: c, d"),
        "50%25 a%0D%0Ab%3A c%2C d"
    );
}

#[test]
fn clean_machine_output_is_only_the_report() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    for format in ["json", "json-lines", "cargo-json", "sarif", "github"] {
        let out = forklint(dir.path(), &["check", "--output-format", format, "."]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        assert!(out.stderr.is_empty(), "{format}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        match format {
            "json-lines" | "github" => assert!(stdout.is_empty(), "{format}: {stdout}"),
            "cargo-json" => {
                assert_eq!(stdout, "{\"reason\":\"build-finished\",\"success\":true}\n")
            }
            _ => {
                serde_json::from_str::<Value>(&stdout).unwrap();
            }
        }
    }
}

#[test]
fn the_schemas_reject_broken_output() {
    let (dir, _) = tree();
    let (stdout, _) = run(dir.path(), "sarif");
    let mut sarif: Value = serde_json::from_str(&stdout).unwrap();
    sarif["runs"][0]["results"][0]["level"] = "fatal".into();
    let validator = jsonschema::validator_for(&schema("sarif-2.1.0.schema.json")).unwrap();
    assert!(!validator.is_valid(&sarif));
    let (stdout, _) = run(dir.path(), "cargo-json");
    let mut record: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    record["message"]["spans"][0]["is_primary"] = false.into();
    record["message"]["spans"][1]["is_primary"] = false.into();
    let validator = jsonschema::validator_for(&schema("cargo-json.schema.json")).unwrap();
    assert!(!validator.is_valid(&record));
}

#[test]
fn cargo_json_records_start_with_reason_and_name_the_package_like_cargo() {
    let (dir, root) = tree();
    let (stdout, _) = run(dir.path(), "cargo-json");
    for line in stdout.lines() {
        assert!(line.starts_with("{\"reason\":\""), "{line}");
    }
    let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let url = format!("path+file://{}#demo@0.1.0", root.display());
    assert_eq!(first["package_id"], url.as_str());
    assert_eq!(
        first["manifest_path"],
        root.join("Cargo.toml").to_string_lossy().as_ref()
    );
}

#[cfg(unix)]
#[test]
fn sarif_uris_of_non_utf8_names_keep_their_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.rs");
    std::fs::write(
        dir.path().join(name),
        "async fn f() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    )
    .unwrap();
    let out = forklint(dir.path(), &["check", "--output-format", "sarif", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate("sarif-2.1.0.schema.json", &sarif);
    let result = &sarif["runs"][0]["results"][0];
    // Not `caf%EF%BF%BD.rs` (U+FFFD): that URI names no file.
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "caf%E9.rs",
        "{result}"
    );
}

#[test]
fn no_format_links_to_a_repository_cargo_toml_does_not_name() {
    let (dir, _) = tree();
    let repository = forklint::rules::REPOSITORY;
    for format in ["json", "sarif", "cargo-json", "full"] {
        let (stdout, _) = run(dir.path(), format);
        if repository.is_empty() {
            assert!(
                !stdout.contains("https://github.com"),
                "{format}:\n{stdout}"
            );
        } else {
            assert!(stdout.contains(repository) || format == "full", "{format}");
        }
    }
    let (stdout, _) = run(dir.path(), "json");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let diag = &report["diagnostics"][0];
    let url = diag["url"].as_str().unwrap();
    assert_eq!(url.is_empty(), repository.is_empty(), "{diag}");
    // Without a url, the human help names the command that prints the docs.
    let (stdout, _) = run(dir.path(), "full");
    assert!(stdout.contains("docs: `forklint rule FL003`"), "{stdout}");
}
