//! Macros: arguments parsed as expressions when they are, statics declared in `lazy_static!` and
//! `thread_local!` bodies, and what the tokens of an unparsed macro show (`.await`, jumps).

use super::*;

impl Lowerer<'_, '_> {
    // ---------------------------------------------------------------- macros

    pub(super) fn mac(&mut self, mac: &syn::Macro, out: &mut Vec<Node>) {
        let path = self.resolve_macro(&mac.path);
        let span = self.extent(extent::path_first(&mac.path), extent::path_last(&mac.path));
        let mut facts = TokenFacts::default();
        token_facts(&mac.tokens, &mut facts);
        let has_await = facts.has_await;
        // A macro whose expansion is unknown (a crate's own `macro_rules!`) may hide a jump.
        let in_vocab = self.vocab.knows(&path);
        let expansion_known = in_vocab
            || path
                .strip_prefix("std::")
                .is_some_and(|name| STD_MACROS.contains(&name));
        let has_jump = facts.has_jump || !expansion_known;
        let known = path.starts_with("std::") || in_vocab;
        let opaque = self.vocab.macro_call(Category::Yield, &path).is_some();
        let mut parsed = false;
        if known && !opaque {
            if let Ok(exprs) = parse_macro_exprs.parse2(mac.tokens.clone()) {
                parsed = true;
                let callee = Callee::Path(path.clone());
                let role = self
                    .vocab
                    .macro_call(Category::GreenSpawn, &path)
                    .map(|_| (Role::Green, Context::Green));
                let role = role.or_else(|| self.closure_role(&callee));
                for e in &exprs {
                    self.arg(e, role, None, out);
                }
            }
        }
        out.push(Node::Macro(MacroCall {
            id: Default::default(),
            path,
            span,
            parsed,
            has_await,
            has_jump,
        }));
    }
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

/// What a macro's tokens show without parsing them, in one walk (iterating a token stream
/// copies its token vector, so the walk is done once): whether `.await` appears (as in
/// `select!` branches), and whether `break`, `continue`, `return` or a `?` does (a possible jump
/// out of an enclosing loop, invisible when the arguments are not parsed).
#[derive(Default)]
pub(super) struct TokenFacts {
    has_await: bool,
    has_jump: bool,
}

pub(super) fn token_facts(tokens: &TokenStream, facts: &mut TokenFacts) {
    let mut prev_dot = false;
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Punct(p) => {
                let c = p.as_char();
                facts.has_jump |= c == '?';
                prev_dot = c == '.';
            }
            TokenTree::Ident(i) => {
                if prev_dot && i == "await" {
                    facts.has_await = true;
                }
                facts.has_jump |= i == "break" || i == "continue" || i == "return";
                prev_dot = false;
            }
            TokenTree::Group(g) => {
                token_facts(&g.stream(), facts);
                prev_dot = false;
            }
            TokenTree::Literal(_) => prev_dot = false,
        }
        if facts.has_await && facts.has_jump {
            return;
        }
    }
}
