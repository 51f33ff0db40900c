//! Which code is test code, as far as the model alone tells (docs/contexts.md, "Code roles"):
//! the predicates the model's own passes need (calls followed from callers down stop at test
//! code), shared with the analysis layer's `roles`, which adds "the code at this span".

use crate::ir::{BodyId, FileModel};
use crate::model::{FnRef, Model, TargetKind};

/// Whether function `f` of the model is test code (a test crate's, in a test-gated file, a test
/// itself or under `#[cfg(test)]`).
pub fn is_test_fn(model: &Model, f: FnRef) -> bool {
    model.file(f.file).is_some_and(|file| {
        in_test_crate_of(model, file) || is_test_file(model, file) || is_test_body(file, f.body)
    })
}

/// Whether `file` belongs to a `tests/` or `benches/` crate.
pub(crate) fn in_test_crate_of(model: &Model, file: &FileModel) -> bool {
    model
        .crate_of
        .get(file.file.index())
        .and_then(|k| model.crates.get(*k))
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
