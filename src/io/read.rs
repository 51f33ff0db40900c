//! Reading user files the way a hostile checkout cannot exploit: never blocking on a FIFO,
//! regular files only, bounded in size, UTF-8 checked. Sources and configuration files are
//! read through here.

use std::path::Path;

/// Files larger than this are refused (generated tables beyond it are not worth parsing).
pub const MAX_FILE_SIZE: u64 = 64 << 20;

/// Reads a source (or configuration) file: never blocks on a FIFO, regular files only, at most
/// [`MAX_FILE_SIZE`], UTF-8.
pub fn read_file(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Discovery skips FIFOs, but one swapped in since must not block `open` (it would wait
        // for a writer); the handle is checked to be a regular file before any read.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot read: {}", io_message(&e)))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read: {}", io_message(&e)))?;
    if !meta.is_file() {
        return Err("not a regular file (skipped)".to_string());
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(format!(
            "file too large ({} MiB; the limit is {} MiB)",
            meta.len() >> 20,
            MAX_FILE_SIZE >> 20
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    // `take`: a file that grows while being read stays within the limit.
    (&mut file)
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {}", io_message(&e)))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(format!(
            "file too large (more than {} MiB)",
            MAX_FILE_SIZE >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// An I/O error without the `(os error N)` suffix.
pub fn io_message(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
