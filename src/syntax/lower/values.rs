//! Tail and `return` values, summarized ([`Value`]): what a function hands back in each branch,
//! so the analysis can tell a fork wrapper (a function returning what a fork returned) from a
//! function that forks and handles the child itself.

use super::*;

/// Adapters that wrap a value without saying anything of their own (`Ok(())` is no value).
const WRAPPERS: &[&str] = &["Ok", "Err", "Some"];

impl Lowerer<'_, '_> {
    /// The summarized value of `expr`, or `None` when it says nothing (`()`, `Ok(())`, `x.f()`).
    pub(super) fn value_of(&self, expr: &Expr) -> Option<Box<Value>> {
        let value = self.value(expr);
        informative(&value).then(|| Box::new(value))
    }

    /// The value of `expr` when it is written as a variant or constructor path, maybe inside
    /// `Ok(..)`/`Some(..)` (`Fork::Child`, `Ok(ForkResult::Parent(pid))`): cheap to tell by its
    /// shape, so only such values are kept on `let`s and assignments.
    pub(super) fn tagged_value(&self, expr: &Expr) -> Option<Box<Value>> {
        let path = match expr {
            Expr::Path(p) if p.qself.is_none() => &p.path,
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if p.qself.is_none() => &p.path,
                _ => return None,
            },
            _ => return None,
        };
        // The name's first byte in the source (no `String` for every `let x = f(..)`).
        let last = path.segments.last()?;
        let first = self
            .spans
            .byte(self.range(last.ident.span()).start as usize)?;
        if !first.is_ascii_uppercase() {
            return None;
        }
        let value = self.value_of(expr)?;
        value.tag().is_some().then_some(value)
    }

    /// The value of a block's tail expression.
    pub(super) fn tail_of(&self, block: &syn::Block) -> Option<Box<Value>> {
        block_tail(block).and_then(|e| self.value_of(e))
    }

    fn value(&self, expr: &Expr) -> Value {
        match expr {
            Expr::Paren(p) => self.value(&p.expr),
            Expr::Group(g) => self.value(&g.expr),
            Expr::Cast(c) => self.value(&c.expr),
            Expr::Try(t) => self.value(&t.expr),
            Expr::If(_) | Expr::Match(_) => Value::Nested,
            Expr::Block(b) if b.label.is_none() => Value::Nested,
            Expr::Unsafe(_) => Value::Nested,
            Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(ident) => {
                    let name = ident.to_string();
                    if name.starts_with(|c: char| c.is_lowercase() || c == '_') {
                        Value::Local(name)
                    } else {
                        Value::Path(self.resolve_path(&p.path))
                    }
                }
                None => Value::Path(self.resolve_path(&p.path)),
            },
            Expr::Call(_) if self.is_blanked_macro(expr) => Value::Other,
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if p.qself.is_none() => Value::Call(
                    self.resolve_path(&p.path),
                    c.args.iter().map(|a| self.value(a)).collect(),
                ),
                _ => Value::Other,
            },
            _ => Value::Other,
        }
    }
}

fn informative(value: &Value) -> bool {
    match value {
        Value::Other => false,
        // `crate::util::Ok` when a glob import made the resolver qualify the prelude's `Ok`.
        Value::Call(path, args) if WRAPPERS.contains(&path.rsplit("::").next().unwrap_or(path)) => {
            args.iter().any(informative)
        }
        _ => true,
    }
}
