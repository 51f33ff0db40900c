//! A quick parse of the commonest shapes of a macro argument: postfix chains of paths, calls,
//! method calls, fields, tuple fields, indexes and `?`, under `&`, `&mut`, `*`, `!` and `-`,
//! joined by binary operators (`display(&disp)`, `v.len() > 0`, `!s.is_empty()`,
//! `&self.inner[i]`, `"a".to_string()`).
//!
//! syn's expression parser spends some 15,000 instructions on a piece of three tokens (a token
//! buffer, a parse buffer per group, lookahead through every expression form), which made the
//! pieces of tracing's field macros and the arguments of crate macros most of what macro
//! arguments cost (docs/performance.md, "Session 14"). These shapes need no lookahead: each
//! token says what comes next. The tree built here is the one syn builds, spans included; any
//! other token (an assignment, a cast, a range, a turbofish, a closure, a macro, a block, a
//! struct literal, a keyword) gives `None`, and the caller parses the piece with syn. A test
//! compares both ways over the project's sources, its fixtures and any corpus named by
//! `FORKLINT_IR_CORPUS`.

use proc_macro2::{Delimiter, Group, Ident, Spacing, TokenTree};
use syn::punctuated::Punctuated;
use syn::{Expr, Member};

/// The expression `trees` holds, when it has one of the shapes of the module header.
pub(super) fn expr(trees: &[TokenTree]) -> Option<Expr> {
    #[cfg(test)]
    if tests::OFF.with(std::cell::Cell::get) {
        return None;
    }
    let mut at = 0;
    let e = binary(trees, &mut at).filter(|_| at == trees.len());
    #[cfg(test)]
    if let Some(e) = &e {
        // The unit tests that lower code (the corpus test among them) check every quick parse.
        let syn = syn::parse2::<Expr>(trees.iter().cloned().collect());
        assert_eq!(
            syn.ok().as_ref(),
            Some(e),
            "quick parse of `{}`",
            quote::quote!(#(#trees)*)
        );
    }
    e
}

/// What a name is to this parse.
#[derive(Clone, Copy, PartialEq)]
enum Word {
    /// A path segment, a field or a method (`self`, `Self`, `super` and `crate` among them).
    Name,
    True,
    False,
    Mut,
    /// A word syn's `Ident` parse rejects, or a contextual one that starts another form (`raw`
    /// of `&raw const`, `union`, `gen`): a piece holding one is syn's to parse.
    Keyword,
}

fn word(i: &Ident) -> Word {
    super::shapes::with_name(i, |name| match name {
        "true" => Word::True,
        "false" => Word::False,
        "mut" => Word::Mut,
        "_" | "abstract" | "as" | "async" | "await" | "become" | "box" | "break" | "const"
        | "continue" | "do" | "dyn" | "else" | "enum" | "extern" | "final" | "fn" | "for"
        | "gen" | "if" | "impl" | "in" | "let" | "loop" | "macro" | "match" | "mod" | "move"
        | "override" | "priv" | "pub" | "raw" | "ref" | "return" | "static" | "struct"
        | "trait" | "try" | "type" | "typeof" | "union" | "unsafe" | "unsized" | "use"
        | "virtual" | "where" | "while" | "yield" => Word::Keyword,
        _ => Word::Name,
    })
}

fn punct(trees: &[TokenTree], at: usize) -> Option<(char, Spacing, proc_macro2::Span)> {
    match trees.get(at)? {
        TokenTree::Punct(p) => Some((p.as_char(), p.spacing(), p.span())),
        _ => None,
    }
}

/// Binding strength of a binary operator, as syn orders them (`Precedence`).
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Prec {
    Min,
    Or,
    And,
    Compare,
    BitOr,
    BitXor,
    BitAnd,
    Shift,
    Sum,
    Product,
}

/// The binary operator at `at` and how many puncts it takes, as syn's `BinOp` parse reads
/// puncts (the first of a compound one joint to the next). `Err` for what is no binary
/// operator of these shapes but something syn parses (`=`, `+=`, `..`, `as`): the piece is
/// syn's.
fn binop(trees: &[TokenTree], at: usize) -> Result<Option<(syn::BinOp, usize)>, ()> {
    let Some((c1, sp1, s1)) = punct(trees, at) else {
        return match trees.get(at) {
            Some(TokenTree::Ident(i)) if word(i) == Word::Keyword => Err(()),
            _ => Ok(None),
        };
    };
    let second = if sp1 == Spacing::Joint {
        punct(trees, at + 1)
    } else {
        None
    };
    if let Some((c2, sp2, s2)) = second {
        // `<<=`, `>>=`, `+=` and the other compound assignments, `..`: syn's.
        if c2 == '=' && matches!(c1, '+' | '-' | '*' | '/' | '%' | '^' | '&' | '|') {
            return Err(());
        }
        if matches!((c1, c2), ('<', '<') | ('>', '>'))
            && sp2 == Spacing::Joint
            && punct(trees, at + 2).is_some_and(|(c3, _, _)| c3 == '=')
        {
            return Err(());
        }
        if c1 == '.' && c2 == '.' {
            return Err(());
        }
        let two = match (c1, c2) {
            ('&', '&') => Some(syn::BinOp::And(syn::Token![&&]([s1, s2]))),
            ('|', '|') => Some(syn::BinOp::Or(syn::Token![||]([s1, s2]))),
            ('<', '<') => Some(syn::BinOp::Shl(syn::Token![<<]([s1, s2]))),
            ('>', '>') => Some(syn::BinOp::Shr(syn::Token![>>]([s1, s2]))),
            ('=', '=') => Some(syn::BinOp::Eq(syn::Token![==]([s1, s2]))),
            ('<', '=') => Some(syn::BinOp::Le(syn::Token![<=]([s1, s2]))),
            ('!', '=') => Some(syn::BinOp::Ne(syn::Token![!=]([s1, s2]))),
            ('>', '=') => Some(syn::BinOp::Ge(syn::Token![>=]([s1, s2]))),
            _ => None,
        };
        if let Some(op) = two {
            return Ok(Some((op, 2)));
        }
    }
    let one = match c1 {
        '+' => syn::BinOp::Add(syn::Token![+](s1)),
        '-' => syn::BinOp::Sub(syn::Token![-](s1)),
        '*' => syn::BinOp::Mul(syn::Token![*](s1)),
        '/' => syn::BinOp::Div(syn::Token![/](s1)),
        '%' => syn::BinOp::Rem(syn::Token![%](s1)),
        '^' => syn::BinOp::BitXor(syn::Token![^](s1)),
        '&' => syn::BinOp::BitAnd(syn::Token![&](s1)),
        '|' => syn::BinOp::BitOr(syn::Token![|](s1)),
        '<' => syn::BinOp::Lt(syn::Token![<](s1)),
        '>' => syn::BinOp::Gt(syn::Token![>](s1)),
        // An assignment (a lone `=`; `=>` ends a match arm) is syn's.
        '=' => return Err(()),
        _ => return Ok(None),
    };
    Ok(Some((one, 1)))
}

fn prec(op: &syn::BinOp) -> Prec {
    use syn::BinOp::*;
    match op {
        Add(_) | Sub(_) => Prec::Sum,
        Mul(_) | Div(_) | Rem(_) => Prec::Product,
        And(_) => Prec::And,
        Or(_) => Prec::Or,
        BitXor(_) => Prec::BitXor,
        BitAnd(_) => Prec::BitAnd,
        BitOr(_) => Prec::BitOr,
        Shl(_) | Shr(_) => Prec::Shift,
        _ => Prec::Compare,
    }
}

/// An expression with binary operators: syn's `parse_expr` from `Precedence::MIN`, left
/// associative, chained comparisons rejected (syn rejects them too).
fn binary(trees: &[TokenTree], at: &mut usize) -> Option<Expr> {
    let lhs = unary(trees, at)?;
    climb(trees, at, lhs, Prec::Min)
}

fn climb(trees: &[TokenTree], at: &mut usize, mut lhs: Expr, base: Prec) -> Option<Expr> {
    while let Some((op, len)) = binop(trees, *at).ok()? {
        let p = prec(&op);
        if p < base {
            break;
        }
        if p == Prec::Compare && matches!(&lhs, Expr::Binary(b) if prec(&b.op) == Prec::Compare) {
            return None;
        }
        *at += len;
        // syn's `parse_binop_rhs`: the right operand takes every operator that binds tighter.
        let mut rhs = unary(trees, at)?;
        while let Some((next, _)) = binop(trees, *at).ok()? {
            let q = prec(&next);
            if q <= p {
                break;
            }
            rhs = climb(trees, at, rhs, q)?;
        }
        lhs = Expr::Binary(syn::ExprBinary {
            attrs: Vec::new(),
            left: Box::new(lhs),
            op,
            right: Box::new(rhs),
        });
    }
    Some(lhs)
}

/// `&e`, `&mut e`, `*e`, `!e`, `-e`, or a postfix chain.
fn unary(trees: &[TokenTree], at: &mut usize) -> Option<Expr> {
    // Spacing aside: syn reads `&&x` as `&(&x)` and `&*x` as `&(*x)`; a compound that is no
    // unary chain (`&=`, `->`) fails on its second punct.
    let Some((c, _, span)) = punct(trees, *at) else {
        return postfix(trees, at);
    };
    *at += 1;
    if c == '&' {
        let mutability = match trees.get(*at) {
            Some(TokenTree::Ident(i)) if word(i) == Word::Mut => {
                *at += 1;
                Some(syn::Token![mut](i.span()))
            }
            _ => None,
        };
        let expr = Box::new(unary(trees, at)?);
        return Some(Expr::Reference(syn::ExprReference {
            attrs: Vec::new(),
            and_token: syn::Token![&](span),
            mutability,
            expr,
        }));
    }
    let op = match c {
        '*' => syn::UnOp::Deref(syn::Token![*](span)),
        '!' => syn::UnOp::Not(syn::Token![!](span)),
        '-' => syn::UnOp::Neg(syn::Token![-](span)),
        _ => return None,
    };
    let expr = Box::new(unary(trees, at)?);
    Some(Expr::Unary(syn::ExprUnary {
        attrs: Vec::new(),
        op,
        expr,
    }))
}

/// A primary expression and its `.field`, `.0`, `.method(..)` and `?` suffixes.
fn postfix(trees: &[TokenTree], at: &mut usize) -> Option<Expr> {
    let mut e = primary(trees, at)?;
    loop {
        match punct(trees, *at) {
            Some(('?', _, span)) => {
                *at += 1;
                e = Expr::Try(syn::ExprTry {
                    attrs: Vec::new(),
                    expr: Box::new(e),
                    question_token: syn::Token![?](span),
                });
            }
            // `..` (a range) is syn's.
            Some(('.', _, _)) if punct(trees, *at + 1).is_some() => return None,
            Some(('.', _, span)) => {
                let dot_token = syn::Token![.](span);
                match trees.get(*at + 1)? {
                    TokenTree::Ident(name) if word(name) == Word::Name => {
                        match trees.get(*at + 2) {
                            Some(TokenTree::Group(g))
                                if g.delimiter() == Delimiter::Parenthesis =>
                            {
                                let args = args(g)?;
                                *at += 3;
                                e = Expr::MethodCall(syn::ExprMethodCall {
                                    attrs: Vec::new(),
                                    receiver: Box::new(e),
                                    dot_token,
                                    method: name.clone(),
                                    turbofish: None,
                                    paren_token: syn::token::Paren {
                                        span: g.delim_span(),
                                    },
                                    args,
                                });
                            }
                            // `.method::<T>()`: syn's.
                            Some(TokenTree::Punct(p)) if p.as_char() == ':' => return None,
                            _ => {
                                *at += 2;
                                e = Expr::Field(syn::ExprField {
                                    attrs: Vec::new(),
                                    base: Box::new(e),
                                    dot_token,
                                    member: Member::Named(name.clone()),
                                });
                            }
                        }
                    }
                    // `.0` (a float literal `.0.1` and suffixes are syn's).
                    TokenTree::Literal(l) => {
                        let text = l.to_string();
                        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                            return None;
                        }
                        let index = text.parse().ok()?;
                        *at += 2;
                        e = Expr::Field(syn::ExprField {
                            attrs: Vec::new(),
                            base: Box::new(e),
                            dot_token,
                            member: Member::Unnamed(syn::Index {
                                index,
                                span: l.span(),
                            }),
                        });
                    }
                    _ => return None,
                }
            }
            _ => match trees.get(*at) {
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    let index = expr(&inner)?;
                    *at += 1;
                    e = Expr::Index(syn::ExprIndex {
                        attrs: Vec::new(),
                        expr: Box::new(e),
                        bracket_token: syn::token::Bracket {
                            span: g.delim_span(),
                        },
                        index: Box::new(index),
                    });
                }
                _ => return Some(e),
            },
        }
    }
}

/// A literal, `true`/`false`, or a path (`a`, `a::b::c`) and the call of one.
fn primary(trees: &[TokenTree], at: &mut usize) -> Option<Expr> {
    match trees.get(*at)? {
        TokenTree::Literal(l) => {
            *at += 1;
            Some(Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::new(l.clone()),
            }))
        }
        TokenTree::Ident(i) if matches!(word(i), Word::True | Word::False) => {
            *at += 1;
            Some(Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Bool(syn::LitBool {
                    value: word(i) == Word::True,
                    span: i.span(),
                }),
            }))
        }
        TokenTree::Ident(first) if word(first) == Word::Name => {
            let mut segments = Punctuated::new();
            segments.push_value(syn::PathSegment::from(first.clone()));
            *at += 1;
            // `::` is a joint `:` and a lone one, then a name (`::<` is a turbofish: syn's).
            while let Some((':', Spacing::Joint, s1)) = punct(trees, *at) {
                let Some((':', Spacing::Alone, s2)) = punct(trees, *at + 1) else {
                    return None;
                };
                let Some(TokenTree::Ident(next)) = trees.get(*at + 2) else {
                    return None;
                };
                if word(next) != Word::Name {
                    return None;
                }
                segments.push_punct(syn::Token![::]([s1, s2]));
                segments.push_value(syn::PathSegment::from(next.clone()));
                *at += 3;
            }
            let func = Expr::Path(syn::ExprPath {
                attrs: Vec::new(),
                qself: None,
                path: syn::Path {
                    leading_colon: None,
                    segments,
                },
            });
            match trees.get(*at) {
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let args = args(g)?;
                    *at += 1;
                    Some(Expr::Call(syn::ExprCall {
                        attrs: Vec::new(),
                        func: Box::new(func),
                        paren_token: syn::token::Paren {
                            span: g.delim_span(),
                        },
                        args,
                    }))
                }
                // `a!(..)`, `A { .. }`: syn's; `a[..]` is the postfix loop's.
                Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::Bracket => None,
                Some(TokenTree::Punct(p)) if p.as_char() == '!' => None,
                _ => Some(func),
            }
        }
        _ => None,
    }
}

/// The arguments of a call: expressions of these shapes separated by `,`, a trailing one
/// allowed.
fn args(g: &Group) -> Option<Punctuated<Expr, syn::Token![,]>> {
    let trees: Vec<TokenTree> = g.stream().into_iter().collect();
    let mut args = Punctuated::new();
    let mut at = 0;
    while at < trees.len() {
        args.push_value(binary(&trees, &mut at)?);
        match trees.get(at) {
            None => break,
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {
                args.push_punct(syn::Token![,](p.span()));
                at += 1;
            }
            Some(_) => return None,
        }
    }
    Some(args)
}

#[cfg(test)]
pub(super) mod tests {
    use std::cell::Cell;

    thread_local! {
        /// Turns the quick parse off on this thread (every piece parsed by syn), for the test
        /// that compares the IR of both ways.
        pub(crate) static OFF: Cell<bool> = const { Cell::new(false) };
    }

    fn quick(text: &str) -> Option<syn::Expr> {
        let trees: Vec<proc_macro2::TokenTree> = text
            .parse::<proc_macro2::TokenStream>()
            .unwrap()
            .into_iter()
            .collect();
        super::expr(&trees)
    }

    #[test]
    fn the_quick_shapes_parse_as_syn_parses_them() {
        // Each one is also parsed by syn and compared inside `expr`.
        for text in [
            "display(&disp)",
            "v.len()",
            "!s.is_empty()",
            "&mut self.inner.db",
            "*x",
            "-5",
            "&&x",
            "&*x",
            "\"a\".to_string()",
            "crate::store::load(p)?.len()",
            "x.0.y",
            "t.1",
            "f(a, b,)",
            "true.then(g)",
            "crate::util::f(self.x, Self::y(), super::z)",
            "r#type.r#match()",
            "x?.y?",
            "a == b",
            "v.len() > 0 && !done || x < -1",
            "a + b * c - d / e % f",
            "a << 2 | b & c ^ d >> 1",
            "x[0].y[i + 1]",
            "a[0]",
            "a - -b",
            "a <= b",
            "a & &b",
        ] {
            assert!(quick(text).is_some(), "{text}");
        }
        for text in [
            "a == b == c",
            "a += 1",
            "a = b",
            "a <<= 1",
            "x.await",
            "v.iter().map(|x| x + 1)",
            "s.parse::<u8>()",
            "Vec::<u8>::new()",
            "f(x)(y)",
            "A { x }",
            "m!(x)",
            "(a)",
            "x.0.1",
            "x.0u8",
            "0..n",
            "a + b as u8",
            "a[1..]",
            "&raw const x",
            "async { x }",
            "if a { b } else { c }",
            "f(a b)",
            "x as u8",
            "",
            "::std::f()",
            "x.type",
        ] {
            assert!(quick(text).is_none(), "{text}");
        }
    }
}
