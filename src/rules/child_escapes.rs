//! FL006 child-escapes: a fork child can leave its region into code the parent also runs.

use crate::analysis::child::enclosing_item;
use crate::analysis::flow::{Escape, EscapeKind, Flow};
use crate::analysis::fork::{fork_entry, ForkSite};
use crate::analysis::signal_safety::{first_unsafe_op, walk_inline};
use crate::base::diagnostic::Diagnostic;
use crate::base::source::TextRange;
use crate::declare_rule;
use crate::ir::Node;
use crate::rules::RuleContext;
use crate::vocab::Kind;

declare_rule! {
    /// ### What it does
    /// Finds fork children that can leave their branch other than through `exec*`, `_exit`,
    /// `abort`, a function that never returns, or an infinite loop: falling off the end of the
    /// branch into code after the `if`/`match`, `return` or `?` into the caller, `break` into the
    /// parent's loop, or `std::process::exit`, also inside a crate-local function that never
    /// returns (`handle_child() -> !` ending with `process::exit(0)`). An `exec*` call returns
    /// when it fails: where the child then goes (`?` on its result, an `Err` returned after it,
    /// the end of the branch) is labelled too.
    ///
    /// Daemon-style calls (`daemon`, `Daemonize::start`) and hand-written daemonizing, where
    /// every parent path has already exited, are the continuing process and are not reported.
    /// `pre_exec` closures return `Err` by design and are not reported either.
    ///
    /// ### Why is this bad?
    /// A child that escapes runs the parent's code a second time: it serves the parent's
    /// requests, forks more workers, commits the parent's transaction or writes the parent's
    /// files. `std::process::exit` runs the parent's atexit handlers and flushes stdio buffers
    /// the child inherited, so output is duplicated and shared resources torn down twice.
    ///
    /// ### Example
    /// ```rust
    /// fn spawn_worker() {
    ///     let pid = unsafe { libc::fork() };
    ///     if pid == 0 {
    ///         work();
    ///     }
    ///     supervise();
    /// }
    ///
    /// fn work() {}
    /// fn supervise() {}
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// fn spawn_worker() {
    ///     let pid = unsafe { libc::fork() };
    ///     if pid == 0 {
    ///         work();
    ///         unsafe { libc::_exit(0) };
    ///     }
    ///     supervise();
    /// }
    ///
    /// fn work() {}
    /// fn supervise() {}
    /// ```
    pub static RULE = "FL006", "child-escapes", Error, "a fork child can fall through, return or exit into code the parent also runs";
}

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    for site in cx.fork_sites() {
        // A wrapper's child returns its result on purpose: the callers' children are judged.
        if site.delegated
            || site.continues()
            || child_daemonizes(cx, site)
            || cx
                .entries
                .wrappers
                .returns_as_daemon(file.file, site.call.id)
        {
            continue;
        }
        let mut falls_off: Vec<TextRange> = Vec::new();
        let mut flow = Flow::new(cx, 0);
        for block in site.child_blocks() {
            if flow.seq(&block.nodes, 0) {
                let end = block.span.end;
                falls_off.push(TextRange::new(end.saturating_sub(1) as usize, end as usize));
            }
        }
        let escapes = flow.escapes;
        if falls_off.is_empty() && escapes.is_empty() {
            continue;
        }
        if is_fork_wrapper(cx, site, &escapes) {
            continue;
        }
        let name = site.name();
        let first_kind = escapes.first().map(|e| e.kind);
        let exit_name = escapes
            .iter()
            .find(|e| e.kind == EscapeKind::ProcessExit)
            .map_or(cx.vocab.default_process_exit(), |e| e.what.as_str());
        let (message, help) = if !falls_off.is_empty() {
            (
                format!("the child of `{name}` can fall through into the parent's code"),
                "end the child with `libc::_exit` (or an `exec*` call)",
            )
        } else {
            match first_kind {
                Some(EscapeKind::Return) | Some(EscapeKind::Try) => (
                    format!("the child of `{name}` can return into the caller"),
                    "handle errors inside the child and end it with `libc::_exit`",
                ),
                Some(EscapeKind::Break) => (
                    format!("the child of `{name}` can continue the parent's loop"),
                    "end the child with `libc::_exit` instead of leaving the loop body",
                ),
                _ => (
                    format!("the child of `{name}` ends with `{exit_name}`"),
                    "use `libc::_exit` (or `nix::unistd::_exit`) to leave a fork child",
                ),
            }
        };
        let mut diag = Diagnostic::new(&RULE, file.file, site.call.span, message)
            .primary_label("fork happens here");
        if let Some((f, span, label)) = site.wrapper_label(cx) {
            diag = diag.label(f, span, label);
        }
        for span in &falls_off {
            diag = diag.label(file.file, *span, "the child falls through here");
        }
        for escape in &escapes {
            let label = match (escape.kind, &escape.through) {
                (EscapeKind::Return, _) => "the child returns to the caller here".to_string(),
                (EscapeKind::Try, _) => "on error the child returns to the caller here".to_string(),
                (EscapeKind::Break, _) => "the child leaves its branch here".to_string(),
                (EscapeKind::ProcessExit, None) => {
                    "runs the parent's atexit handlers and flushes inherited buffers".to_string()
                }
                (EscapeKind::ProcessExit, Some((through, _, _))) => format!(
                    "`{through}` ends the child with `{}`, which runs the parent's atexit handlers",
                    escape.what
                ),
            };
            diag = diag.label(file.file, escape.span, label);
            if let Some((through, exit_file, exit_span)) = &escape.through {
                diag = diag.label(
                    *exit_file,
                    *exit_span,
                    format!("`{through}` calls `{}` here", escape.what),
                );
            }
        }
        for (span, label) in after_failed_exec(cx, site, &escapes, &falls_off) {
            diag = diag.label(file.file, span, label);
        }
        out.push(diag.help(help).note(
            "a fork child shares the parent's code after the fork: it must end in `exec*` or `_exit`",
        ));
    }
}

/// Where the child goes when its `exec*` call fails (the call returns its error): escapes and
/// ends of branches that only a failed exec reaches, each labelled with the exec's name.
fn after_failed_exec(
    cx: &RuleContext<'_>,
    site: &ForkSite<'_>,
    known: &[Escape],
    falls_off: &[TextRange],
) -> Vec<(TextRange, String)> {
    let mut out = Vec::new();
    let mut flow = Flow::with_failing_exec(cx);
    for block in site.child_blocks() {
        flow.failed_exec = None;
        let end = block.span.end;
        let end = TextRange::new(end.saturating_sub(1) as usize, end as usize);
        if flow.seq(&block.nodes, 0) && !falls_off.contains(&end) {
            if let Some(exec) = &flow.failed_exec {
                out.push((
                    end,
                    format!("if `{exec}` fails, the child leaves its branch here"),
                ));
            }
        }
    }
    for escape in &flow.escapes {
        let Some(exec) = &escape.after_exec else {
            continue;
        };
        if known.iter().any(|k| k.span == escape.span) {
            continue;
        }
        let what = match escape.kind {
            EscapeKind::Return | EscapeKind::Try => "returns the error to the caller",
            EscapeKind::Break => "leaves its branch",
            EscapeKind::ProcessExit => "runs the parent's atexit handlers",
        };
        out.push((escape.span, format!("if `{exec}` fails, the child {what} here")));
    }
    out
}

/// A fork wrapper (`fn fork() -> Result<Fork>`): the child does nothing but hand "you are the
/// child" back to the caller (`0 => Ok(Fork::Child)`), which owns the child from there.
fn is_fork_wrapper(cx: &RuleContext<'_>, site: &ForkSite<'_>, escapes: &[Escape]) -> bool {
    let item = enclosing_item(cx.file, site.body);
    item.name != "main"
        && escapes.iter().all(|e| e.kind == EscapeKind::Return)
        && site
            .child_blocks()
            .iter()
            .all(|b| first_unsafe_op(cx, &b.nodes).is_none())
}

/// The child calls a daemon-style fork itself: from there on it is the daemon, the continuing
/// process (`Fork::Child => if let Ok(Fork::Child) = daemon(..) { .. }`).
fn child_daemonizes(cx: &RuleContext<'_>, site: &ForkSite<'_>) -> bool {
    let mut found = false;
    for block in site.child_blocks() {
        walk_inline(cx.file, &block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                found |= fork_entry(cx, call).is_some_and(|e| e.is(Kind::Daemon))
                    || cx.entries.wrappers.is_daemon_call(cx, call);
            }
        });
    }
    found
}
