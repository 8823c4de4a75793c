//! Large host buffers. Fresh memory costs the kernel a page fault per 4 KiB page
//! on first touch: before this module, a third of the CPU time of a 10M-point
//! render went to faults. Asking Linux for transparent huge pages (2 MiB) on the
//! large buffers cuts their faults about 500-fold; elsewhere it does nothing.
//! Also the allocator settings and counters of the long-running viewer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Below this size a buffer keeps ordinary pages.
const HUGE_MIN_BYTES: usize = 8 << 20;

/// `n` zeroed elements, on huge pages where the OS allows. The allocation is
/// zeroed by the allocator (calloc: fresh pages, untouched), so the advice comes
/// before the first fault.
pub fn zeroed_vec<T: bytemuck::Zeroable + Clone>(n: usize) -> Vec<T> {
    let mut v: Vec<T> = bytemuck::allocation::zeroed_vec(n);
    advise_huge(&mut v);
    v
}

/// An empty vector with room for `n` elements, on huge pages where the OS
/// allows: for a buffer that is written whole before it is read.
pub fn huge_capacity<T>(n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise_huge_at(v.as_mut_ptr() as usize, n * std::mem::size_of::<T>());
    v
}

/// Ask for huge pages for the memory behind `buf` (only its untouched pages benefit).
pub fn advise_huge<T>(buf: &mut [T]) {
    advise_huge_at(buf.as_mut_ptr() as usize, std::mem::size_of_val(buf));
}

/// [`advise_huge`] for the `bytes` bytes from address `start`, which the
/// caller owns.
fn advise_huge_at(start: usize, bytes: usize) {
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let aligned = start.next_multiple_of(PAGE);
        let len = (start + bytes).saturating_sub(aligned) / PAGE * PAGE;
        // SAFETY: the range lies inside an allocation the caller owns; MADV_HUGEPAGE
        // is only advice and leaves the contents as they are. A failure (no THP in
        // this kernel) changes nothing, so its result is ignored.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

/// Allocations of this size and more get their own mapping, given back to the
/// OS when freed.
const OWN_MAPPING_BYTES: i32 = 1 << 20;

/// Make glibc hand freed large blocks back to the OS, for a long-running
/// process such as the viewer. By default glibc raises its mmap threshold each
/// time a mapped block is freed (up to 32 MiB), after which blocks of that size
/// come from the heap, where the holes that a mix of frame sizes leaves keep
/// resident memory high: the viewer's resting memory rose 262 -> 325 MB over
/// 90 s of random input (tests/soak.rs). A fixed 1 MiB threshold keeps it flat
/// (212 -> 213 MB). The trim threshold is fixed too: it had risen with the
/// mmap threshold. The price: every large buffer is fresh memory, faulted in
/// (a streamed pass over 100M points took 12 s instead of 4.6 s with it, so
/// streaming does without). Elsewhere (musl, macOS, Windows) it does nothing.
pub(crate) fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; a fixed threshold also
    // stops glibc's dynamic adjustment. A refusal (0) leaves the defaults.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_BYTES);
        // The dynamic threshold also raised the trim threshold (to twice its
        // own, up to 64 MiB): the heap's free top would stay resident.
        libc::mallopt(libc::M_TRIM_THRESHOLD, OWN_MAPPING_BYTES);
    }
}

/// Hand the free memory of every malloc arena back to the OS, for the viewer
/// at rest. Software Vulkan (lavapipe) bins a frame's triangles in many small
/// blocks on its own threads; freed, they stay resident in that thread's
/// arena whenever a block still in use sits above them, which no threshold
/// reaches. In the soak test (tests/soak.rs) beside another busy process,
/// such an arena held 64-75 MB free at rest (glibc's `malloc_stats`), and the
/// viewer's resting memory stayed 25-50 % above where it started; this call
/// gave it back (281 -> 210 MB, 337 -> 247 MB). Elsewhere it does nothing.
pub(crate) fn trim_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns whole free pages of the allocator's
    // arenas to the OS; every allocation stays as it is.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The bytes this process holds through malloc: glibc's count of the blocks
/// in use in its arenas plus its own mappings (`mallinfo2`), the GPU
/// driver's allocations included (lavapipe keeps buffers there), the free
/// memory the allocator keeps excluded. What a leak would grow, whatever the
/// allocator's fragmentation does to the resident memory. `None` off glibc.
pub(crate) fn allocated_bytes() -> Option<u64> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallinfo2 only reads the allocator's counters (under its locks).
        let m = unsafe { libc::mallinfo2() };
        Some((m.uordblks + m.hblkhd) as u64)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

/// The `pointillist` binary's global allocator: the system's, counting the
/// bytes live through it. The viewer's `-v` line at rest reports them apart
/// from glibc's total (`allocated_bytes`), which also holds the GPU
/// driver's own memory: lavapipe's shader variants, compiled by LLVM on the
/// first draw of each pipeline state and kept, came as steps of 17-53 MB at
/// random moments of a session (heaptrack: thousands of small blocks
/// allocated on lavapipe's threads), which no code of ours holds or frees.
pub struct CountingAlloc;

/// Bytes live through [`CountingAlloc`]: zero where it is not installed.
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to the system allocator with the caller's own
// arguments; the counter only adds what it handed out and subtracts what
// came back, so the allocator's contract is the system's.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        counted(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let p = counted(unsafe { System.realloc(ptr, layout, new_size) }, new_size);
        if !p.is_null() {
            // After the new size: the old one was counted, so no underflow.
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        p
    }
}

/// `p`, with its `size` bytes counted as live unless the allocation failed.
fn counted(p: *mut u8, size: usize) -> *mut u8 {
    if !p.is_null() {
        LIVE.fetch_add(size, Relaxed);
    }
    p
}

/// The bytes live through [`CountingAlloc`]: what Rust code (pointillist's,
/// wgpu's) holds on the heap, the GPU driver's C allocations left out.
/// `None` where the process does not use it (the Python module, tests).
pub fn heap_bytes() -> Option<u64> {
    match LIVE.load(Relaxed) {
        0 => None,
        n => Some(n as u64),
    }
}

/// A field of Linux's `/proc/self/status` in bytes (`VmRSS`, `VmHWM`);
/// `None` elsewhere.
pub(crate) fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status.lines().find_map(|l| {
        l.strip_prefix(field)?
            .strip_prefix(':')?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse::<u64>()
            .ok()
    })?;
    Some(kb * 1024)
}

/// The peak resident memory of this process so far, in bytes: Linux's
/// `VmHWM`, else getrusage's maximum (on Linux that one also holds the
/// parent's peak at the fork that started this process, so a big parent
/// would show through). `None` where neither answers.
pub fn peak_resident_bytes() -> Option<u64> {
    if let Some(bytes) = status_bytes("VmHWM") {
        return Some(bytes);
    }
    #[cfg(unix)]
    {
        // SAFETY: getrusage fills the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            // Kilobytes on Linux, bytes on macOS.
            let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
            return Some(usage.ru_maxrss as u64 * unit);
        }
    }
    None
}

/// glibc's highest mmap threshold (32 MiB on 64-bit), and a trim threshold
/// well above a streamed pass's working memory.
const HEAP_BYTES: i32 = 32 << 20;
const KEEP_FREED_BYTES: i32 = 512 << 20;

/// Make glibc keep freed blocks up to 32 MiB for reuse, for a streamed pass:
/// each batch's vectors (a row group of a million rows is 8 MB a column)
/// then come from the heap the last batch left, instead of fresh pages the
/// kernel zeroes and faults in one by one. A streamed density render of 100M
/// Parquet points here took 3.5 s instead of 4.6 s, its peak 158 MB instead
/// of 124 MB. The kept memory is bounded by the batches in flight.
pub(crate) fn reuse_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters. A refusal (0) leaves
    // the defaults.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, HEAP_BYTES);
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_FREED_BYTES);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn zeroed_vec_is_zero_and_writable() {
        let mut v: Vec<[f32; 2]> = super::zeroed_vec(3 << 20);
        assert!(v.iter().all(|p| *p == [0.0, 0.0]));
        v[12345] = [1.0, 2.0];
        assert_eq!(v[12345], [1.0, 2.0]);
        assert_eq!(v.len(), 3 << 20);
    }

    /// Whatever other tests allocate or free meanwhile, a live 256 MB block
    /// is part of what the process holds (glibc maps it: counted only if the
    /// mapped blocks are).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn allocated_bytes_count_a_live_mapped_block() {
        let v: Vec<u8> = super::zeroed_vec(256 << 20);
        let held = super::allocated_bytes().expect("glibc");
        assert!(held >= 256 << 20, "{held} bytes");
        drop(v);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn status_bytes_reads_proc() {
        let rss = super::status_bytes("VmRSS").expect("VmRSS");
        let peak = super::status_bytes("VmHWM").expect("VmHWM");
        assert!(rss > 0 && peak >= rss, "{rss} {peak}");
        assert_eq!(super::status_bytes("Vm"), None);
        assert_eq!(super::status_bytes("NoSuchField"), None);
    }

    /// The peak holds a block touched after the last reading.
    #[cfg(target_os = "linux")]
    #[test]
    fn peak_resident_bytes_rise_with_a_touched_block() {
        let before = super::peak_resident_bytes().expect("VmHWM");
        let v: Vec<u8> = vec![1; (before + (64 << 20)) as usize];
        let after = super::peak_resident_bytes().expect("VmHWM");
        assert!(after >= v.len() as u64, "{before} -> {after}");
        drop(v);
    }
}
