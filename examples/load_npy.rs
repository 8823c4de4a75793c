//! Load points from a `.npy` file (a 2-D array (N, 2) or (N, 3+), or a
//! structured array with named fields) and render them; with no argument the
//! example writes a small file first.
//!
//! Run: `cargo run --release --example load_npy [FILE.npy] [OUT.png]`.

use std::path::PathBuf;

use pointillist::{Context, Figure, LoadOptions, Mode, Points};

/// A (n, 3) float64 .npy of x, y and a value, for the example to read.
fn write_demo(path: &PathBuf, n: usize) -> std::io::Result<()> {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({n}, 3), }}");
    let total = (10 + header.len() + 1).div_ceil(64) * 64;
    header.push_str(&" ".repeat(total - 10 - header.len() - 1));
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for i in 0..n {
        let t = i as f64 / n as f64 * 40.0;
        for v in [t.cos() * t, t.sin() * t, t] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    std::fs::write(path, bytes)
}

fn main() -> pointillist::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = match args.next() {
        Some(p) => PathBuf::from(p),
        None => {
            let p = std::env::temp_dir().join("pointillist-example.npy");
            write_demo(&p, 200_000).map_err(|source| pointillist::Error::Write {
                path: p.clone(),
                source,
            })?;
            p
        }
    };
    let out = args.next().unwrap_or_else(|| "npy.png".into());
    let points = Points::load(&input, &LoadOptions::default())?;
    println!(
        "{} points from {} (columns: {})",
        points.len(),
        input.display(),
        points.column_names().collect::<Vec<_>>().join(", ")
    );
    let figure = Figure {
        mode: Mode::Density,
        title: Some(format!("{}", input.display())),
        ..Figure::default()
    };
    Context::new()?.render(&points, &figure)?.save_png(&out)?;
    println!("wrote {out}");
    Ok(())
}
