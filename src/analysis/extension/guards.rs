//! The fork guards of an extension crate (docs/extensions.md, "What forklint checks"): a pid
//! check at the accessor of a static, and fork-handler registrations (`pthread_atfork` with a
//! child handler, Python's `os.register_at_fork` through PyO3) with the handlers they register.

use crate::analysis::Cx;
use crate::base::source::TextRange;
use crate::ir::{visit, Arg, BodyId, Call, Callee, FileModel, Node};
use crate::model::summary::inline_bodies;
use crate::vocab::Category;

use super::{enclosing_fn, Evidence};

/// The first fork-handler registration in `file`: `pthread_atfork` with a child handler (a
/// third argument that is not `None`), or the name of `os.register_at_fork` passed as a string.
pub(super) fn fork_handler_in(cx: &Cx<'_>, file: &FileModel) -> Option<Evidence> {
    let mut found = None;
    for (_, body) in file.bodies.iter() {
        visit::walk(&body.block.nodes, &mut |node| {
            if found.is_some() {
                return false;
            }
            if let Node::Call(call) = node {
                if let Some(span) = registers_fork_handler(cx, call) {
                    found = Some(Evidence {
                        file: file.file,
                        span,
                        what: "a fork handler is registered here".to_string(),
                    });
                }
            }
            true
        });
        if found.is_some() {
            break;
        }
    }
    found
}

/// The span of a fork-handler registration at `call`, if it is one.
fn registers_fork_handler(cx: &Cx<'_>, call: &Call) -> Option<TextRange> {
    if let Callee::Path(_) = &call.callee {
        if cx.vocab.call(Category::Atfork, &call.callee).is_some() {
            let child = call.args.get(2);
            let none = matches!(child, Some(Arg::Path(p)) if p.rsplit("::").next() == Some("None"));
            return (!none).then_some(call.span);
        }
    }
    call.args
        .iter()
        .any(|a| matches!(a, Arg::Path(p) if cx.vocab.path(Category::Atfork, p).is_some()))
        .then_some(call.span)
}

/// Whether the function enclosing body `id` checks the process id (a pid comparison at the
/// accessor): directly, in a closure it runs, or in a crate-local function it calls.
pub fn pid_checked(cx: &Cx<'_>, id: BodyId) -> bool {
    let file = cx.file;
    let Some(f) = enclosing_fn(file, id) else {
        return false;
    };
    let reads_pid = |file: &FileModel, body: BodyId, follow: bool| {
        inline_bodies(file, body).into_iter().any(|b| {
            visit::any(&file.body(b).block.nodes, &mut |node| {
                let Node::Call(call) = node else { return false };
                if cx.vocab.call(Category::Pid, &call.callee).is_some() {
                    return true;
                }
                follow
                    && cx.model.resolve_call(file, call).is_some_and(|t| {
                        cx.model.file(t.file).is_some_and(|tf| {
                            inline_bodies(tf, t.body).into_iter().any(|tb| {
                                visit::any(&tf.body(tb).block.nodes, &mut |n| {
                                    n.as_call().is_some_and(|c| {
                                        cx.vocab.call(Category::Pid, &c.callee).is_some()
                                    })
                                })
                            })
                        })
                    })
            })
        })
    };
    reads_pid(file, f, true)
}

/// Whether a function of the analysed file that uses static `path` checks the process id.
pub fn static_pid_checked(cx: &Cx<'_>, path: &str) -> bool {
    cx.file.items().any(|(id, body)| {
        visit::any(&body.block.nodes, &mut |node| {
            let by_ref = matches!(node, Node::PathRef(p) if p.path == path);
            let by_call = node.as_call().is_some_and(|c| {
                matches!(&c.callee, Callee::Method { receiver, .. } if receiver.path.as_deref() == Some(path))
            });
            by_ref || by_call
        }) && pid_checked(cx, id)
    })
}

/// The `pthread_atfork` child handlers this file registers and defines: the function passed as
/// the third argument (`Some(child)` or a path) of a registration in this file, resolved to a
/// crate-local function of this file. The prepare and parent handlers run in the parent, not
/// in the child. A handler defined in another file than its registration is not found.
pub fn atfork_child_handlers(cx: &Cx<'_>) -> Vec<BodyId> {
    let file = cx.file;
    let mut out = Vec::new();
    for (_, body) in file.bodies.iter() {
        visit::walk(&body.block.nodes, &mut |node| {
            visit::child_lists(node, &mut |list| handlers_in(cx, list, &mut out));
            true
        });
        handlers_in(cx, &body.block.nodes, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Child handlers of the `pthread_atfork` calls directly in `nodes`.
fn handlers_in(cx: &Cx<'_>, nodes: &[Node], out: &mut Vec<BodyId>) {
    for (i, node) in nodes.iter().enumerate() {
        let Some(call) = node.as_call() else { continue };
        if !matches!(call.callee, Callee::Path(_))
            || cx.vocab.call(Category::Atfork, &call.callee).is_none()
        {
            continue;
        }
        let path = match call.args.get(2) {
            Some(Arg::Path(p)) if p.rsplit("::").next() != Some("None") => Some(p.clone()),
            // `Some(child)`: the argument's own call was lowered just before this one.
            Some(Arg::Other) => nodes[..i].iter().rev().find_map(|n| {
                let c = n.as_call()?;
                let Callee::Path(p) = &c.callee else {
                    return None;
                };
                cx.vocab
                    .tables()
                    .has(Category::WrapperCtor, p)
                    .then_some(())?;
                match c.args.first() {
                    Some(Arg::Path(handler)) => Some(handler.clone()),
                    _ => None,
                }
            }),
            _ => None,
        };
        let Some(path) = path else { continue };
        if let Some(target) = cx.model.resolve_callee(cx.file, &Callee::Path(path)) {
            if target.file == cx.file.file {
                out.push(target.body);
            }
        }
    }
}
