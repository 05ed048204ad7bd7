//! The allocator: mimalloc for the search threads, glibc's malloc for the rest.
//!
//! Why two: a search allocates and frees a few hundred small blocks on a pool
//! thread, and the HTTP worker frees the results it serialized. With glibc's arenas
//! shared between threads (capped at two to keep the resident size down), those
//! allocations and frees took arena locks other threads held: 4.7 futex calls per
//! request, and the CPU of an uncached search moved between 0.40 and 0.55 ms from
//! one start of the same binary to the next, depending on which threads happened to
//! share an arena. mimalloc's heaps are per thread, and a free from another thread
//! is one atomic push: with the search threads on it, 0.34-0.36 ms per request on
//! every start (0.32-0.33 with mimalloc for the whole process).
//!
//! mimalloc everywhere was tried: the reload path (a thread per commit in Tantivy,
//! rayon's builders, the merge threads) left partly used pages in the heaps of
//! threads that went idle or ended, and the resident size after a few hundred
//! reloads was 165 MB where glibc, trimmed when the reload thread goes quiet, stays
//! under 100. So only the threads that run queries allocate from mimalloc
//! ([`use_mimalloc_here`]); a block is freed by the allocator that owns it, found by
//! mimalloc's page map, whichever thread frees it.
//!
//! The allocator is set in the library, not only in the service's `main`, so that
//! the tests, benches and examples run on what the service runs on.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::os::raw::c_long;
use std::time::Duration;

use libmimalloc_sys::{
    mi_collect, mi_free, mi_is_in_heap_region, mi_malloc_aligned, mi_option_set, mi_option_t,
    mi_realloc_aligned, mi_zalloc_aligned,
};

thread_local! {
    /// Whether this thread allocates from mimalloc.
    static MIMALLOC: Cell<bool> = const { Cell::new(false) };
}

/// From now on, this thread's allocations come from mimalloc (see the module doc).
pub fn use_mimalloc_here() {
    MIMALLOC.with(|m| m.set(true));
}

fn on_mimalloc() -> bool {
    // During thread teardown the flag may be gone: glibc then.
    MIMALLOC.try_with(Cell::get).unwrap_or(false)
}

/// Dispatches to mimalloc or glibc's malloc by thread (allocation) and by owner
/// (free, resize).
pub struct Allocator;

// SAFETY: every block is allocated by one of two allocators that meet
// `GlobalAlloc`'s contract, and freed or resized by the same one:
// `mi_is_in_heap_region` is true exactly for addresses of mimalloc's pages.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if on_mimalloc() {
            // SAFETY: as GlobalAlloc::alloc; mimalloc honours any alignment.
            unsafe { mi_malloc_aligned(layout.size(), layout.align()).cast() }
        } else {
            // SAFETY: forwarded with the caller's layout.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if on_mimalloc() {
            // SAFETY: as above.
            unsafe { mi_zalloc_aligned(layout.size(), layout.align()).cast() }
        } else {
            // SAFETY: forwarded with the caller's layout.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of this allocator (caller's contract), and
        // the page map tells which of the two allocated it.
        unsafe {
            if mi_is_in_heap_region(ptr.cast()) {
                mi_free(ptr.cast());
            } else {
                System.dealloc(ptr, layout);
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as dealloc; a block stays with the allocator that owns it.
        unsafe {
            if mi_is_in_heap_region(ptr.cast()) {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            } else {
                System.realloc(ptr, layout, new_size)
            }
        }
    }
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

// Option numbers of mimalloc 3's `mi_option_e` (include/mimalloc.h); the Rust
// bindings name only those that v2 shares. The test below checks them against the
// defaults the linked library reports.
/// Commit an arena's memory when it is reserved (2: on systems that overcommit).
const ARENA_EAGER_COMMIT: mi_option_t = 4;
/// Milliseconds between freeing memory and returning it to the system.
const PURGE_DELAY: mi_option_t = 15;

/// How long freed memory stays committed: long enough that a query's short-lived
/// buffers are reused rather than returned and faulted in again on the next query
/// (no purge delay at all cost 5 % more CPU per request), far shorter than the
/// default second, after which an idle service kept a reload's garbage resident.
const PURGE_DELAY_MS: c_long = 50;

/// Tunes glibc's malloc (everything but the search threads) for a long-lived server
/// whose content is replaced piece by piece. Two arenas: by default it grows up to
/// eight per core as threads allocate (HTTP workers, the reloader, Tantivy's
/// indexing and merge threads), and memory freed in one arena is not reused by another: over 200
/// reloads of the whole roadmap.sh (`bench/reload.py`) the resident size settled at
/// 158–197 MB with eight arenas and at 133–152 MB with two, at no measurable cost in
/// speed on two cores. A fixed mmap threshold: glibc raises it (up to 32 MB) each
/// time a large block is freed (the 29 MB saved content read at start-up raises it
/// to that), after which a reload's transient buffers land in the heap between
/// long-lived small blocks and the pages they leave cannot be returned; with the
/// threshold fixed, blocks above it are mapped and unmapped whole (over 200
/// one-topic reloads: 116 MB resident without, 101 MB with). 4 MiB, not glibc's
/// starting 128 KiB: a query builds Levenshtein automata of 0.5-1 MB, and mapping
/// those per query cost 7 page faults and 7 % more CPU per request (and TLB
/// shootdowns between the cores), for no lower resident size.
/// A high trim threshold: with the mmap threshold fixed, glibc keeps its trim
/// threshold at 128 KiB, and every free that left more than that on top of a heap
/// handed the pages back (`madvise`) for the next reload or query to fault in again
/// (Tantivy's 1 MB arenas and 1.5 MB channel on every commit, the automata of every
/// query). The reload thread returns free memory itself when it goes quiet
/// (`malloc_trim`), so the resident size after a burst is the same.
/// `MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` in the
/// environment still win.
fn tune_glibc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: mallopt only sets a tunable of the allocator; called before the
            // service starts any thread.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: as above. Setting it explicitly is what turns the dynamic
            // adjustment off.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
            }
        }
        if std::env::var_os("MALLOC_TRIM_THRESHOLD_").is_none() {
            // SAFETY: as above.
            unsafe {
                libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
            }
        }
    }
}

/// Sets both allocators' options; call first thing in `main`, before any thread
/// starts. A `MIMALLOC_*` or `MALLOC_*` variable in the environment wins over the
/// value set here.
pub fn tune() {
    tune_glibc();
    let set = |name: &str, option: mi_option_t, value: c_long| {
        if std::env::var_os(name).is_none() {
            // SAFETY: mi_option_set stores one integer setting of the allocator;
            // it is thread-safe and touches no allocation.
            unsafe { mi_option_set(option, value) }
        }
    };
    // Commit arena pages as they are used: an eagerly committed arena grew the
    // resident size by tens of MB of huge pages (transparent huge pages are on).
    set("MIMALLOC_ARENA_EAGER_COMMIT", ARENA_EAGER_COMMIT, 0);
    set("MIMALLOC_PURGE_DELAY", PURGE_DELAY, PURGE_DELAY_MS);
}

/// How long a thread (the reload thread, a search thread) stays quiet before it
/// returns the memory it freed to the system: a burst of edits or of queries reuses
/// that memory instead.
pub const RELEASE_AFTER: Duration = Duration::from_millis(250);

/// Hands memory freed by replaced resources back to the system. A publication frees
/// the previous snapshot's resources, scattered over the heap, where glibc keeps
/// them resident (the check of restored content replaces every resource at once:
/// about 60 MB at full size; over 500 reloads the resident size settled 40 MB
/// higher without this); `malloc_trim` releases free pages wherever they are, and
/// `mi_collect` purges what the search threads freed (mimalloc would purge it only
/// when one of them next allocates).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator to the system;
    // it touches no live allocation and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
    // SAFETY: mi_collect(true) frees this thread's empty pages and purges every
    // arena's free ranges; it touches no live allocation and is thread-safe.
    unsafe { mi_collect(true) }
}

/// Returns the memory this thread's mimalloc heap holds free (a search thread going
/// quiet): mimalloc keeps a thread's empty pages for its next allocations, and a
/// thread that stops allocating would keep them for good.
pub fn release_thread_memory() {
    // SAFETY: as in release_free_memory.
    unsafe { mi_collect(true) }
}

#[cfg(test)]
mod tests {
    use libmimalloc_sys::mi_option_get;

    use super::*;

    /// The option numbers above name the options they are meant to: this process
    /// never calls [`tune`], so the linked library reports its own defaults.
    #[test]
    fn option_numbers_match_the_linked_mimalloc() {
        // SAFETY: reading an option is thread-safe.
        let (eager, delay) = unsafe {
            (
                mi_option_get(ARENA_EAGER_COMMIT),
                mi_option_get(PURGE_DELAY),
            )
        };
        assert_eq!(eager, 2, "arena_eager_commit's default");
        assert_eq!(delay, 1000, "purge_delay's default");
    }

    /// A block goes back to the allocator that made it, whichever thread frees or
    /// grows it: the search threads' results are freed by the HTTP workers.
    #[test]
    fn blocks_go_back_to_the_allocator_that_made_them() {
        let on_mimalloc = |p: *const u8| unsafe { mi_is_in_heap_region(p.cast()) };
        let made_by_search = std::thread::spawn(|| {
            use_mimalloc_here();
            let aligned = std::alloc::Layout::from_size_align(64, 4096).expect("layout");
            // SAFETY: a non-zero size; freed below with the same layout.
            let page = unsafe { std::alloc::alloc(aligned) };
            assert!(!page.is_null() && (page as usize).is_multiple_of(4096));
            // SAFETY: allocated above with this layout.
            unsafe { std::alloc::dealloc(page, aligned) };
            vec![1u8; 1000]
        })
        .join()
        .expect("joined");
        assert!(on_mimalloc(made_by_search.as_ptr()));
        // Grown on a glibc thread: still mimalloc's, contents kept.
        let mut grown = made_by_search;
        grown.resize(100_000, 2);
        assert!(on_mimalloc(grown.as_ptr()));
        assert_eq!((grown[0], grown[99_999]), (1, 2));
        let made_here = vec![3u8; 1000];
        assert!(!on_mimalloc(made_here.as_ptr()));
        // Both freed on a mimalloc thread.
        std::thread::spawn(move || {
            use_mimalloc_here();
            drop(made_here);
            drop(grown);
        })
        .join()
        .expect("joined");
    }
}
