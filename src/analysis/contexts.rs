//! Execution contexts across closures: the body that gives a closure its async or green
//! context, the call a closure is handed to, and crate-local context exits the vocabulary
//! cannot name.

use crate::analysis::Cx;
use crate::ir::{Body, BodyId, BodyKind, Callee, Context, FileModel, Node, Role};
use crate::vocab::Category;

/// The body that gives `id` its async or green context: the nearest enclosing body that is an
/// async fn, an async block or closure, or a green task (closures inherit their parent's context).
pub fn context_root(file: &FileModel, id: BodyId) -> (BodyId, &Body) {
    let mut current = id;
    loop {
        let body = file.body(current);
        let inherits = body.role == Role::Plain && !body.is_async && body.context != Context::Sync;
        match (inherits, body.parent) {
            (true, Some(parent)) if file.body(parent).context == body.context => current = parent,
            _ => return (current, body),
        }
    }
}

/// Every call node of a body (not of nested closures), in order.
pub fn calls(body: &Body) -> Vec<&crate::ir::Call> {
    let mut out = Vec::new();
    crate::ir::visit::walk(&body.block.nodes, &mut |node| {
        if let Node::Call(call) = node {
            out.push(&**call);
        }
        true
    });
    out
}

/// The call that receives closure or async block `id` as an argument, in its parent body.
pub fn enclosing_call(file: &FileModel, id: BodyId) -> Option<&crate::ir::Call> {
    let parent = file.body(file.body(id).parent?);
    let mut found = None;
    crate::ir::visit::walk(&parent.block.nodes, &mut |node| {
        if let Node::Call(call) = node {
            if call.args.contains(&crate::ir::Arg::Closure(id)) {
                found = Some(&**call);
            }
        }
        found.is_none()
    });
    found
}

/// Whether body `id` runs in an async block or closure handed directly to a single-future
/// executor (`futures::executor::block_on(async { .. })`; vocabulary `single-future`): the
/// future runs alone on the calling thread, so blocking there starves no other task and the
/// body is not shared async context for FL002/FL003. An `async fn` is never such a body.
pub fn runs_alone(cx: &Cx<'_>, id: BodyId) -> bool {
    let (root_id, root) = context_root(cx.file, id);
    root.kind != BodyKind::Fn
        && root.context == Context::Async
        && enclosing_call(cx.file, root_id).is_some_and(|call| {
            cx.vocab
                .call(Category::SingleFuture, &call.callee)
                .is_some()
        })
}

/// Whether body `id`, async by inheritance, is (inside) a plain closure handed to a crate-local
/// context exit the vocabulary cannot name: the crate's own `spawn_blocking` (inside async-std,
/// `crate::task::spawn_blocking` is `async_std::task::spawn_blocking`), or a local wrapper that
/// passes its closure parameter on to one (tokio's `asyncify`).
pub fn in_local_context_exit(cx: &Cx<'_>, id: BodyId) -> bool {
    let file = cx.file;
    let mut current = id;
    loop {
        let body = file.body(current);
        if body.is_async || body.role != Role::Plain || body.kind != BodyKind::Closure {
            return false;
        }
        let Some(parent) = body.parent else {
            return false;
        };
        if let Some(call) = enclosing_call(file, current) {
            if let Callee::Path(path) = &call.callee {
                if is_local_context_exit(cx, path, 0) {
                    return true;
                }
            }
        }
        current = parent;
    }
}

fn is_local_context_exit(cx: &Cx<'_>, path: &str, depth: u32) -> bool {
    let Some(rest) = path.strip_prefix("crate::") else {
        return false;
    };
    let package = cx
        .model
        .package_of
        .get(cx.file.file.index())
        .and_then(|p| cx.model.packages.get(*p));
    if let Some(name) = package.and_then(|p| p.name.as_deref()) {
        let external = format!("{}::{rest}", name.replace('-', "_"));
        if cx.vocab.path(Category::ContextExit, &external).is_some() {
            return true;
        }
    }
    let last = rest.rsplit("::").next().unwrap_or(rest);
    if exit_names(cx).contains(&last) {
        return true;
    }
    if depth >= 2 {
        return false;
    }
    // A wrapper: a crate-local function that hands one of its parameters to a context exit.
    let Some(package) = package else {
        return false;
    };
    for file_id in &package.files {
        let Some(model) = cx.model.file(*file_id) else {
            continue;
        };
        for body in model.bodies.values() {
            if body.path.as_deref() != Some(path) {
                continue;
            }
            let forwards = calls(body).into_iter().any(|call| {
                let Callee::Path(target) = &call.callee else {
                    return false;
                };
                let passes_param = call.args.iter().any(|a| {
                    matches!(a, crate::ir::Arg::Local(name)
                        if body.params.iter().any(|(p, _)| p == name))
                });
                passes_param
                    && (cx.vocab.path(Category::ContextExit, target).is_some()
                        || is_local_context_exit(cx, target, depth + 1))
            });
            if forwards {
                return true;
            }
        }
    }
    false
}

/// Last segments of the vocabulary's context-exit functions that no spawner shares
/// (`spawn_blocking`, `block_in_place`, `unblock`; not `spawn`).
fn exit_names<'v>(cx: &Cx<'v>) -> Vec<&'v str> {
    let last = |p: &'v str| p.rsplit("::").next().unwrap_or(p);
    let spawner_names: Vec<&str> = [Category::AsyncSpawn, Category::GreenSpawn]
        .iter()
        .flat_map(|c| cx.vocab.entries(*c))
        .filter_map(|e| e.path.as_deref())
        .map(last)
        .collect();
    cx.vocab
        .entries(Category::ContextExit)
        .into_iter()
        .filter_map(|e| e.path.as_deref())
        .map(last)
        .filter(|n| !spawner_names.contains(n))
        .collect()
}

/// The blocking-vocabulary entry a call matches in body `id`. Entries of kind `io-adapter`
/// (`std::io::copy`) block only on real I/O: one argument must be a local known to be a file,
/// socket or stdin (`copy(&mut file, ..)`), not an in-memory reader.
pub fn blocking_entry<'v>(
    cx: &Cx<'v>,
    id: BodyId,
    call: &crate::ir::Call,
) -> Option<&'v crate::vocab::Entry> {
    crate::model::summary::blocking_entry_in(cx.vocab, cx.file, id, call)
}

/// The call whose primary span is `span` in any body of `file`.
pub fn call_at(file: &FileModel, span: crate::base::source::TextRange) -> Option<&crate::ir::Call> {
    let mut found = None;
    for body in file.bodies.values() {
        crate::ir::visit::walk(&body.block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                if call.span == span {
                    found = Some(&**call);
                }
            }
            found.is_none()
        });
        if found.is_some() {
            break;
        }
    }
    found
}
