//! FL002 async-loop-never-yields: a loop in async or green context that never gives the
//! scheduler a chance to run other tasks.
//!
//! A loop fires when its body has no yield point (docs/contexts.md, "Yield points") and it never exits,
//! spins on a non-blocking poll until something changes, or blocks. Everything it knows about
//! APIs comes from the vocabulary (`yield`, `spin`, `blocking`, `diverges`).

use crate::analysis::contexts::{blocking_entry, context_root, in_local_context_exit, runs_alone};
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::ir::visit;
use crate::ir::{
    Block, Body, BodyId, BodyKind, Call, Callee, Cond, Context, If, Jump, JumpKind, Loop, LoopKind,
    Match, Node, Pat,
};
use crate::model::summary::Witness;
use crate::rules::blocking_call_in_async::{blocking_help, blocking_helper};
use crate::rules::util::{call_name, context_description};
use crate::rules::RuleContext;
use crate::vocab::{Category, Entry};

declare_rule! {
    /// ### What it does
    /// Finds loops in `async` code (and in `may` green tasks) whose body never reaches a yield
    /// point, and that either never exit (`loop` without `break`/`return`, `while true`, an open
    /// range `for _ in 0..`), spin on a non-blocking poll until another task changes something
    /// (`try_recv` with `Empty => continue`, `while !flag.load(..) {}`, `try_lock` retries,
    /// `is_empty()` checks), or block the thread on every iteration.
    ///
    /// Yield points are an `.await` anywhere in the loop (even on one branch),
    /// `tokio::task::yield_now().await`, `consume_budget().await`, the `select!`/`join!`/
    /// `try_join!` macros of tokio and futures, and may's `coroutine::yield_now`,
    /// `coroutine::sleep`, `may::sync` and `may::net` in green tasks. `std::thread::yield_now`
    /// and `std::hint::spin_loop` are not: they yield the OS thread, not the task. An `.await`
    /// inside an `async` block handed to a spawner does not count either: it runs in another
    /// task. Drain loops that stop when the source is empty (`while let Ok(x) = rx.try_recv()`)
    /// and finite loops over in-memory data are fine.
    ///
    /// Which code is async: the body of an `async fn`, `async` block or `async` closure, and every
    /// plain closure written inside it (a `for_each` closure runs on the task that calls it).
    /// Nested `fn` items are not async (they run wherever they are called from), and bodies
    /// handed to `spawn_blocking`, `block_in_place`, `std::thread::spawn` or a configured
    /// wrapper run on a thread where blocking is allowed. This is the question an earlier clippy
    /// attempt at this lint stalled on; forklint answers it syntactically, from the vocabulary of
    /// spawners and context exits, and stays quiet where the answer is unknown.
    ///
    /// Not reported by default in test code (test attributes of std and the runtimes,
    /// `#[cfg(test)]` items and module files, the crates of `tests/` and `benches/`:
    /// `[test-lints]` in docs/configuration.md), nor in an `async` block handed directly to a
    /// single-future executor (`futures::executor::block_on`, `futures_lite::future::block_on`,
    /// `pollster::block_on`, `smol::block_on`, `async_io::block_on`): that future runs alone on
    /// the calling thread, so no other task waits for it to yield. `Runtime::block_on` and
    /// `Handle::block_on` are async context: spawned tasks share a current-thread runtime's thread.
    ///
    /// ### Why is this bad?
    /// Async tasks are scheduled cooperatively: a task gives its worker thread back only at an
    /// `.await` that is not ready. A loop that never yields keeps the thread: the other tasks on
    /// it (often including the one that would end the loop, by sending the message or setting
    /// the flag it polls) never run, timers fire late, and a current-thread runtime deadlocks.
    /// Tokio's "Blocking and yielding" guidance: a task that runs for a long time without
    /// yielding prevents the executor from driving other futures forward; use
    /// `tokio::task::yield_now().await` in long loops, wait with `.await` instead of polling,
    /// and move blocking work to `spawn_blocking`.
    ///
    /// ### Example
    /// ```rust
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    ///
    /// async fn wait_ready(ready: Arc<AtomicBool>) {
    ///     while !ready.load(Ordering::Acquire) {}
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// use std::sync::Arc;
    /// use tokio::sync::Notify;
    ///
    /// async fn wait_ready(ready: Arc<Notify>) {
    ///     ready.notified().await;
    /// }
    /// ```
    pub static RULE = "FL002", "async-loop-never-yields", Warning, "a loop in async or green-task context never yields";
}

const TOKIO_NOTE: &str = "Tokio (\"Blocking and yielding\"): \"issuing a blocking call or performing a lot of compute in a future without yielding is problematic, as it may prevent the executor from driving other tasks forward\"";
const MAY_NOTE: &str = "may coroutines are scheduled cooperatively: a coroutine that never reaches a may yield point keeps its scheduler thread";

/// Why a loop fires.
enum Reason<'a> {
    Blocks(&'a Call, &'a Entry),
    /// A crate-local sync function that blocks, called on every path through an iteration.
    BlocksThrough(&'a Call, String, &'a Witness),
    Spins(&'a Call, &'a Entry),
    NeverExits,
}

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    for (index, body) in file.bodies.iter() {
        if body.context == Context::Sync || in_local_context_exit(cx, index) || runs_alone(cx, index)
        {
            continue;
        }
        visit::walk(&body.block.nodes, &mut |node| {
            let Node::Loop(l) = node else {
                return true;
            };
            let Some(reason) = examine(cx, index, body, l) else {
                return true;
            };
            out.push(diagnostic(cx, index, body, l, reason));
            // One finding per hazard: loops nested in a firing loop are part of it.
            false
        });
    }
}

fn examine<'a>(
    cx: &'a RuleContext<'_>,
    body_id: BodyId,
    body: &Body,
    l: &'a Loop,
) -> Option<Reason<'a>> {
    let per_iteration = per_iteration_nodes(l);
    if per_iteration
        .iter()
        .any(|nodes| has_yield(cx, body.context, nodes))
    {
        return None;
    }
    // Blocking calls (the `for` iterator included: `stdin.lines()` blocks on every step).
    let mut blocking = None;
    for nodes in [l.header.as_slice(), l.body.nodes.as_slice()] {
        visit::walk(nodes, &mut |node| {
            if let Node::Call(call) = node {
                if blocking.is_none() {
                    blocking = blocking_entry(cx, body_id, call).map(|entry| (call, entry));
                }
            }
            true
        });
    }
    if let Some((call, entry)) = blocking {
        return Some(Reason::Blocks(call, entry));
    }
    if let Some((call, callee, witness)) = helper_every_iteration(cx, body_id, l) {
        return Some(Reason::BlocksThrough(call, callee, witness));
    }
    if let Some((call, entry)) = spin(cx, l) {
        return Some(Reason::Spins(call, entry));
    }
    if never_exits(cx, l) {
        // A loop that never ends and polls something is a spin, the more useful diagnosis.
        if let Some((call, entry)) = first_spin_call(cx, &per_iteration) {
            return Some(Reason::Spins(call, entry));
        }
        return Some(Reason::NeverExits);
    }
    None
}

/// The node lists evaluated on every iteration: the body, plus the condition of `while`.
fn per_iteration_nodes(l: &Loop) -> Vec<&[Node]> {
    match l.kind {
        LoopKind::While | LoopKind::WhileLet => vec![&l.header, &l.body.nodes],
        LoopKind::Loop | LoopKind::For => vec![&l.body.nodes],
    }
}

fn has_yield(cx: &RuleContext<'_>, context: Context, nodes: &[Node]) -> bool {
    let mut found = false;
    visit::walk(nodes, &mut |node| {
        found |= match node {
            Node::Await(_) => true,
            Node::Macro(m) => {
                m.has_await || cx.vocab.macro_call(Category::Yield, &m.path).is_some()
            }
            Node::Call(call) => {
                cx.vocab.call(Category::Yield, &call.callee).is_some()
                    || (context == Context::Green && may_yield_in_green_task(cx, call))
            }
            Node::Let(_)
            | Node::Assign(_)
            | Node::If(_)
            | Node::Match(_)
            | Node::Loop(_)
            | Node::Block(_)
            | Node::Closure(_)
            | Node::Jump(_)
            | Node::PathRef(_) => false,
        };
        !found
    });
    found
}

/// may's coroutines are stackful: any function may yield inside (through `may::sync`,
/// `may::net`, `coroutine::sleep`). Only calls known to be std's or known polls and blocking
/// calls are certainly not yields.
fn may_yield_in_green_task(cx: &RuleContext<'_>, call: &Call) -> bool {
    if cx.vocab.call_exact(Category::Spin, &call.callee).is_some()
        || cx
            .vocab
            .call_exact(Category::Blocking, &call.callee)
            .is_some()
    {
        return false;
    }
    match &call.callee {
        Callee::Path(path) => !path.starts_with("std::"),
        Callee::Method { receiver, .. } => receiver
            .origin
            .as_ref()
            .is_none_or(|o| !o.base.starts_with("std::")),
        Callee::Unknown(_) => true,
    }
}

// ------------------------------------------------------------------------- helpers

/// How one path through part of an iteration ends, for [`helper_every_iteration`].
enum Path<'a> {
    /// It called a crate-local function that blocks.
    Blocks(&'a Call, String, &'a Witness),
    /// It leaves the loop (`break`, `return`, a diverging call): it does not loop again.
    Exits,
    /// It may loop again without having blocked (`continue`, a macro that may jump).
    Stops,
    /// It went on without blocking yet.
    Goes,
}

/// A call of a crate-local sync function whose summary blocks, on every path through one
/// iteration before the loop comes round again (docs/rules FL002): not on one branch only.
/// Calls the vocabulary knows are judged by it (the direct check before this one).
fn helper_every_iteration<'a>(
    cx: &'a RuleContext<'_>,
    body_id: BodyId,
    l: &'a Loop,
) -> Option<(&'a Call, String, &'a Witness)> {
    for nodes in per_iteration_nodes(l) {
        match path_through(cx, body_id, l, nodes) {
            Path::Blocks(call, callee, witness) => return Some((call, callee, witness)),
            Path::Exits | Path::Stops => return None,
            Path::Goes => {}
        }
    }
    None
}

fn path_through<'a>(
    cx: &'a RuleContext<'_>,
    body_id: BodyId,
    l: &'a Loop,
    nodes: &'a [Node],
) -> Path<'a> {
    for node in nodes {
        let path = match node {
            Node::Call(call) => {
                if cx.vocab.call(Category::Diverges, &call.callee).is_some() {
                    Path::Exits
                } else if blocking_entry(cx, body_id, call).is_some() {
                    Path::Goes
                } else if let Some((callee, witness)) = blocking_helper(cx, call) {
                    Path::Blocks(call, callee, witness)
                } else {
                    Path::Goes
                }
            }
            Node::Macro(m) => {
                if m.has_jump {
                    Path::Stops
                } else if cx.vocab.macro_call(Category::Diverges, &m.path).is_some() {
                    Path::Exits
                } else {
                    Path::Goes
                }
            }
            Node::Let(let_) => path_through(cx, body_id, l, &let_.init),
            Node::Assign(a) => path_through(cx, body_id, l, &a.value),
            Node::Block(b) => path_through(cx, body_id, l, &b.nodes),
            Node::If(i) => match path_through(cx, body_id, l, &i.cond_nodes) {
                Path::Goes => {
                    let then = path_through(cx, body_id, l, &i.then_block.nodes);
                    let other = match &i.else_block {
                        Some(b) => path_through(cx, body_id, l, &b.nodes),
                        None => Path::Goes,
                    };
                    join([then, other])
                }
                other => other,
            },
            Node::Match(m) => match path_through(cx, body_id, l, &m.scrutinee_nodes) {
                Path::Goes if m.arms.is_empty() => Path::Exits,
                Path::Goes => join(
                    m.arms
                        .iter()
                        .map(|arm| path_through(cx, body_id, l, &arm.body.nodes)),
                ),
                other => other,
            },
            Node::Loop(nested) => {
                // The header runs at least once; the body may not run at all. A labelled
                // `continue` to this loop inside it comes round without the rest.
                let header = match nested.kind {
                    LoopKind::Loop => Path::Goes,
                    LoopKind::While | LoopKind::WhileLet | LoopKind::For => {
                        path_through(cx, body_id, l, &nested.header)
                    }
                };
                match header {
                    Path::Goes if continues_to(l, &nested.body.nodes) => Path::Stops,
                    Path::Goes if nested.kind == LoopKind::Loop && !exits(cx, nested, &nested.body.nodes) => Path::Exits,
                    other => other,
                }
            }
            Node::Jump(jump) => match jump.kind {
                JumpKind::Return | JumpKind::Break => Path::Exits,
                // `?` leaves only on an error: the path that goes on is the one that loops.
                JumpKind::Try => Path::Goes,
                JumpKind::Continue => Path::Stops,
            },
            Node::Await(_) | Node::Closure(_) | Node::PathRef(_) => Path::Goes,
        };
        if !matches!(path, Path::Goes) {
            return path;
        }
    }
    Path::Goes
}

/// The paths of the branches of an `if` or `match` joined: blocking when every branch that
/// comes round again blocks (and one does), going on when one may go on without blocking.
fn join<'a>(branches: impl IntoIterator<Item = Path<'a>>) -> Path<'a> {
    let mut blocked = None;
    let mut goes = false;
    for branch in branches {
        match branch {
            Path::Stops => return Path::Stops,
            Path::Goes => goes = true,
            Path::Exits => {}
            Path::Blocks(call, callee, witness) => {
                blocked.get_or_insert((call, callee, witness));
            }
        }
    }
    match (goes, blocked) {
        (true, _) => Path::Goes,
        (false, Some((call, callee, witness))) => Path::Blocks(call, callee, witness),
        (false, None) => Path::Exits,
    }
}

/// Whether `nodes` (a nested loop's body) holds a `continue` labelled with `l`'s label.
fn continues_to(l: &Loop, nodes: &[Node]) -> bool {
    let Some(label) = &l.label else {
        return false;
    };
    visit::any(nodes, &mut |node| {
        matches!(node, Node::Jump(j) if j.kind == JumpKind::Continue && j.label.as_deref() == Some(label.as_str()))
    })
}

// ------------------------------------------------------------------------- exits

/// Whether the loop has a way out: a `break` to it, a `return`, a `?`, a labelled jump to an
/// outer loop, a diverging call, or an unparsed macro that may contain a jump.
fn never_exits(cx: &RuleContext<'_>, l: &Loop) -> bool {
    match l.kind {
        LoopKind::Loop => {}
        LoopKind::While => {
            if l.cond != Some(Cond::Bool(true)) {
                return false;
            }
        }
        LoopKind::For => {
            if !l.open_range {
                return false;
            }
        }
        LoopKind::WhileLet => return false,
    }
    !exits(cx, l, &l.body.nodes)
}

/// Whether `nodes` (inside loop `l`, not inside a nested loop) can leave `l`.
fn exits(cx: &RuleContext<'_>, l: &Loop, nodes: &[Node]) -> bool {
    let mut inner_labels: Vec<Option<String>> = Vec::new();
    exits_in(cx, l, nodes, &mut inner_labels)
}

fn exits_in(
    cx: &RuleContext<'_>,
    l: &Loop,
    nodes: &[Node],
    inner: &mut Vec<Option<String>>,
) -> bool {
    for node in nodes {
        let leaves = match node {
            Node::Jump(jump) => jump_leaves(l, jump, inner),
            Node::Macro(m) => {
                m.has_jump || cx.vocab.macro_call(Category::Diverges, &m.path).is_some()
            }
            Node::Call(call) => cx.vocab.call(Category::Diverges, &call.callee).is_some(),
            Node::Let(let_) => {
                exits_in(cx, l, &let_.init, inner)
                    || let_
                        .else_block
                        .as_ref()
                        .is_some_and(|b| exits_in(cx, l, &b.nodes, inner))
            }
            Node::Assign(a) => exits_in(cx, l, &a.value, inner),
            Node::If(i) => {
                exits_in(cx, l, &i.cond_nodes, inner)
                    || exits_in(cx, l, &i.then_block.nodes, inner)
                    || i.else_block
                        .as_ref()
                        .is_some_and(|b| exits_in(cx, l, &b.nodes, inner))
            }
            Node::Match(m) => {
                exits_in(cx, l, &m.scrutinee_nodes, inner)
                    || m.arms.iter().any(|arm| {
                        exits_in(cx, l, &arm.guard, inner)
                            || exits_in(cx, l, &arm.body.nodes, inner)
                    })
            }
            Node::Loop(nested) => {
                inner.push(nested.label.clone());
                let leaves = exits_in(cx, l, &nested.header, inner)
                    || exits_in(cx, l, &nested.body.nodes, inner);
                inner.pop();
                leaves
            }
            Node::Block(b) => exits_in(cx, l, &b.nodes, inner),
            Node::Await(_) | Node::Closure(_) | Node::PathRef(_) => false,
        };
        if leaves {
            return true;
        }
    }
    false
}

fn jump_leaves(l: &Loop, jump: &Jump, inner: &[Option<String>]) -> bool {
    match jump.kind {
        JumpKind::Return | JumpKind::Try => true,
        JumpKind::Break | JumpKind::Continue => match &jump.label {
            // An unlabelled jump targets the innermost loop.
            None => jump.kind == JumpKind::Break && inner.is_empty(),
            Some(label) => {
                let targets_inner = inner.iter().any(|i| i.as_deref() == Some(label.as_str()));
                let targets_self = l.label.as_deref() == Some(label.as_str());
                // `break 'l` leaves; `continue 'l` stays; a jump to an outer label leaves.
                (targets_self && jump.kind == JumpKind::Break) || (!targets_self && !targets_inner)
            }
        },
    }
}

// ------------------------------------------------------------------------- spins

/// A poll the loop waits on (docs/contexts.md, "Yield points": `try_recv`/`try_lock`/atomic `load`/`is_empty` until
/// something changes), recognised by where its result decides the loop's fate.
fn spin<'a>(cx: &'a RuleContext<'_>, l: &'a Loop) -> Option<(&'a Call, &'a Entry)> {
    let found = match l.kind {
        // `while !flag.load(..) { .. }`: the condition is the poll.
        LoopKind::While => first_spin_call(cx, &[&l.header]),
        // `while let Err(_) = m.try_lock() {}` retries; `while let Ok(x) = rx.try_recv()` drains.
        LoopKind::WhileLet => match &l.cond {
            Some(Cond::Let { pat, .. }) if is_failure_pat(pat) => first_spin_call(cx, &[&l.header]),
            _ => None,
        },
        LoopKind::Loop | LoopKind::For => None,
    };
    let body_rules_apply = match l.kind {
        LoopKind::Loop => true,
        LoopKind::While => l.cond == Some(Cond::Bool(true)),
        LoopKind::For => l.open_range,
        LoopKind::WhileLet => false,
    };
    let found = found.or_else(|| {
        if body_rules_apply {
            spin_in_body(cx, l, &l.body)
        } else {
            None
        }
    })?;
    // A loop that also works on what it polls (`while !q.is_empty() { q.pop() }`, a
    // compare-exchange loop re-reading the value) consumes or updates it: not a wait.
    if uses_receiver_elsewhere(l, found.0) {
        return None;
    }
    Some(found)
}

/// The first spin call among `nodes`, not descending into nested loops.
fn first_spin_call<'a>(
    cx: &'a RuleContext<'_>,
    lists: &[&'a [Node]],
) -> Option<(&'a Call, &'a Entry)> {
    let mut found = None;
    for nodes in lists {
        visit::walk(nodes, &mut |node| {
            if found.is_some() || matches!(node, Node::Loop(_)) {
                return false;
            }
            if let Node::Call(call) = node {
                if let Some(entry) = cx.vocab.call_exact(Category::Spin, &call.callee) {
                    found = Some((&**call, entry));
                }
            }
            true
        });
    }
    found
}

/// Body patterns: `if flag.load(..) { break }`, `if let Ok(g) = m.try_lock() { ..; break }`,
/// `match rx.try_recv() { Err(Empty) => continue, .. }`.
fn spin_in_body<'a>(
    cx: &'a RuleContext<'_>,
    l: &'a Loop,
    block: &'a Block,
) -> Option<(&'a Call, &'a Entry)> {
    for node in &block.nodes {
        let found = match node {
            Node::If(i) => spin_in_if(cx, l, i),
            Node::Match(m) => spin_in_match(cx, l, m),
            Node::Block(b) => spin_in_body(cx, l, b),
            Node::Call(_)
            | Node::Macro(_)
            | Node::Await(_)
            | Node::Let(_)
            | Node::Assign(_)
            | Node::Loop(_)
            | Node::Closure(_)
            | Node::Jump(_)
            | Node::PathRef(_) => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn spin_in_if<'a>(
    cx: &'a RuleContext<'_>,
    l: &'a Loop,
    i: &'a If,
) -> Option<(&'a Call, &'a Entry)> {
    let then_exits = exits(cx, l, &i.then_block.nodes);
    let else_exits = i
        .else_block
        .as_ref()
        .is_some_and(|b| exits(cx, l, &b.nodes));
    if let Some(poll) = first_spin_call(cx, &[&i.cond_nodes]) {
        let waits = match &i.cond {
            // Retry until the poll succeeds: the success branch leaves, the failure stays.
            Cond::Let { pat, .. } if is_success_pat(pat) => then_exits && !else_exits,
            Cond::Let { .. } => false,
            // Leave when the polled condition changes.
            _ => then_exits || else_exits,
        };
        if waits {
            return Some(poll);
        }
    }
    spin_in_body(cx, l, &i.then_block)
        .or_else(|| i.else_block.as_ref().and_then(|b| spin_in_body(cx, l, b)))
}

fn spin_in_match<'a>(
    cx: &'a RuleContext<'_>,
    l: &'a Loop,
    m: &'a Match,
) -> Option<(&'a Call, &'a Entry)> {
    if let Some(poll) = first_spin_call(cx, &[&m.scrutinee_nodes]) {
        // A failure arm that stays in the loop polls again: a spin. When every failure arm
        // leaves, the loop drains.
        let stays = m
            .arms
            .iter()
            .any(|arm| is_failure_pat(&arm.pat) && !exits(cx, l, &arm.body.nodes));
        if stays {
            return Some(poll);
        }
    }
    m.arms.iter().find_map(|arm| spin_in_body(cx, l, &arm.body))
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// `Ok(..)`, `Some(..)`: the poll got something.
fn is_success_pat(pat: &Pat) -> bool {
    match pat {
        Pat::TupleStruct(path, _) => matches!(last_segment(path), "Ok" | "Some"),
        _ => false,
    }
}

/// `Err(..)`, `None`, `_`, a catch-all binding, `Empty`/`WouldBlock` variants.
fn is_failure_pat(pat: &Pat) -> bool {
    match pat {
        Pat::Wild | Pat::Binding(_) => true,
        Pat::Path(path) => matches!(last_segment(path), "None" | "Empty" | "WouldBlock"),
        Pat::TupleStruct(path, _) => matches!(last_segment(path), "Err" | "Empty" | "WouldBlock"),
        Pat::Or(pats) => pats.iter().any(is_failure_pat),
        _ => false,
    }
}

/// Whether the loop calls another method on the polled receiver (same local and field).
fn uses_receiver_elsewhere(l: &Loop, poll: &Call) -> bool {
    let Callee::Method { receiver, .. } = &poll.callee else {
        return false;
    };
    let Some(local) = &receiver.local else {
        return false;
    };
    let mut used = false;
    for nodes in [l.header.as_slice(), l.body.nodes.as_slice()] {
        visit::walk(nodes, &mut |node| {
            if let Node::Call(call) = node {
                if let Callee::Method {
                    receiver: other, ..
                } = &call.callee
                {
                    if call.span != poll.span
                        && other.local.as_ref() == Some(local)
                        && other.field == receiver.field
                    {
                        used = true;
                    }
                }
            }
            !used
        });
    }
    used
}

// ------------------------------------------------------------------------- messages

fn keyword(l: &Loop) -> &'static str {
    match l.kind {
        LoopKind::Loop => "`loop`",
        LoopKind::While | LoopKind::WhileLet => "`while` loop",
        LoopKind::For => "`for` loop",
    }
}

fn diagnostic(
    cx: &RuleContext<'_>,
    index: BodyId,
    body: &Body,
    l: &Loop,
    reason: Reason<'_>,
) -> Diagnostic {
    let file = cx.file;
    let (_, root) = context_root(file, index);
    let green = body.context == Context::Green;
    let where_ = match (green, root.kind) {
        (true, _) => "a green task".to_string(),
        (_, BodyKind::Fn) => format!("async fn `{}`", root.name),
        (_, BodyKind::AsyncBlock) => "an async block".to_string(),
        _ => "async code".to_string(),
    };
    let kw = keyword(l);
    let uses_tokio = cx
        .model
        .package_of
        .get(file.file.index())
        .and_then(|p| cx.model.packages.get(*p))
        .is_none_or(|p| p.uses_tokio);
    let yield_help = if green {
        "call `may::coroutine::yield_now()` inside the loop"
    } else if uses_tokio {
        "add `tokio::task::yield_now().await` inside the loop"
    } else {
        "add a yield point (your runtime's `yield_now().await`) inside the loop"
    };
    let (message, evidence, help) = match &reason {
        Reason::Blocks(call, entry) => (
            format!(
                "{kw} in {where_} blocks on `{}` without yielding",
                call_name(&call.callee)
            ),
            Some((call.span, "blocks the thread on every iteration")),
            blocking_help(entry, green),
        ),
        Reason::BlocksThrough(_, callee, witness) => (
            format!(
                "{kw} in {where_} blocks on `{}` through `{callee}` without yielding",
                witness.last().name
            ),
            None,
            if green {
                "use may's equivalent (`may::sync`, `may::net`, `may::coroutine::sleep`) or run this on a thread".to_string()
            } else {
                format!("move the call to `{callee}` into `tokio::task::spawn_blocking`, or make it async")
            },
        ),
        Reason::Spins(call, entry) => (
            format!(
                "{kw} in {where_} polls `{}` without yielding",
                call_name(&call.callee)
            ),
            Some((call.span, "polled until another task changes it")),
            match (&entry.help, green) {
                (Some(help), false) => help.clone(),
                _ => yield_help.to_string(),
            },
        ),
        Reason::NeverExits => (
            format!("{kw} in {where_} never exits and never yields"),
            None,
            yield_help.to_string(),
        ),
    };
    let primary = if green {
        "no yield point in this loop"
    } else {
        "no `.await` in this loop"
    };
    let mut diag = Diagnostic::new(&RULE, file.file, l.keyword, message)
        .primary_label(primary)
        .label(file.file, root.span, context_description(root))
        .help(help);
    if let Some((span, label)) = evidence {
        diag = diag.label(file.file, span, label);
    }
    if let Reason::BlocksThrough(call, callee, witness) = &reason {
        diag = diag.label(
            file.file,
            call.span,
            format!("`{callee}` blocks here on every iteration"),
        );
        for step in witness.chain() {
            diag = diag.label(step.file, step.span, step.what.clone());
        }
    }
    diag.note(if green { MAY_NOTE } else { TOKIO_NOTE })
}
