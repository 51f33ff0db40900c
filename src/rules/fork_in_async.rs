//! FL007 fork-in-async: a fork in async or green context, or while an async runtime is alive.

use crate::analysis::contexts::context_root;
use crate::analysis::fork::ChildRegion;
use crate::analysis::signal_safety::fork_exec_clean;
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::ir::Context;
use crate::rules::notes::TOKIO_FORK_NOTE;
use crate::rules::util::context_description;
use crate::rules::RuleContext;

declare_rule! {
    /// ### What it does
    /// Finds fork-family calls made in async code (an `async fn`, an `async` block, a `may`
    /// green task) or while an async runtime is alive on the path (a `Runtime` value not yet
    /// dropped, `#[tokio::main]`, may's scheduler once started). A child that only `exec`s or
    /// `_exit`s with async-signal-safe calls is not reported.
    ///
    /// ### Why is this bad?
    /// The child gets a copy of the runtime without its worker threads: its I/O driver, timer
    /// wheel and task queues are shared-by-copy with the parent's (the epoll fd is literally
    /// shared), and any task the child polls may deadlock or steal the parent's events. Tokio
    /// documents that neither the parent's runtime nor a new runtime may be used in a child
    /// once the parent used Tokio.
    ///
    /// ### Example
    /// ```rust
    /// #[tokio::main(flavor = "current_thread")]
    /// async fn main() {
    ///     fork::daemon(false, false).unwrap();
    ///     serve().await;
    /// }
    ///
    /// async fn serve() {}
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// fn main() {
    ///     fork::daemon(false, false).unwrap();
    ///     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    ///     runtime.block_on(serve());
    /// }
    ///
    /// async fn serve() {}
    /// ```
    pub static RULE = "FL007", "fork-in-async", Error, "a fork runs in async context or while an async runtime is alive";
}

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    for site in cx.fork_sites().iter().filter(|s| !s.delegated) {
        let in_async = site.context != Context::Sync;
        // A runtime of this function's own code first; one alive on entry (a caller's) only when
        // no async code calls this function (then the call chain from async code says more).
        let own_runtime = site.state.runtimes.iter().find(|r| r.via.is_empty());
        let from_async = if in_async || own_runtime.is_some() {
            None
        } else {
            reached_from_async(cx, site.body)
        };
        let runtime = own_runtime.or_else(|| {
            from_async
                .is_none()
                .then(|| site.state.runtimes.first())
                .flatten()
        });
        if !in_async && runtime.is_none() && from_async.is_none() {
            continue;
        }
        if matches!(site.child, ChildRegion::Unknown) || fork_exec_clean(cx, site) {
            continue;
        }
        let name = site.name();
        let message = if site.context == Context::Green {
            format!("`{name}` in a green task")
        } else if in_async {
            format!("`{name}` in async code")
        } else if let Some(witness) = from_async {
            format!(
                "`{name}` in `{}`, which async code calls",
                witness.last().name
            )
        } else {
            format!("`{name}` while an async runtime is alive")
        };
        let mut diag = Diagnostic::new(&RULE, file.file, site.call.span, message)
            .primary_label("the child gets a copy of the runtime without its threads");
        if let Some((f, span, label)) = site.wrapper_label(cx) {
            diag = diag.label(f, span, label);
        }
        if in_async {
            let (_, root) = context_root(file, site.body);
            diag = diag.label(file.file, root.span, context_description(root));
        } else if let Some(runtime) = runtime {
            diag = diag.label(runtime.file, runtime.span, runtime.label.clone());
            for step in &runtime.via {
                diag = diag.label(step.file, step.span, step.label.clone());
            }
        } else if let Some(witness) = from_async {
            for step in witness.chain() {
                diag = diag.label(step.file, step.span, step.what.clone());
            }
        }
        let help = if site.is_daemon() {
            "daemonize before building the runtime"
        } else {
            "fork before starting the runtime, or start the child with `tokio::process::Command` (it execs at once)"
        };
        out.push(diag.help(help).note(TOKIO_FORK_NOTE));
    }
}

/// The call chain from async code to the function enclosing body `id`, if async code calls it.
fn reached_from_async<'m>(
    cx: &'m RuleContext<'_>,
    id: crate::ir::BodyId,
) -> Option<&'m crate::model::summary::Witness> {
    let file = cx.file;
    let mut current = id;
    loop {
        let body = file.body(current);
        if body.kind == crate::ir::BodyKind::Fn {
            break;
        }
        current = body.parent?;
    }
    cx.model.reached_from_async.get(&crate::model::FnRef {
        file: file.file,
        body: current,
    })
}
