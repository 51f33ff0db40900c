//! The fact model: what forklint knows about the checked code, without syntax trees.
//!
//! `lower` turns one parsed file into a [`ir::FileModel`]; `resolve` canonicalizes paths. The
//! [`Model`] holds every file's facts and the packages they belong to, so rules can look across
//! files. Nothing here does I/O.

pub mod ir;
pub mod lower;
pub mod resolve;

use crate::source::FileId;

/// A Cargo package (or a lone file): the unit inside which calls resolve.
#[derive(Clone, Debug, Default)]
pub struct Package {
    /// Package name from Cargo.toml, if any.
    pub name: Option<String>,
    /// Directory holding the Cargo.toml (or the file's directory for a lone file).
    pub root: std::path::PathBuf,
    /// Whether the package depends on tokio (enables tokio-specific fixes).
    pub uses_tokio: bool,
    pub files: Vec<FileId>,
}

/// All facts of a run.
#[derive(Debug, Default)]
pub struct Model {
    /// Indexed by `FileId`; `None` for files that could not be parsed.
    pub files: Vec<Option<ir::FileModel>>,
    pub packages: Vec<Package>,
    /// `FileId` -> index into `packages`.
    pub package_of: Vec<usize>,
}

impl Model {
    pub fn file(&self, id: FileId) -> Option<&ir::FileModel> {
        self.files.get(id as usize)?.as_ref()
    }
}
