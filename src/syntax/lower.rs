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
use crate::vocab::{Category, Kind, Vocab};

mod bodies;
mod calls;
mod exprs;
mod extent;
mod items;
mod macros;
mod origins;
mod pieces;
mod quick;
mod scopes;
mod shapes;
mod spans;
mod values;

use self::macros::*;
use self::scopes::*;
pub use self::shapes::pat_names;
use self::shapes::*;
pub use self::spans::{range, SpanIndex};

/// Turns the quick parse of macro arguments off on this thread (`quick`'s test of both ways).
#[cfg(test)]
pub(crate) fn quick_off(off: bool) {
    quick::tests::OFF.with(|o| o.set(off));
}

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

/// Lowers one parsed file; `text` is the text syn parsed (`parse::Parsed::text`: lowering reads
/// it for the assertion macros the parse wrote as calls).
pub fn lower_file_with_text(
    file: &syn::File,
    text: &str,
    file_id: FileId,
    module: &str,
    vocab: &Vocab,
) -> FileModel {
    lower(file, SpanIndex::new(text), file_id, module, vocab)
}

fn lower(
    file: &syn::File,
    spans: SpanIndex<'_>,
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
        fn_returns: HashMap::default(),
        aliases: HashMap::default(),
        macro_kinds: HashMap::default(),
        current: None,
        context: Context::Sync,
        cfg_test: false,
        cfg_windows: false,
        impl_entry: false,
    };
    lowerer.model.test_only = file.attrs.iter().any(is_cfg_test);
    lowerer.cfg_test = lowerer.model.test_only;
    lowerer.model.windows_only = file.attrs.iter().any(is_cfg_windows);
    lowerer.cfg_windows = lowerer.model.windows_only;
    // Pass 1: names of every module, struct fields and static types, so that pass 2 can resolve
    // receivers declared anywhere in the file.
    let scope = lowerer.module_scope(&file.items, module, true);
    lowerer.resolver.push(scope);
    lowerer.collect_types(&file.items);
    lowerer.items(&file.items);
    // Aliases of other crates' types, and struct fields of such types (`Struct::field`), for
    // the receivers of the crate's other files (`Model::fill_receivers`); this file's own uses
    // are resolved already. A field of a crate type is kept too (`inner: Inner`): a field of
    // that field (`state.inner.db`) is found through it.
    let crate_type = |o: &Origin| o.base.starts_with("crate::") && !o.ctor && o.methods.is_empty();
    let fields = lowerer.fields.iter().flat_map(|(ty, fields)| {
        fields.iter().filter_map(move |(name, facts)| {
            let origin = facts
                .origin
                .clone()
                .filter(|o| o.is_foreign() || crate_type(o))?;
            Some((format!("{ty}::{name}"), origin))
        })
    });
    let mut aliases: Vec<(String, Origin)> = lowerer
        .aliases
        .drain()
        .filter_map(|(path, facts)| Some((path, facts.origin.filter(Origin::is_foreign)?)))
        .chain(fields)
        .collect();
    aliases.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut model = lowerer.model;
    model.type_aliases = aliases;
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
        crate::ir::visit::child_lists_mut(node, &mut shrink_nodes);
    }
}

struct Local {
    name: String,
    origin: Option<Origin>,
    /// The static this local refers to (`let cell = &RUNTIME;`, or an `if`/`match` choosing
    /// between statics: the first one), so that a call on the local is a call on the static.
    alias: Option<String>,
    /// The origins of a tuple value's elements (`Arc::new((Mutex::new(0), Condvar::new()))`), so
    /// that destructuring it (`let (lock, cvar) = &*pair;`) knows each part.
    parts: Option<Vec<Option<Origin>>>,
    /// The function this local holds (`let die = util::hard_exit;`), so that calling the local
    /// is calling it (a `-> !` function diverges through it).
    function: Option<String>,
    /// Typed `fn(..) -> !` (a parameter, a typed `let`): calling it never returns.
    never_returns: bool,
    /// Bound to a field of a struct of another file (`let AppState { db, .. } = state;`): the
    /// field's key, as in [`crate::ir::Receiver::field_of`].
    field_of: Option<String>,
}

impl Local {
    fn new(name: String, origin: Option<Origin>) -> Local {
        Local {
            name,
            origin,
            alias: None,
            parts: None,
            never_returns: false,
            function: None,
            field_of: None,
        }
    }
}

/// What a declared type (of a struct field, or aliased by a type alias) tells about its values.
#[derive(Clone, Debug, Default)]
struct TypeFacts {
    /// Its origin (`Arc<Mutex<S>>` is a `Mutex`).
    origin: Option<Origin>,
    /// The origins of a tuple type's parts (`Arc<(Mutex<S>, Condvar)>`).
    parts: Option<Vec<Option<Origin>>>,
    /// A function pointer type that never returns (`fn(i32) -> !`).
    never_returns: bool,
}

impl TypeFacts {
    fn is_empty(&self) -> bool {
        self.origin.is_none() && self.parts.is_none() && !self.never_returns
    }

    /// Whether an origin here is one of `generics`' type parameters (`T`, `T::Output`, or a
    /// path resolved through one, `crate::m::T`): then it is not known from the declaration.
    fn mentions_params(&self, generics: &syn::Generics) -> bool {
        let params: Vec<String> = generics
            .type_params()
            .map(|p| p.ident.to_string())
            .collect();
        if params.is_empty() {
            return false;
        }
        let is_param = |o: &Origin| {
            o.base
                .split("::")
                .any(|segment| params.iter().any(|p| p == segment))
        };
        self.origin.iter().any(is_param) || self.parts.iter().flatten().flatten().any(is_param)
    }
}

/// The method call lowered last, as the receiver of the next link of its chain.
struct ChainLink {
    /// The call's method name, which identifies it: a pointer would not (the arguments of a
    /// macro are parsed into a tree that is dropped after lowering, so a later tree can reuse
    /// the address: a run's facts then depended on the allocator's history).
    method: TextRange,
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
    /// Byte offsets of spans in the text syn parsed.
    spans: SpanIndex<'t>,
    model: FileModel,
    resolver: Resolver,
    /// Local bindings visible here, innermost last (closures see their parents' locals).
    locals: Vec<Vec<Local>>,
    /// The method call lowered last (see [`ChainLink`]).
    chain: Option<ChainLink>,
    /// struct canonical path -> field name -> what its declared type tells.
    fields: HashMap<String, HashMap<String, TypeFacts>>,
    /// static canonical path -> origin of its type.
    static_types: HashMap<String, Origin>,
    /// This file's free functions -> the origin of their declared return type, when it is a
    /// type of another crate (`fn opts() -> std::fs::OpenOptions`): a call's result has it.
    fn_returns: HashMap<String, Origin>,
    /// This file's type aliases (generic ones when their parameters do not matter) -> what their
    /// type tells (`type Shared = Arc<Mutex<State>>` is a `Mutex`; `type Pair = (Mutex<S>, Condvar)` has
    /// parts; `type Exit = fn(i32) -> !` never returns), so that values typed by them are known.
    aliases: HashMap<String, TypeFacts>,
    /// Macro path -> what the vocabulary says of it (`macros::MacroKind`).
    macro_kinds: HashMap<String, MacroKind>,
    current: Option<BodyId>,
    context: Context,
    cfg_test: bool,
    /// Inside Windows-only code (a `#[cfg(windows)]` inline module, a `#![cfg(windows)]`
    /// file): only `mod` declarations are recorded, for the module tree.
    cfg_windows: bool,
    /// Lowering a method of an `impl` whose attribute makes its methods extension entry points
    /// (`#[pymethods]`); taken by the method, so fns nested in it do not see it.
    impl_entry: bool,
}
