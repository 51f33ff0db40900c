//! FL004 lock-across-fork: a lock guard is live at a fork, or a lock is taken in the child of a
//! possibly multi-threaded fork.

use std::collections::BTreeSet;

use crate::analysis::flow::{EscapeKind, Flow};
use crate::analysis::fork::{ChildRegion, ForkSite};
use crate::analysis::interp::Guard;
use crate::analysis::signal_safety::{short, walk_inline};
use crate::base::diagnostic::Diagnostic;
use crate::base::source::TextRange;
use crate::ir::{Callee, Receiver};
use crate::model::summary::Fact;
use crate::declare_rule;
use crate::rules::notes::NIX_FORK_NOTE;
use crate::rules::util::{call_name, near};
use crate::rules::RuleContext;
use crate::vocab::Category;

declare_rule! {
    /// ### What it does
    /// Reports (a) a fork-family call made while a lock guard is alive (`let g = m.lock()` not
    /// yet dropped), even in a single-threaded program, when the child could take that lock: the
    /// child is not known (the fork result is not branched on here, a daemon, a wrapper handing
    /// the child back), can fall through or return into code the parent also runs, takes a lock
    /// on the same root (static, local or field), or calls a crate-local function that takes a
    /// lock. A child that ends the process on every path without any of these is quiet (nix's
    /// tests fork holding a test-serialisation mutex the child never takes); and (b) in the child branch of a fork
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
    ///         let value = *STATE.lock().unwrap();
    ///         unsafe { libc::_exit(value as i32) };
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
        // Only the guards whose lock the child could take (docs/rules/FL004, "What stays quiet").
        let held: Vec<(&Guard, Vec<(TextRange, String)>)> = site
            .state
            .guards
            .iter()
            .filter_map(|g| child_may_take(cx, site, g).map(|labels| (g, labels)))
            .collect();
        if let Some((guard, takes)) = held.first() {
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
            for (span, label) in takes {
                diag = diag.label(file.file, *span, label.clone());
            }
            for (other, _) in held.iter().skip(1) {
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

// ------------------------------------------------------------------------------------------
// Whether the child could take a held guard's lock.

/// The labels of a guard worth reporting: `None` when the child is known, ends the process on
/// every path and takes no lock that could be the guard's (the guard is then never waited on);
/// otherwise where the child takes the same lock, or calls a crate-local function that locks.
fn child_may_take(
    cx: &RuleContext<'_>,
    site: &ForkSite<'_>,
    guard: &Guard,
) -> Option<Vec<(TextRange, String)>> {
    let mut labels = Vec::new();
    // An unknown child, a daemon, a child continuing after the test, a wrapper handing the
    // child back to its caller: the child runs code this function cannot see.
    let ChildRegion::Branches { blocks, rest: None } = &site.child else {
        return Some(labels);
    };
    if site.delegated || blocks.is_empty() {
        return Some(labels);
    }
    let mut flow = Flow::new(cx, 0);
    let mut escapes = false;
    for block in blocks {
        escapes |= flow.seq(&block.nodes, 0);
    }
    escapes |= flow
        .escapes
        .iter()
        .any(|e| e.kind != EscapeKind::ProcessExit);
    let root = Root::of_guard(guard);
    let file = cx.file;
    let mut keep = escapes;
    for block in blocks {
        walk_inline(file, &block.nodes, &mut |node| {
            // A std lock (stdout, a logger) is a user's guard only when the guard's lock is
            // built by an expression (`io::stdout().lock()`).
            if let Some(m) = node.as_macro() {
                if root == Root::Unknown && cx.vocab.macro_call(Category::Lock, &m.path).is_some()
                {
                    keep = true;
                }
                return;
            }
            if let Some(call) = node.as_call() {
                let lock = match &call.callee {
                    Callee::Method { name, receiver } => {
                        // By name too: a foreign static's type is known only crate-wide.
                        cx.vocab
                            .has_method_name(Category::Lock, name)
                            .then(|| Root::of_receiver(receiver))
                    }
                    Callee::Path(_) => cx
                        .vocab
                        .call(Category::Lock, &call.callee)
                        .map(|_| Root::Other),
                    Callee::Unknown(_) => None,
                };
                if let Some(other) = lock {
                    match root.compare(&other, !guard.via.is_empty()) {
                        Same::Yes => {
                            keep = true;
                            labels.push((call.span, "the child takes the same lock here".into()));
                        }
                        Same::Maybe => keep = true,
                        Same::No => {}
                    }
                    return;
                }
                if let Some((_, summary)) = cx.model.callee_summary(file, call) {
                    if summary.get(Fact::Locks).is_some() {
                        keep = true;
                        labels.push((
                            call.span,
                            format!(
                                "calls `{}`, which takes a lock (maybe this one)",
                                call_name(&call.callee)
                            ),
                        ));
                    }
                }
            }
        });
    }
    keep.then_some(labels)
}

/// What a lock is, as far as its receiver tells: a static or local name and a field of it.
#[derive(Debug, PartialEq, Eq)]
enum Root {
    Named { base: String, field: Option<String> },
    /// A lock std takes inside a function (`env::var`): never a user's guard.
    Other,
    /// A receiver built by an expression (`self.get().lock()`): any lock may be it.
    Unknown,
}

/// How a lock taken in the child relates to the held guard's.
enum Same {
    Yes,
    Maybe,
    No,
}

impl Root {
    /// From the guard's receiver text (`crate::FORK_MTX`, `self.state`, `data`).
    fn of_guard(guard: &Guard) -> Root {
        let mut parts = guard.lock_name.split('.');
        let base = parts.next().unwrap_or_default();
        let base = base.rsplit("::").next().unwrap_or(base);
        let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !ident(base) {
            return Root::Unknown;
        }
        // The fields after it while they are plain names (`inner.db` of `state.inner.db`), as
        // `Receiver::field` spells a lock's receiver.
        let fields: Vec<&str> = parts.take_while(|f| ident(f)).collect();
        let field = (!fields.is_empty()).then(|| fields.join("."));
        Root::Named {
            base: base.to_string(),
            field,
        }
    }

    fn of_receiver(receiver: &Receiver) -> Root {
        let base = receiver
            .local
            .as_deref()
            .or(receiver.path.as_deref().map(|p| p.rsplit("::").next().unwrap_or(p)));
        match base {
            Some(base) => Root::Named {
                base: base.to_string(),
                field: receiver.field.clone(),
            },
            None => Root::Unknown,
        }
    }

    /// `entry`: the guard is a caller's, whose locals and fields the child may name differently.
    fn compare(&self, other: &Root, entry: bool) -> Same {
        match (self, other) {
            (Root::Unknown, _) => Same::Maybe,
            (_, Root::Other) => Same::No,
            (_, Root::Unknown) => Same::Maybe,
            (Root::Other, _) => Same::No,
            (
                Root::Named { base, field },
                Root::Named {
                    base: b2,
                    field: f2,
                },
            ) => {
                let fields = match (field, f2) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                if base == b2 && fields {
                    Same::Yes
                } else if entry {
                    Same::Maybe
                } else {
                    Same::No
                }
            }
        }
    }
}
