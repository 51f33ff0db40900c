//! Levels and suppressions: which rules run, the level of each finding (defaults, `-A/-W/-D`,
//! `[test-lints]` in test code, per-file overrides), the suppression comments that hide findings, and FL100 for the
//! directives that hid nothing. This is the last stage before the report is sorted: it sees
//! every finding of the run, whatever stage (analysis or cache) produced it.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::source::{FileId, SourceFile, TextRange};
use crate::rules::{self, RuleMeta};
use crate::suppress::{self, Scope};

use super::{Options, Report, ToolError};

/// A rule's level, as set by defaults, config and `-A/-W/-D`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// A file's suppression comments, read while its text is at hand.
pub(super) struct Scanned {
    pub(super) directives: Vec<suppress::Directive>,
    /// Malformed directives, as `line:column: message`.
    pub(super) errors: Vec<String>,
}

/// Scans a file's suppression comments; `None` if the scan panicked (never let one file's
/// comments take the run down: a panic would be exit 101).
pub(super) fn scan_suppressions(source: &SourceFile) -> Option<Scanned> {
    let (directives, errors) = catch_unwind(AssertUnwindSafe(|| suppress::scan(source))).ok()?;
    let errors = errors
        .into_iter()
        .map(|err| {
            let pos = source.position(err.range.start);
            format!("{}:{}: {}", pos.line, pos.column, err.message)
        })
        .collect();
    Some(Scanned { directives, errors })
}

pub(super) fn rule_enabled(meta: &RuleMeta, options: &Options) -> bool {
    (options.select.is_empty() || options.select.contains(&meta.code))
        && !options.ignore.contains(&meta.code)
}

/// `[test-lints]` when the config says nothing: FL002 and FL003 are allowed in test code
/// (docs/configuration.md); every other rule keeps its level there.
pub(super) fn default_test_levels() -> Vec<(&'static str, Level)> {
    vec![
        (rules::async_loop_never_yields::RULE.code, Level::Allow),
        (rules::blocking_call_in_async::RULE.code, Level::Allow),
    ]
}

/// The level of `meta` in `file`, in precedence order: defaults < `[lints]` < `-A/-W/-D` <
/// `[test-lints]` (in test code only) < `[per-file-lints]`; and whether `[test-lints]` is what
/// allowed it (a held-back finding: counted, and its suppression directive is used).
fn level_for(meta: &RuleMeta, display: &str, test_code: bool, options: &Options) -> (Level, bool) {
    let mut level = match meta.default_severity {
        Severity::Error => Level::Deny,
        Severity::Warning => Level::Warn,
    };
    for (code, l) in &options.levels {
        if *code == meta.code {
            level = *l;
        }
    }
    let mut outside_tests = level;
    if test_code {
        for (code, l) in &options.test_levels {
            if *code == meta.code {
                level = *l;
            }
        }
    }
    for (glob, code, l) in &options.per_file_levels {
        if *code == meta.code && glob.is_match(display) {
            level = *l;
            outside_tests = *l;
        }
    }
    let held_back = level == Level::Allow && outside_tests != Level::Allow;
    (level, held_back)
}

/// The first directive of `list` that covers a finding of `code` at `line`.
fn covering<'d>(
    list: &'d mut [(suppress::Directive, bool)],
    code: &str,
    line: u32,
) -> Option<&'d mut (suppress::Directive, bool)> {
    list.iter_mut().find(|(d, _)| {
        d.codes.contains(&code)
            && match d.scope {
                Scope::File => true,
                Scope::Lines { first, last } => first <= line && line <= last,
            }
    })
}

pub(super) fn apply_suppressions_and_levels(
    report: &mut Report,
    diagnostics: Vec<Diagnostic>,
    options: &Options,
    reported: &[bool],
    mut scans: Vec<Option<Option<Scanned>>>,
    unanalysed: &[(FileId, TextRange)],
) -> Vec<FileId> {
    let mut unscanned = Vec::new();
    // Directives per file that has any finding or any directive.
    let mut directives: HashMap<FileId, Vec<(suppress::Directive, bool)>> = HashMap::new();
    for (id, source) in report.sources.iter().enumerate() {
        if !reported.get(id).copied().unwrap_or(true) {
            continue;
        }
        let scanned = match scans.get_mut(id).and_then(Option::take) {
            Some(scanned) => scanned,
            None => scan_suppressions(source),
        };
        let Some(Scanned {
            directives: found,
            errors,
        }) = scanned
        else {
            report.errors.push(ToolError {
                path: source.display.clone(),
                message: "internal error while reading suppression comments (this is a forklint bug: please report it with the file)".to_string(),
            });
            unscanned.push(FileId::from_index(id));
            continue;
        };
        for message in errors {
            report.errors.push(ToolError {
                path: source.display.clone(),
                message,
            });
        }
        if !found.is_empty() {
            directives.insert(
                FileId::from_index(id),
                found.into_iter().map(|d| (d, false)).collect(),
            );
        }
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for mut diag in diagnostics {
        let source = &report.sources[diag.file.index()];
        let (level, held_back) = level_for(diag.rule, &source.display, diag.test_code, options);
        let line = source.line(diag.range.start);
        if level == Level::Allow {
            if held_back {
                // Not reported, but a directive users wrote for it still has its reason.
                report.held_back += 1;
                *report.held_back_by_code.entry(diag.rule.code).or_default() += 1;
                if let Some(list) = directives.get_mut(&diag.file) {
                    if let Some((_, used)) = covering(list, diag.rule.code, line) {
                        *used = true;
                    }
                }
            }
            continue;
        }
        if let Some(list) = directives.get_mut(&diag.file) {
            if let Some((_, used)) = covering(list, diag.rule.code, line) {
                *used = true;
                report.suppressed += 1;
                *report.suppressed_by_code.entry(diag.rule.code).or_default() += 1;
                continue;
            }
        }
        diag.severity = match level {
            Level::Deny => Severity::Error,
            _ => Severity::Warning,
        };
        kept.push(diag);
    }
    // FL100: directives that suppressed nothing (only for rules that ran, and not over code no
    // rule analysed: Windows-only code may well need the directive on Windows).
    if rule_enabled(&rules::UNUSED_SUPPRESSION, options) {
        let mut unanalysed_by_file: HashMap<FileId, Vec<TextRange>> = HashMap::new();
        for (file, range) in unanalysed {
            unanalysed_by_file.entry(*file).or_default().push(*range);
        }
        for (file, list) in &directives {
            let source = &report.sources[file.index()];
            let display = &source.display;
            let skipped: Vec<(u32, u32)> = unanalysed_by_file
                .get(file)
                .into_iter()
                .flatten()
                .map(|r| (source.line(r.start), source.line(r.end)))
                .collect();
            let (level, _) = level_for(&rules::UNUSED_SUPPRESSION, display, false, options);
            if level == Level::Allow {
                continue;
            }
            for (directive, used) in list {
                let ran = directive
                    .codes
                    .iter()
                    .any(|c| rules::find(c).is_some_and(|m| rule_enabled(m, options)));
                let unjudged = match directive.scope {
                    Scope::File => !skipped.is_empty(),
                    Scope::Lines { first, last } => {
                        skipped.iter().any(|&(a, b)| a <= last && first <= b)
                    }
                };
                if *used || !ran || unjudged {
                    continue;
                }
                let mut diag =
                    rules::unused_suppression::diagnostic(*file, directive.range, &directive.codes);
                diag.severity = if level == Level::Deny {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                kept.push(diag);
            }
        }
    }
    kept.sort_by(|a, b| {
        let sa = &report.sources[a.file.index()];
        let sb = &report.sources[b.file.index()];
        (
            sa.display.as_str(),
            a.range.start,
            a.rule.code,
            a.range.end,
            &a.message,
        )
            .cmp(&(
                sb.display.as_str(),
                b.range.start,
                b.rule.code,
                b.range.end,
                &b.message,
            ))
    });
    kept.dedup_by(|a, b| {
        a.file == b.file
            && a.range == b.range
            && a.rule.code == b.rule.code
            && a.message == b.message
    });
    report.diagnostics = kept;
    unscanned
}
