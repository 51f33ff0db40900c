//! Fork sites: calls of the fork family, identified by resolved path (docs/rules/FL001), with
//! the state the interpreter computed at each and its child region.

use crate::analysis::child::child_region;
use crate::analysis::interp::{Interp, State};
use crate::analysis::Cx;
use crate::base::source::{FileId, TextRange};
use crate::ir::{
    Arg, Block, BlockId, Body, BodyId, BodyKind, Call, Callee, Context, FileModel, Node, NodeId,
    Role,
};
use crate::model::summary::display_callee as call_name;
use crate::vocab::{Category, Entry, Kind, Vocab};

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
        rest: Option<Rest<'a>>,
    },
}

/// The code after a fork-result test that only the child continues into.
#[derive(Clone, Copy, Debug)]
pub struct Rest<'a> {
    /// The test (an `if` or a `match`): the nodes after it in its list are `nodes`.
    pub after: NodeId,
    pub nodes: &'a [Node],
    /// Every parent branch ends the process (`_exit`, `exit`, an `exec`), none returns: the
    /// function returns only in the child (what makes a daemon wrapper).
    pub parents_exit: bool,
}

/// One fork-family call and what is known at it.
#[derive(Debug)]
pub struct ForkSite<'a> {
    /// The body the call is written in.
    pub body: BodyId,
    pub call: &'a Call,
    pub kind: Kind,
    pub state: State,
    pub context: Context,
    pub child: ChildRegion<'a>,
    /// The fork inside a fork wrapper: its callers' tests of the wrapper's result are the child
    /// regions, and the rules that judge the whole fork (FL001, FL006, FL007) judge it there.
    pub delegated: bool,
}

impl ForkSite<'_> {
    pub fn name(&self) -> String {
        call_name(&self.call.callee)
    }

    pub fn is_daemon(&self) -> bool {
        matches!(self.child, ChildRegion::Daemon)
    }

    /// For a call of a fork wrapper: a label on the fork inside the wrapper.
    pub fn wrapper_label(&self, cx: &Cx<'_>) -> Option<(FileId, TextRange, String)> {
        let w = cx.entries.wrappers.of_call(cx, self.call)?;
        Some((
            w.inner.0,
            w.inner_span,
            format!(
                "`{}` forks here and returns the result to its caller",
                self.name()
            ),
        ))
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

/// The fork-family entry a call matches, checking `first-arg` for `syscall(SYS_fork)`; a call
/// of a fork wrapper matches the wrapper's entry.
pub fn fork_entry<'v>(cx: &'v Cx<'_>, call: &Call) -> Option<&'v Entry> {
    let Some(entry) = cx.vocab.call(Category::Fork, &call.callee) else {
        return cx.entries.wrappers.of_call(cx, call).map(|w| &w.entry);
    };
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

/// Whether `file` may fork, from its lowering alone (receivers not filled in, no wrappers
/// found yet): a call of the fork family by path, or a method call named like one. What the
/// findings cache asks of a unit's lib (`cache::Interface::forks`); more than a fork site, never
/// less.
pub fn may_fork(vocab: &Vocab, file: &FileModel) -> bool {
    file.bodies.iter().any(|(_, body)| {
        let mut found = false;
        crate::ir::visit::walk(&body.block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                found = match &call.callee {
                    Callee::Path(path) => vocab.path(Category::Fork, path).is_some(),
                    Callee::Method { name, .. } => vocab.has_method_name(Category::Fork, name),
                    Callee::Unknown(_) => false,
                };
            }
            !found
        });
        found
    })
}

fn has_fork(cx: &Cx<'_>, body: &Body) -> bool {
    let mut found = false;
    crate::ir::visit::walk(&body.block.nodes, &mut |node| {
        if let Node::Call(call) = node {
            if fork_entry(cx, call).is_some() {
                found = true;
            }
        }
        !found
    });
    found
}

/// A fork-family call found in a body, with its kind and child region.
pub(crate) type Found<'a> = (BodyId, &'a Call, Kind, ChildRegion<'a>);

/// Every fork-family call of the file with its child region (the interpreter needs them: the
/// child of a fork has one thread).
pub(crate) fn found_forks<'a>(cx: &Cx<'a>, with_fork: &[BodyId]) -> Vec<Found<'a>> {
    let file = cx.file;
    let mut found: Vec<Found<'a>> = Vec::new();
    for body_id in with_fork {
        let body = file.body(*body_id);
        if body.role == Role::PreExec {
            continue;
        }
        let mut calls = Vec::new();
        crate::ir::visit::walk(&body.block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                if let Some(entry) = fork_entry(cx, call) {
                    calls.push((call, entry));
                }
            }
            true
        });
        for (call, entry) in calls {
            let kind = entry.kind.unwrap_or(Kind::Fork);
            let child = match kind {
                Kind::Daemon => ChildRegion::Daemon,
                Kind::Clone => ChildRegion::Unknown,
                _ => child_region(cx, &body.block.nodes, call),
            };
            found.push((*body_id, call, kind, child));
        }
    }
    found
}

/// An interpreter that knows the child regions of `found`.
pub(crate) fn interp_for<'a>(cx: &Cx<'a>, found: &[Found<'a>]) -> Interp<'a> {
    let child_blocks: Vec<BlockId> = found
        .iter()
        .flat_map(|(_, _, _, child)| match child {
            ChildRegion::Branches { blocks, .. } => blocks.clone(),
            _ => Vec::new(),
        })
        .map(|b| b.id)
        .collect();
    // A rest that is empty has no node to start at (as before: nothing to mark).
    let rest_after: Vec<NodeId> = found
        .iter()
        .filter_map(|(_, _, _, child)| match child {
            ChildRegion::Branches {
                rest: Some(rest), ..
            } if !rest.nodes.is_empty() => Some(rest.after),
            _ => None,
        })
        .collect();
    Interp::new(*cx, child_blocks, rest_after)
}

/// Bodies the interpreter starts at: items, and bodies run by something other than their
/// parent's code (thread bodies, spawned futures).
pub(crate) fn is_root(body: &Body) -> bool {
    match body.kind {
        BodyKind::Fn => true,
        BodyKind::StaticInit => false,
        BodyKind::Closure | BodyKind::AsyncBlock => {
            !matches!(body.role, Role::Plain | Role::PreExec)
        }
    }
}

/// The bodies of the file that contain a fork-family call.
pub(crate) fn bodies_with_fork(cx: &Cx<'_>) -> Vec<BodyId> {
    let file = cx.file;
    file.bodies
        .ids()
        .filter(|id| has_fork(cx, file.body(*id)))
        .collect()
}

/// Every fork site of the file, in source order.
pub(crate) fn fork_sites<'a>(cx: &Cx<'a>) -> Vec<ForkSite<'a>> {
    let file = cx.file;
    let with_fork = bodies_with_fork(cx);
    if with_fork.is_empty() {
        return Vec::new();
    }
    let found = found_forks(cx, &with_fork);
    let mut interp = interp_for(cx, &found);
    for (index, body) in file.bodies.iter() {
        if !is_root(body) || !reaches_fork(file, index, &with_fork) {
            continue;
        }
        let state = interp.initial_state(index);
        interp.run_body(index, state);
    }
    let mut sites = Vec::new();
    for (body_id, call, kind, child) in found {
        let (state, context) = interp
            .at_fork
            .remove(&call.id)
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
            delegated: cx.entries.wrappers.is_delegated(file.file, call.id),
        });
    }
    sites.sort_by_key(|s| s.call.span.start);
    sites
}

/// Whether a root body contains (itself or through inline closures) one of `targets`.
pub(crate) fn reaches_fork(file: &FileModel, root: BodyId, targets: &[BodyId]) -> bool {
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
