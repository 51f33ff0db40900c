//! The abstract interpreter of the fork rules: a forward interpretation over a function's
//! structured IR (inline closures included) that tracks thread starts not joined on every path,
//! live lock guards and live async runtimes. Branches merge by union and loops run twice, so a
//! spawn at the end of iteration N is seen at the fork of iteration N+1.

use std::collections::BTreeMap;

use crate::analysis::entry::EntryStates;
use crate::analysis::flow::ends_process;
use crate::analysis::fork::fork_entry;
use crate::analysis::Cx;
use crate::base::source::{FileId, TextRange};
use crate::ir::{
    Arg, Block, BlockId, BodyId, BodyKind, Call, Callee, Cond, Context, FileModel, GuardInfo,
    JumpKind, Node, NodeId, Role,
};
use crate::model::summary::Fact;
use crate::model::{FnRef, TargetKind};
use crate::vocab::{Category, Kind};
use rustc_hash::FxHashSet as HashSet;

/// A thread (or pool) that may be running at a program point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadStart {
    pub file: FileId,
    pub span: TextRange,
    pub label: String,
    /// The local holding its handle (a `JoinHandle`, a collection of them, a runtime).
    pub handle: Option<String>,
    /// `.join()` on the handle ends it.
    pub joinable: bool,
    /// For a thread that was running on entry to this function: the calls that led here, from
    /// the caller where it started down to this function (labels of FL001).
    pub via: Vec<Step>,
}

/// One call on the way from where a fact started to the function it holds in on entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub file: FileId,
    /// The call's span.
    pub span: TextRange,
    pub label: String,
}

/// A lock guard bound by `let`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    /// The file of the `let` (a caller's, for a guard held on entry).
    pub file: FileId,
    pub name: String,
    /// The lock method's span.
    pub span: TextRange,
    pub lock_name: String,
    /// The `let` statement's span (its identity, for scope ends).
    pub decl: TextRange,
    /// For a guard a caller holds across the call to this function: the calls that led here.
    pub via: Vec<Step>,
}

/// An async runtime that may be alive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeLive {
    pub file: FileId,
    pub span: TextRange,
    pub handle: Option<String>,
    /// Lives in a static once started: never dropped.
    pub global: bool,
    pub label: String,
    /// For a runtime alive on entry to this function: the calls that led here.
    pub via: Vec<Step>,
}

/// The abstract state at a program point: facts that hold on some path reaching it.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub reachable: bool,
    pub threads: Vec<ThreadStart>,
    pub guards: Vec<Guard>,
    pub runtimes: Vec<RuntimeLive>,
}

impl State {
    fn entry() -> State {
        State {
            reachable: true,
            ..State::default()
        }
    }

    pub(crate) fn dead() -> State {
        State::default()
    }

    fn join(self, other: State) -> State {
        if !self.reachable {
            return other;
        }
        if !other.reachable {
            return self;
        }
        let mut out = self;
        for t in other.threads {
            if !out.threads.contains(&t) {
                out.threads.push(t);
            }
        }
        for g in other.guards {
            if !out.guards.contains(&g) {
                out.guards.push(g);
            }
        }
        for r in other.runtimes {
            if !out.runtimes.contains(&r) {
                out.runtimes.push(r);
            }
        }
        out
    }
}

struct LoopFrame {
    label: Option<String>,
    breaks: State,
    continues: State,
}

pub(crate) struct Interp<'a> {
    cx: Cx<'a>,
    file: &'a FileModel,
    /// Fork call -> joined state and the context the call runs in.
    pub(crate) at_fork: BTreeMap<NodeId, (State, Context)>,
    loops: Vec<LoopFrame>,
    /// Return states of the bodies being run (inline closures return to their caller).
    frames: Vec<State>,
    /// Child regions of the forks: only the forking thread exists there.
    child_blocks: Vec<BlockId>,
    /// Fork-result tests after which only the child continues (every parent path left).
    rest_after: Vec<NodeId>,
    /// What holds on entry to the file's functions, from their callers (`analysis::entry`).
    entries: &'a EntryStates,
    /// While entry states are computed: the functions whose call sites' states are recorded.
    record: Option<&'a HashSet<FnRef>>,
    /// Recorded calls: (the call's span, callee, state at the call).
    pub(crate) at_calls: Vec<(TextRange, FnRef, State)>,
}

impl<'a> Interp<'a> {
    pub(crate) fn new(cx: Cx<'a>, child_blocks: Vec<BlockId>, rest_after: Vec<NodeId>) -> Self {
        Interp {
            cx,
            file: cx.file,
            at_fork: BTreeMap::new(),
            loops: Vec::new(),
            frames: Vec::new(),
            child_blocks,
            rest_after,
            entries: cx.entries,
            record: None,
            at_calls: Vec::new(),
        }
    }

    /// An interpreter that records the state at every call of one of `record` (computing entry
    /// states with `entries` as known so far).
    pub(crate) fn recording(
        mut self,
        entries: &'a EntryStates,
        record: &'a HashSet<FnRef>,
    ) -> Self {
        self.entries = entries;
        self.record = Some(record);
        self
    }

    pub(crate) fn initial_state(&self, id: BodyId) -> State {
        let body = self.file.body(id);
        let mut state = State::entry();
        let file = self.file.file;
        if body.kind == BodyKind::Fn {
            let here = FnRef { file, body: id };
            if let Some(entry) = self.entries.get(here) {
                for t in &entry.threads {
                    if !state
                        .threads
                        .iter()
                        .any(|o| o.file == t.file && o.span == t.span)
                    {
                        state.threads.push(t.clone());
                    }
                }
                state.runtimes.extend(entry.runtimes.iter().cloned());
                state.guards.extend(entry.guards.iter().cloned());
            }
        }
        if let Some(main) = &body.attrs.async_main {
            if main.multi_thread {
                state.threads.push(ThreadStart {
                    file,
                    span: main.span,
                    label: format!("`#[{}]` starts a multi-threaded runtime", main.path),
                    handle: None,
                    joinable: false,
                    via: Vec::new(),
                });
            }
            state.runtimes.push(RuntimeLive {
                file: self.file.file,
                via: Vec::new(),
                span: main.span,
                handle: None,
                global: true,
                label: format!("`#[{}]` runs this fn on a runtime", main.path),
            });
        }
        if body.attrs.test {
            state.threads.push(ThreadStart {
                file,
                span: body.span,
                label: "libtest runs this test on a worker thread, beside other tests".to_string(),
                handle: None,
                joinable: false,
                via: Vec::new(),
            });
        }
        match body.role {
            Role::Thread | Role::ContextExit => state.threads.push(ThreadStart {
                file,
                span: body.span,
                label: "this closure runs on a thread of its own".to_string(),
                handle: None,
                joinable: false,
                via: Vec::new(),
            }),
            Role::Green => state.threads.push(ThreadStart {
                file,
                span: body.span,
                label: "this green task runs on may's scheduler threads".to_string(),
                handle: None,
                joinable: false,
                via: Vec::new(),
            }),
            _ => {}
        }
        if body.kind == BodyKind::Fn && !body.attrs.ctor {
            if let Some(start) = self.ctor_thread() {
                if !state
                    .threads
                    .iter()
                    .any(|o| o.file == start.file && o.span == start.span)
                {
                    state.threads.push(start);
                }
            }
        }
        state
    }

    /// A `#[ctor]` function linked with this file's crate that starts a thread before `main`:
    /// one of the crate itself, or of its package's lib when the crate links it (a bin, test,
    /// example or bench; not a build script, nor a loose file, which is linked with nothing).
    fn ctor_thread(&self) -> Option<ThreadStart> {
        let model = self.cx.model;
        let id = self.file.file.index();
        let package = model.package_of.get(id).copied();
        let own = model.crate_of.get(id).copied();
        let links_lib = own
            .and_then(|k| model.crates.get(k))
            .is_some_and(|k| !matches!(k.kind, TargetKind::Build | TargetKind::Loose));
        let lib = package.and_then(|p| model.lib_crates.get(&p)).copied();
        for (index, file) in model.files.iter().enumerate() {
            let Some(file) = file else { continue };
            if model.package_of.get(index).copied() != package {
                continue;
            }
            let krate = model.crate_of.get(index).copied();
            if krate != own && !(links_lib && krate.is_some() && krate == lib) {
                continue;
            }
            for (id, body) in file.items() {
                if body.attrs.ctor && starts_thread(&self.cx, file, id, Category::ThreadStart, 0) {
                    return Some(ThreadStart {
                        file: file.file,
                        span: body.span,
                        label: format!(
                            "`#[ctor]` fn `{}` starts a thread before `main`",
                            body.name
                        ),
                        handle: None,
                        joinable: false,
                        via: Vec::new(),
                    });
                }
            }
        }
        None
    }

    /// A lazily initialized static whose initializer starts a thread.
    /// For a lazily initialized static: whether its initializer starts a thread, and whether it
    /// builds an async runtime (then held in the static, never dropped).
    fn lazy_static_facts(&self, path: &str) -> (bool, bool) {
        let model = self.cx.model;
        for file in model.files.iter().flatten() {
            for item in &file.statics {
                if item.path == path && item.lazy {
                    if let Some(init) = item.init {
                        return (
                            starts_thread(&self.cx, file, init, Category::ThreadStart, 0),
                            starts_thread(&self.cx, file, init, Category::Runtime, 0),
                        );
                    }
                }
            }
        }
        (false, false)
    }

    /// Whether a lowered guard is one: a lock method on a static of another file counts when
    /// the crate declares that static with a lock type.
    fn is_guard(&self, guard: &GuardInfo) -> bool {
        let (ty, method) = match (&guard.on_static, &guard.on_alias) {
            (Some((path, method)), _) => (self.cx.model.static_type(self.file.file, path), method),
            (None, Some((path, method))) => {
                (self.cx.model.type_alias(self.file.file, path), method)
            }
            (None, None) => return true,
        };
        ty.is_some() && self.cx.vocab.method(Category::Lock, method, ty).is_some()
    }

    pub(crate) fn run_body(&mut self, id: BodyId, state: State) -> State {
        self.frames.push(State::dead());
        let body = self.file.body(id);
        let end = self.block(&body.block, state, body.context);
        let returns = self.frames.pop().unwrap_or_default();
        end.join(returns)
    }

    fn block(&mut self, block: &'a Block, mut state: State, ctx: Context) -> State {
        if self.child_blocks.contains(&block.id) {
            state.threads.clear();
        }
        let mut state = self.nodes(&block.nodes, state, ctx);
        // Guards bound in this block are dropped at its end.
        let decls: Vec<TextRange> = block
            .nodes
            .iter()
            .filter_map(Node::as_let)
            .filter(|l| l.guard_of.is_some())
            .map(|l| l.span)
            .collect();
        if !decls.is_empty() {
            state
                .guards
                .retain(|g| !(g.via.is_empty() && decls.contains(&g.decl)));
        }
        // Runtimes bound in this block are dropped (and their workers shut down) at its end.
        let names: Vec<&String> = block
            .nodes
            .iter()
            .filter_map(Node::as_let)
            .flat_map(|l| &l.names)
            .collect();
        let ended: Vec<TextRange> = state
            .runtimes
            .iter()
            .filter(|r| !r.global && r.handle.as_ref().is_some_and(|h| names.contains(&h)))
            .map(|r| r.span)
            .collect();
        if !ended.is_empty() {
            state.runtimes.retain(|r| !ended.contains(&r.span));
            state.threads.retain(|t| !ended.contains(&t.span));
        }
        state
    }

    fn nodes(&mut self, nodes: &'a [Node], mut state: State, ctx: Context) -> State {
        // Set after a test the child continues after: the next node starts the child's code.
        let mut rest_starts = false;
        for node in nodes {
            if !state.reachable {
                break;
            }
            if rest_starts {
                state.threads.clear();
            }
            rest_starts = node.id().is_some_and(|id| self.rest_after.contains(&id));
            state = self.node(node, state, ctx);
        }
        state
    }

    fn node(&mut self, node: &'a Node, state: State, ctx: Context) -> State {
        match node {
            Node::Call(call) => self.call(call, state, ctx),
            Node::Macro(m) => {
                let mut state = state;
                if let Some(entry) = self.cx.vocab.macro_call(Category::ThreadStart, &m.path) {
                    if !entry.is(Kind::Hint) {
                        state.threads.push(ThreadStart {
                            file: self.file.file,
                            span: m.span,
                            label: "thread started here, not joined on this path".to_string(),
                            handle: None,
                            joinable: false,
                            via: Vec::new(),
                        });
                    }
                }
                if let Some(entry) = self.cx.vocab.macro_call(Category::Runtime, &m.path) {
                    state.runtimes.push(RuntimeLive {
                        file: self.file.file,
                        via: Vec::new(),
                        span: m.span,
                        handle: None,
                        global: entry.is(Kind::Global),
                        label: "starts a runtime that is never shut down".to_string(),
                    });
                }
                if self
                    .cx
                    .vocab
                    .macro_call(Category::Panics, &m.path)
                    .is_some_and(|e| e.is(Kind::Diverges))
                {
                    state.reachable = false;
                }
                state
            }
            Node::Closure(id) => {
                let body = self.file.body(*id);
                if body.role != Role::Plain {
                    return state;
                }
                self.run_body(*id, state)
            }
            Node::Let(l) => {
                let before = (state.threads.len(), state.runtimes.len());
                let mut state = self.nodes(&l.init, state, ctx);
                if let Some(else_block) = &l.else_block {
                    // The else block diverges; only its breaks and returns matter.
                    self.block(else_block, state.clone(), ctx);
                }
                let name = (l.names.len() == 1 && !l.wildcard).then(|| l.names[0].clone());
                if let Some(name) = &name {
                    rename_handles(&mut state, before, name, l.init_local.as_deref());
                    if let Some(guard) = l.guard_of.as_ref().filter(|g| self.is_guard(g)) {
                        state.guards.push(Guard {
                            file: self.file.file,
                            via: Vec::new(),
                            name: name.clone(),
                            span: guard.span,
                            lock_name: guard.lock_name.clone(),
                            decl: l.span,
                        });
                    }
                }
                state
            }
            Node::Assign(a) => {
                let before = (state.threads.len(), state.runtimes.len());
                let mut state = self.nodes(&a.value, state, ctx);
                rename_handles(&mut state, before, &a.local, None);
                state
            }
            Node::If(i) => {
                let state = self.nodes(&i.cond_nodes, state, ctx);
                let then_state = self.block(&i.then_block, state.clone(), ctx);
                let else_state = match &i.else_block {
                    Some(b) => self.block(b, state, ctx),
                    None => state,
                };
                then_state.join(else_state)
            }
            Node::Match(m) => {
                let state = self.nodes(&m.scrutinee_nodes, state, ctx);
                let mut out = State::dead();
                for arm in &m.arms {
                    let s = self.nodes(&arm.guard, state.clone(), ctx);
                    out = out.join(self.block(&arm.body, s, ctx));
                }
                if m.arms.is_empty() {
                    return state;
                }
                out
            }
            Node::Loop(l) => {
                let state = self.nodes(&l.header, state, ctx);
                self.loops.push(LoopFrame {
                    label: l.label.clone(),
                    breaks: State::dead(),
                    continues: State::dead(),
                });
                let mut entry = state.clone();
                let mut exits = state.clone();
                for _ in 0..2 {
                    let end = self.block(&l.body, entry.clone(), ctx);
                    let frame = self.loops.last_mut().expect("pushed above");
                    let continues = std::mem::take(&mut frame.continues);
                    let end = end.join(continues);
                    exits = exits.join(end.clone());
                    entry = state.clone().join(end);
                }
                let frame = self.loops.pop().expect("pushed above");
                let infinite =
                    l.kind == crate::ir::LoopKind::Loop || matches!(l.cond, Some(Cond::Bool(true)));
                let mut after = if infinite {
                    frame.breaks
                } else {
                    exits.join(frame.breaks)
                };
                // `for h in handles { h.join() }` joins every handle of the collection.
                if let Some(collection) = &l.iter_local {
                    if joins_binding(self.cx.vocab, &l.body.nodes, &l.bindings) {
                        after
                            .threads
                            .retain(|t| !(t.joinable && t.handle.as_deref() == Some(collection)));
                    }
                }
                after
            }
            Node::Block(b) => self.block(b, state, ctx),
            Node::Jump(j) => match j.kind {
                JumpKind::Return => {
                    if let Some(frame) = self.frames.last_mut() {
                        *frame = std::mem::take(frame).join(state);
                    }
                    State::dead()
                }
                JumpKind::Try => {
                    if let Some(frame) = self.frames.last_mut() {
                        *frame = std::mem::take(frame).join(state.clone());
                    }
                    state
                }
                JumpKind::Break | JumpKind::Continue => {
                    let target = match &j.label {
                        Some(label) => self
                            .loops
                            .iter_mut()
                            .rev()
                            .find(|f| f.label.as_deref() == Some(label.as_str())),
                        None => self.loops.last_mut(),
                    };
                    if let Some(frame) = target {
                        let slot = if j.kind == JumpKind::Break {
                            &mut frame.breaks
                        } else {
                            &mut frame.continues
                        };
                        *slot = std::mem::take(slot).join(state);
                    }
                    State::dead()
                }
            },
            Node::PathRef(p) => {
                let mut state = state;
                let (thread, runtime) = self.lazy_static_facts(&p.path);
                if runtime && !state.runtimes.iter().any(|r| r.span == p.span) {
                    let short = p.path.rsplit("::").next().unwrap_or(&p.path);
                    state.runtimes.push(RuntimeLive {
                        file: self.file.file,
                        via: Vec::new(),
                        span: p.span,
                        handle: None,
                        global: true,
                        label: format!(
                            "first use of `{short}` builds a runtime held in the static"
                        ),
                    });
                }
                if thread {
                    let short = p.path.rsplit("::").next().unwrap_or(&p.path);
                    let start = ThreadStart {
                        file: self.file.file,
                        span: p.span,
                        label: format!("first use of `{short}`, whose initializer starts a thread"),
                        handle: None,
                        joinable: false,
                        via: Vec::new(),
                    };
                    if !state.threads.iter().any(|t| t.label == start.label) {
                        state.threads.push(start);
                    }
                }
                state
            }
            Node::Await(_) => state,
        }
    }

    /// A crate-local sync function whose summary starts a thread that outlives the call: the
    /// thread is running after the call returns (FL001 labels the chain down to the spawn).
    fn thread_through_call(&self, call: &Call) -> Option<ThreadStart> {
        if self.cx.vocab.categories(&call.callee) != 0 {
            return None;
        }
        let (target, summary) = self.cx.model.callee_summary(self.file, call)?;
        if summary.is_async {
            return None;
        }
        summary.get(Fact::SpawnsThread)?;
        let name = self.cx.model.body(target).map(|b| b.name.clone())?;
        Some(ThreadStart {
            file: self.file.file,
            span: call.span,
            label: format!("calls `{name}`, which starts a thread that is still running"),
            handle: None,
            joinable: false,
            via: Vec::new(),
        })
    }

    fn call(&mut self, call: &'a Call, mut state: State, ctx: Context) -> State {
        let vocab = self.cx.vocab;
        if let Some(record) = self.record {
            if let Some(target) = self.cx.model.resolve_call(self.file, call) {
                if record.contains(&target) {
                    self.at_calls.push((call.span, target, state.clone()));
                }
            }
        }
        if let Some(entry) = fork_entry(&self.cx, call) {
            let key = call.id;
            let (old, _) = self
                .at_fork
                .remove(&key)
                .unwrap_or_else(|| (State::dead(), ctx));
            self.at_fork.insert(key, (old.join(state.clone()), ctx));
            // After a daemon-style call the process is the child: one thread.
            if entry.is(Kind::Daemon) {
                state.threads.clear();
            }
        }
        if let Some(entry) = vocab.call(Category::ThreadStart, &call.callee) {
            if !entry.is(Kind::Hint) {
                state.threads.push(ThreadStart {
                    file: self.file.file,
                    span: call.span,
                    label: "thread started here, not joined on this path".to_string(),
                    handle: None,
                    joinable: entry.is(Kind::Joinable),
                    via: Vec::new(),
                });
            }
        }
        if let Some(entry) = vocab.call(Category::Runtime, &call.callee) {
            let global = entry.is(Kind::Global);
            state.runtimes.push(RuntimeLive {
                file: self.file.file,
                via: Vec::new(),
                span: call.span,
                handle: None,
                global,
                label: if global {
                    "starts a runtime that is never shut down".to_string()
                } else {
                    "runtime created here, still alive".to_string()
                },
            });
        }
        if let Some(start) = self.thread_through_call(call) {
            state.threads.push(start);
        }
        if vocab.call(Category::ThreadJoin, &call.callee).is_some() {
            join_held_threads(&mut state, call);
        }
        match &call.callee {
            Callee::Method { name, receiver } => {
                if let (Some(local), None) = (&receiver.local, &receiver.field) {
                    // `h.join()`, or `handles.into_iter().for_each(|h| { h.join(); })`.
                    let joins_each = call.args.iter().any(|arg| match arg {
                        Arg::Closure(id) => {
                            let body = self.file.body(*id);
                            let params: Vec<String> =
                                body.params.iter().map(|(n, _)| n.clone()).collect();
                            joins_binding(self.cx.vocab, &body.block.nodes, &params)
                        }
                        _ => false,
                    });
                    let tables = self.cx.vocab.tables();
                    if tables.has(Category::JoinMethod, name) || joins_each {
                        state
                            .threads
                            .retain(|t| !(t.joinable && t.handle.as_deref() == Some(local)));
                    }
                    // `handles.push(h)`: the collection now holds the handle.
                    if tables.has(Category::StoreMethod, name) {
                        for arg in &call.args {
                            if let Arg::Local(moved) = arg {
                                for t in &mut state.threads {
                                    if t.handle.as_deref() == Some(moved.as_str()) {
                                        t.handle = Some(local.clone());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Callee::Path(path) => {
                if self.cx.vocab.tables().has(Category::Drop, path) {
                    if let Some(Arg::Local(dropped)) = call.args.first() {
                        state
                            .guards
                            .retain(|g| !(g.via.is_empty() && &g.name == dropped));
                        // Dropping a runtime shuts down its worker threads too.
                        let ended: Vec<TextRange> = state
                            .runtimes
                            .iter()
                            .filter(|r| r.handle.as_deref() == Some(dropped.as_str()))
                            .map(|r| r.span)
                            .collect();
                        state.runtimes.retain(|r| !ended.contains(&r.span));
                        state.threads.retain(|t| !ended.contains(&t.span));
                    }
                }
            }
            Callee::Unknown(_) => {}
        }
        if ends_process(&self.cx, call) {
            state.reachable = false;
        }
        state
    }
}

/// A `thread-join` call (`workers.stop_all()`, `pool::join_all(&workers)`) ends every thread
/// held by its receiver or by a local argument: the vocabulary says the call waits for them,
/// whatever started them (a crate-local start's thread has no `JoinHandle` to `.join()`).
fn join_held_threads(state: &mut State, call: &Call) {
    let mut holders: Vec<&str> = call
        .args
        .iter()
        .filter_map(|arg| match arg {
            Arg::Local(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    if let Callee::Method { receiver, .. } = &call.callee {
        if let (Some(local), None) = (&receiver.local, &receiver.field) {
            holders.push(local);
        }
    }
    state
        .threads
        .retain(|t| !t.handle.as_deref().is_some_and(|h| holders.contains(&h)));
}

/// After `let name = init`: thread starts and runtimes created by the initializer are held by
/// `name`; `let name = other` moves `other`'s handles.
fn rename_handles(state: &mut State, before: (usize, usize), name: &str, moved_from: Option<&str>) {
    for t in state.threads.iter_mut().skip(before.0) {
        if t.handle.is_none() {
            t.handle = Some(name.to_string());
        }
    }
    for r in state.runtimes.iter_mut().skip(before.1) {
        if r.handle.is_none() && !r.global {
            r.handle = Some(name.to_string());
        }
    }
    if let Some(from) = moved_from {
        for t in &mut state.threads {
            if t.handle.as_deref() == Some(from) {
                t.handle = Some(name.to_string());
            }
        }
        for r in &mut state.runtimes {
            if r.handle.as_deref() == Some(from) {
                r.handle = Some(name.to_string());
            }
        }
    }
}

/// Whether a loop body calls `.join()` on one of its bindings.
fn joins_binding(vocab: &crate::vocab::Vocab, nodes: &[Node], bindings: &[String]) -> bool {
    let mut found = false;
    crate::ir::visit::walk(nodes, &mut |node| {
        if let Node::Call(call) = node {
            let Callee::Method { name, receiver } = &call.callee else {
                return true;
            };
            if vocab.tables().has(Category::JoinMethod, name)
                && receiver
                    .local
                    .as_ref()
                    .is_some_and(|l| bindings.contains(l))
            {
                found = true;
            }
        }
        true
    });
    found
}

/// Whether a body (or the closures it defines) calls something of `category` (a thread start,
/// a runtime).
fn starts_thread(
    cx: &Cx<'_>,
    file: &FileModel,
    id: BodyId,
    category: Category,
    depth: u32,
) -> bool {
    if depth > 4 {
        return false;
    }
    let mut found = false;
    crate::ir::visit::walk(&file.body(id).block.nodes, &mut |node| {
        found |= if let Some(call) = node.as_call() {
            cx.vocab
                .call(category, &call.callee)
                .is_some_and(|e| !e.is(Kind::Hint))
        } else if let Some(m) = node.as_macro() {
            cx.vocab.macro_call(category, &m.path).is_some()
        } else if let Node::Closure(inner) = node {
            !found && starts_thread(cx, file, *inner, category, depth + 1)
        } else {
            false
        };
        !found
    });
    found
}
