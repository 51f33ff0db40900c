//! Shared helpers for the integration tests.

use std::path::{Path, PathBuf};

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether snapshots and generated files should be rewritten (`FORKLINT_BLESS=1`).
pub fn bless() -> bool {
    std::env::var_os("FORKLINT_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Compares `actual` with the file at `path`, or rewrites it when blessing.
pub fn check_snapshot(path: &Path, actual: &str) -> Result<(), String> {
    if bless() {
        std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).map_err(|_| {
        format!(
            "{}: snapshot missing (run `FORKLINT_BLESS=1 cargo test` to create it)",
            path.display()
        )
    })?;
    if expected.replace("\r\n", "\n") != actual {
        let expected = expected.replace("\r\n", "\n");
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
            .unified_diff()
            .context_radius(3)
            .header("expected", "actual")
            .to_string();
        return Err(format!(
            "{}: snapshot differs (run `FORKLINT_BLESS=1 cargo test` to update it)\n{diff}",
            path.display()
        ));
    }
    Ok(())
}

/// Every file under `dir` with extension `ext`, sorted.
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_with_ext(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}
