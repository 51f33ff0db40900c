//! The rule registry: metadata and documentation of every rule, and the list of rule passes.
//!
//! A rule is one file under `src/rules/`: a `declare_rule!` with its docs (the four sections
//! `### What it does`, `### Why is this bad?`, `### Example`, `### Use instead`) and a `check`
//! function that queries the fact model. Rules never see `syn` and never do I/O.

use crate::base::diagnostic::Diagnostic;

pub mod async_loop_never_yields;
pub mod blocking_call_in_async;
pub mod child_escapes;
pub mod docs;
pub mod fork_in_async;
pub mod lock_across_fork;
pub mod notes;
pub mod syntax_error;
pub mod thread_before_fork;
pub mod unsafe_call_in_child;
pub mod unused_suppression;
pub mod util;

pub use crate::base::rule::{docs_url, RuleMeta, REPOSITORY};
pub use syntax_error::SYNTAX_ERROR;
pub use unused_suppression::UNUSED_SUPPRESSION;

/// Declares a rule's metadata; the doc comments become its documentation.
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* $vis:vis static $ident:ident = $code:literal, $name:literal, $severity:ident, $summary:literal;) => {
        $vis static $ident: $crate::base::rule::RuleMeta = $crate::base::rule::RuleMeta {
            code: $code,
            name: $name,
            default_severity: $crate::base::diagnostic::Severity::$severity,
            summary: $summary,
            docs: concat!($($doc, "\n",)*),
        };
    };
}

/// What a rule pass sees: the whole model (for cross-file facts), the vocabulary, one file, and
/// the shared analysis of that file, computed once whichever rules ask (see `analysis`).
pub type RuleContext<'a> = crate::analysis::FileAnalysis<'a>;

pub type CheckFn = fn(&RuleContext<'_>, &mut Vec<Diagnostic>);

pub struct Rule {
    pub meta: &'static RuleMeta,
    /// `None` for rules the engine itself reports (FL000, FL100).
    pub check: Option<CheckFn>,
}

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    Rule {
        meta: &SYNTAX_ERROR,
        check: None,
    },
    Rule {
        meta: &thread_before_fork::RULE,
        check: Some(thread_before_fork::check),
    },
    Rule {
        meta: &async_loop_never_yields::RULE,
        check: Some(async_loop_never_yields::check),
    },
    Rule {
        meta: &blocking_call_in_async::RULE,
        check: Some(blocking_call_in_async::check),
    },
    Rule {
        meta: &lock_across_fork::RULE,
        check: Some(lock_across_fork::check),
    },
    Rule {
        meta: &unsafe_call_in_child::RULE,
        check: Some(unsafe_call_in_child::check),
    },
    Rule {
        meta: &child_escapes::RULE,
        check: Some(child_escapes::check),
    },
    Rule {
        meta: &fork_in_async::RULE,
        check: Some(fork_in_async::check),
    },
    Rule {
        meta: &UNUSED_SUPPRESSION,
        check: None,
    },
];

/// Finds a rule by code (`FL003`, case-insensitive) or name (`blocking-call-in-async`).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta)
        .find(|m| m.code.eq_ignore_ascii_case(code_or_name) || m.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_come_from_the_repository_key_only() {
        assert_eq!(docs_url("", &SYNTAX_ERROR), None);
        assert_eq!(
            docs_url("https://example.org/x/forklint.git", &SYNTAX_ERROR).as_deref(),
            Some("https://example.org/x/forklint/blob/main/docs/rules/FL000-syntax-error.md")
        );
        // Without a repository key no format may invent a url.
        assert!(RULES.iter().all(|r| r.meta.url().is_none()) || !REPOSITORY.is_empty());
    }
}
