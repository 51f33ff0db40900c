//! FL008 fork-unsafe-global: in an extension module, a thread owner kept in a process-wide static
//! with no fork guard, or a global runtime or pool used from an entry point.

use crate::analysis::extension::{self, OwnerStart};
use crate::analysis::roles::is_test_code;
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::ir::{visit, Node};
use crate::model::FnRef;
use crate::model::summary::display_callee;
use crate::rules::RuleContext;
use crate::vocab::Category;

declare_rule! {
    /// ### What it does
    /// In an extension module (a `cdylib` depending on PyO3, `pyo3-ffi`, magnus or rb-sys, a
    /// crate with a `#[pymodule]`, a maturin project, or a lib crate such a module depends on;
    /// see docs/extensions.md), finds the initializer of a process-wide static
    /// (`OnceLock::get_or_init`, `LazyLock::new`, once_cell `Lazy`, `lazy_static!`, `GILOnceCell`,
    /// a `.set(..)` on a static) that builds a thread owner: a multi-thread tokio runtime, a
    /// rayon `ThreadPoolBuilder::build()`, a spawned thread, a `reqwest::blocking::Client`,
    /// directly or through crate-local calls. It also finds, once per file at its first use,
    /// code reachable from an entry point (`#[pyfunction]`, `#[pymethods]`, `#[pymodule]`, a magnus
    /// `function!`, ...) that uses a global runtime or pool it cannot replace:
    /// `pyo3_async_runtimes::tokio::{get_runtime, future_into_py}`, rayon's global pool
    /// (`par_iter` and friends, `rayon::join`/`spawn`/`scope`, `build_global`); a parallel
    /// iterator inside a crate pool's `install` is not a use of the global pool.
    ///
    /// Quiet when guarded. A pid check: the function that reads the static compares a pid it
    /// reads (`std::process::id()`, `libc::getpid()`, `nix::unistd::getpid()`,
    /// `rustix::process::getpid()`, or a crate-local helper returning one) with `==`/`!=`, in an
    /// `if`, a `match` arm's guard or through a local; a check that panics counts, a pid read
    /// only for a message does not. A fork handler: a `libc::pthread_atfork` child handler that
    /// resets the static, or something the accessor tests in a condition (a "forked" flag, a
    /// generation), also through crate-local calls; a handler forklint cannot see into
    /// (Python's `os.register_at_fork` called through PyO3) guards every static, and any fork
    /// handler quiets the global-pool clause (the crate cannot replace that pool, so the handler
    /// is its author's plan for it). Test code is never reported.
    ///
    /// ### Why is this bad?
    /// Python servers import extensions in a master process and then fork workers: gunicorn
    /// `--preload`, Celery prefork, uWSGI without `lazy-apps`, `multiprocessing` with the fork
    /// start method. The static is copied into every worker, but the threads that serve it are
    /// not: the first call in a worker waits for a runtime or pool whose workers do not exist,
    /// and hangs (delta-rs#2744, iceberg-rust#1396, opendal#5330, lancedb#3339). Tokio documents
    /// that a runtime cannot be used across a fork.
    ///
    /// ### Example
    /// ```rust
    /// use pyo3::prelude::*;
    /// use std::sync::OnceLock;
    /// use tokio::runtime::Runtime;
    ///
    /// fn rt() -> &'static Runtime {
    ///     static RT: OnceLock<Runtime> = OnceLock::new();
    ///     RT.get_or_init(|| Runtime::new().unwrap())
    /// }
    ///
    /// #[pyfunction]
    /// fn read(path: String) -> usize {
    ///     rt().block_on(async { path.len() })
    /// }
    ///
    /// #[pymodule]
    /// fn ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ///     m.add_function(wrap_pyfunction!(read, m)?)
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// use pyo3::prelude::*;
    /// use std::sync::OnceLock;
    /// use tokio::runtime::Runtime;
    ///
    /// // Record the pid with the runtime; in a forked child, refuse (or build a new runtime and
    /// // leak the inherited one: dropping it would join threads that do not exist there).
    /// fn rt() -> PyResult<&'static Runtime> {
    ///     static RT: OnceLock<(u32, Runtime)> = OnceLock::new();
    ///     let (pid, rt) = RT.get_or_init(|| (std::process::id(), Runtime::new().unwrap()));
    ///     if *pid != std::process::id() {
    ///         return Err(pyo3::exceptions::PyRuntimeError::new_err("forked: use the spawn start method"));
    ///     }
    ///     Ok(rt)
    /// }
    ///
    /// #[pyfunction]
    /// fn read(path: String) -> PyResult<usize> {
    ///     Ok(rt()?.block_on(async { path.len() }))
    /// }
    ///
    /// #[pymodule]
    /// fn ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ///     m.add_function(wrap_pyfunction!(read, m)?)
    /// }
    /// ```
    pub static RULE = "FL008", "fork-unsafe-global", Error, "a thread-owning value is kept in a process-wide static with no fork guard";
}

const HELP: &str = "record `std::process::id()` with the value and, in a forked child, raise a Python or Ruby exception (or rebuild it and leak the old one with `std::mem::forget`), or reset it from a `pthread_atfork` child handler";
const GLOBAL_HELP: &str = "keep the runtime or pool in a static of this crate behind a pid check (rebuild it in a forked child, leaking the old one), or reset it from a `pthread_atfork` child handler";
const NOTE: &str = "a pre-fork server (gunicorn `--preload`, Celery prefork, uWSGI without `lazy-apps`, `multiprocessing` with the fork start method; Puma or Unicorn with `preload_app`) imports the module, then forks: the static is copied into every worker, its threads are not";

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let facts = cx.extension();
    if !facts.in_extension {
        return;
    }
    let file = cx.file;
    let mut seen = Vec::new();
    // Initializers run by a call on the static (`RT.get_or_init(|| ..)`).
    for init in extension::static_init_calls(cx) {
        let Some(start) = extension::owner_start(cx, init.closure, true) else {
            continue;
        };
        let accessor = extension::enclosing_fn(file, init.body).map(|body| FnRef {
            file: file.file,
            body,
        });
        if extension::pid_checked(cx, init.body)
            || facts.handler_guards(cx, &init.static_path, accessor)
            || seen.contains(&start.span)
        {
            continue;
        }
        // Only code the host can run: an accessor no entry point reaches (test utilities behind
        // a feature, benchmarks' helpers) is never called in a forked worker.
        let Some(entry) = facts.entry_reaching(file, init.body) else {
            continue;
        };
        seen.push(start.span);
        out.push(static_finding(cx, &init.static_path, init.call.span, &start, Some(entry)));
    }
    // Initializers declared with the static (`LazyLock::new(|| ..)`, `lazy_static!`).
    for item in &file.statics {
        let Some(init) = item.init.filter(|_| item.lazy) else {
            continue;
        };
        if is_test_code(cx, item.span) {
            continue;
        }
        let Some(start) = extension::owner_start(cx, init, true) else {
            continue;
        };
        let handler_guards = || {
            facts.handler_guards(cx, &item.path, None)
                || extension::static_users(cx, &item.path).any(|body| {
                    let user = FnRef {
                        file: file.file,
                        body,
                    };
                    facts.handler_guards(cx, &item.path, Some(user))
                })
        };
        if extension::static_pid_checked(cx, &item.path)
            || handler_guards()
            || seen.contains(&start.span)
        {
            continue;
        }
        let Some(entry) = facts.user_reached(cx.model, &item.path) else {
            continue;
        };
        seen.push(start.span);
        out.push(static_finding(cx, &item.path, item.span, &start, Some(&entry)));
    }
    // A fork handler is the author's plan for the global pool, which the crate cannot replace
    // (tokenizers turns its parallelism off in the child; turbovec pins a one-thread pool).
    if facts.fork_handler.is_none() {
        global_pool_use(cx, out);
    }
}

fn static_finding(
    cx: &RuleContext<'_>,
    path: &str,
    at: crate::base::source::TextRange,
    start: &OwnerStart,
    entry: Option<&(crate::base::source::FileId, crate::base::source::TextRange, String)>,
) -> Diagnostic {
    let file = cx.file.file;
    let short = path.rsplit("::").next().unwrap_or(path);
    let mut diag = Diagnostic::new(
        &RULE,
        file,
        start.span,
        format!(
            "`{}` builds a thread owner kept in the static `{short}` with no fork guard",
            start.name
        ),
    )
    .primary_label("its threads do not exist in a forked worker");
    let decl = extension::static_span(cx, path).unwrap_or(at);
    diag = diag.label(file, decl, format!("`{short}` is shared by every forked worker"));
    for step in &start.via {
        if step.span != start.span {
            diag = diag.label(step.file, step.span, step.what.clone());
        }
    }
    if let Some((f, span, name)) = entry {
        diag = diag.label(*f, *span, format!("reached from the entry point `{name}`"));
    }
    diag.help(HELP).note(NOTE)
}

/// The first use in the file of a global runtime or pool, in code an entry point reaches.
fn global_pool_use(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = cx.file;
    let facts = cx.extension();
    let mut first: Option<(&crate::ir::Call, &(crate::base::source::FileId, crate::base::source::TextRange, String))> = None;
    for (id, body) in file.bodies.iter() {
        let Some(entry) = facts.entry_reaching(file, id) else {
            continue;
        };
        if is_test_code(cx, body.span) || extension::in_pool_install(cx, id) {
            continue;
        }
        visit::walk(&body.block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                if cx.vocab.call(Category::GlobalPool, &call.callee).is_some()
                    && first.is_none_or(|(c, _)| call.span.start < c.span.start)
                {
                    first = Some((call, entry));
                }
            }
            true
        });
    }
    let Some((call, (f, span, name))) = first else {
        return;
    };
    let callee = display_callee(&call.callee);
    out.push(
        Diagnostic::new(
            &RULE,
            file.file,
            call.span,
            format!("`{callee}` uses a global runtime or pool that cannot be rebuilt after a fork"),
        )
        .primary_label("its threads do not exist in a forked worker")
        .label(*f, *span, format!("reached from the entry point `{name}`"))
        .help(GLOBAL_HELP)
        .note(NOTE),
    );
}
