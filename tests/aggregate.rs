//! Splat and density: the GPU grid equals the CPU twin's exactly (max-splat
//! and counts), across chunk boundaries and at the edges; both backends give
//! identical images; the GPU's shading equals the CPU twin's.

mod common;

use pointillist::aggregate::{self, Backend, GridMap, How, Mode};
use pointillist::cli::Look;
use pointillist::colormap::Colormap;
use pointillist::derive::{derive_serial, DeriveParams, Derived, ValueKind, ValueSettings};
use pointillist::gpu::Gpu;
use pointillist::headless::{render_plot, Rendered, StageTimes};
use pointillist::overlay::AxesOptions;
use pointillist::plot::PlotOptions;
use pointillist::points::{generate, Dataset, PointSet};
use pointillist::render::Style;

const SIZE: (u32, u32) = (160, 100);

fn look(mode: Mode, backend: Backend, how: How, spread: u32) -> Look {
    Look {
        values: ValueSettings {
            kind: ValueKind::XPlusY,
            range: None,
        },
        colormap: Colormap::by_name("inferno").unwrap(),
        style: Style::default(),
        x_range: Some((0.0, 16.0)),
        y_range: Some((0.0, 10.0)),
        axes: AxesOptions {
            enabled: false,
            ..Default::default()
        },
        plot: PlotOptions {
            mode,
            backend,
            how,
            spread,
        },
    }
}

/// Clusters inside the view, plus the awkward ones: exactly on every edge and
/// corner, just outside, far outside, NaN, and a pile in one pixel.
fn points() -> PointSet {
    let g = generate(Dataset::Clusters, 3000, 9).unwrap();
    let (mut x, mut y): (Vec<f64>, Vec<f64>) = (0..g.len())
        .map(|i| {
            let p = g.point(i);
            (p.x * 0.16, p.y * 0.16)
        })
        .unzip();
    let edges = [
        (0.0, 0.0),
        (16.0, 10.0),
        (0.0, 10.0),
        (16.0, 0.0),
        (8.0, 10.0),
        (16.0, 5.0),
        (-0.01, 5.0),
        (16.01, 5.0),
        (100.0, -50.0),
        (f64::NAN, 3.0),
        (4.0, f64::NAN),
    ];
    for (a, b) in edges {
        x.push(a);
        y.push(b);
    }
    for _ in 0..5000 {
        x.push(3.33);
        y.push(3.33);
    }
    PointSet::from_f64(&x, &y, None)
}

fn render(gpu: &Gpu, look: &Look) -> Rendered {
    render_plot(
        gpu,
        points(),
        look,
        SIZE,
        Some(512),
        &mut StageTimes::default(),
        true,
    )
    .unwrap()
}

#[test]
fn gpu_grids_equal_the_cpu_twin_exactly() {
    let Some(gpu) = common::gpu() else { return };
    let p = points();
    let l = look(Mode::Splat, Backend::Gpu, How::Linear, 0);
    let map = GridMap::new(&l.camera(&p.bounds), p.origin, SIZE);
    let mut cpu = Derived::with_len(p.len());
    derive_serial(
        &p,
        &DeriveParams::new(&p, &l.values),
        &l.colormap.rgba8(),
        &mut cpu,
    );
    for mode in [Mode::Splat, Mode::Density] {
        let r = render(&gpu, &look(mode, Backend::Gpu, How::Linear, 0));
        assert_eq!(r.backend, Backend::Gpu);
        let (w, h, cells) = r.grid.unwrap();
        assert_eq!((w, h), SIZE);
        let expected = match mode {
            Mode::Splat => aggregate::splat(&p.offsets, &cpu.values, &map),
            _ => aggregate::count(&p.offsets, &map),
        };
        assert_eq!(cells, expected, "{mode:?}");
    }
    // The counts: every point inside the closed view, once; the pile in one pixel.
    let counts = aggregate::count(&p.offsets, &map);
    let inside = 3000 + 6 + 5000;
    assert_eq!(
        counts.iter().map(|&c| c as usize).sum::<usize>(),
        inside - outside_clusters(&p)
    );
    assert!(counts.contains(&5000) || counts.iter().any(|&c| c >= 5000));
    // Corners land in the corner pixels: (0, 0) bottom-left, (16, 10) top-right.
    assert!(counts[((SIZE.1 - 1) * SIZE.0) as usize] >= 1);
    assert!(counts[(SIZE.0 - 1) as usize] >= 1);
}

/// Clustered points that fall outside the view (generated, not placed).
fn outside_clusters(p: &PointSet) -> usize {
    (0..3000)
        .filter(|&i| {
            let q = p.point(i);
            !(q.x >= 0.0 && q.x <= 16.0 && q.y >= 0.0 && q.y <= 10.0)
        })
        .count()
}

#[test]
fn both_backends_give_identical_images() {
    let Some(gpu) = common::gpu() else { return };
    for (mode, how, spread) in [
        (Mode::Splat, How::Linear, 0),
        (Mode::Splat, How::Linear, 2),
        (Mode::Density, How::Linear, 0),
        (Mode::Density, How::Log, 1),
        (Mode::Density, How::Cbrt, 0),
        (Mode::Density, How::EqHist, 0),
    ] {
        let a = render(&gpu, &look(mode, Backend::Gpu, how, spread));
        let b = render(&gpu, &look(mode, Backend::Cpu, how, spread));
        assert_eq!(b.backend, Backend::Cpu);
        assert_eq!(a.grid, b.grid, "{mode:?} {how:?}");
        assert!(
            a.rgba == b.rgba,
            "{mode:?} {how:?} spread {spread}: images differ"
        );
        common::assert_images_close(
            &format!("{mode:?}-{how:?}-{spread}"),
            SIZE,
            &a.rgba,
            &b.rgba,
            0.0,
            0.0,
        );
    }
}

#[test]
fn gpu_shading_equals_the_cpu_twin() {
    let Some(gpu) = common::gpu() else { return };
    let lut = Colormap::by_name("inferno").unwrap().rgba8();
    for (mode, how, spread) in [
        (Mode::Density, How::EqHist, 1),
        (Mode::Density, How::Log, 0),
        (Mode::Splat, How::Linear, 1),
    ] {
        let r = render(&gpu, &look(mode, Backend::Gpu, how, spread));
        let (w, h, cells) = r.grid.unwrap();
        let spread_cells = aggregate::spread(&cells, [w, h], spread);
        let shaded = match mode {
            Mode::Splat => {
                let p = points();
                let l = look(mode, Backend::Cpu, how, spread);
                let mut cpu = Derived::with_len(p.len());
                derive_serial(&p, &DeriveParams::new(&p, &l.values), &lut, &mut cpu);
                aggregate::shade_splat(&spread_cells, cpu.range.unwrap(), &lut)
            }
            _ => aggregate::shade_density(&spread_cells, &aggregate::thresholds(how, &cells), &lut),
        };
        let mut expected = Vec::with_capacity(r.rgba.len());
        for c in shaded {
            expected.extend_from_slice(&c.unwrap_or([255, 255, 255, 255]));
        }
        assert!(
            r.rgba == expected,
            "{mode:?} {how:?}: GPU shading differs from the CPU twin"
        );
    }
}

#[test]
fn an_empty_view_draws_only_background() {
    let Some(gpu) = common::gpu() else { return };
    let mut l = look(Mode::Density, Backend::Gpu, How::EqHist, 0);
    l.x_range = Some((100.0, 200.0));
    let r = render(&gpu, &l);
    assert!(r.grid.unwrap().2.iter().all(|&c| c == 0));
    assert!(r.rgba.chunks(4).all(|p| p == [255, 255, 255, 255]));
}

#[test]
fn auto_mode_switches_from_points_to_splat() {
    let Some(gpu) = common::gpu() else { return };
    let few = generate(Dataset::Uniform, 1000, 1).unwrap();
    let many = generate(Dataset::Uniform, 400_000, 1).unwrap();
    let mut l = look(Mode::Auto, Backend::Auto, How::EqHist, 0);
    l.x_range = None;
    l.y_range = None;
    let r = render_plot(&gpu, few, &l, SIZE, None, &mut StageTimes::default(), false).unwrap();
    assert_eq!(r.mode, Mode::Points);
    let r = render_plot(
        &gpu,
        many,
        &l,
        SIZE,
        None,
        &mut StageTimes::default(),
        false,
    )
    .unwrap();
    assert_eq!(r.mode, Mode::Splat);
}
