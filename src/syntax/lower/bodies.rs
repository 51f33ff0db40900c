//! Bodies, locals and statements: opening a body with its execution context, the local
//! bindings visible in it and the origins they carry, and `let` statements (which record the
//! lock guards and foreign statics a binding holds).

use super::*;

impl Lowerer<'_, '_> {
    // ---------------------------------------------------------------- bodies

    pub(super) fn new_body(
        &mut self,
        name: String,
        kind: BodyKind,
        context: Context,
        role: Role,
        span: TextRange,
        full_span: TextRange,
    ) -> BodyId {
        self.model.bodies.alloc(Body {
            name,
            path: None,
            self_ty: self.resolver.self_ty.clone(),
            kind,
            context,
            role,
            parent: self.current,
            span,
            full_span,
            is_async: false,
            diverges: false,
            has_self: false,
            attrs: FnAttrs {
                cfg_test: self.cfg_test,
                ..FnAttrs::default()
            },
            params: Vec::new(),
            returns: None,
            block: Block {
                id: Default::default(),
                nodes: Vec::new(),
                span: full_span,
                tail: None,
            },
        })
    }

    pub(super) fn enter_body(
        &mut self,
        id: BodyId,
        context: Context,
        f: impl FnOnce(&mut Self, &mut Vec<Node>) -> Option<Box<Value>>,
    ) {
        let saved_current = self.current.replace(id);
        let saved_context = std::mem::replace(&mut self.context, context);
        let mut nodes = Vec::new();
        let tail = f(self, &mut nodes);
        let block = &mut self.model.bodies[id].block;
        block.nodes = nodes;
        block.tail = tail;
        self.current = saved_current;
        self.context = saved_context;
    }

    // ---------------------------------------------------------------- locals

    pub(super) fn bind(&mut self, name: String, origin: Option<Origin>) {
        if let Some(scope) = self.locals.last_mut() {
            scope.push(Local::new(name, origin));
        }
    }

    /// Sharpens the origins of the names a pattern just bound (in the innermost scope): a name
    /// bound to a field of a struct pattern (`Shared { lock, cvar }`, at any depth: `Some(Shared
    /// { lock, .. })`) gets the field's declared type (a struct of this file; none otherwise,
    /// never the struct's own), and the names of a tuple pattern get the parts of the value it
    /// destructures (`let (lock, cvar) = &*pair;`): from `parts` (a declared type) or `init`.
    pub(super) fn refine_bindings(
        &mut self,
        pat: &SynPat,
        init: Option<&Expr>,
        parts: Option<Vec<Option<Origin>>>,
    ) {
        let mut structs = Vec::new();
        struct_patterns(pat, &mut structs);
        for (path, fields) in structs {
            let struct_path = self.resolve_path(path);
            for field in fields {
                let (syn::Member::Named(member), SynPat::Ident(i)) = (&field.member, &*field.pat)
                else {
                    continue;
                };
                let declared = self.fields.get(&struct_path);
                let facts = declared
                    .and_then(|f| f.get(&member.to_string()))
                    .cloned()
                    .unwrap_or_default();
                // A struct of another file of the crate: its field's type is known crate-wide.
                let field_of = (declared.is_none() && struct_path.starts_with("crate::"))
                    .then(|| format!("{struct_path}::{member}"));
                if let Some(bound) = self.bound_mut(&i.ident.to_string()) {
                    bound.origin = facts.origin;
                    bound.parts = facts.parts;
                    bound.never_returns = facts.never_returns;
                    bound.field_of = field_of;
                }
            }
        }
        let Some(elems) = tuple_pattern(pat) else {
            return;
        };
        let Some(parts) = parts.or_else(|| init.and_then(|e| self.tuple_parts(e))) else {
            return;
        };
        for (elem, part) in elems.iter().zip(parts) {
            let (SynPat::Ident(i), Some(part)) = (elem, part) else {
                continue;
            };
            // The part's origin, not the whole value's (`pair: Shared` is a `crate::Shared`;
            // its parts are a `Mutex` and a `Condvar`).
            if let Some(bound) = self.bound_mut(&i.ident.to_string()) {
                bound.origin = Some(part);
            }
        }
    }

    /// The local `name` of the innermost scope, last bound first.
    fn bound_mut(&mut self, name: &str) -> Option<&mut Local> {
        self.locals
            .last_mut()
            .and_then(|s| s.iter_mut().rev().find(|l| l.name == name))
    }

    pub(super) fn local(&self, name: &str) -> Option<&Local> {
        self.locals
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|l| l.name == name)
    }

    /// The function a `let` initializer names, when it is a path to one (`util::hard_exit`,
    /// `std::process::exit`; lowercase last segment, not a local, not a static or constant), or
    /// a local holding one.
    pub(super) fn function_value(&self, expr: &Expr) -> Option<String> {
        let Expr::Path(p) = expr else { return None };
        if p.qself.is_some() {
            return None;
        }
        if let Some(ident) = p.path.get_ident() {
            if let Some(local) = self.local(&ident.to_string()) {
                return local.function.clone();
            }
        }
        let last = p.path.segments.last()?.ident.to_string();
        if !last.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
            return None;
        }
        Some(self.resolve_path(&p.path))
    }

    pub(super) fn is_local(&self, name: &str) -> bool {
        self.local(name).is_some()
    }

    // ---------------------------------------------------------------- statements

    /// Lowers the statements of `block` into `out`; returns the value of its tail.
    pub(super) fn block_nodes(
        &mut self,
        block: &syn::Block,
        out: &mut Vec<Node>,
    ) -> Option<Box<Value>> {
        self.locals.push(Vec::new());
        // Items and `use`s inside a block are visible in the whole block.
        let items: Vec<&Item> = block
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        let pushed = !items.is_empty();
        if pushed {
            let module = self.resolver.module.clone();
            let mut scope = self.module_scope(items, &module, false);
            // Block-level items are not module items: keep only what the block imports or
            // defines as functions (named like module items for resolution).
            scope.items.retain(|_, _| true);
            self.resolver.push(scope);
        }
        for stmt in &block.stmts {
            self.stmt(stmt, out);
        }
        let tail = self.tail_of(block);
        if pushed {
            self.resolver.pop();
        }
        self.locals.pop();
        tail
    }

    pub(super) fn block(&mut self, block: &syn::Block) -> Block {
        let mut nodes = Vec::new();
        let tail = self.block_nodes(block, &mut nodes);
        Block {
            id: Default::default(),
            nodes,
            span: self.range(block.brace_token.span.join()),
            tail,
        }
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt, out: &mut Vec<Node>) {
        let attrs = match stmt {
            Stmt::Local(local) => &local.attrs[..],
            Stmt::Item(item) => item_attrs(item),
            Stmt::Expr(expr, _) => extent::expr_attrs(expr),
            Stmt::Macro(m) => &m.attrs[..],
        };
        // A Windows-only statement does not exist on the targets that fork.
        if attrs.iter().any(is_cfg_windows) {
            let range = self.range(stmt.span());
            self.model.windows_ranges.push(range);
            return;
        }
        match stmt {
            Stmt::Local(local) => self.let_stmt(local, out),
            Stmt::Item(item) => {
                // Nested fns are separate bodies; they do not inherit the context.
                let saved = self.current.take();
                let saved_ctx = std::mem::replace(&mut self.context, Context::Sync);
                self.item(item);
                self.current = saved;
                self.context = saved_ctx;
            }
            Stmt::Expr(expr, _) => self.expr(expr, out),
            Stmt::Macro(m) => self.mac(&m.mac, out),
        }
    }

    pub(super) fn let_stmt(&mut self, local: &syn::Local, out: &mut Vec<Node>) {
        let (pat, declared) = match &local.pat {
            SynPat::Type(pt) => (&*pt.pat, self.type_origin(&pt.ty)),
            other => (other, None),
        };
        let declared_parts = match &local.pat {
            SynPat::Type(pt) => self.type_tuple_parts(&pt.ty),
            _ => None,
        };
        let never_returns =
            matches!(&local.pat, SynPat::Type(pt) if self.type_never_returns(&pt.ty));
        let mut init_nodes = Vec::new();
        let mut origin = declared;
        let mut guard_of = None;
        let mut init_local = None;
        let mut else_block = None;
        if let Some(init) = &local.init {
            self.expr(&init.expr, &mut init_nodes);
            if origin.is_none() {
                origin = self.origin_of(&init.expr);
            }
            guard_of = self.guard_of(&init.expr);
            init_local = plain_local(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                let mut nodes = Vec::new();
                self.expr(diverge, &mut nodes);
                else_block = Some(Block {
                    id: Default::default(),
                    nodes,
                    span: self.expr_range(diverge),
                    tail: None,
                });
            }
        }
        let mut names = Vec::new();
        pat_names(pat, &mut names);
        for name in &names {
            self.bind(name.clone(), origin.clone());
        }
        if let ([name], true) = (&names[..], never_returns) {
            if let Some(bound) = self.bound_mut(name) {
                bound.never_returns = true;
            }
        }
        if let ([_], Some(init)) = (&names[..], &local.init) {
            if init.diverge.is_none() && matches!(pat, SynPat::Ident(_)) {
                let alias = self.static_alias(&init.expr);
                let parts = declared_parts
                    .clone()
                    .or_else(|| self.tuple_parts(&init.expr));
                let function = self.function_value(&init.expr);
                if let Some(bound) = self.locals.last_mut().and_then(|s| s.last_mut()) {
                    bound.alias = alias;
                    bound.parts = parts;
                    bound.function = function;
                }
            }
        }
        if local.init.is_some() {
            self.refine_bindings(pat, local.init.as_ref().map(|i| &*i.expr), declared_parts);
        }
        out.push(Node::Let(Box::new(Let {
            names,
            span: self.extent(extent::local_first(local), local.semi_token.span),
            origin,
            init: init_nodes,
            init_local,
            else_pat: else_block.as_ref().map(|_| self.pat(pat)),
            else_block,
            guard_of,
            wildcard: matches!(pat, SynPat::Wild(_)),
            tagged: local.init.as_ref().and_then(|i| self.tagged_value(&i.expr)),
        })));
    }

    /// If `expr` is a lock acquisition (`m.lock()`, `m.lock().unwrap()`, `m.write()?`), its info.
    pub(super) fn guard_of(&self, expr: &Expr) -> Option<GuardInfo> {
        let mut e = expr;
        loop {
            match e {
                Expr::Try(t) => e = &t.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::MethodCall(mc)
                    if self
                        .vocab
                        .tables()
                        .has(Category::TransparentMethod, &mc.method.to_string())
                        && mc.method != "clone" =>
                {
                    e = &mc.receiver
                }
                Expr::MethodCall(mc) => {
                    let name = mc.method.to_string();
                    if !matches!(
                        name.as_str(),
                        "lock" | "read" | "write" | "try_lock" | "try_read" | "try_write"
                    ) {
                        return None;
                    }
                    let origin = self.origin_of(&mc.receiver);
                    let (mut on_static, mut on_alias) = (None, None);
                    match origin {
                        _ if self
                            .vocab
                            .method(Category::Lock, &name, origin.as_ref())
                            .is_some() => {}
                        // A static declared in another file of the crate (nix's tests:
                        // `crate::FORK_MTX.lock()`): its type is known only crate-wide.
                        // A field of a crate type declared in another file (`state.db.lock()`):
                        // known only crate-wide, like an alias.
                        None => match self.foreign_field(&mc.receiver) {
                            Some(field) => on_alias = Some((field, name)),
                            None => on_static = Some((self.foreign_static(&mc.receiver)?, name)),
                        },
                        // A receiver typed with a crate path this file does not declare: an
                        // alias of another file maybe (`state: &types::Shared`), known only
                        // crate-wide.
                        Some(o) if self.declared_elsewhere(&o) => on_alias = Some((o.base, name)),
                        // A type of another crate the vocabulary does not know (`common::Shared`):
                        // an alias in a lib of the run maybe, known only crate-wide.
                        Some(o) if self.dependency_type(&o) => on_alias = Some((o.base, name)),
                        Some(_) => return None,
                    }
                    return Some(GuardInfo {
                        span: self.range(mc.method.span()),
                        lock_name: expr_text(&mc.receiver),
                        on_static,
                        on_alias,
                    });
                }
                _ => return None,
            }
        }
    }

    /// The canonical path of a crate-local static this file does not declare, if `expr` names
    /// one (`crate::FORK_MTX`, or `FORK_MTX` imported from the crate root).
    pub(super) fn foreign_static(&self, expr: &Expr) -> Option<String> {
        let Expr::Path(p) = expr else {
            return None;
        };
        if p.qself.is_some() {
            return None;
        }
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if name == "self" || self.is_local(&name) {
                return None;
            }
        }
        let path = self.resolve_path(&p.path);
        (path.starts_with("crate::") && !self.static_types.contains_key(&path)).then_some(path)
    }
}
