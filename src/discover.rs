//! Discovery: command-line paths -> the `.rs` files to check, in a deterministic order.
//!
//! Like ripgrep: `.gitignore`/`.ignore` are honoured inside git repositories, hidden directories
//! are skipped, and cargo target directories are always pruned (a directory holding
//! `CACHEDIR.TAG`, or `target/` beside a `Cargo.toml`). A file named on the command line is
//! checked even when excluded, unless `--force-exclude`. Problems (a missing path, a symlink
//! loop, an unreadable directory) are collected, never fatal.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// File selection settings.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Globs that replace the default excludes.
    pub exclude: Option<Vec<String>>,
    /// Globs added to the excludes.
    pub extend_exclude: Vec<String>,
    pub force_exclude: bool,
    pub respect_gitignore: bool,
    /// The directory exclude globs are relative to, for absolute paths below it (the run's
    /// current directory); `None`: paths are matched as given.
    pub base: Option<PathBuf>,
}

/// A discovered file: its path, and whether it was named explicitly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub path: PathBuf,
    pub explicit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveryError {
    pub path: PathBuf,
    pub message: String,
}

/// Default excludes (beyond hidden and target directories, which are always pruned).
const DEFAULT_EXCLUDES: &[&str] = &[];

pub fn build_globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
        builder.add(glob);
        // `benches/**` should also match `./benches/x.rs` and `crate/benches/x.rs`.
        if !pattern.starts_with("**/") && !pattern.starts_with('/') {
            if let Ok(glob) = Glob::new(&format!("**/{pattern}")) {
                builder.add(glob);
            }
        }
    }
    builder.build().map_err(|e| e.to_string())
}

/// Whether a directory is a cargo build directory.
pub fn is_target_dir(path: &Path) -> bool {
    path.join("CACHEDIR.TAG").exists()
        || (path.file_name().is_some_and(|n| n == "target")
            && path.with_file_name("Cargo.toml").exists())
}

/// The exclude globs of a selection: `exclude` (or the defaults) and `extend-exclude`.
fn exclude_set(selection: &Selection) -> Result<GlobSet, String> {
    let mut patterns: Vec<String> = match &selection.exclude {
        Some(ex) => ex.clone(),
        None => DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect(),
    };
    patterns.extend(selection.extend_exclude.iter().cloned());
    build_globs(&patterns)
}

fn is_excluded(excludes: &GlobSet, base: Option<&Path>, path: &Path) -> bool {
    let rel = base
        .and_then(|base| path.strip_prefix(base).ok())
        .unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    excludes.is_match(rel)
}

/// Drops the files `selection` excludes, as [`discover`] would have: a file named on the
/// command line stays unless `force_exclude`. (Each configuration's excludes apply to its own
/// files after one walk.)
pub fn apply_excludes(found: Vec<Found>, selection: &Selection) -> Result<Vec<Found>, String> {
    let excludes = exclude_set(selection)?;
    if excludes.is_empty() {
        return Ok(found);
    }
    Ok(found
        .into_iter()
        .filter(|f| {
            !((!f.explicit || selection.force_exclude)
                && is_excluded(&excludes, selection.base.as_deref(), &f.path))
        })
        .collect())
}

/// Walks `paths` and returns the files to check (sorted, deduplicated) and the problems met.
pub fn discover(
    paths: &[PathBuf],
    selection: &Selection,
) -> Result<(Vec<Found>, Vec<DiscoveryError>), String> {
    let excludes = exclude_set(selection)?;
    let excluded = |path: &Path| is_excluded(&excludes, selection.base.as_deref(), path);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(err) => {
                let message = if std::fs::symlink_metadata(root).is_ok() {
                    format!("cannot follow symlink: {err}")
                } else {
                    "no such file or directory".to_string()
                };
                errors.push(DiscoveryError {
                    path: root.clone(),
                    message,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if selection.force_exclude && excluded(root) {
                continue;
            }
            found.push(Found {
                path: root.clone(),
                explicit: true,
            });
            continue;
        }
        for entry in walker(root, selection.respect_gitignore).build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = error_path(&err).unwrap_or_else(|| root.clone());
                    errors.push(DiscoveryError {
                        path,
                        message: error_message(&err),
                    });
                    continue;
                }
            };
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_symlink() {
                match std::fs::metadata(path) {
                    Ok(meta) if meta.is_file() => {}
                    Ok(_) => continue,
                    Err(err) => {
                        let message = if err.raw_os_error() == Some(40) {
                            "symlink loop".to_string()
                        } else {
                            format!("dangling symlink ({err})")
                        };
                        errors.push(DiscoveryError {
                            path: path.to_path_buf(),
                            message,
                        });
                        continue;
                    }
                }
            } else if !file_type.is_file() {
                // FIFOs, sockets, devices: never opened (reading a FIFO would hang).
                continue;
            }
            if excluded(path) {
                continue;
            }
            found.push(Found {
                path: path.to_path_buf(),
                explicit: false,
            });
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.path == b.path);
    Ok((found, errors))
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } => error_message(err),
        ignore::Error::WithDepth { err, .. } => error_message(err),
        ignore::Error::Loop { .. } => "symlink loop".to_string(),
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// Nearest directory at or above `dir` holding a `Cargo.toml` with a `[package]`.
pub fn package_root(dir: &Path) -> Option<PathBuf> {
    let mut current = Some(dir);
    while let Some(d) = current {
        let manifest = d.join("Cargo.toml");
        if manifest.is_file() {
            if let Ok(text) = std::fs::read_to_string(&manifest) {
                if text.contains("[package]") {
                    return Some(d.to_path_buf());
                }
            }
        }
        current = d.parent();
    }
    None
}

/// The directory walk of discovery and of package context files alike: hidden entries and
/// cargo target directories pruned, `.ignore` files always and `.gitignore`/`.git/info/exclude`
/// inside git repositories when `respect_gitignore`, no global gitignore, symlinks not followed,
/// entries sorted by name.
pub fn walker(root: &Path, respect_gitignore: bool) -> ignore::WalkBuilder {
    let mut walker = ignore::WalkBuilder::new(root);
    walker
        .hidden(true)
        .parents(true)
        .ignore(true)
        .git_ignore(respect_gitignore)
        .git_exclude(respect_gitignore)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && entry.depth() > 0 && is_target_dir(entry.path()))
        });
    walker
}

/// Module path of a file inside its package, from its location (`src/a/b.rs` -> `crate::a::b`,
/// `tests/support/mod.rs` -> `crate::support`, `examples/chat/client.rs` beside
/// `examples/chat/main.rs` -> `crate::client`). The crate-wide module tree corrects the rest
/// (`#[path]` attributes).
pub fn module_path(package_root: Option<&Path>, file: &Path) -> String {
    let Some(root) = package_root else {
        return "crate".to_string();
    };
    let Ok(rel) = file.strip_prefix(root) else {
        return "crate".to_string();
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    // The directory module paths are relative to.
    let rest: &[&str] = match parts.as_slice() {
        ["src", "bin", dir, rest @ ..] if !rest.is_empty() => {
            let _ = dir;
            rest
        }
        ["src", "bin", ..] => return "crate".to_string(),
        ["src", rest @ ..] => rest,
        [auto @ ("tests" | "examples" | "benches"), dir, rest @ ..] if !rest.is_empty() => {
            if root.join(auto).join(dir).join("main.rs").is_file() {
                rest
            } else {
                &parts[1..]
            }
        }
        _ => return "crate".to_string(),
    };
    let mut out = String::from("crate");
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let name = if last {
            part.strip_suffix(".rs").unwrap_or(part)
        } else {
            part
        };
        if last && (name == "lib" || name == "main" || name == "mod") {
            break;
        }
        out.push_str("::");
        out.push_str(name);
    }
    out
}
