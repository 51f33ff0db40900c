//! Code roles: whether code is test code (docs/contexts.md, "Code roles").
//!
//! Blocking in a test's setup stalls nothing a user runs, so the driver gives findings in test
//! code the levels of `[test-lints]` (FL002 and FL003 allowed by default) instead of the
//! project's. Test code is a function with a test attribute of the vocabulary
//! (`rules/roles.toml`: `#[test]`, `#[tokio::test]`, `#[rstest]`, ...), anything under
//! `#[cfg(test)]` (items, `mod tests`, nested items and closures), a file gated by
//! `#![cfg(test)]` or declared under `#[cfg(test)]` (`#[cfg(test)] mod tests;`, and every file
//! below it), and every file of a `tests/` or `benches/` crate.

use crate::analysis::Cx;
use crate::base::source::TextRange;
use crate::ir::{BodyId, FileModel};
use crate::model::roles::in_test_crate_of;
pub use crate::model::roles::{is_test_body, is_test_file, is_test_fn};

/// Whether the code at `range` of the analysed file is test code.
pub fn is_test_code(cx: &Cx<'_>, range: TextRange) -> bool {
    in_test_crate_of(cx.model, cx.file)
        || is_test_file(cx.model, cx.file)
        || innermost_body(cx.file, range).is_some_and(|id| is_test_body(cx.file, id))
}

/// The smallest body whose extent holds the start of `range`.
fn innermost_body(file: &FileModel, range: TextRange) -> Option<BodyId> {
    file.bodies
        .iter()
        .filter(|(_, b)| b.full_span.start <= range.start && range.start < b.full_span.end)
        .min_by_key(|(_, b)| b.full_span.end - b.full_span.start)
        .map(|(id, _)| id)
}
