//! Shared analysis of the fork rules (FL001, FL004, FL005, FL006, FL007).
//!
//! Three questions are answered here once, so that each rule stays a small query:
//! - **fork sites**: calls of the fork family, identified by resolved path (RULES.md "Fork
//!   identification"), and their **child region**: the branches or arms that only the child runs,
//!   or the continuing process after a daemon-style call;
//! - **state at each fork**: a forward abstract interpretation over a function's structured IR
//!   (inline closures included) that tracks thread starts not joined on every path, live lock
//!   guards and live async runtimes; branches merge by union and loops run twice, so a spawn at
//!   the end of iteration N is seen at the fork of iteration N+1;
//! - **fork-exec clean**: whether a child region does only async-signal-safe work and ends in
//!   `exec*` or `_exit` on every path, and how control can leave a child region.

use std::collections::BTreeMap;

use crate::model::ir::{
    Arg, Block, Body, BodyId, BodyKind, Call, Callee, CmpOp, Cond, Context, FileModel, GuardInfo,
    JumpKind, Match, Node, Operand, Pat, Role,
};
use crate::model::summary::Fact;
use crate::rules::util::call_name;
use crate::rules::RuleContext;
use crate::source::{FileId, TextRange};
use crate::vocab::{Category, Entry};

pub const NIX_FORK_NOTE: &str = "nix's `fork` docs: \"in a multithreaded program, only async-signal-safe functions like `pause` and `_exit` may be called by the child (the parent isn't restricted); memory allocation may not be async-signal-safe and thus must be prevented\"";
pub const PRE_EXEC_NOTE: &str = "std's `CommandExt::pre_exec` docs: the closure runs in the child after `fork`; it must be async-signal-safe: it may not allocate, take locks, or touch state other threads may hold";
pub const TOKIO_FORK_NOTE: &str = "Tokio's \"Unix fork\" guidance: once the parent has used Tokio, neither the parent's runtime nor a new runtime may be used in the child; only exec a fresh program there";

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
}

/// A lock guard bound by `let`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub name: String,
    /// The lock method's span.
    pub span: TextRange,
    pub lock_name: String,
    /// The `let` statement's span (its identity, for scope ends).
    pub decl: TextRange,
}

/// An async runtime that may be alive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeLive {
    pub span: TextRange,
    pub handle: Option<String>,
    /// Lives in a static once started: never dropped.
    pub global: bool,
    pub label: String,
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

    fn dead() -> State {
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

/// What the fork's child runs.
#[derive(Debug)]
pub enum ChildRegion<'a> {
    /// The result is not tested in this function (a wrapper returning it, for instance).
    Unknown,
    /// A daemon-style call: the code after it is the continuing (child) process.
    Daemon,
    /// Branches or arms only the child runs; `rest` is the code after the test when every parent
    /// path has already left (hand-written daemonizing): then the child continues there.
    Branches {
        blocks: Vec<&'a Block>,
        rest: Option<&'a [Node]>,
    },
}

/// One fork-family call and what is known at it.
#[derive(Debug)]
pub struct ForkSite<'a> {
    /// The body the call is written in.
    pub body: BodyId,
    pub call: &'a Call,
    pub kind: String,
    pub state: State,
    pub context: Context,
    pub child: ChildRegion<'a>,
}

impl ForkSite<'_> {
    pub fn name(&self) -> String {
        call_name(&self.call.callee)
    }

    pub fn is_daemon(&self) -> bool {
        matches!(self.child, ChildRegion::Daemon)
    }

    /// The branches written out as the child's (what FL004 and FL005 check lexically).
    pub fn child_blocks(&self) -> &[&Block] {
        match &self.child {
            ChildRegion::Branches { blocks, .. } => blocks,
            _ => &[],
        }
    }

    /// Whether the child continues as the daemonized process (no escape to judge).
    pub fn continues(&self) -> bool {
        matches!(
            self.child,
            ChildRegion::Daemon | ChildRegion::Branches { rest: Some(_), .. }
        )
    }
}

/// The fork-family entry a call matches, checking `first-arg` for `syscall(SYS_fork)`.
pub fn fork_entry<'v>(cx: &'v RuleContext<'_>, call: &Call) -> Option<&'v Entry> {
    let entry = cx.vocab.call(Category::Fork, &call.callee)?;
    if let Some(allowed) = &entry.first_arg {
        let Some(Arg::Path(first)) = call.args.first() else {
            return None;
        };
        let last = first.rsplit("::").next().unwrap_or(first);
        let ok = allowed
            .iter()
            .any(|a| a == first || a.rsplit("::").next() == Some(last));
        if !ok {
            return None;
        }
    }
    Some(entry)
}

fn has_fork(cx: &RuleContext<'_>, body: &Body) -> bool {
    let mut found = false;
    crate::model::ir::walk_nodes(&body.block.nodes, &mut |node| {
        if let Node::Call(call) = node {
            if fork_entry(cx, call).is_some() {
                found = true;
            }
        }
        !found
    });
    found
}

/// Every fork site of the file, in source order.
pub fn fork_sites<'a>(cx: &'a RuleContext<'a>) -> Vec<ForkSite<'a>> {
    let file = cx.file;
    let with_fork: Vec<BodyId> = (0..file.bodies.len() as BodyId)
        .filter(|id| has_fork(cx, file.body(*id)))
        .collect();
    if with_fork.is_empty() {
        return Vec::new();
    }
    // Child regions first: the interpreter needs them (the child of a fork has one thread).
    let mut found: Vec<(BodyId, &Call, String, ChildRegion<'_>)> = Vec::new();
    for body_id in &with_fork {
        let body = file.body(*body_id);
        if body.role == Role::PreExec {
            continue;
        }
        let mut calls = Vec::new();
        crate::model::ir::walk_nodes(&body.block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                if let Some(entry) = fork_entry(cx, call) {
                    calls.push((call, entry));
                }
            }
            true
        });
        for (call, entry) in calls {
            let kind = entry.kind.clone().unwrap_or_else(|| "fork".to_string());
            let child = match kind.as_str() {
                "daemon" => ChildRegion::Daemon,
                "clone" => ChildRegion::Unknown,
                _ => child_region(cx, &body.block.nodes, call),
            };
            found.push((*body_id, call, kind, child));
        }
    }
    let child_blocks: Vec<*const Block> = found
        .iter()
        .flat_map(|(_, _, _, child)| match child {
            ChildRegion::Branches { blocks, .. } => blocks.clone(),
            _ => Vec::new(),
        })
        .map(|b| b as *const Block)
        .collect();
    let rest_starts: Vec<*const Node> = found
        .iter()
        .filter_map(|(_, _, _, child)| match child {
            ChildRegion::Branches {
                rest: Some(rest), ..
            } => rest.first().map(|n| n as *const Node),
            _ => None,
        })
        .collect();
    let mut interp = Interp {
        cx,
        file,
        at_fork: BTreeMap::new(),
        loops: Vec::new(),
        frames: Vec::new(),
        child_blocks,
        rest_starts,
    };
    // Roots: items and bodies run by something other than their parent's code.
    for (index, body) in file.bodies.iter().enumerate() {
        let root = match body.kind {
            BodyKind::Fn => true,
            BodyKind::StaticInit => false,
            BodyKind::Closure | BodyKind::AsyncBlock => {
                !matches!(body.role, Role::Plain | Role::PreExec)
            }
        };
        if !root || !reaches_fork(file, index as BodyId, &with_fork) {
            continue;
        }
        let state = interp.initial_state(body);
        interp.run_body(index as BodyId, state);
    }
    let mut sites = Vec::new();
    for (body_id, call, kind, child) in found {
        let (state, context) = interp
            .at_fork
            .remove(&(call.span.start, call.span.end))
            .unwrap_or_else(|| (State::dead(), file.body(body_id).context));
        if !state.reachable {
            // Not reached from any root (a closure stored and run elsewhere).
            continue;
        }
        sites.push(ForkSite {
            body: body_id,
            call,
            kind,
            state,
            context,
            child,
        });
    }
    sites.sort_by_key(|s| s.call.span.start);
    sites
}

/// Whether a root body contains (itself or through inline closures) one of `targets`.
fn reaches_fork(file: &FileModel, root: BodyId, targets: &[BodyId]) -> bool {
    // A target whose chain of inline parents leads to `root`.
    targets.iter().any(|t| {
        let mut id = *t;
        loop {
            if id == root {
                return true;
            }
            let body = file.body(id);
            if body.kind == BodyKind::Fn || !matches!(body.role, Role::Plain) {
                return false;
            }
            match body.parent {
                Some(p) => id = p,
                None => return false,
            }
        }
    })
}

// ------------------------------------------------------------------------------------------
// The abstract interpreter.

struct LoopFrame {
    label: Option<String>,
    breaks: State,
    continues: State,
}

struct Interp<'a> {
    cx: &'a RuleContext<'a>,
    file: &'a FileModel,
    /// Fork call span -> joined state and the context the call runs in.
    at_fork: BTreeMap<(u32, u32), (State, Context)>,
    loops: Vec<LoopFrame>,
    /// Return states of the bodies being run (inline closures return to their caller).
    frames: Vec<State>,
    /// Child regions of the forks (by address): only the forking thread exists there.
    child_blocks: Vec<*const Block>,
    /// First nodes of the code only a fork's child continues into (every parent path left).
    rest_starts: Vec<*const Node>,
}

impl<'a> Interp<'a> {
    fn initial_state(&self, body: &Body) -> State {
        let mut state = State::entry();
        let file = self.file.file;
        if let Some(main) = &body.attrs.async_main {
            if main.multi_thread {
                state.threads.push(ThreadStart {
                    file,
                    span: main.span,
                    label: format!("`#[{}]` starts a multi-threaded runtime", main.path),
                    handle: None,
                    joinable: false,
                });
            }
            state.runtimes.push(RuntimeLive {
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
            });
        }
        match body.role {
            Role::Thread | Role::ContextExit => state.threads.push(ThreadStart {
                file,
                span: body.span,
                label: "this closure runs on a thread of its own".to_string(),
                handle: None,
                joinable: false,
            }),
            Role::Green => state.threads.push(ThreadStart {
                file,
                span: body.span,
                label: "this green task runs on may's scheduler threads".to_string(),
                handle: None,
                joinable: false,
            }),
            _ => {}
        }
        if body.kind == BodyKind::Fn && !body.attrs.ctor {
            if let Some(start) = self.ctor_thread() {
                state.threads.push(start);
            }
        }
        state
    }

    /// A `#[ctor]` function of the package that starts a thread before `main`.
    fn ctor_thread(&self) -> Option<ThreadStart> {
        let model = self.cx.model;
        let package = model.package_of.get(self.file.file as usize).copied();
        for (index, file) in model.files.iter().enumerate() {
            let Some(file) = file else { continue };
            if model.package_of.get(index).copied() != package {
                continue;
            }
            for (id, body) in file.items() {
                if body.attrs.ctor && starts_thread(self.cx, file, id, Category::ThreadStart, 0) {
                    return Some(ThreadStart {
                        file: file.file,
                        span: body.span,
                        label: format!(
                            "`#[ctor]` fn `{}` starts a thread before `main`",
                            body.name
                        ),
                        handle: None,
                        joinable: false,
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
                            starts_thread(self.cx, file, init, Category::ThreadStart, 0),
                            starts_thread(self.cx, file, init, Category::Runtime, 0),
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
        let Some((path, method)) = &guard.on_static else {
            return true;
        };
        let ty = self.cx.model.static_type(self.file.file, path);
        ty.is_some() && self.cx.vocab.method(Category::Lock, method, ty).is_some()
    }

    fn run_body(&mut self, id: BodyId, state: State) -> State {
        self.frames.push(State::dead());
        let body = self.file.body(id);
        let end = self.block(&body.block, state, body.context);
        let returns = self.frames.pop().unwrap_or_default();
        end.join(returns)
    }

    fn block(&mut self, block: &'a Block, mut state: State, ctx: Context) -> State {
        if self.child_blocks.contains(&(block as *const Block)) {
            state.threads.clear();
        }
        let mut state = self.nodes(&block.nodes, state, ctx);
        // Guards bound in this block are dropped at its end.
        let decls: Vec<TextRange> = block
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Let(l) if l.guard_of.is_some() => Some(l.span),
                _ => None,
            })
            .collect();
        if !decls.is_empty() {
            state.guards.retain(|g| !decls.contains(&g.decl));
        }
        // Runtimes bound in this block are dropped (and their workers shut down) at its end.
        let names: Vec<&String> = block
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Let(l) => Some(&l.names),
                _ => None,
            })
            .flatten()
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
        for node in nodes {
            if !state.reachable {
                break;
            }
            if self.rest_starts.contains(&(node as *const Node)) {
                state.threads.clear();
            }
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
                    if entry.kind.as_deref() != Some("hint") {
                        state.threads.push(ThreadStart {
                            file: self.file.file,
                            span: m.span,
                            label: "thread started here, not joined on this path".to_string(),
                            handle: None,
                            joinable: false,
                        });
                    }
                }
                if let Some(entry) = self.cx.vocab.macro_call(Category::Runtime, &m.path) {
                    state.runtimes.push(RuntimeLive {
                        span: m.span,
                        handle: None,
                        global: entry.kind.as_deref() == Some("global"),
                        label: "starts a runtime that is never shut down".to_string(),
                    });
                }
                if self
                    .cx
                    .vocab
                    .macro_call(Category::Panics, &m.path)
                    .is_some_and(|e| e.kind.as_deref() == Some("diverges"))
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
                let infinite = l.kind == crate::model::ir::LoopKind::Loop
                    || matches!(l.cond, Some(Cond::Bool(true)));
                let mut after = if infinite {
                    frame.breaks
                } else {
                    exits.join(frame.breaks)
                };
                // `for h in handles { h.join() }` joins every handle of the collection.
                if let Some(collection) = &l.iter_local {
                    if joins_binding(&l.body.nodes, &l.bindings) {
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
        })
    }

    fn call(&mut self, call: &'a Call, mut state: State, ctx: Context) -> State {
        let vocab = self.cx.vocab;
        if let Some(entry) = fork_entry(self.cx, call) {
            let key = (call.span.start, call.span.end);
            let (old, _) = self
                .at_fork
                .remove(&key)
                .unwrap_or_else(|| (State::dead(), ctx));
            self.at_fork.insert(key, (old.join(state.clone()), ctx));
            // After a daemon-style call the process is the child: one thread.
            if entry.kind.as_deref() == Some("daemon") {
                state.threads.clear();
            }
        }
        if let Some(entry) = vocab.call(Category::ThreadStart, &call.callee) {
            if entry.kind.as_deref() != Some("hint") {
                state.threads.push(ThreadStart {
                    file: self.file.file,
                    span: call.span,
                    label: "thread started here, not joined on this path".to_string(),
                    handle: None,
                    joinable: entry.kind.as_deref() == Some("joinable"),
                });
            }
        }
        if let Some(entry) = vocab.call(Category::Runtime, &call.callee) {
            let global = entry.kind.as_deref() == Some("global");
            state.runtimes.push(RuntimeLive {
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
        match &call.callee {
            Callee::Method { name, receiver } => {
                if let (Some(local), None) = (&receiver.local, &receiver.field) {
                    // `h.join()`, or `handles.into_iter().for_each(|h| { h.join(); })`.
                    let joins_each = call.args.iter().any(|arg| match arg {
                        Arg::Closure(id) => {
                            let body = self.file.body(*id);
                            let params: Vec<String> =
                                body.params.iter().map(|(n, _)| n.clone()).collect();
                            joins_binding(&body.block.nodes, &params)
                        }
                        _ => false,
                    });
                    if name == "join" || joins_each {
                        state
                            .threads
                            .retain(|t| !(t.joinable && t.handle.as_deref() == Some(local)));
                    }
                    // `handles.push(h)`: the collection now holds the handle.
                    if matches!(name.as_str(), "push" | "push_back" | "insert" | "extend") {
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
                if path == "std::mem::drop" {
                    if let Some(Arg::Local(dropped)) = call.args.first() {
                        state.guards.retain(|g| &g.name != dropped);
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
            Callee::Unknown => {}
        }
        if ends_process(self.cx, call) {
            state.reachable = false;
        }
        state
    }
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
fn joins_binding(nodes: &[Node], bindings: &[String]) -> bool {
    let mut found = false;
    crate::model::ir::walk_nodes(nodes, &mut |node| {
        if let Node::Call(call) = node {
            let Callee::Method { name, receiver } = &call.callee else {
                return true;
            };
            if name == "join"
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
    cx: &RuleContext<'_>,
    file: &FileModel,
    id: BodyId,
    category: Category,
    depth: u32,
) -> bool {
    if depth > 4 {
        return false;
    }
    let mut found = false;
    crate::model::ir::walk_nodes(&file.body(id).block.nodes, &mut |node| {
        found |= match node {
            Node::Call(call) => cx
                .vocab
                .call(category, &call.callee)
                .is_some_and(|e| e.kind.as_deref() != Some("hint")),
            Node::Macro(m) => cx.vocab.macro_call(category, &m.path).is_some(),
            Node::Closure(inner) => !found && starts_thread(cx, file, *inner, category, depth + 1),
            _ => false,
        };
        !found
    });
    found
}

/// Whether a call never returns: `_exit`, `exec*`, `abort`, `std::process::exit`, or a
/// crate-local function that never returns.
pub fn ends_process(cx: &RuleContext<'_>, call: &Call) -> bool {
    cx.vocab.call(Category::Exec, &call.callee).is_some()
        || cx.vocab.call(Category::ProcessExit, &call.callee).is_some()
        || local_never_returns(cx, &call.callee, 0)
}

/// The crate-local function a call in the current file names, with its file (resolved through
/// the crate's function index: paths, re-exports, `Self::f`, `self.f()`, typed receivers).
pub fn local_fn<'m>(cx: &'m RuleContext<'_>, callee: &Callee) -> Option<(&'m FileModel, BodyId)> {
    let target = cx.model.resolve_callee(cx.file, callee)?;
    Some((cx.model.file(target.file)?, target.body))
}

/// Whether a crate-local function is `-> !` or ends the process on every path.
fn local_never_returns(cx: &RuleContext<'_>, callee: &Callee, depth: u32) -> bool {
    if depth > 2 {
        return false;
    }
    let Some((file, id)) = local_fn(cx, callee) else {
        return false;
    };
    let body = file.body(id);
    if body.diverges {
        return true;
    }
    let mut flow = Flow::new(cx, depth + 1);
    let completes = flow.seq(&body.block.nodes, 0);
    !completes
        && flow
            .escapes
            .iter()
            .all(|e| matches!(e.kind, EscapeKind::ProcessExit))
}

// ------------------------------------------------------------------------------------------
// How control leaves a region.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscapeKind {
    /// `return` into the caller.
    Return,
    /// `?` into the caller.
    Try,
    /// `break`/`continue` into a loop outside the region.
    Break,
    /// `std::process::exit`: atexit handlers and inherited buffers run in the child.
    ProcessExit,
}

#[derive(Clone, Debug)]
pub struct Escape {
    pub kind: EscapeKind,
    pub span: TextRange,
    /// The exit call's name, for `ProcessExit`.
    pub what: String,
}

/// A structural walk that finds whether a region can complete normally and how else it leaves.
pub struct Flow<'c, 'a> {
    cx: &'c RuleContext<'a>,
    depth: u32,
    pub escapes: Vec<Escape>,
}

impl<'c, 'a> Flow<'c, 'a> {
    pub fn new(cx: &'c RuleContext<'a>, depth: u32) -> Self {
        Flow {
            cx,
            depth,
            escapes: Vec::new(),
        }
    }

    /// Whether `nodes` can complete normally; `loops` counts loops entered inside the region.
    pub fn seq(&mut self, nodes: &[Node], loops: u32) -> bool {
        nodes.iter().all(|node| self.node(node, loops))
    }

    fn node(&mut self, node: &Node, loops: u32) -> bool {
        match node {
            Node::Call(call) => {
                if self
                    .cx
                    .vocab
                    .call(Category::ProcessExit, &call.callee)
                    .is_some()
                {
                    self.escapes.push(Escape {
                        kind: EscapeKind::ProcessExit,
                        span: call.span,
                        what: call_name(&call.callee),
                    });
                    return false;
                }
                !(self.cx.vocab.call(Category::Exec, &call.callee).is_some()
                    || local_never_returns(self.cx, &call.callee, self.depth))
            }
            Node::Macro(m) => self
                .cx
                .vocab
                .macro_call(Category::Panics, &m.path)
                .is_none_or(|e| e.kind.as_deref() != Some("diverges")),
            Node::Let(l) => {
                let completes = self.seq(&l.init, loops);
                if let Some(b) = &l.else_block {
                    self.seq(&b.nodes, loops);
                }
                completes
            }
            Node::Assign(a) => self.seq(&a.value, loops),
            Node::If(i) => {
                if !self.seq(&i.cond_nodes, loops) {
                    return false;
                }
                let then_completes = self.seq(&i.then_block.nodes, loops);
                let else_completes = match &i.else_block {
                    Some(b) => self.seq(&b.nodes, loops),
                    None => true,
                };
                then_completes || else_completes
            }
            Node::Match(m) => {
                if !self.seq(&m.scrutinee_nodes, loops) {
                    return false;
                }
                let mut any = false;
                for arm in &m.arms {
                    if self.seq(&arm.guard, loops) && self.seq(&arm.body.nodes, loops) {
                        any = true;
                    }
                }
                any
            }
            Node::Loop(l) => {
                if !self.seq(&l.header, loops) {
                    return false;
                }
                self.seq(&l.body.nodes, loops + 1);
                let infinite = l.kind == crate::model::ir::LoopKind::Loop
                    || matches!(l.cond, Some(Cond::Bool(true)));
                !infinite || breaks_out(&l.body.nodes, l.label.as_deref(), 0)
            }
            Node::Block(b) => self.seq(&b.nodes, loops),
            Node::Jump(j) => match j.kind {
                JumpKind::Return => {
                    self.escapes.push(Escape {
                        kind: EscapeKind::Return,
                        span: j.span,
                        what: String::new(),
                    });
                    false
                }
                JumpKind::Try => {
                    self.escapes.push(Escape {
                        kind: EscapeKind::Try,
                        span: j.span,
                        what: String::new(),
                    });
                    true
                }
                JumpKind::Break | JumpKind::Continue => {
                    if loops == 0 {
                        self.escapes.push(Escape {
                            kind: EscapeKind::Break,
                            span: j.span,
                            what: String::new(),
                        });
                    }
                    false
                }
            },
            Node::Await(_) | Node::Closure(_) | Node::PathRef(_) => true,
        }
    }
}

/// Whether a `loop` body contains a `break` that leaves this loop.
fn breaks_out(nodes: &[Node], label: Option<&str>, nested: u32) -> bool {
    nodes.iter().any(|node| match node {
        Node::Jump(j) if j.kind == JumpKind::Break => match &j.label {
            Some(l) => Some(l.as_str()) == label,
            None => nested == 0,
        },
        Node::Jump(j) if j.kind == JumpKind::Return => false,
        Node::Loop(l) => {
            breaks_out(&l.header, label, nested) || breaks_out(&l.body.nodes, label, nested + 1)
        }
        Node::Let(l) => {
            breaks_out(&l.init, label, nested)
                || l.else_block
                    .as_ref()
                    .is_some_and(|b| breaks_out(&b.nodes, label, nested))
        }
        Node::Assign(a) => breaks_out(&a.value, label, nested),
        Node::If(i) => {
            breaks_out(&i.cond_nodes, label, nested)
                || breaks_out(&i.then_block.nodes, label, nested)
                || i.else_block
                    .as_ref()
                    .is_some_and(|b| breaks_out(&b.nodes, label, nested))
        }
        Node::Match(m) => {
            breaks_out(&m.scrutinee_nodes, label, nested)
                || m.arms
                    .iter()
                    .any(|a| breaks_out(&a.body.nodes, label, nested))
        }
        Node::Block(b) => breaks_out(&b.nodes, label, nested),
        _ => false,
    })
}

// ------------------------------------------------------------------------------------------
// Fork-exec clean.

/// The first operation of a child region that is not async-signal-safe (span, description).
pub fn first_unsafe_op(cx: &RuleContext<'_>, nodes: &[Node]) -> Option<(TextRange, String)> {
    let mut found = None;
    walk_inline(cx.file, nodes, &mut |node| {
        if found.is_some() {
            return;
        }
        match node {
            Node::Call(call) => {
                if let Some(exec) = cx.vocab.call(Category::Exec, &call.callee) {
                    if exec.clean == Some(false) {
                        found = Some((
                            call.span,
                            format!("`{}` allocates its argument array", call_name(&call.callee)),
                        ));
                    }
                    return;
                }
                if cx.vocab.call(Category::AsSafe, &call.callee).is_some() {
                    return;
                }
                let what = if local_fn(cx, &call.callee).is_some() {
                    format!(
                        "calls `{}`, which is not known to be async-signal-safe",
                        call_name(&call.callee)
                    )
                } else {
                    format!("`{}` is not async-signal-safe", call_name(&call.callee))
                };
                found = Some((call.span, what));
            }
            Node::Macro(m) => {
                found = Some((
                    m.span,
                    format!("`{}!` is not async-signal-safe", short(&m.path)),
                ));
            }
            Node::Await(span) => found = Some((*span, "`.await` in the child".to_string())),
            _ => {}
        }
    });
    found
}

/// Whether the child region does only AS-safe work and ends in `exec*`/`_exit` on every path.
pub fn fork_exec_clean(cx: &RuleContext<'_>, site: &ForkSite<'_>) -> bool {
    let ChildRegion::Branches { blocks, rest } = &site.child else {
        return false;
    };
    if blocks
        .iter()
        .any(|b| first_unsafe_op(cx, &b.nodes).is_some())
    {
        return false;
    }
    if let Some(rest) = rest {
        if first_unsafe_op(cx, rest).is_some() {
            return false;
        }
        let mut flow = Flow::new(cx, 0);
        return !flow.seq(rest, 0) && flow.escapes.is_empty();
    }
    blocks.iter().all(|b| {
        let mut flow = Flow::new(cx, 0);
        !flow.seq(&b.nodes, 0) && flow.escapes.is_empty()
    })
}

/// The first non-AS-safe operation of a site's child (for FL001's evidence label).
pub fn first_unsafe_in_child(
    cx: &RuleContext<'_>,
    site: &ForkSite<'_>,
) -> Option<(TextRange, String)> {
    let ChildRegion::Branches { blocks, rest } = &site.child else {
        return None;
    };
    let mut candidates: Vec<(TextRange, String)> = blocks
        .iter()
        .filter_map(|b| first_unsafe_op(cx, &b.nodes))
        .collect();
    if let Some(rest) = rest {
        candidates.extend(first_unsafe_op(cx, rest));
    }
    candidates.into_iter().min_by_key(|(span, _)| span.start)
}

/// Visit nodes in order, descending into control flow and into closures that run inline.
pub fn walk_inline<'a>(file: &'a FileModel, nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    crate::model::ir::walk_nodes(nodes, &mut |node| {
        f(node);
        if let Node::Closure(id) = node {
            let body = file.body(*id);
            if body.role == Role::Plain {
                walk_inline(file, &body.block.nodes, f);
            }
        }
        true
    });
}

pub fn short(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

// ------------------------------------------------------------------------------------------
// Child regions.

/// What a branch of a fork-result test runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Child,
    Parent,
    Error,
    /// The child or the error case (`else` of `pid > 0`): the child, unless tested again.
    ChildOrError,
    Maybe,
}

impl Side {
    fn is_not_child(self) -> bool {
        matches!(self, Side::Parent | Side::Error)
    }
}

/// What a test is about: a local holding the fork result, or the fork call written in place.
enum Subject<'s> {
    Local(&'s str),
    Call(&'s str),
}

impl Subject<'_> {
    fn is(&self, operand: &Operand) -> bool {
        match (self, operand) {
            (Subject::Local(name), Operand::Local(l)) => l == name,
            (Subject::Call(path), Operand::Call(p)) => p == path,
            _ => false,
        }
    }
}

fn find_call<'a>(nodes: &'a [Node], target: &Call, chain: &mut Vec<(&'a [Node], usize)>) -> bool {
    for (index, node) in nodes.iter().enumerate() {
        chain.push((nodes, index));
        let hit = match node {
            Node::Call(c) => c.span == target.span && c.expr_span == target.expr_span,
            Node::Let(l) => {
                find_call(&l.init, target, chain)
                    || l.else_block
                        .as_ref()
                        .is_some_and(|b| find_call(&b.nodes, target, chain))
            }
            Node::Assign(a) => find_call(&a.value, target, chain),
            Node::If(i) => {
                find_call(&i.cond_nodes, target, chain)
                    || find_call(&i.then_block.nodes, target, chain)
                    || i.else_block
                        .as_ref()
                        .is_some_and(|b| find_call(&b.nodes, target, chain))
            }
            Node::Match(m) => {
                find_call(&m.scrutinee_nodes, target, chain)
                    || m.arms.iter().any(|a| {
                        find_call(&a.guard, target, chain)
                            || find_call(&a.body.nodes, target, chain)
                    })
            }
            Node::Loop(l) => {
                find_call(&l.header, target, chain) || find_call(&l.body.nodes, target, chain)
            }
            Node::Block(b) => find_call(&b.nodes, target, chain),
            _ => false,
        };
        if hit {
            return true;
        }
        chain.pop();
    }
    false
}

fn contains_call(nodes: &[Node], target: &Call) -> bool {
    let mut found = false;
    crate::model::ir::walk_nodes(nodes, &mut |node| {
        if let Node::Call(c) = node {
            if c.span == target.span {
                found = true;
            }
        }
        !found
    });
    found
}

/// The child region of a fork call written in `nodes` (a body's block).
fn child_region<'a>(cx: &RuleContext<'_>, nodes: &'a [Node], call: &Call) -> ChildRegion<'a> {
    // Ancestors from outermost to innermost: (slice holding the node, its index).
    let mut chain = Vec::new();
    if !find_call(nodes, call, &mut chain) {
        return ChildRegion::Unknown;
    }
    let fork_path = match &call.callee {
        Callee::Path(p) => Some(p.as_str()),
        _ => None,
    };
    // Walk outward from the call: the innermost test that contains it decides, else the `let`
    // that binds its result names the local to look for.
    for depth in (0..chain.len().saturating_sub(1)).rev() {
        let (slice, index) = chain[depth];
        let node = &slice[index];
        match node {
            Node::If(i) if contains_call(&i.cond_nodes, call) => {
                let subject = match fork_path {
                    Some(p) => Subject::Call(p),
                    None => return ChildRegion::Unknown,
                };
                let mut deciders = Deciders::default();
                deciders.if_test(cx, i, &subject, true, &slice[index + 1..]);
                return deciders.region(cx);
            }
            Node::Match(m) if contains_call(&m.scrutinee_nodes, call) => {
                let subject = match fork_path {
                    Some(p) => Subject::Call(p),
                    None => return ChildRegion::Unknown,
                };
                let mut deciders = Deciders::default();
                deciders.match_test(cx, m, &subject, &slice[index + 1..]);
                return deciders.region(cx);
            }
            Node::Let(l) => {
                if l.wildcard || l.names.len() != 1 || !contains_call(&l.init, call) {
                    return ChildRegion::Unknown;
                }
                return region_of_local(cx, &l.names[0], &slice[index + 1..]);
            }
            Node::Assign(a) => {
                if !contains_call(&a.value, call) {
                    return ChildRegion::Unknown;
                }
                return region_of_local(cx, &a.local, &slice[index + 1..]);
            }
            Node::Block(_) | Node::Call(_) => continue,
            _ => return ChildRegion::Unknown,
        }
    }
    ChildRegion::Unknown
}

/// The child region selected by tests of `local` in the code that follows its binding.
fn region_of_local<'a>(
    cx: &RuleContext<'_>,
    local: &str,
    following: &'a [Node],
) -> ChildRegion<'a> {
    let subject = Subject::Local(local);
    let mut deciders = Deciders::default();
    deciders.scan(cx, following, &subject);
    deciders.region(cx)
}

#[derive(Default)]
struct Deciders<'a> {
    child: Vec<&'a Block>,
    /// Parent/error branches, to know whether all of them leave.
    parent: Vec<&'a Block>,
    /// The code after a test whose parent branch has no `else` (the child may continue there).
    rest: Option<&'a [Node]>,
    /// A test was found.
    tested: bool,
    /// Some parent branch can fall through into `rest`.
    parent_falls_through: bool,
    /// The code after the first test.
    after: Option<&'a [Node]>,
    /// An enclosing test already excluded the child (the `else` of `pid == 0`).
    child_excluded: bool,
}

impl<'a> Deciders<'a> {
    /// Finds tests of `subject` in `nodes`, in order (not inside closures).
    fn scan(&mut self, cx: &RuleContext<'_>, nodes: &'a [Node], subject: &Subject<'_>) {
        for (index, node) in nodes.iter().enumerate() {
            match node {
                Node::If(i) if cond_mentions(&i.cond, subject) => {
                    self.if_test(cx, i, subject, false, &nodes[index + 1..]);
                }
                Node::Match(m) if subject.is(&m.scrutinee) => {
                    self.match_test(cx, m, subject, &nodes[index + 1..]);
                }
                Node::Let(l) => self.scan(cx, &l.init, subject),
                Node::If(i) => {
                    self.scan(cx, &i.then_block.nodes, subject);
                    if let Some(b) = &i.else_block {
                        self.scan(cx, &b.nodes, subject);
                    }
                }
                Node::Match(m) => {
                    for arm in &m.arms {
                        self.scan(cx, &arm.body.nodes, subject);
                    }
                }
                Node::Loop(l) => self.scan(cx, &l.body.nodes, subject),
                Node::Block(b) => self.scan(cx, &b.nodes, subject),
                _ => {}
            }
        }
    }

    fn add(
        &mut self,
        cx: &RuleContext<'_>,
        side: Side,
        block: &'a Block,
        subject: &Subject<'_>,
        child_elsewhere: bool,
    ) {
        let side = match side {
            Side::ChildOrError if self.child_excluded => Side::Error,
            other => other,
        };
        let nested = || Deciders {
            child_excluded: child_elsewhere || self.child_excluded,
            ..Deciders::default()
        };
        match side {
            Side::Child => self.child.push(block),
            Side::ChildOrError => {
                // Tested again inside (`else if pid == 0`): the nested test decides.
                let mut inner = nested();
                inner.scan(cx, &block.nodes, subject);
                if inner.tested {
                    self.merge(inner);
                } else {
                    self.child.push(block);
                }
            }
            Side::Parent | Side::Error => self.parent.push(block),
            Side::Maybe => {
                let mut inner = nested();
                inner.scan(cx, &block.nodes, subject);
                self.merge(inner);
            }
        }
    }

    fn merge(&mut self, other: Deciders<'a>) {
        self.tested |= other.tested;
        self.child.extend(other.child);
        self.parent.extend(other.parent);
        if self.rest.is_none() {
            self.rest = other.rest;
        }
        self.parent_falls_through |= other.parent_falls_through;
    }

    fn if_test(
        &mut self,
        cx: &RuleContext<'_>,
        i: &'a crate::model::ir::If,
        subject: &Subject<'_>,
        direct: bool,
        after: &'a [Node],
    ) {
        let Some((then_side, else_side)) = classify_cond(cx, &i.cond, subject, direct) else {
            return;
        };
        self.tested = true;
        self.after.get_or_insert(after);
        self.add(
            cx,
            then_side,
            &i.then_block,
            subject,
            else_side == Side::Child,
        );
        match &i.else_block {
            Some(b) => self.add(cx, else_side, b, subject, then_side == Side::Child),
            None => {
                // `if pid > 0 { exit(0) }`: when the parent side leaves, the child continues
                // after the test.
                if then_side.is_not_child() && matches!(else_side, Side::Child | Side::ChildOrError)
                {
                    let mut flow = Flow::new(cx, 0);
                    if flow.seq(&i.then_block.nodes, 0) {
                        self.parent_falls_through = true;
                    } else if self.rest.is_none() {
                        self.rest = Some(after);
                    }
                }
            }
        }
    }

    fn match_test(
        &mut self,
        cx: &RuleContext<'_>,
        m: &'a Match,
        subject: &Subject<'_>,
        after: &'a [Node],
    ) {
        let mut seen_child = false;
        let mut seen_parent = false;
        let mut sides = Vec::new();
        for arm in &m.arms {
            let mut side = classify_pat(cx, &arm.pat);
            if !arm.guard.is_empty() && side == Side::Child {
                side = Side::Maybe;
            }
            let side = match side {
                Side::Maybe
                    if matches!(arm.pat, Pat::Wild | Pat::Binding(_)) && arm.guard.is_empty() =>
                {
                    if seen_child {
                        Side::Parent
                    } else if seen_parent {
                        Side::ChildOrError
                    } else {
                        Side::Maybe
                    }
                }
                other => other,
            };
            seen_child |= side == Side::Child;
            seen_parent |= side == Side::Parent;
            sides.push(side);
        }
        if !sides.iter().any(|s| *s != Side::Maybe) {
            return;
        }
        self.tested = true;
        self.after.get_or_insert(after);
        for (arm, side) in m.arms.iter().zip(sides) {
            self.add(cx, side, &arm.body, subject, seen_child);
        }
    }

    fn region(self, cx: &RuleContext<'_>) -> ChildRegion<'a> {
        if !self.tested {
            return ChildRegion::Unknown;
        }
        if let Some(rest) = self.rest {
            if !self.parent_falls_through {
                return ChildRegion::Branches {
                    blocks: self.child,
                    rest: Some(rest),
                };
            }
        }
        if self.child.is_empty() {
            return ChildRegion::Unknown;
        }
        // Every parent path leaves (`Parent { .. } => exit(0)`): a child branch that falls off
        // continues as the daemonized process in the code after the test.
        let parents_leave = !self.parent.is_empty()
            && self
                .parent
                .iter()
                .all(|b| !Flow::new(cx, 0).seq(&b.nodes, 0));
        let child_falls_off = self.child.iter().any(|b| Flow::new(cx, 0).seq(&b.nodes, 0));
        let rest = (parents_leave && child_falls_off)
            .then_some(self.after)
            .flatten();
        ChildRegion::Branches {
            blocks: self.child,
            rest,
        }
    }
}

fn cond_mentions(cond: &Cond, subject: &Subject<'_>) -> bool {
    match cond {
        Cond::Cmp { lhs, rhs, .. } => subject.is(lhs) || subject.is(rhs),
        Cond::Method { local, .. } => match (subject, local) {
            (Subject::Local(name), Some(l)) => l == name,
            _ => false,
        },
        Cond::Let { scrutinee, .. } => subject.is(scrutinee),
        Cond::Not(c) => cond_mentions(c, subject),
        Cond::And(a, b) | Cond::Or(a, b) => cond_mentions(a, subject) || cond_mentions(b, subject),
        Cond::Bool(_) | Cond::Other => false,
    }
}

/// (then side, else side) of a test of the fork result.
fn classify_cond(
    cx: &RuleContext<'_>,
    cond: &Cond,
    subject: &Subject<'_>,
    direct: bool,
) -> Option<(Side, Side)> {
    match cond {
        Cond::Cmp { lhs, op, rhs } => {
            let (op, k) = match (lhs, rhs) {
                (l, Operand::Int(k)) if subject.is(l) => (*op, *k),
                (Operand::Int(k), r) if subject.is(r) => (flip(*op), *k),
                _ => return None,
            };
            Some(match (op, k) {
                (CmpOp::Eq, 0) => (Side::Child, Side::Maybe),
                (CmpOp::Ne, 0) => (Side::Parent, Side::Child),
                (CmpOp::Gt, 0) | (CmpOp::Ge, 1) => (Side::Parent, Side::ChildOrError),
                (CmpOp::Lt, 0) | (CmpOp::Le, -1) | (CmpOp::Eq, -1) => (Side::Error, Side::Maybe),
                (CmpOp::Ne, -1) | (CmpOp::Ge, 0) | (CmpOp::Gt, -1) => (Side::Maybe, Side::Error),
                (CmpOp::Le, 0) | (CmpOp::Lt, 1) => (Side::ChildOrError, Side::Parent),
                _ => return None,
            })
        }
        Cond::Method { local, name } => {
            let about = match (subject, local) {
                (Subject::Local(n), Some(l)) => l == n,
                (Subject::Call(_), None) => direct,
                _ => false,
            };
            if !about {
                return None;
            }
            if cx.vocab.method(Category::ForkChild, name, None).is_some() {
                Some((Side::Child, Side::Parent))
            } else if cx.vocab.method(Category::ForkParent, name, None).is_some() {
                Some((Side::Parent, Side::Child))
            } else {
                None
            }
        }
        Cond::Let { pat, scrutinee } if subject.is(scrutinee) => match classify_pat(cx, pat) {
            Side::Child => Some((Side::Child, Side::Maybe)),
            Side::Parent => Some((Side::Parent, Side::ChildOrError)),
            Side::Error => Some((Side::Error, Side::Maybe)),
            _ => None,
        },
        Cond::Not(inner) => classify_cond(cx, inner, subject, direct).map(|(t, e)| (e, t)),
        Cond::And(a, b) => {
            let side = classify_cond(cx, a, subject, direct)
                .or_else(|| classify_cond(cx, b, subject, direct))?;
            match side.0 {
                Side::Child | Side::Parent | Side::Error => Some((side.0, Side::Maybe)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Whether `path` is named by an entry of `category` (exactly, or by its last two segments, for
/// a result type imported through a glob).
fn pattern_in(cx: &RuleContext<'_>, category: Category, path: &str) -> bool {
    if cx.vocab.path(category, path).is_some() {
        return true;
    }
    let tail = |p: &str| {
        let mut parts = p.rsplit("::");
        let last = parts.next().unwrap_or_default().to_string();
        let before = parts.next().unwrap_or_default().to_string();
        (before, last)
    };
    let wanted = tail(path);
    !wanted.0.is_empty()
        && cx
            .vocab
            .entries(category)
            .iter()
            .filter_map(|e| e.path.as_deref())
            .any(|p| tail(p) == wanted)
}

fn classify_pat(cx: &RuleContext<'_>, pat: &Pat) -> Side {
    match pat {
        Pat::Int(0) => Side::Child,
        Pat::Int(k) if *k < 0 => Side::Error,
        Pat::Int(_) => Side::Parent,
        Pat::Path(p) | Pat::Struct(p) => {
            if pattern_in(cx, Category::ForkChild, p) {
                Side::Child
            } else if pattern_in(cx, Category::ForkParent, p) {
                Side::Parent
            } else {
                Side::Maybe
            }
        }
        Pat::TupleStruct(p, inner) => {
            if p == "Ok" || p.ends_with("::Ok") {
                match inner.as_slice() {
                    [one] => classify_pat(cx, one),
                    _ => Side::Maybe,
                }
            } else if p == "Err" || p.ends_with("::Err") {
                Side::Error
            } else if pattern_in(cx, Category::ForkParent, p) {
                Side::Parent
            } else if pattern_in(cx, Category::ForkChild, p) {
                Side::Child
            } else {
                Side::Maybe
            }
        }
        Pat::Or(pats) => {
            let sides: Vec<Side> = pats.iter().map(|p| classify_pat(cx, p)).collect();
            if sides.iter().all(|s| s.is_not_child()) {
                Side::Parent
            } else if sides.iter().all(|s| *s == Side::Child) {
                Side::Child
            } else {
                Side::Maybe
            }
        }
        // `-1 => ..` parses as an opaque pattern; a range is a pid range in practice.
        Pat::Other => Side::Error,
        Pat::Range => Side::Parent,
        Pat::Wild | Pat::Binding(_) | Pat::Tuple(_) => Side::Maybe,
    }
}

/// The body that runs at a site (its own or the nearest item, for messages).
pub fn enclosing_item(file: &FileModel, id: BodyId) -> &Body {
    let mut current = id;
    loop {
        let body = file.body(current);
        match body.parent {
            Some(parent) if body.kind != BodyKind::Fn => current = parent,
            _ => return body,
        }
    }
}

// ------------------------------------------------------------------------------------------
// Operations in a child.

/// What an operation written in a child region is, for FL004/FL005.
#[derive(Clone, Debug)]
pub enum Op {
    /// Takes a lock (FL004 in fork children, FL005 in `pre_exec`).
    Lock,
    /// `std::process::exit` and friends (FL006 in fork children).
    ProcessExit,
    /// Not async-signal-safe: what it does, and the help of its vocabulary entry.
    Unsafe {
        what: &'static str,
        help: Option<String>,
    },
    /// A call of a crate-local function (followed only inside `pre_exec`).
    Local,
    /// AS-safe, a terminator, or unknown: not reported.
    Quiet,
}

/// Classifies a call or macro node.
pub fn classify_op(cx: &RuleContext<'_>, node: &Node) -> Option<(TextRange, String, Op)> {
    let vocab = cx.vocab;
    match node {
        Node::Call(call) => {
            let name = format!("`{}`", call_name(&call.callee));
            let callee = &call.callee;
            let op = if vocab.call(Category::Lock, callee).is_some() {
                Op::Lock
            } else if vocab.call(Category::ProcessExit, callee).is_some() {
                Op::ProcessExit
            } else if vocab.call(Category::Exec, callee).is_some()
                || vocab.call(Category::AsSafe, callee).is_some()
            {
                Op::Quiet
            } else if let Some(e) = vocab.call(Category::Alloc, callee) {
                Op::Unsafe {
                    what: "allocates",
                    help: e.help.clone(),
                }
            } else if let Some(e) = vocab.call(Category::Panics, callee) {
                Op::Unsafe {
                    what: "may panic",
                    help: e.help.clone(),
                }
            } else if let Some(e) = vocab.call(Category::NotAsSafe, callee) {
                Op::Unsafe {
                    what: "is not async-signal-safe",
                    help: e.help.clone(),
                }
            } else if matches!(callee, Callee::Path(p) if crate::vocab::libc_call_not_as_safe(p)) {
                Op::Unsafe {
                    what: "is not async-signal-safe",
                    help: None,
                }
            } else if local_fn(cx, callee).is_some() {
                Op::Local
            } else {
                Op::Quiet
            };
            Some((call.span, name, op))
        }
        Node::Macro(m) => {
            let name = format!("`{}!`", short(&m.path));
            let op = if vocab.macro_call(Category::Lock, &m.path).is_some() {
                Op::Lock
            } else if let Some(e) = vocab.macro_call(Category::Alloc, &m.path) {
                Op::Unsafe {
                    what: "allocates",
                    help: e.help.clone(),
                }
            } else if let Some(e) = vocab.macro_call(Category::Panics, &m.path) {
                Op::Unsafe {
                    what: "may panic",
                    help: e.help.clone(),
                }
            } else if let Some(e) = vocab.macro_call(Category::NotAsSafe, &m.path) {
                Op::Unsafe {
                    what: "is not async-signal-safe",
                    help: e.help.clone(),
                }
            } else {
                Op::Quiet
            };
            Some((m.span, name, op))
        }
        _ => None,
    }
}
