//! The program pointillist grew from, written against its API.
//!
//! The original (Python):
//!
//! ```python
//! @numba.njit
//! def compute(x, y, positions):
//!     for i in range(len(x)):
//!         positions[i] = x[i] + y[i]
//! x, y = np.random.rand(100_000), np.random.rand(100_000)
//! compute(x, y, positions)
//! plt.scatter(x, y, c=positions); plt.colorbar(); plt.title("..."); plt.savefig("scatter.png")
//! ```
//!
//! Run: `cargo run --release --example scatter [OUT.png] [--view]`.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use pointillist::{Context, Figure, Points, Value, ViewOptions};

fn main() -> pointillist::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("scatter.png", String::as_str);
    let mut rng = SmallRng::seed_from_u64(42);
    let x: Vec<f64> = (0..100_000).map(|_| rng.random::<f64>()).collect();
    let y: Vec<f64> = (0..100_000).map(|_| rng.random::<f64>()).collect();

    // The per-point loop the Numba example jitted.
    let mut positions = vec![0.0f64; x.len()];
    for i in 0..x.len() {
        positions[i] = x[i] + y[i];
    }

    let points = Points::new(&x, &y)?.with_column("positions", &positions)?;
    let figure = Figure {
        value: Value::Column("positions".into()),
        title: Some("100,000 random points, coloured by x + y".into()),
        width: 1280,
        height: 800,
        ..Figure::default()
    };
    let mut ctx = Context::new()?;
    ctx.render(&points, &figure)?.save_png(out)?;
    println!("wrote {out} on {}", ctx.adapter());
    if args.iter().any(|a| a == "--view") {
        pointillist::view(points, &figure, &ViewOptions::default())?;
    }
    Ok(())
}
