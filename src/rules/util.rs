//! Helpers shared by rule passes: walking bodies, naming calls, finding enclosing contexts.

use crate::model::ir::{Body, BodyId, Callee, Context, FileModel, Node, Role};

/// How a call is shown in messages: `std::thread::sleep` or `.recv()`.
pub fn call_name(callee: &Callee) -> String {
    match callee {
        Callee::Path(path) => path.clone(),
        Callee::Method { name, .. } => format!(".{name}()"),
        Callee::Unknown => "this call".to_string(),
    }
}

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

/// What to call a context root in labels: "this async fn", "this async block", "this green task".
pub fn context_description(body: &Body) -> &'static str {
    match (body.context, body.kind) {
        (Context::Green, _) => "this green task runs on may's scheduler",
        (_, crate::model::ir::BodyKind::Fn) => "this async fn runs on the async runtime",
        (_, crate::model::ir::BodyKind::AsyncBlock) => "this async block runs on the async runtime",
        _ => "this closure runs inside async code",
    }
}

/// Every call node of a body (not of nested closures), in order.
pub fn calls(body: &Body) -> Vec<&crate::model::ir::Call> {
    let mut out = Vec::new();
    crate::model::ir::walk_nodes(&body.block.nodes, &mut |node| {
        if let Node::Call(call) = node {
            out.push(&**call);
        }
        true
    });
    out
}

/// Whether two spans are close enough that one snippet shows both: evidence far away adds a
/// second snippet and more noise than help, so rules mention it in the message instead.
pub fn near(a: crate::source::TextRange, b: crate::source::TextRange) -> bool {
    a.start.abs_diff(b.start) < 400
}
