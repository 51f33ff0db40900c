//! Hover: on a finding's range, or on a rule code or name inside a `// forklint:` directive,
//! the rule's documentation (the Markdown `forklint rule CODE` prints).

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::rules;

use super::check::Checked;
use super::documents::{Document, Encoding};

pub fn hover(
    doc: &Document,
    checked: Option<&Checked>,
    position: Position,
    encoding: Encoding,
) -> Option<Hover> {
    let offset = encoding.offset(&doc.text, position);
    // A code in a directive names its rule, whatever finding (FL100) sits on the directive.
    if let Some((meta, start, end)) = directive_rule(&doc.text, offset) {
        return Some(markdown(
            rules::docs::markdown(meta),
            Some(encoding.range(&doc.text, start, end)),
        ));
    }
    if let Some(checked) = checked.filter(|c| c.version == doc.version) {
        let here = checked
            .findings
            .iter()
            .find(|f| f.start <= offset && offset <= f.end.max(f.start + 1));
        if let Some(finding) = here {
            return Some(markdown(
                rules::docs::markdown(finding.rule),
                Some(finding.diagnostic.range),
            ));
        }
    }
    None
}

fn markdown(value: String, range: Option<lsp_types::Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

/// The rule named by the word at `offset`, when that word is inside a `// forklint:` comment.
fn directive_rule(text: &str, offset: usize) -> Option<(&'static rules::RuleMeta, usize, usize)> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let comment = line.find("//")?;
    let directive = comment + line[comment..].find("forklint:")?;
    let at = offset - line_start;
    if at < directive {
        return None;
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = line[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = line[at..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(line.len(), |(i, _)| at + i);
    let word = &line[start..end];
    let meta = rules::find(word).filter(|_| !word.is_empty())?;
    Some((meta, line_start + start, line_start + end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_in_a_directive_names_its_rule() {
        let text = "fn f() {} // forklint: allow(FL003) why\n";
        let at = text.find("FL003").unwrap() + 2;
        let (meta, start, end) = directive_rule(text, at).unwrap();
        assert_eq!(meta.code, "FL003");
        assert_eq!(&text[start..end], "FL003");
        assert!(directive_rule(text, text.find("why").unwrap()).is_none());
        assert!(directive_rule(text, 1).is_none());
    }
}
