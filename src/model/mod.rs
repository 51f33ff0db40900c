//! The fact model: what forklint knows about the checked code, without syntax trees.
//!
//! `syntax::lower` turns one parsed file into an [`crate::ir::FileModel`]. The [`Model`] holds
//! every file's facts, the packages and crates they belong to, and an
//! index of crate-local functions, so rules can follow calls across files (`callgraph`) and ask
//! what a function does (`summary`). Nothing here does I/O.

pub mod callgraph;
pub mod roles;
pub mod summary;

use crate::ir;

use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;

use crate::base::source::FileId;

/// What kind of target a crate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Lib,
    Bin,
    Example,
    Test,
    Bench,
    Build,
    /// A file no module tree reaches.
    Loose,
}

/// A Cargo package (or the lone files outside any package).
#[derive(Clone, Debug, Default)]
pub struct Package {
    /// Package name from Cargo.toml, if any.
    pub name: Option<String>,
    /// The lib crate's name as code spells it (`my_crate`).
    pub lib_name: Option<String>,
    /// Directory holding the Cargo.toml (or the file's directory for a lone file).
    pub root: std::path::PathBuf,
    /// Whether this is a real package on disk (not in-memory sources).
    pub on_disk: bool,
    /// Whether the package depends on tokio (enables tokio-specific fixes).
    pub uses_tokio: bool,
    /// The manifest's `[lib] crate-type` lists `cdylib` (see `analysis::extension`).
    pub cdylib: bool,
    /// A maturin `pyproject.toml` is beside the manifest: a Python extension module.
    pub maturin: bool,
    pub files: Vec<FileId>,
    /// Indices into `Model::crates`.
    pub roots: Vec<usize>,
    /// Dependencies as code names them (`my_dep`), for calls into other packages of the run.
    pub dependencies: Vec<String>,
    /// The normal dependencies among them: all that the package's lib crate can call.
    pub lib_dependencies: Vec<String>,
    /// Target roots (kind, path) from the manifest and Cargo's auto-discovery, read once when
    /// the run is planned; `None` when there is no readable manifest (no module trees then).
    pub targets: Option<Vec<(TargetKind, std::path::PathBuf)>>,
}

/// One crate: a target root and the files its module tree reaches.
#[derive(Clone, Debug)]
pub struct Crate {
    pub package: usize,
    pub kind: TargetKind,
    pub root_file: FileId,
}

/// `[extension] host-forks`: which crates are loaded by a host process that may fork.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HostForks {
    /// Extension crates only (recognised from the manifest or a `#[pymodule]`).
    #[default]
    Auto,
    /// Every lib crate.
    Always,
    /// None: FL008-FL010 never fire.
    Never,
}

/// Where a crate-local function lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnRef {
    pub file: FileId,
    pub body: ir::BodyId,
}

/// All facts of a run.
#[derive(Debug, Default)]
pub struct Model {
    /// Indexed by `FileId`; `None` for files that could not be parsed.
    /// Shared (`Arc`) so that a long-lived caller can keep a file's facts across runs uncopied.
    pub files: Vec<Option<std::sync::Arc<ir::FileModel>>>,
    pub packages: Vec<Package>,
    /// `FileId` -> index into `packages`.
    pub package_of: Vec<usize>,
    pub crates: Vec<Crate>,
    /// `FileId` -> index into `crates`.
    pub crate_of: Vec<usize>,
    /// `FileId` -> whether the file is in its package's lib crate (what other packages call).
    pub in_lib: Vec<bool>,
    /// `FileId` -> whether the file is compiled only under `cfg(test)`: its own `#![cfg(test)]`,
    /// or a `#[cfg(test)]` on its `mod` line or one above it (`driver::layout::assign`).
    pub test_gated: Vec<bool>,
    /// `FileId` -> whether the file is compiled only for Windows, likewise. Such a file's
    /// facts are emptied after the module trees (the driver): no rule analyses it and no
    /// summary sees its functions.
    pub windows_gated: Vec<bool>,
    /// `FileId` -> whether findings in it are reported (context files are not).
    pub reported: Vec<bool>,
    /// (crate, canonical path) -> function body.
    pub functions: HashMap<usize, HashMap<String, FnRef>>,
    /// (crate, canonical path) -> declared type of a static, for receivers that name a static
    /// of another file (`crate::FORK_MTX.lock()`).
    pub static_types: HashMap<(usize, String), ir::Origin>,
    /// (crate, alias path) -> the aliased type, for the aliases of other crates' types
    /// (`FileModel::type_aliases`): what receivers typed with them in other files are.
    pub type_aliases: HashMap<(usize, String), ir::Origin>,
    /// Per-function summaries, filled by `summary::compute`.
    pub summaries: HashMap<FnRef, summary::Summary>,
    /// Sync functions reached from async or green code, with the call chain from there.
    pub reached_from_async: HashMap<FnRef, summary::Witness>,
    /// (crate, module path) -> where its imports are recorded.
    pub modules: callgraph::ModuleIndex,
    /// Package -> its lib crate.
    pub lib_crates: HashMap<usize, usize>,
    /// Lib crate name -> its crate, for packages of this run (workspace members, path deps).
    pub libs_by_name: HashMap<String, usize>,
    /// Which lib crates FL008-FL010 treat as extension crates (`[extension] host-forks`).
    pub host_forks: HostForks,
    /// Crates with a file that declares an extension module (`#[pymodule]`), by crate index.
    pub module_crates: HashSet<usize>,
    /// The last segments of `type_aliases`' paths (a path ending otherwise is no alias under
    /// any re-export).
    pub alias_names: HashSet<String>,
    /// Lib names that several packages of the whole run provide, when this model holds only part
    /// of the run (the cache analyses missed groups alone): never resolved, as in the whole run.
    pub ambiguous_libs: Vec<String>,
}

impl Model {
    pub fn file(&self, id: FileId) -> Option<&ir::FileModel> {
        self.files.get(id.index())?.as_deref()
    }

    pub fn body(&self, f: FnRef) -> Option<&ir::Body> {
        self.file(f.file)?.bodies.get(f.body)
    }

    /// Gives method receivers that are the result of a crate-local function declared (in
    /// another file, or as an associated function or method) to return a std or dependency type
    /// that type, as the lowering does within one file: `crate::spawn::opts().open(p)` and
    /// `Launcher::opts().open(p)` are `std::fs` calls once `fn opts() -> std::fs::OpenOptions` is
    /// known. A receiver typed by a crate-local constructor (`ctor` origin `crate::..::f`) or by a
    /// method of a crate-local type (`crate::T` then `opts`) is looked up in the function index
    /// of its crate; builder methods of the new type are dropped from the chain, as lowering
    /// drops them. Returns how many receivers were filled.
    ///
    /// The same walk gives a method called on a static declared in another file of the crate
    /// (`crate::state::STATE.lock()`) the static's declared type, which lowering cannot know.
    pub fn fill_receivers(&mut self, vocab: &crate::vocab::Vocab) -> usize {
        use rayon::prelude::*;
        let this: &Model = self;
        let foreign = ir::Origin::is_foreign;
        // The functions with a declared return type, by crate and path, and their names: a
        // receiver whose next step names none of them is left at once (most are), and the
        // re-export walk of `lookup_function` runs only for a name that may be one.
        let with_returns: Vec<(usize, &str, FnRef)> = self
            .files
            .par_iter()
            .enumerate()
            .flat_map_iter(|(id, slot)| {
                let krate = self.crate_of.get(id).copied().unwrap_or(0);
                slot.iter().flat_map(move |file| {
                    file.items().filter_map(move |(body_id, body)| {
                        body.returns.as_ref()?;
                        let f = FnRef {
                            file: FileId::from_index(id),
                            body: body_id,
                        };
                        Some((krate, body.path.as_deref()?, f))
                    })
                })
            })
            .collect();
        let mut returning: HashMap<(usize, &str), FnRef> = HashMap::default();
        let mut names: rustc_hash::FxHashSet<&str> = Default::default();
        for (krate, path, f) in with_returns {
            // The index's choice among same-path functions (the first file) wins.
            if self.functions.get(&krate).and_then(|m| m.get(path)) == Some(&f) {
                returning.insert((krate, path), f);
                names.insert(path.rsplit("::").next().unwrap_or(path));
            }
        }

        let lookup = |krate: usize, path: &str, last: &str| -> Option<FnRef> {
            if let Some(f) = returning.get(&(krate, path)) {
                return Some(*f);
            }
            names
                .contains(last)
                .then(|| this.lookup_function(krate, path))
                .flatten()
        };
        // Follows crate-local constructors and methods (`Logs::new()` is a `Logs`, whose
        // `options_for()` is an `OpenOptions`) until a foreign type or an unknown step; only a
        // foreign end retypes the receiver (a crate-local one is what the summaries resolve).
        let retyped = |krate: usize, origin: &ir::Origin| -> Option<ir::Origin> {
            if !origin.base.starts_with("crate") || foreign(origin) {
                return None;
            }
            // The first step must name a function with a declared return type.
            let first = if origin.ctor {
                origin.base.rsplit("::").next().unwrap_or(&origin.base)
            } else {
                origin.methods.first()?.as_str()
            };
            if !names.contains(first) {
                return None;
            }
            let mut current = origin.clone();
            for _ in 0..4 {
                if foreign(&current) || !current.base.starts_with("crate") {
                    break;
                }
                let (target, rest) = if current.ctor {
                    let last = current.base.rsplit("::").next().unwrap_or(&current.base);
                    let target = lookup(krate, &current.base, last)?;
                    (target, current.methods.clone())
                } else {
                    let (first, rest) = current.methods.split_first()?;
                    if !names.contains(first.as_str()) {
                        return None;
                    }
                    let path = format!("{}::{first}", current.base);
                    (lookup(krate, &path, first)?, rest.to_vec())
                };
                let returns = this.file(target.file)?.body(target.body).returns.as_ref()?;
                let mut next = returns.clone();
                for m in rest {
                    let builder = vocab
                        .method(crate::vocab::Category::Builder, &m, Some(&next))
                        .is_some();
                    if !builder && next.methods.len() < vocab.origin_methods_kept() {
                        next.methods.push(m);
                    }
                }
                current = next;
            }
            foreign(&current).then_some(current)
        };
        // A receiver typed with an alias of another crate's type (`crate::db::Pool`), declared
        // in another file of its crate, has the aliased type.
        let aliases = &self.type_aliases;
        let aliased = |krate: usize, origin: &ir::Origin| -> Option<ir::Origin> {
            if origin.ctor {
                return None;
            }
            let mut next = this.alias_in(krate, &origin.base)?.clone();
            for m in &origin.methods {
                let builder = vocab
                    .method(crate::vocab::Category::Builder, m, Some(&next))
                    .is_some();
                if !builder && next.methods.len() < vocab.origin_methods_kept() {
                    next.methods.push(m.clone());
                }
            }
            Some(next)
        };
        let static_types = &self.static_types;
        let wanted = |krate: usize, callee: &ir::Callee| match callee {
            ir::Callee::Method { receiver, .. }
                if receiver.origin.is_none() && receiver.field.is_none() =>
            {
                let path = receiver.path.as_ref()?;
                static_types.get(&(krate, path.clone())).cloned()
            }
            // A field of a struct of another file (`state.db.lock()`): its declared type.
            ir::Callee::Method { receiver, name, .. }
                if receiver.origin.is_none() && vocab.knows_method_name(name) =>
            {
                this.alias_in(krate, receiver.field_of.as_deref()?).cloned()
            }
            // Only a method the vocabulary knows can be judged by its receiver's type.
            ir::Callee::Method { receiver, name, .. }
                if (!returning.is_empty() || !aliases.is_empty())
                    && vocab.knows_method_name(name) =>
            {
                let origin = receiver.origin.as_ref()?;
                aliased(krate, origin).or_else(|| retyped(krate, origin))
            }
            ir::Callee::Method { .. } | ir::Callee::Path(_) | ir::Callee::Unknown(_) => None,
        };
        let updates: Vec<(usize, HashMap<ir::NodeId, ir::Origin>)> = self
            .files
            .par_iter()
            .enumerate()
            .filter_map(|(id, slot)| {
                let file = slot.as_ref()?;
                let krate = self.crate_of.get(id).copied().unwrap_or(0);
                let mut found = HashMap::default();
                for body in file.bodies.values() {
                    ir::visit::walk(&body.block.nodes, &mut |node| {
                        if let ir::Node::Call(call) = node {
                            if let Some(origin) = wanted(krate, &call.callee) {
                                found.insert(call.id, origin);
                            }
                        }
                        true
                    });
                }
                (!found.is_empty()).then_some((id, found))
            })
            .collect();
        let mut filled = 0;
        for (id, mut found) in updates {
            let Some(Some(file)) = self.files.get_mut(id) else {
                continue;
            };
            let file = std::sync::Arc::make_mut(file);
            for body in file.bodies.values_mut() {
                ir::visit::walk_mut(&mut body.block.nodes, &mut |node| {
                    let ir::Node::Call(call) = node else { return };
                    if let Some(origin) = found.remove(&call.id) {
                        if let ir::Callee::Method { receiver, .. } = &mut call.callee {
                            receiver.origin = Some(origin);
                            filled += 1;
                        }
                    }
                });
            }
        }
        filled
    }

    /// Builds the function index from the files' item bodies, and the static-type index.
    pub fn index_functions(&mut self) {
        let mut functions: HashMap<usize, HashMap<String, FnRef>> = HashMap::default();
        let mut static_types = HashMap::default();
        let mut type_aliases = HashMap::default();
        let mut module_crates = HashSet::default();
        for (id, file) in self.files.iter().enumerate() {
            let Some(file) = file else { continue };
            let krate = self.crate_of.get(id).copied().unwrap_or(0);
            if file.extension_module {
                if let Some(k) = self.crate_of.get(id) {
                    module_crates.insert(*k);
                }
            }
            for (path, origin) in &file.type_aliases {
                type_aliases
                    .entry((krate, path.clone()))
                    .or_insert_with(|| origin.clone());
            }
            for item in &file.statics {
                if let Some(ty) = &item.ty {
                    static_types
                        .entry((krate, item.path.clone()))
                        .or_insert_with(|| ty.clone());
                }
            }
            for (body_id, body) in file.items() {
                if let Some(path) = &body.path {
                    functions
                        .entry(krate)
                        .or_default()
                        .entry(path.clone())
                        .or_insert(FnRef {
                            file: FileId::from_index(id),
                            body: body_id,
                        });
                }
            }
        }
        self.functions = functions;
        self.module_crates = module_crates;
        self.static_types = static_types;
        self.alias_names = type_aliases
            .keys()
            .filter_map(|(_, p): &(usize, String)| Some(p.rsplit("::").next()?.to_string()))
            .collect();
        self.type_aliases = type_aliases;
        self.modules = callgraph::module_index(self);
        self.lib_crates = callgraph::lib_crates(self);
        let mut by_name: HashMap<String, Option<usize>> = HashMap::default();
        for (package, krate) in &self.lib_crates {
            if let Some(name) = self.packages.get(*package).and_then(|p| p.lib_name.clone()) {
                by_name
                    .entry(name)
                    .and_modify(|e| *e = None)
                    .or_insert(Some(*krate));
            }
        }
        self.libs_by_name = by_name
            .into_iter()
            .filter(|(name, _)| !self.ambiguous_libs.contains(name))
            .filter_map(|(name, krate)| Some((name, krate?)))
            .collect();
    }

    /// The declared type of the static `path` of the crate `file` belongs to (a static declared in
    /// another file: `crate::FORK_MTX`, declared in the crate root).
    pub fn static_type(&self, file: FileId, path: &str) -> Option<&ir::Origin> {
        let krate = self.crate_of.get(file.index()).copied().unwrap_or(0);
        self.static_types.get(&(krate, path.to_string()))
    }

    /// The aliased type of the alias `path` of another crate's type, declared in the crate `file`
    /// belongs to (`crate::types::Shared`, declared in `types.rs`).
    pub fn type_alias(&self, file: FileId, path: &str) -> Option<&ir::Origin> {
        let krate = self.crate_of.get(file.index()).copied().unwrap_or(0);
        self.alias_in(krate, path)
    }

    /// The aliased type of `path` in crate `krate`, also through re-exports (`crate::Shared`
    /// with `pub use types::Shared;` in `lib.rs`).
    fn alias_in(&self, krate: usize, path: &str) -> Option<&ir::Origin> {
        if !path.starts_with("crate::") {
            // An alias of a lib of the run (`common::Shared` from the server crate, with
            // `pub type Shared = Arc<Mutex<State>>;` in the `common` workspace member).
            let (target, inner) = self.in_lib_of_run(krate, path)?;
            return self.alias_at(target, &inner, 0);
        }
        self.alias_at(krate, path, 0)
    }

    /// [`Self::alias_in`], and for a field of a field (`crate::state::AppState::inner::db`,
    /// both structs of other files) the field's declared type on the type of the field before
    /// it (`inner: Inner` then `Inner::db`), up to four fields deep.
    fn alias_at(&self, krate: usize, path: &str, depth: u32) -> Option<&ir::Origin> {
        if let Some(origin) = self.type_aliases.get(&(krate, path.to_string())) {
            return Some(origin);
        }
        // Only a name some alias (or field) has can be one under another path.
        let (prefix, last) = path.rsplit_once("::")?;
        if !self.alias_names.contains(last) {
            return None;
        }
        if let Some(origin) = self.through_reexports(krate, path, 0, &|p| {
            self.type_aliases.get(&(krate, p.to_string()))
        }) {
            return Some(origin);
        }
        if depth >= 4 {
            return None;
        }
        let outer = self.alias_at(krate, prefix, depth + 1)?;
        if outer.ctor || !outer.methods.is_empty() {
            return None;
        }
        self.type_aliases
            .get(&(krate, format!("{}::{last}", outer.base)))
    }

    /// The summary of the crate-local function a call reaches, if any.
    pub fn callee_summary(
        &self,
        file: &ir::FileModel,
        call: &ir::Call,
    ) -> Option<(FnRef, &summary::Summary)> {
        let target = self.resolve_call(file, call)?;
        Some((target, self.summaries.get(&target)?))
    }
}
