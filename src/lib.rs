//! forklint: a static linter for fork-safety and green-task hazards in Rust.
//!
//! The crate is layered; each layer uses only the layers above it in this list (a meta test
//! checks every `use crate::` line; docs/ARCHITECTURE.md, "Layers"):
//! - [`base`]: source files, positions and findings;
//! - [`ir`]: the intermediate representation of a function's code, with no syntax tree;
//! - [`vocab`]: the API vocabulary from `rules/*.toml`;
//! - [`syntax`]: parsing and lowering (the only users of `syn`);
//! - [`model`]: the crate-wide facts (function index, call graph, summaries);
//! - [`analysis`]: the shared per-file analysis (fork sites, interpreter, contexts);
//! - [`rules`]: the registry and one module per rule;
//! - [`io`]: bounded reads and safe writes of user files;
//! - [`cache`], [`suppress`], [`discover`]: findings cache, comment directives, file discovery;
//! - [`driver`]: the pipeline, from paths to a report;
//! - [`config`], [`fix`], [`render`]: configuration, fixes, output formats;
//! - [`server`]: the language server (`forklint server`);
//! - [`cli`]: the command line.

pub(crate) mod analysis;
pub mod base;
pub mod cache;
pub mod cli;
pub mod config;
pub(crate) mod discover;
pub mod driver;
pub mod fix;
pub(crate) mod io;
pub mod ir;
pub(crate) mod model;
pub mod render;
pub mod rules;
pub(crate) mod server;
pub(crate) mod suppress;
pub mod syntax;
pub mod vocab;

pub use driver::{check_paths, check_sources, Options, Report};

/// Checks one in-memory source with default options (tests, fuzzing, editors).
pub fn check_source(name: &str, text: &str) -> Report {
    let vocab = vocab::Vocab::builtin();
    driver::check_sources(
        vec![(name.to_string(), text.to_string())],
        &Options::default(),
        &vocab,
    )
}
