//! Expressions: every `syn::Expr` becomes nodes of the fact model (calls, control flow, awaits,
//! assignments); conditions, operands and patterns are summarized for the path-sensitive rules.

use super::*;

impl Lowerer<'_, '_> {
    pub(super) fn expr(&mut self, expr: &Expr, out: &mut Vec<Node>) {
        match expr {
            Expr::Call(_) if self.blanked_macro(expr, out) => {}
            Expr::Call(call) => {
                let mut never_returns = false;
                let callee = match &*call.func {
                    Expr::Path(p) if p.qself.is_none() => {
                        let local = p
                            .path
                            .get_ident()
                            .map(|i| i.to_string())
                            .filter(|i| self.is_local(i));
                        let function = local
                            .as_deref()
                            .and_then(|l| self.local(l))
                            .and_then(|l| l.function.clone());
                        if let Some(function) = function {
                            // `let die = util::hard_exit; die(1)`: the call is the function's.
                            Callee::Path(function)
                        } else if local.is_some() {
                            never_returns = local
                                .as_deref()
                                .and_then(|l| self.local(l))
                                .is_some_and(|l| l.never_returns);
                            Callee::Unknown(local)
                        } else {
                            Callee::Path(self.resolve_path(&p.path))
                        }
                    }
                    Expr::Path(p) => {
                        // <T as Trait>::f: resolve `Trait::f` with the self type unknown.
                        let path = self.resolve_path(&p.path);
                        Callee::Path(path)
                    }
                    other => {
                        self.expr(other, out);
                        // `(self.die)(1)` with a field `die: fn(i32) -> !`.
                        never_returns = self.field_never_returns(other);
                        Callee::Unknown(None)
                    }
                };
                let (role, param) = self.closure_role_and_param(&callee);
                let args = self.args(&mut call.args.iter(), role, param, out);
                out.push(Node::Call(Box::new(Call {
                    id: Default::default(),
                    span: self.expr_range(&call.func),
                    expr_span: self.expr_range(expr),
                    callee,
                    args,
                    awaited: false,
                    never_returns,
                })));
            }
            Expr::MethodCall(mc) => {
                self.expr(&mc.receiver, out);
                let mut receiver = Box::new(self.receiver(&mc.receiver));
                if receiver.origin.is_none() {
                    receiver.origin = self.guard_wait_origin(&mc.method, mc.args.first());
                }
                // This call as the receiver of the next link, computed now (before the arguments
                // are lowered) like `receiver` would compute it then, if no local appears.
                let first = match extent::outer_attr_first(&mc.attrs) {
                    Some(span) => span,
                    None => self.chain_first(&mc.receiver),
                };
                let method = self.range(mc.method.span());
                let link = ChainLink {
                    method,
                    receiver: Receiver {
                        origin: self.method_origin(receiver.origin.clone(), &mc.method),
                        // The method's result is no field.
                        field_of: None,
                        ..(*receiver).clone()
                    },
                    first,
                    locals: self.locals_state(),
                };
                let callee = Callee::Method {
                    name: mc.method.to_string(),
                    receiver,
                };
                let (role, param) = self.closure_role_and_param(&callee);
                let args = self.args(&mut mc.args.iter(), role, param, out);
                out.push(Node::Call(Box::new(Call {
                    id: Default::default(),
                    span: method,
                    expr_span: self.extent(first, extent::expr_last(expr)),
                    callee,
                    args,
                    awaited: false,
                    never_returns: false,
                })));
                self.chain = Some(link);
            }
            Expr::Macro(m) => self.mac(&m.mac, out),
            Expr::Await(a) => {
                self.expr(&a.base, out);
                if let Some(Node::Call(call)) = out.last_mut() {
                    call.awaited = true;
                }
                out.push(Node::Await(self.range(a.await_token.span)));
            }
            Expr::Try(t) => {
                self.expr(&t.expr, out);
                out.push(Node::Jump(Jump {
                    kind: JumpKind::Try,
                    label: None,
                    span: self.range(t.question_token.span),
                    value: None,
                }));
            }
            Expr::If(i) => {
                let node = self.if_expr(i);
                out.push(Node::If(Box::new(node)));
            }
            Expr::Match(m) => {
                let mut scrutinee_nodes = Vec::new();
                self.expr(&m.expr, &mut scrutinee_nodes);
                let scrutinee = self.operand(&m.expr);
                let arms = m
                    .arms
                    .iter()
                    .map(|arm| {
                        self.locals.push(Vec::new());
                        let mut names = Vec::new();
                        pat_names(&arm.pat, &mut names);
                        for n in names {
                            self.bind(n, None);
                        }
                        self.refine_bindings(&arm.pat, Some(&m.expr), None);
                        let mut guard = Vec::new();
                        let mut guard_cond = None;
                        if let Some((_, g)) = &arm.guard {
                            self.expr(g, &mut guard);
                            guard_cond = Some(self.cond(g));
                        }
                        let body = self.expr_block(&arm.body);
                        self.locals.pop();
                        Arm {
                            pat: self.pat(&arm.pat),
                            guard,
                            guard_cond,
                            body,
                        }
                    })
                    .collect();
                out.push(Node::Match(Box::new(Match {
                    id: Default::default(),
                    scrutinee_nodes,
                    scrutinee,
                    arms,
                })));
            }
            Expr::Loop(l) => {
                let body = self.block(&l.body);
                out.push(Node::Loop(Box::new(Loop {
                    kind: LoopKind::Loop,
                    keyword: self.range(l.loop_token.span),
                    span: self.expr_range(expr),
                    label: l.label.as_ref().map(|l| l.name.ident.to_string()),
                    header: Vec::new(),
                    cond: None,
                    open_range: false,
                    iter_local: None,
                    bindings: Vec::new(),
                    body,
                })));
            }
            Expr::While(w) => {
                let mut header = Vec::new();
                self.locals.push(Vec::new());
                let (kind, cond) = match &*w.cond {
                    Expr::Let(l) => {
                        self.expr(&l.expr, &mut header);
                        let mut names = Vec::new();
                        pat_names(&l.pat, &mut names);
                        let origin = self.origin_of(&l.expr);
                        for n in names {
                            self.bind(n, origin.clone());
                        }
                        self.refine_bindings(&l.pat, Some(&l.expr), None);
                        (
                            LoopKind::WhileLet,
                            Cond::Let {
                                pat: self.pat(&l.pat),
                                scrutinee: self.operand(&l.expr),
                            },
                        )
                    }
                    other => {
                        self.expr(other, &mut header);
                        (LoopKind::While, self.cond(other))
                    }
                };
                let body = self.block(&w.body);
                self.locals.pop();
                out.push(Node::Loop(Box::new(Loop {
                    kind,
                    keyword: self.range(w.while_token.span),
                    span: self.expr_range(expr),
                    label: w.label.as_ref().map(|l| l.name.ident.to_string()),
                    header,
                    cond: Some(cond),
                    open_range: false,
                    iter_local: None,
                    bindings: Vec::new(),
                    body,
                })));
            }
            Expr::ForLoop(f) => {
                let mut header = Vec::new();
                self.expr(&f.expr, &mut header);
                let open_range = is_open_range(&f.expr);
                let iter_local = iter_root_local(&f.expr).filter(|n| self.is_local(n));
                let mut bindings = Vec::new();
                pat_names(&f.pat, &mut bindings);
                self.locals.push(
                    bindings
                        .iter()
                        .map(|n| Local::new(n.clone(), None))
                        .collect(),
                );
                let body = self.block(&f.body);
                self.locals.pop();
                out.push(Node::Loop(Box::new(Loop {
                    kind: LoopKind::For,
                    keyword: self.range(f.for_token.span),
                    span: self.expr_range(expr),
                    label: f.label.as_ref().map(|l| l.name.ident.to_string()),
                    header,
                    cond: None,
                    open_range,
                    iter_local,
                    bindings,
                    body,
                })));
            }
            Expr::Block(b) => {
                let block = self.block(&b.block);
                out.push(Node::Block(block));
            }
            Expr::Unsafe(u) => {
                let block = self.block(&u.block);
                out.push(Node::Block(block));
            }
            Expr::Const(c) => {
                let block = self.block(&c.block);
                out.push(Node::Block(block));
            }
            Expr::TryBlock(t) => {
                let block = self.block(&t.block);
                out.push(Node::Block(block));
            }
            Expr::Closure(c) => {
                let id = self.closure(c, None, None);
                out.push(Node::Closure(id));
            }
            Expr::Async(a) => {
                let id = self.async_block(a, None);
                out.push(Node::Closure(id));
            }
            Expr::Return(r) => {
                if let Some(e) = &r.expr {
                    self.expr(e, out);
                }
                out.push(Node::Jump(Jump {
                    kind: JumpKind::Return,
                    label: None,
                    span: self.range(r.return_token.span),
                    value: r.expr.as_ref().and_then(|e| self.value_of(e)),
                }));
            }
            Expr::Break(b) => {
                if let Some(e) = &b.expr {
                    self.expr(e, out);
                }
                out.push(Node::Jump(Jump {
                    kind: JumpKind::Break,
                    label: b.label.as_ref().map(|l| l.ident.to_string()),
                    span: self.range(b.break_token.span),
                    value: None,
                }));
            }
            Expr::Continue(c) => out.push(Node::Jump(Jump {
                kind: JumpKind::Continue,
                label: c.label.as_ref().map(|l| l.ident.to_string()),
                span: self.range(c.continue_token.span),
                value: None,
            })),
            Expr::Assign(a) => {
                // The value's nodes go straight into `out` and are split off if they belong to
                // an `Assign` node: copying them into `out` afterwards would copy the nodes of
                // `a = {0} = {0} = ..` once per `=`.
                let start = out.len();
                self.expr(&a.right, out);
                match plain_local(&a.left).filter(|n| self.is_local(n)) {
                    Some(local) => {
                        let value = out.split_off(start);
                        let origin = self.origin_of(&a.right);
                        out.push(Node::Assign(Box::new(Assign {
                            local,
                            span: self.expr_range(expr),
                            origin,
                            value,
                            tagged: self.tagged_value(&a.right),
                        })));
                    }
                    None => self.expr(&a.left, out),
                }
            }
            Expr::Path(p) => {
                if p.path
                    .get_ident()
                    .is_some_and(|i| self.is_local(&i.to_string()))
                {
                    return;
                }
                let last = p.path.segments.last().map(|s| s.ident.to_string());
                if last.as_deref().is_some_and(is_static_like) {
                    out.push(Node::PathRef(PathRef {
                        path: self.resolve_path(&p.path),
                        span: self.expr_range(expr),
                    }));
                }
            }
            Expr::Let(l) => {
                // A `let` inside a condition (let chains); bindings are visible in the branch.
                self.expr(&l.expr, out);
                let origin = self.origin_of(&l.expr);
                let mut names = Vec::new();
                pat_names(&l.pat, &mut names);
                for n in names {
                    self.bind(n, origin.clone());
                }
                self.refine_bindings(&l.pat, Some(&l.expr), None);
            }
            Expr::Binary(b) => {
                self.expr(&b.left, out);
                self.expr(&b.right, out);
            }
            Expr::Unary(u) => self.expr(&u.expr, out),
            Expr::Reference(r) => self.expr(&r.expr, out),
            Expr::Paren(p) => self.expr(&p.expr, out),
            Expr::Group(g) => self.expr(&g.expr, out),
            Expr::Field(f) => self.expr(&f.base, out),
            Expr::Index(i) => {
                self.expr(&i.expr, out);
                self.expr(&i.index, out);
            }
            Expr::Cast(c) => self.expr(&c.expr, out),
            Expr::Tuple(t) => {
                for e in &t.elems {
                    self.expr(e, out);
                }
            }
            Expr::Array(a) => {
                for e in &a.elems {
                    self.expr(e, out);
                }
            }
            Expr::Repeat(r) => self.expr(&r.expr, out),
            Expr::Struct(s) => {
                for field in &s.fields {
                    self.expr(&field.expr, out);
                }
                if let Some(rest) = &s.rest {
                    self.expr(rest, out);
                }
            }
            Expr::Range(r) => {
                if let Some(s) = &r.start {
                    self.expr(s, out);
                }
                if let Some(e) = &r.end {
                    self.expr(e, out);
                }
            }
            Expr::Yield(y) => {
                if let Some(e) = &y.expr {
                    self.expr(e, out);
                }
            }
            _ => {}
        }
    }

    /// A match arm's body or a branch: a block if it is one, else a block of one expression.
    pub(super) fn expr_block(&mut self, expr: &Expr) -> Block {
        if let Expr::Block(b) = expr {
            if b.label.is_none() {
                return self.block(&b.block);
            }
        }
        let mut nodes = Vec::new();
        self.locals.push(Vec::new());
        self.expr(expr, &mut nodes);
        let tail = self.value_of(expr);
        self.locals.pop();
        Block {
            id: Default::default(),
            nodes,
            span: self.expr_range(expr),
            tail,
        }
    }

    pub(super) fn if_expr(&mut self, i: &syn::ExprIf) -> If {
        let mut cond_nodes = Vec::new();
        self.locals.push(Vec::new());
        self.expr(&i.cond, &mut cond_nodes);
        let cond = self.cond(&i.cond);
        let mut then_block = self.block(&i.then_branch);
        // `if let Ok(g) = m.lock() { .. }`: `g` is a guard for the whole `then` block.
        if let Some(guard) = self.if_let_guard(&i.cond) {
            then_block.nodes.insert(0, guard);
        }
        self.locals.pop();
        let else_block = i.else_branch.as_ref().map(|(_, e)| match &**e {
            Expr::If(nested) => {
                let span = self.range(nested.if_token.span);
                let node = self.if_expr(nested);
                Block {
                    id: Default::default(),
                    span,
                    nodes: vec![Node::If(Box::new(node))],
                    tail: Some(Box::new(Value::Nested)),
                }
            }
            other => self.expr_block(other),
        });
        If {
            id: Default::default(),
            cond_nodes,
            cond,
            then_block,
            else_block,
        }
    }

    /// The guard an `if let PAT = m.lock()` binds, as a `let` with no initializer nodes (the
    /// lock call is in the condition's nodes).
    fn if_let_guard(&self, cond: &Expr) -> Option<Node> {
        let Expr::Let(l) = cond else { return None };
        let guard = self.guard_of(&l.expr)?;
        let mut names = Vec::new();
        pat_names(&l.pat, &mut names);
        if names.is_empty() {
            return None;
        }
        Some(Node::Let(Box::new(Let {
            names,
            span: guard.span,
            origin: None,
            init: Vec::new(),
            init_local: None,
            else_block: None,
            else_pat: None,
            guard_of: Some(guard),
            wildcard: false,
            tagged: None,
        })))
    }

    pub(super) fn cond(&self, expr: &Expr) -> Cond {
        match expr {
            Expr::Paren(p) => self.cond(&p.expr),
            Expr::Group(g) => self.cond(&g.expr),
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Bool(b) => Cond::Bool(b.value),
                _ => Cond::Other,
            },
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                Cond::Not(Box::new(self.cond(&u.expr)))
            }
            Expr::Binary(b) => {
                let op = match b.op {
                    syn::BinOp::Eq(_) => CmpOp::Eq,
                    syn::BinOp::Ne(_) => CmpOp::Ne,
                    syn::BinOp::Lt(_) => CmpOp::Lt,
                    syn::BinOp::Le(_) => CmpOp::Le,
                    syn::BinOp::Gt(_) => CmpOp::Gt,
                    syn::BinOp::Ge(_) => CmpOp::Ge,
                    syn::BinOp::And(_) => {
                        return Cond::And(
                            Box::new(self.cond(&b.left)),
                            Box::new(self.cond(&b.right)),
                        )
                    }
                    syn::BinOp::Or(_) => {
                        return Cond::Or(
                            Box::new(self.cond(&b.left)),
                            Box::new(self.cond(&b.right)),
                        )
                    }
                    _ => return Cond::Other,
                };
                Cond::Cmp {
                    lhs: self.operand(&b.left),
                    op,
                    rhs: self.operand(&b.right),
                }
            }
            Expr::MethodCall(mc) => Cond::Method {
                local: plain_local(&mc.receiver),
                name: mc.method.to_string(),
            },
            Expr::Let(l) => Cond::Let {
                pat: self.pat(&l.pat),
                scrutinee: self.operand(&l.expr),
            },
            _ => Cond::Other,
        }
    }

    pub(super) fn operand(&self, expr: &Expr) -> Operand {
        match expr {
            Expr::Paren(p) => self.operand(&p.expr),
            Expr::Group(g) => self.operand(&g.expr),
            Expr::Lit(l) => int_literal(&l.lit).map_or(Operand::Other, Operand::Int),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match self.operand(&u.expr) {
                Operand::Int(i) => Operand::Int(-i),
                _ => Operand::Other,
            },
            Expr::Path(_) => plain_local(expr).map_or(Operand::Other, Operand::Local),
            Expr::Try(t) => self.operand(&t.expr),
            Expr::MethodCall(mc)
                if self
                    .vocab
                    .tables()
                    .has(Category::UnwrapMethod, &mc.method.to_string()) =>
            {
                self.operand(&mc.receiver)
            }
            Expr::Unsafe(u) => block_tail(&u.block).map_or(Operand::Other, |e| self.operand(e)),
            Expr::Block(b) => block_tail(&b.block).map_or(Operand::Other, |e| self.operand(e)),
            Expr::Call(_) if self.is_blanked_macro(expr) => Operand::Other,
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => Operand::Call(self.resolve_path(&p.path)),
                _ => Operand::Other,
            },
            Expr::Cast(c) => self.operand(&c.expr),
            _ => Operand::Other,
        }
    }

    pub(super) fn pat(&self, pat: &SynPat) -> Pat {
        match pat {
            SynPat::Wild(_) => Pat::Wild,
            SynPat::Ident(i) => match &i.subpat {
                Some((_, sub)) => self.pat(sub),
                None => {
                    let name = i.ident.to_string();
                    // An uppercase bare ident in a pattern is usually a unit variant or const.
                    if name.chars().next().is_some_and(|c| c.is_uppercase()) {
                        Pat::Path(self.resolver.resolve(&[&name], false, self.vocab))
                    } else {
                        Pat::Binding(name)
                    }
                }
            },
            SynPat::Lit(l) => match &l.lit {
                syn::Lit::Int(i) => i.base10_parse::<i128>().map_or(Pat::Other, Pat::Int),
                _ => Pat::Other,
            },
            SynPat::Path(p) => Pat::Path(self.resolve_path(&p.path)),
            SynPat::TupleStruct(ts) => Pat::TupleStruct(
                self.resolve_path(&ts.path),
                ts.elems.iter().map(|p| self.pat(p)).collect(),
            ),
            SynPat::Struct(s) => Pat::Struct(self.resolve_path(&s.path)),
            SynPat::Tuple(t) => Pat::Tuple(t.elems.iter().map(|p| self.pat(p)).collect()),
            SynPat::Or(o) => Pat::Or(o.cases.iter().map(|p| self.pat(p)).collect()),
            SynPat::Range(_) => Pat::Range,
            SynPat::Paren(p) => self.pat(&p.pat),
            SynPat::Reference(r) => self.pat(&r.pat),
            SynPat::Type(t) => self.pat(&t.pat),
            _ => {
                // Negative literals appear as Pat::Lit of a unary expr in syn 2.
                if let SynPat::Lit(_) = pat {
                    return Pat::Other;
                }
                Pat::Other
            }
        }
    }
}
