//! One check of the open buffers: grouped by their nearest configuration (as `check` groups
//! files), each group run through the driver with the buffers overlaying the disk, the report
//! turned into per-buffer findings. A configuration that does not load is a diagnostic on the
//! configuration file and the group is checked with the defaults; a panic is caught and
//! logged, never the end of the server.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_types::{Diagnostic, Range};

use crate::config::{self, Config};
use crate::driver::{self, Lowered, Options, Report};
use crate::fix;
use crate::vocab::Vocab;

use super::diagnostics::{finding, problem, Finding};
use super::documents::{path_to_uri, Document, Documents, Encoding};

/// The findings of one buffer, with the version and text they were computed from.
#[derive(Clone, Debug)]
pub struct Checked {
    pub version: i32,
    pub text: String,
    pub findings: Vec<Finding>,
    /// Problems that are not findings (the file could not be checked).
    pub problems: Vec<Diagnostic>,
    /// The buffer with every machine-applicable fix applied, and how many there were.
    pub fixed: Option<(String, usize)>,
}

impl Checked {
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.findings
            .iter()
            .map(|f| f.diagnostic.clone())
            .chain(self.problems.iter().cloned())
            .collect()
    }
}

/// What one check found.
#[derive(Default)]
pub struct Outcome {
    /// By buffer URI; a buffer whose group panicked has no entry (it keeps what it had).
    pub buffers: HashMap<String, Checked>,
    /// Diagnostics on configuration files, by their URI (empty: the file is fine again).
    pub configs: HashMap<String, (lsp_types::Uri, Vec<Diagnostic>)>,
    /// Messages for the client's log.
    pub log: Vec<String>,
    /// Time spent in the driver.
    pub elapsed: Duration,
    /// Files whose facts were reused from the previous check, and files lowered.
    pub reused: usize,
    pub lowered: usize,
    /// Files whose summary inputs (direct facts, resolved calls) were kept from the last check.
    pub summaries_kept: usize,
    /// Wall time of each driver phase in milliseconds, summed over the groups.
    pub timings: Vec<(&'static str, u128)>,
}

/// The lowered files kept between checks, one set per configuration (each group's run keeps
/// what it used; a group's vocabulary is part of the key).
pub type Memos = HashMap<Option<PathBuf>, Arc<Lowered>>;

/// Checks every open buffer. `configs_seen` are the configuration files checked before, so
/// that one that got fixed (or is no longer used) gets its diagnostics cleared.
pub fn check_open(
    docs: &Documents,
    cwd: &Path,
    encoding: Encoding,
    configs_seen: &[PathBuf],
    memos: &mut Memos,
) -> Outcome {
    let clock = Instant::now();
    let mut outcome = Outcome::default();
    for path in configs_seen {
        if let Some(uri) = path_to_uri(path) {
            outcome
                .configs
                .insert(uri.as_str().to_string(), (uri, Vec::new()));
        }
    }
    let mut finder = config::Finder::default();
    let mut groups: Vec<(Option<PathBuf>, Vec<&Document>)> = Vec::new();
    for doc in docs.iter() {
        let found = finder.find(&driver::normalize(&doc.path, cwd));
        match groups.iter_mut().find(|(p, _)| *p == found) {
            Some((_, list)) => list.push(doc),
            None => groups.push((found, vec![doc])),
        }
    }
    // A configuration no open file uses any more lets go of its files' facts.
    memos.retain(|key, _| groups.iter().any(|(path, _)| path == key));
    for (config_path, group) in groups {
        let (config, vocab) = load(config_path.as_deref(), &mut outcome);
        let mut options = match options(&config, cwd) {
            Ok(options) => options,
            Err(message) => {
                config_problem(config_path.as_deref(), None, message, &mut outcome);
                options(&Config::default(), cwd).unwrap_or_default()
            }
        };
        let memo = memos.entry(config_path.clone()).or_default().clone();
        options.lowered = Some(memo.clone());
        let overlays = group
            .iter()
            .map(|d| (d.path.clone(), d.text.clone()))
            .collect();
        let run = catch_unwind(AssertUnwindSafe(|| {
            driver::check_overlays(overlays, &options, &vocab)
        }));
        let (reused, lowered) = memo.stats();
        outcome.reused += reused;
        outcome.lowered += lowered;
        outcome.summaries_kept += memo.summaries_reused();
        match run {
            Ok(report) => {
                for &(phase, ms) in &report.timings {
                    match outcome.timings.iter_mut().find(|(p, _)| *p == phase) {
                        Some((_, total)) => *total += ms,
                        None => outcome.timings.push((phase, ms)),
                    }
                }
                collect(&report, &group, cwd, encoding, &mut outcome)
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                outcome.log.push(format!(
                    "forklint panicked while checking {} file(s) ({what}); this is a bug, please report it",
                    group.len()
                ));
            }
        }
    }
    outcome.elapsed = clock.elapsed();
    outcome
}

/// The configuration at `path` (defaults without one) and its vocabulary; a problem with
/// either is a diagnostic on the file and the defaults are used.
fn load(path: Option<&Path>, outcome: &mut Outcome) -> (Config, Vocab) {
    let Some(path) = path else {
        return (Config::default(), Vocab::builtin());
    };
    let config = match config::load(path) {
        Ok(config) => config,
        Err(err) => {
            let text = err.source.inner().clone();
            let message = match err.label.is_empty() {
                true => err.message.clone(),
                false => format!("{}: {}", err.message, err.label),
            };
            config_problem(
                Some(path),
                err.span.clone().map(|s| (text, s)),
                message,
                outcome,
            );
            return (Config::default(), Vocab::builtin());
        }
    };
    match config.vocab() {
        Ok(vocab) => (config, vocab),
        Err(errors) => {
            let message = errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            config_problem(Some(path), None, message, outcome);
            (config, Vocab::builtin())
        }
    }
}

fn config_problem(
    path: Option<&Path>,
    span: Option<(String, std::ops::Range<usize>)>,
    message: String,
    outcome: &mut Outcome,
) {
    let Some(path) = path else {
        outcome.log.push(message);
        return;
    };
    let range = span.map_or_else(Range::default, |(text, span)| {
        Encoding::Utf16.range(&text, span.start, span.end)
    });
    outcome.log.push(format!(
        "invalid configuration in {}: {message}",
        path.display()
    ));
    if let Some(uri) = path_to_uri(path) {
        let entry = outcome
            .configs
            .entry(uri.as_str().to_string())
            .or_insert_with(|| (uri, Vec::new()));
        entry.1.push(problem(range, message));
    }
}

/// The driver options of a configuration (what `check` builds without command-line flags).
fn options(config: &Config, cwd: &Path) -> Result<Options, String> {
    let mut options = Options {
        cwd: cwd.to_path_buf(),
        // Buffers are never cached; on-disk context is analysed with them.
        cache_dir: None,
        ..Options::default()
    };
    options.selection.exclude = config.exclude.clone();
    options.selection.extend_exclude = config.extend_exclude.clone();
    options.selection.base = Some(driver::normalize(Path::new(""), cwd));
    options.levels = config.levels.clone();
    options.deny_warnings = config.deny_warnings;
    options.host_forks = config.host_forks;
    options.per_file_levels = config::per_file_levels(config, cwd)?;
    options
        .test_levels
        .extend(config.test_levels.iter().copied());
    Ok(options)
}

/// The report's findings and tool errors, by buffer.
fn collect(
    report: &Report,
    group: &[&Document],
    cwd: &Path,
    encoding: Encoding,
    outcome: &mut Outcome,
) {
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut by_display: HashMap<String, usize> = HashMap::new();
    let mut checked: Vec<Checked> = group
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = driver::normalize(&doc.path, cwd);
            by_display.insert(driver::display_path(&path, cwd), i);
            by_path.insert(path, i);
            Checked {
                version: doc.version,
                text: doc.text.clone(),
                findings: Vec::new(),
                problems: Vec::new(),
                fixed: None,
            }
        })
        .collect();
    for diag in &report.diagnostics {
        let Some(&i) = by_path.get(&report.source(diag.file).path) else {
            continue;
        };
        let text = &group[i].text;
        checked[i]
            .findings
            .push(finding(report, diag, text, encoding));
    }
    for error in &report.errors {
        outcome
            .log
            .push(format!("error: {}: {}", error.path, error.message));
        if let Some(&i) = by_display.get(&error.path) {
            checked[i].problems.push(problem(
                Range::default(),
                format!("forklint could not check this file: {}", error.message),
            ));
        }
    }
    let plan = fix::plan(report);
    for (file, (text, count)) in plan.files {
        if let Some(&i) = by_path.get(&report.source(file).path) {
            checked[i].fixed = Some((text, count));
        }
    }
    for (doc, checked) in group.iter().zip(checked) {
        outcome
            .buffers
            .insert(doc.uri.as_str().to_string(), checked);
    }
}
