//! Spans as byte ranges: lowering records every node's place in the file as a `TextRange`,
//! and proc-macro2's own conversion is slow on large files (see [`SpanIndex`]).

use super::*;

/// Converts a span to a byte range in the file being lowered (slow path: proc-macro2 counts
/// chars from its last cached point; lowering uses [`SpanIndex`] instead).
pub fn range(span: Span) -> TextRange {
    let r = span.byte_range();
    TextRange::new(r.start, r.end)
}

/// Byte offsets of spans in the text syn parsed, from their line and column.
///
/// proc-macro2 finds a span's line and column (in chars) by binary search; its `byte_range()`
/// instead counts chars from the nearest offset it has cached, in a `BTreeMap` per file. Here a
/// column is a byte offset on ASCII-only lines (nearly all), and a short scan on the others.
pub struct SpanIndex<'t> {
    text: &'t str,
    /// Byte offset of each line start.
    starts: Vec<u32>,
    /// Whether each line is ASCII-only.
    ascii: Vec<bool>,
}

impl<'t> SpanIndex<'t> {
    /// `text` must be the text syn parsed (`parse::Parsed::text`).
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        let mut ascii = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        let mut start = 0;
        for i in memchr::memchr_iter(b'\n', bytes) {
            ascii.push(bytes[start..i].is_ascii());
            start = i + 1;
            starts.push(u32::try_from(start).unwrap_or(u32::MAX));
        }
        ascii.push(bytes[start..].is_ascii());
        SpanIndex {
            text,
            starts,
            ascii,
        }
    }

    /// The byte offset of a line/column (1-based line, column in chars), as `byte_range()` gives.
    fn offset(&self, at: LineColumn) -> usize {
        let line0 = at.line.saturating_sub(1);
        let Some(&start) = self.starts.get(line0) else {
            return self.text.len();
        };
        let start = start as usize;
        if self.ascii[line0] {
            return (start + at.column).min(self.text.len());
        }
        match self.text[start..].char_indices().nth(at.column) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }

    /// The byte at `offset` of the text syn parsed.
    pub fn byte(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(offset).copied()
    }

    pub fn range(&self, first: Span, last: Span) -> TextRange {
        TextRange::new(self.offset(first.start()), self.offset(last.end()))
    }
}

impl Lowerer<'_, '_> {
    /// The byte range of one span.
    pub(super) fn range(&self, span: Span) -> TextRange {
        self.extent(span, span)
    }

    /// From the start of `first` to the end of `last`.
    pub(super) fn extent(&self, first: Span, last: Span) -> TextRange {
        self.spans.range(first, last)
    }

    /// `extent::expr_first(expr)`, from the method call just lowered when `expr` is that call:
    /// a chain's links all start where its root does, found once rather than at every link.
    pub(super) fn chain_first(&self, expr: &Expr) -> Span {
        match &self.chain {
            Some(link) if self.is_link(link, expr) => link.first,
            _ => extent::expr_first(expr),
        }
    }

    /// Whether `expr` is the method call `link` was made for.
    pub(super) fn is_link(&self, link: &ChainLink, expr: &Expr) -> bool {
        matches!(expr, Expr::MethodCall(mc) if self.range(mc.method.span()) == link.method)
    }

    /// The range of a whole expression (what `range(expr.span())` gives, without printing it).
    pub(super) fn expr_range(&self, expr: &Expr) -> TextRange {
        self.extent(extent::expr_first(expr), extent::expr_last(expr))
    }
}
