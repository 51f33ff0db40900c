//! FL003 blocking-call-in-async: a known blocking call runs in async or green context.

use crate::analysis::contexts::{blocking_entry, calls, context_root, in_local_context_exit, runs_alone};
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::ir::{Body, BodyId, BodyKind, Call, Context};
use crate::model::summary::{Fact, Witness};
use crate::rules::util::{call_name, context_description};
use crate::rules::RuleContext;
use crate::vocab::{Category, Entry};

declare_rule! {
    /// ### What it does
    /// Finds calls that block the current thread (sleeping, joining threads, waiting on std
    /// channels, file and socket I/O from `std` and its drop-in `fs_err` (not `fs_err::tokio`),
    /// `block_on`, blocking HTTP and database clients) inside `async` code and inside `may` green
    /// tasks. `std::io::copy` and `std::io::read_to_string` are reported when an argument is a
    /// local known to be a file, socket or stdin; between in-memory readers and writers
    /// (`&buf[..]`, `Vec`, `Cursor`) they do no I/O. Every finding labels the async fn, block or
    /// green task it runs in.
    ///
    /// A call to a crate-local sync function that blocks (directly or a few calls further down)
    /// is reported at the call in async code, with a label on the blocking call inside.
    ///
    /// Which code is async (the question an earlier clippy attempt at this lint stalled on):
    /// closures written inside async code inherit its context (a `for_each` closure runs on the
    /// task), nested `fn` items do not (their bodies are checked where they are called), and
    /// bodies handed to `spawn_blocking`, `block_in_place`, `std::thread::spawn`, a configured
    /// wrapper, or a crate's own `spawn_blocking` wrapper (tokio's `asyncify`) are sync again.
    /// Method calls are matched only when the receiver's origin is known (a typed `let`, a
    /// constructor, a parameter or field type, a method chain such as
    /// `client.get_connection()?`), so a user method that happens to be called `recv` or
    /// `sleep` stays quiet, and so do async APIs whose names collide (`tokio::fs`,
    /// `.lock().await`).
    ///
    /// Not reported by default in test code (`#[test]`, `#[tokio::test]` and other runtimes'
    /// test attributes, `#[cfg(test)]` items and module files, the crates of `tests/` and
    /// `benches/`): blocking in a test's setup stalls nothing a user runs (`[test-lints]` in
    /// docs/configuration.md turns it on). Not async context either: an `async` block handed
    /// directly to a single-future executor (`futures::executor::block_on`,
    /// `futures_lite::future::block_on`, `pollster::block_on`, `smol::block_on`,
    /// `async_io::block_on`), which runs that one future alone on the calling thread, so
    /// blocking there starves no other task. `Runtime::block_on` and `Handle::block_on` stay
    /// async context: tasks spawned on a current-thread runtime share the thread with the block.
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
    for (index, body) in file.bodies.iter() {
        if body.context == Context::Sync || in_local_context_exit(cx, index) || runs_alone(cx, index)
        {
            continue;
        }
        for call in calls(body) {
            let Some(entry) = blocking_entry(cx, index, call) else {
                if let Some(diag) = through_call(cx, index, body, call) {
                    out.push(diag);
                }
                continue;
            };
            let (_, root) = context_root(file, index);
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
            .help(help)
            .label(file.file, root.span, context_description(root));
            if body.context == Context::Async {
                diag = diag.note(TOKIO_NOTE);
            }
            if let Some(fix) = tokio_fix(cx, index, call, entry.replacement.as_deref()) {
                diag = diag.fix(fix);
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

/// FL003 through a crate-local sync function whose summary blocks: reported at the call in async
/// code, with labels along the witness chain down to the blocking call.
fn through_call(
    cx: &RuleContext<'_>,
    index: BodyId,
    body: &Body,
    call: &Call,
) -> Option<Diagnostic> {
    let file = cx.file;
    let (callee, witness) = blocking_helper(cx, call)?;
    let (_, root) = context_root(file, index);
    let where_ = match (body.context, root.kind) {
        (Context::Green, _) => "a green task".to_string(),
        (_, BodyKind::Fn) => format!("async fn `{}`", root.name),
        (_, BodyKind::AsyncBlock) => "an async block".to_string(),
        _ => "async code".to_string(),
    };
    let green = body.context == Context::Green;
    let leaf = witness.last();
    let help = if green {
        "use may's equivalent (`may::sync`, `may::net`, `may::coroutine::sleep`) or run this on a thread".to_string()
    } else {
        format!("move the call to `{callee}` into `tokio::task::spawn_blocking`, or make it async")
    };
    let mut diag = Diagnostic::new(
        &RULE,
        file.file,
        call.span,
        format!("`{callee}` blocks on `{}` in {where_}", leaf.name),
    )
    .primary_label("blocks the executor thread")
    .help(help)
    .label(file.file, root.span, context_description(root));
    for step in witness.chain() {
        diag = diag.label(step.file, step.span, step.what.clone());
    }
    if !green {
        diag = diag.note(TOKIO_NOTE);
    }
    Some(diag)
}

/// The crate-local sync function `call` reaches, by name, and the witness chain of its
/// blocking, when its summary blocks (a call the vocabulary knows is judged by the vocabulary:
/// callers ask [`blocking_entry`] first).
pub fn blocking_helper<'a>(cx: &'a RuleContext<'_>, call: &Call) -> Option<(String, &'a Witness)> {
    if call.awaited || cx.vocab.call(Category::Yield, &call.callee).is_some() {
        return None;
    }
    let (target, summary) = cx.model.callee_summary(cx.file, call)?;
    if summary.is_async {
        return None;
    }
    let witness = summary.get(Fact::Blocks)?;
    let callee = cx
        .model
        .body(target)
        .map_or_else(|| "this function".to_string(), |b| b.name.clone());
    Some((callee, witness))
}

/// `std::thread::sleep(d)` -> `tokio::time::sleep(d).await`: only where `.await` is legal (the
/// call's own body is async, not a closure inside it) and the package depends on tokio.
fn tokio_fix(
    cx: &RuleContext<'_>,
    body: BodyId,
    call: &crate::ir::Call,
    replacement: Option<&str>,
) -> Option<crate::base::diagnostic::Fix> {
    use crate::base::diagnostic::{Applicability, Edit, Fix};
    let replacement = replacement?;
    let file = cx.file.file;
    let body = cx.file.body(body);
    let tokio = (cx.model.package_of.get(file.index()))
        .and_then(|p| cx.model.packages.get(*p))
        .is_some_and(|p| p.uses_tokio);
    let awaitable =
        body.context == Context::Async && (body.is_async || body.kind == BodyKind::AsyncBlock);
    if !tokio || !awaitable || !matches!(call.callee, crate::ir::Callee::Path(_)) {
        return None;
    }
    let end = crate::base::source::TextRange::new(
        call.expr_span.end as usize,
        call.expr_span.end as usize,
    );
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
