//! Lowering: `syn` syntax trees -> the fact model (see `ir.rs`).
//!
//! This is one of the two modules that touch `syn` (with `parse.rs`). It resolves paths through
//! the file's `use` trees, computes each body's execution context (docs/contexts.md, "Contexts"), tracks
//! what is known of local variables' origins so method calls can be matched by receiver, parses
//! macro arguments when they are expressions, and records spans as byte ranges. Lowering never
//! fails: anything it does not understand becomes an opaque node that matches no rule.

use rustc_hash::FxHashMap as HashMap;

use proc_macro2::{LineColumn, Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Item, Pat as SynPat, Stmt, Type, UseTree};

use crate::base::source::{FileId, TextRange};
use crate::ir::*;
use crate::syntax::resolve::{Resolver, Scope};
use crate::vocab::{Category, Vocab};

mod extent;

/// Converts a span to a byte range in the file being lowered (slow path: proc-macro2 counts
/// chars from its last cached point; lowering uses [`SpanIndex`] instead).
pub fn range(span: Span) -> TextRange {
    let r = span.byte_range();
    TextRange::new(r.start, r.end)
}

/// Byte offsets of spans in the text syn parsed, from their line and column.
///
/// proc-macro2 finds a span's line and column (in chars) by binary search; its `byte_range()`
/// instead counts chars from the nearest offset it has cached, in a `BTreeMap` per file. Here a
/// column is a byte offset on ASCII-only lines (nearly all), and a short scan on the others.
pub struct SpanIndex<'t> {
    text: &'t str,
    /// Byte offset of each line start.
    starts: Vec<u32>,
    /// Whether each line is ASCII-only.
    ascii: Vec<bool>,
}

impl<'t> SpanIndex<'t> {
    /// `text` must be the text syn parsed (see `parse::parse_text`).
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        let mut ascii = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        let mut start = 0;
        for i in memchr::memchr_iter(b'\n', bytes) {
            ascii.push(bytes[start..i].is_ascii());
            start = i + 1;
            starts.push(u32::try_from(start).unwrap_or(u32::MAX));
        }
        ascii.push(bytes[start..].is_ascii());
        SpanIndex {
            text,
            starts,
            ascii,
        }
    }

    /// The byte offset of a line/column (1-based line, column in chars), as `byte_range()` gives.
    fn offset(&self, at: LineColumn) -> usize {
        let line0 = at.line.saturating_sub(1);
        let Some(&start) = self.starts.get(line0) else {
            return self.text.len();
        };
        let start = start as usize;
        if self.ascii[line0] {
            return (start + at.column).min(self.text.len());
        }
        match self.text[start..].char_indices().nth(at.column) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }

    pub fn range(&self, first: Span, last: Span) -> TextRange {
        TextRange::new(self.offset(first.start()), self.offset(last.end()))
    }
}

/// Methods that pass their receiver's origin through unchanged.
const TRANSPARENT_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "clone",
    "as_ref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "to_owned",
    "into",
    "deref",
    "deref_mut",
    "unwrap_or_else",
    "unwrap_unchecked",
];

/// Types that auto-deref to their first generic argument for method lookup.
const SMART_POINTERS: &[&str] = &[
    "std::sync::Arc",
    "std::rc::Rc",
    "std::boxed::Box",
    "std::pin::Pin",
    "std::option::Option",
];

/// Constructors that wrap their first argument (origin passes through).
const WRAPPING_CTORS: &[&str] = &[
    "std::sync::Arc::new",
    "std::rc::Rc::new",
    "std::boxed::Box::new",
    "std::boxed::Box::pin",
    "std::pin::Pin::new",
    "Some",
    "Ok",
];

/// Macros of the standard library (their expansion never jumps out of an enclosing loop).
const STD_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "cfg",
    "column",
    "compile_error",
    "concat",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "thread_local",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Wrapper types whose initializer runs at first use.
const LAZY_TYPES: &[&str] = &[
    "std::sync::LazyLock",
    "std::cell::LazyCell",
    "once_cell::sync::Lazy",
    "once_cell::unsync::Lazy",
    "std::sync::OnceLock",
    "once_cell::sync::OnceCell",
];

/// Lowers one parsed file (spans are converted by proc-macro2: prefer [`lower_file_with_text`]).
pub fn lower_file(file: &syn::File, file_id: FileId, module: &str, vocab: &Vocab) -> FileModel {
    lower(file, None, file_id, module, vocab)
}

/// Lowers one parsed file; `text` is the text syn parsed (see `parse::parse_text`).
pub fn lower_file_with_text(
    file: &syn::File,
    text: &str,
    file_id: FileId,
    module: &str,
    vocab: &Vocab,
) -> FileModel {
    lower(file, Some(SpanIndex::new(text)), file_id, module, vocab)
}

fn lower(
    file: &syn::File,
    spans: Option<SpanIndex<'_>>,
    file_id: FileId,
    module: &str,
    vocab: &Vocab,
) -> FileModel {
    let mut lowerer = Lowerer {
        vocab,
        spans,
        model: FileModel {
            file: file_id,
            module: module.to_string(),
            ..FileModel::default()
        },
        resolver: Resolver::new(module.to_string()),
        locals: Vec::new(),
        chain: None,
        fields: HashMap::default(),
        static_types: HashMap::default(),
        current: None,
        context: Context::Sync,
        cfg_test: false,
    };
    lowerer.model.test_only = file.attrs.iter().any(is_cfg_test);
    lowerer.cfg_test = lowerer.model.test_only;
    // Pass 1: names of every module, struct fields and static types, so that pass 2 can resolve
    // receivers declared anywhere in the file.
    let scope = lowerer.module_scope(&file.items, module, true);
    lowerer.resolver.push(scope);
    lowerer.collect_types(&file.items);
    lowerer.items(&file.items);
    let mut model = lowerer.model;
    for body in model.bodies.values_mut() {
        shrink_nodes(&mut body.block.nodes);
    }
    model.bodies.shrink_to_fit();
    crate::ir::ids::number(&mut model);
    model
}

/// Drops the spare capacity of every node list: the model of a whole tree stays in memory until
/// the rules have run, and vectors grown by doubling are a third empty on average.
fn shrink_nodes(nodes: &mut Vec<Node>) {
    nodes.shrink_to_fit();
    for node in nodes {
        match node {
            Node::Let(l) => {
                shrink_nodes(&mut l.init);
                if let Some(b) = &mut l.else_block {
                    shrink_nodes(&mut b.nodes);
                }
            }
            Node::Assign(a) => shrink_nodes(&mut a.value),
            Node::If(i) => {
                shrink_nodes(&mut i.cond_nodes);
                shrink_nodes(&mut i.then_block.nodes);
                if let Some(b) = &mut i.else_block {
                    shrink_nodes(&mut b.nodes);
                }
            }
            Node::Match(m) => {
                shrink_nodes(&mut m.scrutinee_nodes);
                for arm in &mut m.arms {
                    shrink_nodes(&mut arm.guard);
                    shrink_nodes(&mut arm.body.nodes);
                }
            }
            Node::Loop(l) => {
                shrink_nodes(&mut l.header);
                shrink_nodes(&mut l.body.nodes);
            }
            Node::Block(b) => shrink_nodes(&mut b.nodes),
            Node::Call(_)
            | Node::Macro(_)
            | Node::Await(_)
            | Node::Closure(_)
            | Node::Jump(_)
            | Node::PathRef(_) => {}
        }
    }
}

struct Local {
    name: String,
    origin: Option<Origin>,
}

/// The method call lowered last, as the receiver of the next link of its chain.
struct ChainLink {
    /// Compared, never dereferenced.
    expr: *const Expr,
    /// What `Lowerer::receiver(expr)` gives, as long as `locals` is unchanged: lowering the
    /// call's arguments only adds locals (in scopes it pops again, or in the current one).
    receiver: Receiver,
    /// `extent::expr_first(expr)`.
    first: Span,
    /// `Lowerer::locals_state()` when `receiver` was computed.
    locals: (usize, usize),
}

struct Lowerer<'v, 't> {
    vocab: &'v Vocab,
    /// Byte offsets of spans (`None`: ask proc-macro2).
    spans: Option<SpanIndex<'t>>,
    model: FileModel,
    resolver: Resolver,
    /// Local bindings visible here, innermost last (closures see their parents' locals).
    locals: Vec<Vec<Local>>,
    /// The method call lowered last (see [`ChainLink`]).
    chain: Option<ChainLink>,
    /// struct canonical path -> field name -> origin of its type.
    fields: HashMap<String, HashMap<String, Origin>>,
    /// static canonical path -> origin of its type.
    static_types: HashMap<String, Origin>,
    current: Option<BodyId>,
    context: Context,
    cfg_test: bool,
}

fn is_cfg_test(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg") && {
        let tokens = attr.meta.to_token_stream_string();
        tokens.contains("test") && !tokens.contains("not")
    }
}

trait MetaText {
    fn to_token_stream_string(&self) -> String;
}

impl MetaText for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self).to_string()
    }
}

fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn int_literal(lit: &syn::Lit) -> Option<i128> {
    match lit {
        syn::Lit::Int(i) => i.base10_parse::<i128>().ok(),
        _ => None,
    }
}

/// Flattens a `use` tree into (local name, raw target segments) pairs and glob prefixes.
fn flatten_use(
    tree: &UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
    globs: &mut Vec<Vec<String>>,
) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out, globs);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push((last.clone(), prefix.clone()));
                }
            } else {
                let mut target = prefix.clone();
                target.push(name.clone());
                out.push((name, target));
            }
        }
        UseTree::Rename(r) => {
            let name = r.rename.to_string();
            if name == "_" {
                return;
            }
            let mut target = prefix.clone();
            if r.ident != "self" {
                target.push(r.ident.to_string());
            }
            out.push((name, target));
        }
        UseTree::Glob(_) => globs.push(prefix.clone()),
        UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out, globs);
            }
        }
    }
}

impl Lowerer<'_, '_> {
    // ---------------------------------------------------------------- spans

    /// The byte range of one span.
    fn range(&self, span: Span) -> TextRange {
        self.extent(span, span)
    }

    /// From the start of `first` to the end of `last`.
    fn extent(&self, first: Span, last: Span) -> TextRange {
        match &self.spans {
            Some(index) => index.range(first, last),
            None => {
                let (a, b) = (first.byte_range(), last.byte_range());
                TextRange::new(a.start, b.end)
            }
        }
    }

    /// `extent::expr_first(expr)`, from the method call just lowered when `expr` is that call:
    /// a chain's links all start where its root does, found once rather than at every link.
    fn chain_first(&self, expr: &Expr) -> Span {
        match &self.chain {
            Some(link) if std::ptr::eq(expr, link.expr) => link.first,
            _ => extent::expr_first(expr),
        }
    }

    /// The range of a whole expression (what `range(expr.span())` gives, without printing it).
    fn expr_range(&self, expr: &Expr) -> TextRange {
        self.extent(extent::expr_first(expr), extent::expr_last(expr))
    }

    // ---------------------------------------------------------------- scopes and resolution

    /// Builds the scope of a module (or block) from its items: their names and `use` imports.
    fn module_scope<'i>(
        &mut self,
        items: impl IntoIterator<Item = &'i Item>,
        module: &str,
        record: bool,
    ) -> Scope {
        let mut scope = Scope::default();
        let mut raw_uses = Vec::new();
        let mut raw_globs = Vec::new();
        for item in items {
            let name = match item {
                Item::Fn(f) => Some(&f.sig.ident),
                Item::Struct(s) => Some(&s.ident),
                Item::Enum(e) => Some(&e.ident),
                Item::Union(u) => Some(&u.ident),
                Item::Trait(t) => Some(&t.ident),
                Item::Type(t) => Some(&t.ident),
                Item::Static(s) => Some(&s.ident),
                Item::Const(c) => Some(&c.ident),
                Item::Mod(m) => Some(&m.ident),
                Item::Use(u) => {
                    let leading = u.leading_colon.is_some();
                    let mut prefix = Vec::new();
                    if leading {
                        prefix.push(String::new());
                    }
                    flatten_use(&u.tree, &mut prefix, &mut raw_uses, &mut raw_globs);
                    None
                }
                Item::ExternCrate(e) => {
                    let krate = e.ident.to_string();
                    if e.attrs.iter().any(|a| a.path().is_ident("macro_use")) {
                        self.resolver.macro_use.push(krate.clone());
                    }
                    if let Some((_, rename)) = &e.rename {
                        scope.imports.insert(rename.to_string(), krate);
                    }
                    None
                }
                Item::Macro(m) => {
                    // lazy_static! / thread_local! define statics by name.
                    for name in macro_static_names(&m.mac.tokens) {
                        scope
                            .items
                            .insert(name.clone(), format!("{module}::{name}"));
                    }
                    None
                }
                _ => None,
            };
            if let Some(ident) = name {
                let name = ident.to_string();
                scope
                    .items
                    .insert(name.clone(), format!("{module}::{name}"));
            }
        }
        // Resolve import targets against the scope being built (so `use std::sync; use
        // sync::Mutex;` and `use self::m::f` work), then against outer scopes.
        self.resolver.push(scope);
        let mut resolved = Vec::new();
        for (name, target) in raw_uses {
            let leading = target.first().is_some_and(|s| s.is_empty());
            let segs: Vec<&str> = target
                .iter()
                .filter(|s| !s.is_empty())
                .map(String::as_str)
                .collect();
            // An import does not resolve through itself (`use log::info;` binds `info`, not log).
            let path = if !leading && segs.first() == Some(&name.as_str()) && segs.len() == 1 {
                segs.join("::")
            } else {
                self.resolver.resolve(&segs, leading, self.vocab)
            };
            resolved.push((name, path));
        }
        let mut scope = self.resolver.pop().unwrap_or_default();
        let mut exported = ModuleScope {
            path: module.to_string(),
            imports: resolved.clone(),
            globs: Vec::new(),
        };
        for (name, path) in resolved {
            scope.imports.insert(name, path);
        }
        for glob in raw_globs {
            let leading = glob.first().is_some_and(|s| s.is_empty());
            let segs: Vec<&str> = glob
                .iter()
                .filter(|s| !s.is_empty())
                .map(String::as_str)
                .collect();
            if segs.is_empty() {
                continue;
            }
            let path = self.resolver.resolve(&segs, leading, self.vocab);
            exported.globs.push(path.clone());
            scope.globs.push(path);
        }
        if record {
            self.model.modules.push(exported);
        }
        scope
    }

    fn resolve_path(&self, path: &syn::Path) -> String {
        let segs = path_segments(path);
        let refs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.resolver
            .resolve(&refs, path.leading_colon.is_some(), self.vocab)
    }

    fn resolve_macro(&self, path: &syn::Path) -> String {
        let segs = path_segments(path);
        let refs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.resolver
            .resolve_macro(&refs, path.leading_colon.is_some(), self.vocab)
    }

    /// Canonical path of a type, seeing through references and smart pointers.
    fn type_origin(&self, ty: &Type) -> Option<Origin> {
        match ty {
            Type::Reference(r) => self.type_origin(&r.elem),
            Type::Paren(p) => self.type_origin(&p.elem),
            Type::Group(g) => self.type_origin(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                let path = self.resolve_path(&p.path);
                if SMART_POINTERS.contains(&path.as_str()) {
                    let last = p.path.segments.last()?;
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        for arg in &args.args {
                            if let syn::GenericArgument::Type(inner) = arg {
                                return self.type_origin(inner);
                            }
                        }
                    }
                    return None;
                }
                Some(Origin::ty(path))
            }
            _ => None,
        }
    }

    // ---------------------------------------------------------------- pass 1: types

    fn collect_types(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Struct(s) => {
                    let path = format!("{}::{}", self.resolver.module, s.ident);
                    let mut fields = HashMap::default();
                    for field in &s.fields {
                        if let (Some(name), Some(origin)) =
                            (&field.ident, self.type_origin(&field.ty))
                        {
                            fields.insert(name.to_string(), origin);
                        }
                    }
                    self.fields.insert(path, fields);
                }
                Item::Static(s) => {
                    if let Some(origin) = self.type_origin(&s.ty) {
                        let path = format!("{}::{}", self.resolver.module, s.ident);
                        self.static_types.insert(path, origin);
                    }
                }
                // `lazy_static! { static ref M: Mutex<()> = .. }`: `M` derefs to its declared type.
                Item::Macro(m) if self.resolve_macro(&m.mac.path).ends_with("lazy_static") => {
                    let Ok(decls) = parse_static_decls.parse2(m.mac.tokens.clone()) else {
                        continue;
                    };
                    for (ident, ty, _) in decls {
                        if let Some(origin) = self.type_origin(&ty) {
                            let path = format!("{}::{}", self.resolver.module, ident);
                            self.static_types.insert(path, origin);
                        }
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        let module = format!("{}::{}", self.resolver.module, m.ident);
                        let saved = std::mem::replace(&mut self.resolver.module, module.clone());
                        let scope = self.module_scope(items, &module, false);
                        self.resolver.push(scope);
                        self.collect_types(items);
                        self.resolver.pop();
                        self.resolver.module = saved;
                    }
                }
                _ => {}
            }
        }
    }

    // ---------------------------------------------------------------- pass 2: items

    fn items(&mut self, items: &[Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Fn(f) => {
                let cfg_test = f.attrs.iter().any(is_cfg_test);
                let path = format!("{}::{}", self.resolver.module, f.sig.ident);
                self.function(
                    &f.attrs,
                    &f.sig,
                    &f.block,
                    f.sig.ident.to_string(),
                    path,
                    cfg_test,
                    self.extent(
                        extent::fn_first(&f.attrs, Some(&f.vis), &f.sig),
                        f.block.brace_token.span.join(),
                    ),
                );
            }
            Item::Impl(imp) => {
                let self_ty = match self.type_origin(&imp.self_ty) {
                    Some(origin) => origin.base,
                    None => return,
                };
                let short = self_ty.rsplit("::").next().unwrap_or(&self_ty).to_string();
                let saved = self.resolver.self_ty.replace(self_ty.clone());
                let cfg_test = imp.attrs.iter().any(is_cfg_test);
                for impl_item in &imp.items {
                    if let syn::ImplItem::Fn(f) = impl_item {
                        let name = format!("{short}::{}", f.sig.ident);
                        let path = format!("{self_ty}::{}", f.sig.ident);
                        self.function(
                            &f.attrs,
                            &f.sig,
                            &f.block,
                            name,
                            path,
                            cfg_test || f.attrs.iter().any(is_cfg_test),
                            self.extent(extent::impl_fn_first(f), f.block.brace_token.span.join()),
                        );
                    }
                }
                self.resolver.self_ty = saved;
            }
            Item::Trait(t) => {
                let trait_path = format!("{}::{}", self.resolver.module, t.ident);
                let saved = self.resolver.self_ty.replace(trait_path.clone());
                for trait_item in &t.items {
                    if let syn::TraitItem::Fn(f) = trait_item {
                        if let Some(block) = &f.default {
                            let name = format!("{}::{}", t.ident, f.sig.ident);
                            let path = format!("{trait_path}::{}", f.sig.ident);
                            self.function(
                                &f.attrs,
                                &f.sig,
                                block,
                                name,
                                path,
                                false,
                                self.extent(
                                    extent::fn_first(&f.attrs, None, &f.sig),
                                    block.brace_token.span.join(),
                                ),
                            );
                        }
                    }
                }
                self.resolver.self_ty = saved;
            }
            Item::Mod(m) => {
                let module = format!("{}::{}", self.resolver.module, m.ident);
                match &m.content {
                    Some((_, items)) => {
                        let saved_module =
                            std::mem::replace(&mut self.resolver.module, module.clone());
                        let saved_test = self.cfg_test;
                        self.cfg_test |= m.attrs.iter().any(is_cfg_test);
                        let scope = self.module_scope(items, &module, true);
                        self.resolver.push(scope);
                        self.items(items);
                        self.resolver.pop();
                        self.cfg_test = saved_test;
                        self.resolver.module = saved_module;
                    }
                    None => {
                        let path_attr = m.attrs.iter().find_map(|a| {
                            if !a.path().is_ident("path") {
                                return None;
                            }
                            match &a.meta {
                                syn::Meta::NameValue(nv) => match &nv.value {
                                    Expr::Lit(syn::ExprLit {
                                        lit: syn::Lit::Str(s),
                                        ..
                                    }) => Some(s.value()),
                                    _ => None,
                                },
                                _ => None,
                            }
                        });
                        self.model.mod_decls.push(ModDecl {
                            name: m.ident.to_string(),
                            path_attr,
                            parent: self.resolver.module.clone(),
                            span: self.range(m.ident.span()),
                        });
                    }
                }
            }
            Item::Static(s) => {
                let path = format!("{}::{}", self.resolver.module, s.ident);
                let ty = self.type_origin(&s.ty);
                self.static_item(path, self.range(s.ident.span()), ty, &s.expr);
            }
            Item::Const(c) => {
                // Consts are inlined at each use; their initializers run at compile time.
                let _ = c;
            }
            Item::Macro(m) => self.item_macro(m),
            _ => {}
        }
    }

    fn static_item(&mut self, path: String, span: TextRange, ty: Option<Origin>, init: &Expr) {
        let lazy = ty
            .as_ref()
            .is_some_and(|o| LAZY_TYPES.contains(&o.base.as_str()));
        let body = self.new_body(
            format!(
                "initializer of `{}`",
                path.rsplit("::").next().unwrap_or(&path)
            ),
            BodyKind::StaticInit,
            Context::Sync,
            Role::Plain,
            span,
            self.expr_range(init),
        );
        self.enter_body(body, Context::Sync, |this, nodes| this.expr(init, nodes));
        self.model.statics.push(StaticItem {
            path,
            span,
            ty,
            init: Some(body),
            lazy,
        });
    }

    /// `lazy_static! { static ref X: T = init; }` and `thread_local!`.
    fn item_macro(&mut self, m: &syn::ItemMacro) {
        let path = self.resolve_macro(&m.mac.path);
        let lazy = path.ends_with("lazy_static") || path.ends_with("thread_local");
        if !lazy {
            return;
        }
        let Ok(decls) = parse_static_decls.parse2(m.mac.tokens.clone()) else {
            return;
        };
        for (ident, ty, init) in decls {
            let spath = format!("{}::{}", self.resolver.module, ident);
            let origin = self.type_origin(&ty);
            let before = self.model.statics.len();
            self.static_item(spath, self.range(ident.span()), origin, &init);
            if let Some(item) = self.model.statics.get_mut(before) {
                item.lazy = true;
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site per item kind; a struct would only rename them
    fn function(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        block: &syn::Block,
        name: String,
        path: String,
        cfg_test: bool,
        full: TextRange,
    ) {
        let is_async = sig.asyncness.is_some();
        let context = if is_async {
            Context::Async
        } else {
            Context::Sync
        };
        let id = self.new_body(
            name,
            BodyKind::Fn,
            context,
            Role::Plain,
            self.range(sig.ident.span()),
            full,
        );
        let mut fn_attrs = self.fn_attrs(attrs);
        fn_attrs.cfg_test = cfg_test || self.cfg_test;
        let diverges =
            matches!(&sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)));
        let mut params = Vec::new();
        let mut has_self = false;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    has_self = true;
                    let origin = self.resolver.self_ty.clone().map(Origin::ty);
                    params.push(("self".to_string(), origin));
                }
                syn::FnArg::Typed(pt) => {
                    let origin = self.type_origin(&pt.ty);
                    let mut names = Vec::new();
                    pat_names(&pt.pat, &mut names);
                    for n in names {
                        params.push((n, origin.clone()));
                    }
                }
            }
        }
        {
            let body = &mut self.model.bodies[id];
            body.is_async = is_async;
            body.diverges = diverges;
            body.has_self = has_self;
            body.attrs = fn_attrs;
            body.path = Some(path);
            body.self_ty = self.resolver.self_ty.clone();
            body.params = params.clone();
        }
        // A fn item does not see the locals of an enclosing fn.
        let saved_locals = std::mem::take(&mut self.locals);
        self.locals.push(
            params
                .into_iter()
                .map(|(name, origin)| Local { name, origin })
                .collect(),
        );
        self.enter_body(id, context, |this, nodes| this.block_nodes(block, nodes));
        self.locals = saved_locals;
    }

    fn fn_attrs(&self, attrs: &[syn::Attribute]) -> FnAttrs {
        let mut out = FnAttrs::default();
        for attr in attrs {
            // Attributes are macros: a bare `#[test]` is the built-in one unless a `use` names
            // another (a crate-local glob such as `use crate::*;` does not make it `crate::test`).
            let path = self.resolve_macro(attr.path());
            let last = attr
                .path()
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            let args = match &attr.meta {
                syn::Meta::List(list) => list.tokens.to_string(),
                _ => String::new(),
            };
            match last.as_str() {
                "test" => {
                    out.test = true;
                    if path != "test" && path != "std::test" {
                        // #[tokio::test] builds a current-thread runtime unless told otherwise.
                        out.async_main = Some(AsyncMain {
                            path: path.clone(),
                            multi_thread: args.contains("multi_thread"),
                            span: self.range(attr.span()),
                        });
                    }
                }
                "main" if path != "main" && path != "std::main" => {
                    let multi_thread = !args.contains("current_thread")
                        && !path.starts_with("actix")
                        && !path.starts_with("monoio")
                        && !path.starts_with("glommio");
                    out.async_main = Some(AsyncMain {
                        path: path.clone(),
                        multi_thread,
                        span: self.range(attr.span()),
                    });
                }
                "ctor" => out.ctor = true,
                "rstest" | "test_case" => out.test = true,
                _ => {}
            }
        }
        out
    }

    // ---------------------------------------------------------------- bodies

    fn new_body(
        &mut self,
        name: String,
        kind: BodyKind,
        context: Context,
        role: Role,
        span: TextRange,
        full_span: TextRange,
    ) -> BodyId {
        self.model.bodies.alloc(Body {
            name,
            path: None,
            self_ty: self.resolver.self_ty.clone(),
            kind,
            context,
            role,
            parent: self.current,
            span,
            full_span,
            is_async: false,
            diverges: false,
            has_self: false,
            attrs: FnAttrs {
                cfg_test: self.cfg_test,
                ..FnAttrs::default()
            },
            params: Vec::new(),
            block: Block {
                id: Default::default(),
                nodes: Vec::new(),
                span: full_span,
            },
        })
    }

    fn enter_body(
        &mut self,
        id: BodyId,
        context: Context,
        f: impl FnOnce(&mut Self, &mut Vec<Node>),
    ) {
        let saved_current = self.current.replace(id);
        let saved_context = std::mem::replace(&mut self.context, context);
        let mut nodes = Vec::new();
        f(self, &mut nodes);
        self.model.bodies[id].block.nodes = nodes;
        self.current = saved_current;
        self.context = saved_context;
    }

    // ---------------------------------------------------------------- locals

    fn bind(&mut self, name: String, origin: Option<Origin>) {
        if let Some(scope) = self.locals.last_mut() {
            scope.push(Local { name, origin });
        }
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.locals
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|l| l.name == name)
    }

    fn is_local(&self, name: &str) -> bool {
        self.local(name).is_some()
    }

    // ---------------------------------------------------------------- statements

    fn block_nodes(&mut self, block: &syn::Block, out: &mut Vec<Node>) {
        self.locals.push(Vec::new());
        // Items and `use`s inside a block are visible in the whole block.
        let items: Vec<&Item> = block
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        let pushed = !items.is_empty();
        if pushed {
            let module = self.resolver.module.clone();
            let mut scope = self.module_scope(items, &module, false);
            // Block-level items are not module items: keep only what the block imports or
            // defines as functions (named like module items for resolution).
            scope.items.retain(|_, _| true);
            self.resolver.push(scope);
        }
        for stmt in &block.stmts {
            self.stmt(stmt, out);
        }
        if pushed {
            self.resolver.pop();
        }
        self.locals.pop();
    }

    fn block(&mut self, block: &syn::Block) -> Block {
        let mut nodes = Vec::new();
        self.block_nodes(block, &mut nodes);
        Block {
            id: Default::default(),
            nodes,
            span: self.range(block.brace_token.span.join()),
        }
    }

    fn stmt(&mut self, stmt: &Stmt, out: &mut Vec<Node>) {
        match stmt {
            Stmt::Local(local) => self.let_stmt(local, out),
            Stmt::Item(item) => {
                // Nested fns are separate bodies; they do not inherit the context.
                let saved = self.current.take();
                let saved_ctx = std::mem::replace(&mut self.context, Context::Sync);
                self.item(item);
                self.current = saved;
                self.context = saved_ctx;
            }
            Stmt::Expr(expr, _) => self.expr(expr, out),
            Stmt::Macro(m) => self.mac(&m.mac, out),
        }
    }

    fn let_stmt(&mut self, local: &syn::Local, out: &mut Vec<Node>) {
        let (pat, declared) = match &local.pat {
            SynPat::Type(pt) => (&*pt.pat, self.type_origin(&pt.ty)),
            other => (other, None),
        };
        let mut init_nodes = Vec::new();
        let mut origin = declared;
        let mut guard_of = None;
        let mut init_local = None;
        let mut else_block = None;
        if let Some(init) = &local.init {
            self.expr(&init.expr, &mut init_nodes);
            if origin.is_none() {
                origin = self.origin_of(&init.expr);
            }
            guard_of = self.guard_of(&init.expr);
            init_local = plain_local(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                let mut nodes = Vec::new();
                self.expr(diverge, &mut nodes);
                else_block = Some(Block {
                    id: Default::default(),
                    nodes,
                    span: self.expr_range(diverge),
                });
            }
        }
        let mut names = Vec::new();
        pat_names(pat, &mut names);
        for name in &names {
            self.bind(name.clone(), origin.clone());
        }
        out.push(Node::Let(Box::new(Let {
            names,
            span: self.extent(extent::local_first(local), local.semi_token.span),
            origin,
            init: init_nodes,
            init_local,
            else_block,
            guard_of,
            wildcard: matches!(pat, SynPat::Wild(_)),
        })));
    }

    /// If `expr` is a lock acquisition (`m.lock()`, `m.lock().unwrap()`, `m.write()?`), its info.
    fn guard_of(&self, expr: &Expr) -> Option<GuardInfo> {
        let mut e = expr;
        loop {
            match e {
                Expr::Try(t) => e = &t.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::MethodCall(mc)
                    if TRANSPARENT_METHODS.contains(&mc.method.to_string().as_str())
                        && mc.method != "clone" =>
                {
                    e = &mc.receiver
                }
                Expr::MethodCall(mc) => {
                    let name = mc.method.to_string();
                    if !matches!(
                        name.as_str(),
                        "lock" | "read" | "write" | "try_lock" | "try_read" | "try_write"
                    ) {
                        return None;
                    }
                    let origin = self.origin_of(&mc.receiver);
                    let on_static = if self
                        .vocab
                        .method(Category::Lock, &name, origin.as_ref())
                        .is_some()
                    {
                        None
                    } else if origin.is_none() {
                        // A static declared in another file of the crate (nix's tests:
                        // `crate::FORK_MTX.lock()`): its type is known only crate-wide.
                        Some((self.foreign_static(&mc.receiver)?, name))
                    } else {
                        return None;
                    };
                    return Some(GuardInfo {
                        span: self.range(mc.method.span()),
                        lock_name: expr_text(&mc.receiver),
                        on_static,
                    });
                }
                _ => return None,
            }
        }
    }

    /// The canonical path of a crate-local static this file does not declare, if `expr` names
    /// one (`crate::FORK_MTX`, or `FORK_MTX` imported from the crate root).
    fn foreign_static(&self, expr: &Expr) -> Option<String> {
        let Expr::Path(p) = expr else {
            return None;
        };
        if p.qself.is_some() {
            return None;
        }
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if name == "self" || self.is_local(&name) {
                return None;
            }
        }
        let path = self.resolve_path(&p.path);
        (path.starts_with("crate::") && !self.static_types.contains_key(&path)).then_some(path)
    }

    // ---------------------------------------------------------------- origins

    fn origin_of(&self, expr: &Expr) -> Option<Origin> {
        match expr {
            Expr::Call(call) => {
                let Expr::Path(p) = &*call.func else {
                    return None;
                };
                let path = self.resolve_path(&p.path);
                if WRAPPING_CTORS.contains(&path.as_str())
                    || self.vocab.path(Category::Wraps, &path).is_some()
                {
                    return call.args.first().and_then(|a| self.origin_of(a));
                }
                // A function the vocabulary knows to return another type (`File::options()`
                // is an `OpenOptions`): its result has that type, not the path's.
                if let Some(ty) = self.vocab.returns(&path) {
                    return Some(Origin::ty(ty));
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
            Expr::Field(f) => {
                let syn::Member::Named(field) = &f.member else {
                    return None;
                };
                let base = self.origin_of(&f.base)?;
                if !base.methods.is_empty() {
                    return None;
                }
                self.fields
                    .get(&base.base)?
                    .get(&field.to_string())
                    .cloned()
            }
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

    /// The origin of `receiver.method(..)` given the receiver's.
    fn method_origin(&self, origin: Option<Origin>, method: &syn::Ident) -> Option<Origin> {
        let mut origin = origin?;
        let name = method.to_string();
        // Builder methods (vocabulary `builder`) return their receiver's type.
        let builder = self
            .vocab
            .method(Category::Builder, &name, Some(&origin))
            .is_some();
        if !TRANSPARENT_METHODS.contains(&name.as_str())
            && !builder
            && origin.methods.len() < self.vocab.origin_methods_kept()
        {
            origin.methods.push(name);
        }
        Some(origin)
    }

    /// The locals in scope, as far as a [`ChainLink`] needs to tell whether they changed.
    fn locals_state(&self) -> (usize, usize) {
        (self.locals.len(), self.locals.last().map_or(0, Vec::len))
    }

    /// What [`Lowerer::receiver`] gives for `expr`, taken from the link just lowered when `expr`
    /// is that method call (or it with `?` or `.await`) and no local appeared since: each link
    /// of `a.b()?.c().d()..` then costs the same, not the length of the chain before it.
    fn chain_receiver(&self, expr: &Expr) -> Option<Receiver> {
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
        if !std::ptr::eq(e, link.expr) {
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

    fn receiver(&self, expr: &Expr) -> Receiver {
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
                        if self.is_local(&name) || name == "self" {
                            local = Some(name);
                            break;
                        }
                    }
                    path = Some(self.resolve_path(&p.path));
                    break;
                }
                Expr::Field(f) => {
                    if field.is_none() {
                        if let syn::Member::Named(n) = &f.member {
                            field = Some(n.to_string());
                        }
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
        Receiver {
            local,
            field,
            origin,
            path,
        }
    }

    // ---------------------------------------------------------------- expressions

    /// The role and context for closures passed to a callee.
    fn closure_role(&self, callee: &Callee) -> Option<(Role, Context)> {
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

    fn scope_param(&self, callee: &Callee) -> Option<Origin> {
        let entry = self.vocab.call(Category::Scoped, callee)?;
        entry.param.clone().map(Origin::ty)
    }

    fn args(
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

    fn arg(
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

    fn closure(
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
                .map(|(name, origin)| Local { name, origin })
                .collect(),
        );
        self.enter_body(id, context, |this, nodes| this.expr(&c.body, nodes));
        self.locals.pop();
        id
    }

    fn async_block(&mut self, a: &syn::ExprAsync, role: Option<Role>) -> BodyId {
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
        });
        id
    }

    fn expr(&mut self, expr: &Expr, out: &mut Vec<Node>) {
        match expr {
            Expr::Call(call) => {
                let callee = match &*call.func {
                    Expr::Path(p) if p.qself.is_none() => {
                        let is_local = p
                            .path
                            .get_ident()
                            .is_some_and(|i| self.is_local(&i.to_string()));
                        if is_local {
                            Callee::Unknown
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
                        Callee::Unknown
                    }
                };
                let role = self.closure_role(&callee);
                let param = self.scope_param(&callee);
                let args = self.args(&mut call.args.iter(), role, param, out);
                out.push(Node::Call(Box::new(Call {
                    id: Default::default(),
                    span: self.expr_range(&call.func),
                    expr_span: self.expr_range(expr),
                    callee,
                    args,
                    awaited: false,
                })));
            }
            Expr::MethodCall(mc) => {
                self.expr(&mc.receiver, out);
                let receiver = Box::new(self.receiver(&mc.receiver));
                // This call as the receiver of the next link, computed now (before the arguments
                // are lowered) like `receiver` would compute it then, if no local appears.
                let first = match extent::outer_attr_first(&mc.attrs) {
                    Some(span) => span,
                    None => self.chain_first(&mc.receiver),
                };
                let link = ChainLink {
                    expr,
                    receiver: Receiver {
                        origin: self.method_origin(receiver.origin.clone(), &mc.method),
                        ..(*receiver).clone()
                    },
                    first,
                    locals: self.locals_state(),
                };
                let callee = Callee::Method {
                    name: mc.method.to_string(),
                    receiver,
                };
                let role = self.closure_role(&callee);
                let param = self.scope_param(&callee);
                let args = self.args(&mut mc.args.iter(), role, param, out);
                out.push(Node::Call(Box::new(Call {
                    id: Default::default(),
                    span: self.range(mc.method.span()),
                    expr_span: self.extent(first, extent::expr_last(expr)),
                    callee,
                    args,
                    awaited: false,
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
                        let mut guard = Vec::new();
                        if let Some((_, g)) = &arm.guard {
                            self.expr(g, &mut guard);
                        }
                        let body = self.expr_block(&arm.body);
                        self.locals.pop();
                        Arm {
                            pat: self.pat(&arm.pat),
                            guard,
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
                        .map(|n| Local {
                            name: n.clone(),
                            origin: None,
                        })
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
                }));
            }
            Expr::Continue(c) => out.push(Node::Jump(Jump {
                kind: JumpKind::Continue,
                label: c.label.as_ref().map(|l| l.ident.to_string()),
                span: self.range(c.continue_token.span),
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
    fn expr_block(&mut self, expr: &Expr) -> Block {
        if let Expr::Block(b) = expr {
            if b.label.is_none() {
                return self.block(&b.block);
            }
        }
        let mut nodes = Vec::new();
        self.locals.push(Vec::new());
        self.expr(expr, &mut nodes);
        self.locals.pop();
        Block {
            id: Default::default(),
            nodes,
            span: self.expr_range(expr),
        }
    }

    fn if_expr(&mut self, i: &syn::ExprIf) -> If {
        let mut cond_nodes = Vec::new();
        self.locals.push(Vec::new());
        self.expr(&i.cond, &mut cond_nodes);
        let cond = self.cond(&i.cond);
        let then_block = self.block(&i.then_branch);
        self.locals.pop();
        let else_block = i.else_branch.as_ref().map(|(_, e)| match &**e {
            Expr::If(nested) => {
                let span = self.range(nested.if_token.span);
                let node = self.if_expr(nested);
                Block {
                    id: Default::default(),
                    span,
                    nodes: vec![Node::If(Box::new(node))],
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

    fn cond(&self, expr: &Expr) -> Cond {
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

    fn operand(&self, expr: &Expr) -> Operand {
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
                if matches!(mc.method.to_string().as_str(), "unwrap" | "expect") =>
            {
                self.operand(&mc.receiver)
            }
            Expr::Unsafe(u) => block_tail(&u.block).map_or(Operand::Other, |e| self.operand(e)),
            Expr::Block(b) => block_tail(&b.block).map_or(Operand::Other, |e| self.operand(e)),
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => Operand::Call(self.resolve_path(&p.path)),
                _ => Operand::Other,
            },
            Expr::Cast(c) => self.operand(&c.expr),
            _ => Operand::Other,
        }
    }

    fn pat(&self, pat: &SynPat) -> Pat {
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

    // ---------------------------------------------------------------- macros

    fn mac(&mut self, mac: &syn::Macro, out: &mut Vec<Node>) {
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
fn parse_static_decls(input: ParseStream) -> syn::Result<Vec<(syn::Ident, Type, Expr)>> {
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
fn macro_static_names(tokens: &TokenStream) -> Vec<String> {
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
fn parse_macro_exprs(input: ParseStream) -> syn::Result<Vec<Expr>> {
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
struct TokenFacts {
    has_await: bool,
    has_jump: bool,
}

fn token_facts(tokens: &TokenStream, facts: &mut TokenFacts) {
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

fn block_tail(block: &syn::Block) -> Option<&Expr> {
    match block.stmts.last()? {
        Stmt::Expr(e, None) => Some(e),
        _ => None,
    }
}

/// The local name of a plain path expression (`x`), through parens and references.
fn plain_local(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        Expr::Paren(p) => plain_local(&p.expr),
        Expr::Reference(r) => plain_local(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => plain_local(&u.expr),
        _ => None,
    }
}

/// The local a `for` loop iterates (`handles` in `handles`, `handles.drain(..)`, `&mut handles`).
fn iter_root_local(expr: &Expr) -> Option<String> {
    match expr {
        Expr::MethodCall(mc) => iter_root_local(&mc.receiver),
        other => plain_local(other),
    }
}

fn is_open_range(expr: &Expr) -> bool {
    match expr {
        Expr::Range(r) => r.end.is_none(),
        Expr::Paren(p) => is_open_range(&p.expr),
        _ => false,
    }
}

fn is_static_like(name: &str) -> bool {
    name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn summarize_arg(arg: &Expr, lowerer: &Lowerer<'_, '_>) -> Arg {
    match arg {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => i.base10_parse::<i128>().map_or(Arg::Other, Arg::Int),
            syn::Lit::Str(_) => Arg::Str,
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
fn expr_text(expr: &Expr) -> String {
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
