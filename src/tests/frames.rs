//! The CPU frame against the GPU frame (on lavapipe under CI): every scene —
//! points, splat, density of every aggregate and shading, norms, the colours
//! beyond the range, categories, sizes, a selection, axes, titles, grid, a
//! dark background and a HiDPI scale — made by `cpu::render` without a device
//! and by `render_reusing` on the GPU must agree within 1/255 per channel
//! (actual / expected / diff PNGs on failure). The text of both frames is
//! compared on its own too: the same ink in every label's box.

use super::common::{assert_images_close, gpu, render_plot};
use crate::context::Timings;
use crate::figure::{Color, Figure};
use crate::options::{Agg, Backend, How, Mode};
use crate::{Norm, Points, Value};

fn clusters(n: usize) -> Points {
    Points::generate(crate::Dataset::Clusters, n, 11).unwrap()
}

/// The scenes: a name, the points, the figure (its backend is set per path).
fn scenes() -> Vec<(&'static str, Points, Figure)> {
    let size = |w, h| Figure {
        width: w,
        height: h,
        ..Figure::default()
    };
    let labelled = {
        let p = clusters(3000);
        let names: Vec<String> = (0..p.len()).map(|i| format!("k{}", i % 7)).collect();
        p.with_categories("kind", &names).unwrap()
    };
    let density = |agg, how| Figure {
        mode: Mode::Density,
        agg,
        how,
        ..size(480, 320)
    };
    vec![
        (
            "points",
            clusters(20_000),
            Figure {
                mode: Mode::Points,
                title: Some("Clusters".into()),
                ..size(640, 400)
            },
        ),
        (
            "points-translucent-dark",
            clusters(5000),
            Figure {
                mode: Mode::Points,
                point_size: 5.0,
                opacity: 0.4,
                background: Color::parse("#1a1a2e").unwrap(),
                grid: true,
                x_label: Some("east (km)".into()),
                y_label: Some("north (km)".into()),
                ..size(560, 360)
            },
        ),
        (
            "splat",
            clusters(50_000),
            Figure {
                mode: Mode::Splat,
                point_size: 3.0,
                ..size(480, 320)
            },
        ),
        (
            "splat-beyond-log",
            clusters(50_000),
            Figure {
                mode: Mode::Splat,
                value: Value::Expr("x * y".into()),
                norm: Norm::Log,
                range: Some((20.0, 2000.0)),
                under: Some(Color::parse("#ff0000").unwrap()),
                over: Some(Color::parse("#0000ff").unwrap()),
                ..size(480, 320)
            },
        ),
        (
            "density-count",
            clusters(50_000),
            density(Agg::Count, How::EqHist),
        ),
        (
            "density-log",
            clusters(50_000),
            density(Agg::Count, How::Log),
        ),
        (
            "density-linear-mean",
            clusters(50_000),
            density(Agg::Mean, How::Linear),
        ),
        (
            "density-sum",
            clusters(50_000),
            density(Agg::Sum, How::Cbrt),
        ),
        (
            "density-min",
            clusters(50_000),
            density(Agg::Min, How::EqHist),
        ),
        (
            "density-max-spread",
            clusters(5000),
            Figure {
                spread: 2,
                ..density(Agg::Max, How::Linear)
            },
        ),
        (
            "categories-points",
            labelled.clone(),
            Figure {
                mode: Mode::Points,
                category: Some("kind".into()),
                point_size: 4.0,
                ..size(560, 360)
            },
        ),
        (
            "categories-density",
            labelled,
            Figure {
                mode: Mode::Density,
                category: Some("kind".into()),
                ..size(560, 360)
            },
        ),
        (
            "sizes",
            clusters(800),
            Figure {
                mode: Mode::Points,
                size_by: Some("x".into()),
                size_range: (1.0, 9.0),
                ..size(560, 360)
            },
        ),
        (
            "selection",
            clusters(20_000),
            Figure {
                mode: Mode::Splat,
                selection: Some(vec![[20.0, 20.0], [80.0, 30.0], [50.0, 90.0]]),
                ..size(480, 320)
            },
        ),
        (
            "scale-2",
            clusters(5000),
            Figure {
                mode: Mode::Points,
                scale: 2.0,
                title: Some("twice the pixels".into()),
                ..size(900, 600)
            },
        ),
    ]
}

#[test]
fn the_cpu_frame_equals_the_gpu_frame_on_every_scene() {
    let Some(gpu) = gpu() else {
        return;
    };
    let mut checked = 0;
    for (name, points, figure) in scenes() {
        let size = (figure.width, figure.height);
        let gpu_figure = Figure {
            backend: Backend::Gpu,
            ..figure.clone()
        };
        let (set, look) = gpu_figure.resolve(&points).unwrap();
        let on_gpu = render_plot(&gpu, set, &look, size, None, &mut Timings::default(), true)
            .unwrap_or_else(|e| panic!("{name} on the GPU: {e}"));
        let (set, look) = figure.resolve(&points).unwrap();
        let mut reuse = crate::cpu::Reuse::default();
        let on_cpu = crate::cpu::render(
            set,
            &look,
            size,
            &mut Timings::default(),
            true,
            &mut reuse,
            None,
        )
        .unwrap_or_else(|e| panic!("{name} on the CPU: {e}"));
        assert_eq!(on_cpu.mode, on_gpu.mode, "{name}: the mode");
        assert_eq!(on_cpu.grid, on_gpu.grid, "{name}: the grids");
        let ink = on_cpu
            .rgba
            .chunks_exact(4)
            .filter(|p| p[..3] != on_cpu.rgba[..3])
            .count();
        assert!(
            ink > 1000,
            "{name}: the frame is nearly empty ({ink} pixels drawn)"
        );
        assert_images_close(
            &format!("frame-{name}"),
            size,
            &on_cpu.rgba,
            &on_gpu.rgba,
            1,
            0,
        );
        checked += 1;
    }
    assert_eq!(checked, scenes().len());
}

/// Bounding box of the pixels in `clip` that differ from `bg`.
fn ink_box(img: &[u8], width: u32, clip: [f32; 4], bg: [u8; 4]) -> Option<[u32; 4]> {
    let height = img.len() as u32 / 4 / width;
    let [x0, y0, x1, y1] = clip.map(|c| c.max(0.0) as u32);
    let mut b: Option<[u32; 4]> = None;
    for y in y0..y1.min(height) {
        for x in x0..x1.min(width) {
            let i = ((y * width + x) * 4) as usize;
            if img[i..i + 4] != bg {
                let e = b.get_or_insert([x, y, x, y]);
                *e = [e[0].min(x), e[1].min(y), e[2].max(x), e[3].max(y)];
            }
        }
    }
    b
}

#[test]
fn the_cpu_text_has_the_gpu_glyph_positions() {
    let Some(gpu) = gpu() else {
        return;
    };
    // No points in view: every label's box holds only its text.
    let figure = Figure {
        width: 640,
        height: 420,
        title: Some("Ink of every label".into()),
        x_label: Some("x label".into()),
        x_range: Some((1e6, 1e6 + 3.0)),
        y_range: Some((-2.0, 2.0)),
        mode: Mode::Points,
        ..Figure::default()
    };
    let points = Points::new(&[0.0f64], &[0.0f64]).unwrap();
    let (set, look) = Figure {
        backend: Backend::Gpu,
        ..figure.clone()
    }
    .resolve(&points)
    .unwrap();
    let size = (figure.width, figure.height);
    let on_gpu = render_plot(&gpu, set, &look, size, None, &mut Timings::default(), false).unwrap();
    let (set, look) = figure.resolve(&points).unwrap();
    let camera = look.camera(&set.bounds);
    let on_cpu = crate::cpu::render(
        set,
        &look,
        size,
        &mut Timings::default(),
        false,
        &mut Default::default(),
        None,
    )
    .unwrap();
    let (view, layout) = crate::overlay::frame_view(camera, size, 1.0, &look.axes);
    let scale = crate::overlay::ColorScale::Values {
        range: Some((0.0, 1.0)),
        norm: Norm::Linear,
    };
    let overlay =
        crate::overlay::overlay_for(&view, &layout, &scale, &look.axes, look.style.rgb()).unwrap();
    let bg = [255, 255, 255, 255];
    let mut inked = 0;
    for label in &overlay.labels {
        let want = ink_box(&on_gpu.rgba, size.0, label.clip, bg);
        let got = ink_box(&on_cpu.rgba, size.0, label.clip, bg);
        assert_eq!(got, want, "label {:?}", label.text);
        inked += want.is_some() as usize;
    }
    assert!(inked >= 8, "only {inked} labels have ink");
}
