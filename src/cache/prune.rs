//! Pruning: keeps the cache directory bounded in age and size, touching only files the cache
//! writes.

use std::path::{Path, PathBuf};

/// Entries and fingerprints no run has used for this long are deleted.
pub const MAX_UNUSED: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);
/// Above this many bytes of entries, the least recently used are deleted down to three quarters.
pub const MAX_BYTES: u64 = 512 << 20;
/// A temporary file this old is an orphan of a killed write (a write takes milliseconds).
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Keeps the cache bounded: deletes orphaned temporary files, records unused for
/// [`MAX_UNUSED`], then the least recently used records while the rest exceed [`MAX_BYTES`].
/// Only files this cache writes are touched. Returns how many were deleted.
pub fn prune(dir: &Path, now: std::time::SystemTime) -> usize {
    let Ok(list) = std::fs::read_dir(dir) else {
        return 0;
    };
    let age = |meta: &std::fs::Metadata| {
        meta.modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default()
    };
    let mut deleted = 0;
    let mut kept: Vec<(std::time::Duration, u64, PathBuf)> = Vec::new();
    for item in list.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(meta) = item.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let path = item.path();
        let old = if name.starts_with('.') && name.ends_with(crate::io::atomic::TMP_SUFFIX) {
            age(&meta) > ORPHAN_AGE
        } else if name.ends_with(".json") || name.ends_with(".facts") {
            if age(&meta) <= MAX_UNUSED {
                kept.push((age(&meta), meta.len(), path.clone()));
                continue;
            }
            true
        } else {
            continue;
        };
        if old && std::fs::remove_file(&path).is_ok() {
            deleted += 1;
        }
    }
    let mut total: u64 = kept.iter().map(|(_, len, _)| len).sum();
    if total > MAX_BYTES {
        // Oldest first.
        kept.sort_by_key(|k| std::cmp::Reverse(k.0));
        for (_, len, path) in kept {
            if total <= MAX_BYTES / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                deleted += 1;
                total -= len;
            }
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_removes_orphans_and_unused_records_only() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        let day = std::time::Duration::from_secs(24 * 3600);
        let put = |name: &str, age: std::time::Duration| {
            let path = dir.path().join(name);
            std::fs::write(&path, b"x").unwrap();
            let file = std::fs::File::options().append(true).open(&path).unwrap();
            file.set_modified(now - age).unwrap();
        };
        put("a.json", MAX_UNUSED + day);
        put("a.facts", MAX_UNUSED + day);
        put("b.json", MAX_UNUSED - day);
        put(".b.json.1.2.tmp", 2 * ORPHAN_AGE);
        put(".c.json.1.3.tmp", std::time::Duration::ZERO);
        put("CACHEDIR.TAG", 1000 * day);
        assert_eq!(prune(dir.path(), now), 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".c.json.1.3.tmp", "CACHEDIR.TAG", "b.json"]);
    }
}
