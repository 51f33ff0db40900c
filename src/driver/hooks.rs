//! Test hooks, compiled into debug builds only: the integration tests use them to provoke
//! failures that are hard to arrange from outside (a panic in one file's analysis, a file that
//! vanishes or changes while the run goes on). Release builds have none of them.

use std::path::Path;

/// Debug builds panic while analysing a file containing this marker, so tests can check that a
/// panic in one file becomes a tool error and loses nothing else. Split so that forklint's own
/// source does not contain it.
pub const PANIC_MARKER: &str = concat!("forklint-test-", "inject-panic");

/// Panics in the analysis of a file holding [`PANIC_MARKER`].
pub fn panic_if_marked(text: &str) {
    if text.contains(PANIC_MARKER) {
        panic!("injected panic for testing");
    }
}

/// `FORKLINT_TEST_REMOVE_AFTER_DISCOVERY=path`: the file vanishes between discovery and reading.
pub fn remove_after_discovery() {
    if let Some(path) = std::env::var_os("FORKLINT_TEST_REMOVE_AFTER_DISCOVERY") {
        let _ = std::fs::remove_file(path);
    }
}

/// `FORKLINT_TEST_EDIT_AFTER_READ=path`: the file is edited right after a worker read it (while
/// the run goes on), so that reloading its text finds it changed.
pub fn edit_after_read(path: &Path) {
    if std::env::var_os("FORKLINT_TEST_EDIT_AFTER_READ")
        .and_then(|p| std::fs::canonicalize(p).ok())
        .is_some_and(|p| std::fs::canonicalize(path).ok() == Some(p))
    {
        let _ = std::fs::write(path, "// edited\n");
    }
}
