//! Parsing one file with `syn`, safely.
//!
//! syn parses by recursive descent, so absurdly nested input (tens of thousands of parentheses,
//! closures or generic arguments) would overflow the stack and kill the process. Before parsing,
//! a linear scan measures nesting; past [`MAX_NESTING`] the file is refused with a clear error.
//! Workers run on threads with [`STACK_SIZE`] bytes of stack, sized so that anything under the
//! limit parses, lowers and drops safely. A byte-order mark and a `#!` line are blanked (same
//! length) so that syn's byte offsets are offsets into the original text.

use std::borrow::Cow;

use crate::source::TextRange;

/// Deepest nesting accepted (brackets, unclosed `<`, prefix operators, closures per statement).
pub const MAX_NESTING: usize = 1_000;

/// Stack of each worker thread; only the pages a deep file touches are ever committed.
pub const STACK_SIZE: usize = 256 << 20;

/// Why a file could not be turned into a syntax tree.
#[derive(Debug)]
pub enum ParseFailure {
    /// syn rejected the file: an FL000 finding at `range`.
    Syntax { range: TextRange, message: String },
    /// Nested deeper than forklint parses safely: a tool error.
    TooDeep { depth: usize, offset: usize },
}

/// The text syn sees: BOM and shebang blanked with spaces of the same byte length.
pub fn parse_text(text: &str) -> Cow<'_, str> {
    let bom = text.starts_with('\u{feff}');
    let body = if bom { &text[3..] } else { text };
    let shebang_len = if body.starts_with("#!") && !body[2..].trim_start().starts_with('[') {
        body.find('\n').unwrap_or(body.len())
    } else {
        0
    };
    if !bom && shebang_len == 0 {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    if bom {
        out.push_str("   ");
    }
    out.extend(std::iter::repeat_n(' ', shebang_len));
    out.push_str(&body[shebang_len..]);
    Cow::Owned(out)
}

/// The deepest nesting in `text` and where it is reached, skipping comments and literals.
pub fn nesting_depth(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut angle: usize = 0;
    let mut bars: usize = 0;
    let mut prefix_run: usize = 0;
    let mut max = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut level = 0usize;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        level -= 1;
                        i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'"' => {
                // Raw strings `r#"..."#` are handled by their `r`/`#` prefix below; this is a
                // plain string: skip to the closing quote, honouring escapes.
                let raw_hashes = raw_prefix(bytes, i);
                i += 1;
                match raw_hashes {
                    Some(hashes) => {
                        while i < bytes.len() {
                            if bytes[i] == b'"'
                                && bytes[i + 1..]
                                    .iter()
                                    .take(hashes)
                                    .filter(|c| **c == b'#')
                                    .count()
                                    == hashes
                            {
                                i += 1 + hashes;
                                break;
                            }
                            i += 1;
                        }
                    }
                    None => {
                        while i < bytes.len() && bytes[i] != b'"' {
                            if bytes[i] == b'\\' {
                                i += 1;
                            }
                            i += 1;
                        }
                        i += 1;
                    }
                }
                prefix_run = 0;
                continue;
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{..}') or a lifetime ('a): skip literals only.
                if bytes.get(i + 2) == Some(&b'\'') {
                    i += 3;
                    continue;
                }
                if bytes.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < bytes.len() && bytes[i] != b'\'' && bytes[i] != b'\n' {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if b == b'{' {
                    angle = 0;
                    bars = 0;
                }
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if b == b'}' {
                    angle = 0;
                    bars = 0;
                }
            }
            b';' | b',' => {
                angle = 0;
                bars = 0;
            }
            b'<' => {
                let next = bytes.get(i + 1).copied();
                if next != Some(b'=') && next != Some(b'<') {
                    angle += 1;
                }
            }
            b'>' => {
                let prev = if i > 0 { bytes[i - 1] } else { 0 };
                if prev != b'-' && prev != b'=' && prev != b'>' {
                    angle = angle.saturating_sub(1);
                }
            }
            b'|' => bars += 1,
            _ => {}
        }
        if matches!(b, b'!' | b'-' | b'*' | b'&') {
            prefix_run += 1;
        } else if !b.is_ascii_whitespace() && !matches!(b, b'(' | b'[' | b'{') {
            prefix_run = 0;
        }
        let level = depth + angle + bars / 2 + prefix_run;
        if level > max.0 {
            max = (level, i);
        }
        i += 1;
    }
    max
}

/// If the `"` at `i` opens a raw string (`r"`, `r#"`, `br##"`), the number of `#`s.
fn raw_prefix(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    let mut hashes = 0;
    while j > 0 && bytes[j - 1] == b'#' {
        hashes += 1;
        j -= 1;
    }
    if j > 0 && bytes[j - 1] == b'r' {
        Some(hashes)
    } else {
        None
    }
}

/// Parses `text` into a syntax tree, or says why not.
pub fn parse_file(text: &str) -> Result<syn::File, ParseFailure> {
    let (depth, offset) = nesting_depth(text);
    if depth > MAX_NESTING {
        return Err(ParseFailure::TooDeep { depth, offset });
    }
    let prepared = parse_text(text);
    syn::parse_file(&prepared).map_err(|err| {
        let range = crate::model::lower::range(err.span());
        let message = err.to_string();
        // proc-macro2's lexer reports unbalanced delimiters and invalid tokens in its own words.
        let message = if message == "cannot parse string into token stream" {
            "cannot tokenize the file (an unclosed delimiter or an invalid token)".to_string()
        } else {
            message
        };
        ParseFailure::Syntax { range, message }
    })
}
