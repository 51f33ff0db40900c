//! What an entry holds for one unit: its findings (file indices within the unit), tool errors
//! and checked files; and the check of an entry against the files it names before it is used.

use serde::{Deserialize, Serialize};

use crate::base::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label};
use crate::base::source::{FileId, TextRange};
use crate::rules::{self, RuleMeta};

/// What the cache keeps for one unit. Files are numbered within the unit; findings that point
/// into a dependency's files (labels along a call chain) name them in `others`, whose files
/// are numbered after the unit's own.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Entry {
    /// Display paths of the files outside the unit that findings point into.
    pub others: Vec<String>,
    /// Files of the unit that were checked (parsed), by index in the unit.
    pub checked: Vec<u32>,
    /// Findings before suppressions and levels, in the order the analysis produced them.
    pub diagnostics: Vec<CachedDiagnostic>,
    /// Tool errors: (file index in the group, message).
    pub errors: Vec<(u32, String)>,
    /// Code no rule analysed (Windows-only files and items): (file index in the unit, byte
    /// range); FL100 does not judge the suppressions inside it.
    #[serde(default)]
    pub unanalysed: Vec<(u32, (u32, u32))>,
}

impl Entry {
    /// Whether the entry could have been written by this run's analysis of these files: every
    /// index names a file, every range lies inside its file's text (`texts`: the unit's files,
    /// then `others`, as read this run; `None` for one that could not be read) on character
    /// boundaries, every code is a rule `enabled` in this run, and each fix's edits stay in
    /// their files without overlapping. Anything else is a forged or damaged entry, discarded.
    pub fn is_valid(
        &self,
        texts: &[Option<&str>],
        own: usize,
        enabled: &dyn Fn(&str) -> bool,
    ) -> bool {
        let own_text = |file: u32| (file as usize) < own && texts[file as usize].is_some();
        let in_text = |file: u32, (start, end): (u32, u32)| {
            let Some(Some(text)) = texts.get(file as usize) else {
                return false;
            };
            start <= end
                && (end as usize) <= text.len()
                && text.is_char_boundary(start as usize)
                && text.is_char_boundary(end as usize)
        };
        if own > texts.len() || self.others.len() != texts.len() - own {
            return false;
        }
        if !self.checked.iter().all(|&file| own_text(file))
            || !self.errors.iter().all(|(file, _)| (*file as usize) < own)
            // A whole Windows-only file is (0, u32::MAX): only the order is checked.
            || !self
                .unanalysed
                .iter()
                .all(|&(file, (start, end))| own_text(file) && start <= end)
        {
            return false;
        }
        self.diagnostics.iter().all(|d| {
            let known = rules::find(&d.code).is_some_and(|meta| meta.code == d.code);
            let fix_ok = d.fix.as_ref().is_none_or(|(_, _, edits)| {
                let mut ranges: Vec<(u32, (u32, u32))> = edits
                    .iter()
                    .map(|(file, range, _)| (*file, *range))
                    .collect();
                ranges.sort_unstable();
                ranges.iter().all(|&(file, range)| in_text(file, range))
                    && ranges
                        .windows(2)
                        .all(|w| w[0].0 != w[1].0 || w[0].1 .1 <= w[1].1 .0)
            });
            d.phase <= 1
                && known
                && enabled(&d.code)
                && own_text(d.file)
                && in_text(d.file, d.range)
                && d.labels
                    .iter()
                    .all(|(file, range, _, _)| in_text(*file, *range))
                && fix_ok
        })
    }
}

/// A secondary label: (file index in the group, (start, end), message, primary).
pub type CachedLabel = (u32, (u32, u32), Option<String>, bool);
/// A fix edit: (file index in the group, (start, end), replacement).
pub type CachedEdit = (u32, (u32, u32), String);
/// A fix: (message, machine-applicable, edits).
pub type CachedFix = (String, bool, Vec<CachedEdit>);

#[derive(Debug, Serialize, Deserialize)]
pub struct CachedDiagnostic {
    /// 0: syntax error found while parsing; 1: found by a rule pass.
    pub phase: u8,
    pub code: String,
    pub message: String,
    pub file: u32,
    pub range: (u32, u32),
    pub primary_label: Option<String>,
    pub labels: Vec<CachedLabel>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    pub fix: Option<CachedFix>,
    /// Whether the finding is in test code: `[test-lints]` levels apply on a warm run too.
    #[serde(default)]
    pub test_code: bool,
}

impl CachedDiagnostic {
    /// `local(file)` maps a `FileId` to its index in the group (`None`: outside, not cacheable).
    pub fn from_diagnostic(
        phase: u8,
        d: &Diagnostic,
        local: &dyn Fn(FileId) -> Option<u32>,
    ) -> Option<CachedDiagnostic> {
        let labels = d
            .labels
            .iter()
            .map(|l| {
                Some((
                    local(l.file)?,
                    (l.range.start, l.range.end),
                    l.message.clone(),
                    l.primary,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        let fix = match &d.fix {
            None => None,
            Some(fix) => Some((
                fix.message.clone(),
                fix.applicability == Applicability::MachineApplicable,
                fix.edits
                    .iter()
                    .map(|e| {
                        Some((
                            local(e.file)?,
                            (e.range.start, e.range.end),
                            e.content.clone(),
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?,
            )),
        };
        Some(CachedDiagnostic {
            phase,
            code: d.rule.code.to_string(),
            message: d.message.clone(),
            file: local(d.file)?,
            range: (d.range.start, d.range.end),
            primary_label: d.primary_label.clone(),
            labels,
            notes: d.notes.clone(),
            help: d.help.clone(),
            fix,
            test_code: d.test_code,
        })
    }

    /// Back to a finding; `global(index)` maps a group file index to its `FileId`.
    pub fn to_diagnostic(&self, global: &dyn Fn(u32) -> Option<FileId>) -> Option<Diagnostic> {
        let rule: &'static RuleMeta = rules::find(&self.code)?;
        let range = |(start, end): (u32, u32)| TextRange { start, end };
        let mut d = Diagnostic::new(rule, global(self.file)?, range(self.range), &*self.message);
        d.primary_label = self.primary_label.clone();
        d.labels = self
            .labels
            .iter()
            .map(|(file, r, message, primary)| {
                Some(Label {
                    file: global(*file)?,
                    range: range(*r),
                    message: message.clone(),
                    primary: *primary,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        d.notes = self.notes.clone();
        d.help = self.help.clone();
        d.test_code = self.test_code;
        d.fix = match &self.fix {
            None => None,
            Some((message, machine, edits)) => Some(Fix {
                message: message.clone(),
                applicability: if *machine {
                    Applicability::MachineApplicable
                } else {
                    Applicability::MaybeIncorrect
                },
                edits: edits
                    .iter()
                    .map(|(file, r, content)| {
                        Some(Edit {
                            file: global(*file)?,
                            range: range(*r),
                            content: content.clone(),
                        })
                    })
                    .collect::<Option<Vec<_>>>()?,
            }),
        };
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_that_the_files_contradict_are_invalid() {
        // File 0 of the unit, then one file of a unit below (`others`); `é` is bytes 3..5.
        let texts = [Some("// é\nfn f() {}\n"), Some("fn g() {}\n")];
        let len = texts[0].unwrap().len() as u32;
        let good = || Entry {
            others: vec!["dep/src/lib.rs".to_string()],
            checked: vec![0],
            diagnostics: vec![CachedDiagnostic {
                phase: 1,
                code: "FL003".to_string(),
                message: "m".to_string(),
                file: 0,
                range: (6, 8),
                primary_label: None,
                labels: vec![(1, (0, 2), None, false)],
                notes: Vec::new(),
                help: None,
                fix: Some((
                    "f".to_string(),
                    true,
                    vec![(0, (6, 8), "x".to_string()), (0, (8, 8), "y".to_string())],
                )),
                test_code: false,
            }],
            errors: vec![(0, "cannot read".to_string())],
            unanalysed: vec![(0, (0, u32::MAX))],
        };
        let all = |_: &str| true;
        assert!(good().is_valid(&texts, 1, &all));
        type Forge = Box<dyn Fn(&mut Entry)>;
        let bad: Vec<(&str, Forge)> = vec![
            (
                "start inside é",
                Box::new(|e| e.diagnostics[0].range = (4, 8)),
            ),
            (
                "end past the file",
                Box::new(move |e| e.diagnostics[0].range = (6, len + 1)),
            ),
            (
                "reversed range",
                Box::new(|e| e.diagnostics[0].range = (8, 6)),
            ),
            (
                "unknown code",
                Box::new(|e| e.diagnostics[0].code = "FL999".to_string()),
            ),
            (
                "a name, not a code",
                Box::new(|e| e.diagnostics[0].code = "blocking-call-in-async".to_string()),
            ),
            ("unknown phase", Box::new(|e| e.diagnostics[0].phase = 2)),
            (
                "unanalysed code outside the unit",
                Box::new(|e| e.unanalysed[0].0 = 1),
            ),
            (
                "reversed unanalysed range",
                Box::new(|e| e.unanalysed[0].1 = (8, 6)),
            ),
            (
                "primary outside the unit",
                Box::new(|e| e.diagnostics[0].file = 1),
            ),
            (
                "primary in no file",
                Box::new(|e| e.diagnostics[0].file = 9),
            ),
            (
                "label in no file",
                Box::new(|e| e.diagnostics[0].labels[0].0 = 2),
            ),
            (
                "label inside é",
                Box::new(|e| e.diagnostics[0].labels[0] = (0, (4, 5), None, false)),
            ),
            (
                "label past its file",
                Box::new(|e| e.diagnostics[0].labels[0].1 = (0, 11)),
            ),
            (
                "edit in no file",
                Box::new(|e| e.diagnostics[0].fix.as_mut().unwrap().2[0].0 = 5),
            ),
            (
                "edit inside é",
                Box::new(|e| e.diagnostics[0].fix.as_mut().unwrap().2[1].1 = (4, 4)),
            ),
            (
                "edit past its file",
                Box::new(move |e| e.diagnostics[0].fix.as_mut().unwrap().2[1].1 = (len, len + 3)),
            ),
            (
                "overlapping edits",
                Box::new(|e| e.diagnostics[0].fix.as_mut().unwrap().2[1].1 = (7, 9)),
            ),
            (
                "checked file outside the unit",
                Box::new(|e| e.checked = vec![1]),
            ),
            ("error for no file", Box::new(|e| e.errors[0].0 = 3)),
            ("others do not match", Box::new(|e| e.others.clear())),
        ];
        for (what, forge) in bad {
            let mut entry = good();
            forge(&mut entry);
            assert!(!entry.is_valid(&texts, 1, &all), "{what}");
        }
        // A rule this run does not run, and a file that could not be read this run.
        assert!(!good().is_valid(&texts, 1, &|code| code != "FL003"));
        assert!(!good().is_valid(&[None, texts[1]], 1, &all));
        assert!(!good().is_valid(&texts, 3, &all));
    }
}
