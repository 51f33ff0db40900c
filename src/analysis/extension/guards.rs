//! The fork guards of an extension crate (docs/extensions.md, "What forklint checks"): a pid
//! check at the accessor of a static, and fork-handler registrations (`pthread_atfork` with a
//! child handler, Python's `os.register_at_fork` through PyO3) with the handlers they register.

use rustc_hash::FxHashSet as HashSet;

use crate::analysis::Cx;
use crate::base::source::TextRange;
use crate::ir::{visit, Arg, BodyId, Call, Callee, CmpOp, Cond, FileModel, Node, Operand};
use crate::model::summary::inline_bodies;
use crate::model::FnRef;
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

/// Whether the function enclosing body `id` checks the process id: it compares a pid it reads
/// (`std::process::id()`, `libc::getpid()`, ... or a crate-local function returning one) with
/// `==` or `!=` in an `if` condition (`if *pid != std::process::id()`), in a `match` arm's
/// guard (`Some(pid) if pid == &std::process::id()`), or through a local bound to it
/// (`let now = getpid(); if now != owner`); or it calls a crate-local function that does. A
/// pid read for a message or a log line, or only recorded, is not a check.
pub fn pid_checked(cx: &Cx<'_>, id: BodyId) -> bool {
    let file = cx.file;
    let Some(f) = enclosing_fn(file, id) else {
        return false;
    };
    compares_pid(cx, file, f, true)
}

/// Whether running `body` of `file` compares a pid (see [`pid_checked`]); `follow`: also
/// through the crate-local functions it calls (one level).
fn compares_pid(cx: &Cx<'_>, file: &FileModel, body: BodyId, follow: bool) -> bool {
    let reads_pid = |nodes: &[Node]| {
        visit::any(nodes, &mut |n| {
            n.as_call().is_some_and(|c| {
                cx.vocab.call(Category::Pid, &c.callee).is_some()
                    || cx.model.resolve_call(file, c).is_some_and(|t| {
                        cx.model.file(t.file).is_some_and(|tf| {
                            inline_bodies(tf, t.body).into_iter().any(|tb| {
                                visit::any(&tf.body(tb).block.nodes, &mut |m| {
                                    m.as_call().is_some_and(|c| {
                                        cx.vocab.call(Category::Pid, &c.callee).is_some()
                                    })
                                })
                            })
                        })
                    })
            })
        })
    };
    let bodies = inline_bodies(file, body);
    // Locals bound to a pid read (`let now = std::process::id();`).
    let mut pid_locals: Vec<&str> = Vec::new();
    for b in &bodies {
        visit::walk(&file.body(*b).block.nodes, &mut |node| {
            if let Some(l) = node.as_let() {
                if reads_pid(&l.init) {
                    pid_locals.extend(l.names.iter().map(String::as_str));
                }
            }
            true
        });
    }
    bodies.iter().any(|b| {
        visit::any(&file.body(*b).block.nodes, &mut |node| {
            if let Node::If(i) = node {
                return pid_cmp(&i.cond, &pid_locals)
                    || is_eq_cmp(&i.cond) && reads_pid(&i.cond_nodes);
            }
            if let Node::Match(m) = node {
                return m.arms.iter().any(|arm| reads_pid(&arm.guard));
            }
            follow
                && node.as_call().is_some_and(|c| {
                    cx.model.resolve_call(file, c).is_some_and(|t| {
                        cx.model
                            .file(t.file)
                            .is_some_and(|tf| compares_pid(cx, tf, t.body, false))
                    })
                })
        })
    })
}

/// Whether `cond` holds an `==`/`!=` comparison.
fn is_eq_cmp(cond: &Cond) -> bool {
    match cond {
        Cond::Cmp { op, .. } => matches!(op, CmpOp::Eq | CmpOp::Ne),
        Cond::Not(c) => is_eq_cmp(c),
        Cond::And(a, b) | Cond::Or(a, b) => is_eq_cmp(a) || is_eq_cmp(b),
        Cond::Method { .. } | Cond::Let { .. } | Cond::Bool(_) | Cond::Other => false,
    }
}

/// Whether `cond` compares (`==`/`!=`) one of `locals`.
fn pid_cmp(cond: &Cond, locals: &[&str]) -> bool {
    let is_pid = |o: &Operand| matches!(o, Operand::Local(l) if locals.contains(&l.as_str()));
    match cond {
        Cond::Cmp { lhs, op, rhs } => {
            matches!(op, CmpOp::Eq | CmpOp::Ne) && (is_pid(lhs) || is_pid(rhs))
        }
        Cond::Not(c) => pid_cmp(c, locals),
        Cond::And(a, b) | Cond::Or(a, b) => pid_cmp(a, locals) || pid_cmp(b, locals),
        Cond::Method { .. } | Cond::Let { .. } | Cond::Bool(_) | Cond::Other => false,
    }
}

/// Whether a function of the analysed file that uses static `path` checks the process id.
pub fn static_pid_checked(cx: &Cx<'_>, path: &str) -> bool {
    static_users(cx, path).any(|id| pid_checked(cx, id))
}

/// The functions of the analysed file that use static `path` (by name or as a receiver).
pub fn static_users<'a>(cx: &'a Cx<'_>, path: &'a str) -> impl Iterator<Item = BodyId> + 'a {
    cx.file.items().filter_map(move |(id, body)| {
        visit::any(&body.block.nodes, &mut |node| {
            let by_ref = matches!(node, Node::PathRef(p) if p.path == path);
            let by_call = node.as_call().is_some_and(|c| {
                matches!(&c.callee, Callee::Method { receiver, .. } if receiver.path.as_deref() == Some(path))
            });
            by_ref || by_call
        })
        .then_some(id)
    })
}

/// The `pthread_atfork` child handlers this file registers and defines: the function passed as
/// the third argument (`Some(child)` or a path) of a registration in this file, resolved to a
/// crate-local function of this file. The prepare and parent handlers run in the parent, not
/// in the child. A handler defined in another file is analysed there only when that file
/// registers it too.
pub fn atfork_child_handlers(cx: &Cx<'_>) -> Vec<BodyId> {
    let mut out: Vec<BodyId> = registered_handlers(cx, cx.file)
        .into_iter()
        .filter_map(|h| h.filter(|t| t.file == cx.file.file).map(|t| t.body))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The child handlers of every `pthread_atfork` registration in `file`, resolved to crate-local
/// functions in any file (`None`: a handler path that does not resolve).
fn registered_handlers(cx: &Cx<'_>, file: &FileModel) -> Vec<Option<FnRef>> {
    let mut out = Vec::new();
    for (_, body) in file.bodies.iter() {
        visit::walk(&body.block.nodes, &mut |node| {
            visit::child_lists(node, &mut |list| handlers_in(cx, file, list, &mut out));
            true
        });
        handlers_in(cx, file, &body.block.nodes, &mut out);
    }
    out
}

/// What the fork handlers of an extension's crates reset, for the statics they guard (see
/// [`super::ExtensionFacts::handler_guards`]): the statics the `pthread_atfork` child handlers
/// touch (read, write, call a method on), through the crate-local functions they call. `None`
/// when a registration's handler is not seen (a handler path that does not resolve, Python's
/// `os.register_at_fork`, whose callable is a Python object): then the registration guards
/// every static of the crates.
pub(super) fn handler_resets(cx: &Cx<'_>, files: &[&FileModel]) -> Option<HashSet<String>> {
    let mut resets = HashSet::default();
    let mut seen = HashSet::default();
    for file in files {
        let handlers = registered_handlers(cx, file);
        let registrations = count_registrations(cx, file);
        if handlers.len() < registrations || handlers.iter().any(Option::is_none) {
            return None;
        }
        for handler in handlers.into_iter().flatten() {
            statics_touched(cx, handler, &mut seen, &mut resets);
        }
    }
    Some(resets)
}

/// The fork-handler registrations in `file` (as [`fork_handler_in`] finds them).
fn count_registrations(cx: &Cx<'_>, file: &FileModel) -> usize {
    let mut n = 0;
    for (_, body) in file.bodies.iter() {
        visit::walk(&body.block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                n += usize::from(registers_fork_handler(cx, call).is_some());
            }
            true
        });
    }
    n
}

/// The statics that the conditions of a function (its `if` and `while` conditions, `match`
/// scrutinees, in it and the closures it runs) touch, also through the crate-local functions
/// they call: what the function tests before it goes on (`if forked() { return Err(..) }`).
pub(super) fn statics_tested(cx: &Cx<'_>, f: FnRef) -> HashSet<String> {
    let mut out = HashSet::default();
    let Some(file) = cx.model.file(f.file) else {
        return out;
    };
    let mut seen = HashSet::default();
    for b in inline_bodies(file, f.body) {
        visit::walk(&file.body(b).block.nodes, &mut |node| {
            let cond: &[Node] = if let Node::If(i) = node {
                &i.cond_nodes
            } else if let Node::Match(m) = node {
                &m.scrutinee_nodes
            } else if let Node::Loop(l) = node {
                if l.cond.is_none() {
                    return true;
                }
                &l.header
            } else {
                return true;
            };
            visit::walk(cond, &mut |n| {
                if let Some(call) = note_static(n, &mut out) {
                    if let Some(target) = cx.model.resolve_call(file, call) {
                        statics_touched(cx, target, &mut seen, &mut out);
                    }
                }
                true
            });
            true
        });
    }
    out
}

/// Records the static `node` touches (a path to it, a method called on it) in `out`; returns
/// the node's call, for the caller to follow.
fn note_static<'n>(node: &'n Node, out: &mut HashSet<String>) -> Option<&'n Call> {
    if let Node::PathRef(p) = node {
        out.insert(p.path.clone());
    }
    let call = node.as_call()?;
    if let Callee::Method { receiver, .. } = &call.callee {
        if let Some(path) = &receiver.path {
            out.insert(path.clone());
        }
    }
    Some(call)
}

/// The statics a crate-local function touches (by path, or as a method's receiver), with the
/// closures it runs and the crate-local functions it calls (each function once).
pub(super) fn statics_touched(
    cx: &Cx<'_>,
    f: FnRef,
    seen: &mut HashSet<FnRef>,
    out: &mut HashSet<String>,
) {
    if !seen.insert(f) {
        return;
    }
    let Some(file) = cx.model.file(f.file) else {
        return;
    };
    let mut callees = Vec::new();
    for b in inline_bodies(file, f.body) {
        visit::walk(&file.body(b).block.nodes, &mut |node| {
            if let Some(call) = note_static(node, out) {
                callees.extend(cx.model.resolve_call(file, call));
            }
            true
        });
    }
    for target in callees {
        statics_touched(cx, target, seen, out);
    }
}

/// Child handlers of the `pthread_atfork` calls directly in `nodes`.
fn handlers_in(cx: &Cx<'_>, file: &FileModel, nodes: &[Node], out: &mut Vec<Option<FnRef>>) {
    for (i, node) in nodes.iter().enumerate() {
        let Some(call) = node.as_call() else { continue };
        if !matches!(call.callee, Callee::Path(_))
            || cx.vocab.call(Category::Atfork, &call.callee).is_none()
        {
            continue;
        }
        let path = match call.args.get(2) {
            // No child handler: the registration is none of the child's business.
            Some(Arg::Path(p)) if p.rsplit("::").next() == Some("None") => continue,
            Some(Arg::Path(p)) => Some(p.clone()),
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
        out.push(path.and_then(|path| cx.model.resolve_callee(file, &Callee::Path(path))));
    }
}
