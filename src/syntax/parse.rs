//! Parsing one file with `syn`, safely.
//!
//! syn parses by recursive descent, so absurdly nested input (tens of thousands of parentheses,
//! closures or generic arguments) would overflow the stack and kill the process. Before parsing,
//! a linear scan measures nesting; past [`MAX_NESTING`] the file is refused with a clear error.
//! Workers run on threads with [`STACK_SIZE`] bytes of stack, sized so that anything under the
//! limit parses, lowers and drops safely. A byte-order mark and a `#!` line are blanked (same
//! length) so that syn's byte offsets are offsets into the original text.

use std::borrow::Cow;

use crate::base::source::TextRange;

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

/// The text syn sees: BOM, shebang and cargo-script frontmatter blanked with spaces of the same
/// byte length (newlines kept), so offsets, lines and columns stay those of `text`.
pub fn parse_text(text: &str) -> Cow<'_, str> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let shebang_len = if body.starts_with("#!") && !body[2..].trim_start().starts_with('[') {
        body.find('\n').unwrap_or(body.len())
    } else {
        0
    };
    let frontmatter = frontmatter(text, bom + shebang_len);
    if bom == 0 && shebang_len == 0 && frontmatter.is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    let mut blank = |range: std::ops::Range<usize>| {
        for b in &mut out[range] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    blank(0..bom + shebang_len);
    if let Some(range) = frontmatter {
        blank(range);
    }
    // Only whole lines (or the ASCII-delimited BOM/shebang) were blanked: still UTF-8.
    match String::from_utf8(out) {
        Ok(out) => Cow::Owned(out),
        Err(_) => Cow::Borrowed(text),
    }
}

/// The byte range of a cargo-script frontmatter block (`---cargo` .. `---`) starting at `from`
/// after blank lines, if there is a closed one.
fn frontmatter(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let rest = &text[from..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
    // Only whole blank lines may come first.
    let start = from + rest[..lead].rfind('\n').map_or(0, |i| i + 1);
    let opening = &text[start..];
    let dashes = opening.bytes().take_while(|b| *b == b'-').count();
    if dashes < 3 {
        return None;
    }
    let first_line_end = opening.find('\n')? + 1;
    let fence = &opening[..dashes];
    let mut at = first_line_end;
    for line in opening[first_line_end..].split_inclusive('\n') {
        at += line.len();
        if line.trim_end() == fence {
            return Some(start..start + at);
        }
    }
    None
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
    b"fn", b"let",
];

/// Keywords that take an operand and recurse into it, like a prefix operator (`match match x
/// {} {}`, `if if a {} else {} {}`: a condition or scrutinee may be another such expression).
const PREFIX_WORDS: &[&[u8]] = &[
    b"return", b"break", b"yield", b"box", b"if", b"match", b"while", b"for",
];

/// Keywords that continue the expression (or loop) before them, like a binary operator, also
/// after a `}`: `{0} as u8`, `if a {} else if`, `for S {} in for S {} in ..`.
const CHAIN_WORDS: &[&[u8]] = &[b"as", b"else", b"in"];

/// Which of the three keyword lists a word of 2 to 6 bytes is in.
#[derive(Clone, Copy, PartialEq, Debug)]
enum WordKind {
    Chain,
    Prefix,
    Neutral,
    Operand,
}

/// A word of at most 8 bytes as one integer (no byte is zero, so lengths cannot collide).
const fn word_key(word: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = 0;
    while i < word.len() {
        key = key << 8 | word[i] as u64;
        i += 1;
    }
    key
}

/// [`WordKind`] of `word` by one comparison of integers per keyword, not a `memcmp` per list
/// entry: the scan asks it for most identifiers of a file.
fn word_kind(word: &[u8]) -> WordKind {
    const fn keys<const N: usize>(words: &[&[u8]]) -> [u64; N] {
        let mut out = [0u64; N];
        let mut i = 0;
        while i < N {
            out[i] = word_key(words[i]);
            i += 1;
        }
        out
    }
    const CHAIN: [u64; CHAIN_WORDS.len()] = keys(CHAIN_WORDS);
    const PREFIX: [u64; PREFIX_WORDS.len()] = keys(PREFIX_WORDS);
    const NEUTRAL: [u64; NEUTRAL_WORDS.len()] = keys(NEUTRAL_WORDS);
    if word.len() > 8 {
        return WordKind::Operand;
    }
    let key = word_key(word);
    if CHAIN.contains(&key) {
        WordKind::Chain
    } else if PREFIX.contains(&key) {
        WordKind::Prefix
    } else if NEUTRAL.contains(&key) {
        WordKind::Neutral
    } else {
        WordKind::Operand
    }
}

/// An over-estimate of how deeply syn recurses on `text` (and of the depth of the tree it
/// builds), skipping comments and literals, and where it is reached. Stops counting as soon as
/// [`MAX_NESTING`] is passed, so memory stays bounded on any input.
///
/// The depth is the bracket depth plus, for every open bracket level, the constructs in
/// [`Frame`]. Separators end them: `;` and `=>` all of them, `}` all of them only where a new
/// item or statement follows (see [`block_ends_construct`]), `,` those that cannot span one.
pub fn nesting_depth(text: &str) -> (usize, usize) {
    nesting_and_docs(text, &mut Vec::new(), &mut Vec::new())
}

/// std's macros whose arguments are always expressions, written as calls so that syn parses
/// their arguments with the file (see [`parse_file`]).
pub const EXPRESSION_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
];

/// The byte a blanked macro `!` becomes: a form feed, whitespace to syn, and never in real code
/// between a name and `(` (lowering tells such a call from a function call by it).
pub const BLANKED_BANG: u8 = 0x0c;

/// [`nesting_depth`], and the byte ranges of the doc comments it passes (`///`, `//!`, `/**`,
/// `/*!`), pushed to `docs`, and the offsets of the `!` of [`EXPRESSION_MACROS`] invoked with
/// parentheses outside any other macro's arguments, pushed to `bangs`.
fn nesting_and_docs(
    text: &str,
    docs: &mut Vec<std::ops::Range<usize>>,
    bangs: &mut Vec<usize>,
) -> (usize, usize) {
    let bytes = text.as_bytes();
    // Where the group opening a macro's arguments is expected (`m!(`: the `(`), and the depth
    // of the frame of the outermost macro's arguments being scanned (0: none).
    let mut macro_group_at = usize::MAX;
    let mut in_macro_from = 0usize;
    let mut frames: Vec<Frame> = vec![Frame::default()];
    // Sum of `level()` of every frame below the top one (they do not change while covered).
    let mut below: usize = 0;
    // Whether the last token was an operand (so `-`, `*`, `&`, `|` are binary, not prefix).
    let mut after_operand = false;
    let mut max = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
            // Whitespace changes no state, so the level after it is the one already measured
            // (a third of the bytes of typical code: skipped in a tight loop).
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\t' | b'\r') {
                i += 1;
            }
            continue;
        }
        let mut next = i + 1;
        {
            let top = frames
                .last_mut()
                .expect("the outermost frame is never popped");
            match b {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    next = bytes[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(bytes.len(), |n| i + n);
                    let third = bytes.get(i + 2);
                    if third == Some(&b'!')
                        || (third == Some(&b'/') && bytes.get(i + 3) != Some(&b'/'))
                    {
                        docs.push(i..next);
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
                    // `/**` and `/*!` open doc comments; `/***` and `/**/` are plain.
                    let third = bytes.get(i + 2);
                    if third == Some(&b'!')
                        || (third == Some(&b'*') && !matches!(bytes.get(i + 3), Some(b'*' | b'/')))
                    {
                        docs.push(i..next.min(bytes.len()));
                    }
                }
                b'"' => {
                    next = skip_string(bytes, i);
                    top.prefix = 0;
                    after_operand = true;
                }
                b'\'' => {
                    // A char literal ('a', 'é', '\n', '\'', '\u{..}') or a lifetime ('a): skip
                    // literals only. The char is decoded, not taken as one byte, so a multi-byte
                    // char literal does not throw the scan out of step with the lexer.
                    let char_len = bytes.get(i + 1).map_or(1, |&c| utf8_len(c));
                    if bytes.get(i + 1) == Some(&b'\\') {
                        // Past the backslash and the escaped char, then to the closing quote.
                        next = i + 2 + bytes.get(i + 2).map_or(1, |&c| utf8_len(c));
                        while next < bytes.len() && bytes[next] != b'\'' && bytes[next] != b'\n' {
                            next += 1;
                        }
                        next += 1;
                        top.prefix = 0;
                        after_operand = true;
                    } else if bytes.get(i + 1 + char_len) == Some(&b'\'') {
                        next = i + 2 + char_len;
                        top.prefix = 0;
                        after_operand = true;
                    } else {
                        // A lifetime or label: part of what follows (`&'a &'a T`), not an operand.
                        while next < bytes.len()
                            && (bytes[next].is_ascii_alphanumeric()
                                || bytes[next] == b'_'
                                || bytes[next] >= 0x80)
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
                    if i == macro_group_at && in_macro_from == 0 {
                        in_macro_from = frames.len();
                    }
                    after_operand = false;
                }
                b')' | b']' | b'}' => {
                    if frames.len() > 1 {
                        frames.pop();
                        if frames.len() < in_macro_from {
                            in_macro_from = 0;
                        }
                        let top = frames.last_mut().expect("not the outermost frame");
                        below -= top.level();
                        top.prefix = 0;
                        if b == b'}' && block_ends_construct(bytes, i + 1) {
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
                    // A match arm's pattern and guard end here; its body is their sibling (an
                    // unclosed `<` here was a comparison in the guard).
                    *top = Frame::default();
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
                    } else if top.angle == 0 {
                        // No `<` to close: a comparison or a shift (`a >> b >> c`).
                        top.chain += 1;
                    } else {
                        top.angle -= 1;
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
                b'@' => {
                    // `a @ b @ c`: each binding holds the rest as its subpattern.
                    top.chain += 1;
                    after_operand = false;
                }
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
                    if bytes.get(next) == Some(&b'!')
                        && matches!(bytes.get(next + 1), Some(b'(' | b'[' | b'{'))
                    {
                        // A macro invocation: an expression macro outside other macros' tokens
                        // is written as a call; any other macro's arguments are tokens, left as
                        // they are.
                        if in_macro_from == 0
                            && bytes[next + 1] == b'('
                            && EXPRESSION_MACROS.iter().any(|m| m.as_bytes() == word)
                            && (i == 0 || !matches!(bytes[i - 1], b'$' | b'.' | b'#'))
                        {
                            bangs.push(next);
                        } else {
                            macro_group_at = next + 1;
                        }
                    }
                    if bytes.get(next) == Some(&b'"')
                        || (bytes.get(next) == Some(&b'#') && matches!(word, b"r" | b"br" | b"cr"))
                    {
                        // A string prefix (`b"`, `r#"`): the string is skipped next round.
                    } else if !(2..=6).contains(&word.len()) || !word[0].is_ascii_lowercase() {
                        // No keyword of the three lists (2 to 6 lowercase letters): an operand.
                        top.prefix = 0;
                        after_operand = true;
                    } else {
                        match word_kind(word) {
                            WordKind::Chain => {
                                top.chain += 1;
                                after_operand = false;
                            }
                            WordKind::Prefix => {
                                top.prefix += 1;
                                after_operand = false;
                            }
                            WordKind::Neutral => after_operand = false,
                            WordKind::Operand => {
                                top.prefix = 0;
                                after_operand = true;
                            }
                        }
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

/// The length of the UTF-8 sequence that `lead` starts (1 for a stray continuation byte).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Whether the `}` just before `i` ends every construct open in its bracket level: only when a
/// new item or statement follows (a word other than [`CHAIN_WORDS`], an attribute, a label, a
/// literal, or the end of the text). Before an operator, `.`, `?`, `,`, `>` or a bracket the
/// braces may be an operand (`0 + {0} + ..`, `a = {0} = ..`, `A<{0}, A<{0}, ..>>`), and the
/// tree syn builds goes on nesting through them.
fn block_ends_construct(bytes: &[u8], mut i: usize) -> bool {
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes[i.min(bytes.len())..].starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if bytes[i.min(bytes.len())..].starts_with(b"/*") {
            let mut level = 0usize;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    level += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    level -= 1;
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            break;
        }
    }
    let Some(&b) = bytes.get(i) else {
        return true;
    };
    if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
        let end = i + bytes[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c >= 0x80)
            .count();
        return !CHAIN_WORDS.contains(&&bytes[i..end]);
    }
    matches!(b, b'#' | b'\'' | b'"' | b'0'..=b'9')
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

/// A file's syntax tree and the text syn parsed (see [`parse_file`]), for lowering.
pub struct Parsed<'a> {
    pub file: syn::File,
    pub text: Cow<'a, str>,
}

/// Parses `text` into a syntax tree, or says why not.
///
/// Doc comments are blanked first (same length, newlines kept): syn would make each line an
/// attribute holding a string literal, a fifth of the corpus's bytes (348,000 lines) turned into
/// tokens and nodes that no rule reads. The `!` of std's assertion macros invoked with
/// parentheses outside other macros' arguments (`assert_eq!(a, b)`, see [`EXPRESSION_MACROS`])
/// is blanked too, to [`BLANKED_BANG`]: syn then parses their arguments with the file, as a
/// call's, instead of keeping tokens that lowering would copy and parse a second time; lowering
/// turns such a call back into the same macro node (a test compares the IR of both ways). A file
/// that syn rejects so is parsed again as it is, so that the blanking never changes what parses
/// or the error a file gets.
pub fn parse_file(text: &str) -> Result<Parsed<'_>, ParseFailure> {
    parse_file_with(text, true)
}

/// [`parse_file`], with expression macros written as calls or not (the test that both lower to
/// the same IR compares the two).
fn parse_file_with(text: &str, macros_as_calls: bool) -> Result<Parsed<'_>, ParseFailure> {
    let mut docs = Vec::new();
    let mut bangs = Vec::new();
    let (depth, offset) = nesting_and_docs(text, &mut docs, &mut bangs);
    if !macros_as_calls {
        bangs.clear();
    }
    if depth > MAX_NESTING {
        return Err(ParseFailure::TooDeep { depth, offset });
    }
    let prepared = parse_text(text);
    if !docs.is_empty() || !bangs.is_empty() {
        let mut blanked = prepared.clone().into_owned().into_bytes();
        for range in docs {
            for b in &mut blanked[range] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
        // (`bench-no-macro-args`: a measurement build keeps std's assertions as macros.)
        if !cfg!(feature = "bench-no-macro-args") {
            for at in bangs {
                blanked[at] = BLANKED_BANG;
            }
        }
        // Whole comments (from `/` to a newline, or to the end of `*/`) and single `!`s became
        // ASCII whitespace.
        if let Ok(blanked) = String::from_utf8(blanked) {
            if let Ok(file) = crate::syntax::scratch::scoped(|| syn::parse_file(&blanked)) {
                return Ok(Parsed {
                    file,
                    text: Cow::Owned(blanked),
                });
            }
        }
    }
    let file = crate::syntax::scratch::scoped(|| syn::parse_file(&prepared)).map_err(|err| {
        let range = crate::syntax::lower::range(err.span());
        let message = err.to_string();
        // proc-macro2's lexer reports unbalanced delimiters and invalid tokens in its own words.
        let message = if message == "cannot parse string into token stream" {
            "cannot tokenize the file (an unclosed delimiter or an invalid token)".to_string()
        } else {
            message
        };
        ParseFailure::Syntax { range, message }
    })?;
    Ok(Parsed {
        file,
        text: prepared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_statements_and_arms_after_braces_do_not_add_up() {
        // A `}` before a new item, statement or arm still ends what was open in its level.
        let mut text = String::new();
        for _ in 0..2_000 {
            text.push_str("#[inline]\nfn f() -> u8 { if a < b { g() } else { h() } x.f() }\n");
            text.push_str("impl<T> A<T> for B { fn g(&self) -> Vec<u8> { vec![] } } // c\n");
        }
        text.push_str("fn m() { match x {\n");
        for _ in 0..2_000 {
            text.push_str("    S { a } if a < 1 => { a.b() }\n    _ if y > 2 => {},\n");
        }
        text.push_str("} }\n");
        let (depth, _) = nesting_depth(&text);
        assert!(depth < 20, "{depth}");
    }

    /// Expression macros written as calls lower to the same IR as when syn leaves them tokens,
    /// and macro arguments parsed the quick way (`lower::quick`) to the same IR as when syn
    /// parses every one: over this project's sources and fixtures, and over any directory named
    /// by `FORKLINT_IR_CORPUS` (the shared corpus was checked so: 0 differences).
    #[test]
    fn macros_as_calls_lower_to_the_same_ir() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("src"), root.join("fixtures"), root.join("tests")];
        if let Some(extra) = std::env::var_os("FORKLINT_IR_CORPUS") {
            dirs.push(extra.into());
        }
        let vocab = crate::vocab::Vocab::builtin();
        let lowered = |text: &str, as_calls: bool, quick: bool| {
            crate::syntax::lower::quick_off(!quick);
            let parsed = parse_file_with(text, as_calls).ok()?;
            let id = crate::base::source::FileId::from_index(0);
            let model = crate::syntax::lower::lower_file_with_text(
                &parsed.file,
                &parsed.text,
                id,
                "crate",
                &vocab,
            );
            crate::syntax::lower::quick_off(false);
            Some(crate::ir::pretty::file(&model))
        };
        let (mut files, mut as_calls, mut fell_back, mut differ) = (0, 0, 0, Vec::new());
        for dir in dirs {
            for entry in ignore::WalkBuilder::new(dir)
                .standard_filters(false)
                .build()
                .flatten()
            {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                if text.len() > crate::syntax::scratch::MAX_FILE || nesting_depth(&text).0 > 300 {
                    continue;
                }
                files += 1;
                if parse_file(&text).is_ok_and(|p| p.text.as_bytes().contains(&BLANKED_BANG)) {
                    as_calls += 1;
                } else {
                    let mut bangs = Vec::new();
                    nesting_and_docs(&text, &mut Vec::new(), &mut bangs);
                    if !bangs.is_empty() && parse_file_with(&text, false).is_ok() {
                        // Written as calls, the file did not parse: parsed twice.
                        fell_back += 1;
                    }
                }
                let ir = lowered(&text, true, true);
                if ir != lowered(&text, false, true) || ir != lowered(&text, true, false) {
                    differ.push(path.display().to_string());
                }
            }
        }
        assert!(
            files > 100 && as_calls > 10,
            "{files} files, {as_calls} with calls"
        );
        if std::env::var_os("FORKLINT_IR_CORPUS").is_some() {
            eprintln!("{files} files, {as_calls} with expression macros written as calls, {fell_back} parsed again as they are");
        }
        assert!(
            differ.is_empty(),
            "{} of {files} differ: {differ:?}",
            differ.len()
        );
    }

    #[test]
    fn word_kinds_are_those_of_the_lists() {
        for (list, kind) in [
            (CHAIN_WORDS, WordKind::Chain),
            (PREFIX_WORDS, WordKind::Prefix),
            (NEUTRAL_WORDS, WordKind::Neutral),
        ] {
            for word in list {
                assert_eq!(word_kind(word), kind, "{}", String::from_utf8_lossy(word));
            }
        }
        for word in ["a", "ifs", "matchx", "self", "return_", "elsewhere", "asin"] {
            assert_eq!(word_kind(word.as_bytes()), WordKind::Operand, "{word}");
        }
    }

    #[test]
    fn doc_comments_are_found_and_blanked_with_their_length() {
        let text = "//! inner\n/// outer é\n//// plain\n// plain\n/** block\n */ /*! inner */ /*** plain */ /**/\nfn f() { let s = \"/// no\"; let r = r#\"//! no\"#; let c = '/'; } /// end";
        let mut docs = Vec::new();
        nesting_and_docs(text, &mut docs, &mut Vec::new());
        let found: Vec<&str> = docs.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            found,
            [
                "//! inner",
                "/// outer é",
                "/** block\n */",
                "/*! inner */",
                "/// end"
            ]
        );
        let parsed = parse_file(text).expect("parses");
        assert_eq!(parsed.text.len(), text.len());
        assert!(
            parsed.file.attrs.is_empty(),
            "the inner doc comment is gone"
        );
        assert!(parsed.text.contains("\"/// no\"") && parsed.text.contains("//! no"));
        assert_eq!(parsed.text.lines().count(), text.lines().count());
    }

    #[test]
    fn char_literals_keep_the_scan_in_step() {
        // Each would have hidden the parentheses after it from a byte-wise scan.
        let text = |lit: &str| format!("fn f() {{ let c = ({lit},'\"'); let x = ((((1)))); }}");
        let plain = nesting_depth(&text("'a'")).0;
        for lit in ["'é'", "'\"'", "'日'", "'🦀'", "'\\''", "'\\\\'", "b'\"'"] {
            assert_eq!(nesting_depth(&text(lit)).0, plain, "{}", text(lit));
        }
    }

    #[test]
    fn frontmatter_is_blanked_in_place() {
        let text = "#!/usr/bin/env cargo\n\n---cargo\n[deps]\né = 1\n---\nfn main() {}\n";
        let prepared = parse_text(text);
        assert_eq!(prepared.len(), text.len());
        assert_eq!(prepared.lines().count(), text.lines().count());
        assert!(parse_file(text).is_ok());
        // Unclosed: left alone (and a syntax error).
        assert!(parse_file("---\nfn main() {}\n").is_err());
    }
}
