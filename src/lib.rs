//! forklint: a static linter for fork-safety and green-task hazards in Rust.
//!
//! Crate map (see docs/ARCHITECTURE.md):
//! - [`discover`]: paths -> files; [`source`]: text, line index, positions;
//! - [`parse`]: safe `syn` parsing; [`model`]: lowering to the fact model and name resolution;
//! - [`vocab`]: the API vocabulary from `rules/*.toml`;
//! - [`rules`]: the registry and one module per rule; [`suppress`]: comment directives;
//! - [`engine`]: the pipeline; [`render`]: output formats; [`cli`]: the command line;
//! - [`atomic`]: writing files through a temporary file and a rename.

pub mod analysis;
pub mod atomic;
pub mod cache;
pub mod cli;
pub mod config;
pub mod crates;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod fix;
pub mod model;
pub mod parse;
pub mod render;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod vocab;

pub use engine::{check_paths, check_sources, Options, Report};

/// Checks one in-memory source with default options (tests, fuzzing, editors).
pub fn check_source(name: &str, text: &str) -> Report {
    let vocab = vocab::Vocab::builtin();
    engine::check_sources(
        vec![(name.to_string(), text.to_string())],
        &Options::default(),
        &vocab,
    )
}
