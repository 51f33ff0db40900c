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

use crate::base::source::{SourceFile, TextRange};
use crate::rules;

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
    let facts = lex_lines(text);
    for (index, line) in lines.iter().enumerate() {
        let line_no = index as u32 + 1;
        let start = offset;
        offset += line.len();
        let fact = facts.get(index).copied().unwrap_or_default();
        if !fact.starts_in_code {
            // Inside a string literal or a block comment: never a directive.
            continue;
        }
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
                });
            }
            continue;
        }
        let Some(pos) = fact.comment else {
            if fact.has_code && !line.trim_start().starts_with("#!") {
                seen_item = true;
            }
            continue;
        };
        let (Some(before), Some(after)) = (line.get(..pos), line.get(pos + 2..)) else {
            continue;
        };
        let code_before = before.trim();
        let comment = after.trim();
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

/// What the lexer knows about one line.
#[derive(Clone, Copy, Debug, Default)]
struct LineFacts {
    /// The line starts in code (not inside a string literal or a block comment).
    starts_in_code: bool,
    /// Byte offset of a plain `//` comment in the line (doc comments are not directives).
    comment: Option<usize>,
    /// Something other than whitespace and comments is on the line.
    has_code: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LexState {
    Code,
    Str,
    RawStr(usize),
    Block(usize),
}

/// A minimal Rust lexer: just enough to tell comments from strings, char literals and code, so a
/// `// forklint:` inside a string or a doc comment is not taken for a directive.
fn lex_lines(text: &str) -> Vec<LineFacts> {
    let bytes = text.as_bytes();
    let mut facts = Vec::new();
    let mut state = LexState::Code;
    let mut line_start = 0;
    let mut current = LineFacts {
        starts_in_code: true,
        ..LineFacts::default()
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if b == b'\n' {
            facts.push(current);
            line_start = i + 1;
            current = LineFacts {
                starts_in_code: state == LexState::Code,
                ..LineFacts::default()
            };
            i += 1;
            continue;
        }
        match state {
            LexState::Code => {
                if b == b'/' && next == Some(b'/') {
                    let rest = &bytes[i + 2..];
                    let doc = (rest.first() == Some(&b'/') && rest.get(1) != Some(&b'/'))
                        || rest.first() == Some(&b'!');
                    if !doc {
                        current.comment = Some(i - line_start);
                    }
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                if b == b'/' && next == Some(b'*') {
                    state = LexState::Block(1);
                    i += 2;
                    continue;
                }
                if !b.is_ascii_whitespace() {
                    current.has_code = true;
                }
                let after_ident =
                    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
                if b == b'"' {
                    state = LexState::Str;
                    i += 1;
                } else if (b == b'r' || (b == b'b' && next == Some(b'r'))) && !after_ident {
                    let j = if b == b'r' { i + 1 } else { i + 2 };
                    let hashes = bytes[j..].iter().take_while(|c| **c == b'#').count();
                    if bytes.get(j + hashes) == Some(&b'"') {
                        state = LexState::RawStr(hashes);
                        i = j + hashes + 1;
                    } else {
                        i += 1;
                    }
                } else if b == b'\'' {
                    i = skip_char_literal(text, i);
                } else {
                    i += 1;
                }
            }
            LexState::Str => {
                if b == b'\\' && next != Some(b'\n') {
                    i += 2;
                    continue;
                }
                if b == b'"' {
                    state = LexState::Code;
                }
                i += 1;
            }
            LexState::RawStr(hashes) => {
                let closes = b == b'"'
                    && bytes.len() >= i + 1 + hashes
                    && bytes[i + 1..i + 1 + hashes].iter().all(|c| *c == b'#');
                if closes {
                    state = LexState::Code;
                    i += 1 + hashes;
                } else {
                    i += 1;
                }
            }
            LexState::Block(depth) => {
                if b == b'/' && next == Some(b'*') {
                    state = LexState::Block(depth + 1);
                    i += 2;
                } else if b == b'*' && next == Some(b'/') {
                    state = if depth == 1 {
                        LexState::Code
                    } else {
                        LexState::Block(depth - 1)
                    };
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
    }
    facts.push(current);
    facts
}

/// Past a char literal starting at the quote `at` (`'a'`, `'\n'`, `'\''`), or just past the quote
/// of a lifetime (`'a`).
fn skip_char_literal(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(at + 1) == Some(&b'\\') {
        // Skip the escaped character, then to the closing quote; never past a line break (the
        // line table is built from the line breaks this lexer sees).
        let mut j = at + 2;
        if j < bytes.len() && bytes[j] != b'\n' {
            j += 1;
        }
        while j < bytes.len() && bytes[j] != b'\'' && bytes[j] != b'\n' {
            j += 1;
        }
        return if bytes.get(j) == Some(&b'\'') {
            j + 1
        } else {
            j
        };
    }
    match text[at + 1..].chars().next() {
        Some(c) if c != '\n' && bytes.get(at + 1 + c.len_utf8()) == Some(&b'\'') => {
            at + 2 + c.len_utf8()
        }
        _ => at + 1,
    }
}
