//! Shared analysis: the queries several rules ask of one file, computed once per file and reached
//! through the rule context ([`FileAnalysis`], which rules know as `RuleContext`).
//!
//! - [`fork`]: fork sites and the state at each; [`child`]: their child regions;
//! - [`entry`]: entry states of forking functions, joined over their callers (crate-wide);
//! - [`wrappers`]: fork wrappers, functions that return what a fork returned (crate-wide);
//! - [`interp`]: the abstract interpreter (threads, guards and runtimes alive on a path);
//! - [`flow`]: how control leaves a region; [`signal_safety`]: async-signal safety of child code;
//! - [`contexts`]: execution contexts across closures (context roots, local context exits);
//! - [`roles`]: code roles (whether a finding is in test code);
//! - [`extension`]: extension modules (entry points, statics, fork guards; FL008-FL010).
//!
//! Nothing here parses, does I/O or writes messages for users beyond short descriptions of
//! evidence ("`format!` is not async-signal-safe").

pub mod child;
pub mod contexts;
pub mod entry;
pub mod extension;
pub mod flow;
pub mod fork;
pub mod interp;
pub mod roles;
pub mod signal_safety;
pub mod wrappers;

use std::cell::OnceCell;

use crate::ir::FileModel;
use crate::model::Model;
use crate::vocab::Vocab;

/// What every query sees: the whole model (for cross-file facts), the vocabulary, one file.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub model: &'a Model,
    pub vocab: &'a Vocab,
    pub file: &'a FileModel,
    /// What holds on entry to the run's forking functions (computed once per run).
    pub entries: &'a entry::EntryStates,
}

/// The shared analysis of one file: each query runs at most once, on first use, whichever rules
/// ask for it (the fork sites are asked for by five rules).
pub struct FileAnalysis<'a> {
    cx: Cx<'a>,
    fork_sites: OnceCell<Vec<fork::ForkSite<'a>>>,
    extension: OnceCell<extension::ExtensionFacts>,
}

impl<'a> FileAnalysis<'a> {
    pub fn new(
        model: &'a Model,
        vocab: &'a Vocab,
        entries: &'a entry::EntryStates,
        file: &'a FileModel,
    ) -> Self {
        FileAnalysis {
            cx: Cx {
                model,
                vocab,
                file,
                entries,
            },
            fork_sites: OnceCell::new(),
            extension: OnceCell::new(),
        }
    }

    /// Every fork site of the file, in source order.
    pub fn fork_sites(&self) -> &[fork::ForkSite<'a>] {
        self.fork_sites.get_or_init(|| fork::fork_sites(&self.cx))
    }

    /// The extension-module facts of the file (FL008-FL010).
    pub fn extension(&self) -> &extension::ExtensionFacts {
        self.extension.get_or_init(|| extension::facts(&self.cx))
    }
}

impl<'a> std::ops::Deref for FileAnalysis<'a> {
    type Target = Cx<'a>;

    fn deref(&self) -> &Cx<'a> {
        &self.cx
    }
}
