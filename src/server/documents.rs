//! Open documents (the editor's buffers, which overlay the files on disk), file URIs, and
//! positions in the negotiated encoding.
//!
//! forklint speaks byte offsets; LSP speaks lines and characters counted in UTF-16 code units
//! (the default) or UTF-8 bytes (when the client offers it, negotiated at `initialize`).
//! Everything that crosses the wire goes through [`Encoding`], so a line like `"ü𝄞"` before a
//! span (two bytes, four bytes; one and two UTF-16 units) lands on the same character.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

/// How `Position::character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// The character offset of byte `offset` in `text` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count();
        let prefix = &text[line_start..offset];
        let character = match self {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }

    /// The byte offset of `position` in `text`: a line past the end is the end, a character
    /// past the line's end is the line's end, a character inside a UTF-8 sequence or a
    /// surrogate pair is the character's start.
    pub fn offset(self, text: &str, position: Position) -> usize {
        let mut line_start = 0usize;
        for _ in 0..position.line {
            match text[line_start..].find('\n') {
                Some(i) => line_start += i + 1,
                None => return text.len(),
            }
        }
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let mut units = 0usize;
        for (i, c) in text[line_start..line_end].char_indices() {
            let width = match self {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units + width > position.character as usize {
                return line_start + i;
            }
            units += width;
        }
        line_end
    }
}

/// One open buffer.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: Uri,
    pub path: PathBuf,
    pub text: String,
    pub version: i32,
}

/// The open buffers, by URI (only `file:` URIs: forklint needs the path for the crate context).
#[derive(Default)]
pub struct Documents {
    open: BTreeMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        let Some(path) = uri_to_path(&uri) else {
            return;
        };
        let key = uri.as_str().to_string();
        self.open.insert(
            key,
            Document {
                uri,
                path,
                text,
                version,
            },
        );
    }

    /// Replaces a buffer's text (full synchronisation); false if it is not open.
    pub fn change(&mut self, uri: &Uri, text: String, version: i32) -> bool {
        match self.open.get_mut(uri.as_str()) {
            Some(doc) => {
                doc.text = text;
                doc.version = version;
                true
            }
            None => false,
        }
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.open.remove(uri.as_str())
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Document> {
        self.open.values()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

/// The path of a `file:` URI (percent-decoded), or `None` for any other scheme.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///path` (empty authority) or `file://localhost/path`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let bytes = percent_decode(path)?;
    let text = String::from_utf8(bytes).ok()?;
    #[cfg(windows)]
    let text = text.strip_prefix('/').unwrap_or(&text).to_string();
    Some(PathBuf::from(text))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "fn f() {\n    let s = \"ü𝄞\"; fork();\n}\n";
        let at = text.find("fork").unwrap();
        let utf16 = Encoding::Utf16.position(text, at);
        let utf8 = Encoding::Utf8.position(text, at);
        assert_eq!(utf16, Position::new(1, 19));
        assert_eq!(utf8, Position::new(1, 22));
        assert_eq!(Encoding::Utf16.offset(text, utf16), at);
        assert_eq!(Encoding::Utf8.offset(text, utf8), at);
        // Past the end of a line or of the text: clamped.
        assert_eq!(
            Encoding::Utf16.offset(text, Position::new(0, 99)),
            text.find('\n').unwrap()
        );
        assert_eq!(Encoding::Utf8.offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a dir/ü.rs");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%BC.rs");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
    }
}
