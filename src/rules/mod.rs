//! The rule registry: metadata and documentation of every rule, and the list of rule passes.
//!
//! A rule is one file under `src/rules/`: a `declare_rule!` with its docs (the four sections
//! `### What it does`, `### Why is this bad?`, `### Example`, `### Use instead`) and a `check`
//! function that queries the fact model. Rules never see `syn` and never do I/O. The registry
//! is the `rules! { .. }` list below, one line per rule.

use crate::base::diagnostic::Diagnostic;

pub mod docs;
pub(crate) mod notes;
pub(crate) mod syntax_error;
pub(crate) mod unused_suppression;
pub(crate) mod util;

pub use syntax_error::SYNTAX_ERROR;
pub use unused_suppression::UNUSED_SUPPRESSION;

pub use crate::base::rule::{docs_url, RuleMeta, REPOSITORY};

/// Builds the registry from one line per rule, `CODE => module`, in code order: each line
/// declares `pub mod module;` (the rule file: `RULE`, its docs, and `check`) and adds
/// `Rule { meta: &module::RULE, check: Some(module::check) }` to [`RULES`]. Rules the engine
/// reports itself are written `CODE => STATIC (engine)`: their metadata is a static of this
/// module and they have no `check`. A compile-time assertion ties each line's code to the code
/// its rule declares. `cargo xtask new-rule` adds a line here (docs/ARCHITECTURE.md, "Adding a
/// rule").
macro_rules! rules {
    (@meta $code:ident $meta:expr) => {
        const _: () = assert!(
            same_str(stringify!($code), $meta.code),
            concat!("registry line ", stringify!($code), " names a rule of another code")
        );
    };
    (@item $code:ident => $meta:ident (engine)) => {
        rules!(@meta $code $meta);
    };
    (@item $code:ident => $module:ident) => {
        pub(crate) mod $module;
        rules!(@meta $code $module::RULE);
    };
    (@rule $meta:ident (engine)) => {
        Rule { meta: &$meta, check: None }
    };
    (@rule $module:ident) => {
        Rule { meta: &$module::RULE, check: Some($module::check) }
    };
    ($($code:ident => $target:ident $(($engine:ident))?,)*) => {
        $(rules!(@item $code => $target $(($engine))?);)*

        /// Every rule, in code order.
        pub static RULES: &[Rule] = &[$(rules!(@rule $target $(($engine))?)),*];
    };
}

rules! {
    FL000 => SYNTAX_ERROR (engine),
    FL001 => thread_before_fork,
    FL002 => async_loop_never_yields,
    FL003 => blocking_call_in_async,
    FL004 => lock_across_fork,
    FL005 => unsafe_call_in_child,
    FL006 => child_escapes,
    FL007 => fork_in_async,
    FL008 => fork_unsafe_global,
    FL009 => threads_at_import,
    FL010 => fork_recovery_drops_runtime,
    FL100 => UNUSED_SUPPRESSION (engine),
}

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

/// `a == b` for the registry's compile-time check (`str` equality is not `const`).
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

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
