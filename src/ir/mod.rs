//! The fact model's intermediate representation.
//!
//! Lowering turns each function, closure and async block into a [`Body`]: a structured tree of
//! [`Node`]s in evaluation order, where straight-line code is flattened into calls, macro calls
//! and `.await`s, and control flow keeps its shape (`if`, `match`, loops, blocks as scopes,
//! jumps). Paths are canonical strings (`std::thread::sleep`), so rules never look at syntax:
//! they walk these trees and ask the vocabulary about calls. No `syn` type appears here.

pub(crate) mod ids;
pub mod pretty;
pub(crate) mod visit;

use crate::base::arena::{Arena, Idx};
use crate::base::source::{FileId, TextRange};

/// Index of a body in its file's `bodies`.
pub type BodyId = Idx<Body>;

/// A node's identity: its preorder number in its file (see [`ids`]). Only the nodes analyses
/// key tables by store theirs: calls, macro calls, `if`s and `match`es.
pub type NodeId = Idx<Node>;

/// A block's identity: its preorder number among its file's blocks (see [`ids`]).
pub type BlockId = Idx<Block>;

/// The facts lowered from one file.
#[derive(Clone, Debug, Default)]
pub struct FileModel {
    pub file: FileId,
    /// Module path of the file inside its crate (`crate`, `crate::net::server`).
    pub module: String,
    pub bodies: Arena<Body>,
    /// `static`/`const`/`thread_local` items with the body of their initializer, if any.
    pub statics: Vec<StaticItem>,
    /// `mod name;` declarations (out-of-line modules) for the crate's module tree.
    pub mod_decls: Vec<ModDecl>,
    /// Whether the file starts with `#![cfg(test)]` or similar, making it test-only.
    pub test_only: bool,
    /// Whether the file starts with `#![cfg(windows)]` or similar: nothing but its `mod`
    /// declarations is lowered, and the driver treats it as a Windows-gated file.
    pub windows_only: bool,
    /// The file declares an extension module (`#[pymodule]` on a function or a module): its
    /// crate is an extension crate (`analysis::extension`).
    pub extension_module: bool,
    /// Each module of the file (the file's own, then inline ones) with its imports, for
    /// resolving re-exports across files.
    pub modules: Vec<ModuleScope>,
    /// Code left out for `#[cfg(windows)]` (items, `impl` functions, statements): not analysed,
    /// so a suppression comment inside it cannot be judged unused (FL100).
    pub windows_ranges: Vec<TextRange>,
    /// The file's type aliases of other crates' types, by canonical path (`crate::db::Pool` ->
    /// `r2d2::Pool`), and its struct fields of such types as `Struct::field`
    /// (`crate::state::AppState::db` -> `std::sync::Mutex`), sorted: receivers typed with them
    /// in the crate's other files get the type.
    pub type_aliases: Vec<(String, Origin)>,
}

/// A module's `use` imports: what `crate::m::name` can mean when `name` is not defined in `m`.
#[derive(Clone, Debug, Default, Hash)]
pub struct ModuleScope {
    pub path: String,
    /// Local name -> canonical target.
    pub imports: Vec<(String, String)>,
    /// Glob import prefixes.
    pub globs: Vec<String>,
}

impl FileModel {
    /// A fingerprint of the facts, without the run-specific file id: what the packages that
    /// depend on this file's package can observe of it (see `cache`).
    pub fn facts_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        self.module.hash(&mut h);
        self.bodies.hash(&mut h);
        self.statics.hash(&mut h);
        self.mod_decls.hash(&mut h);
        self.test_only.hash(&mut h);
        self.windows_only.hash(&mut h);
        self.extension_module.hash(&mut h);
        self.modules.hash(&mut h);
        self.type_aliases.hash(&mut h);
        h.finish()
    }

    /// Empties the facts of a file compiled only for Windows, keeping its module, flags and
    /// `mod` declarations (what the module tree needs): nothing of it is analysed or seen.
    pub fn keep_module_tree_only(&mut self) {
        *self = FileModel {
            file: self.file,
            module: std::mem::take(&mut self.module),
            mod_decls: std::mem::take(&mut self.mod_decls),
            test_only: self.test_only,
            windows_only: self.windows_only,
            ..FileModel::default()
        };
    }

    pub fn body(&self, id: BodyId) -> &Body {
        &self.bodies[id]
    }

    /// Bodies that are items (functions and methods), not closures or blocks.
    pub fn items(&self) -> impl Iterator<Item = (BodyId, &Body)> {
        self.bodies.iter().filter(|(_, b)| b.kind == BodyKind::Fn)
    }
}

#[derive(Clone, Debug, Hash)]
pub struct ModDecl {
    pub name: String,
    /// The `#[path = ".."]` attribute, if any.
    pub path_attr: Option<String>,
    /// Module path of the declaring module (`crate::a` for `mod b;` inside `a`).
    pub parent: String,
    pub span: TextRange,
    /// Gated by `#[cfg(test)]`: on the declaration, an inline module around it, or the file.
    pub cfg_test: bool,
    /// Compiled only for Windows (`#[cfg(windows)]` and the like, see `is_cfg_windows` of the
    /// lowering): on the declaration, an inline module around it, or the file.
    pub cfg_windows: bool,
}

#[derive(Clone, Debug, Hash)]
pub struct StaticItem {
    /// Canonical path of the static (`crate::pool::POOL`).
    pub path: String,
    pub span: TextRange,
    /// Origin of its declared type (`std::sync::LazyLock`, `once_cell::sync::Lazy`).
    pub ty: Option<Origin>,
    /// The initializer's body (a `Body` of kind `StaticInit`).
    pub init: Option<BodyId>,
    /// `lazy_static!`/`Lazy`/`LazyLock`/`OnceLock`: the initializer runs at first use, not at start.
    pub lazy: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// A free function or a method.
    Fn,
    Closure,
    AsyncBlock,
    /// The initializer of a static, const or `lazy_static!`.
    StaticInit,
}

/// Execution context of a body, per docs/contexts.md, "Contexts".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Sync,
    Async,
    Green,
}

/// Why a closure body has the context it has: how it is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A function item, or a closure with no known runner (runs inline, inherits the context).
    Plain,
    /// Passed to a thread start: runs on another OS thread.
    Thread,
    /// Passed to a context exit (`spawn_blocking`, `block_in_place`, a configured wrapper).
    ContextExit,
    /// Run as a green task (may).
    Green,
    /// An async block or closure handed to an async spawner (`tokio::spawn`).
    Spawned,
    /// A `pre_exec`/`before_exec` closure: runs in the child between fork and exec.
    PreExec,
}

/// Attributes of a function item that rules care about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FnAttrs {
    /// `#[tokio::main]` and similar: the runtime it builds.
    pub async_main: Option<AsyncMain>,
    /// `#[test]`, `#[tokio::test]` (libtest runs tests on worker threads).
    pub test: bool,
    /// An extension-module entry point (`#[pyfunction]`, a `#[pymethods]` method, `#[pymodule]`,
    /// `#[pymodule_init]`, `#[magnus::init]`, `#[ctor]`): the host process calls it.
    pub entry: Option<EntryKind>,
    /// `#[ctor]`: runs before `main`.
    pub ctor: bool,
    /// `#[cfg(test)]` on the item or an enclosing module.
    pub cfg_test: bool,
    /// An attribute of the vocabulary's `test-attribute` list (`#[test]`, `#[tokio::test]`,
    /// `#[rstest]`, ...): the function is test code (`analysis::roles`).
    pub test_attr: bool,
}

/// How the host process runs an extension entry point (`analysis::extension`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Called by host code (`#[pyfunction]`, a `#[pymethods]` method).
    Call,
    /// Runs when the host loads the module (`#[pymodule]`, `#[pymodule_init]`,
    /// `#[magnus::init]`, `#[ctor]`): in a pre-fork master, before the fork.
    Import,
    /// Exported to a host that starts its children with fork+exec only (Node, through napi's
    /// `#[napi]`): an entry point of the model, never the start of an FL008-FL010 finding.
    NoFork,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AsyncMain {
    /// The attribute path (`tokio::main`).
    pub path: String,
    /// Whether it builds a multi-threaded runtime.
    pub multi_thread: bool,
    pub span: TextRange,
}

/// One function, closure, async block or static initializer.
#[derive(Clone, Debug, Hash)]
pub struct Body {
    /// Human name for messages: `main`, `Server::run`, `closure`, `async block`.
    pub name: String,
    /// Canonical path for items (`crate::net::Server::run`); `None` for closures.
    pub path: Option<String>,
    /// For methods: canonical path of the `impl`'s self type.
    pub self_ty: Option<String>,
    pub kind: BodyKind,
    pub context: Context,
    pub role: Role,
    pub parent: Option<BodyId>,
    /// The name's span for items, the `|args|`/`async` keyword span for closures.
    pub span: TextRange,
    /// The whole item or expression.
    pub full_span: TextRange,
    pub is_async: bool,
    /// Declared `-> !`.
    pub diverges: bool,
    /// Has a `self` parameter.
    pub has_self: bool,
    pub attrs: FnAttrs,
    /// Parameters (name, origin of the declared type).
    pub params: Vec<(String, Option<Origin>)>,
    /// The declared return type (`-> std::fs::OpenOptions`, `-> io::Result<File>` through the
    /// smart pointers, `-> Self`, a crate-local type): what a call's result is, for the
    /// receivers of the crate's other files (`Model::fill_receivers`).
    pub returns: Option<Origin>,
    pub block: Block,
}

/// A scope: its nodes in evaluation order.
#[derive(Clone, Debug, Default, Hash)]
pub struct Block {
    /// Assigned after lowering by [`ids::number`].
    pub id: BlockId,
    pub nodes: Vec<Node>,
    pub span: TextRange,
    /// The value of the block's tail expression, when it says something a caller can test
    /// (fork wrappers return the fork's result through it); `None` for no tail or `()`-like ones.
    pub tail: Option<Box<Value>>,
}

/// A tail or `return` value, summarized: enough to see what a function returns in a fork's
/// child and parent (docs/contexts.md, "Fork wrappers").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// The value is that of the block's last node (an `if`, a `match` or a block): the tails of
    /// its branches.
    Nested,
    /// A local variable (`pid`).
    Local(String),
    /// A non-local path (`ForkResult::Child`, canonical).
    Path(String),
    /// A call of a canonical path with its arguments' values (`Ok(pid)`, `Fork::Parent(pid)`,
    /// `libc::fork()`).
    Call(String, Vec<Value>),
    Other,
}

impl Value {
    /// Constructors that wrap a value without tagging it.
    pub const ADAPTERS: &'static [&'static str] = &["Ok", "Some"];
    /// Paths that never tag a fork result (`Err(..)` in a child is an escape, not a result).
    pub const UNTAGGED: &'static [&'static str] = &["Ok", "Some", "Err", "None"];

    /// The value inside `Ok(..)`/`Some(..)` (`Ok` may be qualified: a glob import makes the
    /// resolver write `crate::util::Ok` for the prelude's).
    pub fn strip(&self) -> &Value {
        match self {
            Value::Call(path, args)
                if args.len() == 1 && Self::ADAPTERS.contains(&last_segment(path)) =>
            {
                args[0].strip()
            }
            other => other,
        }
    }

    /// The variant or constructor path the value is tagged with, inside `Ok(..)`/`Some(..)`
    /// (`ForkResult::Child`; not `Some(x)`, `None` or `Err(..)`).
    pub fn tag(&self) -> Option<&str> {
        let path = match self.strip() {
            Value::Path(p) | Value::Call(p, _) => p,
            _ => return None,
        };
        let last = last_segment(path);
        let variant_like = last.starts_with(|c: char| c.is_ascii_uppercase());
        (variant_like && !Self::UNTAGGED.contains(&last)).then_some(path.as_str())
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Large variants are boxed so that a node is 56 bytes, not 232: the corpus's fact model holds
/// millions of them (`let Node::Call(call) = node` still gives field access through the box).
#[derive(Clone, Debug, Hash)]
pub enum Node {
    Call(Box<Call>),
    Macro(MacroCall),
    /// An `.await`: the span of the `await` keyword.
    Await(TextRange),
    Let(Box<Let>),
    /// `x = value` where the target is a plain local.
    Assign(Box<Assign>),
    If(Box<If>),
    Match(Box<Match>),
    Loop(Box<Loop>),
    /// A nested scope: block expression, `unsafe` block, labelled block.
    Block(Block),
    /// A closure or async block defined here (its body is separate).
    Closure(BodyId),
    Jump(Jump),
    /// A use of a path that is not a call (a static, a function passed by name): for
    /// initializers forced by first use.
    PathRef(PathRef),
}

impl Node {
    /// The `let` this node is, if it is one (for queries that pick one kind of node: a `match`
    /// listing every other variant says nothing the type does not).
    pub fn as_let(&self) -> Option<&Let> {
        if let Node::Let(l) = self {
            Some(l)
        } else {
            None
        }
    }

    /// The call this node is, if it is one.
    pub fn as_call(&self) -> Option<&Call> {
        if let Node::Call(c) = self {
            Some(c)
        } else {
            None
        }
    }

    /// The macro call this node is, if it is one.
    pub fn as_macro(&self) -> Option<&MacroCall> {
        if let Node::Macro(m) = self {
            Some(m)
        } else {
            None
        }
    }
}

/// What is called.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Callee {
    /// A function or associated function, by canonical path.
    Path(String),
    /// A method call: name plus what is known about the receiver.
    /// The receiver is boxed: most calls are path calls, and a `Call` stays 112 bytes.
    Method {
        name: String,
        receiver: Box<Receiver>,
    },
    /// A call through a local (`f()` of a closure parameter: its name, for messages) or an
    /// expression (`(self.f)()`, `closures[i]()`).
    Unknown(Option<String>),
}

/// Where a value comes from, as far as lowering can tell without types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// A canonical type path (`std::sync::Mutex`) or constructor path (`std::sync::mpsc::channel`).
    pub base: String,
    /// `base` is a function whose result this is (a constructor), not a type.
    pub ctor: bool,
    /// Methods applied after `base`, in order (`lock`, `build`), with `?`/`unwrap`/`expect` and
    /// reference-like adapters (`clone`, `as_ref`, `borrow`) left out.
    pub methods: Vec<String>,
}

impl Origin {
    pub fn ty(base: impl Into<String>) -> Origin {
        Origin {
            base: base.into(),
            ctor: false,
            methods: Vec::new(),
        }
    }

    /// A type or function of another crate (std or a dependency: `std::fs::File`,
    /// `io_uring::IoUring`), not a crate-local one nor a generic parameter's associated type
    /// (`T::Output`, `L::Handle`).
    pub fn is_foreign(&self) -> bool {
        let first = self.base.split("::").next().unwrap_or_default();
        self.base.contains("::")
            && first != "crate"
            && first != "self"
            && first != "super"
            && first.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
    }

    pub fn ctor(base: impl Into<String>) -> Origin {
        Origin {
            base: base.into(),
            ctor: true,
            methods: Vec::new(),
        }
    }
}

/// What is known of a method call's receiver.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Receiver {
    /// The local variable the receiver expression starts from (`h` in `h.join()`,
    /// `self` in `self.rx.recv()`).
    pub local: Option<String>,
    /// Fields accessed on that local, from the local outward (`rx` in `self.rx.recv()`,
    /// `inner.db` in `state.inner.db.lock()`).
    pub field: Option<String>,
    /// The receiver's origin, if known.
    pub origin: Option<Origin>,
    /// A non-local path the receiver starts from (a static: `POOL.install(..)`).
    pub path: Option<String>,
    /// When the origin is unknown and the receiver is a field of a crate type declared in
    /// another file (`state.db` with `state: &AppState`): `crate::state::AppState::db`, the key
    /// under which that file declares the field's type (see [`FileModel::type_aliases`]).
    pub field_of: Option<String>,
}

/// A call's argument, summarized.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Arg {
    Closure(BodyId),
    /// A local variable (possibly behind `&`, `&mut`, `*`, `.clone()`).
    Local(String),
    /// A non-local path (a constant such as `libc::SYS_fork`, a function passed by name).
    Path(String),
    Int(i128),
    Str,
    Other,
}

#[derive(Clone, Debug, Hash)]
pub struct Call {
    /// Assigned after lowering by [`ids::number`].
    pub id: NodeId,
    /// Primary span: the path for path calls, the method name for method calls.
    pub span: TextRange,
    /// The whole call expression.
    pub expr_span: TextRange,
    pub callee: Callee,
    pub args: Vec<Arg>,
    /// The call is the operand of `.await`.
    pub awaited: bool,
    /// The callee is a local or a field typed `fn(..) -> !` (`exit(1)` with `exit: fn(i32) ->
    /// !`): whatever it holds, the call never returns.
    pub never_returns: bool,
}

#[derive(Clone, Debug, Hash)]
pub struct MacroCall {
    /// Assigned after lowering by [`ids::number`].
    pub id: NodeId,
    /// Canonical macro path (`std::println`, `tokio::select`), without `!`.
    pub path: String,
    /// The macro path's span.
    pub span: TextRange,
    /// Whether its arguments were parsed as expressions (their nodes precede this one).
    pub parsed: bool,
    /// `.await` appears inside the (possibly unparsed) arguments, as in `select!` branches.
    pub has_await: bool,
    /// The macro may leave an enclosing loop: `break`, `continue`, `return` or `?` appears in its
    /// arguments, or its expansion is unknown (a crate's own `macro_rules!`).
    pub has_jump: bool,
}

#[derive(Clone, Debug, Hash)]
pub struct Let {
    /// Names bound by the pattern.
    pub names: Vec<String>,
    pub span: TextRange,
    /// Origin of the bound value (declared type first, else the initializer).
    pub origin: Option<Origin>,
    /// Nodes of the initializer, in evaluation order.
    pub init: Vec<Node>,
    /// The initializer's top-level value when it is a plain local (`let h2 = h;`).
    pub init_local: Option<String>,
    /// The `else` block of a `let-else`.
    pub else_block: Option<Block>,
    /// The pattern of a `let-else` (which fork result the code after it runs in).
    pub else_pat: Option<Pat>,
    /// The initializer ends in a lock acquisition (`m.lock().unwrap()`): the binding is a guard.
    pub guard_of: Option<GuardInfo>,
    /// The pattern is `_`: the value is dropped at once.
    pub wildcard: bool,
    /// The initializer's value when it is tagged by a variant or constructor path (`let mut r =
    /// Fork::Parent(pid);`): what a fork wrapper assembling its result in several statements
    /// returns (`analysis::wrappers`).
    pub tagged: Option<Box<Value>>,
}

/// A lock guard's source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GuardInfo {
    /// The lock method's span (`lock` in `m.lock()`).
    pub span: TextRange,
    /// The lock's receiver (`m`, `self.state`), printed in messages.
    pub lock_name: String,
    /// Set when the receiver is a static this file does not declare (`crate::FORK_MTX.lock()`,
    /// the static in the crate root): its canonical path and the method. The binding is a guard
    /// only if the crate declares that static with a lock type (the rules check, crate-wide).
    pub on_static: Option<(String, String)>,
    /// Set when the receiver's declared type is a crate path this file does not declare (an
    /// alias of another file: `state: &crate::types::Shared`): the path and the method. The
    /// binding is a guard only if the crate declares that alias as a lock type.
    pub on_alias: Option<(String, String)>,
}

#[derive(Clone, Debug, Hash)]
pub struct Assign {
    pub local: String,
    pub span: TextRange,
    pub origin: Option<Origin>,
    pub value: Vec<Node>,
    /// The assigned value when it is tagged by a variant or constructor path (`r = Fork::Child`),
    /// as [`Let::tagged`].
    pub tagged: Option<Box<Value>>,
}

#[derive(Clone, Debug, Hash)]
pub struct If {
    /// Assigned after lowering by [`ids::number`].
    pub id: NodeId,
    /// Nodes of the condition, in evaluation order.
    pub cond_nodes: Vec<Node>,
    pub cond: Cond,
    pub then_block: Block,
    pub else_block: Option<Block>,
}

/// A condition, summarized enough to recognise fork-result tests.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Cmp {
        lhs: Operand,
        op: CmpOp,
        rhs: Operand,
    },
    /// A method called on a local: `res.is_child()`, `!flag.load(..)` is `Not(Method)`.
    Method {
        local: Option<String>,
        name: String,
    },
    /// `if let PAT = scrutinee`.
    Let {
        pat: Pat,
        scrutinee: Operand,
    },
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Bool(bool),
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    Local(String),
    Int(i128),
    /// The result of a call of this canonical path written in place (`fork() == 0`).
    Call(String),
    Other,
}

#[derive(Clone, Debug, Hash)]
pub struct Match {
    /// Assigned after lowering by [`ids::number`].
    pub id: NodeId,
    pub scrutinee_nodes: Vec<Node>,
    pub scrutinee: Operand,
    pub arms: Vec<Arm>,
}

#[derive(Clone, Debug, Hash)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Vec<Node>,
    /// The guard's condition (`Some(pid) if pid != getpid()`), summarized as an `if`'s.
    pub guard_cond: Option<Cond>,
    pub body: Block,
}

/// A pattern, summarized.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pat {
    Wild,
    Binding(String),
    Int(i128),
    /// A path pattern, canonical (`nix::unistd::ForkResult::Child`, `Ok`, `None`).
    Path(String),
    TupleStruct(String, Vec<Pat>),
    Struct(String),
    Tuple(Vec<Pat>),
    Or(Vec<Pat>),
    Range,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoopKind {
    Loop,
    While,
    WhileLet,
    For,
}

#[derive(Clone, Debug, Hash)]
pub struct Loop {
    pub kind: LoopKind,
    /// The `loop`/`while`/`for` keyword: FL002's primary span.
    pub keyword: TextRange,
    pub span: TextRange,
    pub label: Option<String>,
    /// Condition (while), pattern scrutinee (while let) or iterator (for) nodes; evaluated on
    /// every iteration for `while`, once for `for`.
    pub header: Vec<Node>,
    /// The `while` condition, or the `while let` pattern test.
    pub cond: Option<Cond>,
    /// For `for` loops: the iterated expression is an open range `a..`.
    pub open_range: bool,
    /// For `for` loops: the iterated local (`handles` in `for h in handles`).
    pub iter_local: Option<String>,
    /// Names bound by the `for` pattern.
    pub bindings: Vec<String>,
    pub body: Block,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JumpKind {
    Return,
    Break,
    Continue,
    /// The `?` operator: returns early on error.
    Try,
}

#[derive(Clone, Debug, Hash)]
pub struct Jump {
    pub kind: JumpKind,
    pub label: Option<String>,
    pub span: TextRange,
    /// What a `return` returns (as [`Block::tail`]).
    pub value: Option<Box<Value>>,
}

#[derive(Clone, Debug, Hash)]
pub struct PathRef {
    pub path: String,
    pub span: TextRange,
}

/// Rough heap size of a file's facts in bytes (capacities of vectors and strings; boxed nodes),
/// for `check --verbose` and the performance notes.
pub fn approx_heap_bytes(file: &FileModel) -> usize {
    use std::mem::size_of;
    fn s(x: &String) -> usize {
        x.capacity()
    }
    fn os(x: &Option<String>) -> usize {
        x.as_ref().map_or(0, s)
    }
    fn origin(o: &Origin) -> usize {
        s(&o.base)
            + o.methods.capacity() * size_of::<String>()
            + o.methods.iter().map(s).sum::<usize>()
    }
    fn oorigin(o: &Option<Origin>) -> usize {
        o.as_ref().map_or(0, origin)
    }
    fn cond(c: &Cond) -> usize {
        match c {
            Cond::Cmp { lhs, rhs, .. } => operand(lhs) + operand(rhs),
            Cond::Method { local, name } => os(local) + s(name),
            Cond::Let { pat: p, scrutinee } => pat(p) + operand(scrutinee),
            Cond::Not(c) => size_of::<Cond>() + cond(c),
            Cond::And(a, b) | Cond::Or(a, b) => 2 * size_of::<Cond>() + cond(a) + cond(b),
            Cond::Bool(_) | Cond::Other => 0,
        }
    }
    fn operand(o: &Operand) -> usize {
        match o {
            Operand::Local(x) | Operand::Call(x) => s(x),
            _ => 0,
        }
    }
    fn pat(p: &Pat) -> usize {
        match p {
            Pat::Binding(x) | Pat::Path(x) | Pat::Struct(x) => s(x),
            Pat::TupleStruct(x, ps) => s(x) + pats(ps),
            Pat::Tuple(ps) | Pat::Or(ps) => pats(ps),
            _ => 0,
        }
    }
    fn pats(ps: &Vec<Pat>) -> usize {
        ps.capacity() * size_of::<Pat>() + ps.iter().map(pat).sum::<usize>()
    }
    fn nodes(ns: &Vec<Node>) -> usize {
        ns.capacity() * size_of::<Node>() + ns.iter().map(node).sum::<usize>()
    }
    fn value(v: &Value) -> usize {
        match v {
            Value::Local(x) | Value::Path(x) => s(x),
            Value::Call(x, args) => {
                s(x) + args.capacity() * size_of::<Value>() + args.iter().map(value).sum::<usize>()
            }
            Value::Nested | Value::Other => 0,
        }
    }
    fn ovalue(v: &Option<Box<Value>>) -> usize {
        v.as_ref().map_or(0, |v| size_of::<Value>() + value(v))
    }
    fn block(b: &Block) -> usize {
        nodes(&b.nodes) + ovalue(&b.tail)
    }
    fn node(n: &Node) -> usize {
        match n {
            Node::Call(c) => {
                size_of::<Call>()
                    + match &c.callee {
                        Callee::Path(p) => s(p),
                        Callee::Method { name, receiver } => {
                            size_of::<Receiver>()
                                + s(name)
                                + os(&receiver.local)
                                + os(&receiver.field)
                                + os(&receiver.path)
                                + os(&receiver.field_of)
                                + oorigin(&receiver.origin)
                        }
                        Callee::Unknown(local) => os(local),
                    }
                    + c.args.capacity() * size_of::<Arg>()
                    + c.args
                        .iter()
                        .map(|a| match a {
                            Arg::Local(x) | Arg::Path(x) => s(x),
                            _ => 0,
                        })
                        .sum::<usize>()
            }
            Node::Macro(m) => s(&m.path),
            Node::Let(l) => {
                size_of::<Let>()
                    + l.names.capacity() * size_of::<String>()
                    + l.names.iter().map(s).sum::<usize>()
                    + oorigin(&l.origin)
                    + nodes(&l.init)
                    + os(&l.init_local)
                    + l.else_block.as_ref().map_or(0, block)
                    + l.else_pat.as_ref().map_or(0, pat)
                    + l.guard_of.as_ref().map_or(0, |g| {
                        s(&g.lock_name)
                            + [&g.on_static, &g.on_alias]
                                .iter()
                                .map(|d| d.as_ref().map_or(0, |(p, m)| s(p) + s(m)))
                                .sum::<usize>()
                    })
            }
            Node::Assign(a) => {
                size_of::<Assign>() + s(&a.local) + oorigin(&a.origin) + nodes(&a.value)
            }
            Node::If(i) => {
                size_of::<If>()
                    + nodes(&i.cond_nodes)
                    + cond(&i.cond)
                    + block(&i.then_block)
                    + i.else_block.as_ref().map_or(0, block)
            }
            Node::Match(m) => {
                size_of::<Match>()
                    + nodes(&m.scrutinee_nodes)
                    + operand(&m.scrutinee)
                    + m.arms.capacity() * size_of::<Arm>()
                    + m.arms
                        .iter()
                        .map(|a| {
                            pat(&a.pat)
                                + nodes(&a.guard)
                                + a.guard_cond.as_ref().map_or(0, cond)
                                + block(&a.body)
                        })
                        .sum::<usize>()
            }
            Node::Loop(l) => {
                size_of::<Loop>()
                    + os(&l.label)
                    + nodes(&l.header)
                    + l.cond.as_ref().map_or(0, cond)
                    + os(&l.iter_local)
                    + l.bindings.capacity() * size_of::<String>()
                    + l.bindings.iter().map(s).sum::<usize>()
                    + block(&l.body)
            }
            Node::Block(b) => block(b),
            Node::Jump(j) => os(&j.label) + ovalue(&j.value),
            Node::PathRef(p) => s(&p.path),
            Node::Await(_) | Node::Closure(_) => 0,
        }
    }
    let bodies: usize = file
        .bodies
        .values()
        .map(|b| {
            size_of::<Body>()
                + s(&b.name)
                + os(&b.path)
                + os(&b.self_ty)
                + b.attrs
                    .async_main
                    .as_ref()
                    .map_or(0, |m| size_of::<AsyncMain>() + s(&m.path))
                + b.params.capacity() * size_of::<(String, Option<Origin>)>()
                + b.params
                    .iter()
                    .map(|(n, o)| s(n) + oorigin(o))
                    .sum::<usize>()
                + block(&b.block)
        })
        .sum();
    let bodies = bodies + (file.bodies.capacity() - file.bodies.len()) * size_of::<Body>();
    let statics: usize = file
        .statics
        .iter()
        .map(|st| size_of::<StaticItem>() + s(&st.path) + oorigin(&st.ty))
        .sum();
    let mods: usize = file
        .mod_decls
        .iter()
        .map(|m| size_of::<ModDecl>() + s(&m.name) + os(&m.path_attr) + s(&m.parent))
        .sum();
    size_of::<FileModel>() + s(&file.module) + bodies + statics + mods
}
