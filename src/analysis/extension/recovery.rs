//! FL010's facts: drops of an inherited runtime or pool on a fork-recovery path (a
//! `pthread_atfork` child handler, the branch of a pid check that finds a forked child).

use crate::analysis::Cx;
use crate::base::source::TextRange;
use crate::ir::{visit, Arg, BodyId, Call, Callee, Node};
use crate::model::summary::display_callee;
use crate::vocab::Category;

use super::guards::atfork_child_handlers;
use super::is_static;

/// A drop of an inherited thread owner on a fork-recovery path (FL010).
#[derive(Clone, Debug)]
pub struct RecoveryDrop {
    pub node: crate::ir::NodeId,
    pub span: TextRange,
    /// What is dropped, for the message (`` `drop(rt)` ``, `` `.take()` on `RT` ``).
    pub what: String,
    /// Where the recovery path starts, and what it is.
    pub region: TextRange,
    pub region_label: &'static str,
}

/// Every drop of an inherited runtime, pool or value owning one on a fork-recovery path of the
/// analysed file: a `pthread_atfork` child handler (registered in this file), or the branch of
/// a pid check that finds another pid (`if pid != std::process::id() { .. }`, the `else` of an
/// `==` test). A drop is `drop(x)` of a local built as a thread owner, `shutdown_timeout`, or a
/// static's value moved out with `take`/`replace` and not leaked (`std::mem::forget`,
/// `Box::leak`, `Box::into_raw`, `ManuallyDrop::new`).
pub fn recovery_drops(cx: &Cx<'_>) -> Vec<RecoveryDrop> {
    let file = cx.file;
    let mut out = Vec::new();
    for id in atfork_child_handlers(cx) {
        let body = file.body(id);
        drops_in(
            cx,
            id,
            &body.block.nodes,
            body.span,
            "this `pthread_atfork` child handler runs in the forked child",
            &mut out,
        );
    }
    for (id, body) in file.bodies.iter() {
        visit::walk(&body.block.nodes, &mut |node| {
            let branch = if let Node::If(i) = node {
                match pid_comparison(cx, &i.cond, &i.cond_nodes) {
                    Some(crate::ir::CmpOp::Ne) => Some(&i.then_block),
                    Some(_) => i.else_block.as_ref(),
                    None => None,
                }
            } else if let Node::Match(m) = node {
                forked_arm(cx, m)
            } else {
                None
            };
            if let Some(block) = branch {
                drops_in(
                    cx,
                    id,
                    &block.nodes,
                    block.span,
                    "the pid check finds a forked child here",
                    &mut out,
                );
            }
            true
        });
    }
    out.sort_by_key(|d| (d.span.start, d.node));
    out.dedup_by_key(|d| (d.span.start, d.node));
    out
}

/// The operator of an `if` that compares a pid read in its condition (`==` or `!=`).
fn pid_comparison(
    cx: &Cx<'_>,
    cond: &crate::ir::Cond,
    cond_nodes: &[Node],
) -> Option<crate::ir::CmpOp> {
    let crate::ir::Cond::Cmp { op, .. } = cond else {
        return None;
    };
    if !matches!(op, crate::ir::CmpOp::Eq | crate::ir::CmpOp::Ne) {
        return None;
    }
    let reads_pid = visit::any(cond_nodes, &mut |n| {
        n.as_call()
            .is_some_and(|c| cx.vocab.call(Category::Pid, &c.callee).is_some())
    });
    reads_pid.then_some(*op)
}

/// The arm of a `match` that a pid check in an arm's guard sends a forked child to: the arm
/// guarded by `pid != getpid()`, or the arm after one guarded by `pid == getpid()` when it has
/// no guard of its own (delta-rs 0.19: `Some(pid) if pid == &std::process::id() => {}` then
/// `Some(pid) => { .. }`).
fn forked_arm<'m>(cx: &Cx<'_>, m: &'m crate::ir::Match) -> Option<&'m crate::ir::Block> {
    for (i, arm) in m.arms.iter().enumerate() {
        let Some(cond) = &arm.guard_cond else {
            continue;
        };
        match pid_comparison(cx, cond, &arm.guard) {
            Some(crate::ir::CmpOp::Ne) => return Some(&arm.body),
            Some(_) => {
                return m
                    .arms
                    .get(i + 1)
                    .filter(|next| next.guard_cond.is_none())
                    .map(|next| &next.body)
            }
            None => {}
        }
    }
    None
}

/// The drops of thread owners in `nodes` (and the closures they run inline).
fn drops_in(
    cx: &Cx<'_>,
    body: BodyId,
    nodes: &[Node],
    region: TextRange,
    region_label: &'static str,
    out: &mut Vec<RecoveryDrop>,
) {
    let file = cx.file;
    let mut leaked: Vec<String> = Vec::new();
    crate::analysis::signal_safety::walk_inline(file, nodes, &mut |node| {
        if let Some(call) = node.as_call() {
            if cx.vocab.call(Category::Leak, &call.callee).is_some() {
                leaked.extend(call.args.iter().filter_map(|a| match a {
                    Arg::Local(l) => Some(l.clone()),
                    _ => None,
                }));
            }
        }
    });
    // The value calls of `let`s, judged with their binding (leaked later or not).
    let mut handled: Vec<crate::ir::NodeId> = Vec::new();
    let mut list_walk = |list: &[Node]| {
        for (i, node) in list.iter().enumerate() {
            let what = if let Some(l) = node.as_let() {
                l.init.last().and_then(|n| n.as_call()).and_then(|call| {
                    handled.push(call.id);
                    let taken = static_taken(cx, body, call)?;
                    let kept = l.names.iter().any(|n| leaked.contains(n));
                    (!kept).then_some((call, taken))
                })
            } else {
                node.as_call()
                    .filter(|call| !handled.contains(&call.id))
                    .and_then(|call| drop_of(cx, body, call, list.get(i + 1), &leaked))
            };
            if let Some((call, what)) = what {
                out.push(RecoveryDrop {
                    node: call.id,
                    span: call.span,
                    what,
                    region,
                    region_label,
                });
            } else if let Node::Assign(a) = node {
                // `*slot = None` through a guard of a static: the old value is dropped here.
                if let Some(path) = guarded_static(cx, body, &a.local) {
                    let short = path.rsplit("::").next().unwrap_or(&path);
                    out.push(RecoveryDrop {
                        node: crate::ir::NodeId::default(),
                        span: a.span,
                        what: format!("`*{} = ..` on `{short}`", a.local),
                        region,
                        region_label,
                    });
                }
            }
        }
    };
    list_walk(nodes);
    crate::analysis::signal_safety::walk_inline(file, nodes, &mut |node| {
        visit::child_lists(node, &mut |list| list_walk(list));
    });
}

/// What `call` drops, if it drops a thread owner and is not leaked.
fn drop_of<'n>(
    cx: &Cx<'_>,
    body: BodyId,
    call: &'n Call,
    next: Option<&Node>,
    leaked: &[String],
) -> Option<(&'n Call, String)> {
    if cx
        .vocab
        .call(Category::RuntimeShutdown, &call.callee)
        .is_some()
    {
        return Some((call, format!("`{}`", display_callee(&call.callee))));
    }
    if let Callee::Path(p) = &call.callee {
        if cx.vocab.tables().has(Category::Drop, p) {
            let Some(Arg::Local(x)) = call.args.first() else {
                return None;
            };
            let origin = crate::model::summary::local_origin(cx.file, body, x)?;
            let owner = cx.vocab.path(Category::ThreadOwner, &origin.base).is_some();
            return (owner && !leaked.contains(x)).then(|| (call, format!("`drop({x})`")));
        }
    }
    let taken = static_taken(cx, body, call)?;
    // `std::mem::forget(RT.take())`: the next call leaks what this one returned.
    let leaked_at_once = next
        .and_then(|n| n.as_call())
        .is_some_and(|n| cx.vocab.call(Category::Leak, &n.callee).is_some());
    (!leaked_at_once).then_some((call, taken))
}

/// `take`/`replace` on a static, or on a lock guard of one (`let mut slot = RT.lock().unwrap();
/// slot.take()`): the static's short name, for the message.
fn static_taken(cx: &Cx<'_>, body: BodyId, call: &Call) -> Option<String> {
    let Callee::Method { receiver, .. } = &call.callee else {
        return None;
    };
    cx.vocab.call(Category::StaticTake, &call.callee)?;
    let path = match (&receiver.path, &receiver.local) {
        (Some(path), _) => path.clone(),
        (None, Some(local)) if receiver.field.is_none() => guarded_static(cx, body, local)?,
        _ => return None,
    };
    if !is_static(cx, &path) {
        return None;
    }
    let short = path.rsplit("::").next().unwrap_or(&path);
    Some(format!("`{}` on `{short}`", display_callee(&call.callee)))
}

/// The static whose lock guard local `name` of body `id` holds (`let mut slot =
/// RT.lock().unwrap();`), as seen from body `id` (its `let`, else the enclosing body's).
fn guarded_static(cx: &Cx<'_>, id: BodyId, name: &str) -> Option<String> {
    let file = cx.file;
    let mut found = None;
    let mut current = Some(id);
    while let (None, Some(b)) = (&found, current) {
        visit::walk(&file.body(b).block.nodes, &mut |node| {
            if let Some(l) = node.as_let() {
                if l.guard_of.is_some() && l.names.iter().any(|n| n == name) {
                    found = l.init.iter().rev().find_map(|n| {
                        let Callee::Method { receiver, .. } = &n.as_call()?.callee else {
                            return None;
                        };
                        receiver.path.clone().filter(|p| is_static(cx, p))
                    });
                }
            }
            true
        });
        current = file.body(b).parent;
    }
    found
}
