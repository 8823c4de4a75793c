//! Shared helpers of the tests of the public API and the binary: whether a
//! GPU adapter exists (skipped locally when none does, a failure under
//! CI=true), and image comparison that leaves evidence on failure.

#![allow(dead_code)]

use std::path::PathBuf;

pub mod window;

use pointillist::{Context, Image};

pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// A context on the default adapter, or `None` (with a note) where there is
/// none and this is not CI.
pub fn context() -> Option<Context> {
    match Context::new() {
        Ok(ctx) => Some(ctx),
        Err(e) if ci() => panic!("CI=true and no GPU adapter: {e}"),
        Err(e) => {
            eprintln!("skipping: no GPU adapter ({e})");
            None
        }
    }
}

/// Whether tests that need an adapter should run.
pub fn gpu() -> Option<()> {
    context().map(|_| ())
}

pub fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("images");
    std::fs::create_dir_all(&dir).expect("create test image folder");
    dir
}

/// Largest channel difference, and how many pixels differ at all.
pub fn differences(a: &Image, b: &Image) -> (u8, usize) {
    assert_eq!(
        (a.width, a.height),
        (b.width, b.height),
        "image sizes differ"
    );
    let mut max = 0;
    let mut pixels = 0;
    for (p, q) in a.rgba.chunks_exact(4).zip(b.rgba.chunks_exact(4)) {
        let d = p
            .iter()
            .zip(q)
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap_or(0);
        max = max.max(d);
        pixels += (d > 0) as usize;
    }
    (max, pixels)
}

/// The two images are identical; on failure NAME-actual.png and
/// NAME-expected.png are written for a person to look at.
pub fn assert_images_equal(name: &str, actual: &Image, expected: &Image) {
    assert_images_within(name, actual, expected, 0, 0);
}

/// The viewer's frame (drawn by the GPU) and `render`'s (the CPU frame, on
/// a machine without a hardware GPU): no channel differs by more than 1/255.
pub fn assert_frames_agree(name: &str, actual: &Image, expected: &Image) {
    assert_images_within(name, actual, expected, 1, usize::MAX);
}

/// At most `max_pixels` pixels differ, none by more than `max_diff`.
pub fn assert_images_within(
    name: &str,
    actual: &Image,
    expected: &Image,
    max_diff: u8,
    max_pixels: usize,
) {
    let (max, pixels) = differences(actual, expected);
    if max > max_diff || pixels > max_pixels {
        let dir = output_dir();
        actual
            .save_png(dir.join(format!("{name}-actual.png")))
            .unwrap();
        expected
            .save_png(dir.join(format!("{name}-expected.png")))
            .unwrap();
        panic!(
            "{name}: {pixels} pixels differ (by up to {max}); see {}",
            dir.display()
        );
    }
}
