//! Scopes and name resolution: a module's (or block's) items and `use` imports become a
//! [`Scope`] of the resolver, and paths and types are resolved to canonical paths through it.

use super::*;

/// `#[cfg(windows)]`, `#[cfg(target_os = "windows")]`, `#[cfg(target_family = "windows")]`, or
/// an `all(..)` with one of them (an `any(..)` of them only): code compiled only for Windows.
/// `not(unix)` is not enough: it also holds on wasm and other targets without `fork`.
pub(super) fn is_cfg_windows(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg")
        && attr
            .parse_args::<syn::Meta>()
            .is_ok_and(|meta| windows_only(&meta))
}

fn windows_only(meta: &syn::Meta) -> bool {
    const WINDOWS: &str = "windows";
    cfg_only(meta, &|leaf| match leaf {
        syn::Meta::Path(p) => p.is_ident(WINDOWS),
        syn::Meta::NameValue(nv) => {
            (nv.path.is_ident("target_os") || nv.path.is_ident("target_family"))
                && matches!(&nv.value, Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == WINDOWS)
        }
        syn::Meta::List(_) => false,
    })
}

/// Whether a `cfg` predicate holds only when `leaf` does: `all(..)` with one such part, `any(..)`
/// whose every part is one, leaving out the parts that hold only when documentation is built
/// (`docsrs`, `doc`: tokio's `#![cfg(any(windows, docsrs))]` is Windows-only in a real build);
/// `not(..)` and other lists never.
fn cfg_only(meta: &syn::Meta, leaf: &dyn Fn(&syn::Meta) -> bool) -> bool {
    let syn::Meta::List(list) = meta else {
        return leaf(meta);
    };
    let all = list.path.is_ident("all");
    if !all && !list.path.is_ident("any") {
        return false;
    }
    let Ok(nested) = list.parse_args_with(
        syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
    ) else {
        return false;
    };
    if all {
        nested.iter().any(|m| cfg_only(m, leaf))
    } else {
        let doc_only = |m: &syn::Meta| matches!(m, syn::Meta::Path(p) if p.is_ident("docsrs") || p.is_ident("doc"));
        let mut built = nested.iter().filter(|m| !doc_only(m)).peekable();
        built.peek().is_some() && built.all(|m| cfg_only(m, leaf))
    }
}

/// The outer attributes of an item.
pub(super) fn item_attrs(item: &Item) -> &[syn::Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]` (or `doctest`), or an `all(..)` with one of them (an `any(..)` of them only):
/// code compiled only for tests. `any(test, feature = "std")` is not: a build with the feature
/// compiles it too; nor is `feature = "test-util"`, which any build may turn on.
pub(super) fn is_cfg_test(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg")
        && attr
            .parse_args::<syn::Meta>()
            .is_ok_and(|meta| test_only(&meta))
}

fn test_only(meta: &syn::Meta) -> bool {
    cfg_only(meta, &|leaf| match leaf {
        syn::Meta::Path(p) => p.is_ident("test") || p.is_ident("doctest"),
        syn::Meta::NameValue(_) | syn::Meta::List(_) => false,
    })
}

pub(super) fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

pub(super) fn int_literal(lit: &syn::Lit) -> Option<i128> {
    match lit {
        syn::Lit::Int(i) => i.base10_parse::<i128>().ok(),
        _ => None,
    }
}

/// Flattens a `use` tree into (local name, raw target segments) pairs and glob prefixes.
pub(super) fn flatten_use(
    tree: &UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
    globs: &mut Vec<Vec<String>>,
) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out, globs);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push((last.clone(), prefix.clone()));
                }
            } else {
                let mut target = prefix.clone();
                target.push(name.clone());
                out.push((name, target));
            }
        }
        UseTree::Rename(r) => {
            let name = r.rename.to_string();
            if name == "_" {
                return;
            }
            let mut target = prefix.clone();
            if r.ident != "self" {
                target.push(r.ident.to_string());
            }
            out.push((name, target));
        }
        UseTree::Glob(_) => globs.push(prefix.clone()),
        UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out, globs);
            }
        }
    }
}

impl Lowerer<'_, '_> {
    /// Builds the scope of a module (or block) from its items: their names and `use` imports.
    pub(super) fn module_scope<'i>(
        &mut self,
        items: impl IntoIterator<Item = &'i Item>,
        module: &str,
        record: bool,
    ) -> Scope {
        let mut scope = Scope::default();
        let mut raw_uses = Vec::new();
        let mut raw_globs = Vec::new();
        for item in items {
            let name = match item {
                Item::Fn(f) => Some(&f.sig.ident),
                Item::Struct(s) => Some(&s.ident),
                Item::Enum(e) => Some(&e.ident),
                Item::Union(u) => Some(&u.ident),
                Item::Trait(t) => Some(&t.ident),
                Item::Type(t) => Some(&t.ident),
                Item::Static(s) => Some(&s.ident),
                Item::Const(c) => Some(&c.ident),
                Item::Mod(m) => Some(&m.ident),
                Item::Use(u) => {
                    let leading = u.leading_colon.is_some();
                    let mut prefix = Vec::new();
                    if leading {
                        prefix.push(String::new());
                    }
                    flatten_use(&u.tree, &mut prefix, &mut raw_uses, &mut raw_globs);
                    None
                }
                Item::ExternCrate(e) => {
                    let krate = e.ident.to_string();
                    if e.attrs.iter().any(|a| a.path().is_ident("macro_use")) {
                        self.resolver.macro_use.push(krate.clone());
                    }
                    if let Some((_, rename)) = &e.rename {
                        scope.imports.insert(rename.to_string(), krate);
                    }
                    None
                }
                Item::Macro(m) => {
                    // lazy_static! / thread_local! define statics by name.
                    for name in macro_static_names(&m.mac.tokens) {
                        scope
                            .items
                            .insert(name.clone(), format!("{module}::{name}"));
                    }
                    None
                }
                _ => None,
            };
            if let Some(ident) = name {
                let name = ident.to_string();
                scope
                    .items
                    .insert(name.clone(), format!("{module}::{name}"));
            }
        }
        // Resolve import targets against the scope being built (so `use std::sync; use
        // sync::Mutex;` and `use self::m::f` work), then against outer scopes.
        self.resolver.push(scope);
        let mut resolved = Vec::new();
        for (name, target) in raw_uses {
            let leading = target.first().is_some_and(|s| s.is_empty());
            let segs: Vec<&str> = target
                .iter()
                .filter(|s| !s.is_empty())
                .map(String::as_str)
                .collect();
            // An import does not resolve through itself (`use log::info;` binds `info`, not log).
            let path = if !leading && segs.first() == Some(&name.as_str()) && segs.len() == 1 {
                segs.join("::")
            } else {
                self.resolver.resolve(&segs, leading, self.vocab)
            };
            resolved.push((name, path));
        }
        let mut scope = self.resolver.pop().unwrap_or_default();
        let mut exported = ModuleScope {
            path: module.to_string(),
            imports: resolved.clone(),
            globs: Vec::new(),
        };
        for (name, path) in resolved {
            scope.imports.insert(name, path);
        }
        for glob in raw_globs {
            let leading = glob.first().is_some_and(|s| s.is_empty());
            let segs: Vec<&str> = glob
                .iter()
                .filter(|s| !s.is_empty())
                .map(String::as_str)
                .collect();
            if segs.is_empty() {
                continue;
            }
            let path = self.resolver.resolve(&segs, leading, self.vocab);
            exported.globs.push(path.clone());
            scope.globs.push(path);
        }
        if record {
            self.model.modules.push(exported);
        }
        scope
    }

    pub(super) fn resolve_path(&self, path: &syn::Path) -> String {
        let segs = path_segments(path);
        let refs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.resolver
            .resolve(&refs, path.leading_colon.is_some(), self.vocab)
    }

    pub(super) fn resolve_macro(&self, path: &syn::Path) -> String {
        let segs = path_segments(path);
        let refs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.resolver
            .resolve_macro(&refs, path.leading_colon.is_some(), self.vocab)
    }

    /// For a lazy cell type (`LazyLock<T>`, once_cell's `Lazy<T>`, `OnceLock<T>`): the origin of
    /// `T`, what methods called through the cell reach.
    pub(super) fn lazy_value_origin(&self, ty: &Type) -> Option<Origin> {
        let Type::Path(p) = ty else { return None };
        if p.qself.is_some()
            || !self
                .vocab
                .tables()
                .has(Category::Lazy, &self.resolve_path(&p.path))
        {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(inner) => self.type_origin(inner),
            _ => None,
        })
    }

    /// The origins of the elements of a tuple type, through references, smart pointers
    /// (`Arc<(Mutex<S>, Condvar)>`) and this file's aliases of tuples.
    pub(super) fn type_tuple_parts(&self, ty: &Type) -> Option<Vec<Option<Origin>>> {
        match ty {
            Type::Tuple(t) if !t.elems.is_empty() => {
                Some(t.elems.iter().map(|e| self.type_origin(e)).collect())
            }
            Type::Reference(r) => self.type_tuple_parts(&r.elem),
            Type::Paren(p) => self.type_tuple_parts(&p.elem),
            Type::Group(g) => self.type_tuple_parts(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                let path = self.resolve_path(&p.path);
                if self.vocab.tables().has(Category::SmartPointer, &path) {
                    return self.type_tuple_parts(pointee(p)?);
                }
                self.aliases.get(&path).and_then(|a| a.parts.clone())
            }
            _ => None,
        }
    }

    /// What a declared type tells: a `fn(..) -> !` type never returns, else its origin, else
    /// the parts of a tuple type.
    pub(super) fn type_facts(&self, ty: &Type) -> TypeFacts {
        if self.type_never_returns(ty) {
            return TypeFacts {
                never_returns: true,
                ..TypeFacts::default()
            };
        }
        match self.type_origin(ty) {
            Some(origin) => TypeFacts {
                origin: Some(origin),
                ..TypeFacts::default()
            },
            None => TypeFacts {
                parts: self.type_tuple_parts(ty),
                ..TypeFacts::default()
            },
        }
    }

    /// Whether `ty` is a function pointer type that never returns (`fn(i32) -> !`, also through
    /// this file's aliases of one).
    pub(super) fn type_never_returns(&self, ty: &Type) -> bool {
        match ty {
            Type::BareFn(f) => {
                matches!(&f.output, syn::ReturnType::Type(_, out) if matches!(**out, Type::Never(_)))
            }
            Type::Paren(p) => self.type_never_returns(&p.elem),
            Type::Group(g) => self.type_never_returns(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                let path = self.resolve_path(&p.path);
                self.aliases.get(&path).is_some_and(|a| a.never_returns)
            }
            _ => false,
        }
    }

    /// Whether `expr` reads a field typed `fn(..) -> !` of a struct of this file (`self.die`).
    pub(super) fn field_never_returns(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Paren(p) => self.field_never_returns(&p.expr),
            Expr::Field(f) => self.field_facts(f).is_some_and(|f| f.never_returns),
            _ => false,
        }
    }

    pub(super) fn type_origin(&self, ty: &Type) -> Option<Origin> {
        match ty {
            Type::Reference(r) => self.type_origin(&r.elem),
            Type::Paren(p) => self.type_origin(&p.elem),
            Type::Group(g) => self.type_origin(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                let path = self.resolve_path(&p.path);
                if self.vocab.tables().has(Category::SmartPointer, &path) {
                    return self.type_origin(pointee(p)?);
                }
                // A type alias of this file (declared before its use in pass 1's order).
                if let Some(origin) = self.aliases.get(&path).and_then(|a| a.origin.clone()) {
                    return Some(origin);
                }
                Some(Origin::ty(path))
            }
            _ => None,
        }
    }
}

/// The first type argument of a smart pointer's type (`T` of `Arc<T>`).
fn pointee(p: &syn::TypePath) -> Option<&Type> {
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    })
}
