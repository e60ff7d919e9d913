//! A global allocator that counts, for heap accounting per operation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Counts allocations and bytes, passing everything to the system allocator.
pub struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated and not freed by the threads that asked to be counted.
static LIVE: AtomicI64 = AtomicI64::new(0);

thread_local! {
    // Const-initialised and without a destructor: safe to read inside the allocator.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

/// Adds `bytes` to the live bytes if this thread is counted.
fn live(bytes: i64) {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        LIVE.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// From now on, what this thread allocates and frees counts in [`live_bytes`] (a client's
/// threads, not the sandbox's server threads in the same process).
pub fn count_live_bytes_on_this_thread() {
    COUNTED.with(|counted| counted.set(true));
}

/// Bytes the counted threads allocated and did not free (only meaningful in a program
/// whose global allocator is [`Counting`]).
pub fn live_bytes() -> i64 {
    LIVE.load(Ordering::Relaxed)
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are atomics.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        live(layout.size() as i64);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live(-(layout.size() as i64));
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        live(new_size as i64 - layout.size() as i64);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations and bytes so far.
pub fn snapshot() -> (u64, u64) {
    (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    )
}

/// Allocations and bytes `f` made, per call, over `runs` calls (only meaningful in a
/// program whose global allocator is [`Counting`]).
pub fn per_call(runs: u64, mut f: impl FnMut()) -> (f64, f64) {
    let (a0, b0) = snapshot();
    for _ in 0..runs {
        f();
    }
    let (a1, b1) = snapshot();
    (
        (a1 - a0) as f64 / runs as f64,
        (b1 - b0) as f64 / runs as f64,
    )
}
