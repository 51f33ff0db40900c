//! The global allocator of the `forklint` and `cargo-forklint` binaries (not of the library).
//!
//! mimalloc: syn allocates a node per token and lowering a string per name, so with the system
//! allocator a quarter of a run was `malloc` and `free` (docs/performance.md, docs/ARCHITECTURE.md).
//!
//! A linter frees a whole syntax tree per file and builds the next one at once. With transparent
//! huge pages, each page mimalloc gets back from the OS after purging freed memory is faulted in
//! 2 MiB at a time and zeroed by the kernel (`clear_page_erms` was a sixth of a run's samples, and
//! the system time 2.0 s of 10.5 s on the corpus). [`tune`] turns transparent huge pages off for
//! the process, as mimalloc's own `MIMALLOC_ALLOW_THP=0` does: system time fell to 0.5 s and peak
//! memory by 7% (4 KiB pages are faulted in only where touched).
//!
//! Syntax trees go to a bump arena per thread (`Arena`; 64-bit Unix), under the contract of
//! `forklint::syntax::scratch`: `syn` allocates in it only inside that module's `scoped` calls, and
//! each file's session takes the whole arena back at its end, so a tree costs neither a `free` per
//! node nor the walk of its drop, and the arena's pages are reused file after file instead of
//! being returned to the OS and faulted in again.

#[cfg(all(unix, target_pointer_width = "64"))]
#[global_allocator]
static GLOBAL: Arena = Arena;

#[cfg(not(all(unix, target_pointer_width = "64")))]
#[global_allocator]
static GLOBAL: Heap = Heap;

/// mimalloc, through its unaligned entry points when the alignment asked for is one every block
/// has. The `mimalloc` crate's `MiMalloc` calls `mi_malloc_aligned` for every allocation, whose
/// path checks the alignment, looks for a block that happens to be aligned and calls out to
/// take it: some 20 instructions more than `mi_malloc`'s inlined fast path, on the 96 million
/// allocations of a run on the benchmark corpus (docs/performance.md, "Session 15"). std's
/// `System` allocator makes the same choice for `malloc`.
pub struct Heap;

/// Every mimalloc block is aligned to a word: its size classes are multiples of it
/// (`MI_INTPTR_SIZE`), from pages aligned to more.
const WORD: usize = std::mem::size_of::<usize>();

/// mimalloc's entry point without an alignment (`mi_malloc`, `mi_zalloc`) and with one.
type Plain = unsafe extern "C" fn(usize) -> *mut std::ffi::c_void;
type Aligned = unsafe extern "C" fn(usize, usize) -> *mut std::ffi::c_void;

impl Heap {
    /// A block for `layout` from `plain` when a word's alignment will do, else from `aligned`
    /// (inlined with constant entry points: no indirect call).
    #[inline]
    unsafe fn block(layout: std::alloc::Layout, plain: Plain, aligned: Aligned) -> *mut u8 {
        // SAFETY: plain C calls; mimalloc returns null on failure, as `alloc` must.
        unsafe {
            if layout.align() <= WORD {
                plain(layout.size()).cast()
            } else {
                aligned(layout.size(), layout.align()).cast()
            }
        }
    }
}

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free` takes blocks of every
// entry point); the unaligned entry points are used only for alignments of at most a word, which
// every mimalloc block has.
unsafe impl std::alloc::GlobalAlloc for Heap {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocating entry points.
        unsafe {
            Heap::block(
                layout,
                libmimalloc_sys::mi_malloc,
                libmimalloc_sys::mi_malloc_aligned,
            )
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: mimalloc's zeroing entry points.
        unsafe {
            Heap::block(
                layout,
                libmimalloc_sys::mi_zalloc,
                libmimalloc_sys::mi_zalloc_aligned,
            )
        }
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `p` came from one of mimalloc's entry points above.
        unsafe { libmimalloc_sys::mi_free(p.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, p: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `p` is mimalloc's; the block keeps the alignment it was allocated with.
        unsafe {
            if layout.align() <= WORD {
                libmimalloc_sys::mi_realloc(p.cast(), new_size).cast()
            } else {
                libmimalloc_sys::mi_realloc_aligned(p.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// Process-wide memory settings for the binaries; call first thing in `main`.
pub fn tune() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_THP_DISABLE) takes plain integer arguments and only sets a flag of
    // this process (kept across fork, unused here); a failure (old kernel) changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // `FORKLINT_NO_ARENA` (any value): every allocation on mimalloc, for A/B measurements and
    // for the test that compares a run with and without the arena.
    #[cfg(all(unix, target_pointer_width = "64"))]
    if std::env::var_os("FORKLINT_NO_ARENA").is_none() && arena::reserve() {
        forklint::syntax::scratch::install(forklint::syntax::scratch::Hooks {
            begin: arena::begin,
            end: arena::end,
            enter: arena::enter,
            leave: arena::leave,
            contained: arena::contained,
        });
    }
}

#[cfg(all(unix, target_pointer_width = "64"))]
pub use arena::Arena;

#[cfg(all(unix, target_pointer_width = "64"))]
mod arena {
    //! A bump arena per thread inside one reserved range of address space, over mimalloc.
    //!
    //! The range (`SLABS` slabs of `SLAB` bytes) is reserved once without access; a thread takes a
    //! slab at its first session and makes its pages writable `COMMIT` bytes at a time as its
    //! bump pointer needs them. An allocation goes to the arena only while the thread's arena is
    //! on; a `free` of arena memory does nothing (a pointer is the arena's when it lies in the
    //! range); growing arena memory extends it in place when it is the last allocation, else
    //! copies it (to the arena while it is on, to the heap otherwise), and heap memory stays on
    //! the heap when it grows. A thread with no slab, or whose slab is full, allocates on the
    //! heap (`spilled` then tells the library not to forget its tree).

    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::Cell;
    use std::ptr;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    use super::Heap;

    const SLAB: usize = 8 << 30;
    const SLABS: usize = 64;
    const COMMIT: usize = 16 << 20;
    /// What a session's end keeps of the pages a big tree touched (the rest goes back to the OS).
    const KEEP: usize = 32 << 20;

    static REGION: AtomicUsize = AtomicUsize::new(0);
    /// Bit `i` set: slab `i` belongs to a live thread.
    static TAKEN: AtomicU64 = AtomicU64::new(0);

    struct State {
        /// Arena allocation is on.
        on: Cell<bool>,
        /// Open sessions.
        depth: Cell<u32>,
        base: Cell<usize>,
        cur: Cell<usize>,
        /// End of the writable part of the slab.
        committed: Cell<usize>,
        /// Highest `cur` since the last reclaim.
        high: Cell<usize>,
        /// An allocation that should have been the arena's went to the heap this session.
        spilled: Cell<bool>,
    }

    /// Gives the thread's slab back when the thread ends (a new pool per run in the server would
    /// otherwise use up the slabs and keep their pages).
    struct Owner;

    impl Drop for Owner {
        fn drop(&mut self) {
            STATE.with(|s| {
                let base = s.base.get();
                if base == 0 {
                    return;
                }
                s.on.set(false);
                s.base.set(0);
                let region = REGION.load(Ordering::Acquire);
                let used = s.committed.get() - base;
                // SAFETY: base..base+used is this thread's slab, and the thread is ending: nothing
                // in it is alive. Its pages go back to the OS and it becomes inaccessible again.
                unsafe {
                    libc::madvise(base as *mut libc::c_void, used, libc::MADV_DONTNEED);
                    libc::mprotect(base as *mut libc::c_void, used, libc::PROT_NONE);
                }
                TAKEN.fetch_and(!(1u64 << ((base - region) / SLAB)), Ordering::Release);
            });
        }
    }

    thread_local! {
        static OWNER: Owner = const { Owner };
        static STATE: State = const {
            State {
                on: Cell::new(false),
                depth: Cell::new(0),
                base: Cell::new(0),
                cur: Cell::new(0),
                committed: Cell::new(0),
                high: Cell::new(0),
                spilled: Cell::new(false),
            }
        };
    }

    /// Reserves the range; false when the OS refuses (the binaries then run on mimalloc alone).
    pub fn reserve() -> bool {
        // SAFETY: an anonymous private mapping with no access asks nothing of existing memory;
        // the result is checked.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                SLAB * SLABS,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return false;
        }
        REGION.store(p as usize, Ordering::Release);
        true
    }

    #[inline]
    fn in_region(p: *mut u8) -> bool {
        let base = REGION.load(Ordering::Relaxed);
        base != 0 && (p as usize).wrapping_sub(base) < SLAB * SLABS
    }

    pub fn begin() {
        STATE.with(|s| {
            if s.base.get() == 0 {
                if let Some(i) = take_slab() {
                    let base = REGION.load(Ordering::Acquire) + i * SLAB;
                    s.base.set(base);
                    s.cur.set(base);
                    s.committed.set(base);
                    s.high.set(base);
                    // Registers the slab's return at thread exit (on the heap: the arena is off).
                    OWNER.with(|_| {});
                }
            }
            s.depth.set(s.depth.get() + 1);
        });
    }

    /// A free slab, marked taken; none when all are (the thread then allocates on the heap).
    fn take_slab() -> Option<usize> {
        if REGION.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut taken = TAKEN.load(Ordering::Relaxed);
        loop {
            let i = (!taken).trailing_zeros() as usize;
            if i >= SLABS {
                return None;
            }
            match TAKEN.compare_exchange_weak(
                taken,
                taken | 1 << i,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(i),
                Err(now) => taken = now,
            }
        }
    }

    pub fn end(reclaim: bool) {
        STATE.with(|s| {
            let depth = s.depth.get().saturating_sub(1);
            s.depth.set(depth);
            if depth > 0 || !reclaim || s.base.get() == 0 {
                return;
            }
            s.on.set(false);
            let base = s.base.get();
            let high = s.high.get().max(s.cur.get());
            #[cfg(debug_assertions)]
            // SAFETY: base..high is this thread's slab, writable, and nothing in it is alive (the
            // session contract); poisoning it makes a use after the session fail loudly in tests.
            unsafe {
                ptr::write_bytes(base as *mut u8, 0xa5, high - base);
            }
            if high > base + KEEP {
                // SAFETY: the pages above `base + KEEP` are this thread's and hold nothing alive.
                unsafe {
                    libc::madvise(
                        (base + KEEP) as *mut libc::c_void,
                        high - base - KEEP,
                        libc::MADV_DONTNEED,
                    );
                }
            }
            s.cur.set(base);
            s.high.set(base);
            s.spilled.set(false);
        });
    }

    pub fn enter() -> bool {
        STATE.with(|s| {
            let was = s.on.get();
            if s.depth.get() > 0 && s.base.get() != 0 {
                s.on.set(true);
            }
            was
        })
    }

    pub fn leave(was_on: bool) {
        STATE.with(|s| s.on.set(was_on));
    }

    pub fn contained() -> bool {
        STATE.with(|s| s.depth.get() > 0 && s.base.get() != 0 && !s.spilled.get())
    }

    /// A bump allocation in this thread's slab, or null (not on, or full).
    #[inline]
    fn bump(layout: Layout) -> *mut u8 {
        STATE.with(|s| {
            if !s.on.get() {
                return ptr::null_mut();
            }
            let start = (s.cur.get() + layout.align() - 1) & !(layout.align() - 1);
            let end = start + layout.size();
            if end > s.committed.get() && !commit(s, end) {
                s.spilled.set(true);
                return ptr::null_mut();
            }
            s.cur.set(end);
            start as *mut u8
        })
    }

    /// Makes the slab writable up to `end` at least; false when it would leave the slab or the
    /// OS refuses.
    #[cold]
    fn commit(s: &State, end: usize) -> bool {
        let base = s.base.get();
        if end > base + SLAB {
            return false;
        }
        let from = s.committed.get();
        let to = (end.div_ceil(COMMIT) * COMMIT).min(base + SLAB);
        // SAFETY: from..to lies inside this thread's slab of the reserved range.
        let ok = unsafe {
            libc::mprotect(
                from as *mut libc::c_void,
                to - from,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        } == 0;
        if ok {
            s.committed.set(to);
        }
        ok
    }

    /// The global allocator: the arena while it is on, mimalloc otherwise.
    pub struct Arena;

    // SAFETY: arena blocks are distinct, aligned ranges of a writable slab owned by one thread;
    // everything else is mimalloc's. Arena memory is never returned by `dealloc` (the session's
    // end takes it back, when the library's contract says nothing in it is alive).
    unsafe impl GlobalAlloc for Arena {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = bump(layout);
            if !p.is_null() {
                return p;
            }
            // SAFETY: forwarded as is.
            unsafe { Heap.alloc(layout) }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = bump(layout);
            if !p.is_null() {
                // SAFETY: a fresh block of `layout.size()` bytes (reused pages are not zero).
                unsafe { ptr::write_bytes(p, 0, layout.size()) };
                return p;
            }
            // SAFETY: forwarded as is.
            unsafe { Heap.alloc_zeroed(layout) }
        }

        #[inline]
        unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
            if !in_region(p) {
                // SAFETY: not the arena's, so mimalloc's.
                unsafe { Heap.dealloc(p, layout) }
            }
        }

        unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if !in_region(p) {
                // SAFETY: mimalloc's block, grown or shrunk by mimalloc.
                return unsafe { Heap.realloc(p, layout, new_size) };
            }
            // The last block of this thread's arena grows or shrinks in place.
            let in_place = STATE.with(|s| {
                let last = p as usize + layout.size() == s.cur.get();
                if !last {
                    return new_size <= layout.size();
                }
                let end = p as usize + new_size;
                if end > s.committed.get() && !commit(s, end) {
                    return false;
                }
                s.high.set(s.high.get().max(s.cur.get()));
                s.cur.set(end);
                true
            });
            if in_place {
                return p;
            }
            // SAFETY: `new_size` is nonzero and, rounded to the alignment, fits (the caller's
            // contract for `realloc`).
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: as for `alloc`.
            let q = unsafe { self.alloc(new_layout) };
            if !q.is_null() {
                // SAFETY: both blocks are valid for the smaller size and do not overlap.
                unsafe { ptr::copy_nonoverlapping(p, q, layout.size().min(new_size)) };
            }
            q
        }
    }
}
