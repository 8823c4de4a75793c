//! The context is reused: many renders through one context make one device
//! and give the right picture each time (memory: tests/memory.rs, a process
//! of its own).

use crate::context::Context;
use crate::data::Points;
use crate::figure::Figure;
use crate::gpu::devices_created;
use crate::options::{Dataset, Mode};

#[test]
fn a_hundred_renders_through_one_context_make_one_device() {
    let before = devices_created();
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let mut ctx = Context::from_gpu(gpu);
    let points = Points::generate(Dataset::Uniform, 100_000, 5).unwrap();
    let (w, h) = (96, 64);
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
    }
    // One device for the 100 renders, plus one for each fresh comparison.
    assert_eq!(devices_created() - before, 1 + 4);
}
