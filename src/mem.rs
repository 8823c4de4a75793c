//! Large host buffers. Fresh memory costs the kernel a page fault per 4 KiB page
//! on first touch: before this module, a third of the CPU time of a 10M-point
//! render went to faults. Asking Linux for transparent huge pages (2 MiB) on the
//! large buffers cuts their faults about 500-fold; elsewhere it does nothing.

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

/// Ask for huge pages for the memory behind `buf` (only its untouched pages benefit).
pub fn advise_huge<T>(buf: &mut [T]) {
    let bytes = std::mem::size_of_val(buf);
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = buf.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(PAGE);
        let len = (start + bytes).saturating_sub(aligned) / PAGE * PAGE;
        // SAFETY: the range lies inside `buf`, which we borrow mutably; MADV_HUGEPAGE
        // is only advice and leaves the contents as they are. A failure (no THP in
        // this kernel) changes nothing, so its result is ignored.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
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
}
