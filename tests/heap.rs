//! The counting allocator that the `pointillist` binary installs (its
//! viewer's `-v` line at rest reports the heap from it, and tests/soak.rs
//! bounds that): installed here too, in a test binary of its own with one
//! test, so that no other test allocates or frees at the same time.

use pointillist::{heap_bytes, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const MB: u64 = 1 << 20;

#[test]
fn the_counted_heap_follows_allocations_reallocations_and_frees() {
    let start = heap_bytes().expect("the counting allocator is installed");
    let mut v: Vec<u8> = Vec::with_capacity(64 << 20);
    v.push(1);
    let grown = heap_bytes().unwrap();
    assert!(
        grown >= start + 64 * MB && grown < start + 65 * MB,
        "{start} -> {grown} bytes after a 64 MiB allocation"
    );
    v.reserve_exact(128 << 20); // a reallocation to 128 MiB + 1 byte
    let moved = heap_bytes().unwrap();
    assert!(
        moved >= start + 128 * MB && moved < start + 129 * MB,
        "{start} -> {moved} bytes after growing it to 128 MiB"
    );
    let zeroed = vec![0u32; 4 << 20]; // alloc_zeroed: 16 MiB
    let with_zeroed = heap_bytes().unwrap();
    assert!(with_zeroed >= moved + 16 * MB && with_zeroed < moved + 17 * MB);
    drop(zeroed);
    drop(v);
    let end = heap_bytes().unwrap();
    assert!(
        end < start + MB,
        "{start} -> {end} bytes after freeing everything"
    );
}
