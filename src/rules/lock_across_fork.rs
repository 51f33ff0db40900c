//! FL004 lock-across-fork: a lock guard is live at a fork, or a lock is taken in the child of a
//! possibly multi-threaded fork.

use std::collections::BTreeSet;

use crate::analysis::signal_safety::{short, walk_inline};
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::rules::notes::NIX_FORK_NOTE;
use crate::rules::util::{call_name, near};
use crate::rules::RuleContext;
use crate::vocab::Category;

declare_rule! {
    /// ### What it does
    /// Reports (a) a fork-family call made while a lock guard is alive (`let g = m.lock()` not
    /// yet dropped), even in a single-threaded program; and (b) in the child branch of a fork
    /// made while other threads may run, any lock taken: `.lock()`/`.read()`/`.write()` on a
    /// lock, `println!`/`eprintln!`/`dbg!` (stdout and stderr locks), every `std::env` function
    /// that reads or writes environment variables (`var`, `var_os`, `vars`, `vars_os`,
    /// `set_var`, `remove_var`, `temp_dir`, `home_dir`: the environment lock), and
    /// `log`/`tracing` macros. `current_dir`, `current_exe`, `args` and `set_current_dir` take no
    /// lock; they allocate (FL005).
    ///
    /// ### Why is this bad?
    /// The child gets a copy of every lock in the state it had at the fork. A lock held by the
    /// forking thread stays held in the child by a guard nobody will drop at the right time;
    /// a lock held by another thread is held by a thread that does not exist in the child. The
    /// child blocks forever the first time it takes that lock.
    ///
    /// ### Example
    /// ```rust
    /// use std::sync::Mutex;
    ///
    /// static STATE: Mutex<u32> = Mutex::new(0);
    ///
    /// fn snapshot() {
    ///     let guard = STATE.lock().unwrap();
    ///     let pid = unsafe { libc::fork() };
    ///     if pid == 0 {
    ///         unsafe { libc::_exit(0) };
    ///     }
    ///     drop(guard);
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// use std::sync::Mutex;
    ///
    /// static STATE: Mutex<u32> = Mutex::new(0);
    ///
    /// fn snapshot() {
    ///     let value = *STATE.lock().unwrap();
    ///     let pid = unsafe { libc::fork() };
    ///     if pid == 0 {
    ///         unsafe { libc::_exit(value as i32) };
    ///     }
    /// }
    /// ```
    pub static RULE = "FL004", "lock-across-fork", Error, "a lock guard is live at a fork, or a lock is taken in a multi-threaded fork's child";
}

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    let mut reported = BTreeSet::new();
    for site in cx.fork_sites() {
        let name = site.name();
        if let Some(guard) = site.state.guards.first() {
            let mut diag = Diagnostic::new(
                &RULE,
                file.file,
                site.call.span,
                format!(
                    "`{name}` while the guard `{}` of `{}` is held",
                    guard.name, guard.lock_name
                ),
            )
            .primary_label("the child starts with this lock taken")
            .label(guard.file, guard.span, "guard still held");
        if let Some((f, span, label)) = site.wrapper_label(cx) {
            diag = diag.label(f, span, label);
        }
            // A guard held by a caller: the calls from its `let` down to this function.
            for step in &guard.via {
                diag = diag.label(step.file, step.span, step.label.clone());
            }
            for other in site.state.guards.iter().skip(1) {
                diag = diag.label(other.file, other.span, "guard still held");
            }
            out.push(
                diag.help(if guard.via.is_empty() {
                    format!(
                        "drop `{}` before forking (copy out what the child needs first)",
                        guard.name
                    )
                } else {
                    format!(
                        "drop `{}` before the call that leads to the fork (copy out what the child needs first)",
                        guard.name
                    )
                })
                .note("the child inherits the lock in its locked state, and the code that drops the guard runs only in the parent"),
            );
        }
        let Some(thread) = site.state.threads.first() else {
            continue;
        };
        if site.is_daemon() {
            continue;
        }
        for block in site.child_blocks() {
            walk_inline(file, &block.nodes, &mut |node| {
                let (id, span, what, help) = if let Some(call) = node.as_call() {
                    let Some(entry) = cx.vocab.call(Category::Lock, &call.callee) else {
                        return;
                    };
                    (
                        call.id,
                        call.span,
                        format!("`{}`", call_name(&call.callee)),
                        entry.help.clone(),
                    )
                } else if let Some(m) = node.as_macro() {
                    let Some(entry) = cx.vocab.macro_call(Category::Lock, &m.path) else {
                        return;
                    };
                    (
                        m.id,
                        m.span,
                        format!("`{}!`", short(&m.path)),
                        entry.help.clone(),
                    )
                } else {
                    return;
                };
                if !reported.insert(id) {
                    return;
                }
                let mut diag = Diagnostic::new(
                    &RULE,
                    file.file,
                    span,
                    format!("{what} takes a lock in the child of a multi-threaded `{name}`"),
                )
                .primary_label("may block forever: the lock's owner does not exist in the child");
                if near(site.call.span, span) {
                    diag = diag.label(file.file, site.call.span, "fork happens here");
                }
                if thread.file == file.file && near(thread.span, span) {
                    diag = diag.label(thread.file, thread.span, thread.label.clone());
                }
                let help = help.unwrap_or_else(|| {
                    "do this before the fork, or write to a raw fd with `libc::write`".to_string()
                });
                out.push(diag.help(help).note(NIX_FORK_NOTE));
            });
        }
    }
}
