//! Syntactic shapes: small questions about one expression or pattern (a block's tail, a plain
//! local, an open range, the names a pattern binds, a short rendering for messages).

use super::*;

pub(super) fn block_tail(block: &syn::Block) -> Option<&Expr> {
    match block.stmts.last()? {
        Stmt::Expr(e, None) => Some(e),
        _ => None,
    }
}

/// The local name of a plain path expression (`x`), through parens and references.
pub(super) fn plain_local(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        Expr::Paren(p) => plain_local(&p.expr),
        Expr::Reference(r) => plain_local(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => plain_local(&u.expr),
        _ => None,
    }
}

/// The local a `for` loop iterates (`handles` in `handles`, `handles.drain(..)`, `&mut handles`).
pub(super) fn iter_root_local(expr: &Expr) -> Option<String> {
    match expr {
        Expr::MethodCall(mc) => iter_root_local(&mc.receiver),
        other => plain_local(other),
    }
}

pub(super) fn is_open_range(expr: &Expr) -> bool {
    match expr {
        Expr::Range(r) => r.end.is_none(),
        Expr::Paren(p) => is_open_range(&p.expr),
        _ => false,
    }
}

/// Calls `f` with the text of `ident` (`r#type` for a raw one), written to a buffer on the stack:
/// proc-macro2 has no borrowed view of a name, and `to_string` allocated once per name of every
/// macro argument that was looked at (a quarter of a million in tracing's generated tests).
pub(super) fn with_name<R>(ident: &proc_macro2::Ident, f: impl FnOnce(&str) -> R) -> R {
    use std::fmt::Write as _;
    struct Buf {
        bytes: [u8; 64],
        len: usize,
    }
    impl std::fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            let to = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
            to.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut buf = Buf {
        bytes: [0; 64],
        len: 0,
    };
    if write!(buf, "{ident}").is_ok() {
        if let Ok(name) = std::str::from_utf8(&buf.bytes[..buf.len]) {
            return f(name);
        }
    }
    f(&ident.to_string())
}

pub(super) fn is_static_like(name: &str) -> bool {
    name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn summarize_arg(arg: &Expr, lowerer: &Lowerer<'_, '_>) -> Arg {
    match arg {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => i.base10_parse::<i128>().map_or(Arg::Other, Arg::Int),
            // The name of a fork-handler registration passed as a string (Python's
            // `os.register_at_fork` called through PyO3) is kept as a path.
            syn::Lit::Str(s) => {
                let value = s.value();
                if lowerer.vocab.path(Category::Atfork, &value).is_some() {
                    Arg::Path(value)
                } else {
                    Arg::Str
                }
            }
            _ => Arg::Other,
        },
        Expr::Reference(r) => summarize_arg(&r.expr, lowerer),
        Expr::Paren(p) => summarize_arg(&p.expr, lowerer),
        Expr::Cast(c) => summarize_arg(&c.expr, lowerer),
        Expr::MethodCall(mc) if mc.method == "clone" && mc.args.is_empty() => {
            summarize_arg(&mc.receiver, lowerer)
        }
        Expr::Path(p) if p.qself.is_none() => {
            if let Some(ident) = p.path.get_ident() {
                let name = ident.to_string();
                if lowerer.is_local(&name) {
                    return Arg::Local(name);
                }
            }
            Arg::Path(lowerer.resolve_path(&p.path))
        }
        _ => Arg::Other,
    }
}

/// Names bound by a pattern.
/// The element patterns of a tuple pattern (`(lock, cvar)`, `&(lock, cvar)`), if `pat` is one.
pub(super) fn tuple_pattern(pat: &SynPat) -> Option<Vec<&SynPat>> {
    match pat {
        SynPat::Tuple(t) => Some(t.elems.iter().collect()),
        SynPat::Reference(r) => tuple_pattern(&r.pat),
        SynPat::Paren(p) => tuple_pattern(&p.pat),
        SynPat::Type(t) => tuple_pattern(&t.pat),
        _ => None,
    }
}

/// Every struct pattern inside `pat` (`Shared { lock, .. }`, also in `Some(..)`, tuples, or
/// references), with its fields.
pub(super) fn struct_patterns<'a>(
    pat: &'a SynPat,
    out: &mut Vec<(&'a syn::Path, Vec<&'a syn::FieldPat>)>,
) {
    match pat {
        SynPat::Struct(s) => {
            if s.qself.is_none() {
                out.push((&s.path, s.fields.iter().collect()));
            }
            for f in &s.fields {
                struct_patterns(&f.pat, out);
            }
        }
        SynPat::Reference(r) => struct_patterns(&r.pat, out),
        SynPat::Paren(p) => struct_patterns(&p.pat, out),
        SynPat::Type(t) => struct_patterns(&t.pat, out),
        SynPat::Ident(i) => {
            if let Some((_, sub)) = &i.subpat {
                struct_patterns(sub, out);
            }
        }
        SynPat::Tuple(t) => t.elems.iter().for_each(|p| struct_patterns(p, out)),
        SynPat::TupleStruct(t) => t.elems.iter().for_each(|p| struct_patterns(p, out)),
        SynPat::Or(o) => o.cases.iter().for_each(|p| struct_patterns(p, out)),
        SynPat::Slice(s) => s.elems.iter().for_each(|p| struct_patterns(p, out)),
        _ => {}
    }
}

pub fn pat_names(pat: &SynPat, out: &mut Vec<String>) {
    match pat {
        SynPat::Ident(i) => {
            let name = i.ident.to_string();
            if !name.chars().next().is_some_and(|c| c.is_uppercase()) {
                out.push(name);
            }
            if let Some((_, sub)) = &i.subpat {
                pat_names(sub, out);
            }
        }
        SynPat::Tuple(t) => t.elems.iter().for_each(|p| pat_names(p, out)),
        SynPat::TupleStruct(t) => t.elems.iter().for_each(|p| pat_names(p, out)),
        SynPat::Struct(s) => s.fields.iter().for_each(|f| pat_names(&f.pat, out)),
        SynPat::Slice(s) => s.elems.iter().for_each(|p| pat_names(p, out)),
        SynPat::Or(o) => {
            if let Some(first) = o.cases.first() {
                pat_names(first, out);
            }
        }
        SynPat::Reference(r) => pat_names(&r.pat, out),
        SynPat::Paren(p) => pat_names(&p.pat, out),
        SynPat::Type(t) => pat_names(&t.pat, out),
        _ => {}
    }
}

/// A short source-like rendering of an expression, for messages (`self.state`, `LOCK`).
pub(super) fn expr_text(expr: &Expr) -> String {
    let text = quote::ToTokens::to_token_stream(expr).to_string();
    let compact = text
        .replace(" . ", ".")
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" :: ", "::");
    if compact.len() > 40 {
        format!(
            "{}..",
            &compact[..compact
                .char_indices()
                .nth(38)
                .map_or(compact.len(), |(i, _)| i)]
        )
    } else {
        compact
    }
}
