//! The only users of `syn`: parsing with a nesting guard and edition hints ([`parse`]),
//! lowering a syntax tree to the IR ([`lower`]), and per-file name resolution ([`resolve`]).

pub mod lower;
pub mod parse;
pub mod resolve;
