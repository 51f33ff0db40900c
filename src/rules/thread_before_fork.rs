//! FL001 thread-before-fork: the process may be multi-threaded at a fork whose child is not
//! fork-exec clean.

use crate::analysis::contexts::call_at;
use crate::analysis::fork::ChildRegion;
use crate::analysis::signal_safety::{first_unsafe_in_child, fork_exec_clean};
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::model::summary::Fact;
use crate::rules::notes::NIX_FORK_NOTE;
use crate::rules::util::witness_labels;
use crate::rules::RuleContext;

declare_rule! {
    /// ### What it does
    /// Finds `fork`-family calls (`libc::fork`, `nix::unistd::fork`, `fork::fork`, `daemon`,
    /// `Daemonize::start`, ...) made while another thread may be running: a thread spawned
    /// earlier on some path and not joined on every path, rayon's global pool, a multi-threaded
    /// Tokio runtime (`#[tokio::main]`, `Runtime::new`), a thread-spawning lazy static used
    /// before the fork, a `#[ctor]` that spawns, or a `#[test]` body (libtest's worker threads).
    /// A fork in a helper is judged with what holds where it is called: `main` spawning a
    /// listener and then calling the function that forks is the same hazard (docs/contexts.md,
    /// "Context across calls").
    /// A child that only calls async-signal-safe functions on data prepared before the fork and
    /// then `exec`s or `_exit`s is fine and not reported.
    ///
    /// ### Why is this bad?
    /// `fork` copies only the calling thread. Every lock another thread held at that moment
    /// (the allocator's, stdout's, the logger's, your own `Mutex`) stays locked forever in the
    /// child, so the child deadlocks or corrupts state as soon as it allocates, prints or logs.
    /// POSIX allows only async-signal-safe calls in the child of a multi-threaded process.
    ///
    /// ### Example
    /// ```rust
    /// fn main() {
    ///     let _metrics = std::thread::spawn(|| loop {
    ///         std::thread::sleep(std::time::Duration::from_secs(10));
    ///     });
    ///     let pid = unsafe { libc::fork() };
    ///     if pid == 0 {
    ///         let name = format!("worker-{}", 1);
    ///         run(&name);
    ///         unsafe { libc::_exit(0) };
    ///     }
    /// }
    ///
    /// fn run(_name: &str) {}
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// fn main() {
    ///     let pid = unsafe { libc::fork() };
    ///     if pid == 0 {
    ///         let name = format!("worker-{}", 1);
    ///         run(&name);
    ///         unsafe { libc::_exit(0) };
    ///     }
    ///     let _metrics = std::thread::spawn(|| loop {
    ///         std::thread::sleep(std::time::Duration::from_secs(10));
    ///     });
    /// }
    ///
    /// fn run(_name: &str) {}
    /// ```
    pub static RULE = "FL001", "thread-before-fork", Error, "the process may be multi-threaded at a fork whose child is not fork-exec clean";
}

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    for site in cx.fork_sites().iter().filter(|s| !s.delegated) {
        let Some(thread) = site.state.threads.first() else {
            continue;
        };
        if matches!(site.child, ChildRegion::Unknown) || fork_exec_clean(cx, site) {
            continue;
        }
        let name = site.name();
        let message = if site.is_daemon() {
            format!("`{name}` daemonizes while other threads may be running")
        } else {
            format!("`{name}` forks while other threads may be running")
        };
        let primary = if site.is_daemon() {
            "the daemonized child keeps only this thread"
        } else {
            "the child keeps only this thread"
        };
        let mut diag = Diagnostic::new(&RULE, file.file, site.call.span, message)
            .primary_label(primary)
            .label(thread.file, thread.span, thread.label.clone());
        if let Some((f, span, label)) = site.wrapper_label(cx) {
            diag = diag.label(f, span, label);
        }
        // A thread running on entry: the calls from where it started down to this function.
        for step in &thread.via {
            diag = diag.label(step.file, step.span, step.label.clone());
        }
        if let Some(call) = (thread.file == file.file)
            .then(|| call_at(file, thread.span))
            .flatten()
        {
            for (f, span, what) in witness_labels(cx, call, Fact::SpawnsThread) {
                diag = diag.label(f, span, what);
            }
        }
        if let Some((span, what)) = first_unsafe_in_child(cx, site) {
            diag = diag.label(file.file, span, format!("in the child: {what}"));
        }
        let help = if site.is_daemon() {
            "daemonize before starting threads".to_string()
        } else if site.state.threads.iter().all(|t| t.joinable) {
            "join the thread before forking, or fork before starting threads".to_string()
        } else {
            "fork before starting threads, or start the child with `std::process::Command` or `posix_spawn`".to_string()
        };
        out.push(diag.help(help).note(NIX_FORK_NOTE));
    }
}
