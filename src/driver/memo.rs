//! Lowered files kept in memory between runs, for a long-lived caller (the language server):
//! a file whose text, module path, file id and vocabulary are those of the previous run is not
//! parsed and lowered again; its facts are shared (`Arc`) with the previous run's.
//!
//! The package plan (`layout::plan`: manifests, target roots, the packages' file lists) is kept
//! too, for the same inputs, until the caller says the layout on disk may have changed
//! ([`Lowered::forget_plan`]: a file created, deleted or renamed, a manifest edited).
//!
//! The findings cache (`src/cache/`) holds findings for on-disk content across processes; this
//! holds facts for any text (buffers included) within one process, and only what the last run
//! used: entries a run did not ask for are dropped when it ends, so memory stays one crate's
//! facts. Lowering is a pure function of the key, so the kept facts are what lowering would
//! produce. The vocabulary's fingerprint is taken once per run ([`Lowered::begin`]): computing it
//! formats the whole vocabulary, which per file was most of a re-check.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::base::source::FileId;
use crate::ir::FileModel;

use super::layout::Plan;
use crate::model::summary::Kept;

/// (file id, module path, xxh3 of the text, vocabulary fingerprint).
type Key = (FileId, String, u64, u64);

/// The facts of the files of the last run (and of the run under way).
#[derive(Default)]
pub struct Lowered {
    state: Mutex<State>,
    /// The last plan, with the inputs (path, located) and the gitignore setting it was made for.
    plan: Mutex<Option<PlanKey>>,
    /// The summaries' per-file inputs (`summary::Kept`).
    summaries: Mutex<Kept>,
}

type PlanKey = (Vec<(PathBuf, bool)>, bool, Plan);

#[derive(Default)]
struct State {
    /// What the previous run lowered.
    previous: HashMap<Key, Arc<FileModel>>,
    /// What this run lowered or reused.
    current: HashMap<Key, Arc<FileModel>>,
    /// The vocabulary fingerprint of the run under way (computed once per run, not per file).
    vocab: u64,
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
    pub(super) fn begin(&self, vocab: u64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.vocab = vocab;
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
    pub(super) fn get_or_lower<T>(
        &self,
        file: FileId,
        module: &str,
        text: &str,
        lower: impl FnOnce() -> T,
        as_model: impl Fn(&T) -> Option<Arc<FileModel>>,
        from_model: impl FnOnce(Arc<FileModel>) -> T,
    ) -> T {
        let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        let reused = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let key = (file, module.to_string(), hash, state.vocab);
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
            let key = (file, module.to_string(), hash, state.vocab);
            state.current.insert(key, model);
        }
        outcome
    }

    /// The plan for `inputs`: the kept one when it was made for the same inputs and nothing
    /// forgot it since, else `make`'s (kept).
    pub(super) fn plan(
        &self,
        inputs: &[(PathBuf, bool)],
        respect_gitignore: bool,
        make: impl FnOnce() -> Plan,
    ) -> Plan {
        let mut kept = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((listed, gitignore, plan)) = kept.as_ref() {
            if listed == inputs && *gitignore == respect_gitignore {
                return plan.clone();
            }
        }
        let plan = make();
        *kept = Some((inputs.to_vec(), respect_gitignore, plan.clone()));
        plan
    }

    /// Runs `compute` with the kept summary inputs and the run's vocabulary fingerprint.
    pub(super) fn with_summaries<R>(&self, compute: impl FnOnce(&mut Kept, u64) -> R) -> R {
        let vocab = self.state.lock().unwrap_or_else(|e| e.into_inner()).vocab;
        let mut kept = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        compute(&mut kept, vocab)
    }

    /// Files whose summary inputs the last run reused.
    pub fn summaries_reused(&self) -> usize {
        self.summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reused
    }

    /// Drops the kept plan: the next run lists packages and files afresh.
    pub fn forget_plan(&self) {
        *self.plan.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Files reused and files lowered by the run under way (or the last one).
    pub fn stats(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.hits, state.misses)
    }
}
