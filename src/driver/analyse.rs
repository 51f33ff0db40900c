//! Analysing a set of files as one model: the per-file workers (read, parse, lower, scan the
//! suppression comments, release the text) on the rayon pool, then module trees, the files
//! lowered again under their true module path, the function index, summaries and the rules.
//!
//! `analyse_set` is what both an uncached run and the findings cache's missed units go through;
//! it knows nothing of levels, suppressions or rendering (the parent module does those).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::source::{FileId, SourceFile, TextRange};
use crate::ir::FileModel;
use crate::model::Model;
use crate::rules::{self, RuleContext};
use crate::syntax::parse::{self, ParseFailure};
use crate::vocab::Vocab;

#[cfg(debug_assertions)]
use super::hooks;
use super::levels::{rule_enabled, scan_suppressions, Scanned};
use super::{layout, read_file, Options};

/// What one worker produced for one file.
pub(super) enum FileOutcome {
    Lowered(Arc<FileModel>),
    Syntax(Diagnostic),
    Error(String),
}

pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Parses and lowers one file; never panics (a panic becomes an error outcome).
fn analyse(id: FileId, text: &str, module: &str, vocab: &Vocab) -> FileOutcome {
    // One session per file: its syntax trees and proc-macro2's spans of it, and anything a panic
    // in it carried, are gone when the session ends (crate::syntax::scratch).
    crate::syntax::scratch::file_session(text.len(), || analyse_in_session(id, text, module, vocab))
}

fn analyse_in_session(id: FileId, text: &str, module: &str, vocab: &Vocab) -> FileOutcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let outcome = match parse::parse_file(text) {
            Ok(parse::Parsed {
                file,
                text: parsed_text,
            }) => {
                #[cfg(debug_assertions)]
                hooks::panic_if_marked(text);
                let model = crate::syntax::lower::lower_file_with_text(
                    &file,
                    &parsed_text,
                    id,
                    module,
                    vocab,
                );
                crate::syntax::scratch::discard(file);
                FileOutcome::Lowered(Arc::new(model))
            }
            Err(ParseFailure::Syntax { range, message }) => {
                FileOutcome::Syntax(syntax_error(id, text, range, message))
            }
            Err(ParseFailure::TooDeep { offset, .. }) => {
                let at = crate::base::source::LineIndex::new(text)
                    .position(text, u32::try_from(offset).unwrap_or(u32::MAX));
                FileOutcome::Error(format!(
                    "nested too deeply to analyse safely (more than {} levels of brackets, operators or generic arguments at {}:{})",
                    parse::MAX_NESTING,
                    at.line,
                    at.column
                ))
            }
        };
        outcome
    }));
    match result {
        Ok(outcome) => outcome,
        Err(payload) => {
            FileOutcome::Error(format!(
                "internal error while analysing this file: {} (this is a forklint bug: please report it with the file)",
                panic_message(&*payload)
            ))
        }
    }
}

/// [`analyse`], through the in-memory lowered files when the run has them (`Options::lowered`).
fn lower(options: &Options, id: FileId, text: &str, module: &str, vocab: &Vocab) -> FileOutcome {
    let Some(memo) = options.lowered.as_deref() else {
        return analyse(id, text, module, vocab);
    };
    memo.get_or_lower(
        id,
        module,
        text,
        || analyse(id, text, module, vocab),
        |outcome| match outcome {
            FileOutcome::Lowered(model) => Some(model.clone()),
            _ => None,
        },
        FileOutcome::Lowered,
    )
}

/// The FL000 finding for a syn error; valid 2015-edition code that syn cannot parse says so.
fn syntax_error(
    id: FileId,
    text: &str,
    range: crate::base::source::TextRange,
    message: String,
) -> Diagnostic {
    let hint =
        crate::syntax::edition::edition_2015_hint(&parse::parse_text(text), range.start as usize);
    rules::syntax_error::diagnostic(id, range, message, hint.map(|h| (h.what, h.fix)))
}

/// One file to analyse: its text when already read (or in memory), else read by the worker.
pub(super) struct Work {
    pub(super) path: PathBuf,
    pub(super) display: String,
    pub(super) text: Option<Result<Arc<str>, String>>,
    /// The text is the file's content on disk (it can be read again: see `SourceFile`).
    pub(super) on_disk: bool,
}

/// What a worker produced for one file.
struct Done {
    source: SourceFile,
    outcome: FileOutcome,
    /// The suppression scan, when the worker released the text (`None`: scan later).
    scan: Option<Option<Scanned>>,
}

/// One worker's job: read (unless already read), parse and lower one file; then scan its
/// suppression comments and release its text if it can be read again later.
fn read_and_analyse(
    id: usize,
    work: Work,
    module: &str,
    reported: bool,
    options: &Options,
    vocab: &Vocab,
) -> Done {
    let text = match work.text {
        Some(text) => text,
        None => read_file(&work.path).map(Arc::from),
    };
    match text {
        Ok(text) => {
            let outcome = lower(options, FileId::from_index(id), &text, module, vocab);
            let mut source = SourceFile::new(work.path, work.display, text);
            let mut scan = None;
            if work.on_disk {
                if reported {
                    scan = Some(scan_suppressions(&source));
                }
                source.release_text();
                #[cfg(debug_assertions)]
                hooks::edit_after_read(&source.path);
            }
            Done {
                source,
                outcome,
                scan,
            }
        }
        Err(message) => Done {
            source: SourceFile::new(work.path, work.display, Arc::from("")),
            outcome: FileOutcome::Error(message),
            scan: None,
        },
    }
}

/// What analysing a set of files produced, before suppressions and levels (ids local to the set).
#[derive(Default)]
pub(super) struct Analysis {
    pub(super) sources: Vec<SourceFile>,
    /// Suppression scans done by the workers, parallel to `sources`.
    pub(super) scans: Vec<Option<Option<Scanned>>>,
    /// FL000 findings, in file order.
    pub(super) syntax: Vec<Diagnostic>,
    /// Rule findings, in file order.
    pub(super) findings: Vec<Diagnostic>,
    pub(super) errors: Vec<(FileId, String)>,
    pub(super) checked: Vec<bool>,
    pub(super) relowered: usize,
    /// Files compiled only under `cfg(test)` / only for Windows (`Model::test_gated`, ...).
    pub(super) test_gated: usize,
    pub(super) windows_gated: usize,
    /// `FileModel::facts_hash` of each file after module trees (0: not lowered), when the
    /// layout asks for fingerprints.
    pub(super) facts: Vec<u64>,
    /// Whether each file is in its package's lib crate (with `facts`).
    pub(super) lib_files: Vec<bool>,
    /// Whether each file may fork (`analysis::fork::may_fork`, with `facts`).
    pub(super) forks: Vec<bool>,
    pub(super) call_stats: crate::model::summary::CallStats,
    /// Code no rule analysed (Windows-only files and items), per file: FL100 does not judge
    /// the suppressions inside it.
    pub(super) unanalysed: Vec<(FileId, TextRange)>,
    pub(super) model_bytes: usize,
    pub(super) timings: Vec<(&'static str, u128)>,
}

/// The packages, files and module paths of an analysis.
pub(super) struct Layout {
    pub(super) packages: Vec<crate::model::Package>,
    pub(super) package_of: Vec<usize>,
    /// Each file's module path from its location (what a loose file keeps).
    pub(super) modules: Vec<String>,
    /// The module path each file is lowered with first (`layout::Plan::lower_modules`).
    pub(super) lower_modules: Vec<String>,
    pub(super) reported: Vec<bool>,
    /// Lib names that several packages of the whole run provide (never resolved).
    pub(super) ambiguous_libs: Vec<String>,
    /// Fingerprint each file's facts (for the cache's unit interfaces).
    pub(super) fingerprint: bool,
    /// Stop after lowering (module trees included): no summaries, no rules.
    pub(super) lower_only: bool,
}

/// Reads, parses, lowers and checks `works` (all files of whole packages) as one model.
pub(super) fn analyse_set(
    works: Vec<Work>,
    layout: &Layout,
    options: &Options,
    vocab: &Vocab,
) -> Analysis {
    let mut clock = Instant::now();
    let mut timings: Vec<(&'static str, u128)> = Vec::new();
    let mut lap = |name: &'static str, clock: &mut Instant| {
        timings.push((name, clock.elapsed().as_millis()));
        *clock = Instant::now();
    };
    let paths: Vec<PathBuf> = works.iter().map(|w| w.path.clone()).collect();
    let reported = &layout.reported;

    // Read, parse and lower every file in parallel, largest files first, each worker pulling the
    // next file from a shared counter: the biggest syntax trees are built while little of the
    // model exists yet (peak memory: one 2.6 MB file's tree is 300 MB), and the small files fill
    // the end of the run (no core idles while another finishes a big file).
    let sizes: Vec<u64> = works
        .par_iter()
        .map(|work| match &work.text {
            Some(Ok(text)) => text.len() as u64,
            Some(Err(_)) => 0,
            None => std::fs::metadata(&work.path).map_or(0, |m| m.len()),
        })
        .collect();
    let mut order: Vec<usize> = (0..works.len()).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let work: Vec<Mutex<Option<(Work, &String)>>> = works
        .into_iter()
        .zip(&layout.lower_modules)
        .map(|w| Mutex::new(Some(w)))
        .collect();
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(work.len()));
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| {
                let mut local = Vec::new();
                while let Some(&id) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let taken = work[id].lock().unwrap_or_else(|e| e.into_inner()).take();
                    if let Some((input, module)) = taken {
                        let done =
                            read_and_analyse(id, input, module, reported[id], options, vocab);
                        local.push((id, done));
                    }
                }
                done.lock().unwrap_or_else(|e| e.into_inner()).extend(local);
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_unstable_by_key(|(id, _)| *id);
    let results: Vec<Done> = done.into_iter().map(|(_, result)| result).collect();

    lap("read+parse+lower", &mut clock);
    let mut out = Analysis {
        checked: vec![false; results.len()],
        ..Analysis::default()
    };
    let mut model = Model {
        files: Vec::with_capacity(results.len()),
        packages: layout.packages.clone(),
        package_of: layout.package_of.clone(),
        reported: reported.clone(),
        ambiguous_libs: layout.ambiguous_libs.clone(),
        host_forks: options.host_forks,
        ..Model::default()
    };
    for (id, done) in results.into_iter().enumerate() {
        let reported = reported[id];
        let Done {
            source,
            outcome,
            scan,
        } = done;
        out.scans.push(scan);
        match outcome {
            FileOutcome::Lowered(file) => {
                out.checked[id] = reported;
                if options.measure_model {
                    out.model_bytes += crate::ir::approx_heap_bytes(&file);
                }
                model.files.push(Some(file));
            }
            FileOutcome::Syntax(diag) => {
                out.checked[id] = reported;
                if reported {
                    out.syntax.push(diag);
                }
                model.files.push(None);
            }
            FileOutcome::Error(message) => {
                if reported {
                    out.errors.push((FileId::from_index(id), message));
                }
                model.files.push(None);
            }
        }
        out.sources.push(source);
    }

    lap("collect", &mut clock);
    // Crates and module trees; files lowered under a wrong module path are lowered again.
    let relower = layout::assign(&mut model, &paths, &layout.modules);
    out.relowered = relower.len();
    if std::env::var_os("FORKLINT_DEBUG_RELOWER").is_some() {
        for (id, module) in &relower {
            let old = model
                .file(*id)
                .map(|f| f.module.clone())
                .unwrap_or_default();
            eprintln!(
                "relower {} {old} -> {module}",
                out.sources[id.index()].display
            );
        }
    }
    lap("module trees", &mut clock);
    let redone: Vec<(FileId, FileOutcome)> = relower
        .into_par_iter()
        .map(|(id, module)| {
            // A released text is read again (and checked against its hash) for the new module.
            let mut source = out.sources[id.index()].clone();
            match source.reload_text(read_file) {
                Ok(()) => (id, lower(options, id, &source.text, &module, vocab)),
                Err(message) => (id, FileOutcome::Error(message)),
            }
        })
        .collect();
    for (id, outcome) in redone {
        match outcome {
            FileOutcome::Lowered(file) => model.files[id.index()] = Some(file),
            FileOutcome::Syntax(_) => {}
            FileOutcome::Error(message) => {
                model.files[id.index()] = None;
                if reported[id.index()] {
                    out.checked[id.index()] = false;
                    out.errors.push((id, message));
                }
            }
        }
    }
    lap("re-lower", &mut clock);
    out.test_gated = model.test_gated.iter().filter(|g| **g).count();
    out.windows_gated = model.windows_gated.iter().filter(|g| **g).count();
    if std::env::var_os("FORKLINT_DEBUG_GATES").is_some() {
        for (id, source) in out.sources.iter().enumerate() {
            for (gated, what) in [
                (&model.test_gated, "test"),
                (&model.windows_gated, "windows"),
            ] {
                if gated.get(id).copied().unwrap_or(false) {
                    eprintln!("gated {what} {}", source.display);
                }
            }
        }
    }
    // What no rule saw, for FL100 (a suppression there cannot be judged): Windows-only files
    // whole, and the `#[cfg(windows)]` code of the others.
    for (id, file) in model.files.iter().enumerate() {
        if !reported[id] {
            continue;
        }
        let file_id = FileId::from_index(id);
        if model.windows_gated.get(id).copied().unwrap_or(false) {
            out.unanalysed
                .push((file_id, TextRange::new(0, u32::MAX as usize)));
        } else if let Some(file) = file {
            out.unanalysed
                .extend(file.windows_ranges.iter().map(|r| (file_id, *r)));
        }
    }
    // Windows-only files (`#[cfg(windows)] mod w;`): only their module tree stays, so no rule,
    // index or summary sees them (docs/contexts.md, "Platform").
    for (file, _) in model
        .files
        .iter_mut()
        .zip(&model.windows_gated)
        .filter(|(_, gated)| **gated)
    {
        if let Some(file) = file {
            std::sync::Arc::make_mut(file).keep_module_tree_only();
        }
    }
    if layout.fingerprint {
        // The gates are facts the units above can observe (a test-gated file's code is test
        // code for their entry states).
        out.facts = model
            .files
            .par_iter()
            .zip(&model.test_gated)
            .zip(&model.windows_gated)
            .map(|((f, &test), &windows)| {
                f.as_deref().map_or(0, |f| {
                    f.facts_hash() ^ u64::from(test) << 1 ^ u64::from(windows) << 2
                })
            })
            .collect();
        out.lib_files = model.in_lib.clone();
        // Only a lib file's forks reach the interface (`cached::CachePlan::interface_of`).
        out.forks = model
            .files
            .par_iter()
            .zip(&model.in_lib)
            .map(|(f, &lib)| {
                lib && f
                    .as_deref()
                    .is_some_and(|f| crate::analysis::fork::may_fork(vocab, f))
            })
            .collect();
    }
    if layout.lower_only {
        out.timings = timings;
        return out;
    }
    model.index_functions();
    lap("index", &mut clock);
    model.fill_receivers(vocab);
    lap("receivers", &mut clock);
    out.call_stats = match options.lowered.as_deref() {
        Some(memo) => memo.with_summaries(|kept, fingerprint| {
            crate::model::summary::compute_with(&mut model, vocab, fingerprint, kept)
        }),
        None => crate::model::summary::compute(&mut model, vocab),
    };
    lap("summaries", &mut clock);
    let entries = crate::analysis::entry::compute(&model, vocab);
    lap("entry states", &mut clock);

    // Rules, per file, in parallel.
    let enabled: Vec<&rules::Rule> = rules::RULES
        .iter()
        .filter(|r| r.check.is_some() && rule_enabled(r.meta, options))
        .collect();
    let per_file: Vec<Result<Vec<Diagnostic>, String>> = model
        .files
        .par_iter()
        .enumerate()
        .map(|(id, file)| {
            let Some(file) = file.as_ref().filter(|_| reported[id]) else {
                return Ok(Vec::new());
            };
            catch_unwind(AssertUnwindSafe(|| {
                let cx = RuleContext::new(&model, vocab, &entries, file);
                let mut out = Vec::new();
                for rule in &enabled {
                    if let Some(check) = rule.check {
                        check(&cx, &mut out);
                    }
                }
                // The role of each finding's code, for `[test-lints]` (levels.rs).
                for diag in &mut out {
                    diag.test_code = diag.file == file.file
                        && crate::analysis::roles::is_test_code(&cx, diag.range);
                }
                out
            }))
            .map_err(|payload| panic_message(&*payload))
        })
        .collect();
    for (id, result) in per_file.into_iter().enumerate() {
        match result {
            Ok(diags) => out.findings.extend(diags),
            Err(message) => {
                out.checked[id] = false;
                out.errors.push((
                FileId::from_index(id),
                format!(
                    "internal error in a rule pass: {message} (this is a forklint bug: please report it with the file)"
                ),
            ));
            }
        }
    }
    lap("rules", &mut clock);
    // Freeing millions of facts took a fifth of a second on the corpus, at the end of the
    // critical path: let a thread of its own do it while the report is rendered (a process
    // that exits first skips it).
    let _ = std::thread::Builder::new()
        .name("forklint-drop".to_string())
        .spawn(move || drop(model));
    out.timings = timings;
    out
}
