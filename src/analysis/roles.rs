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
use crate::model::{Model, TargetKind};

/// Whether the code at `range` of the analysed file is test code.
pub fn is_test_code(cx: &Cx<'_>, range: TextRange) -> bool {
    in_test_crate(cx)
        || is_test_file(cx.model, cx.file)
        || innermost_body(cx.file, range).is_some_and(|id| is_test_body(cx.file, id))
}

/// Whether the analysed file belongs to a `tests/` or `benches/` crate.
fn in_test_crate(cx: &Cx<'_>) -> bool {
    cx.model
        .crate_of
        .get(cx.file.file.index())
        .and_then(|k| cx.model.crates.get(*k))
        .is_some_and(|k| matches!(k.kind, TargetKind::Test | TargetKind::Bench))
}

/// Whether the whole file is test code by its gate: `#![cfg(test)]`, or declared by a
/// `#[cfg(test)] mod x;` (or below one).
pub fn is_test_file(model: &Model, file: &FileModel) -> bool {
    file.test_only
        || model
            .test_gated
            .get(file.file.index())
            .copied()
            .unwrap_or(false)
}

/// Whether body `id` or a body enclosing it is a test function or under `#[cfg(test)]`.
pub fn is_test_body(file: &FileModel, id: BodyId) -> bool {
    let mut current = Some(id);
    while let Some(id) = current {
        let body = file.body(id);
        if body.attrs.test_attr || body.attrs.cfg_test {
            return true;
        }
        current = body.parent;
    }
    false
}

/// The smallest body whose extent holds the start of `range`.
fn innermost_body(file: &FileModel, range: TextRange) -> Option<BodyId> {
    file.bodies
        .iter()
        .filter(|(_, b)| b.full_span.start <= range.start && range.start < b.full_span.end)
        .min_by_key(|(_, b)| b.full_span.end - b.full_span.start)
        .map(|(id, _)| id)
}
