//! FL005 unsafe-call-in-child: non-async-signal-safe code in the child of a multi-threaded fork
//! or anywhere in a `pre_exec` closure.

use std::collections::BTreeSet;

use crate::analysis::flow::local_fn;
use crate::analysis::signal_safety::{classify_op, walk_inline, Op};
use crate::base::diagnostic::Diagnostic;
use crate::base::source::{FileId, TextRange};
use crate::declare_rule;
use crate::ir::{BodyId, FileModel, Role};
use crate::rules::notes::{ATFORK_NOTE, NIX_FORK_NOTE, PRE_EXEC_NOTE};
use crate::rules::util::near;
use crate::rules::RuleContext;

declare_rule! {
    /// ### What it does
    /// Finds code that is not async-signal-safe written in the child branch of a fork made
    /// while other threads may run, and anywhere in a `CommandExt::pre_exec` (or `before_exec`)
    /// closure or a `pthread_atfork` child handler (the third argument, registered in the file
    /// that defines it; the prepare and parent handlers run in the parent), including through
    /// crate-local functions it calls: heap allocation (`format!`,
    /// `to_string`, `collect`, `vec!`, `Box::new`, `CString::new`, `io::Error::new`), panicking
    /// paths (`unwrap`, `expect`, `panic!`), non-AS-safe libc calls, thread or runtime use,
    /// `std::fs` (and `fs_err`), `std::process::Command`, and the `std::env` functions that take
    /// no lock but allocate (`current_dir`, `current_exe`, `args`, `set_current_dir`,
    /// `join_paths`, `split_paths`). Taking a lock is FL004 in a fork child; inside `pre_exec`
    /// everything is reported here. Only what the vocabulary knows to be unsafe is reported; a
    /// callee forklint cannot see into is named in FL001's label as "not known to be
    /// async-signal-safe".
    ///
    /// ### Why is this bad?
    /// Between `fork` and `exec` the child of a multi-threaded process may hold copies of locks
    /// whose owners are gone: the allocator's, stdio's, the panic machinery's. Allocating or
    /// panicking there can deadlock the child forever. std documents that a `pre_exec` closure
    /// must be async-signal-safe: it runs in exactly that window.
    ///
    /// ### Example
    /// ```rust
    /// use std::os::unix::process::CommandExt;
    /// use std::process::Command;
    ///
    /// fn launch() -> std::io::Result<std::process::Child> {
    ///     let mut cmd = Command::new("worker");
    ///     unsafe {
    ///         cmd.pre_exec(|| {
    ///             let dir = std::ffi::CString::new("/srv").unwrap();
    ///             libc::chdir(dir.as_ptr());
    ///             Ok(())
    ///         });
    ///     }
    ///     cmd.spawn()
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// use std::os::unix::process::CommandExt;
    /// use std::process::Command;
    ///
    /// fn launch() -> std::io::Result<std::process::Child> {
    ///     let dir = std::ffi::CString::new("/srv")?;
    ///     let mut cmd = Command::new("worker");
    ///     unsafe {
    ///         cmd.pre_exec(move || {
    ///             if libc::chdir(dir.as_ptr()) != 0 {
    ///                 return Err(std::io::Error::last_os_error());
    ///             }
    ///             Ok(())
    ///         });
    ///     }
    ///     cmd.spawn()
    /// }
    /// ```
    pub static RULE = "FL005", "unsafe-call-in-child", Error, "non-async-signal-safe code runs in a fork child or a pre_exec closure";
}

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    let mut reported = BTreeSet::new();
    for site in cx.fork_sites() {
        let Some(thread) = site.state.threads.first() else {
            continue;
        };
        if site.is_daemon() {
            continue;
        }
        let name = site.name();
        for block in site.child_blocks() {
            walk_inline(file, &block.nodes, &mut |node| {
                let Some((span, what, Op::Unsafe { what: does, help })) = classify_op(cx, node)
                else {
                    return;
                };
                // Every node `classify_op` accepts (a call, a macro) has an id.
                if node.id().is_some_and(|id| !reported.insert(id)) {
                    return;
                }
                let mut diag = Diagnostic::new(
                    &RULE,
                    file.file,
                    span,
                    format!("{what} {does} in the child of a multi-threaded `{name}`"),
                )
                .primary_label("not async-signal-safe");
                if near(site.call.span, span) {
                    diag = diag.label(file.file, site.call.span, "fork happens here");
                }
                if thread.file == file.file && near(thread.span, span) {
                    diag = diag.label(thread.file, thread.span, thread.label.clone());
                }
                let help = help.unwrap_or_else(|| {
                    "prepare everything before the fork; in the child call only async-signal-safe functions, then `exec` or `libc::_exit`".to_string()
                });
                out.push(diag.help(help).note(NIX_FORK_NOTE));
            });
        }
    }
    let handlers = crate::analysis::extension::atfork_child_handlers(cx);
    // A drop of the inherited runtime there is FL010's finding, not also this rule's.
    if !handlers.is_empty() && cx.extension().in_extension {
        reported.extend(
            crate::analysis::extension::recovery_drops(cx)
                .into_iter()
                .map(|d| d.node),
        );
    }
    for (id, body) in file.bodies.iter() {
        let atfork = handlers.contains(&id);
        if body.role != Role::PreExec && !atfork {
            continue;
        }
        let (region, runs, region_label, region_help, note) = if atfork {
            (
                "a `pthread_atfork` child handler",
                "runs in the child of a possibly multi-threaded fork",
                "registered as a `pthread_atfork` child handler",
                "in the child handler only reset state with atomics or raw pointers (store a new generation, null an `AtomicPtr`); do the rest lazily on the next call",
                ATFORK_NOTE,
            )
        } else {
            (
                "a `pre_exec` closure",
                "runs in the child between fork and exec",
                "this closure runs in the forked child",
                "prepare everything before `spawn` and move it into the closure; call only async-signal-safe functions there",
                PRE_EXEC_NOTE,
            )
        };
        walk_inline(file, &body.block.nodes, &mut |node| {
            let Some((span, what, op)) = classify_op(cx, node) else {
                return;
            };
            let (does, help, inside) = match op {
                Op::Lock => ("takes a lock", None, None),
                Op::ProcessExit => (
                    "runs atexit handlers",
                    Some("return an error from the closure, or call `libc::_exit`".to_string()),
                    None,
                ),
                Op::Unsafe { what, help } => (what, help, None),
                Op::Local => {
                    let Some(call) = node.as_call() else { return };
                    let Some(found) = unsafe_inside(cx, &call.callee, 0, &mut Vec::new()) else {
                        return;
                    };
                    ("is not async-signal-safe", None, Some(found))
                }
                Op::Quiet => return,
            };
            if node.id().is_some_and(|id| !reported.insert(id)) {
                return;
            }
            let mut diag = Diagnostic::new(
                &RULE,
                file.file,
                span,
                format!("{what} {does} in {region}"),
            )
            .primary_label(runs);
            if let Some((inner_file, inner_span, inner)) = inside {
                diag = diag.label(inner_file, inner_span, inner);
            }
            if near(body.span, span) {
                diag = diag.label(file.file, body.span, region_label);
            }
            let help = help.unwrap_or_else(|| region_help.to_string());
            out.push(diag.help(help).note(note));
        });
    }
}

/// The first non-AS-safe operation inside a crate-local function (followed a few levels deep).
fn unsafe_inside(
    cx: &RuleContext<'_>,
    callee: &crate::ir::Callee,
    depth: u32,
    seen: &mut Vec<(FileId, BodyId)>,
) -> Option<(FileId, TextRange, String)> {
    if depth > 3 {
        return None;
    }
    let (file, id): (&FileModel, BodyId) = local_fn(cx, callee)?;
    if seen.contains(&(file.file, id)) {
        return None;
    }
    seen.push((file.file, id));
    let body = file.body(id);
    let fn_name = body.name.clone();
    let mut found = None;
    walk_inline(file, &body.block.nodes, &mut |node| {
        if found.is_some() {
            return;
        }
        let Some((span, what, op)) = classify_op(cx, node) else {
            return;
        };
        found = match op {
            Op::Lock => Some((
                file.file,
                span,
                format!("{what} takes a lock inside `{fn_name}`"),
            )),
            Op::ProcessExit => Some((
                file.file,
                span,
                format!("{what} runs atexit handlers inside `{fn_name}`"),
            )),
            Op::Unsafe { what: does, .. } => {
                Some((file.file, span, format!("{what} {does} inside `{fn_name}`")))
            }
            Op::Local => node
                .as_call()
                .and_then(|call| unsafe_inside(cx, &call.callee, depth + 1, seen)),
            Op::Quiet => None,
        };
    });
    found
}
