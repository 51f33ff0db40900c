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

/// Deepest nesting accepted, as [`nesting_depth`] counts it (real code stays under 150: the
/// deepest file of the 5,525 in the benchmark corpus reaches 141).
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

/// Counters of one bracket level: constructs that syn parses by recursion (or that make deep
/// trees, which lowering walks and `Drop` frees by recursion) without a bracket of their own.
#[derive(Clone, Copy, Default)]
struct Frame {
    /// Unclosed `<`: generic arguments (`Vec<Vec<..>>`, also through commas).
    angle: usize,
    /// `|`: closures (two per closure, commas included), or-patterns and `||`.
    bars: usize,
    /// `->`: return types (`fn() -> fn() -> ..`).
    arrows: usize,
    /// Prefix operators and prefix keywords in a row (`!!x`, `&mut &mut x`, `return return`).
    prefix: usize,
    /// Postfix and binary operators since the last separator (`x.f().g()?`, `a + b + c`, `as`,
    /// `else if`): syn parses them in a loop but builds a tree as deep as the chain.
    chain: usize,
}

impl Frame {
    fn level(&self) -> usize {
        self.angle + self.bars / 2 + self.arrows + self.prefix + self.chain
    }
}

/// Keywords that continue a prefix run (`&mut`, `*const`, `move |x|`, `dyn Fn`) rather than end it.
const NEUTRAL_WORDS: &[&[u8]] = &[
    b"mut", b"const", b"raw", b"dyn", b"impl", b"move", b"static", b"async", b"unsafe", b"ref",
    b"fn", b"for", b"in", b"if", b"match", b"while", b"let",
];

/// Keywords that take an operand and recurse into it, like a prefix operator.
const PREFIX_WORDS: &[&[u8]] = &[b"return", b"break", b"yield", b"box"];

/// An over-estimate of how deeply syn recurses on `text` (and of the depth of the tree it
/// builds), skipping comments and literals, and where it is reached. Stops counting as soon as
/// [`MAX_NESTING`] is passed, so memory stays bounded on any input.
///
/// The depth is the bracket depth plus, for every open bracket level, the constructs in
/// [`Frame`]. Separators end them: `;` and `}` all of them (`}` not before `else`), `,` and `=>`
/// those that cannot span one.
pub fn nesting_depth(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame> = vec![Frame::default()];
    // Sum of `level()` of every frame below the top one (they do not change while covered).
    let mut below: usize = 0;
    // Whether the last token was an operand (so `-`, `*`, `&`, `|` are binary, not prefix).
    let mut after_operand = false;
    let mut max = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let mut next = i + 1;
        {
            let top = frames
                .last_mut()
                .expect("the outermost frame is never popped");
            match b {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while next < bytes.len() && bytes[next] != b'\n' {
                        next += 1;
                    }
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let mut level = 0usize;
                    let mut j = i;
                    while j < bytes.len() {
                        if bytes[j] == b'/' && bytes.get(j + 1) == Some(&b'*') {
                            level += 1;
                            j += 2;
                        } else if bytes[j] == b'*' && bytes.get(j + 1) == Some(&b'/') {
                            level -= 1;
                            j += 2;
                            if level == 0 {
                                break;
                            }
                        } else {
                            j += 1;
                        }
                    }
                    next = j;
                }
                b'"' => {
                    next = skip_string(bytes, i);
                    top.prefix = 0;
                    after_operand = true;
                }
                b'\'' => {
                    // A char literal ('a', '\n', '\u{..}') or a lifetime ('a): skip literals only.
                    if bytes.get(i + 2) == Some(&b'\'') {
                        next = i + 3;
                        top.prefix = 0;
                        after_operand = true;
                    } else if bytes.get(i + 1) == Some(&b'\\') {
                        next = i + 2;
                        while next < bytes.len() && bytes[next] != b'\'' && bytes[next] != b'\n' {
                            next += 1;
                        }
                        next += 1;
                        top.prefix = 0;
                        after_operand = true;
                    } else {
                        // A lifetime or label: part of what follows (`&'a &'a T`), not an operand.
                        while next < bytes.len()
                            && (bytes[next].is_ascii_alphanumeric() || bytes[next] == b'_')
                        {
                            next += 1;
                        }
                    }
                }
                b'(' | b'[' | b'{' => {
                    if after_operand && b != b'{' {
                        // A call or an index (`f()()`, `a[0][0]`) extends the chain.
                        top.chain += 1;
                    }
                    below += top.level();
                    frames.push(Frame::default());
                    after_operand = false;
                }
                b')' | b']' | b'}' => {
                    if frames.len() > 1 {
                        frames.pop();
                        let top = frames.last_mut().expect("not the outermost frame");
                        below -= top.level();
                        top.prefix = 0;
                        if b == b'}' && !next_word_is(bytes, i + 1, b"else") {
                            *top = Frame::default();
                        }
                    }
                    after_operand = true;
                }
                b';' => {
                    *top = Frame::default();
                    after_operand = false;
                }
                b',' => {
                    top.prefix = 0;
                    top.chain = 0;
                    top.arrows = 0;
                    after_operand = false;
                }
                b'=' if bytes.get(i + 1) == Some(&b'>') => {
                    top.bars = 0;
                    top.prefix = 0;
                    top.chain = 0;
                    next = i + 2;
                    after_operand = false;
                }
                b'-' if bytes.get(i + 1) == Some(&b'>') => {
                    top.arrows += 1;
                    next = i + 2;
                    after_operand = false;
                }
                b'<' => {
                    if matches!(bytes.get(i + 1), Some(b'=' | b'<')) {
                        top.chain += 1;
                        next = i + 2;
                    } else {
                        top.angle += 1;
                    }
                    after_operand = false;
                }
                b'>' => {
                    if bytes.get(i + 1) == Some(&b'=') {
                        top.chain += 1;
                        next = i + 2;
                    } else {
                        top.angle = top.angle.saturating_sub(1);
                    }
                    after_operand = false;
                }
                b'|' => {
                    if bytes.get(i + 1) == Some(&b'|') {
                        top.bars += 2;
                        next = i + 2;
                    } else {
                        top.bars += 1;
                    }
                    after_operand = false;
                }
                b'!' | b'-' | b'*' | b'&' => {
                    if after_operand && b != b'!' {
                        top.chain += 1;
                    } else {
                        top.prefix += 1;
                    }
                    after_operand = false;
                }
                b'#' => after_operand = false,
                b'+' | b'/' | b'%' | b'^' | b'=' | b'?' => {
                    top.chain += 1;
                    after_operand = b == b'?';
                }
                b'.' => {
                    if bytes.get(i + 1) == Some(&b'.') {
                        next = i + 2;
                        after_operand = false;
                    }
                    top.chain += 1;
                }
                b'0'..=b'9' => {
                    while next < bytes.len()
                        && (bytes[next].is_ascii_alphanumeric()
                            || bytes[next] == b'_'
                            || (bytes[next] == b'.'
                                && bytes.get(next + 1).is_some_and(u8::is_ascii_digit)))
                    {
                        next += 1;
                    }
                    top.prefix = 0;
                    after_operand = true;
                }
                _ if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                    while next < bytes.len()
                        && (bytes[next].is_ascii_alphanumeric()
                            || bytes[next] == b'_'
                            || bytes[next] >= 0x80)
                    {
                        next += 1;
                    }
                    let word = &bytes[i..next];
                    if bytes.get(next) == Some(&b'"')
                        || (bytes.get(next) == Some(&b'#') && matches!(word, b"r" | b"br" | b"cr"))
                    {
                        // A string prefix (`b"`, `r#"`): the string is skipped next round.
                    } else if word == b"as" || word == b"else" {
                        top.chain += 1;
                        after_operand = false;
                    } else if PREFIX_WORDS.contains(&word) {
                        top.prefix += 1;
                        after_operand = false;
                    } else if NEUTRAL_WORDS.contains(&word) {
                        after_operand = false;
                    } else {
                        top.prefix = 0;
                        after_operand = true;
                    }
                }
                _ => {}
            }
        }
        let top = frames.last().expect("the outermost frame is never popped");
        let level = frames.len() - 1 + below + top.level();
        if level > max.0 {
            max = (level, i);
            if level > MAX_NESTING {
                return max;
            }
        }
        i = next.max(i + 1);
    }
    max
}

/// The end of the string literal whose `"` is at `i` (raw strings by their `r#` prefix).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    match raw_prefix(bytes, i) {
        Some(hashes) => {
            while j < bytes.len() {
                if bytes[j] == b'"'
                    && bytes[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|c| **c == b'#')
                        .count()
                        == hashes
                {
                    return j + 1 + hashes;
                }
                j += 1;
            }
            j
        }
        None => {
            while j < bytes.len() && bytes[j] != b'"' {
                if bytes[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            j + 1
        }
    }
}

/// Whether the next word after `i` (skipping whitespace) is `word`.
fn next_word_is(bytes: &[u8], mut i: usize, word: &[u8]) -> bool {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    bytes[i.min(bytes.len())..].starts_with(word)
        && !bytes
            .get(i + word.len())
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
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
