//! Lowered files kept in memory between runs, for a long-lived caller (the language server):
//! a file whose text, module path, file id and vocabulary are those of the previous run is not
//! parsed and lowered again; its facts are copied from the previous run's.
//!
//! The findings cache (`src/cache/`) holds findings for on-disk content across processes; this
//! holds facts for any text (buffers included) within one process, and only what the last run
//! used: entries a run did not ask for are dropped when it ends, so memory stays one crate's
//! facts. Lowering is a pure function of the key, so a copy is what lowering would produce.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::base::source::FileId;
use crate::ir::FileModel;

/// (file id, module path, xxh3 of the text, vocabulary fingerprint).
type Key = (FileId, String, u64, u64);

/// The facts of the files of the last run (and of the run under way).
#[derive(Default)]
pub struct Lowered {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// What the previous run lowered.
    previous: HashMap<Key, FileModel>,
    /// What this run lowered or reused.
    current: HashMap<Key, FileModel>,
    hits: usize,
    misses: usize,
}

impl std::fmt::Debug for Lowered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lowered { .. }")
    }
}

impl Lowered {
    /// Starts a run: what the previous run used becomes what this one may reuse.
    pub(super) fn begin(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let current = std::mem::take(&mut state.current);
        if !current.is_empty() {
            state.previous = current;
        }
        state.hits = 0;
        state.misses = 0;
    }

    /// Ends a run: entries it did not use are dropped.
    pub(super) fn end(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.previous = HashMap::new();
    }

    /// The facts for `key`, reused or lowered by `lower` (and kept).
    #[allow(clippy::too_many_arguments)] // the key parts and the three steps of a lowering
    pub(super) fn get_or_lower<T>(
        &self,
        file: FileId,
        module: &str,
        text: &str,
        vocab: u64,
        lower: impl FnOnce() -> T,
        as_model: impl Fn(&T) -> Option<&FileModel>,
        from_model: impl FnOnce(FileModel) -> T,
    ) -> T {
        let key = (
            file,
            module.to_string(),
            xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
            vocab,
        );
        let reused = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let found = state
                .previous
                .remove(&key)
                .or_else(|| state.current.get(&key).cloned());
            if let Some(model) = &found {
                state.current.insert(key.clone(), model.clone());
                state.hits += 1;
            }
            found
        };
        if let Some(model) = reused {
            return from_model(model);
        }
        let outcome = lower();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.misses += 1;
        if let Some(model) = as_model(&outcome) {
            state.current.insert(key, model.clone());
        }
        outcome
    }

    /// Files reused and files lowered by the run under way (or the last one).
    pub fn stats(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.hits, state.misses)
    }
}
