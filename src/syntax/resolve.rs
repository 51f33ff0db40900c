//! Name resolution inside one file: `use` trees, aliases, local items, `crate`/`self`/`super`,
//! the prelude, and glob imports of known APIs.
//!
//! Paths become canonical strings: `use std::thread::sleep as nap;` makes `nap` resolve to
//! `std::thread::sleep`; `core::`/`alloc::` are folded into `std::`. A name nothing defines stays
//! as written, which matches no vocabulary entry: unresolved means unknown, never guessed.

use rustc_hash::FxHashMap as HashMap;

use crate::vocab::Vocab;

/// Names visible in one module or block.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// `use` bindings: local name -> canonical path.
    pub imports: HashMap<String, String>,
    /// Prefixes of glob imports (`std::thread` for `use std::thread::*`).
    pub globs: Vec<String>,
    /// Items defined here: name -> canonical path.
    pub items: HashMap<String, String>,
}

/// Folds `core::x` and `alloc::x` into `std::x`, and re-exported crates into the crate itself
/// (`nix::libc::_exit` is `libc::_exit`: nix has `pub use libc;`); strips a leading `::`.
pub fn normalize(path: &str) -> String {
    let path = path.strip_prefix("::").unwrap_or(path);
    for prefix in ["core::", "alloc::"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return format!("std::{rest}");
        }
    }
    if let Some(rest) = path.strip_prefix("nix::libc::") {
        return format!("libc::{rest}");
    }
    path.to_string()
}

/// The resolution context while lowering: a stack of scopes plus the current module and impl.
#[derive(Debug)]
pub struct Resolver {
    scopes: Vec<Scope>,
    /// Canonical path of the current module (`crate`, `crate::net`).
    pub module: String,
    /// Canonical path of the current impl's self type.
    pub self_ty: Option<String>,
    /// Crates imported with `#[macro_use] extern crate x;`: their macros resolve by bare name.
    pub macro_use: Vec<String>,
}

impl Resolver {
    pub fn new(module: String) -> Resolver {
        Resolver {
            scopes: vec![Scope::default()],
            module,
            self_ty: None,
            macro_use: Vec::new(),
        }
    }

    pub fn push(&mut self, scope: Scope) {
        self.scopes.push(scope);
    }

    pub fn pop(&mut self) -> Option<Scope> {
        if self.scopes.len() > 1 {
            self.scopes.pop()
        } else {
            None
        }
    }

    fn lookup(&self, name: &str) -> Option<&String> {
        for scope in self.scopes.iter().rev() {
            if let Some(path) = scope.imports.get(name) {
                return Some(path);
            }
            if let Some(path) = scope.items.get(name) {
                return Some(path);
            }
        }
        None
    }

    fn parent_module(module: &str) -> String {
        match module.rsplit_once("::") {
            Some((parent, _)) => parent.to_string(),
            None => module.to_string(),
        }
    }

    /// Canonical path for `segments` (`leading_colon` for `::x::y`).
    pub fn resolve(&self, segments: &[&str], leading_colon: bool, vocab: &Vocab) -> String {
        let Some((first, rest)) = segments.split_first() else {
            return String::new();
        };
        let join = |head: &str, rest: &[&str]| {
            let mut out = String::with_capacity(head.len() + rest.len() * 12);
            out.push_str(head);
            for seg in rest {
                out.push_str("::");
                out.push_str(seg);
            }
            out
        };
        if leading_colon {
            return normalize(&join(first, rest));
        }
        match *first {
            "crate" => return join("crate", rest),
            "self" => return join(&self.module, rest),
            "Self" => {
                if let Some(ty) = &self.self_ty {
                    return join(ty, rest);
                }
                return join("Self", rest);
            }
            "super" => {
                let mut module = Self::parent_module(&self.module);
                let mut rest = rest;
                while let Some((&"super", tail)) = rest.split_first() {
                    module = Self::parent_module(&module);
                    rest = tail;
                }
                return join(&module, rest);
            }
            _ => {}
        }
        if let Some(path) = self.lookup(first) {
            let resolved = normalize(&join(path, rest));
            // `use fork::{fork, setsid};` then `fork::setsid`: an imported fn is no path prefix,
            // so a known extern path as written wins over an unknown one through the import.
            if !rest.is_empty() && vocab.is_crate_root(first) && !vocab.knows(&resolved) {
                let written = normalize(&join(first, rest));
                if vocab.knows(&written) {
                    return written;
                }
            }
            return resolved;
        }
        // Glob imports: a known API first, then the prelude, then a crate-local glob (most often
        // `use super::*;` in a test module), which only ever resolves to crate-local functions.
        for scope in self.scopes.iter().rev() {
            for glob in &scope.globs {
                let candidate = join(&join(glob, &[first]), rest);
                if vocab.knows(&candidate) {
                    return candidate;
                }
            }
        }
        if let Some(path) = vocab.tables().prelude(first) {
            return join(path, rest);
        }
        // A path rooted at a known extern crate (`libc::_exit`, `std::time::Duration`) names that
        // crate's item: a crate-local glob (`use super::*;`) does not capture it.
        if !rest.is_empty() && vocab.is_crate_root(first) {
            return normalize(&join(first, rest));
        }
        for scope in self.scopes.iter().rev() {
            if let Some(glob) = scope.globs.iter().find(|g| g.starts_with("crate")) {
                return join(&join(glob, &[first]), rest);
            }
        }
        normalize(&join(first, rest))
    }

    /// Canonical path of a macro invoked as `segments!`.
    pub fn resolve_macro(&self, segments: &[&str], leading_colon: bool, vocab: &Vocab) -> String {
        if segments.len() == 1 && !leading_colon && self.lookup(segments[0]).is_none() {
            let name = segments[0];
            let from_crates = self
                .macro_use
                .iter()
                .map(|krate| format!("{krate}::{name}"));
            let from_globs = self
                .scopes
                .iter()
                .rev()
                .flat_map(|scope| scope.globs.iter())
                .map(|glob| format!("{glob}::{name}"));
            for candidate in from_crates.chain(from_globs) {
                if vocab.knows(&candidate) {
                    return candidate;
                }
            }
            // Unimported bare macros are std's (println!, vec!, format!) or local.
            return format!("std::{name}");
        }
        self.resolve(segments, leading_colon, vocab)
    }
}
