//! Keys and fingerprints: what decides whether an entry or an interface may be reused (the
//! run's global inputs, a unit's files and manifests, the facts of the units below it).

use std::path::Path;

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::{PackageInfo, FORMAT, MAGIC};

/// The content hash of a file's bytes, or of its read error.
pub fn content_hash(text: &Result<std::sync::Arc<str>, String>) -> u64 {
    match text {
        Ok(text) => xxh3_64(text.as_bytes()),
        Err(message) => xxh3_64(format!("\u{0}error\u{0}{message}").as_bytes()),
    }
}

/// The fingerprint of everything global that findings depend on.
pub fn run_fingerprint(
    vocab_fingerprint: u64,
    select: &[&str],
    ignore: &[&str],
    cwd: &Path,
) -> u64 {
    let text = format!(
        "{MAGIC} {FORMAT} {} build={} vocab={vocab_fingerprint:x} select={select:?} ignore={ignore:?} cwd={}",
        env!("CARGO_PKG_VERSION"),
        build_fingerprint(),
        cwd.display()
    );
    xxh3_64(text.as_bytes())
}

/// The running executable's size and modification time: a rebuild (new analysis code under the
/// same version number) never reuses another build's entries. Unknown (no executable path, an
/// unreadable file) is its own value, which only costs reuse across such runs.
fn build_fingerprint() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta {
        Ok(meta) => {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", meta.len())
        }
        Err(_) => "unknown".to_string(),
    }
}

/// One file of a group, for its key.
pub struct KeyFile<'a> {
    pub display: &'a str,
    pub reported: bool,
    pub hash: u64,
}

/// The own key of a unit: the run, its files and manifests. See [`entry_key`].
pub fn unit_key(
    run: u64,
    files: &[KeyFile<'_>],
    packages: &[&PackageInfo],
    provider_count: &dyn Fn(&str) -> usize,
) -> u128 {
    let mut h = Xxh3::new();
    h.update(&run.to_le_bytes());
    for f in files {
        h.update(&(f.display.len() as u64).to_le_bytes());
        h.update(f.display.as_bytes());
        h.update(&[u8::from(f.reported)]);
        h.update(&f.hash.to_le_bytes());
    }
    for p in packages {
        h.update(&(p.manifest.len() as u64).to_le_bytes());
        h.update(&p.manifest);
        for dep in &p.dependencies {
            h.update(dep.as_bytes());
            h.update(&(provider_count(dep) as u64).to_le_bytes());
        }
        h.update(b"\n");
    }
    h.digest128()
}

/// The key of a unit's entry: its own key and the facts fingerprints of every unit below it, in
/// unit order. A change below that changes facts changes the key; a comment does not.
pub fn entry_key(own: u128, below: &[u128]) -> u128 {
    let mut h = Xxh3::new();
    h.update(&own.to_le_bytes());
    for key in below {
        h.update(&key.to_le_bytes());
    }
    h.digest128()
}

/// The fingerprint of a unit's facts: each file's display path and facts hash (`0` for a file
/// that was not lowered), and its packages' manifests.
pub fn unit_interface(files: &[(&str, u64)], packages: &[&PackageInfo]) -> u128 {
    let mut h = Xxh3::new();
    for (display, facts) in files {
        h.update(&(display.len() as u64).to_le_bytes());
        h.update(display.as_bytes());
        h.update(&facts.to_le_bytes());
    }
    for p in packages {
        h.update(&(p.manifest.len() as u64).to_le_bytes());
        h.update(&p.manifest);
    }
    h.digest128()
}
