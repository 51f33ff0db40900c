//! FL010 fork-recovery-drops-runtime: on a fork-recovery path of an extension module, the
//! inherited runtime or pool is dropped instead of leaked.

use crate::analysis::extension::recovery_drops;
use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::rules::RuleContext;

declare_rule! {
    /// ### What it does
    /// In an extension module (see FL008 and docs/extensions.md), finds the inherited runtime,
    /// pool or a value owning one dropped on a fork-recovery path: a `pthread_atfork` child
    /// handler, or the branch where a pid check finds another pid (`if pid !=
    /// std::process::id() { .. }`, the `else` of an `==` test, the `match` arm guarded by
    /// `pid != getpid()` or the arm after one guarded by `pid == getpid()`). A drop is `drop(x)`
    /// of a local built as a runtime or pool, `shutdown_timeout`, a static's value moved out with
    /// `take()`/`replace(..)` (also through a lock guard of the static, `slot.take()`) and not
    /// leaked, or an assignment through such a guard (`*slot = None` drops the old value). Quiet when the old value goes to `std::mem::forget`, `Box::leak`,
    /// `Box::into_raw` or `ManuallyDrop::new`. A drop reported here is not also FL005.
    ///
    /// ### Why is this bad?
    /// The child inherited the runtime's memory but none of its worker threads. Dropping a tokio
    /// runtime or a rayon pool shuts it down: it signals the workers and waits for them, and may
    /// take locks that a worker held at the moment of the fork. In the child nobody answers, so
    /// the recovery code meant to make the child usable hangs it instead (lancedb#3339 leaks the
    /// old runtime for this reason).
    ///
    /// ### Example
    /// ```rust
    /// use pyo3::prelude::*;
    /// use std::sync::Mutex;
    /// use tokio::runtime::Runtime;
    ///
    /// static RT: Mutex<Option<(u32, Runtime)>> = Mutex::new(None);
    ///
    /// #[pyfunction]
    /// fn read() -> usize {
    ///     let mut slot = RT.lock().unwrap();
    ///     if let Some((pid, _)) = slot.as_ref() {
    ///         if *pid != std::process::id() {
    ///             RT.lock().unwrap().take();
    ///         }
    ///     }
    ///     1
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
    /// use std::sync::Mutex;
    /// use tokio::runtime::Runtime;
    ///
    /// static RT: Mutex<Option<(u32, Runtime)>> = Mutex::new(None);
    ///
    /// #[pyfunction]
    /// fn read() -> usize {
    ///     let mut slot = RT.lock().unwrap();
    ///     if let Some((pid, _)) = slot.as_ref() {
    ///         if *pid != std::process::id() {
    ///             std::mem::forget(RT.lock().unwrap().take());
    ///         }
    ///     }
    ///     1
    /// }
    ///
    /// #[pymodule]
    /// fn ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ///     m.add_function(wrap_pyfunction!(read, m)?)
    /// }
    /// ```
    pub static RULE = "FL010", "fork-recovery-drops-runtime", Error, "on a fork-recovery path, the inherited runtime or pool is dropped instead of leaked";
}

const HELP: &str = "leak the inherited value instead: `std::mem::forget(old)` (or `Box::leak`, `ManuallyDrop::new`), then build a new one";
const NOTE: &str = "dropping a runtime or pool waits for its worker threads, which do not exist in a forked child, and may take locks they held at the fork";

pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.extension().in_extension {
        return;
    }
    let file = cx.file.file;
    for drop in recovery_drops(cx) {
        if crate::analysis::roles::is_test_code(cx, drop.span) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                file,
                drop.span,
                format!(
                    "{} drops the inherited value on a fork-recovery path",
                    drop.what
                ),
            )
            .primary_label("waits for worker threads that do not exist in the child")
            .label(file, drop.region, drop.region_label)
            .help(HELP)
            .note(NOTE),
        );
    }
}
