//! The findings cache for warm re-runs (`target/forklint/`, `--no-cache`).
//!
//! **Unit: a package, or a cycle of packages.** Crate-wide analysis lets a package's findings
//! depend on its dependencies in the run: calls resolve into a dependency whose lib name is
//! unique in the run (`Model::libs_by_name`), and summaries of the dependency's functions flow
//! into its callers. So findings are cached per strongly connected component of the graph
//! "package P depends on a lib name that exactly one package of the run provides" (a component
//! has more than one package only through a dev-dependency cycle). A missed unit is analysed
//! together with every unit below it (their files as context, unreported), which yields the
//! findings a whole run yields for it (lib names that are ambiguous in the whole run are passed
//! in, so they stay unresolved). Editing one file re-analyses its unit and the units that
//! depend on it, not the whole run.
//!
//! **Facts from above.** Entry states and FL007's "reached from async code" flow the other way,
//! from callers down into the functions that fork (docs/contexts.md, "Context across calls").
//! A unit whose lib may fork, or that depends on a lib that may (`Interface::forks`), also keys
//! on the base keys of the units above it, and a missed one is analysed with those units (and
//! what they need below them) as unreported context. Other units never depend on the units above.
//!
//! **Key** (xxh3-128) of a unit: the cache format, forklint version and build (the size and
//! modification time of the executable), a fingerprint of the
//! vocabulary (with config extensions) and of the options that change what the rules produce
//! (`--select`, `--ignore`), the working directory, the keys of the units it depends on, every
//! file of the unit in order with its display path, whether it is reported, and the xxh3 of its
//! bytes (or its read error), each package's `Cargo.toml` bytes, and for every dependency name
//! of the unit how many packages of the run provide that lib name. A file's gates (`#[cfg(test)]
//! mod t;` makes `t.rs` test code, `#[cfg(windows)] mod w;` empties `w.rs`) are read from its
//! parent's bytes, which are in the same unit's key, and are mixed into the facts fingerprints
//! of the unit interfaces. Levels, per-file levels,
//! `-D warnings` and suppressions are applied after the cache, on every run, so they are not
//! part of the key.
//!
//! **Entry**: the unit's findings before suppressions and levels (file indices within the unit
//! instead of `FileId`s; files of dependencies that labels point into by display path), the
//! tool errors of its files and which of its files were checked.
//! One file per key (`<hex key>.json`), written to a temporary name and renamed. A header line
//! (magic, format version, key, xxh3 of the payload) is checked before the payload is trusted:
//! a foreign, truncated or corrupt file is ignored, and the unit is analysed and written again.
//!
//! **Location**: `$FORKLINT_CACHE_DIR` if set, else `target/forklint/` beside the nearest
//! `Cargo.toml` above the first checked path, else `.forklint-cache/` in the working directory.
//! A `CACHEDIR.TAG` marks it. A cache that cannot be written only costs speed.
//!
//! The modules: `units` groups packages into units, `key` computes keys and fingerprints,
//! `entry` is what an entry holds (and checks it against the files it names), `store` is the
//! on-disk format of entries and interfaces and their atomic writes, `prune` keeps the
//! directory bounded.

use std::path::{Path, PathBuf};

mod entry;
mod key;
mod prune;
mod store;
mod units;

pub use entry::{CachedDiagnostic, CachedEdit, CachedFix, CachedLabel, Entry};
pub use key::{content_hash, entry_key, run_fingerprint, unit_interface, unit_key, KeyFile};
pub use prune::{prune, MAX_BYTES, MAX_UNUSED};
pub use store::{
    decode, encode, load, load_interface, store, store_interface, with_header, Interface,
};
pub use units::{units, PackageInfo, Units};

/// Bumped whenever the entry format or what findings depend on changes.
const FORMAT: u32 = 6;
const MAGIC: &str = "forklint-cache";

/// Where the cache lives for a run of `paths` from `cwd`.
pub fn location(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("FORKLINT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(first) = paths.first() {
        let abs = if first.is_absolute() {
            first.clone()
        } else {
            cwd.join(first)
        };
        let start = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        for dir in start.into_iter().flat_map(Path::ancestors) {
            if dir.join("Cargo.toml").is_file() {
                return dir.join("target").join("forklint");
            }
        }
    }
    cwd.join(".forklint-cache")
}
