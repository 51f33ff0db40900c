//! FL003 blocking-call-in-async: a known blocking call runs in async or green context.

use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ir::{Body, BodyKind, Call, Callee, Context};
use crate::rules::util::{
    blocking_entry, blocking_entry_in, call_name, calls, context_description, context_root,
    in_local_context_exit, near,
};
use crate::rules::RuleContext;
use crate::source::{FileId, TextRange};
use crate::vocab::Entry;

declare_rule! {
    /// ### What it does
    /// Finds calls that block the current thread (sleeping, joining threads, waiting on std
    /// channels, file and socket I/O from `std`, `block_on`, blocking HTTP and database clients)
    /// inside `async` code and inside `may` green tasks.
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
    let mut helpers = HashMap::new();
    for (index, body) in file.bodies.iter().enumerate() {
        if body.context == Context::Sync || in_local_context_exit(cx, index as u32) {
            continue;
        }
        for call in calls(body) {
            let Some(entry) = blocking_entry(cx, index as u32, call) else {
                if let Some(witness) = blocks_through_helper(cx, body, call, &mut helpers) {
                    out.push(helper_diagnostic(cx, index as u32, body, call, witness));
                }
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

/// A blocking call found inside a crate-local sync function.
#[derive(Clone)]
struct Witness<'v> {
    file: FileId,
    span: TextRange,
    /// The blocking call, as shown in messages.
    call: String,
    /// The function that contains it.
    function: String,
    entry: &'v Entry,
}

/// Depth of crate-local sync calls followed from async code.
const MAX_HELPER_DEPTH: u32 = 3;

/// The crate-local function a call targets: a path under `crate::`, or a method on `self`.
fn local_callee(body: &Body, call: &Call) -> Option<String> {
    if call.awaited {
        return None;
    }
    match &call.callee {
        Callee::Path(path) if path.starts_with("crate::") => Some(path.clone()),
        Callee::Method { name, receiver }
            if receiver.local.as_deref() == Some("self") && receiver.field.is_none() =>
        {
            let self_ty = body.self_ty.as_deref()?;
            self_ty
                .starts_with("crate::")
                .then(|| format!("{self_ty}::{name}"))
        }
        _ => None,
    }
}

fn blocks_through_helper<'v>(
    cx: &RuleContext<'v>,
    body: &Body,
    call: &Call,
    memo: &mut HashMap<String, Option<Witness<'v>>>,
) -> Option<Witness<'v>> {
    let path = local_callee(body, call)?;
    helper_blocks(cx, &path, 0, memo)
}

/// Whether the crate-local sync function `path` blocks, directly or through further local
/// sync functions; the witness is the blocking call found.
fn helper_blocks<'v>(
    cx: &RuleContext<'v>,
    path: &str,
    depth: u32,
    memo: &mut HashMap<String, Option<Witness<'v>>>,
) -> Option<Witness<'v>> {
    if let Some(known) = memo.get(path) {
        return known.clone();
    }
    // Mark as visiting (cycles resolve to "does not block").
    memo.insert(path.to_string(), None);
    let found = find_helper_block(cx, path, depth, memo);
    memo.insert(path.to_string(), found.clone());
    found
}

fn find_helper_block<'v>(
    cx: &RuleContext<'v>,
    path: &str,
    depth: u32,
    memo: &mut HashMap<String, Option<Witness<'v>>>,
) -> Option<Witness<'v>> {
    let package = cx
        .model
        .package_of
        .get(cx.file.file as usize)
        .and_then(|p| cx.model.packages.get(*p))?;
    for file_id in &package.files {
        let Some(model) = cx.model.file(*file_id) else {
            continue;
        };
        for (index, helper) in model.bodies.iter().enumerate() {
            if helper.kind != BodyKind::Fn
                || helper.is_async
                || helper.path.as_deref() != Some(path)
            {
                continue;
            }
            let helper_calls = calls(helper);
            for inner in &helper_calls {
                if let Some(entry) = blocking_entry_in(cx.vocab, model, index as u32, inner) {
                    return Some(Witness {
                        file: model.file,
                        span: inner.span,
                        call: call_name(&inner.callee),
                        function: helper.name.clone(),
                        entry,
                    });
                }
            }
            if depth + 1 >= MAX_HELPER_DEPTH {
                continue;
            }
            for inner in &helper_calls {
                let Some(next) = local_callee(helper, inner) else {
                    continue;
                };
                if let Some(witness) = helper_blocks(cx, &next, depth + 1, memo) {
                    return Some(witness);
                }
            }
        }
    }
    None
}

fn helper_diagnostic(
    cx: &RuleContext<'_>,
    index: u32,
    body: &Body,
    call: &Call,
    witness: Witness<'_>,
) -> Diagnostic {
    let file = cx.file;
    let (_, root) = context_root(file, index);
    let where_ = match (body.context, root.kind) {
        (Context::Green, _) => "a green task".to_string(),
        (_, BodyKind::Fn) => format!("async fn `{}`", root.name),
        (_, BodyKind::AsyncBlock) => "an async block".to_string(),
        _ => "async code".to_string(),
    };
    let callee = match &call.callee {
        Callee::Path(path) => path.rsplit("::").next().unwrap_or(path).to_string(),
        other => call_name(other),
    };
    let green = body.context == Context::Green;
    let help = if green {
        blocking_help(witness.entry, true)
    } else {
        format!("move the call to `{callee}` into `tokio::task::spawn_blocking`, or make it async")
    };
    let mut diag = Diagnostic::new(
        &RULE,
        file.file,
        call.span,
        format!("`{callee}` blocks on `{}` in {where_}", witness.call),
    )
    .primary_label("blocks the executor thread")
    .label(
        witness.file,
        witness.span,
        format!("blocks inside `{}`", witness.function),
    )
    .help(help);
    if !green {
        diag = diag.note(TOKIO_NOTE);
    }
    diag
}
