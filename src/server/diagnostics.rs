//! A report's findings as LSP diagnostics: the same code, range and message as `check`, the
//! evidence labels as related information, the help and notes after them, the level as the
//! severity, the rule's page as `codeDescription` when forklint has a repository url.
//!
//! Each finding keeps its byte range and its machine-applicable fix next to the LSP form, for
//! code actions and hover on the text that was checked.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, TextEdit, Uri,
};

use crate::base::diagnostic::{self as base, Applicability, Severity};
use crate::base::rule::RuleMeta;
use crate::driver::Report;

use super::documents::{path_to_uri, Encoding};

/// What `source` says in every diagnostic the server publishes.
pub const SOURCE: &str = "forklint";

/// One finding of a checked buffer.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    /// The primary span in the checked text, in bytes.
    pub start: usize,
    pub end: usize,
    pub diagnostic: Diagnostic,
    /// The machine-applicable fix: its message and its edits in this buffer.
    pub fix: Option<(String, Vec<TextEdit>)>,
}

/// A finding of `report` in the buffer `text` (the text it was checked from).
pub fn finding(
    report: &Report,
    diag: &base::Diagnostic,
    text: &str,
    encoding: Encoding,
) -> Finding {
    let (start, end) = (diag.range.start as usize, diag.range.end as usize);
    let mut related = Vec::new();
    for label in &diag.labels {
        let Some(message) = &label.message else {
            continue;
        };
        let source = report.source(label.file);
        let (label_text, uri) = if label.file == diag.file {
            (text, path_to_uri(&source.path))
        } else {
            (&*source.text, path_to_uri(&source.path))
        };
        let Some(uri) = uri else {
            continue;
        };
        related.push(DiagnosticRelatedInformation {
            location: Location::new(
                uri,
                encoding.range(
                    label_text,
                    label.range.start as usize,
                    label.range.end as usize,
                ),
            ),
            message: message.clone(),
        });
    }
    let here = path_to_uri(&report.source(diag.file).path);
    if let Some(uri) = here {
        let range = encoding.range(text, start, end);
        let extra = diag
            .notes
            .iter()
            .map(|n| format!("note: {n}"))
            .chain(diag.help.iter().map(|h| format!("help: {h}")));
        for message in extra {
            related.push(DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message,
            });
        }
    }
    let fix = diag
        .fix
        .as_ref()
        .filter(|f| f.applicability == Applicability::MachineApplicable)
        .filter(|f| !f.edits.is_empty() && f.edits.iter().all(|e| e.file == diag.file))
        .map(|f| {
            let edits = f
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: encoding.range(text, e.range.start as usize, e.range.end as usize),
                    new_text: e.content.clone(),
                })
                .collect();
            (f.message.clone(), edits)
        });
    let diagnostic = Diagnostic {
        range: encoding.range(text, start, end),
        severity: Some(match diag.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diag.rule.code.to_string())),
        code_description: diag
            .rule
            .url()
            .and_then(|url| Uri::from_str(&url).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: diag.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    Finding {
        rule: diag.rule,
        start,
        end,
        diagnostic,
        fix,
    }
}

/// A problem that is not a finding (a file forklint could not check, a configuration error),
/// shown at `range` of the file it is about.
pub fn problem(range: lsp_types::Range, message: String) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message,
        ..Diagnostic::default()
    }
}
