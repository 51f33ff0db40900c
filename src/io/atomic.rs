//! Writing files without ever leaving one half written (`--fix`, `init`, the findings cache).
//!
//! The new bytes go to a temporary file in the same directory (the same filesystem, so the
//! rename is atomic); a user file's copy is given the original's permissions (and owner, where
//! allowed) and flushed to disk before it is renamed over the original. A failure at any step (a
//! full disk, a file size limit, a read-only file or directory) removes the temporary file and
//! leaves the original untouched. A process killed mid-write leaves only a temporary file, named
//! `.<name>.<pid>.<n>.tmp`, which the cache prunes (`cache::prune`).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How every temporary file's name ends.
pub const TMP_SUFFIX: &str = ".tmp";

/// Lets writes beyond `RLIMIT_FSIZE` fail with `EFBIG` (a reportable error) instead of the
/// default action of `SIGXFSZ`, which kills the process mid-write.
pub fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// A fresh temporary path beside `path`.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(
        ".{name}.{}.{n}{nanos:x}{TMP_SUFFIX}",
        std::process::id()
    ))
}

/// Writes `bytes` to a new temporary file beside `path` and returns its path; on error nothing
/// is left behind.
fn write_temp(
    path: &Path,
    bytes: &[u8],
    like: Option<&std::fs::Metadata>,
    durable: bool,
) -> io::Result<PathBuf> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        if let Some(meta) = like {
            keep_owner(&file, meta);
            file.set_permissions(meta.permissions())?;
        }
        if durable {
            file.sync_all()?;
        }
        Ok::<File, io::Error>(file)
    })();
    match result {
        Ok(_) => Ok(tmp),
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            Err(err)
        }
    }
}

/// Gives the copy the original's owner and group; only root may, and failing is harmless (the
/// file then belongs to whoever ran the fix, as with any editor's save).
fn keep_owner(file: &File, meta: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
    #[cfg(not(unix))]
    let _ = (file, meta);
}

/// Replaces the contents of the existing file `path` (through symlinks: the target is
/// replaced), keeping its permissions. A file its user may not write is an error, even where
/// the directory would allow the rename.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let real = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&real)?;
    // Opening for writing (without truncating) changes nothing and asks the OS the question.
    OpenOptions::new().write(true).open(&real)?;
    let tmp = write_temp(&real, bytes, Some(&meta), true)?;
    std::fs::rename(&tmp, &real).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes `bytes` to `path` whether or not it exists, without keeping anything of an old file
/// and without flushing to disk (the findings cache: a torn entry fails its checksum).
pub fn overwrite(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = write_temp(path, bytes, None, false)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Creates `path` with `bytes`; an existing file is never replaced (`AlreadyExists`).
pub fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(io::ErrorKind::AlreadyExists.into());
    }
    let tmp = write_temp(path, bytes, None, true)?;
    // A hard link fails if the name appeared meanwhile; a filesystem without hard links falls
    // back to a rename after checking again.
    let result = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Err(err),
        Err(_) if std::fs::symlink_metadata(path).is_ok() => {
            Err(io::ErrorKind::AlreadyExists.into())
        }
        Err(_) => std::fs::rename(&tmp, path),
    };
    let _ = std::fs::remove_file(&tmp);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::fs::Permissions;

    fn names(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn replace_keeps_permissions_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        }
        replace(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(names(dir.path()), ["a.rs"]);
    }

    #[cfg(unix)]
    #[test]
    fn replace_writes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.rs");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.rs");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        replace(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn create_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forklint.toml");
        create_new(&path, b"one").unwrap();
        let err = create_new(&path, b"two").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        assert_eq!(names(dir.path()), ["forklint.toml"]);
    }

    #[test]
    fn a_missing_directory_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(overwrite(&dir.path().join("no/such/file"), b"x").is_err());
        assert!(replace(&dir.path().join("missing.rs"), b"x").is_err());
        assert!(names(dir.path()).is_empty());
    }
}
