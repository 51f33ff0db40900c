//! `--statistics`: how many findings each rule produced (suppressed ones and those held back in
//! test code by `[test-lints]` counted apart), as a
//! table for people or, with a JSON output format, as a JSON array.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;

use crate::driver::Report;
use crate::rules;

/// One row: code, name, reported count, suppressed count, held-back count, machine-fixable count.
pub struct Row {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
    pub suppressed: usize,
    pub held_back: usize,
    pub fixable: usize,
}

pub fn rows(report: &Report) -> Vec<Row> {
    let mut counts: BTreeMap<&'static str, (usize, usize, usize, usize)> = BTreeMap::new();
    for diag in &report.diagnostics {
        let entry = counts.entry(diag.rule.code).or_default();
        entry.0 += 1;
        if diag.fix.as_ref().is_some_and(|f| {
            f.applicability == crate::base::diagnostic::Applicability::MachineApplicable
        }) {
            entry.2 += 1;
        }
    }
    for (code, n) in &report.suppressed_by_code {
        counts.entry(code).or_default().1 += n;
    }
    for (code, n) in &report.held_back_by_code {
        counts.entry(code).or_default().3 += n;
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(code, (count, suppressed, fixable, held_back))| Row {
            code,
            name: rules::find(code).map_or("", |m| m.name),
            count,
            suppressed,
            held_back,
            fixable,
        })
        .collect();
    // Most frequent first, like ruff; ties in code order.
    rows.sort_by(|a, b| {
        (b.count + b.suppressed)
            .cmp(&(a.count + a.suppressed))
            .then(a.code.cmp(b.code))
    });
    rows
}

pub fn render_text(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows = rows(report);
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for row in &rows {
        let mut extra = Vec::new();
        if row.suppressed > 0 {
            extra.push(format!("{} suppressed", row.suppressed));
        }
        if row.held_back > 0 {
            extra.push(format!("{} held back in test code", row.held_back));
        }
        if row.fixable > 0 {
            extra.push(format!("{} fixable", row.fixable));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        writeln!(
            out,
            "{:>width$}\t{}\t{}{extra}",
            row.count, row.code, row.name
        )?;
    }
    Ok(())
}

pub fn render_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let list: Vec<_> = rows(report)
        .iter()
        .map(|r| {
            json!({
                "code": r.code,
                "name": r.name,
                "count": r.count,
                "suppressed": r.suppressed,
                "held_back": r.held_back,
                "fixable": r.fixable,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}
