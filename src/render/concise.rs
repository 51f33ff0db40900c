//! `concise`: one line per finding, `path:line:col: FL003 message [name]`.
//!
//! One line really: a message quoting a string literal (or a path) with a raw line break would
//! otherwise put its rest at column 0, where a CI log reads `::error` as a workflow command.

use std::io::{self, Write};

use super::excerpt::escape_controls;
use super::Style;
use crate::driver::Report;

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for diag in &report.diagnostics {
        let source = report.source(diag.file);
        let pos = source.position(diag.range.start);
        writeln!(
            out,
            "{}:{}:{}: {} {} [{}]",
            escape_controls(&source.display),
            pos.line,
            pos.column,
            diag.rule.code,
            escape_controls(&diag.message),
            diag.rule.name
        )?;
    }
    if !style.quiet {
        writeln!(out, "{}", super::summary(report))?;
    }
    Ok(())
}
