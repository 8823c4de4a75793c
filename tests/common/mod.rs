//! Shared test helpers: a GPU adapter (skipped locally when none exists, a
//! failure under CI=true) and image comparison that leaves evidence on failure.

#![allow(dead_code)]

use std::path::PathBuf;

use pointillist::gpu::Gpu;
use pointillist::reference::compare;
use pointillist::render::target::write_png;

pub fn gpu() -> Option<Gpu> {
    match Gpu::headless() {
        Ok(gpu) => Some(gpu),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and no GPU adapter: {e}")
        }
        Err(e) => {
            eprintln!("skipping: no GPU adapter ({e})");
            None
        }
    }
}

pub fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("images");
    std::fs::create_dir_all(&dir).expect("create test image folder");
    dir
}

/// Compare `actual` with `expected` (RGBA8, `size`); on failure write
/// NAME-actual.png, NAME-expected.png and NAME-diff.png and panic with the figures.
pub fn assert_images_close(
    name: &str,
    size: (u32, u32),
    actual: &[u8],
    expected: &[u8],
    max_mean: f64,
    max_bad: f64,
) {
    let d = compare(actual, expected);
    let dir = output_dir();
    write_png(
        &dir.join(format!("{name}-actual.png")),
        size.0,
        size.1,
        actual,
    )
    .unwrap();
    if d.mean > max_mean || d.bad_fraction > max_bad {
        write_png(
            &dir.join(format!("{name}-expected.png")),
            size.0,
            size.1,
            expected,
        )
        .unwrap();
        write_png(
            &dir.join(format!("{name}-diff.png")),
            size.0,
            size.1,
            &d.diff_image,
        )
        .unwrap();
        panic!(
            "{name}: images differ (mean {:.3} > {max_mean} or bad fraction {:.5} > {max_bad}; max {}); see {}",
            d.mean,
            d.bad_fraction,
            d.max,
            dir.display()
        );
    }
}

/// Write `rgba` for a person to look at, under the test output folder.
pub fn save_image(name: &str, size: (u32, u32), rgba: &[u8]) {
    write_png(
        &output_dir().join(format!("{name}-actual.png")),
        size.0,
        size.1,
        rgba,
    )
    .unwrap();
}

/// Compare with the checked-in reference tests/golden/NAME.png (within
/// tolerance; NAME-actual/-diff images on failure). `UPDATE_GOLDEN=1` rewrites
/// the reference; a missing one is written locally but fails under CI.
pub fn assert_golden(name: &str, size: (u32, u32), rgba: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.png"));
    let ci = std::env::var("CI").as_deref() == Ok("true");
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") || (!path.exists() && !ci) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_png(&path, size.0, size.1, rgba).unwrap();
        eprintln!("wrote reference {}", path.display());
        return;
    }
    let (w, h, expected) = pointillist::render::target::read_png(&path)
        .unwrap_or_else(|e| panic!("reference image {}: {e}", path.display()));
    assert_eq!(
        (w, h),
        size,
        "reference {} has another size",
        path.display()
    );
    assert_images_close(name, size, rgba, &expected, 0.5, 0.002);
}
