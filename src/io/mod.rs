//! File I/O that user data goes through: bounded reads ([`read`]) and writes that never leave a
//! file half written ([`atomic`]).

pub mod atomic;
pub mod read;
