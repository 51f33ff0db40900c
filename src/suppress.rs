//! Suppression directives in comments (syn drops comments, so the text is scanned).
//!
//! ```text
//! // forklint: allow(FL001) reason        own line: the next statement or item
//! foo(); // forklint: allow(FL003)        trailing: this line
//! // forklint: allow-file(FL002)          before the first item: the whole file
//! ```
//! A directive must name rules; unknown names and bare `allow` are reported as errors.
//!
//! `#[cfg_attr(forklint, allow(forklint::FL001))]` on the line before an item works like an
//! own-line directive for that item (`#![cfg_attr(..)]` at the top: the whole file). rustc never
//! sets `cfg(forklint)`, so the attribute is inert when compiling; users declare the cfg with
//! `[lints.rust] unexpected_cfgs = { level = "warn", check-cfg = ["cfg(forklint)"] }`.
//! The attribute must sit on one line.

use crate::rules;
use crate::source::{SourceFile, TextRange};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Lines `first..=last` (1-based).
    Lines {
        first: u32,
        last: u32,
    },
    File,
}

#[derive(Clone, Debug)]
pub struct Directive {
    /// Rule codes this directive names.
    pub codes: Vec<&'static str>,
    pub scope: Scope,
    /// The directive comment's span (FL100's primary span).
    pub range: TextRange,
    pub line: u32,
}

/// A malformed directive: reported as a tool-level problem in the file.
#[derive(Clone, Debug)]
pub struct DirectiveError {
    pub range: TextRange,
    pub message: String,
}

/// Scans a file's comments for directives.
pub fn scan(source: &SourceFile) -> (Vec<Directive>, Vec<DirectiveError>) {
    let mut directives = Vec::new();
    let mut errors = Vec::new();
    let text = &*source.text;
    if !text.contains("forklint") {
        return (directives, errors);
    }
    let mut seen_item = false;
    let mut offset = 0usize;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (index, line) in lines.iter().enumerate() {
        let line_no = index as u32 + 1;
        let start = offset;
        offset += line.len();
        if let Some((inner, file_wide)) = cfg_attr_allow(line) {
            let indent = line.len() - line.trim_start().len();
            let range = TextRange::new(start + indent, start + line.trim_end().len());
            let codes = attr_codes(inner, range, &mut errors);
            if !file_wide {
                seen_item = true;
            }
            if !codes.is_empty() {
                let scope = if file_wide {
                    Scope::File
                } else {
                    next_statement(&lines, index)
                };
                directives.push(Directive {
                    codes,
                    scope,
                    range,
                    line: line_no,
                });
            }
            continue;
        }
        let Some(pos) = line.find("//") else {
            if !line.trim().is_empty() && !line.trim_start().starts_with("#!") {
                seen_item = true;
            }
            continue;
        };
        let code_before = line[..pos].trim();
        let comment = line[pos + 2..].trim_start_matches(['/', '!']).trim();
        let Some(rest) = comment.strip_prefix("forklint:") else {
            if !code_before.is_empty() && !code_before.starts_with("#!") {
                seen_item = true;
            }
            continue;
        };
        let range = TextRange::new(start + pos, start + line.trim_end().len());
        let rest = rest.trim();
        let (file_wide, args) = if let Some(args) = rest.strip_prefix("allow-file") {
            (true, args)
        } else if let Some(args) = rest.strip_prefix("allow") {
            (false, args)
        } else {
            errors.push(DirectiveError {
                range,
                message: "unknown forklint directive (expected `allow(..)` or `allow-file(..)`)"
                    .to_string(),
            });
            continue;
        };
        let args = args.trim_start();
        let Some(inner) = args
            .strip_prefix('(')
            .and_then(|a| a.split_once(')'))
            .map(|(i, _)| i)
        else {
            errors.push(DirectiveError {
                range,
                message: "a suppression must name the rules it allows, e.g. `allow(FL003)`"
                    .to_string(),
            });
            continue;
        };
        let mut codes = Vec::new();
        let mut bad = false;
        for name in inner.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match rules::find(name) {
                Some(meta) => codes.push(meta.code),
                None => {
                    bad = true;
                    errors.push(DirectiveError {
                        range,
                        message: format!("unknown rule `{name}` in suppression"),
                    });
                }
            }
        }
        if codes.is_empty() {
            if !bad {
                errors.push(DirectiveError {
                    range,
                    message: "a suppression must name the rules it allows, e.g. `allow(FL003)`"
                        .to_string(),
                });
            }
            continue;
        }
        let scope = if file_wide {
            if seen_item {
                errors.push(DirectiveError {
                    range,
                    message: "`allow-file` must come before the first item of the file".to_string(),
                });
                continue;
            }
            Scope::File
        } else if !code_before.is_empty() {
            Scope::Lines {
                first: line_no,
                last: line_no,
            }
        } else {
            // Own line: the next statement or item, through its end (found by bracket balance).
            next_statement(&lines, index + 1)
        };
        directives.push(Directive {
            codes,
            scope,
            range,
            line: line_no,
        });
    }
    (directives, errors)
}

/// Lines covered by the statement or item that starts at or after `from` (0-based index).
fn next_statement(lines: &[&str], from: usize) -> Scope {
    let mut index = from;
    // Skip blank lines, further comments and attributes.
    while index < lines.len() {
        let t = lines[index].trim();
        if t.is_empty() || t.starts_with("//") || (t.starts_with("#[") && t.ends_with(']')) {
            index += 1;
        } else {
            break;
        }
    }
    let first = index as u32 + 1;
    let mut depth: i64 = 0;
    let mut last = first;
    for (i, line) in lines.iter().enumerate().skip(index) {
        let code = line.split("//").next().unwrap_or("");
        for c in code.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
        last = i as u32 + 1;
        let t = code.trim_end();
        if depth <= 0 && (t.ends_with(';') || t.ends_with('}') || t.ends_with(',')) {
            break;
        }
        if depth < 0 {
            break;
        }
    }
    Scope::Lines { first, last }
}

/// The `allow(..)` list of a one-line `#[cfg_attr(forklint, allow(..))]`, and whether it is an
/// inner attribute (`#![..]`, the whole file).
fn cfg_attr_allow(line: &str) -> Option<(&str, bool)> {
    let t = line.trim_start();
    let (rest, file_wide) = match t.strip_prefix("#![") {
        Some(rest) => (rest, true),
        None => (t.strip_prefix("#[")?, false),
    };
    let rest = rest.trim_start().strip_prefix("cfg_attr")?.trim_start();
    let rest = rest
        .strip_prefix('(')?
        .trim_start()
        .strip_prefix("forklint")?;
    let rest = rest.trim_start().strip_prefix(',')?.trim_start();
    let rest = rest.strip_prefix("allow")?.trim_start().strip_prefix('(')?;
    let (inner, _) = rest.split_once(')')?;
    Some((inner, file_wide))
}

/// Rule codes named in an attribute's `allow(forklint::FL001, forklint::thread_before_fork)`.
fn attr_codes(
    inner: &str,
    range: TextRange,
    errors: &mut Vec<DirectiveError>,
) -> Vec<&'static str> {
    let mut codes = Vec::new();
    let names: Vec<&str> = inner
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        errors.push(DirectiveError {
            range,
            message: "a suppression must name the rules it allows, e.g. `allow(forklint::FL003)`"
                .to_string(),
        });
    }
    for name in names {
        let bare = name.strip_prefix("forklint::").unwrap_or(name);
        match rules::find(&bare.replace('_', "-")) {
            Some(meta) => codes.push(meta.code),
            None => errors.push(DirectiveError {
                range,
                message: format!("unknown rule `{name}` in suppression"),
            }),
        }
    }
    codes
}
