//! FL003 blocking-call-in-async: a known blocking call runs in async or green context.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ir::{BodyKind, Context};
use crate::rules::util::{call_name, calls, context_description, context_root, near};
use crate::rules::RuleContext;
use crate::vocab::Category;

declare_rule! {
    /// ### What it does
    /// Finds calls that block the current thread (sleeping, joining threads, waiting on std
    /// channels, file and socket I/O from `std`, `block_on`, blocking HTTP and database clients)
    /// inside `async` code and inside `may` green tasks.
    ///
    /// Closures written inside async code inherit its context (a `for_each` closure runs on the
    /// task), nested `fn` items do not, and bodies handed to `spawn_blocking`, `block_in_place`,
    /// `std::thread::spawn` or a configured wrapper are sync again. Method calls are matched only
    /// when the receiver's origin is known (a typed `let`, a constructor, a parameter or field
    /// type), so a user method that happens to be called `recv` or `sleep` stays quiet.
    ///
    /// ### Why is this bad?
    /// An async runtime runs many tasks on few threads and switches only at `.await`. A blocking
    /// call holds the worker thread: every other task scheduled on it stalls until the call
    /// returns, timers fire late, and with enough such calls the whole runtime freezes. Tokio's
    /// guidance: async code should never spend a long time without reaching an `.await`; move
    /// blocking work to `spawn_blocking` or use the async equivalent.
    ///
    /// ### Example
    /// ```rust
    /// async fn poll_status() {
    ///     std::thread::sleep(std::time::Duration::from_secs(1));
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// async fn poll_status() {
    ///     tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    /// }
    /// ```
    pub static RULE = "FL003", "blocking-call-in-async", Warning, "a blocking call runs in async or green-task context";
}

const TOKIO_NOTE: &str = "Tokio: \"async code should never spend a long time without reaching an `.await`\"; blocking work belongs in `spawn_blocking`";

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    for (index, body) in file.bodies.iter().enumerate() {
        if body.context == Context::Sync {
            continue;
        }
        for call in calls(body) {
            if call.awaited {
                continue;
            }
            let Some(entry) = cx.vocab.call(Category::Blocking, &call.callee) else {
                continue;
            };
            let (_, root) = context_root(file, index as u32);
            let name = call_name(&call.callee);
            let where_ = match (body.context, root.kind) {
                (Context::Green, _) => "a green task".to_string(),
                (_, BodyKind::Fn) => format!("async fn `{}`", root.name),
                (_, BodyKind::AsyncBlock) => "an async block".to_string(),
                _ => "async code".to_string(),
            };
            let help = entry
                .help
                .clone()
                .unwrap_or_else(|| "move this into `tokio::task::spawn_blocking`".to_string());
            let mut diag = Diagnostic::new(
                &RULE,
                file.file,
                call.span,
                format!("blocking call `{name}` in {where_}"),
            )
            .primary_label("blocks the executor thread")
            .help(help);
            if near(root.span, call.span) {
                diag = diag.label(file.file, root.span, context_description(root));
            }
            if body.context == Context::Async {
                diag = diag.note(TOKIO_NOTE);
            }
            if let Some(fix) = tokio_fix(cx, index as u32, call, entry.replacement.as_deref()) {
                diag = diag.fix(fix);
            }
            out.push(diag);
        }
    }
}

/// `std::thread::sleep(d)` -> `tokio::time::sleep(d).await`: only where `.await` is legal (the
/// call's own body is async, not a closure inside it) and the package depends on tokio.
fn tokio_fix(
    cx: &RuleContext<'_>,
    body: u32,
    call: &crate::model::ir::Call,
    replacement: Option<&str>,
) -> Option<crate::diagnostic::Fix> {
    use crate::diagnostic::{Applicability, Edit, Fix};
    let replacement = replacement?;
    let file = cx.file.file;
    let body = cx.file.body(body);
    let tokio = (cx.model.package_of.get(file as usize))
        .and_then(|p| cx.model.packages.get(*p))
        .is_some_and(|p| p.uses_tokio);
    let awaitable =
        body.context == Context::Async && (body.is_async || body.kind == BodyKind::AsyncBlock);
    if !tokio || !awaitable || !matches!(call.callee, crate::model::ir::Callee::Path(_)) {
        return None;
    }
    let end =
        crate::source::TextRange::new(call.expr_span.end as usize, call.expr_span.end as usize);
    Some(Fix {
        message: format!("use `{replacement}(..).await`"),
        applicability: Applicability::MachineApplicable,
        edits: vec![
            Edit {
                file,
                range: call.span,
                content: replacement.to_string(),
            },
            Edit {
                file,
                range: end,
                content: ".await".to_string(),
            },
        ],
    })
}
