//! Upstream documentation quoted in the fork rules' notes.

pub const NIX_FORK_NOTE: &str = "nix's `fork` docs: \"in a multithreaded program, only async-signal-safe functions like `pause` and `_exit` may be called by the child (the parent isn't restricted); memory allocation may not be async-signal-safe and thus must be prevented\"";
pub const PRE_EXEC_NOTE: &str = "std's `CommandExt::pre_exec` docs: the closure runs in the child after `fork`; it must be async-signal-safe: it may not allocate, take locks, or touch state other threads may hold";
pub const TOKIO_FORK_NOTE: &str = "Tokio's \"Unix fork\" guidance: once the parent has used Tokio, neither the parent's runtime nor a new runtime may be used in the child; only exec a fresh program there";

/// POSIX on `pthread_atfork` child handlers.
pub const ATFORK_NOTE: &str = "POSIX: after a fork of a multi-threaded process the child may only call async-signal-safe functions until it execs, and that includes `pthread_atfork` child handlers";
