//! Macros: arguments parsed as expressions when they are (std's and the vocabulary's macros
//! leniently, up to the first piece that is not one; a macro whose expansion is unknown only when
//! all of its pieces are), `select!` branches lowered as a `match` over the handlers, the
//! expression and guard of pattern macros (`matches!`), statics declared in `lazy_static!` and
//! `thread_local!` bodies, and what the tokens of an unparsed macro show (`.await`, jumps).

use super::*;
use crate::syntax::parse::{BLANKED_BANG, EXPRESSION_MACROS};
use crate::vocab::Kind;

impl Lowerer<'_, '_> {
    // ---------------------------------------------------------------- macros

    pub(super) fn mac(&mut self, mac: &syn::Macro, out: &mut Vec<Node>) {
        self.mac_args(&mac.path, MacroArgs::Tokens(&mac.tokens), out);
    }

    /// Whether `expr` is an expression macro that the parse wrote as a call (`assert_eq!(a, b)`
    /// with its `!` blanked: `parse::BLANKED_BANG` after the name).
    pub(super) fn is_blanked_macro(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else {
            return false;
        };
        let Expr::Path(p) = &*call.func else {
            return false;
        };
        let Some(last) = p.path.segments.last() else {
            return false;
        };
        // The name first (no span lookup for the other calls of the file).
        p.qself.is_none()
            && matches!(last.arguments, syn::PathArguments::None)
            && EXPRESSION_MACROS.iter().any(|m| last.ident == m)
            && self.spans.byte(self.range(last.ident.span()).end as usize) == Some(BLANKED_BANG)
    }

    /// [`Self::mac`] for an expression macro that the parse wrote as a call: the same node, from
    /// the arguments syn parsed with the file. False when `call` is a plain call.
    pub(super) fn blanked_macro(&mut self, expr: &Expr, out: &mut Vec<Node>) -> bool {
        if !self.is_blanked_macro(expr) {
            return false;
        }
        let Expr::Call(call) = expr else {
            return false;
        };
        let Expr::Path(p) = &*call.func else {
            return false;
        };
        let args: Vec<&Expr> = call.args.iter().collect();
        self.mac_args(&p.path, MacroArgs::Exprs(&args), out);
        true
    }

    fn mac_args(&mut self, mac_path: &syn::Path, args: MacroArgs<'_>, out: &mut Vec<Node>) {
        let path = self.resolve_macro(mac_path);
        let span = self.extent(extent::path_first(mac_path), extent::path_last(mac_path));
        let mut facts = TokenFacts::default();
        // The top-level tokens, split into pieces below (`pieces`).
        let top = match args {
            // Iterating a token stream copies it (its tokens are shared with the tree): in
            // scratch.
            MacroArgs::Tokens(tokens) => {
                crate::syntax::scratch::scoped(|| token_facts(tokens, &mut facts))
            }
            MacroArgs::Exprs(exprs) => {
                facts.inert = false;
                expr_facts(exprs, &mut facts);
                Vec::new()
            }
        };
        // A macro whose expansion is unknown (a crate's own `macro_rules!`) may hide a jump.
        let expansion_known = path
            .strip_prefix("std::")
            .is_some_and(|name| STD_MACROS.contains(&name))
            || self.vocab.knows(&path);
        let mut node = MacroCall {
            id: Default::default(),
            path,
            span,
            parsed: false,
            has_await: facts.has_await,
            has_jump: facts.has_jump() || !expansion_known,
        };
        if cfg!(feature = "bench-no-macro-args") && matches!(args, MacroArgs::Tokens(_)) {
            // A measurement build (`scripts/macro-budget.sh`): no macro argument is parsed.
            node.parsed = true;
            out.push(Node::Macro(node));
            return;
        }
        let kind = self.macro_kind(&node.path);
        // Arguments that would lower to no node are not parsed (the lenient parse of std's and
        // the vocabulary's macros always succeeds, so the node is the same).
        let inert = facts.inert && !facts.assigned.iter().any(|n| self.is_local(n));
        // The arguments as expressions: parsed from the tokens (`parser`), or as syn parsed
        // them with the file (an expression macro written as a call: every argument is one).
        let parsed_exprs = |parser: fn(ParseStream) -> syn::Result<Vec<Expr>>| match args {
            MacroArgs::Tokens(tokens) => {
                crate::syntax::scratch::scoped(|| parser.parse2(tokens.clone()))
                    .ok()
                    .map(Exprs::Owned)
            }
            MacroArgs::Exprs(exprs) => Some(Exprs::Borrowed(exprs)),
        };
        // std's and the vocabulary's macros: one argument at a time (`pieces`), the whole
        // stream leniently when the split is not exact; with the count of tracing's `?` sigils
        // taken off (`?value` formats with `Debug`: no jump). The first argument of a
        // registration is kept whatever it is (the function it registers).
        let known_exprs = |registers: bool| match args {
            MacroArgs::Tokens(_) if !registers => {
                let fields = kind.fields.then(|| self.vocab.tables());
                match crate::syntax::scratch::scoped(|| pieces::piece_exprs(&top, fields)) {
                    Some(pieces) => Some((Exprs::Owned(pieces.exprs), pieces.sigils)),
                    None => parsed_exprs(parse_macro_exprs).map(|e| (e, 0)),
                }
            }
            _ => parsed_exprs(parse_macro_exprs).map(|e| (e, 0)),
        };
        let jumps_without = |sigils: u32| facts.has_jump_besides(sigils) || !expansion_known;
        if let Some(select) = kind.yields {
            if select {
                if let MacroArgs::Tokens(tokens) = args {
                    if let Ok(branches) =
                        crate::syntax::scratch::scoped(|| parse_select.parse2(tokens.clone()))
                    {
                        node.parsed = true;
                        self.select(&branches, node, out);
                        return;
                    }
                }
            } else if inert {
                node.parsed = true;
            } else if let Some((exprs, sigils)) = known_exprs(false) {
                node.has_jump = jumps_without(sigils);
                // `join!`, `try_join!`: the futures are expressions of the enclosing context.
                node.parsed = true;
                for e in exprs.iter() {
                    self.expr(e, out);
                }
            }
        } else if kind.pattern {
            if let MacroArgs::Tokens(tokens) = args {
                if let Ok(args) =
                    crate::syntax::scratch::scoped(|| parse_pattern_args.parse2(tokens.clone()))
                {
                    node.parsed = true;
                    self.pattern_args(&args, out);
                }
            }
        } else if expansion_known && inert && !kind.registers {
            node.parsed = true;
        } else if expansion_known {
            if let Some((exprs, sigils)) = known_exprs(kind.registers) {
                node.has_jump = jumps_without(sigils);
                node.parsed = true;
                if kind.registers {
                    // `function!(fetch, 1)`: a call of the macro with the function it
                    // registers, which the extension analysis makes an entry point.
                    if let Some(first) = exprs.iter().next() {
                        out.push(Node::Call(Box::new(Call {
                            id: Default::default(),
                            span: node.span,
                            expr_span: node.span,
                            callee: Callee::Path(node.path.clone()),
                            args: vec![summarize_arg(first, self)],
                            awaited: false,
                            never_returns: false,
                        })));
                    }
                    out.push(Node::Macro(node));
                    return;
                }
                let role = kind.role;
                for e in exprs.iter() {
                    self.arg(e, role, None, out);
                }
            }
        } else if inert {
            // A crate's own macro whose arguments would lower to no node, whether they are
            // expressions or a DSL: nothing to parse (`parsed` stays false: not looked at).
        } else if let Some(exprs) = crate::syntax::scratch::scoped(|| pieces::quick_all(&top))
            .map(Exprs::Owned)
            .or_else(|| parsed_exprs(parse_all_exprs))
        {
            // A crate's own macro (or another crate's): its arguments are code when all of them
            // are expressions; anything else is a DSL and stays opaque.
            node.parsed = true;
            for e in exprs.iter() {
                self.expr(assigned_value(e), out);
            }
        }
        out.push(Node::Macro(node));
    }

    /// What the vocabulary says of the macro `path`, looked up once per file and path (a
    /// macro's arguments asked up to eleven lookups, for the same few paths all file long).
    fn macro_kind(&mut self, path: &str) -> MacroKind {
        if let Some(kind) = self.macro_kinds.get(path) {
            return *kind;
        }
        let vocab = self.vocab;
        let role = vocab
            .macro_call(Category::GreenSpawn, path)
            .map(|_| (Role::Green, Context::Green))
            .or_else(|| self.closure_role(&Callee::Path(path.to_string())));
        let kind = MacroKind {
            yields: vocab
                .macro_call(Category::Yield, path)
                .map(|e| e.is(Kind::Select)),
            pattern: vocab.tables().has(Category::PatternMacro, path),
            registers: vocab
                .macro_call(Category::ExtensionEntry, path)
                .is_some_and(|e| e.is(Kind::Register)),
            fields: vocab.tables().has(Category::FieldMacro, path),
            role,
        };
        self.macro_kinds.insert(path.to_string(), kind);
        kind
    }

    /// A `select!`: the preconditions and futures of every branch are evaluated, the macro
    /// waits (a yield point), then one handler runs. Lowered as a `match` whose scrutinee is the
    /// futures then the macro node, with one arm per handler.
    fn select(&mut self, branches: &[SelectBranch], node: MacroCall, out: &mut Vec<Node>) {
        let mut scrutinee_nodes = Vec::new();
        for b in branches {
            if let Some(cond) = &b.cond {
                self.expr(cond, &mut scrutinee_nodes);
            }
            if let Some(fut) = &b.future {
                self.expr(fut, &mut scrutinee_nodes);
            }
        }
        scrutinee_nodes.push(Node::Macro(node));
        let arms = branches
            .iter()
            .map(|b| {
                self.locals.push(Vec::new());
                let pat = match (&b.pat, &b.future) {
                    (Some(pat), Some(_)) => {
                        let mut names = Vec::new();
                        pat_names(pat, &mut names);
                        for n in names {
                            self.bind(n, None);
                        }
                        self.pat(pat)
                    }
                    // `else =>`, `complete =>`, `default =>`: no future, no binding.
                    _ => Pat::Wild,
                };
                let body = self.expr_block(&b.handler);
                self.locals.pop();
                Arm {
                    pat,
                    guard: Vec::new(),
                    guard_cond: None,
                    body,
                }
            })
            .collect();
        out.push(Node::Match(Box::new(Match {
            id: Default::default(),
            scrutinee_nodes,
            scrutinee: Operand::Other,
            arms,
        })));
    }

    /// `matches!(expr, pat if guard, ..)`: the expression, then the guard with the pattern's
    /// names bound, then any further arguments (a message).
    fn pattern_args(&mut self, args: &PatternArgs, out: &mut Vec<Node>) {
        self.expr(&args.scrutinee, out);
        if let Some(guard) = &args.guard {
            self.locals.push(Vec::new());
            let mut names = Vec::new();
            pat_names(&args.pat, &mut names);
            for n in names {
                self.bind(n, None);
            }
            self.expr(guard, out);
            self.locals.pop();
        }
        for e in &args.rest {
            self.expr(e, out);
        }
    }
}

/// What the vocabulary says of a macro (see `Lowerer::macro_kind`).
#[derive(Clone, Copy)]
pub(super) struct MacroKind {
    /// A yield point; `true` for a `select!`.
    yields: Option<bool>,
    /// `matches!` and the like: an expression, a pattern, a guard.
    pattern: bool,
    /// Registers the function of its first argument with an extension runtime (`function!`).
    registers: bool,
    /// Takes tracing's fields (`name = value`, `?value`, `{ .. }`).
    fields: bool,
    /// The role and context of closures among its arguments (a green spawn's).
    role: Option<(Role, Context)>,
}

/// One branch of a `select!`.
pub(super) struct SelectBranch {
    /// The pattern; `None` for `else =>`.
    pat: Option<SynPat>,
    /// The future; `None` for `else`, `complete` and `default` branches.
    future: Option<Expr>,
    /// The `, if cond` precondition (tokio).
    cond: Option<Expr>,
    handler: Expr,
}

/// Parses `select!` branches: tokio's `[biased;] pat = fut [, if cond] => handler, .. [else =>
/// handler]` and futures' `pat = fut => handler, .. [complete => ..] [default => ..]`.
pub(super) fn parse_select(input: ParseStream) -> syn::Result<Vec<SelectBranch>> {
    if input.peek(syn::Ident) && input.peek2(syn::Token![;]) {
        input.parse::<syn::Ident>()?;
        input.parse::<syn::Token![;]>()?;
    }
    let mut branches = Vec::new();
    while !input.is_empty() {
        let (pat, future, cond) = if input.peek(syn::Token![else]) {
            input.parse::<syn::Token![else]>()?;
            (None, None, None)
        } else {
            let pat = SynPat::parse_multi_with_leading_vert(input)?;
            if input.peek(syn::Token![=>]) {
                (Some(pat), None, None)
            } else {
                input.parse::<syn::Token![=]>()?;
                let future: Expr = input.parse()?;
                let cond = if input.peek(syn::Token![,]) && input.peek2(syn::Token![if]) {
                    input.parse::<syn::Token![,]>()?;
                    input.parse::<syn::Token![if]>()?;
                    Some(input.parse::<Expr>()?)
                } else {
                    None
                };
                (Some(pat), Some(future), cond)
            }
        };
        input.parse::<syn::Token![=>]>()?;
        let handler = if input.peek(syn::token::Brace) {
            let block: syn::Block = input.parse()?;
            if input.peek(syn::Token![,]) {
                input.parse::<syn::Token![,]>()?;
            }
            Expr::Block(syn::ExprBlock {
                attrs: Vec::new(),
                label: None,
                block,
            })
        } else {
            let handler: Expr = input.parse()?;
            if !input.is_empty() {
                input.parse::<syn::Token![,]>()?;
            }
            handler
        };
        branches.push(SelectBranch {
            pat,
            future,
            cond,
            handler,
        });
    }
    Ok(branches)
}

/// The arguments of a pattern macro (`matches!`, `assert_matches!`).
pub(super) struct PatternArgs {
    scrutinee: Expr,
    pat: SynPat,
    guard: Option<Expr>,
    rest: Vec<Expr>,
}

/// Parses `expr, pat [if guard] [, args..]`.
pub(super) fn parse_pattern_args(input: ParseStream) -> syn::Result<PatternArgs> {
    let scrutinee: Expr = input.parse()?;
    input.parse::<syn::Token![,]>()?;
    let pat = SynPat::parse_multi_with_leading_vert(input)?;
    let guard = if input.peek(syn::Token![if]) {
        input.parse::<syn::Token![if]>()?;
        Some(input.parse::<Expr>()?)
    } else {
        None
    };
    let rest = if input.peek(syn::Token![,]) {
        input.parse::<syn::Token![,]>()?;
        parse_macro_exprs(input)?
    } else {
        Vec::new()
    };
    Ok(PatternArgs {
        scrutinee,
        pat,
        guard,
        rest,
    })
}

/// Parses the arguments of a macro whose expansion is unknown: comma- or semicolon-separated
/// expressions and nothing else (an error otherwise: the macro is a DSL). A `name = value`
/// piece is a named argument (`tracing`'s fields, a crate's own `key = value` syntax), not an
/// assignment: only the value is kept.
pub(super) fn parse_all_exprs(input: ParseStream) -> syn::Result<Vec<Expr>> {
    let mut exprs = Vec::new();
    while !input.is_empty() {
        exprs.push(input.parse::<Expr>()?);
        if input.is_empty() {
            break;
        }
        if input.peek(syn::Token![;]) {
            input.parse::<syn::Token![;]>()?;
        } else {
            input.parse::<syn::Token![,]>()?;
        }
    }
    Ok(exprs)
}

/// `name = value` in a crate macro's arguments is a named argument: its value is the code.
fn assigned_value(expr: &Expr) -> &Expr {
    match expr {
        Expr::Assign(a) if matches!(&*a.left, Expr::Path(p) if p.path.get_ident().is_some()) => {
            &a.right
        }
        expr => expr,
    }
}

/// A macro's arguments as expressions: parsed from its tokens, or parsed with the file.
enum Exprs<'a> {
    Owned(Vec<Expr>),
    Borrowed(&'a [&'a Expr]),
}

impl Exprs<'_> {
    fn iter(&self) -> Box<dyn Iterator<Item = &Expr> + '_> {
        match self {
            Exprs::Owned(v) => Box::new(v.iter()),
            Exprs::Borrowed(v) => Box::new(v.iter().copied()),
        }
    }
}

/// Where a macro's arguments come from.
#[derive(Clone, Copy)]
pub(super) enum MacroArgs<'a> {
    Tokens(&'a TokenStream),
    /// An expression macro the parse wrote as a call (`parse::BLANKED_BANG`).
    Exprs(&'a [&'a Expr]),
}

/// [`token_facts`] for arguments syn parsed as expressions: `.await`, and `?`, `break`,
/// `continue` or `return` anywhere inside (closures and nested macros' tokens included).
fn expr_facts(exprs: &[&Expr], facts: &mut TokenFacts) {
    struct Facts<'f>(&'f mut TokenFacts);
    impl<'ast> syn::visit::Visit<'ast> for Facts<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::Await(_) => self.0.has_await = true,
                Expr::Try(_) => self.0.tries += 1,
                Expr::Break(_) | Expr::Continue(_) | Expr::Return(_) => {
                    self.0.jump_words = true;
                }
                _ => {}
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            crate::syntax::scratch::scoped(|| token_facts(&m.tokens, self.0));
        }
    }
    let mut visitor = Facts(facts);
    for e in exprs {
        syn::visit::Visit::visit_expr(&mut visitor, e);
    }
}

/// Parses a macro body made of items (`cfg_rt! { .. }`); an error when any piece is not one.
pub(super) fn parse_items(input: ParseStream) -> syn::Result<Vec<Item>> {
    let mut items = Vec::new();
    while !input.is_empty() {
        items.push(input.parse()?);
    }
    Ok(items)
}

/// Parses `static ref NAME: T = init;` (lazy_static) and `static NAME: T = init;` (thread_local).
pub(super) fn parse_static_decls(input: ParseStream) -> syn::Result<Vec<(syn::Ident, Type, Expr)>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let _attrs = input.call(syn::Attribute::parse_outer)?;
        let _vis: syn::Visibility = input.parse()?;
        input.parse::<syn::Token![static]>()?;
        if input.peek(syn::Token![ref]) {
            input.parse::<syn::Token![ref]>()?;
        }
        let ident: syn::Ident = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        let ty: Type = input.parse()?;
        input.parse::<syn::Token![=]>()?;
        let expr: Expr = input.parse()?;
        if input.peek(syn::Token![;]) {
            input.parse::<syn::Token![;]>()?;
        }
        out.push((ident, ty, expr));
    }
    Ok(out)
}

/// Names of statics declared in a `lazy_static!`/`thread_local!` body, by token scan.
pub(super) fn macro_static_names(tokens: &TokenStream) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_static = false;
    for tt in tokens.clone() {
        if let TokenTree::Ident(ident) = &tt {
            let s = ident.to_string();
            if s == "static" {
                after_static = true;
                continue;
            }
            if after_static && s != "ref" {
                names.push(s);
                after_static = false;
            }
        }
    }
    names
}

/// Parses macro arguments as comma- or semicolon-separated expressions, stopping (without error)
/// at the first piece that is not an expression.
pub(super) fn parse_macro_exprs(input: ParseStream) -> syn::Result<Vec<Expr>> {
    let mut exprs = Vec::new();
    while !input.is_empty() {
        let fork = input.fork();
        match fork.parse::<Expr>() {
            Ok(expr) => {
                use syn::parse::discouraged::Speculative;
                input.advance_to(&fork);
                exprs.push(expr);
            }
            Err(_) => break,
        }
        if input.peek(syn::Token![,]) {
            input.parse::<syn::Token![,]>()?;
        } else if input.peek(syn::Token![;]) {
            input.parse::<syn::Token![;]>()?;
        } else {
            break;
        }
    }
    // Skip whatever could not be parsed: the macro is partly opaque.
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((_, next)) = rest.token_tree() {
            rest = next;
        }
        Ok(((), rest))
    })?;
    Ok(exprs)
}

/// What the raw tokens of a macro's arguments show: whether `.await` appears in them (as in
/// `select!` branches), and whether `break`, `continue`, `return` or a `?` does (a possible jump
/// out of an enclosing loop, invisible when the arguments are not parsed). Also whether they
/// are *inert*: parsed as expressions, they would lower to no node at all, so parsing them
/// can be skipped (see [`TokenFacts::inert`]).
pub(super) struct TokenFacts {
    has_await: bool,
    /// `break`, `continue` or `return`.
    jump_words: bool,
    /// The `?`s (tries, or tracing's sigils: see [`TokenFacts::has_jump_besides`]).
    tries: u32,
    /// No group (no call, block, index or nested macro), no `?`, `|` (closure), `!`, `#` or
    /// keyword that makes a node, no static-like name (`PathRef`), and no `name = ..` whose
    /// `name` may be a local (`Assign`): e.g. `"{} {}", a, b.c` or tracing's `foo = %bar`.
    inert: bool,
    /// Names directly before a `=` (not after a `.`): inert only if none is a local.
    assigned: Vec<String>,
}

impl TokenFacts {
    /// Whether the tokens may jump out of an enclosing loop.
    fn has_jump(&self) -> bool {
        self.jump_words || self.tries > 0
    }

    /// [`Self::has_jump`] when `sigils` of the `?`s are tracing's field sigils, not tries.
    fn has_jump_besides(&self, sigils: u32) -> bool {
        self.jump_words || self.tries > sigils
    }
}

impl Default for TokenFacts {
    fn default() -> Self {
        TokenFacts {
            has_await: false,
            jump_words: false,
            tries: 0,
            inert: true,
            assigned: Vec::new(),
        }
    }
}

/// Keywords whose expression lowers to a node or binds names.
pub(super) const NODE_KEYWORDS: &[&str] = &[
    "async", "await", "break", "continue", "for", "if", "let", "loop", "match", "move", "return",
    "unsafe", "while", "yield",
];

/// The facts of `tokens`, and its top-level tokens for [`pieces`] (collected on the way:
/// iterating a stream copies it, so it is done once). Allocates: run it in scratch memory.
pub(super) fn token_facts(tokens: &TokenStream, facts: &mut TokenFacts) -> Vec<TokenTree> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    token_facts_at(&trees, facts, true);
    trees
}

/// `trees`: borrowed at the top level (kept for the split), owned inside groups (a group's
/// stream is walked as it is copied, not collected first).
fn token_facts_at<T: std::borrow::Borrow<TokenTree>>(
    trees: impl IntoIterator<Item = T>,
    facts: &mut TokenFacts,
    top: bool,
) {
    let mut prev_dot = false;
    // The previous token, when it is a name not after a `.` (for `name =`; top level only).
    let mut last_name: Option<T> = None;
    for tt in trees {
        let mut name_here = false;
        match tt.borrow() {
            TokenTree::Punct(p) => {
                let c = p.as_char();
                facts.tries += u32::from(c == '?');
                if top {
                    match c {
                        '?' | '|' | '!' | '#' => facts.inert = false,
                        '=' if p.spacing() == proc_macro2::Spacing::Alone => {
                            if let Some(name) = last_name.take() {
                                if let TokenTree::Ident(name) = name.borrow() {
                                    facts.assigned.push(name.to_string());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                prev_dot = c == '.';
            }
            TokenTree::Ident(i) => {
                if prev_dot && i == "await" {
                    facts.has_await = true;
                }
                facts.jump_words |= i == "break" || i == "continue" || i == "return";
                if top && facts.inert {
                    with_name(i, |name| {
                        if NODE_KEYWORDS.contains(&name) || is_static_like(name) {
                            facts.inert = false;
                        } else {
                            name_here = !prev_dot;
                        }
                    });
                }
                prev_dot = false;
            }
            TokenTree::Group(g) => {
                facts.inert = false;
                token_facts_at(g.stream(), facts, false);
                prev_dot = false;
            }
            TokenTree::Literal(_) => prev_dot = false,
        }
        // `a = b`: the `=` must follow the name directly (`a == b`, `a <= b` and `=>` start
        // with a joint punct, which clears it).
        last_name = if name_here { Some(tt) } else { None };
        if !top && facts.has_await && facts.jump_words {
            return;
        }
    }
}
