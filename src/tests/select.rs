//! Selection: the GPU's select pass equals its CPU twin bit for bit (random
//! points over several chunks, convex, concave, self-intersecting and
//! free-hand polygons, points on edges and vertices, a filter), and a frame
//! with a selection keeps the selected points' pixels and dims the others.

use super::common::{gpu, render_plot};
use rand::{RngExt, SeedableRng};

use crate::aggregate::{Backend, GridMap, Mode};
use crate::colormap::Colormap;
use crate::context::Timings;
use crate::derive::{values_parallel, ValueSettings};
use crate::expr::Expr;
use crate::plot::{Look, Plot, PlotOptions};
use crate::points::{PointSet, TILE};
use crate::select::{inside_f64, polygon_bounds, select_twin, to_pixels};

const SIZE: (u32, u32) = (200, 150);

fn look(backend: Backend, mode: Mode, filter: Option<&str>) -> Look {
    let mut values = ValueSettings::of("x + y");
    values.filter = filter.map(|f| Expr::filter(f, &[]).unwrap().node);
    let plot = PlotOptions {
        mode,
        backend,
        ..Default::default()
    };
    Look {
        x_range: Some((0.0, SIZE.0 as f64)),
        y_range: Some((0.0, SIZE.1 as f64)),
        ..Look::plain(values, Colormap::VIRIDIS, plot)
    }
}

fn polygons() -> Vec<(&'static str, Vec<[f64; 2]>)> {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(11);
    // A free-hand loop as a lasso draws it: 300 wobbling vertices.
    let lasso = (0..300)
        .map(|k| {
            let a = k as f64 / 300.0 * std::f64::consts::TAU;
            let r = 50.0 + rng.random_range(-12.0..12.0);
            [100.0 + r * a.cos(), 75.0 + r * 0.8 * a.sin()]
        })
        .collect();
    vec![
        (
            "square",
            vec![[20.0, 20.0], [80.0, 20.0], [80.0, 80.0], [20.0, 80.0]],
        ),
        (
            "concave",
            vec![
                [10.0, 10.0],
                [190.0, 10.0],
                [190.0, 140.0],
                [120.0, 140.0],
                [120.0, 40.0],
                [60.0, 40.0],
                [60.0, 140.0],
                [10.0, 140.0],
            ],
        ),
        (
            "bow tie",
            vec![[10.0, 10.0], [190.0, 140.0], [190.0, 10.0], [10.0, 140.0]],
        ),
        ("lasso", lasso),
        // Reaching past the view: points outside it are selectable too.
        (
            "beyond",
            vec![[-50.0, -50.0], [150.0, -20.0], [60.0, 300.0]],
        ),
    ]
}

/// Random points, plus every integer lattice point (on edges and vertices
/// of the integer polygons, where the f32 arithmetic is exact).
fn points() -> PointSet {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
    let mut xy: Vec<[f64; 2]> = (0..3 * TILE + 1000)
        .map(|_| {
            [
                rng.random_range(-60.0..260.0),
                rng.random_range(-60.0..210.0),
            ]
        })
        .collect();
    for x in 0..=200 {
        for y in (0..=150).step_by(5) {
            xy.push([x as f64, y as f64]);
        }
    }
    let mut set = PointSet::from_points(xy, None);
    set.sort_morton();
    set
}

#[test]
fn the_gpu_selects_what_its_twin_selects() {
    let Some(gpu) = gpu() else { return };
    let set = points();
    for filter in [None, Some("x > 50")] {
        for chunk in [Some(2048), None] {
            let look = look(Backend::Gpu, Mode::Points, filter);
            let mut plot = Plot::new(&gpu, set.clone(), &look, chunk).unwrap();
            let camera = look.camera(&set.bounds);
            let mut values = vec![0.0; set.len()];
            values_parallel(&set, &look.values, &mut values);
            let mut pipeline = None;
            for (name, poly) in polygons() {
                let got =
                    crate::highlight::select(&mut plot, &gpu, &mut pipeline, &camera, SIZE, &poly)
                        .unwrap();
                let map = GridMap::new(&camera, set.origin, SIZE);
                let pixels = to_pixels(&poly, &map);
                let want = select_twin(&set, &map, &pixels, polygon_bounds(&poly), Some(&values));
                assert_eq!(
                    got.count(),
                    want.count(),
                    "{name}, filter {filter:?}, chunk {chunk:?}"
                );
                assert_eq!(got, want, "{name}, filter {filter:?}, chunk {chunk:?}");
                // And the f64 rule, here where data units are pixels: exact
                // for the lattice, and away from edges for the rest.
                let mut differ = 0;
                for (i, &p) in set.xy.iter().enumerate() {
                    let kept = filter.is_none() || p[0] > 50.0;
                    if got.get(i) != (kept && inside_f64(p, &poly)) {
                        differ += 1;
                    }
                }
                assert_eq!(differ, 0, "{name}, filter {filter:?}");
                assert!(got.count() > 0, "{name}");
            }
        }
    }
}

/// Pixel (x, y) of an RGBA image `SIZE` wide.
fn px(img: &[u8], x: u32, y: u32) -> [u8; 4] {
    let i = ((y * SIZE.0 + x) * 4) as usize;
    img[i..i + 4].try_into().unwrap()
}

#[test]
fn a_selection_keeps_its_points_and_dims_the_others_in_every_mode() {
    let Some(gpu) = gpu() else { return };
    // Two 3x3 blocks of points, one inside the polygon, one outside.
    let mut xy = vec![];
    for (cx, cy) in [(50.0, 75.0), (150.0, 75.0)] {
        for dx in [-1.0, 0.0, 1.0] {
            for dy in [-1.0, 0.0, 1.0] {
                xy.push([cx + dx + 0.5, cy + dy + 0.5]);
            }
        }
    }
    let set = PointSet::from_points(xy, None);
    let poly = vec![[10.0, 10.0], [100.0, 10.0], [100.0, 140.0], [10.0, 140.0]];
    for (backend, mode) in [
        (Backend::Gpu, Mode::Points),
        (Backend::Gpu, Mode::Splat),
        (Backend::Cpu, Mode::Splat),
        (Backend::Gpu, Mode::Density),
        (Backend::Cpu, Mode::Density),
    ] {
        let plain = look(backend, mode, None);
        let selected = Look {
            selection: Some(poly.clone()),
            ..plain.clone()
        };
        let mut t = Timings::default();
        let a = render_plot(&gpu, set.clone(), &plain, SIZE, None, &mut t, false).unwrap();
        let b = render_plot(&gpu, set.clone(), &selected, SIZE, None, &mut t, true).unwrap();
        let rows = b.selection.as_ref().map(|s| s.rows.clone());
        assert_eq!(rows, Some((0..9).collect()), "{backend:?} {mode:?}");
        // y down in the image: data y 75.5 is row 150 - 75.5.
        let (inside, outside) = ((50, 74), (150, 74));
        let (ia, ib) = (
            px(&a.rgba, inside.0, inside.1),
            px(&b.rgba, inside.0, inside.1),
        );
        let (oa, ob) = (
            px(&a.rgba, outside.0, outside.1),
            px(&b.rgba, outside.0, outside.1),
        );
        assert_ne!(oa, [255; 4], "{backend:?} {mode:?}: a point is drawn there");
        if mode != Mode::Density {
            // Density shades the selection on its own scale; the others keep colours.
            assert_eq!(
                ia, ib,
                "{backend:?} {mode:?}: the selected point keeps its colour"
            );
        } else {
            assert_ne!(ib, [255; 4]);
        }
        // Dimmed: most of the way to the white background.
        for c in 0..3 {
            let veiled = oa[c] as f64 + (255.0 - oa[c] as f64) * 200.0 / 255.0;
            assert!(
                (ob[c] as f64 - veiled).abs() <= 2.0,
                "{backend:?} {mode:?}: {oa:?} dimmed is {ob:?}"
            );
        }
        // An empty pixel stays the background.
        assert_eq!(px(&b.rgba, 5, 5), [255; 4]);
    }
}
