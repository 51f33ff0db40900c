//! FL003 blocking-call-in-async: a known blocking call runs in async or green context.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ir::{BodyKind, Context};
use crate::rules::util::{blocking_entry, in_local_context_exit, call_name, calls, context_description, context_root, near};
use crate::rules::RuleContext;
use crate::vocab::Entry;

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

const TOKIO_NOTE: &str = "Tokio (\"Blocking and yielding\"): \"issuing a blocking call or performing a lot of compute in a future without yielding is problematic, as it may prevent the executor from driving other tasks forward\"";

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    for (index, body) in file.bodies.iter().enumerate() {
        if body.context == Context::Sync || in_local_context_exit(cx, index as u32) {
            continue;
        }
        for call in calls(body) {
            let Some(entry) = blocking_entry(cx, index as u32, call) else {
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
            let help = blocking_help(entry, body.context == Context::Green);
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
            out.push(diag);
        }
    }
}

/// The help line for a blocking call: the vocabulary's async replacement, or may's for green tasks.
pub fn blocking_help(entry: &Entry, green: bool) -> String {
    if green {
        return entry.green_help.clone().unwrap_or_else(|| {
            "use may's equivalent (`may::sync`, `may::net`, `may::coroutine::sleep`) or run this on a thread".to_string()
        });
    }
    entry
        .help
        .clone()
        .unwrap_or_else(|| "move this into `tokio::task::spawn_blocking`".to_string())
}
