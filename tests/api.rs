//! The public API, used as a Rust program would: the same pictures as the
//! command line (byte for byte), one context from two threads, the grid and
//! background promises, and random settings and data that either render or
//! return an error, never panic.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use pointillist::{
    Agg, Backend, Color, Colormap, Context, Dataset, Figure, GridData, How, Image, LoadOptions,
    Mode, Points, Value,
};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("api")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn render_cli(args: &[&str], out: &std::path::Path) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_pointillist"))
        .arg("render")
        .args(args)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(out).unwrap()
}

#[test]
fn the_api_and_the_cli_write_identical_pngs() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let dir = scratch("same");
    let csv = dir.join("cars.csv");
    let mut text = String::from("lon,lat,speed\n");
    for i in 0..3000 {
        let t = i as f64 * 0.01;
        text += &format!(
            "{},{},{}\n",
            t.cos() * t,
            t.sin() * t,
            (i % 17) as f64 * 0.5
        );
    }
    std::fs::write(&csv, text).unwrap();
    let spiral = Points::generate(Dataset::Spiral, 5000, 7).unwrap();
    let cars = Points::load(&csv, &LoadOptions::default()).unwrap();
    let base = Figure {
        width: 240,
        height: 150,
        ..Figure::default()
    };
    let cases: Vec<(Vec<&str>, &Points, Figure)> = vec![
        (
            vec![
                "--dataset",
                "spiral",
                "--points",
                "5000",
                "--seed",
                "7",
                "--mode",
                "points",
                "--colormap",
                "magma",
                "--value",
                "radius",
                "--title",
                "spiral",
            ],
            &spiral,
            Figure {
                mode: Mode::Points,
                colormap: Colormap::by_name("magma").unwrap(),
                value: Value::expr("radius"),
                title: Some("spiral".into()),
                ..base.clone()
            },
        ),
        (
            vec![
                "--dataset",
                "spiral",
                "--points",
                "5000",
                "--seed",
                "7",
                "--mode",
                "splat",
                "--colormap",
                "turbo_r",
                "--grid",
                "--background",
                "black",
            ],
            &spiral,
            Figure {
                mode: Mode::Splat,
                colormap: Colormap::by_name("turbo_r").unwrap(),
                grid: true,
                background: Color::BLACK,
                ..base.clone()
            },
        ),
        (
            vec![
                "--input",
                csv.to_str().unwrap(),
                "--mode",
                "density",
                "--agg",
                "mean",
                "--how",
                "log",
                "--spread",
                "1",
            ],
            &cars,
            Figure {
                mode: Mode::Density,
                agg: Agg::Mean,
                how: How::Log,
                spread: 1,
                value: Value::Column("speed".into()),
                ..base.clone()
            },
        ),
        (
            vec![
                "--input",
                csv.to_str().unwrap(),
                "--value",
                "x",
                "--range",
                "-5",
                "5",
                "--x-range",
                "-10",
                "10",
                "--no-axes",
                "--backend",
                "gpu",
                "--mode",
                "splat",
            ],
            &cars,
            Figure {
                value: Value::expr("x"),
                range: Some((-5.0, 5.0)),
                x_range: Some((-10.0, 10.0)),
                axes: false,
                backend: Backend::Gpu,
                mode: Mode::Splat,
                ..base.clone()
            },
        ),
    ];
    for (i, (args, points, fig)) in cases.into_iter().enumerate() {
        let mut args = args;
        args.extend(["--width", "240", "--height", "150"]);
        let from_cli = render_cli(&args, &dir.join(format!("cli-{i}.png")));
        let from_api = ctx.render(points, &fig).unwrap().to_png().unwrap();
        assert!(from_cli == from_api, "case {i} {args:?}: the PNGs differ");
    }
}

#[test]
fn one_context_serves_two_threads_through_a_mutex() {
    fn send<T: Send>() {}
    send::<Context>();
    let Some(ctx) = common::context() else {
        return;
    };
    let ctx = Arc::new(Mutex::new(ctx));
    let points = Arc::new(Points::generate(Dataset::Clusters, 20_000, 2).unwrap());
    let figure = |i: u32| Figure {
        width: 120 + i,
        height: 80,
        mode: Mode::Splat,
        colormap: if i.is_multiple_of(2) {
            Colormap::VIRIDIS
        } else {
            Colormap::by_name("plasma").unwrap()
        },
        ..Figure::default()
    };
    let expected: Vec<Image> = (0..4)
        .map(|i| ctx.lock().unwrap().render(&points, &figure(i)).unwrap())
        .collect();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (ctx, points) = (ctx.clone(), points.clone());
            std::thread::spawn(move || {
                (0..4)
                    .map(|i| {
                        let i = (i + t) % 4;
                        (i, ctx.lock().unwrap().render(&points, &figure(i)).unwrap())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        for (i, img) in t.join().unwrap() {
            assert_eq!(img, expected[i as usize], "figure {i}");
        }
    }
}

#[test]
fn grids_start_at_the_top_row_and_count_every_point() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    // Points only in the upper half of the view.
    let x: Vec<f64> = (0..1000).map(|i| (i % 100) as f64 / 100.0).collect();
    let y: Vec<f64> = (0..1000).map(|i| 0.5 + (i / 100) as f64 / 20.0).collect();
    let points = Points::new(&x, &y).unwrap();
    for mode in [Mode::Density, Mode::Splat] {
        let fig = Figure {
            width: 40,
            height: 20,
            mode,
            axes: false,
            point_size: 1.0,
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            ..Figure::default()
        };
        let frame = ctx.render_frame(&points, &fig).unwrap();
        let grid = frame.grid.expect("a grid");
        assert_eq!((grid.width, grid.height), (40, 20));
        let filled: Vec<bool> = match &grid.data {
            GridData::Counts(c) => {
                assert_eq!(c.iter().sum::<u32>(), 1000, "every point counted once");
                c.iter().map(|&n| n > 0).collect()
            }
            GridData::Values(v) => v.iter().map(|v| !v.is_nan()).collect(),
        };
        for (row, cells) in filled.chunks(40).enumerate() {
            assert_eq!(
                cells.iter().any(|&f| f),
                row < 10,
                "{mode:?}: row {row} (row 0 is the top: y = 1)"
            );
        }
    }
}

#[test]
fn backgrounds_reach_the_png_with_their_alpha() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let dir = scratch("background");
    let points = Points::new(&[0.0, 1.0], &[0.0, 1.0]).unwrap();
    for (name, rgba) in [
        ("black", [0, 0, 0, 255]),
        ("#10203040", [0x10, 0x20, 0x30, 0x40]),
        ("transparent", [0, 0, 0, 0]),
    ] {
        let fig = Figure {
            width: 32,
            height: 24,
            background: Color::parse(name).unwrap(),
            axes: false,
            // A view with no points in it: only the background.
            x_range: Some((5.0, 6.0)),
            ..Figure::default()
        };
        let path = dir.join("bg.png");
        ctx.render(&points, &fig).unwrap().save_png(&path).unwrap();
        let back = Image::open_png(&path).unwrap();
        assert!(
            back.rgba.chunks(4).all(|p| p == rgba),
            "{name}: {:?}",
            back.pixel(0, 0)
        );
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
    fn number(&mut self) -> f64 {
        let plain = (self.next() % 2000) as f64 / 7.0 - 100.0;
        self.pick(&[
            0.0,
            1.0,
            -1.0,
            0.5,
            1e-300,
            1e15,
            -1e15,
            1e300,
            -1e300,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            plain,
        ])
    }
}

#[test]
fn random_settings_and_data_render_or_fail_cleanly() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut rendered, mut refused) = (0, 0);
    for case in 0..200 {
        let n = rng.pick(&[0usize, 1, 2, 7, 300]);
        let x: Vec<f64> = (0..n).map(|_| rng.number()).collect();
        let y: Vec<f64> = (0..n).map(|_| rng.number()).collect();
        let v: Vec<f64> = (0..n).map(|_| rng.number()).collect();
        let mut points = Points::new(&x, &y).unwrap();
        if rng.below(2) == 0 {
            points = points.with_column("v", &v).unwrap();
        }
        if rng.below(4) == 0 {
            points.sort_morton();
        }
        // Each setting is mostly valid, sometimes not: both outcomes happen.
        let pair = |rng: &mut Rng| {
            (rng.below(3) == 0).then(|| {
                let a = rng.number();
                let b = rng.number();
                (a, rng.pick(&[a + 1.0, a + 1.0, a + 1e-9, a * 2.0, a, b]))
            })
        };
        let mode = rng.pick(Mode::ALL);
        let fig = Figure {
            width: rng.pick(&[1, 17, 64, 64, 64, 64, 64, 0, 20_000]),
            height: rng.pick(&[1, 9, 48]),
            value: rng.pick(&[
                Value::Auto,
                Value::Auto,
                Value::expr("x"),
                Value::expr("index"),
                Value::expr("wave"),
                Value::Column("v".into()),
                Value::expr("data"),
                Value::Column("nope".into()),
                Value::expr("log(v) * 2 + sqrt(-x)"),
                Value::expr("x +"),
            ]),
            colormap: Colormap::by_name(rng.pick(&["greys", "cividis_r"])).unwrap(),
            range: pair(&mut rng),
            mode,
            backend: rng.pick(Backend::ALL),
            agg: if mode == Mode::Density || rng.below(8) == 0 {
                rng.pick(Agg::ALL)
            } else {
                Agg::Count
            },
            how: rng.pick(How::ALL),
            spread: rng.pick(&[0, 0, 0, 2, 5, 9]),
            point_size: rng.pick(&[0.5, 2.0, 3.0, 8.0, 2.0, 0.0, 300.0, f64::NAN]),
            opacity: rng.pick(&[1.0, 1.0, 0.3, 1.0, 0.0]),
            x_range: pair(&mut rng),
            y_range: pair(&mut rng),
            title: rng.pick(&[None, Some("ü".repeat(300))]),
            grid: rng.below(2) == 0,
            axes: rng.below(3) > 0,
            filter: rng
                .pick(&[None, None, Some("x > 0"), Some("v > 1e9"), Some("x + 1")])
                .map(String::from),
            time: rng.pick(&[0.0, 2.5, f64::NAN]),
            ..Figure::default()
        };
        match ctx.render_frame(&points, &fig) {
            Ok(frame) => {
                rendered += 1;
                let img = frame.image;
                assert_eq!(
                    img.rgba.len(),
                    (fig.width * fig.height * 4) as usize,
                    "case {case}"
                );
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty(), "case {case}");
            }
        }
    }
    eprintln!("{rendered} rendered, {refused} refused");
    // Both outcomes happen, or the cases test less than they claim.
    assert!(
        rendered >= 5 && refused >= 5,
        "{rendered} rendered, {refused} refused"
    );
}

/// Discs measured against geometry, not against the reference rasteriser
/// (which follows points.wgsl and would share its mistakes): black discs on
/// white at known sub-pixel centres, 1 data unit = 1 pixel. Each disc's ink
/// (the sum of its coverage) must be the area of the shader's anti-aliased
/// disc, pi r^2 + pi/12 (a one-pixel linear rim), and its ink-weighted centre
/// the point's position with y up. A diameter taken as a radius, a lost
/// half-pixel or a flipped axis each fail by far more than the tolerances
/// (1.5 % of the ink, 0.05 px), which cover sampling at pixel centres and
/// 8-bit rounding (at most 0.8 % and 0.04 px for r >= 2.5).
#[test]
fn discs_have_the_area_and_centre_geometry_gives() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let (w, h) = (240u32, 120u32);
    let centres: Vec<(f64, f64)> = (0..12)
        .map(|i| {
            let (col, row) = ((i % 6) as f64, (i / 6) as f64);
            // Sub-pixel parts that differ per point.
            (
                20.0 + 40.0 * col + 0.13 * i as f64,
                30.0 + 60.0 * row + 0.71 - 0.09 * i as f64,
            )
        })
        .collect();
    let xs: Vec<f64> = centres.iter().map(|c| c.0).collect();
    let ys: Vec<f64> = centres.iter().map(|c| c.1).collect();
    let points = Points::new(&xs, &ys).unwrap();
    for backend in [Backend::Gpu, Backend::Cpu] {
        for point_size in [5.0, 8.0, 14.5] {
            let figure = Figure {
                width: w,
                height: h,
                value: Value::Expr("1".into()),
                range: Some((0.0, 1.0)),
                colormap: "greys".parse().unwrap(),
                mode: Mode::Points,
                backend,
                point_size,
                x_range: Some((0.0, w as f64)),
                y_range: Some((0.0, h as f64)),
                axes: false,
                ..Figure::default()
            };
            let image = ctx.render(&points, &figure).unwrap();
            let r = point_size / 2.0;
            let want_ink = std::f64::consts::PI * (r * r + 1.0 / 12.0);
            for &(x, y) in &centres {
                // Pixel coordinates of the data point: x right, y down.
                let (px, py) = (x, h as f64 - y);
                let (mut ink, mut mx, mut my) = (0.0, 0.0, 0.0);
                let reach = r.ceil() as i64 + 2;
                for j in (py as i64 - reach)..=(py as i64 + reach) {
                    for i in (px as i64 - reach)..=(px as i64 + reach) {
                        let p = image.pixel(i as u32, j as u32).unwrap();
                        let a = 1.0 - p[0] as f64 / 255.0;
                        ink += a;
                        mx += a * (i as f64 + 0.5);
                        my += a * (j as f64 + 0.5);
                    }
                }
                let what = format!("{backend:?}, size {point_size}, point ({x}, {y})");
                assert!(
                    (ink / want_ink - 1.0).abs() < 0.015,
                    "{what}: ink {ink:.3}, geometry {want_ink:.3}"
                );
                let (cx, cy) = (mx / ink, my / ink);
                assert!(
                    (cx - px).abs() < 0.05 && (cy - py).abs() < 0.05,
                    "{what}: centre ({cx:.3}, {cy:.3}), expected ({px:.3}, {py:.3})"
                );
            }
        }
    }
}

/// The README: sums are exact (fixed point), so a density grid of sums or
/// means is the same whatever order the points come in, on both backends;
/// floating-point sums of values of mixed magnitude would not be.
#[test]
fn sums_and_means_do_not_depend_on_the_order_of_the_points() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let n = 20_011; // prime: i * 7919 % n visits every row once
    let xs: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 * 0.31).collect();
    let ys: Vec<f64> = (0..n).map(|i| ((i * 53) % 89) as f64 * 0.17).collect();
    let ws: Vec<f64> = (0..n)
        .map(|i| (i as f64).sin() * 10f64.powi((i % 7) as i32 - 3))
        .collect();
    let order: Vec<usize> = (0..n).map(|i| i * 7919 % n).collect();
    let pick = |v: &[f64]| order.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let given = Points::new(&xs, &ys)
        .unwrap()
        .with_column("w", &ws)
        .unwrap();
    let shuffled = Points::new(&pick(&xs), &pick(&ys))
        .unwrap()
        .with_column("w", &pick(&ws))
        .unwrap();
    for backend in [Backend::Gpu, Backend::Cpu] {
        for agg in [Agg::Sum, Agg::Mean] {
            let figure = Figure {
                width: 64,
                height: 48,
                mode: Mode::Density,
                value: Value::Column("w".into()),
                agg,
                backend,
                axes: false,
                ..Figure::default()
            };
            let a = ctx.render_frame(&given, &figure).unwrap();
            let b = ctx.render_frame(&shuffled, &figure).unwrap();
            let (ga, gb) = (a.grid.unwrap(), b.grid.unwrap());
            let GridData::Values(cells) = &ga.data else {
                panic!("{agg:?}: a grid of values")
            };
            assert!(cells.iter().filter(|v| v.is_finite()).count() > 100);
            if let (GridData::Values(x), GridData::Values(y)) = (&ga.data, &gb.data) {
                let bad: Vec<(usize, f32, f32)> = x
                    .iter()
                    .zip(y)
                    .enumerate()
                    .filter(|(_, (a, b))| a.to_bits() != b.to_bits())
                    .map(|(i, (a, b))| (i, *a, *b))
                    .collect();
                assert!(
                    bad.is_empty(),
                    "{backend:?} {agg:?}: {} cells differ: {:?}",
                    bad.len(),
                    &bad[..bad.len().min(8)]
                );
            }
            common::assert_images_equal(&format!("order-{backend:?}-{agg:?}"), &a.image, &b.image);
        }
    }
}

/// A grid aggregated elsewhere (here: by an earlier frame, as Dask partitions
/// would be merged) draws the same picture as the points themselves.
#[test]
fn a_grid_made_elsewhere_draws_the_frame_of_its_points() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let points = Points::generate(Dataset::Clusters, 20_000, 5).unwrap();
    for (agg, value) in [
        (Agg::Count, Value::Auto),
        (Agg::Mean, Value::Expr("x*y".into())),
    ] {
        let figure = Figure {
            width: 320,
            height: 240,
            mode: Mode::Density,
            agg,
            value: value.clone(),
            backend: Backend::Cpu,
            x_range: Some((10.0, 90.0)),
            y_range: Some((5.0, 55.0)),
            title: Some("a grid".into()),
            ..Figure::default()
        };
        let frame = ctx.render_frame(&points, &figure).unwrap();
        let grid = frame.grid.expect("a density frame has its grid");
        assert_eq!(
            (grid.width, grid.height),
            Context::plot_area(&figure).unwrap(),
            "{agg:?}"
        );
        let again = ctx.render_grid(&grid, &figure).unwrap();
        common::assert_images_equal(&format!("grid-{agg:?}"), &again, &frame.image);
        // A grid of another size, or without its view, is an error.
        let small = pointillist::Grid::new(
            2,
            2,
            agg,
            match agg {
                Agg::Count => GridData::Counts(vec![1; 4]),
                _ => GridData::Values(vec![1.0; 4]),
            },
        )
        .unwrap();
        let e = ctx.render_grid(&small, &figure).unwrap_err().to_string();
        assert!(e.contains("2x2 grid for a"), "{e}");
        let unviewed = Figure {
            x_range: None,
            ..figure
        };
        let e = ctx.render_grid(&grid, &unviewed).unwrap_err().to_string();
        assert!(e.contains("x_range and y_range"), "{e}");
    }
    assert!(pointillist::Grid::new(3, 3, Agg::Max, GridData::Counts(vec![0; 9])).is_err());
    assert!(pointillist::Grid::new(3, 2, Agg::Count, GridData::Counts(vec![0; 9])).is_err());
}
