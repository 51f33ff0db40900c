//! Leaf types every layer shares: typed indices and arenas ([`arena`]), source files and positions ([`source`]), findings
//! ([`diagnostic`]) and the description of their rules ([`rule`]). Nothing here knows about syntax, the model or the rules.

pub(crate) mod arena;
pub mod diagnostic;
pub mod rule;
pub mod source;
