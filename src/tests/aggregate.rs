//! Splat and density: the GPU grid equals the CPU twin's exactly (max-splat
//! and counts), across chunk boundaries and at the edges; both backends give
//! identical images; the GPU's shading equals the CPU twin's.

use super::common::render_plot;
use glam::DVec2;

use crate::aggregate::{self, Agg, Backend, GridMap, How, Mode, Quantiser};
use crate::colormap::Colormap;
use crate::context::Timings as StageTimes;
use crate::derive::{derive_serial, Derived, ValueSettings};
use crate::frame::Rendered;
use crate::gpu::Gpu;
use crate::plot::Look;
use crate::plot::PlotOptions;
use crate::points::{generate, Dataset, PointSet};
use crate::render::Style;

const SIZE: (u32, u32) = (160, 100);

fn look(mode: Mode, backend: Backend, how: How, spread: u32) -> Look {
    let plot = PlotOptions {
        mode,
        backend,
        how,
        spread,
        ..Default::default()
    };
    let colormap = Colormap::by_name("inferno").unwrap();
    Look {
        x_range: Some((0.0, 16.0)),
        y_range: Some((0.0, 10.0)),
        ..Look::plain(ValueSettings::of("x+y"), colormap, plot)
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
    render_set(gpu, points(), look)
}

#[test]
fn gpu_grids_equal_the_cpu_twin_exactly() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let p = points();
    let l = look(Mode::Splat, Backend::Gpu, How::Linear, 0);
    let map = GridMap::new(&l.camera(&p.bounds), p.origin, SIZE);
    let mut cpu = Derived::with_len(p.len());
    derive_serial(&p, &l.values, &l.colormap.rgba8(), &mut cpu);
    let held = p.split_range(0..p.len());
    let twin = aggregate::Input::gpu_twin(&held);
    for mode in [Mode::Splat, Mode::Density] {
        let r = render(&gpu, &look(mode, Backend::Gpu, How::Linear, 0));
        assert_eq!(r.backend, Backend::Gpu);
        let (w, h, cells) = r.grid.unwrap();
        assert_eq!((w, h), SIZE);
        let expected = match mode {
            Mode::Splat => aggregate::splat(&twin, &cpu.values, &map),
            _ => aggregate::count(&twin, None, &map),
        };
        assert_eq!(cells, expected, "{mode:?}");
    }
    // The counts: every point inside the closed view, once; the pile in one pixel.
    let counts = aggregate::count(&twin, None, &map);
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
    let Some(gpu) = super::common::gpu() else {
        return;
    };
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
        super::common::assert_images_close(
            &format!("{mode:?}-{how:?}-{spread}"),
            SIZE,
            &a.rgba,
            &b.rgba,
            0,
            0,
        );
    }
}

#[test]
fn gpu_shading_equals_the_cpu_twin() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let lut = Colormap::by_name("inferno").unwrap().rgba8();
    for (mode, how, spread, point_size) in [
        (Mode::Density, How::EqHist, 1, 2.0),
        (Mode::Density, How::Log, 0, 3.0),
        (Mode::Splat, How::Linear, 1, 2.0),
        (Mode::Splat, How::Linear, 0, 1.0),
        (Mode::Splat, How::Linear, 0, 3.0),
        (Mode::Splat, How::Linear, 0, 2.0),
    ] {
        let mut l = look(mode, Backend::Gpu, how, spread);
        l.style.point_size = point_size;
        if mode == Mode::Splat && point_size == 2.0 && spread == 0 {
            // A range inside the values', with colours below and above it.
            l.values.range = Some((4.0, 14.0));
            l.values.extremes = crate::colormap::Extremes {
                under: Some([255, 0, 0, 255]),
                over: Some([0, 0, 255, 255]),
                bad: None,
            };
        }
        let r = render(&gpu, &l);
        let (w, h, cells) = r.grid.unwrap();
        // Splatted points cover their size (1-3 px); density keeps 1-px bins.
        let footprint = match mode {
            Mode::Splat => aggregate::footprint(point_size),
            _ => 1,
        };
        let window = aggregate::window_max(&cells, [w, h], aggregate::reach(footprint, spread));
        let shaded = match mode {
            Mode::Splat => {
                let p = points();
                let mut cpu = Derived::with_len(p.len());
                derive_serial(&p, &l.values, &lut, &mut cpu);
                let shaded =
                    aggregate::shade_splat(&window, cpu.range.unwrap(), &lut, &l.values.extremes);
                if l.values.extremes.under.is_some() {
                    // Both ends are there to be checked.
                    for end in [[255, 0, 0, 255], [0, 0, 255, 255]] {
                        let n = shaded.iter().filter(|c| **c == Some(end)).count();
                        assert!(n > 10, "{n} pixels of {end:?}");
                    }
                }
                shaded
            }
            _ => aggregate::shade_density(
                &window,
                &aggregate::thresholds(Agg::Count, how, &cells),
                &lut,
            ),
        };
        let mut expected = Vec::with_capacity(r.rgba.len());
        for c in shaded {
            expected.extend_from_slice(&c.unwrap_or([255, 255, 255, 255]));
        }
        assert!(
            r.rgba == expected,
            "{mode:?} {how:?} spread {spread} size {point_size}: GPU shading differs from the CPU twin"
        );
    }
}

#[test]
fn an_empty_view_draws_only_background() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let mut l = look(Mode::Density, Backend::Gpu, How::EqHist, 0);
    l.x_range = Some((100.0, 200.0));
    let r = render(&gpu, &l);
    assert!(r.grid.unwrap().2.iter().all(|&c| c == 0));
    assert!(r.rgba.chunks(4).all(|p| p == [255, 255, 255, 255]));
}

#[test]
fn auto_mode_is_decided_again_for_every_frame() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let many = generate(Dataset::Uniform, 400_000, 1).unwrap();
    let mut l = look(Mode::Auto, Backend::Auto, How::EqHist, 0);
    l.x_range = None;
    l.y_range = None;
    let mut plot = crate::plot::Plot::new(&gpu, many, &l, None).unwrap();
    let fitted = l.camera(&plot.points.bounds);
    let (view, _) = crate::overlay::frame_view(fitted, SIZE, 1.0, &l.axes);
    // The whole dataset in view: 400k 2-px discs are over the software
    // budget (1M px) and under the hardware one (64M px).
    let expected = if gpu.is_software() {
        Mode::Splat
    } else {
        Mode::Points
    };
    assert_eq!(plot.frame_mode(&view, 2.0), expected);
    // Zoomed in 100x at the centre: a few dozen visible points are discs.
    let mut zoomed = view;
    let centre = DVec2::new(SIZE.0 as f64 / 2.0, SIZE.1 as f64 / 2.0);
    zoomed.camera.zoom_at(centre, 100.0, &zoomed.viewport);
    assert_eq!(plot.frame_mode(&zoomed, 2.0), Mode::Points);
    // And back out: the same plot, the first decision again.
    assert_eq!(plot.frame_mode(&view, 2.0), expected);
    // A plot of a few points draws discs in any view.
    let few = generate(Dataset::Uniform, 1000, 1).unwrap();
    plot = crate::plot::Plot::new(&gpu, few, &l, None).unwrap();
    assert_eq!(plot.frame_mode(&view, 2.0), Mode::Points);
}

fn cpu_values(p: &PointSet, l: &Look) -> (Vec<f32>, (f32, f32)) {
    let mut cpu = Derived::with_len(p.len());
    let lut = l.colormap.rgba8();
    derive_serial(p, &l.values, &lut, &mut cpu);
    let finite = cpu.values.iter().filter(|v| !v.is_nan());
    let lo = finite.clone().fold(f32::INFINITY, |a, &b| a.min(b));
    let hi = finite.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    (cpu.values, (lo, hi))
}

#[test]
fn value_aggregates_on_the_gpu_equal_the_cpu_twin() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let p = points();
    let base = look(Mode::Density, Backend::Gpu, How::Linear, 0);
    let map = GridMap::new(&base.camera(&p.bounds), p.origin, SIZE);
    let (values, range) = cpu_values(&p, &base);
    let q = Quantiser::new(Some(range));
    let held = p.split_range(0..p.len());
    let (twin, exact) = (
        aggregate::Input::gpu_twin(&held),
        aggregate::Input::exact(&p.xy),
    );
    for &agg in Agg::ALL {
        for how in [How::Linear, How::EqHist] {
            let mut l = look(Mode::Density, Backend::Gpu, how, 0);
            l.plot.agg = agg;
            let on_gpu = render(&gpu, &l);
            l.plot.backend = Backend::Cpu;
            let on_cpu = render(&gpu, &l);
            let expected = aggregate::density(agg, &twin, &values, &map, &q);
            let (got, cpu_cells) = (on_gpu.grid.unwrap().2, on_cpu.grid.unwrap().2);
            // No point of these lies within the GPU's tolerance of a pixel edge,
            // so the CPU backend's f64 binning gives the same grid.
            let binned = aggregate::density(agg, &exact, &values, &map, &q);
            assert_eq!(cpu_cells, binned, "{agg:?}: the CPU backend bins in f64");
            assert_eq!(binned, expected, "{agg:?}: a point near an edge");
            assert!(
                expected.iter().any(|&c| c != 0),
                "{agg:?}: nothing aggregated"
            );
            if agg.sums() {
                // Integer sums are exact; the final f32 arithmetic may differ in the last bits.
                for (g, e) in got.iter().zip(&expected) {
                    assert_eq!(*g == 0, *e == 0, "{agg:?}: empty cells differ");
                    if *e == 0 {
                        continue;
                    }
                    let (g, e) = (aggregate::unordered(*g), aggregate::unordered(*e));
                    assert!(
                        (g - e).abs() <= 4.0 * f32::EPSILON * e.abs().max(range.1 - range.0),
                        "{agg:?}: {g} on the GPU, {e} on the CPU"
                    );
                }
            } else {
                assert_eq!(got, expected, "{agg:?}: GPU grid differs from the CPU twin");
            }
            super::common::assert_images_close(
                &format!("agg-{agg:?}-{how:?}"),
                SIZE,
                &on_gpu.rgba,
                &on_cpu.rgba,
                0,
                0,
            );
        }
    }
}

#[test]
fn value_aggregates_match_plain_loops() {
    let p = points();
    let l = look(Mode::Density, Backend::Cpu, How::Linear, 0);
    let map = GridMap::new(&l.camera(&p.bounds), p.origin, SIZE);
    let (values, range) = cpu_values(&p, &l);
    let q = Quantiser::new(Some(range));
    // f64 reference: count, sum, min, max per pixel.
    let cells = map.len();
    let (mut n, mut sum) = (vec![0u32; cells], vec![0f64; cells]);
    let (mut lo, mut hi) = (vec![f32::INFINITY; cells], vec![f32::NEG_INFINITY; cells]);
    for (o, &v) in p.xy.iter().zip(&values) {
        if let (Some(px), false) = (map.pixel(*o), v.is_nan()) {
            n[px] += 1;
            sum[px] += v as f64;
            lo[px] = lo[px].min(v);
            hi[px] = hi[px].max(v);
        }
    }
    let all = aggregate::Input::exact(&p.xy);
    let grid = |agg| aggregate::density(agg, &all, &values, &map, &q);
    let (g_sum, g_mean, g_min, g_max) = (
        grid(Agg::Sum),
        grid(Agg::Mean),
        grid(Agg::Min),
        grid(Agg::Max),
    );
    let span = (range.1 - range.0) as f64;
    for i in 0..cells {
        if n[i] == 0 {
            assert_eq!((g_sum[i], g_mean[i], g_min[i], g_max[i]), (0, 0, 0, 0));
            continue;
        }
        let value = |g: &[u32]| aggregate::unordered(g[i]) as f64;
        assert_eq!(value(&g_min), lo[i] as f64);
        assert_eq!(value(&g_max), hi[i] as f64);
        let mean = sum[i] / n[i] as f64;
        let (k, low) = (n[i] as f64, range.0.abs() as f64);
        // Fixed point: within half a step (2^-25 of the range) per value, plus f32 rounding.
        let half_step = span / 2f64.powi(25);
        assert!((value(&g_mean) - mean).abs() <= half_step + 1e-6 * (mean.abs() + low));
        assert!(
            (value(&g_sum) - sum[i]).abs() <= k * half_step + 1e-6 * (sum[i].abs() + k * low),
            "sum {} vs {}",
            value(&g_sum),
            sum[i]
        );
    }
    // The pile of 5000 points in one pixel: every one counted in the sum.
    let pile = map.pixel(p.xy[p.len() - 1]).unwrap();
    assert!(n[pile] >= 5000);
}

/// A streamed worker adds batch after batch into its own grid: the grid
/// equals the banded parallel one of all the points, for each aggregate,
/// with a filter's marks, and with runs that leave points out.
#[test]
fn batches_added_into_one_grid_equal_the_whole_aggregate() {
    // The test's size (one band of rows for `add`) and a wide one (several,
    // the last one short).
    for size in [SIZE, (1024, 300)] {
        batches_added_at(size);
    }
}

fn batches_added_at(size: (u32, u32)) {
    let p = points();
    let l = look(Mode::Density, Backend::Cpu, How::Linear, 0);
    let map = GridMap::new(&l.camera(&p.bounds), p.origin, size);
    let (mut values, range) = cpu_values(&p, &l);
    let q = Quantiser::new(Some(range));
    // Every seventh point left out by a filter, every eleventh without a value.
    for (i, v) in values.iter_mut().enumerate() {
        if i % 7 == 3 {
            *v = f32::from_bits(crate::derive::FILTERED_BITS);
        } else if i % 11 == 5 {
            *v = f32::NAN;
        }
    }
    let n = p.len();
    // Batches of uneven sizes, each with a hole (a tile outside the view).
    let cuts = [0, 1, n / 7, n / 3, n / 2, n - 3, n];
    assert!(cuts.windows(2).all(|w| w[0] <= w[1]), "{n} points");
    let batches: Vec<Vec<std::ops::Range<usize>>> = cuts
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let hole = (a + (b - a) / 3)..(a + (b - a) / 2);
            vec![a..hole.start, hole.end..b]
        })
        .collect();
    let kept: Vec<std::ops::Range<usize>> = batches.iter().flatten().cloned().collect();
    let whole = aggregate::Input {
        positions: aggregate::Positions::Exact(&p.xy),
        runs: kept.clone(),
    };
    let each = |runs: &Vec<std::ops::Range<usize>>| aggregate::Input {
        positions: aggregate::Positions::Exact(&p.xy),
        runs: runs.clone(),
    };
    let expected_count = aggregate::count(&whole, Some(&values), &map);
    assert!(expected_count.iter().any(|&c| c > 0));
    type Add = fn(&mut [u32], &aggregate::Input, &[f32], &GridMap);
    let add_count: Add = |g, input, v, map| aggregate::add_count(g, input, Some(v), map);
    for (agg, add, expected) in [
        (Agg::Count, add_count, expected_count),
        (
            Agg::Max,
            aggregate::add_max as Add,
            aggregate::splat(&whole, &values, &map),
        ),
        (
            Agg::Min,
            aggregate::add_min as Add,
            aggregate::min_splat(&whole, &values, &map),
        ),
    ] {
        let mut grid = vec![0u32; map.len()];
        for runs in &batches {
            add(&mut grid, &each(runs), &values, &map);
        }
        assert_eq!(grid, expected, "{agg:?}");
    }
    // Without the filter's marks a count counts every point in the runs.
    let mut grid = vec![0u32; map.len()];
    for runs in &batches {
        aggregate::add_count(&mut grid, &each(runs), None, &map);
    }
    assert_eq!(grid, aggregate::count(&whole, None, &map));
    let total = |g: &[u32]| g.iter().map(|&c| c as u64).sum::<u64>();
    assert!(total(&grid) > total(&aggregate::count(&whole, Some(&values), &map)));
    let mut sums = vec![aggregate::SumCell::default(); map.len()];
    for runs in &batches {
        aggregate::add_sums(&mut sums, &each(runs), &values, &map, &q);
    }
    assert_eq!(sums, aggregate::sums(&whole, &values, &map, &q));
}

#[test]
fn a_fixed_colour_range_leaves_sums_alone() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    for backend in [Backend::Gpu, Backend::Cpu] {
        let mut l = look(Mode::Density, backend, How::Linear, 0);
        l.plot.agg = Agg::Sum;
        let auto = render(&gpu, &l).grid.unwrap().2;
        l.values.range = Some((0.0, 1.0));
        let fixed = render(&gpu, &l).grid.unwrap().2;
        assert_eq!(
            auto, fixed,
            "{backend:?}: sums depend on the data, not the colours"
        );
    }
}

/// A redraw of the same view draws the prepared grid again (the viewer's
/// hovers and selections do not aggregate); anything a grid depends on — the
/// aggregate, the mode, the view, the values, the point size — makes it
/// afresh: the same plot then draws what a new plot draws.
#[test]
fn redraws_reuse_the_grid_until_something_it_shows_changes() {
    use crate::render::target::OffscreenTarget;
    use crate::render::{Painter, OFFSCREEN_FORMAT};
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let target = OffscreenTarget::new(&gpu, SIZE.0, SIZE.1).unwrap();
    let same = |a: &[u8], b: &[u8], what: String| {
        let differ = a.iter().zip(b).filter(|(x, y)| x != y).count();
        assert!(differ == 0, "{what}: {differ} bytes differ");
    };
    let draw = |plot: &mut crate::plot::Plot, painter: &mut Painter, l: &Look, mode, zoom| {
        let mut camera = l.camera(&plot.points.bounds);
        let (mut view, _) = crate::overlay::frame_view(camera, SIZE, 1.0, &l.axes);
        if zoom {
            camera.zoom_at(DVec2::new(50.0, 40.0), 2.0, &view.viewport);
            view.camera = camera;
        }
        plot.prepare(&gpu, painter, &view, mode, l.style.point_size)
            .unwrap();
        plot.draw(&gpu, painter, mode, &view, &l.style, None, &target.view)
            .unwrap();
        target.read_rgba(&gpu).unwrap()
    };
    for backend in [Backend::Gpu, Backend::Cpu] {
        let base = look(Mode::Density, backend, How::EqHist, 0);
        let mut plot = crate::plot::Plot::new(&gpu, points(), &base, None).unwrap();
        let mut painter = Painter::new(&gpu, OFFSCREEN_FORMAT, &plot.renderer);
        let first = draw(&mut plot, &mut painter, &base, Mode::Density, false);
        let again = draw(&mut plot, &mut painter, &base, Mode::Density, false);
        same(&first, &again, format!("{backend:?}: a redraw"));
        // Each change against a new plot made with it.
        let agrees =
            |plot: &mut crate::plot::Plot, painter: &mut Painter, l: &Look, mode, zoom, what| {
                let got = draw(plot, painter, l, mode, zoom);
                let mut p = crate::plot::Plot::new(&gpu, points(), l, None).unwrap();
                let mut fresh_painter = Painter::new(&gpu, OFFSCREEN_FORMAT, &p.renderer);
                let fresh = draw(&mut p, &mut fresh_painter, l, mode, zoom);
                same(&got, &fresh, format!("{backend:?}: {what}"));
                got
            };
        let mean = Look {
            plot: PlotOptions {
                agg: Agg::Mean,
                ..base.plot
            },
            ..base.clone()
        };
        plot.opts = mean.plot;
        let got = agrees(&mut plot, &mut painter, &mean, Mode::Density, false, "agg");
        assert!(got != first, "{backend:?}: mean differs from count");
        agrees(&mut plot, &mut painter, &mean, Mode::Density, true, "zoom");
        agrees(&mut plot, &mut painter, &mean, Mode::Splat, true, "mode");
        let big = Look {
            style: Style {
                point_size: 5.0,
                ..mean.style
            },
            ..mean.clone()
        };
        agrees(&mut plot, &mut painter, &big, Mode::Splat, true, "size");
        let other = Look {
            values: ValueSettings::of("x - y"),
            ..big.clone()
        };
        plot.values = other.values.clone();
        plot.derive(&gpu).unwrap();
        agrees(&mut plot, &mut painter, &other, Mode::Splat, true, "values");
    }
}

/// Under each non-linear norm, splat (value x+y or x-8) and a density mean
/// give every pixel the colour matplotlib's f64 norm gives its value
/// (`Norm::entry`, not the table both backends look up), and the two
/// backends draw the same image.
#[test]
fn norms_shade_every_pixel_as_the_f64_norm_does() {
    use crate::colormap::Norm;
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let lut = Colormap::by_name("inferno").unwrap().rgba8();
    let cases = [
        (Mode::Splat, Norm::Log, "x+y"),
        (Mode::Splat, Norm::SymLog { linthresh: 0.5 }, "x-8"),
        (Mode::Splat, Norm::Power { gamma: 0.3 }, "x+y"),
        (Mode::Density, Norm::Log, "x*y"),
        (Mode::Density, Norm::SymLog { linthresh: 1.0 }, "x-8"),
    ];
    for (mode, norm, value) in cases {
        let mut l = look(mode, Backend::Gpu, How::EqHist, 0);
        l.values = ValueSettings::of(value);
        l.values.norm = norm;
        if mode == Mode::Density {
            l.plot.agg = Agg::Mean;
        }
        let r = render(&gpu, &l);
        let (w, h, cells) = r.grid.unwrap();
        let cpu_backend = render(
            &gpu,
            &Look {
                plot: PlotOptions {
                    backend: Backend::Cpu,
                    ..l.plot
                },
                ..l.clone()
            },
        );
        assert!(
            cpu_backend.rgba == r.rgba,
            "{mode:?} {norm:?}: the backends' images differ"
        );
        // The colour range: the values' (splat) or the cells' (density).
        let (lo, hi) = if mode == Mode::Splat {
            let p = points();
            let mut cpu = Derived::with_len(p.len());
            derive_serial(&p, &l.values, &lut, &mut cpu);
            cpu.range.unwrap()
        } else {
            let (a, b) = aggregate::extremes(&cells).unwrap();
            (aggregate::unordered(a), aggregate::unordered(b))
        };
        let footprint = if mode == Mode::Splat {
            aggregate::footprint(l.style.point_size)
        } else {
            1
        };
        let window = aggregate::window_max(&cells, [w, h], aggregate::reach(footprint, 0));
        let mut entries = std::collections::HashSet::new();
        for (i, &c) in window.iter().enumerate() {
            let px = &r.rgba[i * 4..i * 4 + 4];
            if c == 0 {
                assert_eq!(px, [255, 255, 255, 255], "{mode:?} {norm:?} pixel {i}");
                continue;
            }
            let v = aggregate::unordered(c);
            let k = norm.entry(v, lo, hi);
            entries.insert(k);
            assert_eq!(
                px, lut[k],
                "{mode:?} {norm:?} pixel {i}: value {v} over {lo}..{hi} is entry {k}"
            );
        }
        assert!(
            entries.len() > 20,
            "{mode:?} {norm:?}: {} entries",
            entries.len()
        );
        if norm == Norm::Log {
            // Values <= 0 have no colour: nothing of x+y <= 0 or x*y <= 0 is drawn.
            assert!(window
                .iter()
                .all(|&c| c == 0 || aggregate::unordered(c) > 0.0));
        }
    }
}

/// `p` coloured by `n` categories, point i in category `code(i)`.
fn categorised(
    mut p: PointSet,
    n: usize,
    code: impl Fn(usize) -> f32,
    mode: Mode,
    backend: Backend,
    how: How,
) -> (PointSet, Look) {
    use crate::categories::{categorise, Labels};
    let codes: Vec<f32> = (0..p.len()).map(code).collect();
    let names: Vec<String> = (0..n).map(|k| format!("c{k}")).collect();
    let (c, codes) = categorise("kind", &codes, Labels::Named(&names), None).unwrap();
    p.columns = vec![std::sync::Arc::new(codes)];
    let mut l = look(mode, backend, how, 0);
    l.values = ValueSettings {
        value: crate::expr::Node::Var(crate::expr::Var::Column(0)),
        range: Some((0.0, (n.max(2) - 1) as f32)),
        categories: Some(c.len() as u32),
        ..ValueSettings::of("x")
    };
    l.categories = Some(std::sync::Arc::new(c));
    (p, l)
}

fn render_set(gpu: &Gpu, p: PointSet, look: &Look) -> Rendered {
    render_plot(
        gpu,
        p,
        look,
        SIZE,
        Some(512),
        &mut StageTimes::default(),
        true,
    )
    .unwrap()
}

#[test]
fn category_mixes_on_the_gpu_equal_the_cpu_twin_and_the_per_category_counts() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let n = 7;
    let code = |i: usize| ((i * 7919) % n) as f32;
    for how in [How::Linear, How::EqHist] {
        let (p, l) = categorised(points(), n, code, Mode::Density, Backend::Gpu, how);
        let on_gpu = render_set(&gpu, p.clone(), &l);
        let mut lc = l.clone();
        lc.plot.backend = Backend::Cpu;
        let on_cpu = render_set(&gpu, p.clone(), &lc);
        assert_eq!(on_cpu.backend, Backend::Cpu);
        // The twin, binning the GPU's pairs.
        let map = GridMap::new(&l.camera(&p.bounds), p.origin, SIZE);
        let held = p.split_range(0..p.len());
        let twin = aggregate::Input::gpu_twin(&held);
        let palette = l.categories.as_ref().unwrap().lut().map(u32::from_le_bytes);
        let (counts, colours) =
            aggregate::finalise_mix(&aggregate::mix(&twin, &p.columns[0], &palette, &map));
        let same = |got: &[u32], want: &[u32], what: &str| {
            assert_eq!(got.len(), want.len(), "{how:?}: {what}");
            if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
                panic!(
                    "{how:?}: {what}: cell {i} is {:#x}, the twin's {:#x}",
                    got[i], want[i]
                );
            }
        };
        same(&on_gpu.grid.as_ref().unwrap().2, &counts, "GPU counts");
        same(on_gpu.mix.as_ref().unwrap(), &colours, "GPU mixed colours");
        // The CPU backend bins in f64: no point here is near a pixel edge.
        same(
            &on_cpu.grid.as_ref().unwrap().2,
            &counts,
            "CPU backend counts",
        );
        same(
            on_cpu.mix.as_ref().unwrap(),
            &colours,
            "CPU backend colours",
        );
        assert!(on_gpu.rgba == on_cpu.rgba, "{how:?}: images differ");
        // Per-category counts per pixel, counted plainly, give the same mix.
        let mut per = vec![[0u64; 7]; counts.len()];
        for i in 0..p.len() {
            if let Some((x, row)) = map.cell_gpu(held[i]) {
                per[(row * SIZE.0 + x) as usize][code(i) as usize] += 1;
            }
        }
        let lut = l.categories.as_ref().unwrap().lut();
        for (cell, k) in per.iter().enumerate() {
            let total: u64 = k.iter().sum();
            assert_eq!(total, counts[cell] as u64, "pixel {cell}");
            if total == 0 {
                continue;
            }
            let mixed = [0, 1, 2].map(|ch| {
                let s: u64 = (0..n).map(|c| k[c] * lut[c][ch] as u64).sum();
                (s as f64 / total as f64) as u8
            });
            assert_eq!(colours[cell].to_le_bytes()[..3], mixed, "pixel {cell}");
        }
        assert!(per.iter().any(|k| k.iter().filter(|&&c| c > 0).count() > 2));
        // A hidden category (the viewer's legend click) is left out on both
        // backends: its colour has no alpha.
        let mut lh = l.clone();
        lh.categories = Some(std::sync::Arc::new(
            l.categories.as_ref().unwrap().toggled(2),
        ));
        let hidden_gpu = render_set(&gpu, p.clone(), &lh);
        lh.plot.backend = Backend::Cpu;
        let hidden_cpu = render_set(&gpu, p.clone(), &lh);
        let shown: u64 = per.iter().map(|k| k.iter().sum::<u64>() - k[2]).sum();
        for r in [&hidden_gpu, &hidden_cpu] {
            let total: u64 = r.grid.as_ref().unwrap().2.iter().map(|&c| c as u64).sum();
            assert_eq!(total, shown, "{how:?} {:?}: category 2 counted", r.backend);
        }
        same(
            &hidden_gpu.grid.as_ref().unwrap().2,
            &hidden_cpu.grid.as_ref().unwrap().2,
            "hidden",
        );
        same(
            hidden_gpu.mix.as_ref().unwrap(),
            hidden_cpu.mix.as_ref().unwrap(),
            "hidden mix",
        );
    }
}

#[test]
fn a_mixed_pixel_shows_datashaders_colour_and_alpha() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    // Three points of category 0 and one of category 1 in one pixel; one
    // point of category 2 in another (a pixel is 0.1 x 0.1 here).
    let x = [3.05, 3.05, 3.05, 3.05, 8.05];
    let y = [5.05, 5.05, 5.05, 5.05, 2.05];
    let p = PointSet::from_f64(&x, &y, None);
    let codes = [0.0, 1.0, 0.0, 0.0, 2.0];
    for backend in [Backend::Gpu, Backend::Cpu] {
        let (p, l) = categorised(
            p.clone(),
            3,
            |i| codes[i],
            Mode::Density,
            backend,
            How::Linear,
        );
        let r = render_set(&gpu, p, &l);
        let lut = l.categories.as_ref().unwrap().lut();
        let at = |x: f64, y: f64| {
            let (px, py) = ((x * 10.0) as usize, ((10.0 - y) * 10.0) as usize);
            let i = (py * SIZE.0 as usize + px) * 4;
            [r.rgba[i], r.rgba[i + 1], r.rgba[i + 2], r.rgba[i + 3]]
        };
        // Datashader: (counts . colours) / total, astype(uint8); the densest
        // pixel at full alpha.
        let mix = [0, 1, 2].map(|c| ((3.0 * lut[0][c] as f64 + lut[1][c] as f64) / 4.0) as u8);
        let got = at(3.05, 5.05);
        for c in 0..3 {
            assert!(
                got[c].abs_diff(mix[c]) <= 1,
                "{backend:?}: {got:?} for {mix:?}"
            );
        }
        // The sparsest at min_alpha (40) over the white background.
        let over = |c: u8| (c as f64 * 40.0 / 255.0 + 255.0 * (1.0 - 40.0 / 255.0)).round() as u8;
        let got = at(8.05, 2.05);
        for c in 0..3 {
            assert!(
                got[c].abs_diff(over(lut[2][c])) <= 1,
                "{backend:?}: {got:?}"
            );
        }
        assert_eq!(at(1.0, 1.0), [255; 4], "{backend:?}: an empty pixel");
    }
}
