//! GPU against its CPU twins, on lavapipe in CI: values and colours for every
//! value function and colourmap across chunk boundaries, the auto range, and
//! the drawn picture against the CPU reference rasteriser.

use super::common::render_image;
use crate::aggregate::Backend;
use crate::camera::{Camera, Viewport};
use crate::colormap::{Colormap, NAMES};
use crate::context::Timings as StageTimes;
use crate::derive::{derive_serial, Derived, Expectation, ValueSettings};
use crate::expr::Expr;
use crate::gpu::Gpu;
use crate::parity;
use crate::plot::Look;
use crate::plot::PlotOptions;
use crate::points::{generate, Dataset, PointSet};
use crate::render::chunks::GpuPoints;
use crate::render::{FrameView, Renderer, Style};
use glam::DVec2;

/// Chunks of 512 points: the test sizes below cross several chunk boundaries.
const SMALL_CHUNK: usize = 512;

/// The GPU's derive of `settings` against the CPU twin's, within the
/// reference's bounds; `reuse` gives a renderer and uploaded points (with
/// `colormap`) to derive with instead of making new ones.
pub(crate) fn parity_for(
    gpu: &Gpu,
    points: &PointSet,
    settings: ValueSettings,
    colormap: Colormap,
    reuse: Option<(&Renderer, &GpuPoints)>,
) -> parity::Parity {
    let made;
    let (renderer, gpu_points) = match reuse {
        Some(r) => r,
        None => {
            let renderer = Renderer::new(gpu, colormap.clone());
            let gp = GpuPoints::upload(gpu, &renderer, points, Some(SMALL_CHUNK)).unwrap();
            made = (renderer, gp);
            (&made.0, &made.1)
        }
    };
    assert!(gpu_points.chunks.len() > 2);
    gpu_points.derive(gpu, renderer, &settings).unwrap();
    let values = gpu_points.read_values(gpu).unwrap();
    let colours = gpu_points.read_colours(gpu).unwrap();
    let stats = gpu_points.read_stats(gpu).unwrap();
    let range = settings.range.or(stats.range());
    let lut = colormap.rgba8();
    let mut cpu = Derived::with_len(points.len());
    derive_serial(points, &settings, &lut, &mut cpu);
    let expect = Expectation::new(points, &settings);
    let extremes = &settings.extremes;
    let p = parity::check(
        &values,
        &colours,
        range,
        &cpu,
        (&lut, extremes, settings.norm),
        &|i| expect.at(i),
    );
    // The counts agree, but for points near an edge (which may go either way).
    let apart =
        stats.no_value.abs_diff(cpu.stats.no_value) + stats.filtered.abs_diff(cpu.stats.filtered);
    assert!(
        apart <= p.unsure as u64,
        "{:?} filter {:?}: no value / left out: GPU {} / {}, CPU {} / {}, {} unsure",
        settings.value,
        settings.filter,
        stats.no_value,
        stats.filtered,
        cpu.stats.no_value,
        cpu.stats.filtered,
        p.unsure
    );
    p
}

/// Settings for a value expression over the test points' one column, `data`.
pub(crate) fn settings(value: &str, range: Option<(f32, f32)>) -> ValueSettings {
    let e = Expr::value(value, &["data"]).unwrap();
    ValueSettings {
        value: e.node,
        filter: None,
        range,
        t: 0.0,
        extremes: Default::default(),
        norm: Default::default(),
        categories: None,
    }
}

pub(crate) fn test_points() -> PointSet {
    let mut points = generate(Dataset::Clusters, 2_000, 11).unwrap();
    points.columns = vec![std::sync::Arc::new(
        (0..points.len())
            .map(|i| ((i * 37) % 101) as f32 - 50.0)
            .collect(),
    )];
    points
}

const BUILT_IN: [&str; 8] = ["x+y", "x", "y", "radius", "angle", "wave", "index", "data"];

#[test]
fn every_value_function_matches_the_cpu_twin() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = test_points();
    for kind in BUILT_IN {
        for range in [None, Some((-10.0, 60.0))] {
            let p = parity_for(
                &gpu,
                &points,
                settings(kind, range),
                Colormap::VIRIDIS,
                None,
            );
            assert!(p.ok(), "{kind:?} {range:?}: {p:?}");
            assert_eq!(p.unsure, 0, "{kind}");
        }
    }
}

#[test]
fn exact_value_functions_are_exact() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = test_points();
    let renderer = Renderer::new(&gpu, Colormap::VIRIDIS);
    let gp = GpuPoints::upload(&gpu, &renderer, &points, Some(SMALL_CHUNK)).unwrap();
    let lut = Colormap::VIRIDIS.rgba8();
    // Correctly rounded operations only: the GPU gives the CPU's bits.
    for kind in [
        "x",
        "y",
        "x+y",
        "index",
        "data",
        "where(x > y, data, -data)",
    ] {
        let s = settings(kind, None);
        gp.derive(&gpu, &renderer, &s).unwrap();
        let mut cpu = Derived::with_len(points.len());
        derive_serial(&points, &s, &lut, &mut cpu);
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&gp.read_values(&gpu).unwrap()),
            bits(&cpu.values),
            "{kind}"
        );
        assert_eq!(gp.read_colours(&gpu).unwrap(), cpu.colours, "{kind}");
    }
}

#[test]
fn every_colormap_matches_the_cpu_twin() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = test_points();
    for name in NAMES {
        for name in [name.to_string(), format!("{name}_r")] {
            let cmap = Colormap::by_name(&name).unwrap();
            let p = parity_for(&gpu, &points, settings("wave", None), cmap, None);
            assert!(p.ok(), "{name}: {p:?}");
        }
    }
}

#[test]
fn auto_range_is_the_min_and_max() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = PointSet::from_f64(&[-3.0, 1.0, 7.5, 2.0], &[0.0, 10.0, -1.0, 4.0], None);
    let renderer = Renderer::new(&gpu, Colormap::VIRIDIS);
    let gp = GpuPoints::upload(&gpu, &renderer, &points, None).unwrap();
    gp.derive(&gpu, &renderer, &ValueSettings::of("x+y"))
        .unwrap();
    let stats = gp.read_stats(&gpu).unwrap();
    assert_eq!(stats.range(), Some((-3.0, 11.0)));
    assert_eq!((stats.no_value, stats.filtered), (0, 0));
}

fn scene_look(point_size: f32, opacity: f32) -> Look {
    let colormap = Colormap::by_name("plasma").unwrap();
    Look {
        style: Style {
            point_size,
            opacity,
            scale: 1.0,
            background: wgpu::Color {
                r: 0.1,
                g: 0.1,
                b: 0.1,
                a: 1.0,
            },
        },
        ..Look::plain(
            ValueSettings::of("radius"),
            colormap,
            PlotOptions::default(),
        )
    }
}

/// The GPU picture against the CPU reference rasteriser fed with the CPU
/// twin's colours (and the look's sizes).
fn reference_image(points: &PointSet, look: &Look, size: (u32, u32)) -> Vec<u8> {
    let lut = look.colormap.rgba8();
    let mut cpu = Derived::with_len(points.len());
    derive_serial(points, &look.values, &lut, &mut cpu);
    let view = FrameView {
        camera: look.camera(&points.bounds),
        viewport: Viewport::full(size.0, size.1),
        size,
    };
    crate::reference::rasterise_sized(
        &points.split_range(0..points.len()),
        &cpu.colours,
        look.sizes.as_ref().map(|s| s.factors.as_slice()),
        points.origin,
        &view,
        &look.style,
    )
}

/// `points` drawn by the GPU in small chunks.
fn drawn(gpu: &Gpu, points: &PointSet, look: &Look, size: (u32, u32)) -> Vec<u8> {
    let mut times = StageTimes::default();
    render_image(
        gpu,
        points.clone(),
        look,
        size,
        Some(SMALL_CHUNK),
        &mut times,
    )
    .unwrap()
}

#[test]
fn drawn_discs_match_the_reference_rasteriser() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let size = (240, 160);
    for (name, n, point_size, opacity) in [
        ("discs-opaque", 400, 7.0, 1.0),
        ("discs-blended", 3000, 3.0, 0.5),
        ("discs-1px", 2000, 1.0, 1.0),
    ] {
        let points = generate(Dataset::Spiral, n, 5).unwrap();
        // Colours from the GPU's derive (run when a points frame needs them) and
        // from the CPU twin (the CPU backend) draw the same discs.
        for backend in [Backend::Gpu, Backend::Cpu] {
            let mut look = scene_look(point_size, opacity);
            look.plot.backend = backend;
            let actual = drawn(&gpu, &points, &look, size);
            let expected = reference_image(&points, &look, size);
            let name = format!("{name}-{backend:?}");
            // The GPU rounds to 8 bits after each blended disc, the
            // reference once at the end: overlapping blends may drift by 3.
            let max_diff = if opacity < 1.0 { 3 } else { 2 };
            super::common::assert_images_close(&name, size, &actual, &expected, max_diff, 0);
        }
    }
}

#[test]
fn sized_discs_match_the_reference_rasteriser() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let size = (240, 160);
    let points = generate(Dataset::Spiral, 300, 8).unwrap();
    // Sizes from `radius` (with no value, so no disc, for a tenth of the points).
    let values: Vec<f32> = (0..points.len())
        .map(|i| {
            if i % 10 == 3 {
                f32::NAN
            } else {
                points.point(i).length() as f32
            }
        })
        .collect();
    let sizes = crate::sizes::Sizes::new(&values, (1.0, 14.0), 3.0, "r".into());
    assert!(sizes.factors.iter().any(|&f| f > 4.0) && sizes.factors.contains(&0.0));
    for backend in [Backend::Gpu, Backend::Cpu] {
        let mut look = scene_look(3.0, 0.8);
        look.plot.backend = backend;
        look.sizes = Some(sizes.clone());
        let actual = drawn(&gpu, &points, &look, size);
        let expected = reference_image(&points, &look, size);
        let plain = drawn(&gpu, &points, &scene_look(3.0, 0.8), size);
        assert!(plain != actual, "{backend:?}: the sizes changed nothing");
        let name = format!("discs-sized-{backend:?}");
        super::common::assert_images_close(&name, size, &actual, &expected, 3, 0);
    }
}

#[test]
fn chunking_does_not_change_the_picture() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = generate(Dataset::Clusters, 5_000, 2).unwrap();
    let look = scene_look(3.0, 0.8);
    let a = render_image(
        &gpu,
        points.clone(),
        &look,
        (200, 120),
        Some(SMALL_CHUNK),
        &mut StageTimes::default(),
    )
    .unwrap();
    let b = render_image(
        &gpu,
        points.clone(),
        &look,
        (200, 120),
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    assert!(a == b, "chunked and unchunked renders differ");
}

#[test]
fn zero_and_one_points_give_valid_images() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let look = scene_look(9.0, 1.0);
    let empty = PointSet::from_f64(&[], &[], None);
    let img = render_image(
        &gpu,
        empty.clone(),
        &look,
        (64, 48),
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    assert_eq!(img.len(), 64 * 48 * 4);
    assert!(img.chunks(4).all(|p| p == [26, 26, 26, 255]));
    let one = PointSet::from_f64(&[1e6], &[-2e6], None);
    let img = render_image(
        &gpu,
        one.clone(),
        &look,
        (64, 48),
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    // The single point sits in the middle with the colourmap's first colour.
    let first = look.colormap.rgba8()[0];
    assert_eq!(&img[(24 * 64 + 32) * 4..][..4], &first);
    assert_eq!(&img[0..4], &[26, 26, 26, 255]);
}

#[test]
fn a_camera_range_shows_only_that_part() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    // Two points; a view of the left one's surroundings leaves the other out.
    let points = PointSet::from_f64(&[0.0, 10.0], &[0.0, 0.0], None);
    let mut look = scene_look(8.0, 1.0);
    look.x_range = Some((-1.0, 1.0));
    look.y_range = Some((-1.0, 1.0));
    let img = render_image(
        &gpu,
        points.clone(),
        &look,
        (50, 50),
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    let expected = reference_image(&points, &look, (50, 50));
    super::common::assert_images_close("camera-range", (50, 50), &img, &expected, 2, 0);
    let cam = look.camera(&points.bounds);
    let centre = cam.data_to_pixel(DVec2::ZERO, &Viewport::full(50, 50));
    assert_eq!(centre, DVec2::new(25.0, 25.0));
    assert_eq!(Camera::from_ranges((-1.0, 1.0), (-1.0, 1.0)), cam);
}

/// Colours beyond a fixed range and for no value (matplotlib's `set_under`,
/// `set_over`, `set_bad`): the GPU's colour pass gives exactly the twin's,
/// and those are the given colours where they belong; a point the filter
/// left out stays transparent, and without them the map's ends are used.
#[test]
fn under_over_and_bad_colours_match_the_twin() {
    use crate::colormap::Extremes;
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    // sqrt(x): no value, 0.2, 0.5, 0.7, 0.8, 1, and one left out by the filter.
    let xs = [-1.0, 0.04, 0.25, 0.49, 0.64, 1.0, 9.0];
    let points = PointSet::from_f64(&xs, &[0.0; 7], None);
    let (under, over, bad) = ([255, 0, 0, 255], [0, 0, 255, 255], [9, 9, 9, 255]);
    let lut = Colormap::VIRIDIS.rgba8();
    let renderer = Renderer::new(&gpu, Colormap::VIRIDIS);
    let gp = GpuPoints::upload(&gpu, &renderer, &points, None).unwrap();
    let packed = u32::from_le_bytes;
    let entry = |v: f32| {
        let t = crate::colormap::normalise(v, 0.3, 0.75);
        packed(lut[crate::colormap::colour_index(t)])
    };
    for (extremes, want) in [
        (
            Extremes {
                under: Some(under),
                over: Some(over),
                bad: Some(bad),
            },
            [
                packed(bad),
                packed(under),
                entry(0.5),
                entry(0.7),
                packed(over),
                packed(over),
                0,
            ],
        ),
        (
            Extremes::default(),
            [
                0,
                packed(lut[0]),
                entry(0.5),
                entry(0.7),
                packed(lut[255]),
                packed(lut[255]),
                0,
            ],
        ),
    ] {
        let mut settings = ValueSettings::of("sqrt(x)");
        settings.filter = Some(Expr::filter("x < 5", &[]).unwrap().node);
        settings.range = Some((0.3, 0.75));
        settings.extremes = extremes;
        gp.derive(&gpu, &renderer, &settings).unwrap();
        let colours = gp.read_colours(&gpu).unwrap();
        let mut cpu = Derived::with_len(points.len());
        derive_serial(&points, &settings, &lut, &mut cpu);
        assert_eq!(colours, cpu.colours, "{extremes:?}: GPU and twin");
        assert_eq!(cpu.colours, want, "{extremes:?}");
    }
}

/// Points coloured through each non-linear norm: the GPU's values and colours
/// against the twin's (parity: each its own entry through its own table, on
/// the auto and a fixed range), each colour the f64 norm's entry, and under
/// log the values <= 0 counted as no value on both.
#[test]
fn norms_colour_points_as_the_twin_and_the_f64_norm() {
    use crate::colormap::Norm;
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = test_points();
    let lut = Colormap::VIRIDIS.rgba8();
    let norms = [
        Norm::Log,
        Norm::SymLog { linthresh: 2.0 },
        Norm::Power { gamma: 0.4 },
    ];
    for norm in norms {
        for range in [None, Some((0.5, 40.0))] {
            let mut s = settings("data * 1.5", range);
            s.norm = norm;
            let p = parity_for(&gpu, &points, s.clone(), Colormap::VIRIDIS, None);
            assert!(p.ok(), "{norm:?} {range:?}: {p:?}");
            let mut cpu = Derived::with_len(points.len());
            derive_serial(&points, &s, &lut, &mut cpu);
            let (lo, hi) = cpu.range.unwrap();
            let mut entries = std::collections::HashSet::new();
            for (&v, &c) in cpu.values.iter().zip(&cpu.colours) {
                if norm == Norm::Log {
                    assert!(v.is_nan() || v > 0.0, "{v}");
                }
                if !v.is_nan() {
                    let k = norm.entry(v, lo, hi);
                    entries.insert(k);
                    assert_eq!(c, u32::from_le_bytes(lut[k]), "{norm:?}: {v}");
                }
            }
            assert!(entries.len() > 20, "{norm:?}: {} entries", entries.len());
            let none = cpu.values.iter().filter(|v| v.is_nan()).count();
            assert_eq!(
                none > 0,
                norm == Norm::Log,
                "{norm:?}: {none} without value"
            );
        }
    }
}
