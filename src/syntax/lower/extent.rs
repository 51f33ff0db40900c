//! Cheap extents of syntax nodes: the span of a node's first and last token.
//!
//! `syn::spanned::Spanned::span()` prints the whole node back into a token stream (cloning every
//! identifier) just to join its first and last span, so asking for the span of each nested
//! expression costs time quadratic in the nesting, and a function's span costs a copy of the
//! function. Here the first and last tokens are found by walking only the left and right spine
//! of a node, following the order in which syn prints it (outer attributes first). Rare or small
//! nodes fall back to `Spanned::span()`, whose start and end are then both right.
//!
//! Contract: `first(x).start()` is where `x.span()` starts and `last(x).end()` is where it ends.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{AttrStyle, Attribute, Expr, Member, Visibility};

/// The first outer attribute's `#` (or `///`) span.
fn first_outer_attr(attrs: &[Attribute]) -> Option<Span> {
    attrs
        .iter()
        .find(|a| matches!(a.style, AttrStyle::Outer))
        .map(|a| a.pound_token.span)
}

/// The first outer attribute's span, where a node that has one starts.
pub(super) fn outer_attr_first(attrs: &[Attribute]) -> Option<Span> {
    first_outer_attr(attrs)
}

fn vis_first(vis: &Visibility) -> Option<Span> {
    match vis {
        Visibility::Public(p) => Some(p.span),
        Visibility::Restricted(r) => Some(r.pub_token.span),
        Visibility::Inherited => None,
    }
}

fn sig_first(sig: &syn::Signature) -> Span {
    if let Some(t) = &sig.constness {
        return t.span;
    }
    if let Some(t) = &sig.asyncness {
        return t.span;
    }
    if let Some(t) = &sig.unsafety {
        return t.span;
    }
    if let Some(abi) = &sig.abi {
        return abi.extern_token.span;
    }
    sig.fn_token.span
}

pub(super) fn path_first(path: &syn::Path) -> Span {
    if let Some(colon) = &path.leading_colon {
        return colon.spans[0];
    }
    match path.segments.first() {
        Some(seg) => seg.ident.span(),
        None => path.span(),
    }
}

pub(super) fn path_last(path: &syn::Path) -> Span {
    let Some(seg) = path.segments.last() else {
        return path.span();
    };
    match &seg.arguments {
        syn::PathArguments::None => seg.ident.span(),
        syn::PathArguments::AngleBracketed(a) => a.gt_token.span,
        syn::PathArguments::Parenthesized(p) => match &p.output {
            syn::ReturnType::Default => p.paren_token.span.join(),
            syn::ReturnType::Type(_, ty) => ty.span(),
        },
    }
}

fn label_first(label: &Option<syn::Label>) -> Option<Span> {
    label.as_ref().map(|l| l.name.apostrophe)
}

fn macro_first(mac: &syn::Macro) -> Span {
    path_first(&mac.path)
}

fn macro_last(mac: &syn::Macro) -> Span {
    match &mac.delimiter {
        syn::MacroDelimiter::Paren(d) => d.span.join(),
        syn::MacroDelimiter::Brace(d) => d.span.join(),
        syn::MacroDelimiter::Bracket(d) => d.span.join(),
    }
}

pub(super) fn expr_attrs(expr: &Expr) -> &[Attribute] {
    match expr {
        Expr::Array(e) => &e.attrs,
        Expr::Assign(e) => &e.attrs,
        Expr::Async(e) => &e.attrs,
        Expr::Await(e) => &e.attrs,
        Expr::Binary(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Break(e) => &e.attrs,
        Expr::Call(e) => &e.attrs,
        Expr::Cast(e) => &e.attrs,
        Expr::Closure(e) => &e.attrs,
        Expr::Const(e) => &e.attrs,
        Expr::Continue(e) => &e.attrs,
        Expr::Field(e) => &e.attrs,
        Expr::ForLoop(e) => &e.attrs,
        Expr::If(e) => &e.attrs,
        Expr::Index(e) => &e.attrs,
        Expr::Infer(e) => &e.attrs,
        Expr::Let(e) => &e.attrs,
        Expr::Lit(e) => &e.attrs,
        Expr::Loop(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        Expr::Match(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Paren(e) => &e.attrs,
        Expr::Path(e) => &e.attrs,
        Expr::Range(e) => &e.attrs,
        Expr::RawAddr(e) => &e.attrs,
        Expr::Reference(e) => &e.attrs,
        Expr::Repeat(e) => &e.attrs,
        Expr::Return(e) => &e.attrs,
        Expr::Struct(e) => &e.attrs,
        Expr::Try(e) => &e.attrs,
        Expr::TryBlock(e) => &e.attrs,
        Expr::Tuple(e) => &e.attrs,
        Expr::Unary(e) => &e.attrs,
        Expr::Unsafe(e) => &e.attrs,
        Expr::While(e) => &e.attrs,
        Expr::Yield(e) => &e.attrs,
        _ => &[],
    }
}

pub(super) fn closure_first(c: &syn::ExprClosure) -> Span {
    if let Some(s) = first_outer_attr(&c.attrs) {
        return s;
    }
    if let Some(l) = &c.lifetimes {
        return l.for_token.span;
    }
    if let Some(t) = &c.constness {
        return t.span;
    }
    if let Some(t) = &c.movability {
        return t.span;
    }
    if let Some(t) = &c.asyncness {
        return t.span;
    }
    if let Some(t) = &c.capture {
        return t.span;
    }
    c.or1_token.span
}

pub(super) fn async_first(a: &syn::ExprAsync) -> Span {
    first_outer_attr(&a.attrs).unwrap_or(a.async_token.span)
}

/// Iterative along the left spine: `a.b().c()[0]?` does not recurse per link.
pub(super) fn expr_first(mut expr: &Expr) -> Span {
    loop {
        if let Some(s) = first_outer_attr(expr_attrs(expr)) {
            return s;
        }
        return match expr {
            Expr::Array(e) => e.bracket_token.span.join(),
            Expr::Assign(e) => {
                expr = &e.left;
                continue;
            }
            Expr::Async(e) => e.async_token.span,
            Expr::Await(e) => {
                expr = &e.base;
                continue;
            }
            Expr::Binary(e) => {
                expr = &e.left;
                continue;
            }
            Expr::Block(e) => label_first(&e.label).unwrap_or(e.block.brace_token.span.join()),
            Expr::Break(e) => e.break_token.span,
            Expr::Call(e) => {
                expr = &e.func;
                continue;
            }
            Expr::Cast(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::Closure(c) => closure_first(c),
            Expr::Const(e) => e.const_token.span,
            Expr::Continue(e) => e.continue_token.span,
            Expr::Field(e) => {
                expr = &e.base;
                continue;
            }
            Expr::ForLoop(e) => label_first(&e.label).unwrap_or(e.for_token.span),
            Expr::If(e) => e.if_token.span,
            Expr::Index(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::Infer(e) => e.underscore_token.span,
            Expr::Let(e) => e.let_token.span,
            Expr::Lit(e) => e.lit.span(),
            Expr::Loop(e) => label_first(&e.label).unwrap_or(e.loop_token.span),
            Expr::Macro(e) => macro_first(&e.mac),
            Expr::Match(e) => e.match_token.span,
            Expr::MethodCall(e) => {
                expr = &e.receiver;
                continue;
            }
            Expr::Paren(e) => e.paren_token.span.join(),
            Expr::Path(e) => match &e.qself {
                Some(q) => q.lt_token.span,
                None => path_first(&e.path),
            },
            Expr::Range(e) => match &e.start {
                Some(start) => {
                    expr = start;
                    continue;
                }
                None => e.limits.span(),
            },
            Expr::RawAddr(e) => e.and_token.span,
            Expr::Reference(e) => e.and_token.span,
            Expr::Repeat(e) => e.bracket_token.span.join(),
            Expr::Return(e) => e.return_token.span,
            Expr::Struct(e) => match &e.qself {
                Some(q) => q.lt_token.span,
                None => path_first(&e.path),
            },
            Expr::Try(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::TryBlock(e) => e.try_token.span,
            Expr::Tuple(e) => e.paren_token.span.join(),
            Expr::Unary(e) => match e.op {
                syn::UnOp::Deref(t) => t.span,
                syn::UnOp::Not(t) => t.span,
                syn::UnOp::Neg(t) => t.span,
                _ => expr.span(),
            },
            Expr::Unsafe(e) => e.unsafe_token.span,
            Expr::While(e) => label_first(&e.label).unwrap_or(e.while_token.span),
            Expr::Yield(e) => e.yield_token.span,
            _ => expr.span(),
        };
    }
}

/// Iterative along the right spine: `a + b + c`, `|x| |y| ..` and `&&&x` do not recurse.
pub(super) fn expr_last(mut expr: &Expr) -> Span {
    loop {
        return match expr {
            Expr::Array(e) => e.bracket_token.span.join(),
            Expr::Assign(e) => {
                expr = &e.right;
                continue;
            }
            Expr::Async(e) => e.block.brace_token.span.join(),
            Expr::Await(e) => e.await_token.span,
            Expr::Binary(e) => {
                expr = &e.right;
                continue;
            }
            Expr::Block(e) => e.block.brace_token.span.join(),
            Expr::Break(e) => match (&e.expr, &e.label) {
                (Some(value), _) => {
                    expr = value;
                    continue;
                }
                (None, Some(label)) => label.ident.span(),
                (None, None) => e.break_token.span,
            },
            Expr::Call(e) => e.paren_token.span.join(),
            Expr::Cast(e) => e.ty.span(),
            Expr::Closure(e) => {
                expr = &e.body;
                continue;
            }
            Expr::Const(e) => e.block.brace_token.span.join(),
            Expr::Continue(e) => match &e.label {
                Some(label) => label.ident.span(),
                None => e.continue_token.span,
            },
            Expr::Field(e) => match &e.member {
                Member::Named(ident) => ident.span(),
                Member::Unnamed(index) => index.span,
            },
            Expr::ForLoop(e) => e.body.brace_token.span.join(),
            Expr::If(e) => match &e.else_branch {
                Some((_, else_expr)) => {
                    expr = else_expr;
                    continue;
                }
                None => e.then_branch.brace_token.span.join(),
            },
            Expr::Index(e) => e.bracket_token.span.join(),
            Expr::Infer(e) => e.underscore_token.span,
            Expr::Let(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::Lit(e) => e.lit.span(),
            Expr::Loop(e) => e.body.brace_token.span.join(),
            Expr::Macro(e) => macro_last(&e.mac),
            Expr::Match(e) => e.brace_token.span.join(),
            Expr::MethodCall(e) => e.paren_token.span.join(),
            Expr::Paren(e) => e.paren_token.span.join(),
            Expr::Path(e) => path_last(&e.path),
            Expr::Range(e) => match &e.end {
                Some(end) => {
                    expr = end;
                    continue;
                }
                None => e.limits.span(),
            },
            Expr::RawAddr(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::Reference(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::Repeat(e) => e.bracket_token.span.join(),
            Expr::Return(e) => match &e.expr {
                Some(value) => {
                    expr = value;
                    continue;
                }
                None => e.return_token.span,
            },
            Expr::Struct(e) => e.brace_token.span.join(),
            Expr::Try(e) => e.question_token.span,
            Expr::TryBlock(e) => e.block.brace_token.span.join(),
            Expr::Tuple(e) => e.paren_token.span.join(),
            Expr::Unary(e) => {
                expr = &e.expr;
                continue;
            }
            Expr::Unsafe(e) => e.block.brace_token.span.join(),
            Expr::While(e) => e.body.brace_token.span.join(),
            Expr::Yield(e) => match &e.expr {
                Some(value) => {
                    expr = value;
                    continue;
                }
                None => e.yield_token.span,
            },
            _ => expr.span(),
        };
    }
}

/// First token of a function item, impl method or trait method.
pub(super) fn fn_first(
    attrs: &[Attribute],
    vis: Option<&Visibility>,
    sig: &syn::Signature,
) -> Span {
    first_outer_attr(attrs)
        .or_else(|| vis.and_then(vis_first))
        .unwrap_or_else(|| sig_first(sig))
}

pub(super) fn impl_fn_first(f: &syn::ImplItemFn) -> Span {
    first_outer_attr(&f.attrs)
        .or_else(|| vis_first(&f.vis))
        .or_else(|| f.defaultness.map(|d| d.span))
        .unwrap_or_else(|| sig_first(&f.sig))
}

pub(super) fn local_first(local: &syn::Local) -> Span {
    first_outer_attr(&local.attrs).unwrap_or(local.let_token.span)
}
