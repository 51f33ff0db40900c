//! Code actions on a checked buffer: each machine-applicable fix, "suppress FLxxx on this line"
//! and "... in this file" (inserting the comment directives `src/suppress.rs` reads), and the
//! source action `source.fixAll.forklint` that applies every fix at once. Edits are returned to
//! the client, never written.
//!
//! Actions are offered only while the buffer is at the version that was checked: the byte
//! ranges of older findings no longer mean anything (the next check comes after the debounce).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::check::Checked;
use super::diagnostics::Finding;
use super::documents::{Document, Encoding};

/// The kind of the "apply all forklint fixes" source action.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.forklint")
}

/// The actions for `range` of `doc`, of the kinds in `only` (all kinds without it).
pub fn code_actions(
    doc: &Document,
    checked: &Checked,
    range: Range,
    only: Option<&[CodeActionKind]>,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    if doc.version != checked.version || doc.text != checked.text {
        return Vec::new();
    }
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut out = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        let mut suppressed: Vec<(&str, &str)> = Vec::new();
        for finding in checked
            .findings
            .iter()
            .filter(|f| touches(f.diagnostic.range, range))
        {
            if let Some((message, edits)) = &finding.fix {
                out.push(action(
                    &doc.uri,
                    message.clone(),
                    CodeActionKind::QUICKFIX,
                    edits.clone(),
                    Some(finding),
                    true,
                ));
            }
            let code = finding.rule.code;
            if !suppressed.contains(&(code, "line")) {
                suppressed.push((code, "line"));
                out.push(action(
                    &doc.uri,
                    format!("suppress {code} on this line"),
                    CodeActionKind::QUICKFIX,
                    vec![suppress_line(&doc.text, finding, encoding)],
                    Some(finding),
                    false,
                ));
            }
            if !suppressed.contains(&(code, "file")) {
                suppressed.push((code, "file"));
                out.push(action(
                    &doc.uri,
                    format!("suppress {code} in this file"),
                    CodeActionKind::QUICKFIX,
                    vec![suppress_file(&doc.text, code, encoding)],
                    Some(finding),
                    false,
                ));
            }
        }
    }
    if let Some((fixed, count)) = &checked.fixed {
        if *count > 0 && wanted(&fix_all_kind()) {
            let whole = encoding.range(&doc.text, 0, doc.text.len());
            out.push(action(
                &doc.uri,
                "apply all forklint fixes".to_string(),
                fix_all_kind(),
                vec![TextEdit {
                    range: whole,
                    new_text: fixed.clone(),
                }],
                None,
                false,
            ));
        }
    }
    out
}

// `WorkspaceEdit::changes` is lsp-types' map keyed by `Uri`, whose hash is its text (the lint
// sees fluent-uri's lazily parsed parts, never used for hashing).
#[allow(clippy::mutable_key_type)]
fn action(
    uri: &Uri,
    title: String,
    kind: CodeActionKind,
    edits: Vec<TextEdit>,
    finding: Option<&Finding>,
    preferred: bool,
) -> CodeActionOrCommand {
    let changes: HashMap<Uri, Vec<TextEdit>> = [(uri.clone(), edits)].into_iter().collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: finding.map(|f| vec![f.diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// Whether two ranges overlap or touch (a cursor at either end of a finding counts).
fn touches(a: Range, b: Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// `// forklint: allow(CODE)` for the finding's line: a trailing comment when the line has no
/// comment yet, else an own-line directive above it (which covers the statement starting
/// there) with the line's indentation.
fn suppress_line(text: &str, finding: &Finding, encoding: Encoding) -> TextEdit {
    let code = finding.rule.code;
    let line_start = text[..finding.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    if !line.contains("//") && !line.contains("/*") && !line.contains("*/") {
        let at = line_start + line.trim_end().len();
        let position = encoding.position(text, at);
        return TextEdit {
            range: Range::new(position, position),
            new_text: format!(" // forklint: allow({code})"),
        };
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    let position = encoding.position(text, line_start);
    TextEdit {
        range: Range::new(position, position),
        new_text: format!("{indent}// forklint: allow({code})\n"),
    }
}

/// `// forklint: allow-file(CODE)` at the top of the file (after a `#!` interpreter line).
fn suppress_file(text: &str, code: &str, encoding: Encoding) -> TextEdit {
    let at = if text.starts_with("#!") && !text.starts_with("#![") {
        text.find('\n').map_or(text.len(), |i| i + 1)
    } else {
        0
    };
    let position = encoding.position(text, at);
    let newline = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    TextEdit {
        range: Range::new(position, position),
        new_text: format!("{newline}// forklint: allow-file({code})\n"),
    }
}
