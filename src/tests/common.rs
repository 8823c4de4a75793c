//! Shared test helpers: a GPU adapter (skipped locally when none exists, a
//! failure under CI=true) and image comparison that leaves evidence on failure.

use std::path::PathBuf;

use crate::context::{render_reusing, Rendered, Reuse, Timings};
use crate::figure::Look;
use crate::gpu::Gpu;
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
    let (w, h, expected) = crate::render::target::read_png(&path)
        .unwrap_or_else(|e| panic!("reference image {}: {e}", path.display()));
    assert_eq!(
        (w, h),
        size,
        "reference {} has another size",
        path.display()
    );
    assert_images_close(name, size, rgba, &expected, 0.5, 0.002);
}
