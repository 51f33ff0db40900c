//! Origins and receivers: what is known of where a value comes from (a constructor, a type, a
//! static, a method chain), so that method calls can be matched by receiver in the vocabulary.

use super::*;

impl Lowerer<'_, '_> {
    // ---------------------------------------------------------------- origins

    /// What the declared type of the named field `f` reads tells, when the base's type is a
    /// struct of this file.
    pub(super) fn field_facts(&self, f: &syn::ExprField) -> Option<&TypeFacts> {
        let syn::Member::Named(field) = &f.member else {
            return None;
        };
        let base = self.origin_of(&f.base)?;
        if !base.methods.is_empty() {
            return None;
        }
        self.fields.get(&base.base)?.get(&field.to_string())
    }

    pub(super) fn origin_of(&self, expr: &Expr) -> Option<Origin> {
        match expr {
            Expr::Call(_) if self.is_blanked_macro(expr) => None,
            Expr::Call(call) => {
                let Expr::Path(p) = &*call.func else {
                    return None;
                };
                let path = self.resolve_path(&p.path);
                if self.vocab.tables().has(Category::WrapperCtor, &path)
                    || self.vocab.path(Category::Wraps, &path).is_some()
                {
                    return call.args.first().and_then(|a| self.origin_of(a));
                }
                // A function the vocabulary knows to return another type (`File::options()`
                // is an `OpenOptions`): its result has that type, not the path's.
                if let Some(ty) = self.vocab.returns(&path) {
                    return Some(Origin::ty(ty));
                }
                // A function of this file declared to return a std or dependency type.
                if let Some(origin) = self.fn_returns.get(&path) {
                    return Some(origin.clone());
                }
                Some(Origin::ctor(path))
            }
            Expr::MethodCall(mc) => self.method_origin(self.origin_of(&mc.receiver), &mc.method),
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(ident) = p.path.get_ident() {
                    if let Some(local) = self.local(&ident.to_string()) {
                        return local.origin.clone();
                    }
                }
                let path = self.resolve_path(&p.path);
                self.static_types.get(&path).cloned()
            }
            Expr::Field(f) => self.field_facts(f)?.origin.clone(),
            Expr::Paren(p) => self.origin_of(&p.expr),
            Expr::Group(g) => self.origin_of(&g.expr),
            Expr::Reference(r) => self.origin_of(&r.expr),
            Expr::Try(t) => self.origin_of(&t.expr),
            Expr::Await(a) => self.origin_of(&a.base),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.origin_of(&u.expr),
            Expr::Unsafe(u) => block_tail(&u.block).and_then(|e| self.origin_of(e)),
            Expr::Block(b) => block_tail(&b.block).and_then(|e| self.origin_of(e)),
            Expr::Cast(c) => self.origin_of(&c.expr),
            _ => None,
        }
    }

    /// The static `expr` refers to, when it is a reference to one (`&RUNTIME`, or a local that
    /// is an alias of one) or chooses between such references in every branch
    /// (`if mt { &MT } else { &ST }`, a `match` whose every arm is one): the first of them.
    /// Only references to statics (by their shape, `UPPER_CASE` paths): a copy of a constant
    /// (`let n = LIMIT;`) stays a local of its own.
    pub(super) fn static_alias(&self, expr: &Expr) -> Option<String> {
        self.alias_in(expr, false)
    }

    fn alias_in(&self, expr: &Expr, referenced: bool) -> Option<String> {
        match expr {
            Expr::Reference(r) => self.alias_in(&r.expr, true),
            Expr::Paren(p) => self.alias_in(&p.expr, referenced),
            Expr::Group(g) => self.alias_in(&g.expr, referenced),
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(ident) = p.path.get_ident() {
                    if let Some(local) = self.local(&ident.to_string()) {
                        return local.alias.clone();
                    }
                }
                let last = p.path.segments.last()?.ident.to_string();
                (referenced && is_static_like(&last)).then(|| self.resolve_path(&p.path))
            }
            Expr::Block(b) if b.label.is_none() => self.alias_in(block_tail(&b.block)?, referenced),
            Expr::If(i) => {
                let first = self.alias_in(block_tail(&i.then_branch)?, referenced)?;
                let (_, other) = i.else_branch.as_ref()?;
                self.alias_in(other, referenced)?;
                Some(first)
            }
            Expr::Match(m) => {
                let mut arms = m.arms.iter().map(|a| self.alias_in(&a.body, referenced));
                let first = arms.next()??;
                arms.all(|a| a.is_some()).then_some(first)
            }
            _ => None,
        }
    }

    /// The origins of the elements of the tuple `expr` evaluates to, when it is one: a tuple
    /// expression, through wrapper constructors (`Arc::new`, `Arc::clone`), references, derefs,
    /// `clone()` and locals holding one.
    pub(super) fn tuple_parts(&self, expr: &Expr) -> Option<Vec<Option<Origin>>> {
        match expr {
            Expr::Tuple(t) => Some(t.elems.iter().map(|e| self.origin_of(e)).collect()),
            Expr::Paren(p) => self.tuple_parts(&p.expr),
            Expr::Group(g) => self.tuple_parts(&g.expr),
            Expr::Reference(r) => self.tuple_parts(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.tuple_parts(&u.expr),
            Expr::Call(_) if self.is_blanked_macro(expr) => None,
            Expr::Call(call) => {
                let Expr::Path(p) = &*call.func else {
                    return None;
                };
                let path = self.resolve_path(&p.path);
                if !self.vocab.tables().has(Category::WrapperCtor, &path) {
                    return None;
                }
                self.tuple_parts(call.args.first()?)
            }
            Expr::MethodCall(mc)
                if self
                    .vocab
                    .tables()
                    .has(Category::TransparentMethod, &mc.method.to_string()) =>
            {
                self.tuple_parts(&mc.receiver)
            }
            Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                self.local(&ident.to_string())?.parts.clone()
            }
            // `&*self.pair`: a field of a struct of this file declared with a tuple type.
            Expr::Field(f) => self.field_facts(f)?.parts.clone(),
            _ => None,
        }
    }

    /// The origin of `receiver.method(..)` given the receiver's.
    pub(super) fn method_origin(
        &self,
        origin: Option<Origin>,
        method: &syn::Ident,
    ) -> Option<Origin> {
        let mut origin = origin?;
        let name = method.to_string();
        // Builder methods (vocabulary `builder`) return their receiver's type.
        let builder = self
            .vocab
            .method(Category::Builder, &name, Some(&origin))
            .is_some();
        if !self.vocab.tables().has(Category::TransparentMethod, &name)
            && !builder
            && origin.methods.len() < self.vocab.origin_methods_kept()
        {
            origin.methods.push(name);
        }
        Some(origin)
    }

    /// The receiver's type of `recv.method(guard, ..)` when the receiver's own is unknown and
    /// the vocabulary knows it from the guard argument (`guard-wait`: `cvar.wait(started)`
    /// where `started` is a `std::sync::Mutex` guard waits on a `std::sync::Condvar`).
    pub(super) fn guard_wait_origin(
        &self,
        method: &syn::Ident,
        first: Option<&Expr>,
    ) -> Option<Origin> {
        let name = method.to_string();
        if !self.vocab.has_method_name(Category::GuardWait, &name) {
            return None;
        }
        let guard = self.origin_of(first?)?;
        let ty = self.vocab.guard_wait(&name, Some(&guard))?;
        Some(Origin::ty(ty))
    }

    /// The locals in scope, as far as a [`ChainLink`] needs to tell whether they changed.
    pub(super) fn locals_state(&self) -> (usize, usize) {
        (self.locals.len(), self.locals.last().map_or(0, Vec::len))
    }

    /// What [`Lowerer::receiver`] gives for `expr`, taken from the link just lowered when `expr`
    /// is that method call (or it with `?` or `.await`) and no local appeared since: each link
    /// of `a.b()?.c().d()..` then costs the same, not the length of the chain before it.
    pub(super) fn chain_receiver(&self, expr: &Expr) -> Option<Receiver> {
        let link = self.chain.as_ref()?;
        if link.locals != self.locals_state() {
            return None;
        }
        let mut e = expr;
        // `.await` ends the walk to a local or path (see `receiver`); `?` does not.
        let mut awaited = false;
        loop {
            match e {
                Expr::Try(t) => e = &t.expr,
                Expr::Await(a) => {
                    awaited = true;
                    e = &a.base;
                }
                _ => break,
            }
        }
        if !self.is_link(link, e) {
            return None;
        }
        let receiver = link.receiver.clone();
        Some(if awaited {
            Receiver {
                origin: receiver.origin,
                ..Receiver::default()
            }
        } else {
            receiver
        })
    }

    pub(super) fn receiver(&self, expr: &Expr) -> Receiver {
        if let Some(receiver) = self.chain_receiver(expr) {
            return receiver;
        }
        let origin = self.origin_of(expr);
        let mut local = None;
        let mut field = None;
        let mut path = None;
        let mut e = expr;
        loop {
            match e {
                Expr::Path(p) => {
                    if let Some(ident) = p.path.get_ident() {
                        let name = ident.to_string();
                        if let Some(alias) = self
                            .local(&name)
                            .and_then(|l| l.alias.clone())
                            .filter(|_| field.is_none())
                        {
                            // `let cell = &RUNTIME; cell.get_or_init(..)`: a call on the static.
                            path = Some(alias);
                            break;
                        }
                        if self.is_local(&name) || name == "self" {
                            local = Some(name);
                            break;
                        }
                    }
                    path = Some(self.resolve_path(&p.path));
                    break;
                }
                Expr::Field(f) => {
                    // The chain of fields from the local outward (`inner.db` of
                    // `state.inner.db`), written innermost first like the source.
                    if let syn::Member::Named(n) = &f.member {
                        field = Some(match field {
                            None => n.to_string(),
                            Some(outer) => format!("{n}.{outer}"),
                        });
                    }
                    e = &f.base;
                }
                Expr::MethodCall(mc) => e = &mc.receiver,
                Expr::Paren(p) => e = &p.expr,
                Expr::Reference(r) => e = &r.expr,
                Expr::Try(t) => e = &t.expr,
                Expr::Unary(u) => e = &u.expr,
                Expr::Index(i) => e = &i.expr,
                _ => break,
            }
        }
        if local.is_none() {
            field = None;
        }
        let field_of = if origin.is_none() {
            self.foreign_field(expr)
        } else {
            None
        };
        Receiver {
            local,
            field,
            origin,
            path,
            field_of,
        }
    }

    /// `crate::state::AppState::db` when `expr` is the field `db` of a crate type this file
    /// does not declare (`state.db`, `self.db` in an `impl` of another file's struct, a local
    /// bound to it by destructuring): its type is known only crate-wide
    /// (`Model::fill_receivers`, lock guards).
    pub(super) fn foreign_field(&self, expr: &Expr) -> Option<String> {
        let f = match expr {
            Expr::Field(f) => f,
            Expr::Paren(p) => return self.foreign_field(&p.expr),
            Expr::Reference(r) => return self.foreign_field(&r.expr),
            Expr::Path(p) if p.qself.is_none() => {
                let name = p.path.get_ident()?.to_string();
                return self.local(&name)?.field_of.clone();
            }
            _ => return None,
        };
        let syn::Member::Named(field) = &f.member else {
            return None;
        };
        let Some(base) = self.origin_of(&f.base) else {
            // A field of a field of another file's struct (`state.inner.db`): the chain, which
            // the model resolves field by field (`Model::type_alias`).
            return Some(format!("{}::{field}", self.foreign_field(&f.base)?));
        };
        self.declared_elsewhere(&base)
            .then(|| format!("{}::{field}", base.base))
    }

    /// Whether `origin` is a plain type of another crate that the vocabulary does not know
    /// (`common::Shared`, not `std::..` or `tokio::..`): an alias in a lib of the run maybe.
    pub(super) fn dependency_type(&self, origin: &Origin) -> bool {
        !origin.ctor
            && origin.methods.is_empty()
            && origin.is_foreign()
            && origin
                .base
                .split("::")
                .next()
                .is_some_and(|first| !self.vocab.is_crate_root(first))
    }

    /// Whether `origin` is a crate type (not a constructor's result, no methods applied) that
    /// this file does not declare: an alias or a struct of another file maybe, whose facts are
    /// known only crate-wide.
    pub(super) fn declared_elsewhere(&self, origin: &Origin) -> bool {
        origin.base.starts_with("crate::")
            && !origin.ctor
            && origin.methods.is_empty()
            && !self.fields.contains_key(&origin.base)
    }
}
