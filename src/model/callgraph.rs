//! Call resolution across a crate: which crate-local function a call reaches, if any.
//!
//! Paths were canonicalized per file during lowering (`crate::net::serve`, `Self::f` ->
//! `crate::net::Server::f`); here they are looked up in the crate's function index, following
//! `pub use` re-exports and glob imports of other modules, and paths through the package's lib
//! crate name from its bins, tests and examples (`my_crate::net::serve`). Method calls resolve
//! when the receiver's type is a crate-local type (`self.f()`, a typed local, a constructor of a
//! local type). Anything else stays unknown: never guessed.

use rustc_hash::FxHashMap as HashMap;

use super::{FnRef, Model};
use crate::base::source::FileId;
use crate::ir::{Call, Callee, FileModel, ModuleScope};

/// Where each module's import list lives: (crate, module path) -> (file, index in `modules`).
pub type ModuleIndex = HashMap<usize, HashMap<String, (FileId, usize)>>;

pub fn module_index(model: &Model) -> ModuleIndex {
    let mut index: ModuleIndex = HashMap::default();
    for (id, file) in model.files.iter().enumerate() {
        let Some(file) = file else { continue };
        let krate = model.crate_of.get(id).copied().unwrap_or(0);
        for (i, module) in file.modules.iter().enumerate() {
            index
                .entry(krate)
                .or_default()
                .entry(module.path.clone())
                .or_insert((FileId::from_index(id), i));
        }
    }
    index
}

/// Package -> its lib crate.
pub fn lib_crates(model: &Model) -> HashMap<usize, usize> {
    let mut lib_crates = HashMap::default();
    for (index, krate) in model.crates.iter().enumerate() {
        if krate.kind == super::TargetKind::Lib {
            lib_crates.entry(krate.package).or_insert(index);
        }
    }
    lib_crates
}

impl Model {
    fn module(&self, krate: usize, path: &str) -> Option<&ModuleScope> {
        let (file, index) = self.modules.get(&krate)?.get(path)?;
        self.file(*file)?.modules.get(*index)
    }

    /// The crate-local function `path` names in `krate`, following re-exports.
    pub fn lookup_function(&self, krate: usize, path: &str) -> Option<FnRef> {
        self.through_reexports(krate, path, 0, &|p| {
            self.functions.get(&krate).and_then(|m| m.get(p)).copied()
        })
    }

    /// What `get` finds at `path` in crate `krate`, or at the path a module's `use` re-exports
    /// it from (`crate::Shared` when `lib.rs` has `pub use types::Shared;`), following globs
    /// too, up to a few hops.
    pub(crate) fn through_reexports<T>(
        &self,
        krate: usize,
        path: &str,
        depth: usize,
        get: &dyn Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if depth > 6 {
            return None;
        }
        if let Some(found) = get(path) {
            return Some(found);
        }
        if !path.starts_with("crate") {
            return None;
        }
        // `crate::a::b::f`: find the longest module prefix that is a module, then follow what it
        // imports as the next segment (`pub use` re-exports, globs).
        let mut cut = path.len();
        while let Some(pos) = path[..cut].rfind("::") {
            cut = pos;
            let module = &path[..pos];
            let Some(scope) = self.module(krate, module) else {
                continue;
            };
            let after = &path[pos + 2..];
            let (name, rest) = match after.split_once("::") {
                Some((name, rest)) => (name, Some(rest)),
                None => (after, None),
            };
            let with_rest = |head: &str| match rest {
                Some(rest) => format!("{head}::{rest}"),
                None => head.to_string(),
            };
            if let Some((_, target)) = scope.imports.iter().find(|(n, _)| n == name) {
                let next = with_rest(target);
                if next != path {
                    return self.through_reexports(krate, &next, depth + 1, get);
                }
            }
            for glob in &scope.globs {
                let next = with_rest(&format!("{glob}::{name}"));
                if next != path {
                    if let Some(found) = self.through_reexports(krate, &next, depth + 1, get) {
                        return Some(found);
                    }
                }
            }
            break;
        }
        None
    }

    /// The crate-local function a call in `file` reaches.
    pub fn resolve_call(&self, file: &FileModel, call: &Call) -> Option<FnRef> {
        self.resolve_callee(file, &call.callee)
    }

    /// The crate-local function a callee written in `file` reaches.
    pub fn resolve_callee(&self, file: &FileModel, callee: &Callee) -> Option<FnRef> {
        let krate = self.crate_of.get(file.file.index()).copied().unwrap_or(0);
        match callee {
            Callee::Path(path) => self.resolve_path(krate, path),
            Callee::Method { name, receiver } => {
                let origin = receiver.origin.as_ref()?;
                if !origin.methods.is_empty() {
                    return None;
                }
                let ty = if origin.ctor {
                    let (ty, _) = origin.base.rsplit_once("::")?;
                    let last = ty.rsplit("::").next()?;
                    if !last.starts_with(|c: char| c.is_ascii_uppercase()) {
                        return None;
                    }
                    ty.to_string()
                } else {
                    origin.base.clone()
                };
                self.resolve_path(krate, &format!("{ty}::{name}"))
            }
            Callee::Unknown(_) => None,
        }
    }

    fn resolve_path(&self, krate: usize, path: &str) -> Option<FnRef> {
        if path.starts_with("crate::") {
            return self.lookup_function(krate, path);
        }
        let (target, path) = self.in_lib_of_run(krate, path)?;
        self.lookup_function(target, &path)
    }

    /// For `my_crate::x::f` written in crate `krate`: the lib crate of the run it names (the
    /// package's own lib from a bin, test or example, or a dependency checked in the same
    /// run) and the path inside it (`crate::x::f`).
    pub(crate) fn in_lib_of_run(&self, krate: usize, path: &str) -> Option<(usize, String)> {
        let (first, rest) = path.split_once("::")?;
        let package = self.packages.get(self.crates.get(krate)?.package)?;
        let target = if package.lib_name.as_deref() == Some(first) {
            *self.lib_crates.get(&self.crates.get(krate)?.package)?
        } else if package.dependencies.iter().any(|d| d == first) {
            // A workspace member or path dependency checked in the same run.
            *self.libs_by_name.get(first)?
        } else {
            return None;
        };
        (target != krate).then(|| (target, format!("crate::{rest}")))
    }
}
