//! `concise`: one line per finding, `path:line:col: FL003 message [name]`.

use std::io::{self, Write};

use super::Style;
use crate::engine::Report;

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for diag in &report.diagnostics {
        let source = report.source(diag.file);
        let pos = source.position(diag.range.start);
        writeln!(
            out,
            "{}:{}:{}: {} {} [{}]",
            source.display, pos.line, pos.column, diag.rule.code, diag.message, diag.rule.name
        )?;
    }
    if !style.quiet {
        writeln!(out, "{}", super::summary(report))?;
    }
    Ok(())
}
