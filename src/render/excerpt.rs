//! The part of a file one `full` finding shows: its labels' lines with one line of context,
//! long lines clipped around the labels and control characters escaped.
//!
//! miette echoes every line it shows in full and formats columns with `{:width$}`, which panics
//! past column 65535: a finding on a 50 MB minified line would print 50 MB, or abort the run.
//! So each finding gets a small excerpt of its own, in *excerpt offsets*: the shown lines laid
//! out one after the other, each clipped to the surroundings of the label ends on it (`…` marks
//! what is left out), a raw control character (an ESC or a bare CR in a string literal) written
//! as its escape (`\u{1b}`) so the source cannot drive the terminal. Labels are mapped into the
//! excerpt; line numbers and the header's column stay those of the file.

use std::fmt::Write as _;

use crate::base::source::{SourceFile, TextRange};

/// A line up to this many bytes is shown whole.
const MAX_LINE: usize = 240;
/// Bytes kept on each side of a label end on a long line.
const MARGIN: usize = 60;
const ELLIPSIS: &str = "…";

/// A stretch of the file and the excerpt text that stands for it.
#[derive(Clone, Copy, Debug)]
struct Piece {
    orig: (usize, usize),
    shown: (usize, usize),
}

impl Piece {
    /// Copied verbatim, so every offset inside maps one to one.
    fn is_verbatim(&self) -> bool {
        self.orig.1 - self.orig.0 == self.shown.1 - self.shown.0
    }
}

/// Consecutive file lines shown together (one miette snippet at most).
#[derive(Debug)]
struct Run {
    /// 0-based file line of each shown line, and its excerpt offset.
    lines: Vec<(usize, usize)>,
    /// Excerpt offset just past the run (its last line has no line break).
    end: usize,
}

/// One finding's excerpt of one file.
#[derive(Debug)]
pub struct Excerpt {
    pub text: String,
    pieces: Vec<Piece>,
    runs: Vec<Run>,
}

/// Whether `c` must not reach a terminal raw (C0/C1 controls but tab, bidirectional overrides).
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with unsafe characters (see [`is_unsafe_char`]) written as Rust escapes, so that a
/// message quoting a string literal stays on one line and cannot start a CI workflow command
/// (`::error`) or a terminal escape sequence.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "{}", c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The nearest char boundary at or below `i`.
fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest char boundary at or above `i`.
fn ceil(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Excerpt {
    /// The excerpt of `file` for labels `ranges` (all in `file`), with `context` lines around
    /// each.
    pub fn new(file: &SourceFile, ranges: &[TextRange], context: usize) -> Excerpt {
        let text: &str = &file.text;
        let lines = &file.lines;
        let count = lines.line_count();
        let line_end = |line0: usize| -> usize {
            let end = if line0 + 1 < count {
                lines.line_start(line0 + 1) as usize
            } else {
                text.len()
            };
            let bytes = text.as_bytes();
            let mut end = end.max(lines.line_start(line0) as usize);
            if end > lines.line_start(line0) as usize && bytes[end - 1] == b'\n' {
                end -= 1;
                if end > lines.line_start(line0) as usize && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            end
        };
        let ranges: Vec<(usize, usize)> = ranges
            .iter()
            .map(|r| {
                let start = floor(text, r.start as usize);
                (start, floor(text, r.end as usize).max(start))
            })
            .collect();
        // The empty line after a final line break is shown only when a label starts on it.
        let last_shown = |line0: usize| {
            let trailing = count > 1 && line0 == count - 1;
            if trailing
                && !ranges
                    .iter()
                    .any(|&(s, _)| lines.line_of(s as u32) == count - 1)
            {
                line0 - 1
            } else {
                line0
            }
        };
        let mut spans: Vec<(usize, usize)> = ranges
            .iter()
            .map(|&(s, e)| {
                let first = lines.line_of(s as u32);
                let last = lines.line_of(e.saturating_sub(1).max(s) as u32);
                (
                    first.saturating_sub(context),
                    last_shown((last + context).min(count - 1)).max(first),
                )
            })
            .collect();
        spans.sort_unstable();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (first, last) in spans {
            match groups.last_mut() {
                Some(group) if first <= group.1 + 1 => group.1 = group.1.max(last),
                _ => groups.push((first, last)),
            }
        }
        // Label ends per line, to clip long lines around them.
        let mut points: Vec<usize> = ranges.iter().flat_map(|&(s, e)| [s, e]).collect();
        points.sort_unstable();
        let mut excerpt = Excerpt {
            text: String::new(),
            pieces: Vec::new(),
            runs: Vec::new(),
        };
        for (first, last) in groups {
            let mut run = Run {
                lines: Vec::new(),
                end: 0,
            };
            for line0 in first..=last {
                if line0 > first {
                    // The line break before this line stands for the file's own.
                    let orig = (line_end(line0 - 1), lines.line_start(line0) as usize);
                    excerpt.push(orig, "\n");
                }
                run.lines.push((line0, excerpt.text.len()));
                let start = lines.line_start(line0) as usize;
                let end = line_end(line0);
                excerpt.push_line(text, start, end, &points);
            }
            run.end = excerpt.text.len();
            excerpt.runs.push(run);
        }
        excerpt
    }

    fn push(&mut self, orig: (usize, usize), shown: &str) {
        let at = self.text.len();
        self.text.push_str(shown);
        self.pieces.push(Piece {
            orig,
            shown: (at, self.text.len()),
        });
    }

    /// One line `start..end` (without its break), clipped around `points` when long.
    fn push_line(&mut self, text: &str, start: usize, end: usize, points: &[usize]) {
        let mut keep: Vec<(usize, usize)> = Vec::new();
        if end - start <= MAX_LINE {
            keep.push((start, end));
        } else {
            let from = points.partition_point(|&p| p < start);
            let to = points.partition_point(|&p| p <= end);
            let near = &points[from..to];
            if near.is_empty() {
                keep.push((start, ceil(text, start + 2 * MARGIN)));
            }
            for &p in near {
                let lo = floor(text, p.saturating_sub(MARGIN).max(start));
                let hi = ceil(text, (p + MARGIN).min(end));
                match keep.last_mut() {
                    Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                    _ => keep.push((lo, hi)),
                }
            }
        }
        let mut at = start;
        for (lo, hi) in keep {
            if lo > at {
                self.push((at, lo), ELLIPSIS);
            }
            self.push_verbatim(text, lo, hi);
            at = hi;
        }
        if at < end {
            self.push((at, end), ELLIPSIS);
        }
    }

    /// `lo..hi` copied, its unsafe characters escaped (one piece each).
    fn push_verbatim(&mut self, text: &str, lo: usize, hi: usize) {
        let mut copied = lo;
        for (i, c) in text[lo..hi].char_indices() {
            if is_unsafe_char(c) {
                let i = lo + i;
                if i > copied {
                    self.push((copied, i), &text[copied..i]);
                }
                self.push((i, i + c.len_utf8()), &c.escape_debug().to_string());
                copied = i + c.len_utf8();
            }
        }
        if hi > copied {
            self.push((copied, hi), &text[copied..hi]);
        }
    }

    /// The excerpt offset of file offset `offset` (`end`: the end of a label, which covers a
    /// left-out stretch it ends in).
    pub fn map(&self, offset: usize, end: bool) -> usize {
        let i = self.pieces.partition_point(|p| p.orig.1 <= offset);
        match self.pieces.get(i) {
            Some(piece) if piece.orig.0 <= offset => {
                if piece.is_verbatim() {
                    piece.shown.0 + (offset - piece.orig.0)
                } else if offset == piece.orig.0 || !end {
                    piece.shown.0
                } else {
                    piece.shown.1
                }
            }
            // Past the last piece (the end of the file, or of a run): the end of what precedes.
            _ => {
                let before = self.pieces[..i].last();
                before.map_or(0, |p| p.shown.1)
            }
        }
    }

    /// The file offset an excerpt offset stands for (the start of a replaced stretch).
    pub fn unmap(&self, shown: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.shown.1 <= shown);
        match self.pieces.get(i) {
            Some(piece) if piece.shown.0 <= shown => {
                if piece.is_verbatim() {
                    piece.orig.0 + (shown - piece.shown.0)
                } else {
                    piece.orig.0
                }
            }
            _ => self.pieces[..i].last().map_or(0, |p| p.orig.1),
        }
    }

    /// The shown lines around excerpt range `start..end`: their excerpt range and the 0-based
    /// file line of the first, or `None` when the range is not in the excerpt.
    pub fn lines_around(
        &self,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> Option<((usize, usize), usize)> {
        let run = self
            .runs
            .iter()
            .find(|run| run.lines[0].1 <= start && end <= run.end)?;
        let line_at = |offset: usize| run.lines.partition_point(|&(_, at)| at <= offset) - 1;
        let first = line_at(start);
        let last = line_at(end.saturating_sub(1).max(start));
        let first = first.saturating_sub(before);
        let last = (last + after).min(run.lines.len() - 1);
        let from = run.lines[first].1;
        let to = if last + 1 < run.lines.len() {
            // Without the line break that precedes the next line.
            run.lines[last + 1].1 - 1
        } else {
            run.end
        };
        Some(((from, to.max(end)), run.lines[first].0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.rs".into(), "a.rs".into(), Arc::from(text))
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let f = file("a\nbb\nccc\ndddd\n");
        let range = TextRange::new(5, 8);
        let ex = Excerpt::new(&f, &[range], 1);
        assert_eq!(ex.text, "bb\nccc\ndddd");
        assert_eq!(&ex.text[ex.map(5, false)..ex.map(8, true)], "ccc");
        assert_eq!(ex.lines_around(3, 6, 0, 0), Some(((3, 6), 2)));
    }

    #[test]
    fn long_lines_are_clipped_around_labels() {
        let line = format!("{}X{}", "a".repeat(100_000), "b".repeat(100_000));
        let f = file(&format!("fn f() {{\n{line}\n}}\n"));
        let at = 9 + 100_000;
        let ex = Excerpt::new(&f, &[TextRange::new(at, at + 1)], 1);
        assert!(ex.text.len() < 400, "{}", ex.text);
        let shown = ex.map(at, false);
        assert_eq!(&ex.text[shown..ex.map(at + 1, true)], "X");
        assert_eq!(ex.unmap(shown), at);
        assert!(ex.text.contains("…aaa"));
    }

    #[test]
    fn controls_are_escaped() {
        let f = file("let s = \"\u{1b}[2J\r::error\";\n");
        let ex = Excerpt::new(&f, &[TextRange::new(8, 20)], 1);
        assert_eq!(ex.text, "let s = \"\\u{1b}[2J\\r::error\";");
        assert_eq!(escape_controls("a\nb"), "a\\nb");
    }
}
