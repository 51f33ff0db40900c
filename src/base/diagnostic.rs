//! Findings: what a rule reports, independent of how it is rendered.

use crate::base::rule::RuleMeta;
use crate::base::source::{FileId, TextRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with an optional message; one label of a diagnostic is primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub range: TextRange,
    pub message: Option<String>,
    pub primary: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    MachineApplicable,
    MaybeIncorrect,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "machine-applicable",
            Applicability::MaybeIncorrect => "maybe-incorrect",
        }
    }

    /// rustc's spelling, for `cargo-json`.
    pub fn rustc_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub range: TextRange,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    /// The primary span (the contract's line: fixtures and suppressions point at it).
    pub range: TextRange,
    /// The primary label's message.
    pub primary_label: Option<String>,
    /// Secondary labels (evidence), possibly in other files.
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Whether the primary span is in test code (`analysis::roles`): levels there come from
    /// `[test-lints]` (docs/configuration.md). Set by the driver after the rules ran.
    pub test_code: bool,
}

impl Diagnostic {
    pub fn new(
        rule: &'static RuleMeta,
        file: FileId,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity,
            message: message.into(),
            file,
            range,
            primary_label: None,
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
            test_code: false,
        }
    }

    pub fn primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = Some(message.into());
        self
    }

    pub fn label(mut self, file: FileId, range: TextRange, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            range,
            message: Some(message.into()),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// All labels, primary first.
    pub fn all_labels(&self) -> Vec<Label> {
        let mut out = Vec::with_capacity(self.labels.len() + 1);
        out.push(Label {
            file: self.file,
            range: self.range,
            message: self.primary_label.clone(),
            primary: true,
        });
        out.extend(self.labels.iter().cloned());
        out
    }
}
