//! The only users of `syn`: parsing with a nesting guard ([`parse`]) into per-file scratch
//! memory ([`scratch`]), edition hints for syn errors ([`edition`]), lowering a syntax tree to the
//! IR ([`lower`]), and per-file name resolution ([`resolve`]).

pub(crate) mod edition;
pub mod lower;
pub mod parse;
pub(crate) mod resolve;
pub mod scratch;
