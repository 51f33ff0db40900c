//! `github`: GitHub Actions workflow commands, so findings show as annotations on the diff.
//!
//! Escaping follows `@actions/core`: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in
//! properties `:` and `,` are escaped too (`%3A`, `%2C`).

use std::io::{self, Write};

use crate::base::diagnostic::Severity;
use crate::driver::Report;

pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for diag in &report.diagnostics {
        let source = report.source(diag.file);
        let start = source.position(diag.range.start);
        let end = source.position(diag.range.end);
        let command = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = diag.message.clone();
        if let Some(help) = &diag.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&source.display),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("forklint ({})", diag.rule.code)),
            escape_data(&message),
        )?;
    }
    for err in &report.errors {
        writeln!(
            out,
            "::error file={},title={}::{}",
            escape_property(&err.path),
            escape_property("forklint (tool error)"),
            escape_data(&err.message),
        )?;
    }
    Ok(())
}
