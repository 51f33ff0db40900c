//! Items: pass 1 collects struct field and static types of the whole file (so receivers declared
//! anywhere resolve), pass 2 lowers functions, impls, modules and statics into bodies.

use super::*;

impl<'v> Lowerer<'v, '_> {
    // ---------------------------------------------------------------- pass 1: types

    pub(super) fn collect_types(&mut self, items: &[Item]) {
        // Type aliases first: the fields, statics and return types below may be written with
        // them (an alias of an alias declared later is not followed).
        // A generic alias counts when what its type tells does not depend on the parameters
        // (`type Shared<T> = Arc<Mutex<T>>` is a `Mutex` whatever `T` is; `type Id<T> = T` is
        // nothing known).
        for item in items {
            if let Item::Type(t) = item {
                let path = format!("{}::{}", self.resolver.module, t.ident);
                let facts = self.type_facts(&t.ty);
                if !facts.is_empty() && !facts.mentions_params(&t.generics) {
                    self.aliases.insert(path, facts);
                }
            }
        }
        for item in items {
            match item {
                Item::Struct(s) => {
                    let path = format!("{}::{}", self.resolver.module, s.ident);
                    let mut fields = HashMap::default();
                    for field in &s.fields {
                        let Some(name) = &field.ident else { continue };
                        let facts = self.type_facts(&field.ty);
                        if !facts.is_empty() {
                            fields.insert(name.to_string(), facts);
                        }
                    }
                    self.fields.insert(path, fields);
                }
                Item::Static(s) => {
                    // A lazy cell (`LazyLock<Runtime>`) derefs to its value: methods called on
                    // the static are the value's (`RUNTIME.block_on(..)`).
                    if let Some(origin) = self
                        .lazy_value_origin(&s.ty)
                        .or_else(|| self.type_origin(&s.ty))
                    {
                        let path = format!("{}::{}", self.resolver.module, s.ident);
                        self.static_types.insert(path, origin);
                    }
                }
                // `lazy_static! { static ref M: Mutex<()> = .. }`: `M` derefs to its declared type.
                Item::Macro(m) if self.resolve_macro(&m.mac.path).ends_with("lazy_static") => {
                    let Ok(decls) = crate::syntax::scratch::scoped(|| {
                        parse_static_decls.parse2(m.mac.tokens.clone())
                    }) else {
                        continue;
                    };
                    for (ident, ty, _) in decls {
                        if let Some(origin) = self.type_origin(&ty) {
                            let path = format!("{}::{}", self.resolver.module, ident);
                            self.static_types.insert(path, origin);
                        }
                    }
                }
                Item::Fn(f) => {
                    if let Some(origin) = self.return_origin(&f.sig.output) {
                        let path = format!("{}::{}", self.resolver.module, f.sig.ident);
                        self.fn_returns.insert(path, origin);
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        let module = format!("{}::{}", self.resolver.module, m.ident);
                        let saved = std::mem::replace(&mut self.resolver.module, module.clone());
                        let scope = self.module_scope(items, &module, false);
                        self.resolver.push(scope);
                        self.collect_types(items);
                        self.resolver.pop();
                        self.resolver.module = saved;
                    }
                }
                _ => {}
            }
        }
    }

    /// The origin of a declared return type when it is a type of another crate (a std or
    /// dependency type: `-> std::fs::OpenOptions`, `-> io::Result<File>` through the smart
    /// pointers); a crate-local type, `Self` or a generic parameter tells nothing more than the
    /// function's own path.
    fn return_origin(&self, output: &syn::ReturnType) -> Option<Origin> {
        self.declared_return(output).filter(Origin::is_foreign)
    }

    /// The origin of a declared return type, crate-local (`-> Logs`, `-> Self`) or not.
    fn declared_return(&self, output: &syn::ReturnType) -> Option<Origin> {
        let syn::ReturnType::Type(_, ty) = output else {
            return None;
        };
        self.returned_type(ty)
    }

    /// What a caller gets to call methods on: a `Result<T, _>` (std's, `io::Result`, a crate's
    /// alias) is `T`, as `?`, `unwrap` and `expect` are left out of origins; smart pointers are
    /// their first argument; `Self` is the `impl`'s type.
    fn returned_type(&self, ty: &Type) -> Option<Origin> {
        match ty {
            Type::Reference(r) => self.returned_type(&r.elem),
            Type::Paren(p) => self.returned_type(&p.elem),
            Type::Group(g) => self.returned_type(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                if p.path.is_ident("Self") {
                    return self.resolver.self_ty.clone().map(Origin::ty);
                }
                let last = p.path.segments.last()?;
                let wraps = last.ident == "Result"
                    || self
                        .vocab
                        .tables()
                        .has(Category::SmartPointer, &self.resolve_path(&p.path));
                if wraps {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        // The first type argument only: `Result<(), Error>` says nothing.
                        let first = args.args.iter().find_map(|arg| match arg {
                            syn::GenericArgument::Type(inner) => Some(inner),
                            _ => None,
                        });
                        return first.and_then(|inner| self.returned_type(inner));
                    }
                    return None;
                }
                self.type_origin(ty)
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- pass 2: items

    pub(super) fn items(&mut self, items: &[Item]) {
        for item in items {
            self.item(item);
        }
    }

    pub(super) fn item(&mut self, item: &Item) {
        // Windows-only code does not exist on the targets that fork: not lowered at all, but
        // its `mod` declarations are recorded, gated, so that the files they name are known
        // as Windows-only too (not analysed, `driver::layout::assign`).
        if self.cfg_windows || item_attrs(item).iter().any(is_cfg_windows) {
            if !self.cfg_windows {
                let range = self.range(item.span());
                self.model.windows_ranges.push(range);
            }
            if let Item::Mod(m) = item {
                self.windows_module(m);
            }
            return;
        }
        match item {
            Item::Fn(f) => {
                let cfg_test = f.attrs.iter().any(is_cfg_test);
                let path = format!("{}::{}", self.resolver.module, f.sig.ident);
                self.function(
                    &f.attrs,
                    &f.sig,
                    &f.block,
                    f.sig.ident.to_string(),
                    path,
                    cfg_test,
                    self.extent(
                        extent::fn_first(&f.attrs, Some(&f.vis), &f.sig),
                        f.block.brace_token.span.join(),
                    ),
                );
            }
            Item::Impl(imp) => {
                let self_ty = match self.type_origin(&imp.self_ty) {
                    Some(origin) => origin.base,
                    None => return,
                };
                let short = self_ty.rsplit("::").next().unwrap_or(&self_ty).to_string();
                let saved = self.resolver.self_ty.replace(self_ty.clone());
                let cfg_test = imp.attrs.iter().any(is_cfg_test);
                let impl_entry = imp
                    .attrs
                    .iter()
                    .any(|a| self.entry_attr(a).is_some_and(|e| e.is(Kind::Impl)));
                for impl_item in &imp.items {
                    if let syn::ImplItem::Fn(f) = impl_item {
                        if f.attrs.iter().any(is_cfg_windows) {
                            let range = self.range(f.span());
                            self.model.windows_ranges.push(range);
                            continue;
                        }
                        self.impl_entry = impl_entry;
                        let name = format!("{short}::{}", f.sig.ident);
                        let path = format!("{self_ty}::{}", f.sig.ident);
                        self.function(
                            &f.attrs,
                            &f.sig,
                            &f.block,
                            name,
                            path,
                            cfg_test || f.attrs.iter().any(is_cfg_test),
                            self.extent(extent::impl_fn_first(f), f.block.brace_token.span.join()),
                        );
                    }
                }
                self.resolver.self_ty = saved;
            }
            Item::Trait(t) => {
                let trait_path = format!("{}::{}", self.resolver.module, t.ident);
                let saved = self.resolver.self_ty.replace(trait_path.clone());
                for trait_item in &t.items {
                    if let syn::TraitItem::Fn(f) = trait_item {
                        if let Some(block) = &f.default {
                            let name = format!("{}::{}", t.ident, f.sig.ident);
                            let path = format!("{trait_path}::{}", f.sig.ident);
                            self.function(
                                &f.attrs,
                                &f.sig,
                                block,
                                name,
                                path,
                                false,
                                self.extent(
                                    extent::fn_first(&f.attrs, None, &f.sig),
                                    block.brace_token.span.join(),
                                ),
                            );
                        }
                    }
                }
                self.resolver.self_ty = saved;
            }
            Item::Mod(m) => {
                if m.attrs.iter().any(|a| self.is_module_attr(a)) {
                    self.model.extension_module = true;
                }
                let module = format!("{}::{}", self.resolver.module, m.ident);
                match &m.content {
                    Some((_, items)) => {
                        let saved_module =
                            std::mem::replace(&mut self.resolver.module, module.clone());
                        let saved_test = self.cfg_test;
                        self.cfg_test |= m.attrs.iter().any(is_cfg_test);
                        let scope = self.module_scope(items, &module, true);
                        self.resolver.push(scope);
                        self.items(items);
                        self.resolver.pop();
                        self.cfg_test = saved_test;
                        self.resolver.module = saved_module;
                    }
                    None => self.mod_decl(m, false),
                }
            }
            Item::Static(s) => {
                let path = format!("{}::{}", self.resolver.module, s.ident);
                let ty = self.type_origin(&s.ty);
                self.static_item(path, self.range(s.ident.span()), ty, &s.expr);
            }
            Item::Const(c) => {
                // Consts are inlined at each use; their initializers run at compile time.
                let _ = c;
            }
            Item::Macro(m) => self.item_macro(m),
            _ => {}
        }
    }

    pub(super) fn static_item(
        &mut self,
        path: String,
        span: TextRange,
        ty: Option<Origin>,
        init: &Expr,
    ) {
        let lazy = ty
            .as_ref()
            .is_some_and(|o| self.vocab.tables().has(Category::Lazy, &o.base));
        let body = self.new_body(
            format!(
                "initializer of `{}`",
                path.rsplit("::").next().unwrap_or(&path)
            ),
            BodyKind::StaticInit,
            Context::Sync,
            Role::Plain,
            span,
            self.expr_range(init),
        );
        self.enter_body(body, Context::Sync, |this, nodes| {
            this.expr(init, nodes);
            None
        });
        self.model.statics.push(StaticItem {
            path,
            span,
            ty,
            init: Some(body),
            lazy,
        });
    }

    /// `lazy_static! { static ref X: T = init; }` and `thread_local!`.
    pub(super) fn item_macro(&mut self, m: &syn::ItemMacro) {
        let path = self.resolve_macro(&m.mac.path);
        let lazy = path.ends_with("lazy_static") || path.ends_with("thread_local");
        if !lazy {
            self.macro_mod_decls(&m.mac.tokens);
            return;
        }
        let Ok(decls) =
            crate::syntax::scratch::scoped(|| parse_static_decls.parse2(m.mac.tokens.clone()))
        else {
            return;
        };
        for (ident, ty, init) in decls {
            let spath = format!("{}::{}", self.resolver.module, ident);
            let origin = self.type_origin(&ty);
            let before = self.model.statics.len();
            self.static_item(spath, self.range(ident.span()), origin, &init);
            if let Some(item) = self.model.statics.get_mut(before) {
                item.lazy = true;
            }
        }
    }

    /// The `mod name;` lines of an item macro whose body is items (`cfg_signal! { pub mod
    /// signal; }`, the `cfg_*!` wrappers of tokio, hyper and mio), so that the module tree reaches
    /// the files they declare, with their own gates (`#[cfg(windows)] mod windows;` inside). The
    /// other items of such a body are not lowered: what the macro makes of them is unknown.
    fn macro_mod_decls(&mut self, tokens: &proc_macro2::TokenStream) {
        let has_mod = crate::syntax::scratch::scoped(|| {
            tokens
                .clone()
                .into_iter()
                .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "mod"))
        });
        if !has_mod {
            return;
        }
        let Ok(items) = crate::syntax::scratch::scoped(|| parse_items.parse2(tokens.clone()))
        else {
            return;
        };
        for item in &items {
            match item {
                Item::Mod(m) if m.content.is_none() => self.item(item),
                Item::Macro(inner) => self.item_macro(inner),
                _ => {}
            }
        }
    }

    /// A `mod` item in Windows-only code: its out-of-line declarations (its own, or those of
    /// an inline module's items) are recorded as Windows-only; nothing else of it is lowered.
    fn windows_module(&mut self, m: &syn::ItemMod) {
        let Some((_, items)) = &m.content else {
            self.mod_decl(m, true);
            return;
        };
        let module = format!("{}::{}", self.resolver.module, m.ident);
        let saved_module = std::mem::replace(&mut self.resolver.module, module);
        let saved_test = self.cfg_test;
        let saved_windows = std::mem::replace(&mut self.cfg_windows, true);
        self.cfg_test |= m.attrs.iter().any(is_cfg_test);
        self.items(items);
        self.cfg_windows = saved_windows;
        self.cfg_test = saved_test;
        self.resolver.module = saved_module;
    }

    /// Records `mod name;` for the module tree, with its `#[path]` and its gates.
    fn mod_decl(&mut self, m: &syn::ItemMod, cfg_windows: bool) {
        let path_attr = m.attrs.iter().find_map(|a| {
            if !a.path().is_ident("path") {
                return None;
            }
            match &a.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            }
        });
        self.model.mod_decls.push(ModDecl {
            name: m.ident.to_string(),
            path_attr,
            parent: self.resolver.module.clone(),
            span: self.range(m.ident.span()),
            cfg_test: self.cfg_test || m.attrs.iter().any(is_cfg_test),
            cfg_windows,
        });
    }

    #[allow(clippy::too_many_arguments)] // one call site per item kind; a struct would only rename them
    pub(super) fn function(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        block: &syn::Block,
        name: String,
        path: String,
        cfg_test: bool,
        full: TextRange,
    ) {
        let is_async = sig.asyncness.is_some();
        let context = if is_async {
            Context::Async
        } else {
            Context::Sync
        };
        let id = self.new_body(
            name,
            BodyKind::Fn,
            context,
            Role::Plain,
            self.range(sig.ident.span()),
            full,
        );
        let mut fn_attrs = self.fn_attrs(attrs);
        fn_attrs.cfg_test = cfg_test || self.cfg_test;
        if std::mem::take(&mut self.impl_entry) && fn_attrs.entry.is_none() {
            fn_attrs.entry = Some(EntryKind::Call);
        }
        if attrs.iter().any(|a| self.is_module_attr(a)) {
            self.model.extension_module = true;
        }
        let diverges =
            matches!(&sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)));
        let mut params = Vec::new();
        // A parameter of a tuple type (`pair: &(Mutex<S>, Condvar)`, through `Arc` or an alias
        // of this file): the origins of its parts, for destructuring it in the body.
        let mut param_parts = Vec::new();
        // Parameters typed `fn(..) -> !`: calling one never returns.
        let mut never_params: Vec<String> = Vec::new();
        let mut has_self = false;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    has_self = true;
                    let origin = self.resolver.self_ty.clone().map(Origin::ty);
                    params.push(("self".to_string(), origin));
                }
                syn::FnArg::Typed(pt) => {
                    let origin = self.type_origin(&pt.ty);
                    let parts = self.type_tuple_parts(&pt.ty);
                    if let (Some(elems), Some(parts)) = (tuple_pattern(&pt.pat), &parts) {
                        // `(lock, cvar): (&Mutex<S>, &Condvar)`: each name has its part's type.
                        for (elem, part) in elems.iter().zip(parts) {
                            let mut names = Vec::new();
                            pat_names(elem, &mut names);
                            for n in names {
                                params.push((n, part.clone()));
                            }
                        }
                        continue;
                    }
                    let mut names = Vec::new();
                    pat_names(&pt.pat, &mut names);
                    if let ([name], Some(parts)) = (&names[..], parts) {
                        param_parts.push((name.clone(), parts));
                    }
                    if let [name] = &names[..] {
                        if self.type_never_returns(&pt.ty) {
                            never_params.push(name.clone());
                        }
                    }
                    for n in names {
                        params.push((n, origin.clone()));
                    }
                }
            }
        }
        {
            let body = &mut self.model.bodies[id];
            body.is_async = is_async;
            body.diverges = diverges;
            body.has_self = has_self;
            body.attrs = fn_attrs;
            body.path = Some(path);
            body.self_ty = self.resolver.self_ty.clone();
            body.params = params.clone();
        }
        // Only a path is worth keeping (`bool`, `T`, `()` tell nothing about methods).
        let returns = self
            .declared_return(&sig.output)
            .filter(|o| o.base.contains("::"));
        self.model.bodies[id].returns = returns;
        // A fn item does not see the locals of an enclosing fn.
        let saved_locals = std::mem::take(&mut self.locals);
        self.locals.push(
            params
                .into_iter()
                .map(|(name, origin)| {
                    let mut local = Local::new(name, origin);
                    local.parts = param_parts
                        .iter()
                        .find(|(n, _)| *n == local.name)
                        .map(|(_, parts)| parts.clone());
                    local.never_returns = never_params.contains(&local.name);
                    local
                })
                .collect(),
        );
        // `fn wait(Shared { lock, cvar }: &Shared)`: the fields' declared types.
        for input in &sig.inputs {
            if let syn::FnArg::Typed(pt) = input {
                self.refine_bindings(&pt.pat, None, None);
            }
        }
        self.enter_body(id, context, |this, nodes| this.block_nodes(block, nodes));
        self.locals = saved_locals;
    }

    /// The `extension-entry` vocabulary entry an attribute matches, if any.
    fn entry_attr(&self, attr: &syn::Attribute) -> Option<&'v crate::vocab::Entry> {
        let path = self.resolve_macro(attr.path());
        self.vocab.macro_call(Category::ExtensionEntry, &path)
    }

    /// Whether an attribute declares an extension module (`#[pymodule]`, `#[magnus::init]`):
    /// an import-time entry other than `#[ctor]`, which any crate may use.
    fn is_module_attr(&self, attr: &syn::Attribute) -> bool {
        self.entry_attr(attr).is_some_and(|e| e.is(Kind::Import))
    }

    pub(super) fn fn_attrs(&self, attrs: &[syn::Attribute]) -> FnAttrs {
        let mut out = FnAttrs::default();
        for attr in attrs {
            // Attributes are macros: a bare `#[test]` is the built-in one unless a `use` names
            // another (a crate-local glob such as `use crate::*;` does not make it `crate::test`).
            let path = self.resolve_macro(attr.path());
            let last = attr
                .path()
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            let args = match &attr.meta {
                syn::Meta::List(list) => list.tokens.to_string(),
                _ => String::new(),
            };
            out.test_attr |= self
                .vocab
                .macro_call(Category::TestAttribute, &path)
                .is_some();
            match self.vocab.macro_call(Category::ExtensionEntry, &path) {
                Some(e) if e.is(Kind::Import) => out.entry = Some(EntryKind::Import),
                Some(e) if e.is(Kind::NoFork) => {
                    out.entry.get_or_insert(EntryKind::NoFork);
                }
                Some(e) if !e.is(Kind::Impl) && !e.is(Kind::Register) => {
                    out.entry.get_or_insert(EntryKind::Call);
                }
                _ => {}
            }
            match last.as_str() {
                // #[tokio::test] builds a current-thread runtime unless told otherwise.
                "test" if path != "test" && path != "std::test" => {
                    out.async_main = Some(AsyncMain {
                        path: path.clone(),
                        multi_thread: args.contains("multi_thread"),
                        span: self.range(attr.span()),
                    });
                }
                "main" if path != "main" && path != "std::main" => {
                    let multi_thread = !args.contains("current_thread")
                        && !path.starts_with("actix")
                        && !path.starts_with("monoio")
                        && !path.starts_with("glommio");
                    out.async_main = Some(AsyncMain {
                        path: path.clone(),
                        multi_thread,
                        span: self.range(attr.span()),
                    });
                }
                "ctor" => {
                    out.ctor = true;
                    out.entry = Some(EntryKind::Import);
                }
                _ => {}
            }
        }
        // One source for "this is a test": the vocabulary's `test-attribute` list.
        out.test = out.test_attr;
        out
    }
}
