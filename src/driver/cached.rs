//! A run through the findings cache (see `cache`): the units of the run are keyed, the units
//! whose entries hit reuse their findings, the others are analysed (alone, as a smaller model,
//! with the units below them as context) and stored, and the result is assembled in the order a
//! cold run produces it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::source::{FileId, SourceFile};
use crate::cache;
use crate::rules;
use crate::vocab::Vocab;

use super::levels::{rule_enabled, Scanned};
use super::{analyse_set, layout, read_file, remap_files, Analysis, Layout, Options, Report, Work};

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
);

/// A run through the findings cache (see `cache`): groups whose key hits reuse their findings;
/// the others are analysed (alone, as a smaller model) and stored.
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
    let n = works.len();
    // Read and hash every file.
    let texts: Vec<Result<Arc<str>, String>> = works
        .par_iter()
        .map(|w| read_file(&w.path).map(Arc::from))
        .collect();
    let hashes: Vec<u64> = texts.par_iter().map(cache::content_hash).collect();
    timings.push(("cache: read+hash", clock.elapsed().as_millis()));
    clock = Instant::now();

    // Packages as the grouping sees them: lib crates of this run, dependencies, manifests.
    let keys: HashMap<PathBuf, ()> = works
        .par_iter()
        .map(|w| (layout::path_key(&w.path), ()))
        .collect();
    let infos: Vec<cache::PackageInfo> = layout
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
        .collect();
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
    let mut unit_of_file = Vec::with_capacity(n);
    let mut local_index = Vec::with_capacity(n);
    for id in 0..n {
        let u = units.unit_of[layout.package_of[id]];
        unit_of_file.push(u);
        local_index.push(unit_files[u].len() as u32);
        unit_files[u].push(id);
    }
    let mut unit_packages: Vec<Vec<usize>> = vec![Vec::new(); unit_count];
    for (p, &u) in units.unit_of.iter().enumerate() {
        unit_packages[u].push(p);
    }
    let run_key = cache::run_fingerprint(
        vocab.fingerprint(),
        &options.select,
        &options.ignore,
        &options.cwd,
    );
    let displays: Vec<String> = works.iter().map(|w| w.display.clone()).collect();
    let below = &units.below;
    let unit_infos: Vec<Vec<&cache::PackageInfo>> = unit_packages
        .iter()
        .map(|list| list.iter().map(|&p| &infos[p]).collect())
        .collect();
    let own_key = |u: usize| {
        let key_files: Vec<cache::KeyFile<'_>> = unit_files[u]
            .iter()
            .map(|&id| cache::KeyFile {
                display: &displays[id],
                reported: layout.reported[id],
                hash: hashes[id],
            })
            .collect();
        cache::unit_key(run_key, &key_files, &unit_infos[u], &|name| {
            providers.get(name).copied().unwrap_or(0)
        })
    };
    let own_keys: Vec<u128> = (0..unit_count).into_par_iter().map(own_key).collect();
    let interface_of = |u: usize, facts: &dyn Fn(usize) -> u64, lib: &dyn Fn(usize) -> bool| {
        let files: Vec<(&str, u64)> = unit_files[u]
            .iter()
            .map(|&id| (displays[id].as_str(), facts(id)))
            .collect();
        cache::Interface {
            facts: cache::unit_interface(&files, &unit_infos[u]),
            lib_files: unit_files[u]
                .iter()
                .filter(|&&id| lib(id))
                .map(|&id| local_index[id])
                .collect(),
        }
    };
    // The interface of each unit, from the cache; units whose files changed have none.
    let mut interfaces: Vec<Option<cache::Interface>> = (0..unit_count)
        .into_par_iter()
        .map(|u| cache::load_interface(dir, own_keys[u]))
        .collect();
    let mut texts: Vec<Option<Result<Arc<str>, String>>> = texts.into_iter().map(Some).collect();
    // Units some other unit is analysed above (only their interfaces decide other entries).
    let mut has_above = vec![false; unit_count];
    for list in below {
        for &d in list {
            has_above[d] = true;
        }
    }
    let unknown: Vec<usize> = (0..n)
        .filter(|&id| {
            let u = unit_of_file[id];
            interfaces[u].is_none() && has_above[u]
        })
        .collect();
    // A few changed units with units above them (an edit, not a first run): lower them alone
    // to learn whether their facts changed; if not, the units above them stay cached. (A
    // changed unit nothing stands above is lowered once, in the analysis below, which also
    // records its interface.)
    if options.reuse_cache && !unknown.is_empty() && unknown.len() <= (n / 8).max(64) {
        let sub_works: Vec<Work> = unknown
            .iter()
            .map(|&id| Work {
                path: works[id].path.clone(),
                display: displays[id].clone(),
                text: texts[id].clone(),
                on_disk: true,
            })
            .collect();
        let mut sub = sub_layout(&layout, &unknown, |_| false, &units.ambiguous);
        sub.fingerprint = true;
        sub.lower_only = true;
        let lowered = analyse_set(sub_works, &sub, options, vocab);
        let mut facts_of = vec![0u64; n];
        let mut lib_of = vec![false; n];
        for (sub, &id) in unknown.iter().enumerate() {
            facts_of[id] = lowered.facts.get(sub).copied().unwrap_or(0);
            lib_of[id] = lowered.lib_files.get(sub).copied().unwrap_or(false);
        }
        let mut fresh: Vec<usize> = unknown.iter().map(|&id| unit_of_file[id]).collect();
        fresh.dedup();
        for u in fresh {
            let interface = interface_of(u, &|id| facts_of[id], &|id| lib_of[id]);
            let _ = cache::store_interface(dir, own_keys[u], &interface);
            interfaces[u] = Some(interface);
        }
    }
    // Entry keys: the own key and the fingerprints of every unit below.
    let entry_key = |u: usize, interfaces: &[Option<cache::Interface>]| -> Option<u128> {
        let below: Option<Vec<u128>> = below[u]
            .iter()
            .map(|&d| interfaces[d].as_ref().map(|i| i.facts))
            .collect();
        Some(cache::entry_key(own_keys[u], &below?))
    };
    let mut unit_keys: Vec<Option<u128>> = (0..unit_count)
        .into_par_iter()
        .map(|u| entry_key(u, &interfaces))
        .collect();
    let by_display: HashMap<&str, FileId> = displays
        .iter()
        .enumerate()
        .map(|(id, d)| (d.as_str(), FileId::from_index(id)))
        .collect();
    let text_of = |id: usize| match &texts[id] {
        Some(Ok(text)) => Some(&**text),
        _ => None,
    };
    // An entry is checked against the files it names, as read this run: the cache is an
    // optimisation, never an input (a bad entry is analysed again and overwritten).
    let valid = |u: usize, entry: &cache::Entry| {
        let mut files: Vec<Option<&str>> = unit_files[u].iter().map(|&id| text_of(id)).collect();
        for other in &entry.others {
            match by_display.get(other.as_str()) {
                Some(&id) => files.push(text_of(id.index())),
                None => return false,
            }
        }
        entry.is_valid(&files, unit_files[u].len(), &|code| {
            code == rules::SYNTAX_ERROR.code
                || rules::find(code).is_some_and(|meta| rule_enabled(meta, options))
        })
    };
    let entries: Vec<Option<cache::Entry>> = (0..unit_count)
        .into_par_iter()
        .map(|u| {
            if unit_files[u].is_empty() {
                Some(cache::Entry::default())
            } else if !options.reuse_cache {
                None
            } else {
                cache::load(dir, unit_keys[u]?).filter(|entry| valid(u, entry))
            }
        })
        .collect();
    let with_files = unit_files.iter().filter(|f| !f.is_empty()).count();
    report.cache_misses = entries.iter().filter(|e| e.is_none()).count();
    report.cache_hits = with_files - report.cache_misses;
    timings.push(("cache: keys+load", clock.elapsed().as_millis()));

    // Analyse the missed units with every unit below them as unreported context.
    let mut needed = vec![false; unit_count];
    for u in 0..unit_count {
        if entries[u].is_none() {
            needed[u] = true;
            for &d in &below[u] {
                needed[d] = true;
            }
        }
    }
    let missed_unit = |u: usize| entries[u].is_none();
    // Files analysed: every file of a missed unit; of a unit below one, only its lib crate
    // when its interface says which files that is (all of them otherwise).
    let missed: Vec<usize> = (0..n)
        .filter(|&id| {
            let u = unit_of_file[id];
            needed[u]
                && (missed_unit(u)
                    || interfaces[u]
                        .as_ref()
                        .is_none_or(|i| i.lib_files.contains(&local_index[id])))
        })
        .collect();
    let mut works: Vec<Option<Work>> = works.into_iter().map(Some).collect();
    let mut analysis = Analysis::default();
    if !missed.is_empty() {
        let mut sub = sub_layout(
            &layout,
            &missed,
            |id| layout.reported[id] && missed_unit(unit_of_file[id]),
            &units.ambiguous,
        );
        sub.fingerprint = true;
        let sub_works: Vec<Work> = missed
            .iter()
            .map(|&id| {
                let mut work = works[id].take().expect("each file once");
                work.text = texts[id].take();
                work
            })
            .collect();
        analysis = analyse_set(sub_works, &sub, options, vocab);
        report.relowered = analysis.relowered;
        report.call_stats = analysis.call_stats;
        report.model_bytes = analysis.model_bytes;
        timings.append(&mut analysis.timings);
        // Fingerprints of the units analysed (whole units), then the keys still unknown.
        let mut facts_of = vec![0u64; n];
        let mut lib_of = vec![false; n];
        for (sub, &id) in missed.iter().enumerate() {
            facts_of[id] = analysis.facts.get(sub).copied().unwrap_or(0);
            lib_of[id] = analysis.lib_files.get(sub).copied().unwrap_or(false);
        }
        // (Units without an interface were analysed whole.)
        for u in (0..unit_count).filter(|&u| needed[u]) {
            if interfaces[u].is_none() {
                let interface = interface_of(u, &|id| facts_of[id], &|id| lib_of[id]);
                let _ = cache::store_interface(dir, own_keys[u], &interface);
                interfaces[u] = Some(interface);
            }
        }
        for u in (0..unit_count).filter(|&u| missed_unit(u)) {
            if unit_keys[u].is_none() {
                unit_keys[u] = entry_key(u, &interfaces);
            }
        }
    }
    let clock = Instant::now();
    // Map the analysis back to run ids and store an entry per missed unit.
    let map = |sub: FileId| FileId::from_index(missed[sub.index()]);
    let mut syntax = std::mem::take(&mut analysis.syntax);
    let mut findings = std::mem::take(&mut analysis.findings);
    for d in syntax.iter_mut().chain(findings.iter_mut()) {
        remap_files(d, &map);
    }
    let errors: Vec<(FileId, String)> = std::mem::take(&mut analysis.errors)
        .into_iter()
        .map(|(sub, message)| (map(sub), message))
        .collect();
    let mut new_entries: HashMap<usize, cache::Entry> = HashMap::new();
    let mut uncacheable: Vec<usize> = Vec::new();
    for (sub, &id) in missed.iter().enumerate() {
        let u = unit_of_file[id];
        if !missed_unit(u) {
            continue;
        }
        let entry = new_entries.entry(u).or_default();
        if analysis.checked[sub] {
            entry.checked.push(local_index[id]);
        }
    }
    for (phase, d) in syntax
        .iter()
        .map(|d| (0, d))
        .chain(findings.iter().map(|d| (1, d)))
    {
        let u = unit_of_file[d.file.index()];
        let entry = new_entries.entry(u).or_default();
        let own = unit_files[u].len() as u32;
        let others = std::cell::RefCell::new(std::mem::take(&mut entry.others));
        let local = |file: FileId| {
            let file = file.index();
            if file >= n {
                return None;
            }
            if unit_of_file[file] == u {
                return Some(local_index[file]);
            }
            let display = displays.get(file)?;
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
    for (id, message) in &errors {
        let u = unit_of_file[id.index()];
        new_entries
            .entry(u)
            .or_default()
            .errors
            .push((local_index[id.index()], message.clone()));
    }
    let mut stored: Vec<(usize, cache::Entry)> = new_entries
        .into_iter()
        .filter(|(u, _)| !uncacheable.contains(u))
        .collect();
    stored.sort_by_key(|(u, _)| *u);
    let failures: Vec<String> = stored
        .par_iter()
        .filter_map(|(u, entry)| cache::store(dir, unit_keys[*u]?, entry).err())
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

    // Assemble: sources, findings in the order a cold run produces them, errors, checked files.
    let mut sub_sources: Vec<Option<SourceFile>> = std::mem::take(&mut analysis.sources)
        .into_iter()
        .map(Some)
        .collect();
    let mut sources: Vec<Option<SourceFile>> = works
        .into_par_iter()
        .zip(texts.into_par_iter())
        .map(|(work, text)| {
            let work = work?;
            let text = match text {
                Some(Ok(text)) => text,
                _ => Arc::from(""),
            };
            Some(SourceFile::new(work.path, work.display, text))
        })
        .collect();
    let mut scans: Vec<Option<Option<Scanned>>> = (0..n).map(|_| None).collect();
    for (sub, &id) in missed.iter().enumerate() {
        sources[id] = sub_sources[sub].take();
        scans[id] = analysis.scans.get_mut(sub).and_then(Option::take);
    }
    let sources: Vec<SourceFile> = sources
        .into_iter()
        .map(|s| s.expect("every file yields a source"))
        .collect();
    let mut checked = vec![false; n];
    for (sub, &id) in missed.iter().enumerate() {
        checked[id] = analysis.checked[sub];
    }
    let mut tagged: Vec<(u8, FileId, Diagnostic)> = syntax
        .into_iter()
        .map(|d| (0, d.file, d))
        .chain(findings.into_iter().map(|d| (1, d.file, d)))
        .collect();
    let mut all_errors = errors;
    for (u, entry) in entries.iter().enumerate() {
        let Some(entry) = entry else { continue };
        let own = unit_files[u].len();
        let global = |local: u32| match unit_files[u].get(local as usize) {
            Some(&id) => Some(FileId::from_index(id)),
            None => {
                let other = entry.others.get((local as usize).checked_sub(own)?)?;
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
    }
    tagged.sort_by_key(|(phase, file, _)| (*phase, *file));
    let diagnostics = tagged.into_iter().map(|(_, _, d)| d).collect();
    timings.push(("cache: store+assemble", clock.elapsed().as_millis()));
    report.timings = timings;
    (sources, diagnostics, all_errors, checked, scans)
}
