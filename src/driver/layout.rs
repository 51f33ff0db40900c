//! Cargo packages and their crates: manifests, target roots and module trees.
//!
//! Files under a `Cargo.toml` package are analysed together as that package's crates, so calls
//! resolve across modules (README.md, "Usage"). This module reads manifests (the only I/O of
//! crate-wide analysis), lists target roots (`src/lib.rs`, `src/main.rs`, `src/bin/*`,
//! `examples/*`, `tests/*`, `benches/*`, `build.rs`, and `[lib]`/`[[bin]]`/... paths), and walks
//! `mod` declarations from each root to give every file its crate and module path. A file that no
//! module tree reaches is its own crate root.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::ir::ModDecl;

pub use crate::model::TargetKind;

/// The parts of a Cargo.toml forklint uses.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    pub name: Option<String>,
    /// The lib crate's name as code spells it (`my_crate`).
    pub lib_name: Option<String>,
    /// Explicit target roots from `[lib]`, `[[bin]]`, `[[example]]`, `[[test]]`, `[[bench]]`, `build`.
    pub explicit: Vec<(TargetKind, PathBuf)>,
    pub autobins: bool,
    /// Names of all dependencies (normal, dev, build; renamed ones by their key).
    pub dependencies: Vec<String>,
    /// Names of the normal dependencies: all that a package's lib crate can use.
    pub lib_dependencies: Vec<String>,
    /// Directories of `path = ".."` dependencies.
    pub path_dependencies: Vec<PathBuf>,
    /// `[lib] crate-type` lists `cdylib` (a shared library another program loads).
    pub cdylib: bool,
    /// A `pyproject.toml` beside the manifest names maturin as its build backend.
    pub maturin: bool,
}

impl Manifest {
    pub fn depends_on(&self, name: &str) -> bool {
        self.dependencies.iter().any(|d| d == name)
    }
}

/// Reads `dir/Cargo.toml` if it describes a package.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let value: toml::Table = toml::from_str(&text).ok()?;
    let package = value.get("package")?.as_table()?;
    let mut manifest = Manifest {
        name: package
            .get("name")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        autobins: package
            .get("autobins")
            .and_then(|v| v.as_bool())
            .unwrap_or(true),
        ..Manifest::default()
    };
    let lib = value.get("lib").and_then(|v| v.as_table());
    manifest.lib_name = lib
        .and_then(|l| l.get("name"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| manifest.name.clone())
        .map(|n| n.replace('-', "_"));
    manifest.cdylib = lib
        .and_then(|l| l.get("crate-type"))
        .and_then(|v| v.as_array())
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("cdylib")));
    manifest.maturin = pyproject_uses_maturin(dir);
    if let Some(path) = lib.and_then(|l| l.get("path")).and_then(|v| v.as_str()) {
        manifest.explicit.push((TargetKind::Lib, dir.join(path)));
    }
    for (key, kind) in [
        ("bin", TargetKind::Bin),
        ("example", TargetKind::Example),
        ("test", TargetKind::Test),
        ("bench", TargetKind::Bench),
    ] {
        for target in value
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(path) = target.get("path").and_then(|v| v.as_str()) {
                manifest.explicit.push((kind, dir.join(path)));
            }
        }
    }
    if let Some(build) = package.get("build").and_then(|v| v.as_str()) {
        manifest.explicit.push((TargetKind::Build, dir.join(build)));
    }
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(deps) = value.get(key).and_then(|v| v.as_table()) {
            manifest.dependencies.extend(deps.keys().cloned());
            if key == "dependencies" {
                manifest.lib_dependencies.extend(deps.keys().cloned());
            }
            for dep in deps.values() {
                if let Some(path) = dep.get("path").and_then(|p| p.as_str()) {
                    manifest.path_dependencies.push(dir.join(path));
                }
            }
        }
    }
    if let Some(targets) = value.get("target").and_then(|v| v.as_table()) {
        for target in targets.values() {
            for key in ["dependencies", "dev-dependencies"] {
                if let Some(deps) = target.get(key).and_then(|v| v.as_table()) {
                    manifest.dependencies.extend(deps.keys().cloned());
                    if key == "dependencies" {
                        manifest.lib_dependencies.extend(deps.keys().cloned());
                    }
                }
            }
        }
    }
    Some(manifest)
}

/// Whether `dir/pyproject.toml` names maturin as its build backend (`[build-system]
/// build-backend = "maturin"`): the package is built as a Python extension module.
fn pyproject_uses_maturin(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("pyproject.toml")) else {
        return false;
    };
    let Ok(value) = toml::from_str::<toml::Table>(&text) else {
        return false;
    };
    value
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(|v| v.as_str())
        .is_some_and(|backend| backend == "maturin")
}

/// Every target root of a package, explicit ones first, then Cargo's auto-discovery.
pub fn target_roots(dir: &Path, manifest: &Manifest) -> Vec<(TargetKind, PathBuf)> {
    let mut roots = manifest.explicit.clone();
    let mut push = |kind: TargetKind, path: PathBuf| {
        if path.is_file() && !roots.iter().any(|(_, p)| *p == path) {
            roots.push((kind, path));
        }
    };
    push(TargetKind::Lib, dir.join("src/lib.rs"));
    push(TargetKind::Bin, dir.join("src/main.rs"));
    push(TargetKind::Build, dir.join("build.rs"));
    let auto_dirs = [
        ("src/bin", TargetKind::Bin),
        ("examples", TargetKind::Example),
        ("tests", TargetKind::Test),
        ("benches", TargetKind::Bench),
    ];
    for (sub, kind) in auto_dirs {
        if kind == TargetKind::Bin && !manifest.autobins {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                push(kind, path.join("main.rs"));
            } else if path.extension().is_some_and(|e| e == "rs") {
                push(kind, path);
            }
        }
    }
    roots
}

/// Where a module file's children live: `dir/` for root and `mod.rs` files, `dir/stem/` else.
fn child_dir(file: &Path, is_root: bool) -> PathBuf {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    match stem.as_deref() {
        Some("mod") => dir,
        _ if is_root => dir,
        Some(stem) => dir.join(stem),
        None => dir,
    }
}

/// Candidate files for `mod name;` declared in `file` (module `file_module`) at `decl.parent`.
pub fn mod_candidates(
    file: &Path,
    file_module: &str,
    is_root: bool,
    decl: &ModDecl,
) -> Vec<PathBuf> {
    // Inline modules between the file's module and the declaration's parent.
    let inline: Vec<&str> = decl
        .parent
        .strip_prefix(file_module)
        .unwrap_or("")
        .split("::")
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(path) = &decl.path_attr {
        let mut base = file.parent().map(Path::to_path_buf).unwrap_or_default();
        if !inline.is_empty() {
            base = child_dir(file, is_root);
            for part in &inline {
                base.push(part);
            }
        }
        return vec![base.join(path)];
    }
    let mut base = child_dir(file, is_root);
    for part in &inline {
        base.push(part);
    }
    vec![
        base.join(format!("{}.rs", decl.name)),
        base.join(&decl.name).join("mod.rs"),
    ]
}

/// A path key that survives `./` prefixes and symlinks: `canonicalize`, made cheap.
///
/// `canonicalize` resolves every component (a `readlink` each); a run keys every file several
/// times, which was 140,000 system calls on a 5,500-file tree. Here a file that is not itself a
/// symlink is keyed as its canonical directory (remembered per thread) joined with its name: one
/// `lstat` per file.
pub fn path_key(path: &Path) -> PathBuf {
    thread_local! {
        static DIRS: std::cell::RefCell<HashMap<PathBuf, Option<PathBuf>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    // A path that cannot be resolved (stdin's `--stdin-filename` of a file not saved yet) is
    // still absolute, so its directory leads to its package whatever the spelling.
    let full = || {
        std::fs::canonicalize(path).unwrap_or_else(|_| match std::env::current_dir() {
            Ok(cwd) => crate::driver::normalize(path, &cwd),
            Err(_) => path.to_path_buf(),
        })
    };
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return full();
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_symlink() => {}
        _ => return full(),
    }
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let dir = DIRS.with(|dirs| {
        if let Some(known) = dirs.borrow().get(parent) {
            return known.clone();
        }
        let canonical = std::fs::canonicalize(parent).ok();
        dirs.borrow_mut()
            .insert(parent.to_path_buf(), canonical.clone());
        canonical
    });
    match dir {
        Some(dir) => dir.join(name),
        None => full(),
    }
}

/// The cfg gates a module file is compiled under: those of its `mod` line, of the inline
/// modules around it, and of every module above it in the tree (a test module's children are
/// test code too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gates {
    /// Compiled only with `cfg(test)`.
    pub test: bool,
    /// Compiled only for Windows.
    pub windows: bool,
}

impl Gates {
    /// The gates of the file `decl` names, declared in a file compiled under `self`.
    fn child(self, decl: &ModDecl) -> Gates {
        Gates {
            test: self.test || decl.cfg_test,
            windows: self.windows || decl.cfg_windows,
        }
    }

    /// The gates of a file that two crates (or two paths) reach: gated only if gated in both.
    fn meet(self, other: Gates) -> Gates {
        Gates {
            test: self.test && other.test,
            windows: self.windows && other.windows,
        }
    }
}

/// One file of a crate's module tree.
#[derive(Clone, Debug)]
pub struct TreeModule {
    pub key: PathBuf,
    /// Its module path (`crate::a::b`).
    pub module: String,
    pub gates: Gates,
}

/// One crate of a package: its root and every file of its module tree with its module path.
#[derive(Clone, Debug)]
pub struct CrateTree {
    pub kind: TargetKind,
    pub root: PathBuf,
    /// Root first.
    pub modules: Vec<TreeModule>,
}

/// The module path a file was lowered with, and its `mod` declarations.
pub type FileDecls = (String, Vec<ModDecl>);

/// Walks module trees from `roots`. `decls(path)` returns the `mod` declarations of a file and
/// the module path it was lowered with (`None` if the file is unknown or did not parse);
/// `known(path)` tells whether a path is the key of a file of the run (it exists).
pub fn module_trees(
    roots: &[(TargetKind, PathBuf)],
    decls: &dyn Fn(&Path) -> Option<FileDecls>,
    known: &dyn Fn(&Path) -> bool,
) -> Vec<CrateTree> {
    let mut trees = Vec::new();
    for (kind, root) in roots {
        let root_key = path_key(root);
        let mut modules: Vec<TreeModule> = Vec::new();
        // File key -> (index in `modules`, is the root).
        let mut seen: HashMap<PathBuf, (usize, bool)> = HashMap::new();
        let mut stack = vec![(
            root_key.clone(),
            "crate".to_string(),
            true,
            Gates::default(),
        )];
        while let Some((file, mut module, mut is_root, mut gates)) = stack.pop() {
            if let Some(&(index, root)) = seen.get(&file) {
                // Declared again (two `#[path]`s to one file, `#[cfg(windows)]` and
                // `#[cfg(unix)]` beside each other): gated only if gated on every path. Its
                // declarations are walked again, under its first module path, only when that
                // lifts a gate; gates only ever get lifted, so this ends.
                let first = &mut modules[index];
                let met = first.gates.meet(gates);
                if met == first.gates {
                    continue;
                }
                first.gates = met;
                (module, is_root, gates) = (first.module.clone(), root, met);
            } else {
                seen.insert(file.clone(), (modules.len(), is_root));
                modules.push(TreeModule {
                    key: file.clone(),
                    module: module.clone(),
                    gates,
                });
            }
            let Some((lowered_module, file_decls)) = decls(&file) else {
                continue;
            };
            for decl in file_decls {
                let inline = decl
                    .parent
                    .strip_prefix(&lowered_module)
                    .unwrap_or("")
                    .to_string();
                for candidate in mod_candidates(&file, &lowered_module, is_root, &decl) {
                    // A candidate built from a key is a key when no component below the key's
                    // directory is a symlink: a file of the run is then known without a stat.
                    let key = if known(&candidate) {
                        candidate
                    } else if candidate.is_file() {
                        path_key(&candidate)
                    } else {
                        continue;
                    };
                    stack.push((
                        key,
                        format!("{module}{inline}::{}", decl.name),
                        false,
                        gates.child(&decl),
                    ));
                    break;
                }
            }
        }
        trees.push(CrateTree {
            kind: *kind,
            root: root_key,
            modules,
        });
    }
    trees
}

/// What planning reads of one package directory.
#[derive(Clone, Default)]
struct Loaded {
    /// The manifest (the default one when it cannot be read).
    manifest: Manifest,
    /// Target roots, when the manifest could be read (see `Package::targets`).
    targets: Option<Vec<(TargetKind, PathBuf)>>,
    /// Keys of all target roots (of the default manifest's too): root modules whatever their
    /// location.
    target_keys: Vec<PathBuf>,
}

fn load_package(root: &Path) -> Loaded {
    let read = read_manifest(root);
    let targets = read.as_ref().map(|m| target_roots(root, m));
    let manifest = read.unwrap_or_default();
    let all = match &targets {
        Some(t) => t.clone(),
        None => target_roots(root, &manifest),
    };
    Loaded {
        target_keys: all.iter().map(|(_, p)| path_key(p)).collect(),
        manifest,
        targets,
    }
}

/// A better first module path than the location's `crate` for a file that is no target root:
/// its path below the directory of the outermost target root above it, the package directory
/// itself (a build script's) aside (`test/sys/test_aio.rs` beside nix's `[[test]] path =
/// "test/test.rs"` is `crate::sys::test_aio`; `tests/misc.rs` beside a `tests/lib.rs` root is
/// `crate::misc`). Only a guess that saves lowering a file twice: the module trees decide
/// (`assign`), and a loose file keeps its location's module.
fn first_guess(
    located_module: &str,
    file: &Path,
    package_root: Option<&Path>,
    roots: &[PathBuf],
) -> Option<String> {
    if located_module != "crate" {
        return None;
    }
    let rel = roots
        .iter()
        .filter_map(|root| root.parent())
        .filter(|dir| Some(*dir) != package_root)
        .filter_map(|dir| file.strip_prefix(dir).ok())
        .max_by_key(|rel| rel.components().count())?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Some(crate::discover::module_of_parts(&parts))
}

/// Package grouping of a run's inputs.
#[derive(Clone, Debug)]
pub struct Plan {
    pub packages: Vec<crate::model::Package>,
    /// Per input: index into `packages`.
    pub package_of: Vec<usize>,
    /// Per input: the module path from its location (what a loose file keeps; refined later).
    pub modules: Vec<String>,
    /// Per input: the module path to lower it with first (see [`first_guess`]); the module
    /// trees check it, and a file guessed wrong is lowered again.
    pub lower_modules: Vec<String>,
    /// Files of the inputs' packages that were not asked for: analysed for context only.
    pub context: Vec<PathBuf>,
}

/// Groups input files (path, has a location: on disk, or stdin's text for a named file) by
/// package and finds the context files of each package.
///
/// Packages are looked up from each file's key (absolute, symlinks resolved), never from its
/// spelling: `src/lib.rs` named from the package root has the parent `src` and the grandparent
/// `` (no directory at all), and a file named through a symlink belongs where it really is.
pub fn plan(inputs: &[(PathBuf, bool)], respect_gitignore: bool) -> Plan {
    use rayon::prelude::*;
    let mut index: HashMap<Option<PathBuf>, usize> = HashMap::new();
    let input_keys: Vec<PathBuf> = inputs
        .par_iter()
        .map(|(path, located)| {
            if *located {
                path_key(path)
            } else {
                path.clone()
            }
        })
        .collect();
    // The package root of every input directory, and each package's manifest and target
    // roots, looked up in parallel before files are grouped in input order.
    let mut dirs: Vec<PathBuf> = inputs
        .iter()
        .zip(&input_keys)
        .filter(|((_, located), _)| *located)
        .map(|(_, key)| key.parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let dir_roots: Vec<Option<PathBuf>> = dirs
        .par_iter()
        .map(|dir| crate::discover::package_root(dir))
        .collect();
    let mut package_roots: Vec<PathBuf> = dir_roots.iter().flatten().cloned().collect();
    package_roots.sort_unstable();
    package_roots.dedup();
    let loaded: HashMap<PathBuf, Loaded> = package_roots
        .into_par_iter()
        .map(|root| {
            let loaded = load_package(&root);
            (root, loaded)
        })
        .collect();
    let mut dir_cache: HashMap<PathBuf, Option<PathBuf>> =
        dirs.into_iter().zip(dir_roots).collect();
    let mut plan = Plan {
        packages: Vec::new(),
        package_of: Vec::new(),
        modules: Vec::new(),
        lower_modules: Vec::new(),
        context: Vec::new(),
    };
    let mut known: HashMap<PathBuf, ()> = HashMap::new();
    let mut roots_of: Vec<Vec<PathBuf>> = Vec::new();
    let mut add = |path: &Path, key: &Path, on_disk: bool, plan: &mut Plan| {
        let located = if on_disk { key } else { path };
        let dir = located.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = if on_disk {
            dir_cache
                .entry(dir.clone())
                .or_insert_with(|| crate::discover::package_root(&dir))
                .clone()
        } else {
            None
        };
        let package = *index.entry(root.clone()).or_insert_with(|| {
            let Loaded {
                manifest,
                targets,
                target_keys,
            } = match root.as_deref() {
                Some(r) => loaded.get(r).cloned().unwrap_or_else(|| load_package(r)),
                None => Loaded::default(),
            };
            roots_of.push(target_keys);
            plan.packages.push(crate::model::Package {
                name: manifest.name.clone(),
                lib_name: manifest.lib_name.clone(),
                root: root.clone().unwrap_or(dir),
                on_disk: root.is_some(),
                uses_tokio: manifest.depends_on("tokio"),
                cdylib: manifest.cdylib,
                maturin: manifest.maturin,
                files: Vec::new(),
                roots: Vec::new(),
                dependencies: manifest
                    .dependencies
                    .iter()
                    .map(|d| d.replace('-', "_"))
                    .collect(),
                lib_dependencies: manifest
                    .lib_dependencies
                    .iter()
                    .map(|d| d.replace('-', "_"))
                    .collect(),
                targets,
            });
            plan.packages.len() - 1
        });
        let file_id = crate::base::source::FileId::from_index(plan.package_of.len());
        plan.packages[package].files.push(file_id);
        plan.package_of.push(package);
        // A target root is its crate's root module whatever its location.
        let is_root = on_disk && roots_of[package].iter().any(|r| r == key);
        let module = if is_root {
            "crate".to_string()
        } else {
            crate::discover::module_path(root.as_deref(), located)
        };
        let first = if on_disk && !is_root {
            first_guess(&module, located, root.as_deref(), &roots_of[package])
        } else {
            None
        };
        plan.lower_modules
            .push(first.unwrap_or_else(|| module.clone()));
        plan.modules.push(module);
        package
    };
    for ((path, on_disk), key) in inputs.iter().zip(&input_keys) {
        if *on_disk {
            known.insert(key.clone(), ());
        }
        add(path, key, *on_disk, &mut plan);
    }
    // Context: the other files of each package on disk, so calls resolve across modules even
    // when only some files are checked (pre-commit passes file names), and the packages of
    // path dependencies (workspace members), transitively.
    let mut roots: Vec<PathBuf> = plan
        .packages
        .iter()
        .filter(|p| p.on_disk)
        .map(|p| p.root.clone())
        .collect();
    let mut seen_roots: HashMap<PathBuf, ()> = roots.iter().map(|r| (path_key(r), ())).collect();
    let mut next = 0;
    while next < roots.len() {
        let root = roots[next].clone();
        next += 1;
        for dep in read_manifest(&root)
            .map(|m| m.path_dependencies)
            .unwrap_or_default()
        {
            if dep.join("Cargo.toml").is_file() && seen_roots.insert(path_key(&dep), ()).is_none() {
                roots.push(dep);
            }
        }
    }
    // Walk the roots in parallel (each is independent), then add what they found in root order.
    let extras: Vec<Vec<PathBuf>> = roots
        .par_iter()
        .map(|root| {
            let mut extra = Vec::new();
            let mut package_roots: HashMap<PathBuf, bool> = HashMap::new();
            let walker = crate::discover::walker(root, respect_gitignore).build();
            for entry in walker.flatten() {
                let path = entry.path();
                if !entry.file_type().is_some_and(|t| t.is_file())
                    || path.extension().is_none_or(|e| e != "rs")
                    || known.contains_key(&path_key(path))
                {
                    continue;
                }
                let dir = path.parent().unwrap_or(Path::new(""));
                let in_package = *package_roots.entry(dir.to_path_buf()).or_insert_with(|| {
                    crate::discover::package_root(dir).as_deref() == Some(root.as_path())
                });
                if in_package {
                    extra.push(path.to_path_buf());
                }
            }
            extra
        })
        .collect();
    for extra in extras {
        for path in extra {
            let key = path_key(&path);
            if known.insert(key.clone(), ()).is_some() {
                continue;
            }
            add(&path, &key, true, &mut plan);
            plan.context.push(path);
        }
    }
    plan
}

/// Assigns every file of the model to a crate and its true module path, from the packages'
/// module trees. Returns the files lowered with a wrong module path (to lower again).
pub fn assign(
    model: &mut crate::model::Model,
    paths: &[PathBuf],
    located: &[String],
) -> Vec<(crate::base::source::FileId, String)> {
    use crate::model::Crate;
    use rayon::prelude::*;
    let keys: Vec<PathBuf> = paths.par_iter().map(|p| path_key(p)).collect();
    let by_key: HashMap<&Path, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_path(), i))
        .collect();
    let mut crate_of: Vec<Option<usize>> = vec![None; paths.len()];
    let mut module_of: Vec<Option<String>> = vec![None; paths.len()];
    let mut in_lib = vec![false; paths.len()];
    let mut gates_of: Vec<Option<Gates>> = vec![None; paths.len()];
    let mut crates: Vec<Crate> = Vec::new();
    // Each package's module trees (manifest, target roots, `mod` declarations) in parallel;
    // then crates are numbered in package order.
    let files = &model.files;
    let trees: Vec<Vec<CrateTree>> = model
        .packages
        .par_iter()
        .map(|package| {
            if !package.on_disk {
                return Vec::new();
            }
            let Some(roots) = &package.targets else {
                return Vec::new();
            };
            let decls = |path: &Path| -> Option<FileDecls> {
                let id = *by_key.get(path)?;
                let file = files.get(id)?.as_ref()?;
                Some((file.module.clone(), file.mod_decls.clone()))
            };
            let known = |path: &Path| by_key.contains_key(path);
            module_trees(roots, &decls, &known)
        })
        .collect();
    for (package_index, package_trees) in trees.into_iter().enumerate() {
        for tree in package_trees {
            let Some(&root_id) = by_key.get(tree.root.as_path()) else {
                continue;
            };
            let crate_index = crates.len();
            crates.push(Crate {
                package: package_index,
                kind: tree.kind,
                root_file: crate::base::source::FileId::from_index(root_id),
            });
            for TreeModule { key, module, gates } in tree.modules {
                let Some(&id) = by_key.get(key.as_path()) else {
                    continue;
                };
                if tree.kind == TargetKind::Lib {
                    in_lib[id] = true;
                }
                gates_of[id] = Some(gates_of[id].map_or(gates, |g| g.meet(gates)));
                if crate_of[id].is_none() {
                    crate_of[id] = Some(crate_index);
                    module_of[id] = Some(module);
                }
            }
        }
    }
    // Files no tree reaches are their own crate roots.
    let mut relower = Vec::new();
    let mut final_crate_of = Vec::with_capacity(paths.len());
    for id in 0..paths.len() {
        let krate = match crate_of[id] {
            Some(k) => k,
            None => {
                crates.push(Crate {
                    package: model.package_of.get(id).copied().unwrap_or(0),
                    kind: TargetKind::Loose,
                    root_file: crate::base::source::FileId::from_index(id),
                });
                crates.len() - 1
            }
        };
        final_crate_of.push(krate);
        let wanted = module_of[id].clone().unwrap_or_else(|| {
            if crates[krate].kind == TargetKind::Loose {
                // Keep the location-based module of a loose file inside a package's src/
                // (a module whose parent failed to parse); plain `crate` otherwise.
                located
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "crate".to_string())
            } else {
                "crate".to_string()
            }
        });
        if let Some(Some(file)) = model.files.get(id) {
            if file.module != wanted {
                relower.push((crate::base::source::FileId::from_index(id), wanted));
            }
        }
    }
    for (index, krate) in crates.iter().enumerate() {
        if let Some(package) = model.packages.get_mut(krate.package) {
            package.roots.push(index);
        }
    }
    // A file's own `#![cfg(test)]` or `#![cfg(windows)]` gates it wherever it is.
    let (test_gated, windows_gated) = gates_of
        .iter()
        .enumerate()
        .map(|(id, gates)| {
            let gates = gates.unwrap_or_default();
            let file = model.files.get(id).and_then(Option::as_ref);
            (
                gates.test || file.is_some_and(|f| f.test_only),
                gates.windows || file.is_some_and(|f| f.windows_only),
            )
        })
        .unzip();
    model.crates = crates;
    model.crate_of = final_crate_of;
    model.in_lib = in_lib;
    model.test_gated = test_gated;
    model.windows_gated = windows_gated;
    relower
}
