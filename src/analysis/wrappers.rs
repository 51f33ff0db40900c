//! Fork wrappers: crate-local functions that return what a fork returned (docs/contexts.md,
//! "Fork wrappers"). sudo-rs forks through `system::fork`, which tests `libc::fork()`'s pid and
//! returns `Ok(ForkResult::Child)` or `Ok(ForkResult::Parent(pid))`; the child is handled by
//! the six callers. Judged inside the wrapper alone, that child "returns into the caller" and
//! nothing the callers do is analysed. Here such a function becomes fork-family at its call
//! sites: the caller's test of its result selects the child region, with the wrapper's own
//! result variants as the child and parent patterns, and every fork rule applies there. The
//! fork inside the wrapper is *delegated*: its escape into the caller is the wrapper's purpose.
//!
//! Three shapes are recognised:
//! - **variant wrappers**: in the fork's child region the function returns a value tagged by a
//!   variant or constructor path (`ForkResult::Child`, `Ok(Fork::Child)`); the parent side's
//!   tags of the same enum are the parent patterns;
//! - **pid wrappers**: the function returns the fork's result itself (`libc::fork()` as its tail,
//!   or the local bound to it, possibly in `Ok(..)`), without testing it for the child; callers
//!   then test the pid as they would test the fork's;
//! - **daemon wrappers**: every parent path of the fork leaves the process and the child falls
//!   through to the function's end (hand-written daemonizing): the function returns only in the
//!   child, which goes on as the daemon in the caller. Only that return is accepted (no FL006);
//!   the fork stays judged where it is, since a daemonizing `main` or library function has no
//!   caller in the run to move its findings to.
//!
//! Wrappers of wrappers are found in later rounds (the `fork` crate's `fork_process` wraps its
//! `fork`), up to [`MAX_ROUNDS`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::analysis::entry::EntryStates;
use crate::analysis::flow::Flow;
use crate::analysis::fork::{found_forks, ChildRegion};
use crate::analysis::Cx;
use crate::base::source::{FileId, TextRange};
use crate::ir::visit;
use crate::ir::{Block, Body, BodyKind, Call, Callee, JumpKind, Node, NodeId, Value};
use crate::model::summary::Fact;
use crate::model::{FnRef, Model};
use crate::vocab::{Entry, Kind, Vocab};

/// Rounds of wrapper discovery (a wrapper of a wrapper of a fork is found in round 2).
const MAX_ROUNDS: usize = 3;

/// Constructors that wrap a result without tagging it.
const ADAPTERS: &[&str] = Value::ADAPTERS;

/// One fork wrapper.
#[derive(Clone, Debug)]
pub struct Wrapper {
    /// The fork-family entry its call sites match (kind `fork`, or `daemon` for a daemon
    /// wrapper).
    pub entry: Entry,
    /// Result patterns that select the child (`crate::system::ForkResult::Child`); empty for a
    /// pid wrapper (its callers compare the pid).
    pub child: Vec<String>,
    /// Result patterns that select the parent.
    pub parent: Vec<String>,
    /// The fork call inside the wrapper (delegated).
    pub inner: (FileId, NodeId),
    /// Where the inner fork is, for labels.
    pub inner_span: TextRange,
    /// The inner fork's name (`libc::fork`).
    pub inner_name: String,
}

/// The fork wrappers of a run.
#[derive(Debug, Default)]
pub struct ForkWrappers {
    by_fn: HashMap<FnRef, Wrapper>,
    /// Last path segments of the wrappers, to resolve only calls that may reach one.
    names: HashSet<String>,
    delegated: HashSet<(FileId, NodeId)>,
    /// The forks of daemon wrappers: their child returns to the caller as the daemon, on
    /// purpose (not an FL006 escape). Unlike the others they stay judged where they are (FL001,
    /// FL007 and the entry states at the fork itself): a daemonizing `main` has no caller.
    daemon_forks: HashSet<(FileId, NodeId)>,
    /// The daemon wrappers themselves: a child that calls one daemonizes (the `fork` crate's
    /// intermediate child calls `detach_child`, which forks again and returns in the grandchild).
    daemon_fns: HashSet<FnRef>,
}

impl ForkWrappers {
    pub fn len(&self) -> usize {
        self.by_fn.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_fn.is_empty()
    }

    pub fn get(&self, f: FnRef) -> Option<&Wrapper> {
        self.by_fn.get(&f)
    }

    /// Whether `f` is a wrapper (its callers handle the child).
    pub fn is_wrapper(&self, f: FnRef) -> bool {
        self.by_fn.contains_key(&f)
    }

    /// The wrapper a call in `cx.file` reaches, if any.
    pub fn of_call(&self, cx: &Cx<'_>, call: &Call) -> Option<&Wrapper> {
        if self.by_fn.is_empty() {
            return None;
        }
        let name = match &call.callee {
            Callee::Path(p) => p.rsplit("::").next().unwrap_or(p),
            Callee::Method { name, .. } => name.as_str(),
            Callee::Unknown(_) => return None,
        };
        if !self.names.contains(name) {
            return None;
        }
        let target = cx.model.resolve_call(cx.file, call)?;
        self.by_fn.get(&target)
    }

    /// Whether the fork call `call` of `file` is the one a wrapper delegates to its callers.
    pub fn is_delegated(&self, file: FileId, call: NodeId) -> bool {
        self.delegated.contains(&(file, call))
    }

    /// Whether a call in `cx.file` reaches a daemon wrapper.
    pub fn is_daemon_call(&self, cx: &Cx<'_>, call: &Call) -> bool {
        !self.daemon_fns.is_empty()
            && cx
                .model
                .resolve_call(cx.file, call)
                .is_some_and(|f| self.daemon_fns.contains(&f))
    }

    /// Whether the fork call `call` of `file` is a daemon wrapper's: its child returning to the
    /// caller is the daemon going on.
    pub fn returns_as_daemon(&self, file: FileId, call: NodeId) -> bool {
        self.daemon_forks.contains(&(file, call))
    }

    fn insert(&mut self, f: FnRef, name: &str, wrapper: Wrapper) {
        self.names.insert(name.to_string());
        self.delegated.insert(wrapper.inner);
        self.by_fn.insert(f, wrapper);
    }
}

/// Finds the run's fork wrappers among the functions whose summary says they fork.
pub fn find(model: &Model, vocab: &Vocab) -> ForkWrappers {
    let mut candidates: Vec<FnRef> = model
        .summaries
        .iter()
        .filter(|(_, s)| !s.is_async && s.get(Fact::Forks).is_some())
        .map(|(f, _)| *f)
        .collect();
    candidates.sort();
    let mut scratch = EntryStates::default();
    for _ in 0..MAX_ROUNDS {
        let mut added = false;
        for f in &candidates {
            if scratch.wrappers.is_wrapper(*f) || scratch.wrappers.daemon_fns.contains(f) {
                continue;
            }
            let Some(file) = model.file(f.file) else {
                continue;
            };
            let body = file.body(f.body);
            if body.kind != BodyKind::Fn || body.diverges {
                continue;
            }
            let cx = Cx {
                model,
                vocab,
                file,
                entries: &scratch,
            };
            if let Some(wrapper) = wrapper_of(&cx, f.body, body) {
                if wrapper.entry.is(Kind::Daemon) {
                    scratch.wrappers.daemon_forks.insert(wrapper.inner);
                    added |= scratch.wrappers.daemon_fns.insert(*f);
                    continue;
                }
                let name = body.path.as_deref().unwrap_or(&body.name);
                let name = name.rsplit("::").next().unwrap_or(name).to_string();
                scratch.wrappers.insert(*f, &name, wrapper);
                added = true;
            }
        }
        if !added {
            break;
        }
    }
    std::mem::take(&mut scratch.wrappers)
}

/// The wrapper `body` is, if it returns what one of its forks returned.
fn wrapper_of(cx: &Cx<'_>, id: crate::ir::BodyId, body: &Body) -> Option<Wrapper> {
    let found = found_forks(cx, &[id]);
    let tails = tail_blocks(&body.block);
    let returned = returned_values(body, &tails);
    for (_, call, kind, child) in &found {
        if *kind != Kind::Fork {
            continue;
        }
        let wrapper = |child: Vec<String>, parent: Vec<String>| Wrapper {
            entry: Entry {
                kind: Some(Kind::Fork),
                ..Entry::default()
            },
            child,
            parent,
            inner: (cx.file.file, call.id),
            inner_span: call.span,
            inner_name: crate::model::summary::display_callee(&call.callee),
        };
        match child {
            // Hand-written daemonizing: every parent path has left (`_ => _exit(0)`) and the
            // child's branches return nothing of their own, so the function returns only in
            // the child. Its callers continue as the daemon: a `daemon`-kind wrapper.
            ChildRegion::Branches {
                blocks,
                rest: Some(rest),
            } if rest.parents_exit && blocks.iter().all(|b| values_in(b, &tails).is_empty()) => {
                let mut w = wrapper(Vec::new(), Vec::new());
                w.entry.kind = Some(Kind::Daemon);
                return Some(w);
            }
            // (A `rest` after an error test that returns is the function's end: the child's
            // tagged return values decide.)
            ChildRegion::Branches { blocks, .. } if !blocks.is_empty() => {
                // A result assembled in several statements (`let mut r = Parent(pid); if pid
                // == 0 { r = Child } Ok(r)`): the local returned, and what is assigned to it.
                let result = returned.iter().find_map(|v| match v.strip() {
                    Value::Local(name) => Some(name.as_str()),
                    _ => None,
                });
                let mut child_tags = Vec::new();
                for block in blocks {
                    let mut values = values_in(block, &tails);
                    if values.is_empty() {
                        // The child branch assigns the result and goes on to the return.
                        if let Some(r) = result {
                            if Flow::new(cx, 0).seq(&block.nodes, 0) {
                                values = tagged_assignments(&block.nodes, r);
                            }
                        }
                    }
                    if values.is_empty() {
                        // This child branch does not return a result: not a wrapper's.
                        return None;
                    }
                    for v in values {
                        let tag = v.tag()?.to_string();
                        if !child_tags.contains(&tag) {
                            child_tags.push(tag);
                        }
                    }
                }
                let assembled = result
                    .map(|r| tagged_assignments(&body.block.nodes, r))
                    .unwrap_or_default();
                let parent_tags: Vec<String> = returned
                    .iter()
                    .chain(&assembled)
                    .filter_map(|v| v.tag().map(str::to_string))
                    .filter(|t| {
                        !child_tags.contains(t) && child_tags.iter().any(|c| same_enum(c, t))
                    })
                    .fold(Vec::new(), |mut acc, t| {
                        if !acc.contains(&t) {
                            acc.push(t);
                        }
                        acc
                    });
                return Some(wrapper(child_tags, parent_tags));
            }
            ChildRegion::Unknown => {
                let local = bound_local(&body.block.nodes, call);
                let is_result = |v: &Value| match v.strip() {
                    Value::Call(path, _) => matches!(&call.callee, Callee::Path(p) if p == path),
                    Value::Local(name) => local.as_deref() == Some(name.as_str()),
                    _ => false,
                };
                if returned.iter().any(|v| is_result(v)) {
                    return Some(wrapper(Vec::new(), Vec::new()));
                }
            }
            _ => {}
        }
    }
    None
}

/// Blocks whose tail value is the function's return value: the body's block, and through
/// `if`/`match`/block tails, the branches of its last node. Also when the tail wraps such a value
/// (`Ok(if pid == 0 { Child } else { Parent(pid) })`: the `if` is the node before the `Ok` call)
/// or names the local a `let` bound to one (`let r = match pid { .. }; Ok(r)`).
fn tail_blocks(block: &Block) -> Vec<&Block> {
    let mut out = Vec::new();
    let mut stack = vec![block];
    while let Some(b) = stack.pop() {
        out.push(b);
        let Some(nested) = b
            .tail
            .as_deref()
            .and_then(|tail| nested_tail(&b.nodes, tail))
        else {
            continue;
        };
        if let Node::If(i) = nested {
            stack.push(&i.then_block);
            stack.extend(i.else_block.as_ref());
        } else if let Node::Match(m) = nested {
            stack.extend(m.arms.iter().map(|a| &a.body));
        } else if let Node::Block(inner) = nested {
            stack.push(inner);
        }
    }
    out
}

/// The `if`, `match` or block whose branches give a block's tail value `tail`.
fn nested_tail<'a>(nodes: &'a [Node], tail: &Value) -> Option<&'a Node> {
    match tail {
        Value::Nested => nodes.last(),
        // `Ok(<nested>)`: the argument's nodes come just before the constructor's call.
        Value::Call(path, args) if ADAPTERS.contains(&last_segment(path)) && args.len() == 1 => {
            let [.., inner, Node::Call(call)] = nodes else {
                return None;
            };
            let Callee::Path(callee) = &call.callee else {
                return None;
            };
            if callee != path {
                return None;
            }
            match &args[0] {
                Value::Nested => Some(inner),
                local @ Value::Local(_) => nested_tail(&nodes[..nodes.len() - 1], local),
                _ => None,
            }
        }
        // `let result = match pid { .. }; result`: the `let` that binds it, when its initializer
        // is a branching node.
        Value::Local(name) => nodes.iter().rev().find_map(|n| {
            let Node::Let(l) = n else { return None };
            if l.names.len() != 1 || l.names[0] != *name {
                return None;
            }
            if l.else_block.is_some() {
                return Some(None);
            }
            Some(
                l.init
                    .last()
                    .filter(|n| matches!(n, Node::If(_) | Node::Match(_) | Node::Block(_))),
            )
        })?,
        _ => None,
    }
}

/// Every value the function returns: tails of tail blocks and `return` values.
fn returned_values<'a>(body: &'a Body, tails: &[&'a Block]) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = tails
        .iter()
        .filter_map(|b| b.tail.as_deref())
        .filter(|v| **v != Value::Nested)
        .collect();
    out.extend(return_values(&body.block.nodes));
    out
}

/// The values a branch returns to the function's caller: its tails if it is in tail position,
/// and the `return`s inside it.
fn values_in<'a>(block: &'a Block, tails: &[&'a Block]) -> Vec<&'a Value> {
    let mut out = Vec::new();
    if tails.iter().any(|t| t.id == block.id) {
        out.extend(
            tail_blocks(block)
                .into_iter()
                .filter_map(|b| b.tail.as_deref())
                .filter(|v| **v != Value::Nested),
        );
    }
    out.extend(return_values(&block.nodes));
    out
}

fn return_values(nodes: &[Node]) -> Vec<&Value> {
    let mut out = Vec::new();
    visit::walk(nodes, &mut |node| {
        if let Node::Jump(j) = node {
            if j.kind == JumpKind::Return {
                if let Some(v) = &j.value {
                    out.push(&**v);
                }
            }
        }
        true
    });
    out
}

/// The tagged values `nodes` give the local `r`: its `let` and its assignments
/// (`Let::tagged`, `Assign::tagged`), not inside closures.
fn tagged_assignments<'a>(nodes: &'a [Node], r: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    visit::walk(nodes, &mut |node| {
        if let Node::Let(l) = node {
            if l.names.len() == 1 && l.names[0] == r {
                out.extend(l.tagged.as_deref());
            }
        } else if let Node::Assign(a) = node {
            if a.local == r {
                out.extend(a.tagged.as_deref());
            }
        }
        true
    });
    out
}

/// `Ok` of `crate::util::Ok`: a glob import makes the resolver qualify the prelude's names.
fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Whether two variant paths name the same enum (`..::ForkResult::Child`, `..::ForkResult::Parent`).
fn same_enum(a: &str, b: &str) -> bool {
    match (a.rsplit_once("::"), b.rsplit_once("::")) {
        (Some((ea, _)), Some((eb, _))) => ea == eb,
        _ => false,
    }
}

/// The local a `let` binds to the result of `call` (`let pid = libc::fork();`).
fn bound_local(nodes: &[Node], call: &Call) -> Option<String> {
    let mut out = None;
    visit::walk(nodes, &mut |node| {
        if let Node::Let(l) = node {
            let holds = visit::any(&l.init, &mut |n| {
                n.as_call().is_some_and(|c| c.id == call.id)
            });
            if holds && l.names.len() == 1 && l.else_block.is_none() {
                out = Some(l.names[0].clone());
            }
        }
        out.is_none()
    });
    out
}
