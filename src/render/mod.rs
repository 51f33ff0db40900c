//! Renderers: one module per output format. All read the [`Report`]; none re-analyses.

use std::io::{self, Write};

use crate::engine::Report;

pub mod concise;
pub mod full;
pub mod json;

/// Output formats (`--output-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Full,
    Concise,
    Json,
    JsonLines,
}

/// Terminal-related settings for human formats.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
    pub links: bool,
    pub width: Option<usize>,
    /// `-q`: no summary line.
    pub quiet: bool,
}

pub fn render(
    report: &Report,
    format: Format,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Full => full::render(report, style, out),
        Format::Concise => concise::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::JsonLines => json::render_lines(report, out),
    }
}

/// `Found 3 errors and 1 warning (2 suppressed) in 120 files.`
pub fn summary(report: &Report) -> String {
    use crate::diagnostic::Severity;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let mut line = if errors + warnings == 0 {
        "No problems found".to_string()
    } else {
        format!(
            "Found {} and {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    if report.suppressed > 0 {
        line.push_str(&format!(" ({} suppressed)", report.suppressed));
    }
    line.push_str(&format!(" in {}.", plural(report.files_checked, "file")));
    line
}

/// Tool errors, for stderr.
pub fn tool_errors(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for err in &report.errors {
        writeln!(out, "error: {}: {}", err.path, err.message)?;
    }
    Ok(())
}
