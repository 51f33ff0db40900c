//! `cargo-json`: cargo's `--message-format=json` records, so rust-analyzer's
//! `check.overrideCommand` (and anything else that reads cargo's output) shows forklint findings.
//!
//! One `compiler-message` record per finding, each with a rustc-shaped diagnostic whose first span
//! is primary, then one `build-finished` record. Fixes become a `help` child whose spans carry
//! `suggested_replacement`, the way rustc sends suggestions.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::full;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::source::{FileId, TextRange};
use crate::driver::Report;

/// What cargo says about the package a file belongs to.
struct PackageInfo {
    package_id: String,
    manifest_path: String,
    target: Value,
}

/// Name, version and edition from a manifest (a light scan: a bad manifest gives placeholders).
fn manifest_fields(manifest: &Path) -> (String, String, String) {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    let table: toml::Table = toml::from_str(&text).unwrap_or_default();
    let package = table.get("package").and_then(|p| p.as_table());
    let field = |key: &str, default: &str| {
        package
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_string()
    };
    (
        field("name", "unknown"),
        field("version", "0.0.0"),
        field("edition", "2021"),
    )
}

fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    if text.starts_with('/') {
        format!("file://{text}")
    } else {
        format!("file:///{text}")
    }
}

fn package_info(root: Option<&Path>, cwd: &Path) -> PackageInfo {
    let dir = root
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.to_path_buf());
    let manifest = dir.join("Cargo.toml");
    let (name, version, edition) = if root.is_some() {
        manifest_fields(&manifest)
    } else {
        (
            "unknown".to_string(),
            "0.0.0".to_string(),
            "2021".to_string(),
        )
    };
    let src_path = ["src/lib.rs", "src/main.rs"]
        .iter()
        .map(|p| dir.join(p))
        .find(|p| p.is_file())
        .unwrap_or_else(|| dir.join("src/lib.rs"));
    let kind = if src_path.ends_with("main.rs") {
        "bin"
    } else {
        "lib"
    };
    PackageInfo {
        // cargo's spelling: the name is left out when it is the directory's name.
        package_id: if dir.file_name().is_some_and(|n| n.to_string_lossy() == name) {
            format!("path+{}#{version}", file_url(&dir))
        } else {
            format!("path+{}#{name}@{version}", file_url(&dir))
        },
        manifest_path: manifest.to_string_lossy().into_owned(),
        target: json!({
            "kind": [kind],
            "crate_types": [kind],
            "name": name.replace('-', "_"),
            "src_path": src_path.to_string_lossy(),
            "edition": edition,
            "doc": true,
            "doctest": kind == "lib",
            "test": true,
        }),
    }
}

/// One rustc span: positions, the text of the spanned lines with 1-based highlight columns.
fn span_json(
    report: &Report,
    file: FileId,
    range: TextRange,
    primary: bool,
    label: Option<&str>,
    replacement: Option<(&str, &str)>,
) -> Value {
    let source = report.source(file);
    let start = source.position(range.start);
    let end = source.position(range.end);
    let text: Vec<Value> = (start.line..=end.line)
        .map(|line| {
            let line_text = source.line_text(line);
            let width = line_text.chars().count() as u32 + 1;
            let highlight_start = if line == start.line { start.column } else { 1 };
            let highlight_end = if line == end.line { end.column } else { width };
            json!({
                "text": line_text,
                "highlight_start": highlight_start,
                "highlight_end": highlight_end,
            })
        })
        .collect();
    json!({
        "file_name": source.display,
        "byte_start": range.start,
        "byte_end": range.end,
        "line_start": start.line,
        "line_end": end.line,
        "column_start": start.column,
        "column_end": end.column,
        "is_primary": primary,
        "text": text,
        "label": label,
        "suggested_replacement": replacement.map(|(text, _)| text),
        "suggestion_applicability": replacement.map(|(_, applicability)| applicability),
        "expansion": null,
    })
}

fn child(level: &str, message: &str, spans: Vec<Value>) -> Value {
    json!({
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

/// The rustc-shaped diagnostic of one finding.
pub fn message_json(report: &Report, diag: &Diagnostic, rendered: &str) -> Value {
    let spans: Vec<Value> = diag
        .all_labels()
        .iter()
        .map(|label| {
            span_json(
                report,
                label.file,
                label.range,
                label.primary,
                label.message.as_deref(),
                None,
            )
        })
        .collect();
    let mut children = Vec::new();
    for note in &diag.notes {
        children.push(child("note", note, Vec::new()));
    }
    if let Some(help) = &diag.help {
        children.push(child("help", help, Vec::new()));
    }
    if let Some(fix) = &diag.fix {
        let applicability = fix.applicability.rustc_str();
        let spans = fix
            .edits
            .iter()
            .map(|edit| {
                span_json(
                    report,
                    edit.file,
                    edit.range,
                    true,
                    None,
                    Some((&edit.content, applicability)),
                )
            })
            .collect();
        children.push(child("help", &fix.message, spans));
    }
    json!({
        "$message_type": "diagnostic",
        "message": diag.message,
        "code": { "code": format!("forklint::{}", diag.rule.code), "explanation": null },
        "level": match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "spans": spans,
        "children": children,
        "rendered": rendered,
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let handler = full::handler(super::Style {
        width: Some(100),
        ..super::Style::default()
    });
    let mut packages: HashMap<Option<PathBuf>, PackageInfo> = HashMap::new();
    for diag in &report.diagnostics {
        let source = report.source(diag.file);
        let dir = source
            .path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    report.root.clone()
                } else {
                    report.root.join(p)
                }
            })
            .unwrap_or_else(|| report.root.clone());
        let root = crate::discover::package_root(&dir);
        let info = packages
            .entry(root.clone())
            .or_insert_with(|| package_info(root.as_deref(), &report.root));
        let rendered = full::render_one(report, diag, &handler);
        // Keys in cargo's order, `reason` first (serde_json's map would sort them).
        writeln!(
            out,
            "{{\"reason\":\"compiler-message\",\"package_id\":{},\"manifest_path\":{},\"target\":{},\"message\":{}}}",
            Value::from(info.package_id.as_str()),
            Value::from(info.manifest_path.as_str()),
            info.target,
            message_json(report, diag, &rendered),
        )?;
    }
    let success = report.count(Severity::Error) == 0 && report.errors.is_empty();
    writeln!(
        out,
        "{{\"reason\":\"build-finished\",\"success\":{success}}}"
    )
}
