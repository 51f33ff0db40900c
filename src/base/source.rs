//! Source files and positions.
//!
//! Every span in forklint is a byte range into one file's text; lines and columns are computed on
//! demand from a line index, the way rustc reports them: lines 1-based, columns 1-based in Unicode
//! scalar values, byte offsets 0-based, ends exclusive.

use std::path::PathBuf;
use std::sync::Arc;

use crate::base::arena::Idx;

/// Index of a file in the run's file table (the report's `sources`, the model's `files`).
pub type FileId = Idx<SourceFile>;

/// A half-open byte range `start..end` into one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        TextRange { start, end }
    }

    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn contains(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A resolved position: what every output format prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in Unicode scalar values.
    pub column: u32,
    /// 0-based byte offset.
    pub offset: u32,
}

/// Byte offsets of line starts, for offset -> (line, column) lookups in O(log n).
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex { starts }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> u32 {
        self.starts[line0]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = offset.min(text.len() as u32);
        let line0 = self.line_of(offset);
        let mut start = self.starts[line0] as usize;
        // rustc drops a byte-order mark before counting columns.
        if line0 == 0 && text.starts_with('\u{feff}') && offset as usize >= 3 {
            start = 3;
        }
        let mut end = offset as usize;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text[start..end].chars().count() as u32 + 1;
        Position {
            line: line0 as u32 + 1,
            column,
            offset,
        }
    }
}

/// One file read for a run: its path as reported, its text and line index.
///
/// A file read from disk may give its text back once its facts are extracted (`release_text`):
/// the corpus's texts would otherwise stay in memory to the end of the run, when only the files
/// with findings need theirs again (`reload_text`, which checks the content hash).
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Absolute (or as given) path on disk.
    pub path: PathBuf,
    /// The path printed in reports: relative to the current directory, `/` separators.
    pub display: String,
    /// The text; empty while released (see `released`).
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
    /// The xxh3 of the text while it is released.
    pub released: Option<u64>,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: Arc<str>) -> Self {
        let lines = Arc::new(LineIndex::new(&text));
        SourceFile {
            path,
            display,
            text,
            lines,
            released: None,
        }
    }

    /// Drops the text, keeping the line index and the content hash to check a reload against.
    pub fn release_text(&mut self) {
        if self.released.is_none() {
            self.released = Some(xxhash_rust::xxh3::xxh3_64(self.text.as_bytes()));
            self.text = Arc::from("");
        }
    }

    /// Puts back a released text, read again by `read`; an error if it changed since.
    pub fn reload_text(
        &mut self,
        read: impl FnOnce(&std::path::Path) -> Result<String, String>,
    ) -> Result<(), String> {
        let Some(hash) = self.released else {
            return Ok(());
        };
        let text = read(&self.path)?;
        if xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != hash {
            return Err(
                "changed on disk while forklint was checking it (its findings are not shown; run forklint again)"
                    .to_string(),
            );
        }
        self.text = Arc::from(text);
        self.released = None;
        Ok(())
    }

    /// The 1-based line of a byte offset (needs only the line index, not the text).
    pub fn line(&self, offset: u32) -> u32 {
        self.lines.line_of(offset) as u32 + 1
    }

    pub fn position(&self, offset: u32) -> Position {
        self.lines.position(&self.text, offset)
    }

    /// The text of the (1-based) line, without its terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let line0 = (line as usize).saturating_sub(1);
        if line0 >= self.lines.line_count() {
            return "";
        }
        let start = self.lines.line_start(line0) as usize;
        let end = if line0 + 1 < self.lines.line_count() {
            self.lines.line_start(line0 + 1) as usize
        } else {
            self.text.len()
        };
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_scalar_values() {
        let text = "é\tx\r\nab€c\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(index.position(text, x).column, 3);
        let c = text.find('c').unwrap() as u32;
        let pos = index.position(text, c);
        assert_eq!((pos.line, pos.column), (2, 4));
    }
}
