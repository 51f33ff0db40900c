//! A run through the findings cache (see `cache`): the units of the run are keyed, the units
//! whose entries hit reuse their findings, the others are analysed (alone, as a smaller model,
//! with the units below them as context) and stored, and the result is assembled in the order a
//! cold run produces it.
//!
//! `cached_run` is a sequence of named steps over one `CachePlan` (the files, their units, the
//! units' keys and interfaces): `plan` keys the units, `learn_interfaces` lowers a few changed
//! units to see whether their facts changed, `load_fresh` loads the entries that hit,
//! `analyse_stale` analyses the others, `store` writes their entries, and `assemble` merges
//! both into the outputs of an uncached run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::source::{FileId, SourceFile, TextRange};
use crate::cache;
use crate::rules;
use crate::vocab::Vocab;

use super::analyse::{analyse_set, Analysis, Layout, Work};
use super::levels::{rule_enabled, Scanned};
use super::{layout, read_file, remap_files, Options, Report};

/// The layout of a subset of a run's files (`files`: run ids in order), with whole packages.
fn sub_layout(
    layout: &Layout,
    files: &[usize],
    reported: impl Fn(usize) -> bool,
    ambiguous: &[String],
) -> Layout {
    let mut package_map: HashMap<usize, usize> = HashMap::new();
    let mut packages = Vec::new();
    let mut package_of = Vec::with_capacity(files.len());
    for (sub, &id) in files.iter().enumerate() {
        let old = layout.package_of[id];
        let new = *package_map.entry(old).or_insert_with(|| {
            let mut package = layout.packages[old].clone();
            package.files.clear();
            package.roots.clear();
            packages.push(package);
            packages.len() - 1
        });
        packages[new].files.push(FileId::from_index(sub));
        package_of.push(new);
    }
    Layout {
        packages,
        package_of,
        modules: files.iter().map(|&id| layout.modules[id].clone()).collect(),
        lower_modules: files
            .iter()
            .map(|&id| layout.lower_modules[id].clone())
            .collect(),
        reported: files.iter().map(|&id| reported(id)).collect(),
        ambiguous_libs: ambiguous.to_vec(),
        fingerprint: false,
        lower_only: false,
    }
}

pub(super) type Assembled = (
    Vec<SourceFile>,
    Vec<Diagnostic>,
    Vec<(FileId, String)>,
    Vec<bool>,
    Vec<Option<Option<Scanned>>>,
    Vec<(FileId, TextRange)>,
);

/// One file of a cached run (indexed by run id).
struct FileSlot {
    /// The file to analyse, until an analysis or the assembly takes it.
    work: Option<Work>,
    /// Its text as read this run, until an analysis or the assembly takes it.
    text: Option<Result<Arc<str>, String>>,
    hash: u64,
    /// Its cache unit.
    unit: usize,
    /// Its index among the files of its unit (how entries and interfaces name it).
    local: u32,
}

/// What a cached run knows of its files and units before it analyses anything.
struct CachePlan {
    files: Vec<FileSlot>,
    /// Display path of each file (what entries name files of other units by).
    displays: Vec<String>,
    units: cache::Units,
    /// Files of each unit, in id order.
    unit_files: Vec<Vec<usize>>,
    /// Packages of each unit, as the grouping saw them.
    unit_infos: Vec<Vec<cache::PackageInfo>>,
    /// Each unit's own key (its files and packages; no dependency fingerprints).
    own_keys: Vec<u128>,
    /// Each unit's interface, from the cache or learnt this run (`None`: not known yet).
    interfaces: Vec<Option<cache::Interface>>,
    /// Each unit's entry key (`None` while an interface below it is unknown).
    entry_keys: Vec<Option<u128>>,
}

impl CachePlan {
    /// The entry key of unit `u`: its own key and the fingerprints of every unit below, once
    /// all of those are known; for a unit that may fork, also the keys of every unit above it
    /// (their calls give its forking functions their entry states: docs/contexts.md, "Context
    /// across calls").
    fn entry_key(&self, u: usize) -> Option<u128> {
        let base = self.base_key(u)?;
        if !self.receives(u)? {
            return Some(base);
        }
        let above: Option<Vec<u128>> = self.units.above[u]
            .iter()
            .map(|&v| self.base_key(v))
            .collect();
        Some(cache::entry_key(base, &above?))
    }

    /// Unit `u`'s own key with the fingerprints of every unit below it.
    fn base_key(&self, u: usize) -> Option<u128> {
        let below: Option<Vec<u128>> = self.units.below[u]
            .iter()
            .map(|&d| self.interfaces[d].as_ref().map(|i| i.facts))
            .collect();
        Some(cache::entry_key(self.own_keys[u], &below?))
    }

    /// Whether the findings of unit `u` can depend on the units above it: its lib or a lib
    /// below it may fork, so a function of its lib may (`None` while an interface is unknown).
    fn receives(&self, u: usize) -> Option<bool> {
        if self.units.above[u].is_empty() {
            return Some(false);
        }
        let mut any = false;
        for &d in std::iter::once(&u).chain(&self.units.below[u]) {
            any |= self.interfaces[d].as_ref()?.forks;
        }
        Some(any)
    }

    /// The interface of unit `u` from the facts fingerprint and lib membership of its files.
    fn interface_of(
        &self,
        u: usize,
        facts: &[u64],
        lib: &[bool],
        forks: &[bool],
    ) -> cache::Interface {
        let files: Vec<(&str, u64)> = self.unit_files[u]
            .iter()
            .map(|&id| (self.displays[id].as_str(), facts[id]))
            .collect();
        let infos: Vec<&cache::PackageInfo> = self.unit_infos[u].iter().collect();
        cache::Interface {
            facts: cache::unit_interface(&files, &infos),
            lib_files: self.unit_files[u]
                .iter()
                .filter(|&&id| lib[id])
                .map(|&id| self.files[id].local)
                .collect(),
            forks: self.unit_files[u].iter().any(|&id| lib[id] && forks[id]),
        }
    }

    /// Records (and stores) the interfaces of `units` from an analysis of the files `ids`.
    fn learn(&mut self, dir: &Path, analysis: &Analysis, ids: &[usize], units: &[usize]) {
        let n = self.files.len();
        let mut facts_of = vec![0u64; n];
        let mut lib_of = vec![false; n];
        let mut forks_of = vec![false; n];
        for (sub, &id) in ids.iter().enumerate() {
            facts_of[id] = analysis.facts.get(sub).copied().unwrap_or(0);
            lib_of[id] = analysis.lib_files.get(sub).copied().unwrap_or(false);
            forks_of[id] = analysis.forks.get(sub).copied().unwrap_or(false);
        }
        for &u in units {
            let interface = self.interface_of(u, &facts_of, &lib_of, &forks_of);
            let _ = cache::store_interface(dir, self.own_keys[u], &interface);
            self.interfaces[u] = Some(interface);
        }
    }

    /// The works of the files `ids` for an analysis, with the texts read this run; `take`
    /// moves them out of the plan (each file is analysed for its findings at most once).
    fn works(&mut self, ids: &[usize], take: bool) -> Vec<Work> {
        ids.iter()
            .map(|&id| {
                let slot = &mut self.files[id];
                if take {
                    let mut work = slot.work.take().expect("each file once");
                    work.text = slot.text.take();
                    work
                } else {
                    let work = slot.work.as_ref().expect("not analysed yet");
                    Work {
                        path: work.path.clone(),
                        display: work.display.clone(),
                        text: slot.text.clone(),
                        on_disk: true,
                    }
                }
            })
            .collect()
    }
}

/// The text of every file as read this run, and its content hash.
type Read = Vec<(Result<Arc<str>, String>, u64)>;

/// Reads and hashes every file.
fn read_all(works: &[Work]) -> Read {
    works
        .par_iter()
        .map(|w| {
            let text = read_file(&w.path).map(Arc::from);
            let hash = cache::content_hash(&text);
            (text, hash)
        })
        .collect()
}

/// Groups the packages of `works` (read by `read_all`) into units and computes each unit's
/// own key, with the interfaces the cache holds under those keys.
fn plan(
    works: Vec<Work>,
    read: Read,
    layout: &Layout,
    dir: &Path,
    options: &Options,
    vocab: &Vocab,
) -> CachePlan {
    let infos = package_infos(&works, layout);
    let units = cache::units(&infos);
    let mut providers: HashMap<&str, usize> = HashMap::new();
    for info in &infos {
        if let Some(lib) = &info.lib {
            *providers.entry(lib).or_default() += 1;
        }
    }
    // Files of each unit in id order, and each file's index in its unit.
    let unit_count = units.deps.len();
    let mut unit_files: Vec<Vec<usize>> = vec![Vec::new(); unit_count];
    let displays: Vec<String> = works.iter().map(|w| w.display.clone()).collect();
    let files: Vec<FileSlot> = works
        .into_iter()
        .zip(read)
        .enumerate()
        .map(|(id, (work, (text, hash)))| {
            let unit = units.unit_of[layout.package_of[id]];
            let local = unit_files[unit].len() as u32;
            unit_files[unit].push(id);
            FileSlot {
                work: Some(work),
                text: Some(text),
                hash,
                unit,
                local,
            }
        })
        .collect();
    let mut unit_packages: Vec<Vec<usize>> = vec![Vec::new(); unit_count];
    for (p, &u) in units.unit_of.iter().enumerate() {
        unit_packages[u].push(p);
    }
    // `[extension] host-forks` changes which crates FL008-FL010 look at: part of the run's key.
    let run_key = cache::run_fingerprint(
        vocab.fingerprint() ^ (options.host_forks as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        &options.select,
        &options.ignore,
        &options.cwd,
    );
    let own_keys: Vec<u128> = (0..unit_count)
        .into_par_iter()
        .map(|u| {
            let key_files: Vec<cache::KeyFile<'_>> = unit_files[u]
                .iter()
                .map(|&id| cache::KeyFile {
                    display: &displays[id],
                    reported: layout.reported[id],
                    hash: files[id].hash,
                })
                .collect();
            let infos: Vec<&cache::PackageInfo> =
                unit_packages[u].iter().map(|&p| &infos[p]).collect();
            cache::unit_key(run_key, &key_files, &infos, &|name| {
                providers.get(name).copied().unwrap_or(0)
            })
        })
        .collect();
    // The interface of each unit, from the cache; units whose files changed have none.
    let interfaces: Vec<Option<cache::Interface>> = (0..unit_count)
        .into_par_iter()
        .map(|u| cache::load_interface(dir, own_keys[u]))
        .collect();
    drop(providers);
    let mut infos: Vec<Option<cache::PackageInfo>> = infos.into_iter().map(Some).collect();
    let unit_infos = unit_packages
        .iter()
        .map(|list| {
            list.iter()
                .map(|&p| infos[p].take().expect("one unit"))
                .collect()
        })
        .collect();
    CachePlan {
        files,
        displays,
        units,
        unit_files,
        unit_infos,
        own_keys,
        interfaces,
        entry_keys: vec![None; unit_count],
    }
}

/// Packages as the grouping sees them: lib crates of this run, dependencies, manifests.
fn package_infos(works: &[Work], layout: &Layout) -> Vec<cache::PackageInfo> {
    let keys: HashMap<PathBuf, ()> = works
        .par_iter()
        .map(|w| (layout::path_key(&w.path), ()))
        .collect();
    layout
        .packages
        .par_iter()
        .map(|p| {
            if !p.on_disk {
                return cache::PackageInfo {
                    lib: None,
                    dependencies: p.dependencies.clone(),
                    lib_dependencies: p.lib_dependencies.clone(),
                    manifest: Vec::new(),
                };
            }
            let manifest = layout::read_manifest(&p.root);
            let has_lib = manifest.as_ref().is_some_and(|m| {
                layout::target_roots(&p.root, m).iter().any(|(kind, path)| {
                    *kind == layout::TargetKind::Lib && keys.contains_key(&layout::path_key(path))
                })
            });
            cache::PackageInfo {
                lib: p.lib_name.clone().filter(|_| has_lib),
                dependencies: p.dependencies.clone(),
                lib_dependencies: p.lib_dependencies.clone(),
                manifest: std::fs::read(p.root.join("Cargo.toml")).unwrap_or_default(),
            }
        })
        .collect()
}

/// Learns the interfaces of a few changed units with units above them (an edit, not a first
/// run) by lowering them alone: if their facts did not change, the units above them stay
/// cached. (A changed unit nothing stands above is lowered once, in `analyse_stale`, which
/// also records its interface.)
fn learn_interfaces(
    plan: &mut CachePlan,
    layout: &Layout,
    dir: &Path,
    options: &Options,
    vocab: &Vocab,
) {
    let n = plan.files.len();
    // Units some other unit is analysed above (only their interfaces decide other entries).
    let mut has_above = vec![false; plan.unit_files.len()];
    for list in &plan.units.below {
        for &d in list {
            has_above[d] = true;
        }
    }
    let unknown: Vec<usize> = (0..n)
        .filter(|&id| {
            let u = plan.files[id].unit;
            plan.interfaces[u].is_none() && has_above[u]
        })
        .collect();
    if !options.reuse_cache || unknown.is_empty() || unknown.len() > (n / 8).max(64) {
        return;
    }
    let sub_works = plan.works(&unknown, false);
    let mut sub = sub_layout(layout, &unknown, |_| false, &plan.units.ambiguous);
    sub.fingerprint = true;
    sub.lower_only = true;
    let lowered = analyse_set(sub_works, &sub, options, vocab);
    let mut fresh: Vec<usize> = unknown.iter().map(|&id| plan.files[id].unit).collect();
    fresh.dedup();
    plan.learn(dir, &lowered, &unknown, &fresh);
}

/// Computes the entry keys that are known and loads each unit's entry, if it hits and is
/// still valid for the files as read this run (`None`: the unit must be analysed).
fn load_fresh(plan: &mut CachePlan, dir: &Path, options: &Options) -> Vec<Option<cache::Entry>> {
    let unit_count = plan.unit_files.len();
    plan.entry_keys = (0..unit_count)
        .into_par_iter()
        .map(|u| plan.entry_key(u))
        .collect();
    let plan = &*plan;
    let by_display = by_display(&plan.displays);
    let text_of = |id: usize| match &plan.files[id].text {
        Some(Ok(text)) => Some(&**text),
        _ => None,
    };
    // An entry is checked against the files it names, as read this run: the cache is an
    // optimisation, never an input (a bad entry is analysed again and overwritten).
    let valid = |u: usize, entry: &cache::Entry| {
        let unit_files = &plan.unit_files[u];
        let mut files: Vec<Option<&str>> = unit_files.iter().map(|&id| text_of(id)).collect();
        for other in &entry.others {
            match by_display.get(other.as_str()) {
                Some(&id) => files.push(text_of(id.index())),
                None => return false,
            }
        }
        entry.is_valid(&files, unit_files.len(), &|code| {
            code == rules::SYNTAX_ERROR.code
                || rules::find(code).is_some_and(|meta| rule_enabled(meta, options))
        })
    };
    (0..unit_count)
        .into_par_iter()
        .map(|u| {
            if plan.unit_files[u].is_empty() {
                Some(cache::Entry::default())
            } else if !options.reuse_cache {
                None
            } else {
                cache::load(dir, plan.entry_keys[u]?).filter(|entry| valid(u, entry))
            }
        })
        .collect()
}

/// Run ids by display path (how entries name the files of other units).
fn by_display(displays: &[String]) -> HashMap<&str, FileId> {
    displays
        .iter()
        .enumerate()
        .map(|(id, d)| (d.as_str(), FileId::from_index(id)))
        .collect()
}

/// The analysis of the units whose entries missed, mapped back to run ids.
#[derive(Default)]
struct Stale {
    /// The files analysed (run ids, in order): their sub-analysis ids are their indices here.
    files: Vec<usize>,
    /// The analysis, with `syntax`, `findings` and `errors` taken out (below).
    analysis: Analysis,
    syntax: Vec<Diagnostic>,
    findings: Vec<Diagnostic>,
    errors: Vec<(FileId, String)>,
    /// `Analysis::unanalysed`, in run ids.
    unanalysed: Vec<(FileId, TextRange)>,
}

/// Analyses the units whose entries missed, with every unit below them as unreported context,
/// then records the interfaces and entry keys this analysis made known.
fn analyse_stale(
    plan: &mut CachePlan,
    entries: &[Option<cache::Entry>],
    layout: &Layout,
    dir: &Path,
    options: &Options,
    vocab: &Vocab,
) -> Stale {
    let unit_count = plan.unit_files.len();
    let missed_unit = |u: usize| entries[u].is_none();
    let mut needed = vec![false; unit_count];
    // Units analysed whole for their calls into a missed unit that may fork (and below them,
    // what those calls need).
    let mut whole = vec![false; unit_count];
    for u in (0..unit_count).filter(|&u| missed_unit(u)) {
        needed[u] = true;
        for &d in &plan.units.below[u] {
            needed[d] = true;
        }
        if plan.receives(u) != Some(false) {
            for &v in &plan.units.above[u] {
                whole[v] = true;
                needed[v] = true;
                for &d in &plan.units.below[v] {
                    needed[d] = true;
                }
            }
        }
    }
    // Files analysed: every file of a missed unit or of a unit above one that may fork; of a
    // unit below one, only its lib crate when its interface says which files that is (all of
    // them otherwise).
    let missed: Vec<usize> = (0..plan.files.len())
        .filter(|&id| {
            let FileSlot { unit: u, local, .. } = plan.files[id];
            needed[u]
                && (missed_unit(u)
                    || whole[u]
                    || plan.interfaces[u]
                        .as_ref()
                        .is_none_or(|i| i.lib_files.contains(&local)))
        })
        .collect();
    if missed.is_empty() {
        return Stale::default();
    }
    let mut sub = sub_layout(
        layout,
        &missed,
        |id| layout.reported[id] && missed_unit(plan.files[id].unit),
        &plan.units.ambiguous,
    );
    sub.fingerprint = true;
    let sub_works = plan.works(&missed, true);
    let mut analysis = analyse_set(sub_works, &sub, options, vocab);
    // Fingerprints of the units analysed (units without an interface were analysed whole),
    // then the keys still unknown.
    let learnt: Vec<usize> = (0..unit_count)
        .filter(|&u| needed[u] && plan.interfaces[u].is_none())
        .collect();
    plan.learn(dir, &analysis, &missed, &learnt);
    for u in (0..unit_count).filter(|&u| missed_unit(u)) {
        if plan.entry_keys[u].is_none() {
            plan.entry_keys[u] = plan.entry_key(u);
        }
    }
    let map = |sub: FileId| FileId::from_index(missed[sub.index()]);
    let mut syntax = std::mem::take(&mut analysis.syntax);
    let mut findings = std::mem::take(&mut analysis.findings);
    for d in syntax.iter_mut().chain(findings.iter_mut()) {
        remap_files(d, &map);
    }
    let errors = std::mem::take(&mut analysis.errors)
        .into_iter()
        .map(|(sub, message)| (map(sub), message))
        .collect();
    let unanalysed = std::mem::take(&mut analysis.unanalysed)
        .into_iter()
        .map(|(sub, range)| (map(sub), range))
        .collect();
    Stale {
        files: missed,
        analysis,
        syntax,
        findings,
        errors,
        unanalysed,
    }
}

/// Builds the entry of every missed unit from the stale analysis and stores it (not the
/// units with a finding an entry cannot express); prunes the cache when entries were added.
fn store(
    plan: &CachePlan,
    entries: &[Option<cache::Entry>],
    stale: &Stale,
    dir: &Path,
    report: &mut Report,
) {
    let n = plan.files.len();
    let mut new_entries: HashMap<usize, cache::Entry> = HashMap::new();
    let mut uncacheable: Vec<usize> = Vec::new();
    for (sub, &id) in stale.files.iter().enumerate() {
        let FileSlot { unit: u, local, .. } = plan.files[id];
        if entries[u].is_some() {
            continue;
        }
        let entry = new_entries.entry(u).or_default();
        if stale.analysis.checked[sub] {
            entry.checked.push(local);
        }
    }
    for (phase, d) in stale
        .syntax
        .iter()
        .map(|d| (0, d))
        .chain(stale.findings.iter().map(|d| (1, d)))
    {
        let u = plan.files[d.file.index()].unit;
        let entry = new_entries.entry(u).or_default();
        let own = plan.unit_files[u].len() as u32;
        let others = std::cell::RefCell::new(std::mem::take(&mut entry.others));
        let local = |file: FileId| {
            let file = file.index();
            if file >= n {
                return None;
            }
            if plan.files[file].unit == u {
                return Some(plan.files[file].local);
            }
            let display = plan.displays.get(file)?;
            let mut others = others.borrow_mut();
            let at = match others.iter().position(|o| o == display) {
                Some(at) => at,
                None => {
                    others.push(display.clone());
                    others.len() - 1
                }
            };
            Some(own + at as u32)
        };
        let cached = cache::CachedDiagnostic::from_diagnostic(phase, d, &local);
        entry.others = others.into_inner();
        match cached {
            Some(cached) => entry.diagnostics.push(cached),
            None => uncacheable.push(u),
        }
    }
    for (id, message) in &stale.errors {
        let slot = &plan.files[id.index()];
        new_entries
            .entry(slot.unit)
            .or_default()
            .errors
            .push((slot.local, message.clone()));
    }
    for (id, range) in &stale.unanalysed {
        let slot = &plan.files[id.index()];
        if entries[slot.unit].is_some() {
            continue;
        }
        new_entries
            .entry(slot.unit)
            .or_default()
            .unanalysed
            .push((slot.local, (range.start, range.end)));
    }
    let mut stored: Vec<(usize, cache::Entry)> = new_entries
        .into_iter()
        .filter(|(u, _)| !uncacheable.contains(u))
        .collect();
    stored.sort_by_key(|(u, _)| *u);
    let failures: Vec<String> = stored
        .par_iter()
        .filter_map(|(u, entry)| cache::store(dir, plan.entry_keys[*u]?, entry).err())
        .collect();
    if !stored.is_empty() {
        // Only runs that add entries can grow the cache, so only they prune it.
        cache::prune(dir, std::time::SystemTime::now());
    }
    if let Some(first) = failures.first() {
        report.cache_note = Some(format!(
            "cannot write the cache in {}: {first}",
            dir.display()
        ));
    }
}

/// Merges the stale analysis and the loaded entries into what an uncached run gives: sources,
/// findings in the order a cold run produces them, errors, checked files and scans.
fn assemble(plan: CachePlan, entries: Vec<Option<cache::Entry>>, stale: Stale) -> Assembled {
    let n = plan.files.len();
    let Stale {
        files: missed,
        mut analysis,
        syntax,
        findings,
        errors,
        unanalysed,
    } = stale;
    let by_display = by_display(&plan.displays);
    let mut sub_sources: Vec<Option<SourceFile>> = std::mem::take(&mut analysis.sources)
        .into_iter()
        .map(Some)
        .collect();
    let mut sources: Vec<Option<SourceFile>> = plan
        .files
        .into_par_iter()
        .map(|slot| {
            let work = slot.work?;
            let text = match slot.text {
                Some(Ok(text)) => text,
                _ => Arc::from(""),
            };
            Some(SourceFile::new(work.path, work.display, text))
        })
        .collect();
    let mut scans: Vec<Option<Option<Scanned>>> = (0..n).map(|_| None).collect();
    let mut checked = vec![false; n];
    for (sub, &id) in missed.iter().enumerate() {
        sources[id] = sub_sources[sub].take();
        scans[id] = analysis.scans.get_mut(sub).and_then(Option::take);
        checked[id] = analysis.checked[sub];
    }
    let sources: Vec<SourceFile> = sources
        .into_iter()
        .map(|s| s.expect("every file yields a source"))
        .collect();
    let mut tagged: Vec<(u8, FileId, Diagnostic)> = syntax
        .into_iter()
        .map(|d| (0, d.file, d))
        .chain(findings.into_iter().map(|d| (1, d.file, d)))
        .collect();
    let mut all_errors = errors;
    let mut all_unanalysed = unanalysed;
    for (u, entry) in entries.iter().enumerate() {
        let Some(entry) = entry else { continue };
        let unit_files = &plan.unit_files[u];
        let global = |local: u32| match unit_files.get(local as usize) {
            Some(&id) => Some(FileId::from_index(id)),
            None => {
                let other = entry
                    .others
                    .get((local as usize).checked_sub(unit_files.len())?)?;
                by_display.get(other.as_str()).copied()
            }
        };
        for &local in &entry.checked {
            if let Some(id) = global(local) {
                checked[id.index()] = true;
            }
        }
        for cached in &entry.diagnostics {
            if let Some(d) = cached.to_diagnostic(&global) {
                tagged.push((cached.phase, d.file, d));
            }
        }
        for (local, message) in &entry.errors {
            if let Some(id) = global(*local) {
                all_errors.push((id, message.clone()));
            }
        }
        for &(local, (start, end)) in &entry.unanalysed {
            if let Some(id) = global(local).filter(|_| (local as usize) < unit_files.len()) {
                all_unanalysed.push((id, TextRange::new(start as usize, end as usize)));
            }
        }
    }
    tagged.sort_by_key(|(phase, file, _)| (*phase, *file));
    let diagnostics = tagged.into_iter().map(|(_, _, d)| d).collect();
    (
        sources,
        diagnostics,
        all_errors,
        checked,
        scans,
        all_unanalysed,
    )
}

/// A run through the findings cache (see `cache`): units whose entries hit reuse their
/// findings; the others are analysed (alone, as a smaller model) and stored. Gives what an
/// uncached run gives (see `run_in_pool`), and fills the report's cache counts and timings.
pub(super) fn cached_run(
    works: Vec<Work>,
    layout: Layout,
    dir: &Path,
    options: &Options,
    vocab: &Vocab,
    report: &mut Report,
) -> Assembled {
    let mut clock = Instant::now();
    let mut timings: Vec<(&'static str, u128)> = Vec::new();
    let read = read_all(&works);
    timings.push(("cache: read+hash", clock.elapsed().as_millis()));
    clock = Instant::now();
    let mut plan = plan(works, read, &layout, dir, options, vocab);
    learn_interfaces(&mut plan, &layout, dir, options, vocab);
    let entries = load_fresh(&mut plan, dir, options);
    let with_files = plan.unit_files.iter().filter(|f| !f.is_empty()).count();
    report.cache_misses = entries.iter().filter(|e| e.is_none()).count();
    report.cache_hits = with_files - report.cache_misses;
    timings.push(("cache: keys+load", clock.elapsed().as_millis()));

    let mut stale = analyse_stale(&mut plan, &entries, &layout, dir, options, vocab);
    if !stale.files.is_empty() {
        report.relowered = stale.analysis.relowered;
        report.test_gated = stale.analysis.test_gated;
        report.windows_gated = stale.analysis.windows_gated;
        report.call_stats = stale.analysis.call_stats;
        report.model_bytes = stale.analysis.model_bytes;
        timings.append(&mut stale.analysis.timings);
    }
    let clock = Instant::now();
    store(&plan, &entries, &stale, dir, report);
    let assembled = assemble(plan, entries, stale);
    timings.push(("cache: store+assemble", clock.elapsed().as_millis()));
    report.timings = timings;
    assembled
}
