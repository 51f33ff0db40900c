//! Renderers: one module per output format. All read the [`Report`]; none re-analyses.

use std::io::{self, Write};

use crate::driver::Report;

pub(crate) mod cargo_json;
pub(crate) mod concise;
pub(crate) mod excerpt;
pub(crate) mod full;
pub mod github;
pub(crate) mod json;
pub(crate) mod sarif;
pub(crate) mod statistics;

/// Output formats (`--output-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report per finding and a summary line
    Full,
    /// one line per finding: `path:line:col: FL003 message [name]`
    Concise,
    /// one JSON document (docs/json.md, schema report-v1)
    Json,
    /// one JSON diagnostic per line
    JsonLines,
    /// cargo's `--message-format=json` records (rust-analyzer's `check.overrideCommand`)
    CargoJson,
    /// SARIF 2.1.0 (GitHub code scanning)
    Sarif,
    /// GitHub Actions annotations
    Github,
}

impl Format {
    /// Whether the format is read by programs (nothing but the report may reach stdout).
    pub fn is_machine(self) -> bool {
        !matches!(self, Format::Full | Format::Concise)
    }
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
        Format::CargoJson => cargo_json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// `Found 3 errors and 1 warning (2 suppressed) in 120 files.`, and
/// `; 4 findings in test code held back (see [test-lints])` before the period when some were.
pub fn summary(report: &Report) -> String {
    use crate::base::diagnostic::Severity;
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
    line.push_str(&format!(" in {}", plural(report.files_checked, "file")));
    // Like clippy's "N warnings emitted": say what the default levels of test code hid, and where
    // to turn it on.
    if report.held_back > 0 {
        line.push_str(&format!(
            "; {} in test code held back (see [test-lints])",
            plural(report.held_back, "finding")
        ));
    }
    line.push('.');
    line
}

/// Tool errors, for stderr (one line each: a path or a quoted comment may hold controls).
pub fn tool_errors(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    use excerpt::escape_controls;
    for err in &report.errors {
        writeln!(
            out,
            "error: {}: {}",
            escape_controls(&err.path),
            escape_controls(&err.message)
        )?;
    }
    Ok(())
}
