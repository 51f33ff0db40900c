//! `sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! The rules come from the registry (so a viewer can show the docs of a rule with no result), one
//! result per finding with secondary labels as `relatedLocations`, fixes as SARIF `fixes`, and the
//! json fingerprint as `partialFingerprints`. Columns are Unicode scalar values, as everywhere.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::json::fingerprint;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::source::{FileId, TextRange};
use crate::driver::Report;
use crate::rules::{self, RuleMeta};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `"blocking-call-in-async"` -> `"BlockingCallInAsync"` (SARIF's recommended rule name shape).
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule_json(meta: &RuleMeta) -> Value {
    let full = meta
        .section("What it does")
        .unwrap_or(meta.summary)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut rule = json!({
        "id": meta.code,
        "name": pascal_case(meta.name),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": full },
        "help": { "text": meta.summary, "markdown": crate::rules::docs::markdown(meta) },
        "defaultConfiguration": { "level": level(meta.default_severity) },
        "properties": { "tags": ["forklint", meta.name] },
    });
    // Only a published page; the docs themselves are in `help.markdown` either way.
    if let Some(url) = meta.url() {
        rule["helpUri"] = json!(url);
    }
    rule
}

/// Percent-encodes what may not appear raw in a relative URI reference.
fn uri(path: &str) -> String {
    uri_bytes(path.as_bytes())
}

fn uri_bytes(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn region(report: &Report, file: FileId, range: TextRange) -> Value {
    let source = report.source(file);
    let start = source.position(range.start);
    let end = source.position(range.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "charOffset": range.start,
        "charLength": range.len(),
        "snippet": { "text": &source.text[range.start as usize..range.end as usize] },
    })
}

/// The file's URI: its displayed path, or, for a name that is not UTF-8 (displayed with
/// U+FFFD), the name's own bytes, so that the URI still names the file.
fn file_uri(report: &Report, file: FileId) -> String {
    let source = report.source(file);
    #[cfg(unix)]
    if source.display.contains('\u{fffd}') {
        use std::os::unix::ffi::OsStrExt;
        let path = source.path.as_path();
        let rel = path
            .strip_prefix(&report.root)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(path);
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        return uri_bytes(rel.as_os_str().as_bytes());
    }
    uri(&source.display)
}

fn artifact_location(report: &Report, file: FileId) -> Value {
    json!({ "uri": file_uri(report, file), "uriBaseId": "%SRCROOT%" })
}

fn location(report: &Report, file: FileId, range: TextRange, message: Option<&str>) -> Value {
    let mut value = json!({
        "physicalLocation": {
            "artifactLocation": artifact_location(report, file),
            "region": region(report, file, range),
        }
    });
    if let Some(message) = message {
        value["message"] = json!({ "text": message });
    }
    value
}

fn result_json(report: &Report, diag: &Diagnostic, rule_index: usize) -> Value {
    let mut text = diag.message.clone();
    if let Some(help) = &diag.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    for note in &diag.notes {
        text.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<Value> = diag
        .labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let mut value = location(report, label.file, label.range, label.message.as_deref());
            value["id"] = json!(index);
            value
        })
        .collect();
    let mut result = json!({
        "ruleId": diag.rule.code,
        "ruleIndex": rule_index,
        "level": level(diag.severity),
        "message": { "text": text },
        "locations": [location(report, diag.file, diag.range, diag.primary_label.as_deref())],
        "partialFingerprints": { "forklint/v1": fingerprint(report, diag) },
    });
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    if let Some(fix) = &diag.fix {
        let mut by_file: Vec<(FileId, Vec<Value>)> = Vec::new();
        for edit in &fix.edits {
            let replacement = json!({
                "deletedRegion": region(report, edit.file, edit.range),
                "insertedContent": { "text": edit.content },
            });
            match by_file.iter_mut().find(|(file, _)| *file == edit.file) {
                Some((_, list)) => list.push(replacement),
                None => by_file.push((edit.file, vec![replacement])),
            }
        }
        let changes: Vec<Value> = by_file
            .into_iter()
            .map(|(file, replacements)| {
                json!({
                    "artifactLocation": artifact_location(report, file),
                    "replacements": replacements,
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": changes,
        }]);
    }
    result
}

pub fn report_sarif(report: &Report) -> Value {
    let rules: Vec<Value> = rules::RULES.iter().map(|r| rule_json(r.meta)).collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diag| {
            let index = rules::RULES
                .iter()
                .position(|r| r.meta.code == diag.rule.code)
                .unwrap_or(0);
            result_json(report, diag, index)
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|err| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", err.path, err.message) },
                "locations": [{ "physicalLocation": { "artifactLocation": {
                    "uri": uri(&err.path), "uriBaseId": "%SRCROOT%"
                } } }],
            })
        })
        .collect();
    let mut root = report.root.to_string_lossy().replace('\\', "/");
    if !root.ends_with('/') {
        root.push('/');
    }
    if !root.starts_with('/') {
        root.insert(0, '/');
    }
    let mut driver = json!({
        "name": "forklint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if !rules::REPOSITORY.is_empty() {
        driver["informationUri"] = json!(rules::REPOSITORY);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": { "%SRCROOT%": { "uri": format!("file://{}", uri(&root)) } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_sarif(report))?;
    writeln!(out)
}
