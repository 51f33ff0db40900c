//! Async-signal safety of child code: the first operation of a child region that is not
//! async-signal-safe, fork-exec cleanliness, and what an operation written in a child is.

use crate::analysis::flow::{local_fn, Flow};
use crate::analysis::fork::{ChildRegion, ForkSite};
use crate::analysis::Cx;
use crate::base::source::TextRange;
use crate::ir::{Callee, FileModel, Node, Role};
use crate::model::summary::display_callee as call_name;
use crate::vocab::{Category, Kind};

/// The first operation of a child region that is not async-signal-safe (span, description).
pub fn first_unsafe_op(cx: &Cx<'_>, nodes: &[Node]) -> Option<(TextRange, String)> {
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
                found = Some((call.span, describe(cx, node)));
            }
            Node::Macro(m) => found = Some((m.span, describe(cx, node))),
            Node::Await(span) => found = Some((*span, "`.await` in the child".to_string())),
            Node::Let(_)
            | Node::Assign(_)
            | Node::If(_)
            | Node::Match(_)
            | Node::Loop(_)
            | Node::Block(_)
            | Node::Closure(_)
            | Node::Jump(_)
            | Node::PathRef(_) => {}
        }
    });
    found
}

/// What a call or macro that voids fork-exec cleanliness does, as precisely as the vocabulary
/// knows it (`` `format!` allocates ``); a callee it cannot see into is "not known to be
/// async-signal-safe", never "not async-signal-safe".
fn describe(cx: &Cx<'_>, node: &Node) -> String {
    let Some((_, name, op)) = classify_op(cx, node) else {
        return String::new();
    };
    match op {
        Op::Lock => format!("{name} takes a lock"),
        Op::ProcessExit => format!("{name} runs atexit handlers"),
        Op::Unsafe { what, .. } => format!("{name} {what}"),
        Op::Local => format!("calls {name}, which is not known to be async-signal-safe"),
        Op::Quiet => format!("{name} is not known to be async-signal-safe"),
    }
}

/// Whether the child region does only AS-safe work and ends in `exec*`/`_exit` on every path.
pub fn fork_exec_clean(cx: &Cx<'_>, site: &ForkSite<'_>) -> bool {
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
        if first_unsafe_op(cx, rest.nodes).is_some() {
            return false;
        }
        let mut flow = Flow::new(cx, 0);
        return !flow.seq(rest.nodes, 0) && flow.escapes.is_empty();
    }
    blocks.iter().all(|b| {
        let mut flow = Flow::new(cx, 0);
        !flow.seq(&b.nodes, 0) && flow.escapes.is_empty()
    })
}

/// The first non-AS-safe operation of a site's child (for FL001's evidence label).
pub fn first_unsafe_in_child(cx: &Cx<'_>, site: &ForkSite<'_>) -> Option<(TextRange, String)> {
    let ChildRegion::Branches { blocks, rest } = &site.child else {
        return None;
    };
    let mut candidates: Vec<(TextRange, String)> = blocks
        .iter()
        .filter_map(|b| first_unsafe_op(cx, &b.nodes))
        .collect();
    if let Some(rest) = rest {
        candidates.extend(first_unsafe_op(cx, rest.nodes));
    }
    candidates.into_iter().min_by_key(|(span, _)| span.start)
}

/// Visit nodes in order, descending into control flow and into closures that run inline.
pub fn walk_inline<'a>(file: &'a FileModel, nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    crate::ir::visit::walk(nodes, &mut |node| {
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
pub fn classify_op(cx: &Cx<'_>, node: &Node) -> Option<(TextRange, String, Op)> {
    let vocab = cx.vocab;
    if let Some(call) = node.as_call() {
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
                what: if e.is(Kind::Sometimes) {
                    "may allocate"
                } else {
                    "allocates"
                },
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
        return Some((call.span, name, op));
    }
    let m = node.as_macro()?;
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
