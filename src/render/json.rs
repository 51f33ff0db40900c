//! `json` (one document, schema `report-v1`) and `json-lines` (one diagnostic per line).

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::source::{FileId, TextRange};
use crate::driver::Report;

pub const SCHEMA_VERSION: u64 = 1;

pub fn range_json(report: &Report, file: FileId, range: TextRange) -> Value {
    let source = report.source(file);
    let start = source.position(range.start);
    let end = source.position(range.end);
    json!({
        "start": { "line": start.line, "column": start.column, "offset": start.offset },
        "end": { "line": end.line, "column": end.column, "offset": end.offset },
    })
}

/// A stable identity for a finding: rule, file, message and the trimmed text of its line, so it
/// survives edits elsewhere in the file (SARIF `partialFingerprints`, baselines).
pub fn fingerprint(report: &Report, diag: &Diagnostic) -> String {
    let source = report.source(diag.file);
    let line = source.position(diag.range.start).line;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        diag.rule.code,
        source.display.as_str(),
        diag.message.as_str(),
        source.line_text(line).trim(),
    ] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

pub fn diagnostic_json(report: &Report, diag: &Diagnostic) -> Value {
    let source = report.source(diag.file);
    let labels: Vec<Value> = diag
        .all_labels()
        .iter()
        .map(|label| {
            json!({
                "file": report.source(label.file).display,
                "range": range_json(report, label.file, label.range),
                "primary": label.primary,
                "message": label.message,
            })
        })
        .collect();
    let fix = diag.fix.as_ref().map(|fix| {
        json!({
            "message": fix.message,
            "applicability": fix.applicability.as_str(),
            "edits": fix.edits.iter().map(|edit| json!({
                "file": report.source(edit.file).display,
                "range": range_json(report, edit.file, edit.range),
                "content": edit.content,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "code": diag.rule.code,
        "name": diag.rule.name,
        "severity": diag.severity.as_str(),
        "message": diag.message,
        "file": source.display,
        "range": range_json(report, diag.file, diag.range),
        "labels": labels,
        "notes": diag.notes,
        "help": diag.help,
        // report-v1 requires a string: empty when forklint has no repository to link to.
        "url": diag.rule.url().unwrap_or_default(),
        "fix": fix,
        "fingerprint": fingerprint(report, diag),
    })
}

pub fn report_json(report: &Report) -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": "forklint", "version": env!("CARGO_PKG_VERSION") },
        "root": report.root.to_string_lossy(),
        "diagnostics": report.diagnostics.iter().map(|d| diagnostic_json(report, d)).collect::<Vec<_>>(),
        "errors": report.errors.iter().map(|e| json!({ "file": e.path, "message": e.message })).collect::<Vec<_>>(),
        "summary": {
            "files_checked": report.files_checked,
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "suppressed": report.suppressed,
            "held_back": report.held_back,
        },
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_json(report))?;
    writeln!(out)
}

pub fn render_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for diag in &report.diagnostics {
        serde_json::to_writer(&mut *out, &diagnostic_json(report, diag))?;
        writeln!(out)?;
    }
    Ok(())
}
