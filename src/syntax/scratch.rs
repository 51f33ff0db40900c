//! Scratch memory for syntax trees, a bump arena per thread: the library's side (safe code only).
//!
//! A syntax tree lives from the parse of one file to the end of its lowering, and nothing made
//! from it outlives that: the IR holds strings, byte ranges and ids, never a `syn` or
//! `proc-macro2` value. So the binaries can allocate the trees `syn` builds in a bump arena per
//! thread and take the whole arena back at the end of each file, instead of a `malloc` per token
//! and a `free` per node (the allocator and the tree's drop were a fifth of a cold run:
//! docs/performance.md, "Session 11"). The allocator itself, with its unsafe code, is the
//! binaries' (`src/allocator.rs`); it installs [`Hooks`] here. Without hooks (the library used on
//! its own, unit tests) every function here is a plain call.
//!
//! The contract the hooks rely on, kept by this module's callers:
//! - arena allocation is on only inside [`scoped`], around a call into `syn` that builds a tree;
//!   whatever such a call returns is dropped (or [`discard`]ed) before its [`file_session`] ends;
//! - a [`file_session`] is the unit that is taken back: the driver opens one per file, around its
//!   parse, lowering, and the reset of proc-macro2's span table (whose per-file entry the parse
//!   allocated in the arena);
//! - before a thread's first session, a warm-up parse on the heap makes the thread-local state
//!   that proc-macro2 and std create on first use (the span table, the destructor list), so that
//!   it is never in an arena;
//! - a panic hook calls [`suspend`] first: what it allocates may live on.

use std::cell::Cell;
use std::sync::OnceLock;

/// What a global allocator with a per-thread arena offers; see the module header.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// Opens a file session on this thread (sessions nest; only the outermost one takes back).
    pub begin: fn(),
    /// Closes the session opened last; `reclaim` takes the arena back when it is the outermost.
    pub end: fn(reclaim: bool),
    /// Turns arena allocation on (when a session is open) and says whether it was on before.
    pub enter: fn() -> bool,
    /// Restores the state [`Hooks::enter`] returned.
    pub leave: fn(was_on: bool),
    /// Whether everything allocated in the arena since the session began stayed in it (none of
    /// it spilled to the heap when the arena was full), so a tree may be forgotten, not dropped.
    pub contained: fn() -> bool,
}

static HOOKS: OnceLock<Hooks> = OnceLock::new();

thread_local! {
    static WARM: Cell<bool> = const { Cell::new(false) };
}

/// Installs the allocator's hooks (once per process; later calls are ignored).
pub fn install(hooks: Hooks) {
    let _ = HOOKS.set(hooks);
}

/// The largest file whose trees go to the arena. A bump arena does not reuse what a parse frees
/// on the way (grown vectors, abandoned attempts), so a tree in it takes more memory than on the
/// heap; for the rare huge file (a generated table of megabytes, whose tree is hundreds of MB)
/// that would raise the run's peak, and its share of the run's time is small.
pub const MAX_FILE: usize = 1 << 20;

/// Runs `f` as the session of a file of `len` bytes: what `syn` builds in it is taken back when
/// it returns (on the heap as usual when the file is over [`MAX_FILE`]), and proc-macro2's table
/// of the file's spans is emptied (it would otherwise keep a copy of every file's text).
pub fn file_session<T>(len: usize, f: impl FnOnce() -> T) -> T {
    struct Spans;
    impl Drop for Spans {
        fn drop(&mut self) {
            proc_macro2::extra::invalidate_current_thread_spans();
        }
    }
    let Some(hooks) = HOOKS.get().filter(|_| len <= MAX_FILE) else {
        let _spans = Spans;
        return f();
    };
    if !WARM.with(Cell::get) {
        warm_up();
        WARM.with(|w| w.set(true));
    }
    (hooks.begin)();
    struct End(fn(bool));
    impl Drop for End {
        fn drop(&mut self) {
            // Unwinding out of a session: what the panic carries may be in the arena, so the
            // arena is not taken back (the next session's reset does it, after the payload is
            // gone).
            (self.0)(!std::thread::panicking());
        }
    }
    let _end = End(hooks.end);
    // Dropped before `_end`: the table's entry for the file is in the arena.
    let _spans = Spans;
    f()
}

/// Runs `f` (a call into `syn` that builds a tree) with arena allocation on, inside a session.
pub fn scoped<T>(f: impl FnOnce() -> T) -> T {
    let Some(hooks) = HOOKS.get() else {
        return f();
    };
    struct Leave(fn(bool), bool);
    impl Drop for Leave {
        fn drop(&mut self) {
            (self.0)(self.1);
        }
    }
    let _leave = Leave(hooks.leave, (hooks.enter)());
    f()
}

/// Turns arena allocation off on this thread until the current [`scoped`] call returns: first
/// thing in a panic hook, whose allocations (a backtrace, std's lazily built state) must live on.
pub fn suspend() {
    if let Some(hooks) = HOOKS.get() {
        (hooks.leave)(false);
    }
}

/// Ends a tree's life: forgotten when it lies wholly in the arena of the open session (the
/// session's end takes its memory back without walking it), dropped otherwise.
pub fn discard<T>(tree: T) {
    match HOOKS.get() {
        Some(hooks) if (hooks.contained)() => std::mem::forget(tree),
        _ => drop(tree),
    }
}

/// A first parse on the heap: proc-macro2's span table and std's per-thread destructor list are
/// created on first use and live as long as the thread, so they must not be in the arena.
fn warm_up() {
    let _ = syn::parse_file("fn warm_up() { let _ = (1, \"a\"); }");
    proc_macro2::extra::invalidate_current_thread_spans();
}
