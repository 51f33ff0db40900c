//! Call arguments and closures: the role and execution context of a closure passed to a callee
//! (pre-exec, context exit, green or async spawn, scoped threads), and the bodies of closures and
//! async blocks.

use super::*;
use crate::vocab::CategorySet;

impl Lowerer<'_, '_> {
    // ---------------------------------------------------------------- expressions

    /// The role and context for closures passed to a callee.
    pub(super) fn closure_role(&self, callee: &Callee) -> Option<(Role, Context)> {
        self.closure_role_in(callee, self.vocab.categories(callee))
    }

    /// [`Self::closure_role`], given the categories the call matches (`Vocab::categories`: one
    /// lookup, where asking each category in turn hashed the path five times per call).
    fn closure_role_in(&self, callee: &Callee, categories: CategorySet) -> Option<(Role, Context)> {
        let roles = Category::PreExec.bit()
            | Category::ContextExit.bit()
            | Category::GreenSpawn.bit()
            | Category::ThreadStart.bit()
            | Category::AsyncSpawn.bit();
        if categories & roles == 0 {
            return None;
        }
        if self.vocab.call(Category::PreExec, callee).is_some() {
            return Some((Role::PreExec, Context::Sync));
        }
        if self.vocab.call(Category::ContextExit, callee).is_some() {
            return Some((Role::ContextExit, Context::Sync));
        }
        // Before thread starts: `may::coroutine::spawn` also starts may's scheduler threads,
        // but its closure runs as a green task.
        if self.vocab.call(Category::GreenSpawn, callee).is_some() {
            return Some((Role::Green, Context::Green));
        }
        if self.vocab.call(Category::ThreadStart, callee).is_some() {
            return Some((Role::Thread, Context::Sync));
        }
        if self.vocab.call(Category::AsyncSpawn, callee).is_some() {
            return Some((Role::Spawned, Context::Async));
        }
        None
    }

    /// The role and context for closures passed to a callee, and the type of the parameter a
    /// scoped-thread API passes its closure (`thread::scope(|s| ..)`).
    pub(super) fn closure_role_and_param(
        &self,
        callee: &Callee,
    ) -> (Option<(Role, Context)>, Option<Origin>) {
        let categories = self.vocab.categories(callee);
        if categories == 0 {
            return (None, None);
        }
        let param = if categories & Category::Scoped.bit() != 0 {
            self.vocab
                .call(Category::Scoped, callee)
                .and_then(|entry| entry.param.clone().map(Origin::ty))
        } else {
            None
        };
        (self.closure_role_in(callee, categories), param)
    }

    pub(super) fn args(
        &mut self,
        args: &mut dyn Iterator<Item = &Expr>,
        role: Option<(Role, Context)>,
        param: Option<Origin>,
        out: &mut Vec<Node>,
    ) -> Vec<Arg> {
        let mut summary = Vec::with_capacity(args.size_hint().0);
        for arg in args {
            summary.push(self.arg(arg, role, param.clone(), out));
        }
        summary
    }

    pub(super) fn arg(
        &mut self,
        arg: &Expr,
        role: Option<(Role, Context)>,
        param: Option<Origin>,
        out: &mut Vec<Node>,
    ) -> Arg {
        match arg {
            Expr::Closure(c) => {
                let id = self.closure(c, role, param);
                out.push(Node::Closure(id));
                Arg::Closure(id)
            }
            Expr::Async(a) => {
                let id = self.async_block(a, role.map(|(r, _)| r));
                out.push(Node::Closure(id));
                Arg::Closure(id)
            }
            Expr::Paren(p) => self.arg(&p.expr, role, param, out),
            // `spawn({ let t = t.clone(); move || .. })`: the block's value is the closure.
            Expr::Block(b)
                if b.label.is_none()
                    && matches!(
                        block_tail(&b.block),
                        Some(Expr::Closure(_) | Expr::Async(_))
                    ) =>
            {
                self.locals.push(Vec::new());
                let (tail, stmts) = b.block.stmts.split_last().expect("a block with a tail");
                for stmt in stmts {
                    self.stmt(stmt, out);
                }
                let summary = match tail {
                    Stmt::Expr(e, None) => self.arg(e, role, param, out),
                    _ => Arg::Other,
                };
                self.locals.pop();
                summary
            }
            _ => {
                self.expr(arg, out);
                summarize_arg(arg, self)
            }
        }
    }

    pub(super) fn closure(
        &mut self,
        c: &syn::ExprClosure,
        role: Option<(Role, Context)>,
        param: Option<Origin>,
    ) -> BodyId {
        let is_async = c.asyncness.is_some();
        let (role, context) = match role {
            Some((role, ctx)) => (role, ctx),
            None => (Role::Plain, self.context),
        };
        let context = if is_async { Context::Async } else { context };
        let span = self
            .range(c.or1_token.span)
            .cover(self.range(c.or2_token.span));
        let id = self.new_body(
            "closure".to_string(),
            BodyKind::Closure,
            context,
            role,
            span,
            self.extent(extent::closure_first(c), extent::expr_last(&c.body)),
        );
        self.model.bodies[id].is_async = is_async;
        let mut params = Vec::new();
        for input in &c.inputs {
            let (pat, origin) = match input {
                SynPat::Type(pt) => (&*pt.pat, self.type_origin(&pt.ty)),
                other => (other, param.clone()),
            };
            let mut names = Vec::new();
            pat_names(pat, &mut names);
            for n in names {
                params.push((n, origin.clone()));
            }
        }
        self.model.bodies[id].params = params.clone();
        self.locals.push(
            params
                .into_iter()
                .map(|(name, origin)| Local::new(name, origin))
                .collect(),
        );
        // A closure's value goes to whoever calls it: not a function's return value.
        self.enter_body(id, context, |this, nodes| {
            this.expr(&c.body, nodes);
            None
        });
        self.locals.pop();
        id
    }

    pub(super) fn async_block(&mut self, a: &syn::ExprAsync, role: Option<Role>) -> BodyId {
        let id = self.new_body(
            "async block".to_string(),
            BodyKind::AsyncBlock,
            Context::Async,
            role.unwrap_or(Role::Plain),
            self.range(a.async_token.span),
            self.extent(extent::async_first(a), a.block.brace_token.span.join()),
        );
        self.model.bodies[id].is_async = true;
        self.enter_body(id, Context::Async, |this, nodes| {
            let block = this.block(&a.block);
            nodes.extend(block.nodes);
            block.tail
        });
        id
    }
}
