//! Exact at any zoom: a 10 x 10 lattice of points, spaced 1e-6 and 1e-9 of
//! the data's extent, near (1234.5, 678.25) and far from zero (1e9, 1e15),
//! beside two points that stretch the data's extent. Zoomed onto the lattice,
//! every point's disc (points), footprint (splat) or pixel (density) must be
//! centred within 0.5 px of where its f64 coordinates fall, on both backends.

mod common;

use pointillist::{Backend, Color, Colormap, Figure, GridData, Image, Mode, Points, Value};

const SIDE: u32 = 220;
/// Pixels between lattice points; the lattice starts 10.3 px in (off every edge).
const STEP_PX: f64 = 20.0;
const FIRST_PX: f64 = 10.3;

struct Lattice {
    x: Vec<f64>,
    y: Vec<f64>,
    /// The view: ranges such that lattice point (i, j) lies at pixel
    /// (FIRST_PX + i * STEP_PX, FIRST_PX + j * STEP_PX) from the bottom left.
    x_range: (f64, f64),
    y_range: (f64, f64),
}

/// The lattice at `centre`, spaced `rel` of the data's `extent`.
fn lattice(centre: (f64, f64), extent: f64, rel: f64) -> Lattice {
    let step = extent * rel;
    let (mut x, mut y) = (vec![centre.0 - extent * 0.6], vec![centre.1 - extent * 0.3]);
    x.push(centre.0 + extent * 0.4);
    y.push(centre.1 + extent * 0.2);
    for j in 0..10 {
        for i in 0..10 {
            x.push(centre.0 + i as f64 * step);
            y.push(centre.1 + j as f64 * step);
        }
    }
    let per_px = step / STEP_PX;
    let x0 = centre.0 - FIRST_PX * per_px;
    let y0 = centre.1 - FIRST_PX * per_px;
    let side = SIDE as f64 * per_px;
    Lattice {
        x,
        y,
        x_range: (x0, x0 + side),
        y_range: (y0, y0 + side),
    }
}

/// Where the lattice's points fall, in pixels from the top left, in f64 from
/// the coordinates as stored (f64 itself rounds a lattice near 1e15).
fn expected(l: &Lattice) -> Vec<(f64, f64)> {
    let (sx, sy) = (
        SIDE as f64 / (l.x_range.1 - l.x_range.0),
        SIDE as f64 / (l.y_range.1 - l.y_range.0),
    );
    (2..l.x.len())
        .map(|k| {
            (
                (l.x[k] - l.x_range.0) * sx,
                SIDE as f64 - (l.y[k] - l.y_range.0) * sy,
            )
        })
        .collect()
}

/// The ink-weighted centre of the non-white pixels within `r` px of `at`.
fn centre_near(img: &Image, at: (f64, f64), r: i64) -> Option<(f64, f64)> {
    let (mut w, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for y in (at.1 as i64 - r)..=(at.1 as i64 + r) {
        for x in (at.0 as i64 - r)..=(at.0 as i64 + r) {
            if x < 0 || y < 0 || x >= img.width as i64 || y >= img.height as i64 {
                continue;
            }
            let p = &img.rgba[(y as usize * img.width as usize + x as usize) * 4..][..4];
            let ink = 255.0 - p[0] as f64;
            w += ink;
            cx += ink * (x as f64 + 0.5);
            cy += ink * (y as f64 + 0.5);
        }
    }
    (w > 0.0).then(|| (cx / w, cy / w))
}

fn figure(l: &Lattice, mode: Mode, backend: Backend) -> Figure {
    Figure {
        width: SIDE,
        height: SIDE,
        value: Value::Expr("0".into()),
        // Black marks on white: value 0 is black in gray; a density's one
        // count takes the top of the map, black in gray_r.
        colormap: Colormap::by_name(if mode == Mode::Density {
            "gray_r"
        } else {
            "gray"
        })
        .unwrap(),
        range: Some((0.0, 1.0)),
        mode,
        backend,
        point_size: 8.0,
        background: Color::WHITE,
        x_range: Some(l.x_range),
        y_range: Some(l.y_range),
        axes: false,
        ..Figure::default()
    }
}

#[test]
fn every_lattice_point_is_drawn_within_half_a_pixel_at_any_zoom() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let cases = [
        ("near 1234.5", (1234.5, 678.25), 2000.0, 1e-6),
        ("near 1234.5", (1234.5, 678.25), 2000.0, 1e-9),
        ("near 1e9", (1e9 + 0.375, -2e9 + 0.125), 2e6, 1e-9),
        ("near 1e15", (1e15, 3e15), 4e12, 1e-9),
        // Past what pairs relative to the data's centre resolve (2^-46 of
        // the distance): the GPU re-bases the visible points on the view.
        ("near 1234.5", (1234.5, 678.25), 2000.0, 1e-12),
        ("near 0.5", (0.5, 0.25), 8.0, 1.2e-15),
    ];
    for (name, centre, extent, rel) in cases {
        let l = lattice(centre, extent, rel);
        let points = Points::new(&l.x, &l.y).unwrap();
        let want = expected(&l);
        // f64 itself: the lattice is 20 px apart as stored (to 1/4 px near
        // 0.5, where a pixel is 4 f64 steps).
        assert!((want[1].0 - want[0].0 - STEP_PX).abs() < 0.3, "{name}");
        for mode in [Mode::Points, Mode::Splat, Mode::Density] {
            for backend in [Backend::Gpu, Backend::Cpu] {
                let what = format!("{name}, {rel:e} of the extent, {mode:?}, {backend:?}");
                let frame = ctx
                    .render_frame(&points, &figure(&l, mode, backend))
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let img = &frame.image;
                let file = format!(
                    "zoom-{}-{rel:e}-{mode:?}-{backend:?}.png",
                    name.replace(' ', "-")
                );
                img.save_png(common::output_dir().join(file)).unwrap();
                for (k, &at) in want.iter().enumerate() {
                    let got = centre_near(img, at, 7)
                        .unwrap_or_else(|| panic!("{what}: point {k} not drawn near {at:?}"));
                    let err = ((got.0 - at.0).abs(), (got.1 - at.1).abs());
                    assert!(
                        err.0 <= 0.5 && err.1 <= 0.5,
                        "{what}: point {k} drawn at {got:?}, belongs at {at:?}"
                    );
                }
                // Nothing drawn anywhere else: 100 marks, no smear.
                let marks = (0..SIDE * SIDE)
                    .filter(|&i| {
                        let (x, y) = ((i % SIDE) as f64, (i / SIDE) as f64);
                        img.rgba[i as usize * 4] < 255
                            && want
                                .iter()
                                .all(|a| (a.0 - x).abs() > 8.0 || (a.1 - y).abs() > 8.0)
                    })
                    .count();
                assert_eq!(marks, 0, "{what}: ink away from the lattice");
                if mode == Mode::Density {
                    // Each point counted once, in the pixel its f64 position is in.
                    let grid = frame.grid.expect("a density frame has its grid");
                    let GridData::Counts(counts) = grid.data else {
                        panic!("{what}: counts expected")
                    };
                    for &(x, y) in &want {
                        let cell = y as usize * SIDE as usize + x as usize;
                        assert_eq!(counts[cell], 1, "{what}: pixel of ({x}, {y})");
                    }
                    assert_eq!(counts.iter().map(|&c| c as u64).sum::<u64>(), 100, "{what}");
                }
            }
        }
    }
}
