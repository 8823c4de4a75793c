//! Shared test helpers: a GPU adapter (skipped locally when none exists, a
//! failure under CI=true) and image comparison that leaves evidence on failure.

use std::path::PathBuf;

use crate::context::{render_reusing, Reuse, Timings};
use crate::frame::Rendered;
use crate::gpu::Gpu;
use crate::plot::Look;
use crate::points::PointSet;
use crate::Result;

/// One render on `gpu` with nothing reused, in chunks of at most `chunk_points`.
pub fn render_plot(
    gpu: &Gpu,
    points: PointSet,
    look: &Look,
    size: (u32, u32),
    chunk_points: Option<usize>,
    times: &mut Timings,
    want_grid: bool,
) -> Result<Rendered> {
    let mut reuse = Reuse::default();
    render_reusing(
        gpu,
        points,
        look,
        size,
        chunk_points,
        times,
        want_grid,
        &mut reuse,
        None,
    )
}

/// [`render_plot`]'s image.
pub fn render_image(
    gpu: &Gpu,
    points: PointSet,
    look: &Look,
    size: (u32, u32),
    chunk_points: Option<usize>,
    times: &mut Timings,
) -> Result<Vec<u8>> {
    Ok(render_plot(gpu, points, look, size, chunk_points, times, false)?.rgba)
}
use crate::reference::compare;
use crate::render::target::write_png;

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

/// A scratch folder for test output (images to look at, fuzz cases).
pub fn tmp_dir() -> PathBuf {
    std::env::temp_dir().join("pointillist-tests")
}

pub fn output_dir() -> PathBuf {
    let dir = tmp_dir().join("images");
    std::fs::create_dir_all(&dir).expect("create test image folder");
    dir
}

/// Compare `actual` with `expected` (RGBA8, `size`): no channel of any pixel
/// may differ by more than `max_diff`, except in at most `outliers` pixels.
/// On failure write NAME-actual.png, NAME-expected.png and NAME-diff.png and
/// panic with the figures.
pub fn assert_images_close(
    name: &str,
    size: (u32, u32),
    actual: &[u8],
    expected: &[u8],
    max_diff: u8,
    outliers: usize,
) {
    let d = compare(actual, expected);
    let over = actual
        .chunks_exact(4)
        .zip(expected.chunks_exact(4))
        .filter(|(a, e)| a.iter().zip(*e).any(|(x, y)| x.abs_diff(*y) > max_diff))
        .count();
    let dir = output_dir();
    write_png(
        &dir.join(format!("{name}-actual.png")),
        size.0,
        size.1,
        actual,
    )
    .unwrap();
    if over > outliers {
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
            "{name}: {over} pixels differ by more than {max_diff} (allowed: {outliers}; max {}, mean {:.4}); see {}",
            d.max,
            d.mean,
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
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    // A reference is made by a person who looks at it, never by CI.
    assert!(
        !(ci && update),
        "UPDATE_GOLDEN=1 under CI=true: references are never rewritten by CI"
    );
    assert!(
        path.exists() || !ci,
        "reference {} is missing; CI does not make references",
        path.display()
    );
    if update || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_png(&path, size.0, size.1, rgba).unwrap();
        eprintln!("wrote reference {}", path.display());
        return;
    }
    let (w, h, expected) = crate::render::target::read_png(&path)
        .unwrap_or_else(|e| panic!("reference image {}: {e}", path.display()));
    assert_eq!(
        (w, h),
        size,
        "reference {} has another size",
        path.display()
    );
    // Same device and code: the same pixels, give or take rounding of blended text.
    assert_images_close(name, size, rgba, &expected, 2, 0);
}
