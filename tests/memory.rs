//! 100 renders of 100,000 points through one context, each with another
//! value range, leave the process's resident memory flat. A test binary of
//! its own: other tests running in the same process would move the figure.

mod common;

use pointillist::{Dataset, Figure, Mode, Points};

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

/// Splat frames of a plot area with margins (axes on) once grew the process
/// by ~0.55 MB a render on lavapipe (Mesa 22.3: the resolve shader read
/// `@builtin(position)`); this is the test that found it.
#[test]
fn a_hundred_renders_through_one_context_keep_memory_flat() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let points = Points::generate(Dataset::Uniform, 100_000, 5).unwrap();
    let mut after_warm_up = 0;
    let mut last = None;
    for i in 0..100 {
        let fig = Figure {
            width: 320,
            height: 200,
            mode: if i % 2 == 0 {
                Mode::Points
            } else {
                Mode::Splat
            },
            range: Some((0.0, 0.5 + i as f64 * 0.05)),
            ..Figure::default()
        };
        let img = ctx.render(&points, &fig).unwrap();
        // Another range, another picture.
        assert_ne!(Some(&img), last.as_ref(), "render {i}");
        last = Some(img);
        if i == 9 {
            after_warm_up = rss();
        }
    }
    let growth = rss().saturating_sub(after_warm_up) as f64 / 1e6;
    eprintln!("resident memory grew by {growth:.1} MB over 90 renders");
    assert!(
        growth < 16.0,
        "the process grew by {growth:.1} MB over 90 renders"
    );
}
