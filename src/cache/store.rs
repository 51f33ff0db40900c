//! The on-disk format of the cache: entry files (a checked header line, then the JSON payload)
//! and interface files, read back only when they match their key, written atomically.

use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

use super::{Entry, FORMAT, MAGIC};

fn entry_path(dir: &Path, key: u128) -> PathBuf {
    dir.join(format!("{key:032x}.json"))
}

fn header(key: u128, payload: &[u8]) -> String {
    format!(
        "{MAGIC} {FORMAT} {} {key:032x} {:016x}\n",
        env!("CARGO_PKG_VERSION"),
        xxh3_64(payload)
    )
}

/// The entry stored under `key`, if there is a valid one.
pub fn load(dir: &Path, key: u128) -> Option<Entry> {
    let path = entry_path(dir, key);
    let entry = decode(key, &std::fs::read(&path).ok()?)?;
    touch(&path);
    Some(entry)
}

/// An entry file's bytes, if its header matches `key` and its payload. The entry still has to
/// pass [`Entry::is_valid`] against the files it names before it is used.
pub fn decode(key: u128, bytes: &[u8]) -> Option<Entry> {
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let (head, payload) = (&bytes[..=newline], &bytes[newline + 1..]);
    if head != header(key, payload).as_bytes() {
        return None;
    }
    serde_json::from_slice(payload).ok()
}

/// An entry file's bytes as [`store`] writes them (tests and the fuzz target forge entries).
pub fn encode(key: u128, entry: &Entry) -> Vec<u8> {
    with_header(key, &serde_json::to_vec(entry).unwrap_or_default())
}

/// An entry file with this payload under `key` (the fuzz target feeds arbitrary payloads).
pub fn with_header(key: u128, payload: &[u8]) -> Vec<u8> {
    let mut bytes = header(key, payload).into_bytes();
    bytes.extend_from_slice(payload);
    bytes
}

/// Stores `entry` under `key`; errors only cost speed.
pub fn store(dir: &Path, key: u128, entry: &Entry) -> Result<(), String> {
    write_atomic(dir, &entry_path(dir, key), &encode(key, entry))
}

fn interface_path(dir: &Path, own: u128) -> PathBuf {
    dir.join(format!("{own:032x}.facts"))
}

/// What the units above a unit can observe of it: the fingerprint of its facts, and which of
/// its files (indices in the unit) make up its lib crate, the only files they call into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub facts: u128,
    pub lib_files: Vec<u32>,
    /// Whether the unit's lib crate may fork (a fork-family call in one of its files, by path
    /// or by method name): then what its callers above hold at their calls can change its
    /// findings, and its entry key includes the units above it.
    pub forks: bool,
}

fn interface_line(own: u128, interface: &Interface) -> String {
    let libs: Vec<String> = interface.lib_files.iter().map(u32::to_string).collect();
    format!(
        "{MAGIC} {FORMAT} {} {own:032x} {:032x} libs={} forks={}\n",
        env!("CARGO_PKG_VERSION"),
        interface.facts,
        libs.join(","),
        u8::from(interface.forks)
    )
}

/// The interface of a unit stored under its own key (`unit_key` without dependency
/// fingerprints), if there is a valid one: what lets a unit whose text changed but whose facts
/// did not (a comment, formatting after the last item) leave the units above it cached, and
/// what lets those units be analysed with only its lib crate as context.
pub fn load_interface(dir: &Path, own: u128) -> Option<Interface> {
    let path = interface_path(dir, own);
    let text = std::fs::read_to_string(&path).ok()?;
    let mut words = text.strip_suffix('\n')?.rsplit(' ');
    let forks = words.next()? == "forks=1";
    let libs = words.next()?.strip_prefix("libs=")?;
    let facts = u128::from_str_radix(words.next()?, 16).ok()?;
    let lib_files = if libs.is_empty() {
        Vec::new()
    } else {
        libs.split(',')
            .map(|n| n.parse().ok())
            .collect::<Option<Vec<u32>>>()?
    };
    let interface = Interface {
        facts,
        lib_files,
        forks,
    };
    let valid = text == interface_line(own, &interface);
    if valid {
        touch(&path);
    }
    valid.then_some(interface)
}

/// Stores a unit's interface under its own key; errors only cost speed.
pub fn store_interface(dir: &Path, own: u128, interface: &Interface) -> Result<(), String> {
    write_atomic(
        dir,
        &interface_path(dir, own),
        interface_line(own, interface).as_bytes(),
    )
}

/// Writes `bytes` to `path` in `dir` through a temporary file and a rename (readers never see
/// half a file), creating the directory and its `CACHEDIR.TAG`.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        let _ = std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by forklint.\n",
        );
    }
    crate::io::atomic::overwrite(path, bytes).map_err(|e| e.to_string())
}

/// Marks a record as used by this run (its modification time is its last use, for
/// [`prune`](super::prune)).
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces_round_trip_and_reject_damage() {
        let dir = tempfile::tempdir().unwrap();
        for (lib_files, forks) in [(vec![], false), (vec![0], true), (vec![0, 3, 17], false)] {
            let interface = Interface {
                facts: 0xfeed_u128 << 64 | 7,
                lib_files,
                forks,
            };
            store_interface(dir.path(), 9, &interface).unwrap();
            assert_eq!(load_interface(dir.path(), 9), Some(interface));
        }
        assert_eq!(load_interface(dir.path(), 10), None);
        let path = interface_path(dir.path(), 9);
        let good = std::fs::read_to_string(&path).unwrap();
        for bad in [
            good.replace("libs=", "libs=x"),
            good.replace("libs=0,3,17", "libs=0,,3"),
            good.trim_end().to_string(),
            good.replace("forks=0", "forks=2"),
            good.replacen(MAGIC, "other-cache", 1),
        ] {
            std::fs::write(&path, bad).unwrap();
            assert_eq!(load_interface(dir.path(), 9), None);
        }
    }

    #[test]
    fn a_corrupt_entry_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let entry = Entry {
            checked: vec![0, 2],
            ..Entry::default()
        };
        store(dir.path(), 7, &entry).unwrap();
        assert_eq!(load(dir.path(), 7).unwrap().checked, vec![0, 2]);
        assert!(load(dir.path(), 8).is_none());
        let path = entry_path(dir.path(), 7);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(dir.path(), 7).is_none());
        std::fs::write(&path, b"garbage").unwrap();
        assert!(load(dir.path(), 7).is_none());
    }
}
