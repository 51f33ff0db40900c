//! The findings cache for warm re-runs (`target/forklint/`, `--no-cache`).
//!
//! **Unit: a package, or a cycle of packages.** Crate-wide analysis lets a package's findings
//! depend on its dependencies in the run: calls resolve into a dependency whose lib name is
//! unique in the run (`Model::libs_by_name`), and summaries of the dependency's functions flow
//! into its callers. Nothing flows the other way: a finding's primary span is in a package whose
//! analysis needs only that package and what it depends on (FL007's "sync helper reached from
//! async code" follows calls within one package for that reason). So findings are cached per
//! strongly connected component of the graph "package P depends on a lib name that exactly one
//! package of the run provides" (a component has more than one package only through a
//! dev-dependency cycle). A missed unit is analysed together with every unit below it (their
//! files as context, unreported), which yields the findings a whole run yields for it (lib
//! names that are ambiguous in the whole run are passed in, so they stay unresolved). Editing
//! one file re-analyses its unit and the units that depend on it, not the whole run.
//!
//! **Key** (xxh3-128) of a unit: the cache format, forklint version and build (the size and
//! modification time of the executable), a fingerprint of the
//! vocabulary (with config extensions) and of the options that change what the rules produce
//! (`--select`, `--ignore`), the working directory, the keys of the units it depends on, every
//! file of the unit in order with its display path, whether it is reported, and the xxh3 of its
//! bytes (or its read error), each package's `Cargo.toml` bytes, and for every dependency name
//! of the unit how many packages of the run provide that lib name. Levels, per-file levels,
//! `-D warnings` and suppressions are applied after the cache, on every run, so they are not
//! part of the key.
//!
//! **Entry**: the unit's findings before suppressions and levels (file indices within the unit
//! instead of `FileId`s; files of dependencies that labels point into by display path), the
//! tool errors of its files and which of its files were checked.
//! One file per key (`<hex key>.json`), written to a temporary name and renamed. A header line
//! (magic, format version, key, xxh3 of the payload) is checked before the payload is trusted:
//! a foreign, truncated or corrupt file is ignored, and the unit is analysed and written again.
//!
//! **Location**: `$FORKLINT_CACHE_DIR` if set, else `target/forklint/` beside the nearest
//! `Cargo.toml` above the first checked path, else `.forklint-cache/` in the working directory.
//! A `CACHEDIR.TAG` marks it. A cache that cannot be written only costs speed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::base::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label};
use crate::base::source::{FileId, TextRange};
use crate::rules::{self, RuleMeta};

/// Bumped whenever the entry format or what findings depend on changes.
const FORMAT: u32 = 4;
const MAGIC: &str = "forklint-cache";

/// Where the cache lives for a run of `paths` from `cwd`.
pub fn location(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("FORKLINT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(first) = paths.first() {
        let abs = if first.is_absolute() {
            first.clone()
        } else {
            cwd.join(first)
        };
        let start = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        for dir in start.into_iter().flat_map(Path::ancestors) {
            if dir.join("Cargo.toml").is_file() {
                return dir.join("target").join("forklint");
            }
        }
    }
    cwd.join(".forklint-cache")
}

/// The content hash of a file's bytes, or of its read error.
pub fn content_hash(text: &Result<std::sync::Arc<str>, String>) -> u64 {
    match text {
        Ok(text) => xxh3_64(text.as_bytes()),
        Err(message) => xxh3_64(format!("\u{0}error\u{0}{message}").as_bytes()),
    }
}

/// One package as the grouping sees it.
pub struct PackageInfo {
    /// The lib name other packages use, if the package has a lib crate in this run.
    pub lib: Option<String>,
    /// Dependency names as code spells them.
    pub dependencies: Vec<String>,
    /// The normal dependencies among them (what its lib crate can call).
    pub lib_dependencies: Vec<String>,
    /// The bytes of its Cargo.toml (empty when none).
    pub manifest: Vec<u8>,
}

/// The cache units of a run and how they depend on each other.
#[derive(Debug, PartialEq, Eq)]
pub struct Units {
    /// The unit of each package.
    pub unit_of: Vec<usize>,
    /// The units each unit depends on directly (sorted, without itself). Units are numbered in
    /// dependency order: every unit comes after the units it depends on.
    pub deps: Vec<Vec<usize>>,
    /// The units a unit's analysis needs (sorted, without itself): its dependencies of every
    /// kind, then only the normal dependencies of those, transitively. A dependency's tests
    /// and their dev-dependencies are never called from outside it.
    pub below: Vec<Vec<usize>>,
    /// Lib names that more than one package of the run provides (never resolved).
    pub ambiguous: Vec<String>,
}

/// Splits packages into units: the strongly connected components of the graph "package P
/// depends on a lib name that exactly one package of the run provides" (a cycle comes from
/// dev-dependencies), numbered in dependency order (Tarjan's algorithm completes a component
/// after every component it reaches).
pub fn units(packages: &[PackageInfo]) -> Units {
    let mut providers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if let Some(lib) = &p.lib {
            providers.entry(lib.as_str()).or_default().push(i);
        }
    }
    let resolve = |i: usize, names: &[String]| -> Vec<usize> {
        let mut out: Vec<usize> = names
            .iter()
            .filter_map(|dep| match providers.get(dep.as_str()).map(Vec::as_slice) {
                Some([only]) if *only != i => Some(*only),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let edges: Vec<Vec<usize>> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| resolve(i, &p.dependencies))
        .collect();
    let lib_edges: Vec<Vec<usize>> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| resolve(i, &p.lib_dependencies))
        .collect();

    struct Tarjan<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        unit_of: Vec<usize>,
        units: usize,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.edges[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    self.unit_of[w] = self.units;
                    if w == v {
                        break;
                    }
                }
                self.units += 1;
            }
        }
    }
    let n = packages.len();
    let mut t = Tarjan {
        edges: &edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        unit_of: vec![0; n],
        units: 0,
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    let unit_of = t.unit_of;
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); t.units];
    for (p, out) in edges.iter().enumerate() {
        for &q in out {
            if unit_of[q] != unit_of[p] {
                deps[unit_of[p]].push(unit_of[q]);
            }
        }
    }
    for list in &mut deps {
        list.sort_unstable();
        list.dedup();
    }
    // Packages reachable through normal dependencies from each package (itself included).
    let lib_reach: Vec<Vec<usize>> = (0..n)
        .map(|start| {
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            seen[start] = true;
            let mut out = Vec::new();
            while let Some(p) = stack.pop() {
                out.push(p);
                for &q in &lib_edges[p] {
                    if !seen[q] {
                        seen[q] = true;
                        stack.push(q);
                    }
                }
            }
            out
        })
        .collect();
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); deps.len()];
    for (p, out) in edges.iter().enumerate() {
        let u = unit_of[p];
        for &q in out {
            below[u].extend(lib_reach[q].iter().map(|&r| unit_of[r]));
        }
    }
    for (u, list) in below.iter_mut().enumerate() {
        list.sort_unstable();
        list.dedup();
        list.retain(|&d| d != u);
    }
    let mut ambiguous: Vec<String> = providers
        .into_iter()
        .filter(|(_, list)| list.len() > 1)
        .map(|(name, _)| name.to_string())
        .collect();
    ambiguous.sort();
    Units {
        unit_of,
        deps,
        below,
        ambiguous,
    }
}

/// The fingerprint of everything global that findings depend on.
pub fn run_fingerprint(
    vocab_fingerprint: u64,
    select: &[&str],
    ignore: &[&str],
    cwd: &Path,
) -> u64 {
    let text = format!(
        "{MAGIC} {FORMAT} {} build={} vocab={vocab_fingerprint:x} select={select:?} ignore={ignore:?} cwd={}",
        env!("CARGO_PKG_VERSION"),
        build_fingerprint(),
        cwd.display()
    );
    xxh3_64(text.as_bytes())
}

/// The running executable's size and modification time: a rebuild (new analysis code under the
/// same version number) never reuses another build's entries. Unknown (no executable path, an
/// unreadable file) is its own value, which only costs reuse across such runs.
fn build_fingerprint() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta {
        Ok(meta) => {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", meta.len())
        }
        Err(_) => "unknown".to_string(),
    }
}

/// One file of a group, for its key.
pub struct KeyFile<'a> {
    pub display: &'a str,
    pub reported: bool,
    pub hash: u64,
}

/// The own key of a unit: the run, its files and manifests. See [`entry_key`].
pub fn unit_key(
    run: u64,
    files: &[KeyFile<'_>],
    packages: &[&PackageInfo],
    provider_count: &dyn Fn(&str) -> usize,
) -> u128 {
    let mut h = Xxh3::new();
    h.update(&run.to_le_bytes());
    for f in files {
        h.update(&(f.display.len() as u64).to_le_bytes());
        h.update(f.display.as_bytes());
        h.update(&[u8::from(f.reported)]);
        h.update(&f.hash.to_le_bytes());
    }
    for p in packages {
        h.update(&(p.manifest.len() as u64).to_le_bytes());
        h.update(&p.manifest);
        for dep in &p.dependencies {
            h.update(dep.as_bytes());
            h.update(&(provider_count(dep) as u64).to_le_bytes());
        }
        h.update(b"\n");
    }
    h.digest128()
}

/// The key of a unit's entry: its own key and the facts fingerprints of every unit below it, in
/// unit order. A change below that changes facts changes the key; a comment does not.
pub fn entry_key(own: u128, below: &[u128]) -> u128 {
    let mut h = Xxh3::new();
    h.update(&own.to_le_bytes());
    for key in below {
        h.update(&key.to_le_bytes());
    }
    h.digest128()
}

/// What the cache keeps for one unit. Files are numbered within the unit; findings that point
/// into a dependency's files (labels along a call chain) name them in `others`, whose files
/// are numbered after the unit's own.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Entry {
    /// Display paths of the files outside the unit that findings point into.
    pub others: Vec<String>,
    /// Files of the unit that were checked (parsed), by index in the unit.
    pub checked: Vec<u32>,
    /// Findings before suppressions and levels, in the order the analysis produced them.
    pub diagnostics: Vec<CachedDiagnostic>,
    /// Tool errors: (file index in the group, message).
    pub errors: Vec<(u32, String)>,
}

impl Entry {
    /// Whether the entry could have been written by this run's analysis of these files: every
    /// index names a file, every range lies inside its file's text (`texts`: the unit's files,
    /// then `others`, as read this run; `None` for one that could not be read) on character
    /// boundaries, every code is a rule `enabled` in this run, and each fix's edits stay in
    /// their files without overlapping. Anything else is a forged or damaged entry, discarded.
    pub fn is_valid(
        &self,
        texts: &[Option<&str>],
        own: usize,
        enabled: &dyn Fn(&str) -> bool,
    ) -> bool {
        let own_text = |file: u32| (file as usize) < own && texts[file as usize].is_some();
        let in_text = |file: u32, (start, end): (u32, u32)| {
            let Some(Some(text)) = texts.get(file as usize) else {
                return false;
            };
            start <= end
                && (end as usize) <= text.len()
                && text.is_char_boundary(start as usize)
                && text.is_char_boundary(end as usize)
        };
        if own > texts.len() || self.others.len() != texts.len() - own {
            return false;
        }
        if !self.checked.iter().all(|&file| own_text(file))
            || !self.errors.iter().all(|(file, _)| (*file as usize) < own)
        {
            return false;
        }
        self.diagnostics.iter().all(|d| {
            let known = rules::find(&d.code).is_some_and(|meta| meta.code == d.code);
            let fix_ok = d.fix.as_ref().is_none_or(|(_, _, edits)| {
                let mut ranges: Vec<(u32, (u32, u32))> = edits
                    .iter()
                    .map(|(file, range, _)| (*file, *range))
                    .collect();
                ranges.sort_unstable();
                ranges.iter().all(|&(file, range)| in_text(file, range))
                    && ranges
                        .windows(2)
                        .all(|w| w[0].0 != w[1].0 || w[0].1 .1 <= w[1].1 .0)
            });
            d.phase <= 1
                && known
                && enabled(&d.code)
                && own_text(d.file)
                && in_text(d.file, d.range)
                && d.labels
                    .iter()
                    .all(|(file, range, _, _)| in_text(*file, *range))
                && fix_ok
        })
    }
}

/// A secondary label: (file index in the group, (start, end), message, primary).
pub type CachedLabel = (u32, (u32, u32), Option<String>, bool);
/// A fix edit: (file index in the group, (start, end), replacement).
pub type CachedEdit = (u32, (u32, u32), String);
/// A fix: (message, machine-applicable, edits).
pub type CachedFix = (String, bool, Vec<CachedEdit>);

#[derive(Debug, Serialize, Deserialize)]
pub struct CachedDiagnostic {
    /// 0: syntax error found while parsing; 1: found by a rule pass.
    pub phase: u8,
    pub code: String,
    pub message: String,
    pub file: u32,
    pub range: (u32, u32),
    pub primary_label: Option<String>,
    pub labels: Vec<CachedLabel>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    pub fix: Option<CachedFix>,
    /// Whether the finding is in test code: `[test-lints]` levels apply on a warm run too.
    #[serde(default)]
    pub test_code: bool,
}

impl CachedDiagnostic {
    /// `local(file)` maps a `FileId` to its index in the group (`None`: outside, not cacheable).
    pub fn from_diagnostic(
        phase: u8,
        d: &Diagnostic,
        local: &dyn Fn(FileId) -> Option<u32>,
    ) -> Option<CachedDiagnostic> {
        let labels = d
            .labels
            .iter()
            .map(|l| {
                Some((
                    local(l.file)?,
                    (l.range.start, l.range.end),
                    l.message.clone(),
                    l.primary,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        let fix = match &d.fix {
            None => None,
            Some(fix) => Some((
                fix.message.clone(),
                fix.applicability == Applicability::MachineApplicable,
                fix.edits
                    .iter()
                    .map(|e| {
                        Some((
                            local(e.file)?,
                            (e.range.start, e.range.end),
                            e.content.clone(),
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?,
            )),
        };
        Some(CachedDiagnostic {
            phase,
            code: d.rule.code.to_string(),
            message: d.message.clone(),
            file: local(d.file)?,
            range: (d.range.start, d.range.end),
            primary_label: d.primary_label.clone(),
            labels,
            notes: d.notes.clone(),
            help: d.help.clone(),
            fix,
            test_code: d.test_code,
        })
    }

    /// Back to a finding; `global(index)` maps a group file index to its `FileId`.
    pub fn to_diagnostic(&self, global: &dyn Fn(u32) -> Option<FileId>) -> Option<Diagnostic> {
        let rule: &'static RuleMeta = rules::find(&self.code)?;
        let range = |(start, end): (u32, u32)| TextRange { start, end };
        let mut d = Diagnostic::new(rule, global(self.file)?, range(self.range), &*self.message);
        d.primary_label = self.primary_label.clone();
        d.labels = self
            .labels
            .iter()
            .map(|(file, r, message, primary)| {
                Some(Label {
                    file: global(*file)?,
                    range: range(*r),
                    message: message.clone(),
                    primary: *primary,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        d.notes = self.notes.clone();
        d.help = self.help.clone();
        d.test_code = self.test_code;
        d.fix = match &self.fix {
            None => None,
            Some((message, machine, edits)) => Some(Fix {
                message: message.clone(),
                applicability: if *machine {
                    Applicability::MachineApplicable
                } else {
                    Applicability::MaybeIncorrect
                },
                edits: edits
                    .iter()
                    .map(|(file, r, content)| {
                        Some(Edit {
                            file: global(*file)?,
                            range: range(*r),
                            content: content.clone(),
                        })
                    })
                    .collect::<Option<Vec<_>>>()?,
            }),
        };
        Some(d)
    }
}

fn entry_path(dir: &Path, key: u128) -> PathBuf {
    dir.join(format!("{key:032x}.json"))
}

fn header(key: u128, payload: &[u8]) -> String {
    format!(
        "{MAGIC} {FORMAT} {} {key:032x} {:016x}\n",
        env!("CARGO_PKG_VERSION"),
        xxh3_64(payload)
    )
}

/// The entry stored under `key`, if there is a valid one.
pub fn load(dir: &Path, key: u128) -> Option<Entry> {
    let path = entry_path(dir, key);
    let entry = decode(key, &std::fs::read(&path).ok()?)?;
    touch(&path);
    Some(entry)
}

/// An entry file's bytes, if its header matches `key` and its payload. The entry still has to
/// pass [`Entry::is_valid`] against the files it names before it is used.
pub fn decode(key: u128, bytes: &[u8]) -> Option<Entry> {
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let (head, payload) = (&bytes[..=newline], &bytes[newline + 1..]);
    if head != header(key, payload).as_bytes() {
        return None;
    }
    serde_json::from_slice(payload).ok()
}

/// An entry file's bytes as [`store`] writes them (tests and the fuzz target forge entries).
pub fn encode(key: u128, entry: &Entry) -> Vec<u8> {
    with_header(key, &serde_json::to_vec(entry).unwrap_or_default())
}

/// An entry file with this payload under `key` (the fuzz target feeds arbitrary payloads).
pub fn with_header(key: u128, payload: &[u8]) -> Vec<u8> {
    let mut bytes = header(key, payload).into_bytes();
    bytes.extend_from_slice(payload);
    bytes
}

/// Stores `entry` under `key`; errors only cost speed.
pub fn store(dir: &Path, key: u128, entry: &Entry) -> Result<(), String> {
    write_atomic(dir, &entry_path(dir, key), &encode(key, entry))
}

fn interface_path(dir: &Path, own: u128) -> PathBuf {
    dir.join(format!("{own:032x}.facts"))
}

/// What the units above a unit can observe of it: the fingerprint of its facts, and which of
/// its files (indices in the unit) make up its lib crate, the only files they call into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub facts: u128,
    pub lib_files: Vec<u32>,
}

fn interface_line(own: u128, interface: &Interface) -> String {
    let libs: Vec<String> = interface.lib_files.iter().map(u32::to_string).collect();
    format!(
        "{MAGIC} {FORMAT} {} {own:032x} {:032x} libs={}\n",
        env!("CARGO_PKG_VERSION"),
        interface.facts,
        libs.join(",")
    )
}

/// The interface of a unit stored under its own key (`unit_key` without dependency
/// fingerprints), if there is a valid one: what lets a unit whose text changed but whose facts
/// did not (a comment, formatting after the last item) leave the units above it cached, and
/// what lets those units be analysed with only its lib crate as context.
pub fn load_interface(dir: &Path, own: u128) -> Option<Interface> {
    let path = interface_path(dir, own);
    let text = std::fs::read_to_string(&path).ok()?;
    let mut words = text.strip_suffix('\n')?.rsplit(' ');
    let libs = words.next()?.strip_prefix("libs=")?;
    let facts = u128::from_str_radix(words.next()?, 16).ok()?;
    let lib_files = if libs.is_empty() {
        Vec::new()
    } else {
        libs.split(',')
            .map(|n| n.parse().ok())
            .collect::<Option<Vec<u32>>>()?
    };
    let interface = Interface { facts, lib_files };
    let valid = text == interface_line(own, &interface);
    if valid {
        touch(&path);
    }
    valid.then_some(interface)
}

/// Stores a unit's interface under its own key; errors only cost speed.
pub fn store_interface(dir: &Path, own: u128, interface: &Interface) -> Result<(), String> {
    write_atomic(
        dir,
        &interface_path(dir, own),
        interface_line(own, interface).as_bytes(),
    )
}

/// Writes `bytes` to `path` in `dir` through a temporary file and a rename (readers never see
/// half a file), creating the directory and its `CACHEDIR.TAG`.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        let _ = std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by forklint.\n",
        );
    }
    crate::io::atomic::overwrite(path, bytes).map_err(|e| e.to_string())
}

/// Entries and fingerprints no run has used for this long are deleted.
pub const MAX_UNUSED: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);
/// Above this many bytes of entries, the least recently used are deleted down to three quarters.
pub const MAX_BYTES: u64 = 512 << 20;
/// A temporary file this old is an orphan of a killed write (a write takes milliseconds).
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Marks a record as used by this run (its modification time is its last use, for [`prune`]).
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

/// Keeps the cache bounded: deletes orphaned temporary files, records unused for
/// [`MAX_UNUSED`], then the least recently used records while the rest exceed [`MAX_BYTES`].
/// Only files this cache writes are touched. Returns how many were deleted.
pub fn prune(dir: &Path, now: std::time::SystemTime) -> usize {
    let Ok(list) = std::fs::read_dir(dir) else {
        return 0;
    };
    let age = |meta: &std::fs::Metadata| {
        meta.modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default()
    };
    let mut deleted = 0;
    let mut kept: Vec<(std::time::Duration, u64, PathBuf)> = Vec::new();
    for item in list.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(meta) = item.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let path = item.path();
        let old = if name.starts_with('.') && name.ends_with(crate::io::atomic::TMP_SUFFIX) {
            age(&meta) > ORPHAN_AGE
        } else if name.ends_with(".json") || name.ends_with(".facts") {
            if age(&meta) <= MAX_UNUSED {
                kept.push((age(&meta), meta.len(), path.clone()));
                continue;
            }
            true
        } else {
            continue;
        };
        if old && std::fs::remove_file(&path).is_ok() {
            deleted += 1;
        }
    }
    let mut total: u64 = kept.iter().map(|(_, len, _)| len).sum();
    if total > MAX_BYTES {
        // Oldest first.
        kept.sort_by_key(|k| std::cmp::Reverse(k.0));
        for (_, len, path) in kept {
            if total <= MAX_BYTES / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                deleted += 1;
                total -= len;
            }
        }
    }
    deleted
}

/// The fingerprint of a unit's facts: each file's display path and facts hash (`0` for a file
/// that was not lowered), and its packages' manifests.
pub fn unit_interface(files: &[(&str, u64)], packages: &[&PackageInfo]) -> u128 {
    let mut h = Xxh3::new();
    for (display, facts) in files {
        h.update(&(display.len() as u64).to_le_bytes());
        h.update(display.as_bytes());
        h.update(&facts.to_le_bytes());
    }
    for p in packages {
        h.update(&(p.manifest.len() as u64).to_le_bytes());
        h.update(&p.manifest);
    }
    h.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(lib: Option<&str>, deps: &[&str]) -> PackageInfo {
        PackageInfo {
            lib: lib.map(str::to_string),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            lib_dependencies: deps.iter().map(|d| d.to_string()).collect(),
            manifest: Vec::new(),
        }
    }

    #[test]
    fn a_dependency_brings_its_normal_dependencies_only() {
        // x dev-depends on y; y depends on z and dev-depends on w.
        let mut x = pkg(Some("x"), &["y"]);
        x.lib_dependencies.clear();
        let mut y = pkg(Some("y"), &["z", "w"]);
        y.lib_dependencies = vec!["z".to_string()];
        let packages = [x, y, pkg(Some("z"), &[]), pkg(Some("w"), &[])];
        let units = units(&packages);
        let u = &units.unit_of;
        assert_eq!(units.below[u[0]], {
            let mut v = vec![u[1], u[2]];
            v.sort_unstable();
            v
        });
        assert_eq!(units.below[u[1]], {
            let mut v = vec![u[2], u[3]];
            v.sort_unstable();
            v
        });
    }

    #[test]
    fn units_follow_unique_lib_names_in_dependency_order() {
        let packages = [
            pkg(Some("a"), &["b"]),
            pkg(Some("b"), &[]),
            pkg(Some("c"), &["d"]),
            pkg(Some("d"), &[]),
            pkg(Some("d"), &[]),
            pkg(None, &["a"]),
            // A dev-dependency cycle: one unit.
            pkg(Some("e"), &["f", "b"]),
            pkg(Some("f"), &["e"]),
        ];
        let units = units(&packages);
        assert_eq!(units.ambiguous, vec!["d".to_string()]);
        let u = &units.unit_of;
        assert_eq!(u[6], u[7]);
        let distinct: std::collections::BTreeSet<usize> = u.iter().copied().collect();
        assert_eq!(distinct.len(), 7);
        // Every unit comes after the units it depends on.
        assert!(u[1] < u[0] && u[0] < u[5] && u[1] < u[6]);
        assert_eq!(units.deps[u[0]], vec![u[1]]);
        assert_eq!(units.deps[u[5]], vec![u[0]]);
        assert_eq!(units.deps[u[6]], vec![u[1]]);
        assert!(units.deps[u[2]].is_empty()); // `d` is ambiguous: not followed
    }

    #[test]
    fn interfaces_round_trip_and_reject_damage() {
        let dir = tempfile::tempdir().unwrap();
        for lib_files in [vec![], vec![0], vec![0, 3, 17]] {
            let interface = Interface {
                facts: 0xfeed_u128 << 64 | 7,
                lib_files,
            };
            store_interface(dir.path(), 9, &interface).unwrap();
            assert_eq!(load_interface(dir.path(), 9), Some(interface));
        }
        assert_eq!(load_interface(dir.path(), 10), None);
        let path = interface_path(dir.path(), 9);
        let good = std::fs::read_to_string(&path).unwrap();
        for bad in [
            good.replace("libs=", "libs=x"),
            good.replace("libs=0,3,17", "libs=0,,3"),
            good.trim_end().to_string(),
            good.replacen(MAGIC, "other-cache", 1),
        ] {
            std::fs::write(&path, bad).unwrap();
            assert_eq!(load_interface(dir.path(), 9), None);
        }
    }

    #[test]
    fn entries_that_the_files_contradict_are_invalid() {
        // File 0 of the unit, then one file of a unit below (`others`); `é` is bytes 3..5.
        let texts = [Some("// é\nfn f() {}\n"), Some("fn g() {}\n")];
        let len = texts[0].unwrap().len() as u32;
        let good = || Entry {
            others: vec!["dep/src/lib.rs".to_string()],
            checked: vec![0],
            diagnostics: vec![CachedDiagnostic {
                phase: 1,
                code: "FL003".to_string(),
                message: "m".to_string(),
                file: 0,
                range: (6, 8),
                primary_label: None,
                labels: vec![(1, (0, 2), None, false)],
                notes: Vec::new(),
                help: None,
                fix: Some((
                    "f".to_string(),
                    true,
                    vec![(0, (6, 8), "x".to_string()), (0, (8, 8), "y".to_string())],
                )),
                test_code: false,
            }],
            errors: vec![(0, "cannot read".to_string())],
        };
        let all = |_: &str| true;
        assert!(good().is_valid(&texts, 1, &all));
        type Forge = Box<dyn Fn(&mut Entry)>;
        let bad: Vec<(&str, Forge)> = vec![
            (
                "start inside é",
                Box::new(|e| e.diagnostics[0].range = (4, 8)),
            ),
            (
                "end past the file",
                Box::new(move |e| e.diagnostics[0].range = (6, len + 1)),
            ),
            (
                "reversed range",
                Box::new(|e| e.diagnostics[0].range = (8, 6)),
            ),
            (
                "unknown code",
                Box::new(|e| e.diagnostics[0].code = "FL999".to_string()),
            ),
            (
                "a name, not a code",
                Box::new(|e| e.diagnostics[0].code = "blocking-call-in-async".to_string()),
            ),
            ("unknown phase", Box::new(|e| e.diagnostics[0].phase = 2)),
            (
                "primary outside the unit",
                Box::new(|e| e.diagnostics[0].file = 1),
            ),
            (
                "primary in no file",
                Box::new(|e| e.diagnostics[0].file = 9),
            ),
            (
                "label in no file",
                Box::new(|e| e.diagnostics[0].labels[0].0 = 2),
            ),
            (
                "label inside é",
                Box::new(|e| e.diagnostics[0].labels[0] = (0, (4, 5), None, false)),
            ),
            (
                "label past its file",
                Box::new(|e| e.diagnostics[0].labels[0].1 = (0, 11)),
            ),
            (
                "edit in no file",
                Box::new(|e| e.diagnostics[0].fix.as_mut().unwrap().2[0].0 = 5),
            ),
            (
                "edit inside é",
                Box::new(|e| e.diagnostics[0].fix.as_mut().unwrap().2[1].1 = (4, 4)),
            ),
            (
                "edit past its file",
                Box::new(move |e| e.diagnostics[0].fix.as_mut().unwrap().2[1].1 = (len, len + 3)),
            ),
            (
                "overlapping edits",
                Box::new(|e| e.diagnostics[0].fix.as_mut().unwrap().2[1].1 = (7, 9)),
            ),
            (
                "checked file outside the unit",
                Box::new(|e| e.checked = vec![1]),
            ),
            ("error for no file", Box::new(|e| e.errors[0].0 = 3)),
            ("others do not match", Box::new(|e| e.others.clear())),
        ];
        for (what, forge) in bad {
            let mut entry = good();
            forge(&mut entry);
            assert!(!entry.is_valid(&texts, 1, &all), "{what}");
        }
        // A rule this run does not run, and a file that could not be read this run.
        assert!(!good().is_valid(&texts, 1, &|code| code != "FL003"));
        assert!(!good().is_valid(&[None, texts[1]], 1, &all));
        assert!(!good().is_valid(&texts, 3, &all));
    }

    #[test]
    fn pruning_removes_orphans_and_unused_records_only() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        let day = std::time::Duration::from_secs(24 * 3600);
        let put = |name: &str, age: std::time::Duration| {
            let path = dir.path().join(name);
            std::fs::write(&path, b"x").unwrap();
            let file = std::fs::File::options().append(true).open(&path).unwrap();
            file.set_modified(now - age).unwrap();
        };
        put("a.json", MAX_UNUSED + day);
        put("a.facts", MAX_UNUSED + day);
        put("b.json", MAX_UNUSED - day);
        put(".b.json.1.2.tmp", 2 * ORPHAN_AGE);
        put(".c.json.1.3.tmp", std::time::Duration::ZERO);
        put("CACHEDIR.TAG", 1000 * day);
        assert_eq!(prune(dir.path(), now), 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".c.json.1.3.tmp", "CACHEDIR.TAG", "b.json"]);
    }

    #[test]
    fn a_corrupt_entry_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let entry = Entry {
            checked: vec![0, 2],
            ..Entry::default()
        };
        store(dir.path(), 7, &entry).unwrap();
        assert_eq!(load(dir.path(), 7).unwrap().checked, vec![0, 2]);
        assert!(load(dir.path(), 8).is_none());
        let path = entry_path(dir.path(), 7);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(dir.path(), 7).is_none());
        std::fs::write(&path, b"garbage").unwrap();
        assert!(load(dir.path(), 7).is_none());
    }
}
