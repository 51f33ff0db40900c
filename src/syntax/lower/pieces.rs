//! The arguments of a macro whose expansion is known (std's, the vocabulary's), one piece at a
//! time: split at the top-level `,` and `;`, each piece's key taken off (`target: ..` of log and
//! tracing, `name = ..` of a named format argument, a tracing field's name and its `?`/`%`
//! sigil, a tracing field set `{ .. }` split again), and each value parsed alone, unless it would
//! lower to no node (`"{}"`, `x`, `a.b`, `3`), which is most of them. Parsing the whole stream
//! instead (syn copies every token of a stream it is given, groups and all) stopped at the first
//! piece that was not an expression: `tracing::info!(target: "t", "{}", read(p)?)` lowered
//! nothing after `target`.
//!
//! A comma at the top level of an expression can only be inside generic arguments
//! (`HashMap::<K, V>::new()`, `x as Foo<A, B>`, `<T as Tr<A, B>>::f()`) or closure parameters
//! (`|a, b| ..`): a turbofish's `::<..>` is skipped over, a `<` right after an operand in a
//! piece with no cast is a comparison, and `||` has no parameters; any other `<`, or a `|`,
//! makes the split inexact, and the caller parses the whole stream.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use syn::Expr;

use super::macros::NODE_KEYWORDS;
use super::shapes::{is_static_like, with_name};
use crate::vocab::{Category, Tables};

/// The expressions of a macro's top-level tokens `trees` that can lower to a node, each parsed
/// alone; a piece that does not parse is left out (the macro is partly opaque). `fields`: the
/// macro takes tracing's fields (`name = value`, `?value`, `%value`, `{ fields }`, values
/// wrapped in `display(..)`). `None` when the split is not exact (see the module header).
/// Allocates: run it in scratch memory.
pub(super) fn piece_exprs(trees: &[TokenTree], fields: Fields<'_>) -> Option<Pieces> {
    let mut out = Pieces::default();
    pieces(trees, fields, &mut out).then_some(out)
}

/// The vocabulary's name tables when the macro takes tracing's fields (`field-macro`), for the
/// wrappers of their values (`field-wrapper`); `None` for any other macro.
pub(super) type Fields<'a> = Option<&'a Tables>;

/// What [`piece_exprs`] found.
#[derive(Default)]
pub(super) struct Pieces {
    pub(super) exprs: Vec<Expr>,
    /// The `?` sigils of tracing's fields taken off (`?value` formats with `Debug`; it is no
    /// `?` operator, so no jump).
    pub(super) sigils: u32,
}

/// Splits `trees` and adds each piece's expression to `out`; false when the split is not exact.
fn pieces(trees: &[TokenTree], fields: Fields<'_>, out: &mut Pieces) -> bool {
    split(trees, &mut |piece, _| one_piece(piece, fields, out))
}

/// The arguments of a crate's own macro when each is an expression of `quick`'s shapes,
/// separated by `,` or `;` (a trailing one allowed): what syn's parse of the whole stream
/// (`macros::parse_all_exprs`) gives, without it. `None` when some piece is another
/// expression, or no expression at all (syn then decides whether the macro is a DSL).
/// Allocates: run it in scratch memory.
pub(super) fn quick_all(trees: &[TokenTree]) -> Option<Vec<Expr>> {
    let mut exprs = Vec::new();
    let exact = split(trees, &mut |piece, last| {
        if piece.is_empty() {
            // `a, b,`: a trailing separator; `a,,b` is no list of expressions.
            return last && !exprs.is_empty();
        }
        match super::quick::expr(piece) {
            Some(e) => {
                exprs.push(e);
                true
            }
            None => false,
        }
    });
    exact.then_some(exprs)
}

/// Calls `each` with every piece of `trees` between top-level `,` and `;` (and whether it is the
/// last one), while it returns true; false when the split is not exact or `each` said false.
fn split(trees: &[TokenTree], each: &mut dyn FnMut(&[TokenTree], bool) -> bool) -> bool {
    let mut start = 0;
    // Inside a turbofish's `::<..>` (`s.parse::<u64>()`, `Vec::<(u8, u8)>::new()`), where a
    // comma separates generic arguments.
    let mut angle = 0usize;
    // A cast in this piece (`x as Vec<A, B>`): its type's `<` opens generic arguments.
    let mut cast = false;
    let mut skip = false;
    for end in 0..=trees.len() {
        let Some(t) = trees.get(end) else {
            return each(&trees[start..], true);
        };
        if std::mem::take(&mut skip) {
            continue;
        }
        let p = match t {
            TokenTree::Punct(p) => p,
            TokenTree::Ident(i) => {
                cast |= i == "as";
                continue;
            }
            _ => continue,
        };
        match p.as_char() {
            '<' if angle > 0 || after_path_sep(trees, end) => angle += 1,
            // `->` in `Fn() -> T` is no closing bracket.
            '>' if angle > 0 && !(end > 0 && joint(&trees[end - 1], '-')) => angle -= 1,
            // A comparison (`a < b`, `v.len() << 2`): right after an operand, with no cast in
            // the piece (`x as Vec<A, B>`); `= <T as Trait>::f()` is no comparison.
            '<' if !cast && end > start && ends_operand(&trees[end - 1]) => {}
            // `||`: a logical or, or a closure without parameters; no comma in either.
            '|' if p.spacing() == Spacing::Joint && is_char_at(trees, end + 1, '|') => {
                skip = true;
            }
            // A `<` that opens generic arguments or a qualified path, or a closure's `|`: the
            // split is not exact.
            '<' | '|' => return false,
            ',' | ';' if angle == 0 => {
                if !each(&trees[start..end], false) {
                    return false;
                }
                start = end + 1;
                cast = false;
            }
            _ => {}
        }
    }
    true
}

/// Whether `trees[at]` follows a path separator `::` (a turbofish's `<`).
fn after_path_sep(trees: &[TokenTree], at: usize) -> bool {
    // The second `:` is joint too when the `<` follows it directly.
    at >= 2 && joint(&trees[at - 2], ':') && is_char(&trees[at - 1], ':')
}

/// Whether `t` is the punctuation `c` joined to the next one.
fn joint(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c && p.spacing() == Spacing::Joint)
}

fn one_piece(piece: &[TokenTree], fields: Fields<'_>, out: &mut Pieces) -> bool {
    // `target: ..`, `parent: ..`, `name: ..` (a lone `:`; a path's `::` starts with a joint one).
    let key = match piece {
        [TokenTree::Ident(_), colon, ..] if single(piece, 1, ':', &[':']) => 2,
        _ => 0,
    };
    let name = name_end(&piece[key..], fields.is_some()).map(|eq| key + eq + 1);
    let mut from = name.unwrap_or(key);
    if let Some(TokenTree::Punct(p)) = piece.get(from).filter(|_| fields.is_some()) {
        if matches!(p.as_char(), '?' | '%') {
            out.sigils += u32::from(p.as_char() == '?');
            from += 1;
        }
    }
    let mut value = &piece[from..];
    if let [TokenTree::Group(g)] = value {
        if fields.is_some() && name.is_none() && g.delimiter() == Delimiter::Brace {
            // A field set: `{ a = 1, ?b }`.
            let trees: Vec<TokenTree> = g.stream().into_iter().collect();
            return pieces(&trees, fields, out);
        }
    }
    // `display(&v)`: the value is `&v`, formatted one way or another.
    let wrapped: Vec<TokenTree>;
    if let (Some(tables), [TokenTree::Ident(w), TokenTree::Group(g)]) = (fields, value) {
        if g.delimiter() == Delimiter::Parenthesis
            && with_name(w, |w| tables.has(Category::FieldWrapper, w))
        {
            wrapped = g.stream().into_iter().collect();
            value = &wrapped;
        }
    }
    if value.is_empty() || inert(value) {
        return true;
    }
    if let Some(expr) = super::quick::expr(value) {
        out.exprs.push(expr);
        return true;
    }
    let stream: TokenStream = value.iter().cloned().collect();
    if let Ok(expr) = syn::parse2::<Expr>(stream) {
        out.exprs.push(expr);
    }
    true
}

/// Whether `t` is a name that makes a node: a keyword of [`NODE_KEYWORDS`], a static-like name.
fn makes_node(t: &TokenTree) -> bool {
    let TokenTree::Ident(i) = t else {
        return false;
    };
    with_name(i, |name| {
        NODE_KEYWORDS.contains(&name) || is_static_like(name)
    })
}

/// Where the piece's `=` after a name is: `x = ..` (a named format argument, a field), and with
/// `fields` also `a.b = ..`, `"name" = ..` and `{ NAME } = ..`.
fn name_end(piece: &[TokenTree], fields: bool) -> Option<usize> {
    let eq = match piece.first()? {
        TokenTree::Ident(_) => {
            let mut at = 1;
            // `a.b.c`: a lone `.` between names (a range's `..` starts with a joint one).
            while fields
                && single(piece, at, '.', &['.'])
                && matches!(piece.get(at + 1), Some(TokenTree::Ident(_)))
            {
                at += 2;
            }
            at
        }
        TokenTree::Literal(_) if fields => 1,
        TokenTree::Group(g) if fields && g.delimiter() == Delimiter::Brace => 1,
        _ => return None,
    };
    // A lone `=` (`==` and `=>` start with a joint one).
    single(piece, eq, '=', &['=', '>']).then_some(eq)
}

/// Whether `trees[at]` is the punctuation `c` on its own, not the start of a compound one
/// (`c` joined to one of `compound`: `::`, `..`, `==`, `=>`); `a=?b` has a joint `=` that is
/// still a single one.
fn single(trees: &[TokenTree], at: usize, c: char, compound: &[char]) -> bool {
    let Some(TokenTree::Punct(p)) = trees.get(at) else {
        return false;
    };
    let joined =
        |n: &TokenTree| matches!(n, TokenTree::Punct(n) if compound.contains(&n.as_char()));
    p.as_char() == c && (p.spacing() == Spacing::Alone || !trees.get(at + 1).is_some_and(joined))
}

/// Whether `t` can end an operand (a name, a literal, a call's or an index's group).
fn ends_operand(t: &TokenTree) -> bool {
    !matches!(t, TokenTree::Punct(_))
}

/// Whether `trees[at]` is the punctuation `c`.
fn is_char_at(trees: &[TokenTree], at: usize, c: char) -> bool {
    trees.get(at).is_some_and(|t| is_char(t, c))
}

/// Whether `t` is the punctuation `c`.
fn is_char(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

/// Whether the value would lower to no node: no group (call, block, index, nested macro), no
/// `?`, `|`, `!`, `#` or assigning `=`, no name that makes a node.
fn inert(value: &[TokenTree]) -> bool {
    let mut after_joint = false;
    value.iter().all(|t| {
        let ok = match t {
            TokenTree::Group(_) => false,
            TokenTree::Punct(p) => match p.as_char() {
                '?' | '|' | '!' | '#' => false,
                '=' => after_joint,
                _ => true,
            },
            TokenTree::Ident(_) => !makes_node(t),
            TokenTree::Literal(_) => true,
        };
        after_joint = matches!(t, TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
        ok
    })
}
