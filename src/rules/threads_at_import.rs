//! FL009 threads-at-import: in an extension module, a thread, runtime or pool starts in code
//! that runs when the host imports the module.

use crate::analysis::extension;
use crate::analysis::roles::is_test_code;
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::ir::{visit, Node};
use crate::rules::RuleContext;

declare_rule! {
    /// ### What it does
    /// In an extension module (see FL008 and docs/extensions.md), finds a thread, runtime or
    /// pool start reachable through crate-local calls from code that runs when the host loads
    /// the module: a function-style `#[pymodule] fn`, a `#[pymodule_init]`, `#[magnus::init]` or
    /// a `#[ctor]`, including the initializer of a lazy static first used there
    /// (`get_or_init`, `LazyLock::force`, a deref). Quiet in a crate that registers a fork
    /// handler (`pthread_atfork` with a child handler, `os.register_at_fork`): its author planned
    /// for the fork. Test code is never reported.
    ///
    /// ### Why is this bad?
    /// A pre-fork server (gunicorn `--preload`, Celery prefork, uWSGI without `lazy-apps`,
    /// `multiprocessing` with the fork start method) imports the module in its master, so the
    /// threads start before the fork. Every worker then inherits a process that was
    /// multi-threaded at the fork: the pool's queues and locks are copied mid-use, its workers
    /// are gone, and the first job submitted in a worker waits forever (gam#3189, turbovec#147).
    /// CPython only warns about it, and only for threads alive at the fork.
    ///
    /// ### Example
    /// ```rust
    /// use pyo3::prelude::*;
    ///
    /// #[pymodule]
    /// fn ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ///     let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    ///     m.add("threads", pool.current_num_threads())
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// use pyo3::prelude::*;
    ///
    /// // Start the pool lazily on first use, after the fork, behind a pid check.
    /// #[pymodule]
    /// fn ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ///     m.add("threads", 4)
    /// }
    /// ```
    pub static RULE = "FL009", "threads-at-import", Error, "a thread, runtime or pool starts when the host imports the module";
}

const HELP: &str = "start it lazily on first use, after the fork, behind a pid check";
const NOTE: &str = "a pre-fork server (gunicorn `--preload`, Celery prefork, uWSGI without `lazy-apps`, `multiprocessing` with the fork start method; Puma or Unicorn with `preload_app`) imports the module before it forks its workers";

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let facts = cx.extension();
    if !facts.unguarded() {
        return;
    }
    let file = cx.file;
    let mut seen = Vec::new();
    for (id, body) in file.items() {
        if !extension::is_import_entry(file, id) || is_test_code(cx, body.span) {
            continue;
        }
        let entry = format!("`{}` runs when the host imports the module", body.name);
        if let Some(start) = extension::owner_start(cx, id, false) {
            if !seen.contains(&start.span) {
                seen.push(start.span);
                let mut diag = Diagnostic::new(
                    &RULE,
                    file.file,
                    start.span,
                    format!("`{}` starts threads when the host imports the module", start.name),
                )
                .primary_label("the threads start before a pre-fork server forks its workers")
                .label(file.file, body.span, entry.clone());
                for step in &start.via {
                    if step.span != start.span {
                        diag = diag.label(step.file, step.span, step.what.clone());
                    }
                }
                out.push(diag.help(HELP).note(NOTE));
            }
        }
        // A lazy static first used here: its initializer runs at import.
        for inline in crate::model::summary::inline_bodies(file, id) {
            visit::walk(&file.body(inline).block.nodes, &mut |node| {
                let Node::PathRef(p) = node else { return true };
                let Some(item) = file.statics.iter().find(|s| s.path == p.path && s.lazy) else {
                    return true;
                };
                let Some(init) = item.init else { return true };
                if let Some(start) = extension::owner_start(cx, init, false) {
                    if !seen.contains(&p.span) {
                        seen.push(p.span);
                        let short = p.path.rsplit("::").next().unwrap_or(&p.path);
                        out.push(
                            Diagnostic::new(
                                &RULE,
                                file.file,
                                p.span,
                                format!(
                                    "first use of `{short}` starts threads when the host imports the module"
                                ),
                            )
                            .primary_label("its initializer runs here, before the fork")
                            .label(file.file, start.span, format!("`{}` starts here", start.name))
                            .label(file.file, body.span, entry.clone())
                            .help(HELP)
                            .note(NOTE),
                        );
                    }
                }
                true
            });
        }
    }
}
