//! A one-shot bump allocator for guests (feature `arena`, on by default).
//!
//! The host gives every evaluation a fresh instance and throws it away
//! afterwards, so a guest never needs to give memory back. Serving
//! allocations from a zeroed static arena (which lives in `.bss`: it costs
//! nothing in the module and nothing at instantiation until a page is
//! touched) means a typical evaluation never calls `memory.grow`, which is
//! the single most expensive thing a fresh instance can do. Past the arena,
//! memory is grown page by page as usual, so the host's memory limit still
//! applies; an allocation the host refuses fails like any out-of-memory.

#[cfg(all(target_arch = "wasm32", feature = "arena"))]
mod imp {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    /// 1 MiB: a white-box evaluation with dozens of indicators allocates a
    /// few KiB; 1 MiB leaves room for models that build lookup tables while
    /// keeping the instance's initial memory small.
    const ARENA_BYTES: usize = 1 << 20;
    const PAGE: usize = 65_536;

    #[repr(C, align(16))]
    struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

    struct Bump {
        /// Next free address.
        next: UnsafeCell<usize>,
        /// End of the current region (arena, then grown pages).
        end: UnsafeCell<usize>,
        /// Start of the most recent allocation, for in-place realloc/free.
        last: UnsafeCell<usize>,
    }

    // SAFETY: wasm32 guests of this host are single-threaded.
    unsafe impl Sync for Arena {}
    unsafe impl Sync for Bump {}

    static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_BYTES]));
    static BUMP: Bump = Bump {
        next: UnsafeCell::new(0),
        end: UnsafeCell::new(0),
        last: UnsafeCell::new(0),
    };

    impl Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe {
                let next = &mut *self.next.get();
                let end = &mut *self.end.get();
                if *end == 0 {
                    *next = ARENA.0.get() as usize;
                    *end = *next + ARENA_BYTES;
                }
                let align = layout.align().max(1);
                let mut start = (*next + align - 1) & !(align - 1);
                if start.checked_add(layout.size()).is_none_or(|e| e > *end) {
                    // Grow linear memory: fresh pages are zeroed and contiguous
                    // only if nothing else grew memory, so start a new region.
                    let need = layout.size() + align;
                    let pages = need.div_ceil(PAGE);
                    let prev = core::arch::wasm32::memory_grow(0, pages);
                    if prev == usize::MAX {
                        return core::ptr::null_mut();
                    }
                    let region = prev * PAGE;
                    *end = region + pages * PAGE;
                    start = (region + align - 1) & !(align - 1);
                }
                *next = start + layout.size();
                *self.last.get() = start;
                start as *mut u8
            }
        }
    }

    /// The global allocator installed by the SDK on wasm32.
    pub struct ArenaAlloc;

    unsafe impl GlobalAlloc for ArenaAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { BUMP.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // Both the arena and freshly grown pages start zeroed, but a
            // block given back by `dealloc` and handed out again may not be.
            let p = unsafe { self.alloc(layout) };
            if !p.is_null() {
                unsafe { core::ptr::write_bytes(p, 0, layout.size()) };
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe {
                // Only the most recent block can be given back.
                if ptr as usize == *BUMP.last.get()
                    && ptr as usize + layout.size() == *BUMP.next.get()
                {
                    *BUMP.next.get() = ptr as usize;
                }
            }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            unsafe {
                let next = &mut *BUMP.next.get();
                let end = *BUMP.end.get();
                // Grow or shrink the most recent block in place.
                if ptr as usize == *BUMP.last.get()
                    && ptr as usize + layout.size() == *next
                    && (ptr as usize)
                        .checked_add(new_size)
                        .is_some_and(|e| e <= end)
                {
                    *next = ptr as usize + new_size;
                    return ptr;
                }
                let new = BUMP.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                }
                new
            }
        }
    }

    #[global_allocator]
    static GLOBAL: ArenaAlloc = ArenaAlloc;
}
