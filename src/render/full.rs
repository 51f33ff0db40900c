//! `full`: miette's graphical report per finding, then a summary line.
//!
//! miette's stock `SourceCode` for `str` rescans the text from byte 0 for every label; here each
//! finding reads a small excerpt built through the file's line index (its labels' lines, long
//! lines clipped, controls escaped: `excerpt.rs`), so thousands of findings render in linear time
//! and a finding on a huge minified line prints a few hundred bytes. Labels in other files than
//! the primary one are printed as notes with their position.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::excerpt::{escape_controls, Excerpt};
use super::Style;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::source::SourceFile;
use crate::driver::Report;

/// Lines of context around each label.
const CONTEXT_LINES: usize = 1;

/// One finding's excerpt of its file (see [`Excerpt`]): miette reads excerpt offsets.
struct ExcerptSource<'a> {
    file: &'a SourceFile,
    excerpt: Excerpt,
}

impl SourceCode for ExcerptSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        let ((from, to), line) = self
            .excerpt
            .lines_around(start, end, context_lines_before, context_lines_after)
            .ok_or(MietteError::OutOfBounds)?;
        // miette's header prints the line and column of a span read without context (the
        // primary label's), as its own `str` source does: the file's column, in chars like
        // every position forklint prints, whatever the excerpt left out before it.
        let column = if context_lines_before == 0 {
            let offset = self.excerpt.unmap(start) as u32;
            self.file.position(offset).column as usize - 1
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            escape_controls(&self.file.display).into_owned(),
            &self.excerpt.text.as_bytes()[from..to],
            (from, to - from).into(),
            line,
            column,
            self.excerpt.text[from..to].matches('\n').count() + 1,
        )))
    }
}

/// One finding in miette's shape.
struct MietteDiagnostic<'a> {
    report: &'a Report,
    diag: &'a Diagnostic,
    source: ExcerptSource<'a>,
    message: String,
    url: Option<String>,
    help: Option<String>,
}

impl fmt::Debug for MietteDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        self.url
            .as_ref()
            .map(|url| Box::new(url) as Box<dyn fmt::Display + 'a>)
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
                let excerpt = &self.source.excerpt;
                let start = excerpt.map(l.range.start as usize, false);
                let end = excerpt.map(l.range.end as usize, true).max(start);
                let span = SourceSpan::from((start, end - start));
                let message = l.message.map(|m| escape_controls(&m).into_owned());
                if l.primary {
                    LabeledSpan::new_primary_with_span(message, span)
                } else {
                    LabeledSpan::new_with_span(message, span)
                }
            });
        Some(Box::new(labels))
    }
}

/// The help text with notes and other-file labels appended (miette has one help slot).
fn help_text(report: &Report, diag: &Diagnostic) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(help) = &diag.help {
        parts.push(escape_controls(help).into_owned());
    }
    for label in diag.labels.iter().filter(|l| l.file != diag.file) {
        let source = report.source(label.file);
        let pos = source.position(label.range.start);
        parts.push(format!(
            "note: {}:{}:{}: {}",
            escape_controls(&source.display),
            pos.line,
            pos.column,
            escape_controls(label.message.as_deref().unwrap_or(""))
        ));
    }
    for note in &diag.notes {
        parts.push(format!("note: {}", escape_controls(note)));
    }
    if diag.rule.url().is_none() {
        // No published docs to link to: name the command that prints them.
        parts.push(format!("docs: `forklint rule {}`", diag.rule.code));
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
        .with_context_lines(CONTEXT_LINES);
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
    let file = report.source(diag.file);
    let ranges: Vec<_> = diag
        .all_labels()
        .into_iter()
        .filter(|l| l.file == diag.file)
        .map(|l| l.range)
        .collect();
    let shown = MietteDiagnostic {
        report,
        diag,
        source: ExcerptSource {
            file,
            excerpt: Excerpt::new(file, &ranges, CONTEXT_LINES),
        },
        message: escape_controls(&diag.message).into_owned(),
        url: diag.rule.url(),
        help: help_text(report, diag),
    };
    let _ = shown.report;
    let mut text = String::new();
    // A failure (or a panic) inside miette must not lose the finding: fall back to one line.
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut text, &shown)
    }));
    if !matches!(rendered, Ok(Ok(()))) {
        let pos = file.position(diag.range.start);
        text = format!(
            "{}:{}:{}: {} {}",
            escape_controls(&file.display),
            pos.line,
            pos.column,
            diag.rule.code,
            escape_controls(&diag.message)
        );
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
