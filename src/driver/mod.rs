//! The pipeline: discover -> read -> parse (parallel) -> lower -> rules -> suppress -> sort.
//!
//! Files are independent until the rules run: each worker reads, parses and lowers one file and
//! keeps only its facts (the syntax tree is dropped at once). A failure in one file (unreadable,
//! not UTF-8, too deep, a panic in analysis) becomes a tool error for that file; every other file
//! is still checked and reported.

mod analyse;
mod cached;
#[cfg(debug_assertions)]
mod hooks;
pub mod layout;
mod levels;
mod memo;

use analyse::{analyse_set, Layout, Work};
use cached::cached_run;
pub use levels::Level;
use levels::{apply_suppressions_and_levels, rule_enabled};
pub use memo::Lowered;

pub use crate::io::read::{io_message, read_file, MAX_FILE_SIZE};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::source::{FileId, SourceFile};
use crate::discover::{self, Found, Selection};
use crate::rules;
use crate::syntax::parse;
use crate::vocab::Vocab;

/// Settings of one run that the engine needs (the CLI and config build this).
#[derive(Clone, Debug)]
pub struct Options {
    pub selection: Selection,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// Rule codes to run (empty = all).
    pub select: Vec<&'static str>,
    /// Rule codes to skip.
    pub ignore: Vec<&'static str>,
    /// Level overrides by rule code, applied in order (`all` is expanded by the CLI).
    pub levels: Vec<(&'static str, Level)>,
    /// Per-file level overrides: glob -> (code, level).
    pub per_file_levels: Vec<(globset::GlobMatcher, &'static str, Level)>,
    /// `[test-lints]`: levels in test code, above `-A/-W/-D` and below per-file levels
    /// (FL002 and FL003 allowed by default).
    pub test_levels: Vec<(&'static str, Level)>,
    /// `-D warnings`: warnings fail the run.
    pub deny_warnings: bool,
    /// Base directory for printed paths.
    pub cwd: PathBuf,
    /// The findings cache directory (`None`: no cache, as with `--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Whether findings may come from the cache; when not (`--fix`, `--diff`), every unit is
    /// analysed and its entry only written.
    pub reuse_cache: bool,
    /// Estimate the fact model's size for the report (`--verbose`; a walk over every fact).
    pub measure_model: bool,
    /// `[extension] host-forks`: which crates FL008-FL010 treat as loaded by a forking host.
    pub host_forks: crate::model::HostForks,
    /// Lowered files kept between runs by a long-lived caller (the language server): files
    /// unchanged since the previous run with this value are not parsed and lowered again.
    pub lowered: Option<Arc<Lowered>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            selection: Selection {
                respect_gitignore: true,
                ..Selection::default()
            },
            threads: 0,
            select: Vec::new(),
            ignore: Vec::new(),
            levels: Vec::new(),
            per_file_levels: Vec::new(),
            test_levels: levels::default_test_levels(),
            deny_warnings: false,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            cache_dir: None,
            reuse_cache: true,
            measure_model: false,
            host_forks: crate::model::HostForks::Auto,
            lowered: None,
        }
    }
}

/// A file-level problem that is not a finding: the path and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ToolError {
    pub path: String,
    pub message: String,
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub sources: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub errors: Vec<ToolError>,
    pub files_checked: usize,
    pub suppressed: usize,
    /// Suppressed findings per rule code (for `--statistics`).
    pub suppressed_by_code: HashMap<&'static str, usize>,
    /// Findings in test code that `[test-lints]` allowed (held back), in all and per rule.
    pub held_back: usize,
    pub held_back_by_code: HashMap<&'static str, usize>,
    pub duration_ms: u128,
    pub root: PathBuf,
    /// Files lowered again because their module path differed from their location's.
    pub relowered: usize,
    /// Files compiled only under `cfg(test)` / only for Windows, by their own attribute or a
    /// `mod` line's (for `-v`).
    pub test_gated: usize,
    pub windows_gated: usize,
    /// Wall time of each phase in milliseconds (for `-v`).
    pub timings: Vec<(&'static str, u128)>,
    /// How many calls resolved to crate-local functions (for `-v` and the crate-wide report).
    pub call_stats: crate::model::summary::CallStats,
    /// Rough heap size of the fact model, in bytes (`--verbose`).
    pub model_bytes: usize,
    /// Analysis groups whose findings came from the cache, and groups analysed (`--verbose`).
    pub cache_hits: usize,
    pub cache_misses: usize,
    /// Why the cache could not be written, if it could not (`--verbose`).
    pub cache_note: Option<String>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn source(&self, id: FileId) -> &SourceFile {
        &self.sources[id.index()]
    }
}

/// `path` made absolute against `cwd` and cleaned lexically: `.` dropped, `..` taken back one
/// component. Nothing is read from the file system, so a missing path normalises too (and is
/// reported under its clean name); a `..` after a symlink is taken lexically, as ruff does.
pub fn normalize(path: &Path, cwd: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Displays `path` relative to `cwd` with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path
        .strip_prefix(cwd)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let text = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// One input: a path on disk, or in-memory text (stdin, tests).
pub struct Input {
    pub path: PathBuf,
    pub display: String,
    pub text: Option<String>,
    /// Findings in this file are reported (false for crate context files).
    pub report: bool,
    /// In-memory text that stands for the file at `path` (stdin with `--stdin-filename`): it is
    /// analysed with that file's package as context, like the file on disk.
    pub located: bool,
}

/// Runs forklint on `paths`.
pub fn check_paths(paths: &[PathBuf], options: &Options, vocab: &Vocab) -> Result<Report, String> {
    let start = Instant::now();
    let (found, errors) = discover_paths(paths, options)?;
    let files = found.into_iter().map(|f| f.path).collect::<Vec<_>>();
    let mut report = check_found(files, options, vocab);
    report.errors.extend(errors);
    report.errors.sort();
    report.duration_ms = start.elapsed().as_millis();
    Ok(report)
}

/// Discovery for a run: `paths` made absolute against `options.cwd` and normalised (see
/// [`normalize`]; excludes still match relative to `cwd`, and printed paths are relative to it),
/// walked, and every file named more than once (`src/lib.rs` and `./src/lib.rs`, a directory
/// and a file in it, a symlink and its target) kept once, under its first spelling in sorted
/// order. Problems (a missing path, a symlink loop) come back as tool errors.
pub fn discover_paths(
    paths: &[PathBuf],
    options: &Options,
) -> Result<(Vec<Found>, Vec<ToolError>), String> {
    let paths: Vec<PathBuf> = paths.iter().map(|p| normalize(p, &options.cwd)).collect();
    let mut selection = options.selection.clone();
    selection.base = Some(normalize(Path::new(""), &options.cwd));
    let (found, errors) = discover::discover(&paths, &selection)?;
    let keys: Vec<PathBuf> = found
        .par_iter()
        .map(|f| layout::path_key(&f.path))
        .collect();
    let mut seen: HashMap<PathBuf, ()> = HashMap::with_capacity(found.len());
    let found = found
        .into_iter()
        .zip(keys)
        .filter(|(_, key)| seen.insert(key.clone(), ()).is_none())
        .map(|(f, _)| f)
        .collect();
    let errors = errors
        .into_iter()
        .map(|err| ToolError {
            path: display_path(&err.path, &options.cwd),
            message: err.message,
        })
        .collect();
    Ok((found, errors))
}

/// Runs forklint on files already discovered (see [`discover_paths`]).
pub fn check_found(files: Vec<PathBuf>, options: &Options, vocab: &Vocab) -> Report {
    let start = Instant::now();
    #[cfg(debug_assertions)]
    hooks::remove_after_discovery();
    let inputs: Vec<Input> = files
        .into_iter()
        .map(|path| Input {
            display: display_path(&path, &options.cwd),
            path,
            text: None,
            report: true,
            located: true,
        })
        .collect();
    let discovered = start.elapsed().as_millis();
    let mut report = run(inputs, options, vocab);
    report.timings.insert(0, ("discovery", discovered));
    report.errors.sort();
    report.duration_ms = start.elapsed().as_millis();
    report
}

/// Runs forklint on stdin's text as the file at `path` (`--stdin-filename`): with that file's
/// package as context, so the findings are those of the file on disk holding this text.
pub fn check_stdin(path: &Path, text: String, options: &Options, vocab: &Vocab) -> Report {
    check_overlays(vec![(path.to_path_buf(), text)], options, vocab)
}

/// Runs forklint on in-memory texts that stand for files on disk (stdin, an editor's unsaved
/// buffers): each text is checked as the file at its path, with that file's package read from
/// disk as context, and the overlays hiding the disk's copies (an overlaid file is never read).
/// Only the overlaid files are reported. Nothing is cached: the findings cache holds on-disk
/// content only.
pub fn check_overlays(
    overlays: Vec<(PathBuf, String)>,
    options: &Options,
    vocab: &Vocab,
) -> Report {
    let inputs = overlays
        .into_iter()
        .map(|(path, text)| {
            let path = normalize(&path, &options.cwd);
            Input {
                display: display_path(&path, &options.cwd),
                path,
                text: Some(text),
                report: true,
                located: true,
            }
        })
        .collect();
    run(inputs, options, vocab)
}

/// One report from the reports of several runs over disjoint sets of files (one run per
/// configuration): sources appended, file ids moved along, findings sorted as one run sorts them.
pub fn merge(reports: Vec<Report>) -> Report {
    let mut reports = reports.into_iter();
    let Some(mut out) = reports.next() else {
        return Report::default();
    };
    for mut report in reports {
        let offset = out.sources.len();
        for d in &mut report.diagnostics {
            remap_files(d, &|id| FileId::from_index(id.index() + offset));
        }
        out.sources.append(&mut report.sources);
        out.diagnostics.append(&mut report.diagnostics);
        out.errors.append(&mut report.errors);
        out.files_checked += report.files_checked;
        out.suppressed += report.suppressed;
        for (code, n) in report.suppressed_by_code {
            *out.suppressed_by_code.entry(code).or_default() += n;
        }
        out.held_back += report.held_back;
        for (code, n) in report.held_back_by_code {
            *out.held_back_by_code.entry(code).or_default() += n;
        }
        out.duration_ms += report.duration_ms;
        out.relowered += report.relowered;
        out.test_gated += report.test_gated;
        out.windows_gated += report.windows_gated;
        out.call_stats.resolved += report.call_stats.resolved;
        out.call_stats.unresolved += report.call_stats.unresolved;
        out.model_bytes += report.model_bytes;
        out.cache_hits += report.cache_hits;
        out.cache_misses += report.cache_misses;
        out.cache_note = out.cache_note.or(report.cache_note);
        for (phase, ms) in report.timings {
            match out.timings.iter_mut().find(|(p, _)| *p == phase) {
                Some((_, total)) => *total += ms,
                None => out.timings.push((phase, ms)),
            }
        }
    }
    let sources = &out.sources;
    out.diagnostics.sort_by(|a, b| {
        let (sa, sb) = (&sources[a.file.index()], &sources[b.file.index()]);
        (
            sa.display.as_str(),
            a.range.start,
            a.rule.code,
            a.range.end,
            &a.message,
        )
            .cmp(&(
                sb.display.as_str(),
                b.range.start,
                b.rule.code,
                b.range.end,
                &b.message,
            ))
    });
    out.errors.sort();
    out
}

/// Runs forklint on in-memory sources (stdin, tests, fuzzing).
pub fn check_sources(sources: Vec<(String, String)>, options: &Options, vocab: &Vocab) -> Report {
    let inputs = sources
        .into_iter()
        .map(|(name, text)| Input {
            path: PathBuf::from(&name),
            display: name,
            text: Some(text),
            report: true,
            located: false,
        })
        .collect();
    run(inputs, options, vocab)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(parse::STACK_SIZE);
    if threads > 0 {
        builder = builder.num_threads(threads);
    }
    builder
        .build()
        .or_else(|_| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(parse::STACK_SIZE)
                .build()
        })
        .expect("a one-thread pool can always be built")
}

fn run(inputs: Vec<Input>, options: &Options, vocab: &Vocab) -> Report {
    let pool = pool(options.threads);
    pool.install(|| run_in_pool(inputs, options, vocab))
}

fn run_in_pool(mut inputs: Vec<Input>, options: &Options, vocab: &Vocab) -> Report {
    // Packages, and the other files of each package as context for crate-wide analysis.
    let listed: Vec<(PathBuf, bool)> = inputs.iter().map(|i| (i.path.clone(), i.located)).collect();
    let on_disk = !inputs.is_empty() && inputs.iter().all(|i| i.text.is_none());
    let clock = Instant::now();
    let respect_gitignore = options.selection.respect_gitignore;
    let plan = match &options.lowered {
        Some(memo) => memo.plan(&listed, respect_gitignore, || {
            layout::plan(&listed, respect_gitignore)
        }),
        None => layout::plan(&listed, respect_gitignore),
    };
    let mut timings = vec![("packages", clock.elapsed().as_millis())];
    for path in &plan.context {
        inputs.push(Input {
            display: display_path(path, &options.cwd),
            path: path.clone(),
            text: None,
            report: false,
            located: true,
        });
    }
    let reported: Vec<bool> = inputs.iter().map(|i| i.report).collect();
    let works: Vec<Work> = inputs
        .into_iter()
        .map(|i| Work {
            on_disk: i.text.is_none(),
            path: i.path,
            display: i.display,
            text: i.text.map(|t| Ok(Arc::from(t))),
        })
        .collect();
    let layout = Layout {
        packages: plan.packages,
        package_of: plan.package_of,
        modules: plan.modules,
        lower_modules: plan.lower_modules,
        reported: reported.clone(),
        ambiguous_libs: Vec::new(),
        fingerprint: false,
        lower_only: false,
    };
    let mut report = Report {
        root: options.cwd.clone(),
        ..Report::default()
    };
    let (sources, mut diagnostics, errors, checked, scans, unanalysed) =
        match options.cache_dir.as_deref() {
            Some(dir) if on_disk => cached_run(works, layout, dir, options, vocab, &mut report),
            _ => {
                if let Some(memo) = &options.lowered {
                    memo.begin(vocab.fingerprint());
                }
                let analysis = analyse_set(works, &layout, options, vocab);
                if let Some(memo) = &options.lowered {
                    memo.end();
                }
                report.relowered = analysis.relowered;
                report.test_gated = analysis.test_gated;
                report.windows_gated = analysis.windows_gated;
                report.call_stats = analysis.call_stats;
                report.model_bytes = analysis.model_bytes;
                report.timings = analysis.timings;
                let mut diagnostics = analysis.syntax;
                diagnostics.extend(analysis.findings);
                (
                    analysis.sources,
                    diagnostics,
                    analysis.errors,
                    analysis.checked,
                    analysis.scans,
                    analysis.unanalysed,
                )
            }
        };
    timings.append(&mut report.timings);
    let clock = Instant::now();
    report.sources = sources;
    let mut checked = checked;
    for (id, message) in errors {
        report.errors.push(ToolError {
            path: report.sources[id.index()].display.clone(),
            message,
        });
    }
    if !rule_enabled(&rules::SYNTAX_ERROR, options) {
        diagnostics.retain(|d| d.rule.code != rules::SYNTAX_ERROR.code);
    }
    let unscanned = apply_suppressions_and_levels(
        &mut report,
        diagnostics,
        options,
        &reported,
        scans,
        &unanalysed,
    );
    let unread = reload_texts(&mut report);
    // A file that ended as a tool error was not checked: "in N files" does not count it.
    for id in unscanned.into_iter().chain(unread) {
        if let Some(c) = checked.get_mut(id.index()) {
            *c = false;
        }
    }
    report.files_checked = checked.iter().filter(|c| **c).count();
    timings.push(("suppressions", clock.elapsed().as_millis()));
    report.timings = timings;
    report
}

/// Points every file reference of `diag` through `map`.
pub(super) fn remap_files(diag: &mut Diagnostic, map: &dyn Fn(FileId) -> FileId) {
    diag.file = map(diag.file);
    for label in &mut diag.labels {
        label.file = map(label.file);
    }
    if let Some(fix) = &mut diag.fix {
        for edit in &mut fix.edits {
            edit.file = map(edit.file);
        }
    }
}

/// Reads again the released texts of the files that findings point into (for positions,
/// snippets and fixes). A file that changed since it was checked is a tool error, and the
/// findings pointing into it are dropped: their spans no longer mean anything. Returns the
/// files that could not be read again.
fn reload_texts(report: &mut Report) -> Vec<FileId> {
    let mut needed: Vec<FileId> = Vec::new();
    for d in &report.diagnostics {
        needed.push(d.file);
        needed.extend(d.labels.iter().map(|l| l.file));
        if let Some(fix) = &d.fix {
            needed.extend(fix.edits.iter().map(|e| e.file));
        }
    }
    needed.sort_unstable();
    needed.dedup();
    needed.retain(|&id| {
        report
            .sources
            .get(id.index())
            .is_some_and(|s| s.released.is_some())
    });
    if needed.is_empty() {
        return Vec::new();
    }
    let reloaded: Vec<(FileId, Result<SourceFile, String>)> = needed
        .par_iter()
        .map(|&id| {
            let mut source = report.sources[id.index()].clone();
            (id, source.reload_text(read_file).map(|()| source))
        })
        .collect();
    let mut failed: Vec<FileId> = Vec::new();
    for (id, result) in reloaded {
        match result {
            Ok(source) => report.sources[id.index()] = source,
            Err(message) => {
                report.errors.push(ToolError {
                    path: report.sources[id.index()].display.clone(),
                    message,
                });
                failed.push(id);
            }
        }
    }
    if !failed.is_empty() {
        report.diagnostics.retain(|d| {
            !failed.contains(&d.file)
                && !d.labels.iter().any(|l| failed.contains(&l.file))
                && !d
                    .fix
                    .as_ref()
                    .is_some_and(|f| f.edits.iter().any(|e| failed.contains(&e.file)))
        });
    }
    failed
}

/// Whether the run fails (exit 1): an error-level finding, or a warning under `-D warnings`.
pub fn has_failures(report: &Report, options: &Options) -> bool {
    report.count(Severity::Error) > 0
        || (options.deny_warnings && report.count(Severity::Warning) > 0)
}
