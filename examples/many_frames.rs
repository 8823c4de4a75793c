//! Many renders through one context: a zoom into the data, one frame per
//! step, each written as a PNG (the pipelines, textures and target are made
//! once). Prints the median time a render takes.
//!
//! Run: `cargo run --release --example many_frames [FRAMES] [POINTS] [OUT_DIR]`.

use std::time::Instant;

use pointillist::{Context, Dataset, Figure, Points};

fn main() -> pointillist::Result<()> {
    let mut args = std::env::args().skip(1);
    let frames: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = args.next();
    let points = Points::generate(Dataset::Clusters, n, 1)?;
    let (x0, x1) = points.x_range().unwrap_or((0.0, 1.0));
    let (y0, y1) = points.y_range().unwrap_or((0.0, 1.0));
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let mut ctx = Context::new()?;
    let mut times = Vec::new();
    for f in 0..frames {
        let half = 0.5 * 0.9f64.powi(f as i32);
        let figure = Figure {
            x_range: Some((cx - half * (x1 - x0), cx + half * (x1 - x0))),
            y_range: Some((cy - half * (y1 - y0), cy + half * (y1 - y0))),
            title: Some(format!("frame {f}")),
            ..Figure::default()
        };
        let start = Instant::now();
        let image = ctx.render(&points, &figure)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        if let Some(dir) = &dir {
            image.save_png(format!("{dir}/frame-{f:03}.png"))?;
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{frames} renders of {n} points at 1920x1080 on {}: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        ctx.adapter(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    Ok(())
}
