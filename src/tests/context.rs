//! The context is reused: many renders through one context make one device,
//! give the right picture each time, and do not grow the process.

use crate::context::Context;
use crate::data::Points;
use crate::figure::Figure;
use crate::gpu::devices_created;
use crate::options::{Dataset, Mode};

/// Resident set size of this process, in bytes (Linux).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

#[test]
fn a_hundred_renders_through_one_context_make_one_device_and_stay_flat() {
    let before = devices_created();
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let mut ctx = Context::from_gpu(gpu);
    let points = Points::generate(Dataset::Uniform, 100_000, 5).unwrap();
    let (w, h) = (96, 64);
    let mut rss_after_warm_up = 0;
    for i in 0..100 {
        // Values x+y of uniform points run over [0, 2]; each render fixes
        // another colour range, so the colours of one pixel move with it.
        let hi = 0.5 + i as f64 * 0.05;
        let fig = Figure {
            width: w,
            height: h,
            mode: Mode::Points,
            range: Some((0.0, hi)),
            axes: false,
            point_size: 1.0,
            ..Figure::default()
        };
        let img = ctx.render(&points, &fig).unwrap();
        // The reused pipelines draw what a fresh render draws.
        if i % 33 == 0 {
            let mut fresh = Context::from_gpu(crate::gpu::Gpu::headless().unwrap());
            assert_eq!(img, fresh.render(&points, &fig).unwrap(), "render {i}");
        }
        if i == 9 {
            rss_after_warm_up = rss();
        }
    }
    // One device for the 100 renders, plus one for each fresh comparison.
    assert_eq!(devices_created() - before, 1 + 4);
    let growth = rss().saturating_sub(rss_after_warm_up);
    assert!(
        growth < 64 << 20,
        "the process grew by {} MB over 90 renders",
        growth >> 20
    );
}
