//! `full`: miette's graphical report per finding, then a summary line.
//!
//! miette's stock `SourceCode` for `str` rescans the text from byte 0 for every label; here the
//! source is read through the file's line index, so thousands of findings render in linear time.
//! Labels in other files than the primary one are printed as notes with their position.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::Style;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Report;
use crate::source::SourceFile;

/// A source file seen through its line index.
struct IndexedSource<'a> {
    file: &'a SourceFile,
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.file.text;
        let lines = &self.file.lines;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let start_line = lines.line_of(start as u32);
        let end_line = lines.line_of(end.saturating_sub(1).max(start) as u32);
        let first = start_line.saturating_sub(context_lines_before);
        let last = (end_line + context_lines_after).min(lines.line_count() - 1);
        let from = lines.line_start(first) as usize;
        let mut to = if last + 1 < lines.line_count() {
            lines.line_start(last + 1) as usize
        } else {
            text.len()
        };
        // Like miette's own implementation: the context ends before the last line break.
        if to > from && text.as_bytes()[to - 1] == b'\n' {
            to -= 1;
            if to > from && text.as_bytes()[to - 1] == b'\r' {
                to -= 1;
            }
        }
        let to = to.max(end.min(text.len()));
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.display.clone(),
            &text.as_bytes()[from..to],
            (from, to - from).into(),
            first,
            0,
            last - first + 1,
        )))
    }
}

/// One finding in miette's shape.
struct MietteDiagnostic<'a> {
    report: &'a Report,
    diag: &'a Diagnostic,
    source: IndexedSource<'a>,
    url: String,
    help: Option<String>,
}

impl fmt::Debug for MietteDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for MietteDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for MietteDiagnostic<'_> {}

impl miette::Diagnostic for MietteDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({})",
            self.diag.rule.code, self.diag.rule.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.url))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let file = self.diag.file;
        let labels = self
            .diag
            .all_labels()
            .into_iter()
            .filter(move |l| l.file == file)
            .map(|l| {
                let span = SourceSpan::from((l.range.start as usize, l.range.len()));
                if l.primary {
                    LabeledSpan::new_primary_with_span(l.message, span)
                } else {
                    LabeledSpan::new_with_span(l.message, span)
                }
            });
        Some(Box::new(labels))
    }
}

/// The help text with notes and other-file labels appended (miette has one help slot).
fn help_text(report: &Report, diag: &Diagnostic) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(help) = &diag.help {
        parts.push(help.clone());
    }
    for label in diag.labels.iter().filter(|l| l.file != diag.file) {
        let source = report.source(label.file);
        let pos = source.position(label.range.start);
        parts.push(format!(
            "note: {}:{}:{}: {}",
            source.display,
            pos.line,
            pos.column,
            label.message.as_deref().unwrap_or("")
        ));
    }
    for note in &diag.notes {
        parts.push(format!("note: {note}"));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n"))
    }
}

pub fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut handler = GraphicalReportHandler::new_themed(theme)
        .with_links(style.links)
        .with_context_lines(1);
    if let Some(width) = style.width {
        handler = handler.with_width(width);
    }
    if !style.links {
        handler = handler.with_urls(false);
    }
    handler
}

/// Renders one finding to a string (used by the renderer, `cargo-json`'s `rendered`, tests).
pub fn render_one(report: &Report, diag: &Diagnostic, handler: &GraphicalReportHandler) -> String {
    let shown = MietteDiagnostic {
        report,
        diag,
        source: IndexedSource {
            file: report.source(diag.file),
        },
        url: diag.rule.url(),
        help: help_text(report, diag),
    };
    let _ = shown.report;
    let mut text = String::new();
    if handler.render_report(&mut text, &shown).is_err() {
        text = format!("{}: {}", diag.rule.code, diag.message);
    }
    text
}

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let handler = handler(style);
    for diag in &report.diagnostics {
        let text = render_one(report, diag, &handler);
        writeln!(out, "{text}")?;
    }
    if !style.quiet {
        writeln!(out, "{}", super::summary(report))?;
    }
    Ok(())
}
