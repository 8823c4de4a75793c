//! `pointillist render`: generate or load points, derive values and colours
//! on the GPU, draw them offscreen and write a PNG, timing every stage.

use std::time::{Duration, Instant};

use crate::aggregate::{unordered, Agg};
use crate::aggregate::{Backend, Mode};
use crate::cli::{Look, RenderArgs};
use crate::error::Result;
use crate::gpu::Gpu;
use crate::io::{write_npy_f32, write_npy_u32};
use crate::overlay::{frame_view, overlay_for};
use crate::plot::Plot;
use crate::points::PointSet;
use crate::render::target::{check_output_path, check_size, write_png, OffscreenTarget};
use crate::render::{Painter, OFFSCREEN_FORMAT};
use crate::source::points_and_look;

/// Wall time of each stage of a headless render.
#[derive(Debug, Default, Clone)]
pub struct StageTimes {
    pub stages: Vec<(&'static str, Duration)>,
}

impl StageTimes {
    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let out = f()?;
        self.stages.push((name, start.elapsed()));
        Ok(out)
    }

    pub fn summary(&self) -> String {
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut parts: Vec<String> = self
            .stages
            .iter()
            .map(|(n, d)| format!("{n} {}", fmt_duration(*d)))
            .collect();
        parts.push(format!("total {}", fmt_duration(total)));
        parts.join(" | ")
    }
}

pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// Thousands separators: 1234567 -> "1,234,567".
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rendered frame, and the aggregate grid behind it in splat and density modes.
pub struct Rendered {
    pub rgba: Vec<u8>,
    pub mode: Mode,
    /// (width, height, cells), row 0 at the top.
    pub grid: Option<(u32, u32, Vec<u32>)>,
    pub backend: Backend,
}

/// Render `points` with `look` into a `width` × `height` RGBA8 image.
/// The library entry point that `render`, the viewer's screenshot and the tests share.
pub fn render_image(
    gpu: &Gpu,
    points: PointSet,
    look: &Look,
    size: (u32, u32),
    chunk_points: Option<usize>,
    times: &mut StageTimes,
) -> Result<Vec<u8>> {
    Ok(render_plot(gpu, points, look, size, chunk_points, times, false)?.rgba)
}

/// [`render_image`], also returning the mode used and (when `want_grid`) the aggregate grid.
pub fn render_plot(
    gpu: &Gpu,
    points: PointSet,
    look: &Look,
    size: (u32, u32),
    chunk_points: Option<usize>,
    times: &mut StageTimes,
    want_grid: bool,
) -> Result<Rendered> {
    check_size(gpu, size.0, size.1)?;
    let camera = look.camera(&points.bounds);
    let mut plot = times.time("upload", || {
        let p = Plot::upload(gpu, points, look, chunk_points)?;
        gpu.wait()?;
        Ok(p)
    })?;
    times.time("compute", || {
        plot.derive(gpu)?;
        gpu.wait()
    })?;
    let (mut painter, target) = times.time("pipelines", || {
        let painter = Painter::new(gpu, OFFSCREEN_FORMAT, &plot.renderer);
        Ok((painter, OffscreenTarget::new(gpu, size.0, size.1)?))
    })?;
    let (view, layout) = frame_view(camera, size, 1.0, &look.axes);
    let mode = plot.frame_mode(&view, look.style.point_size);
    let scale = times.time("aggregate", || {
        let scale = plot.prepare(gpu, &mut painter, &view, mode, look.style.point_size)?;
        gpu.wait()?;
        Ok(scale)
    })?;
    let overlay = overlay_for(&view, &layout, &scale, &look.axes, look.style.rgb());
    times.time("draw", || {
        plot.draw(
            gpu,
            &mut painter,
            mode,
            &view,
            &look.style,
            overlay.as_ref(),
            &target.view,
        )?;
        gpu.wait()
    })?;
    let rgba = times.time("readback", || target.read_rgba(gpu))?;
    let grid = if want_grid {
        plot.read_grid(gpu)?
    } else {
        None
    };
    Ok(Rendered {
        rgba,
        mode,
        grid,
        backend: plot.backend,
    })
}

/// "clusters, seed 1" or the input file's name, for messages.
pub fn describe_source(data: &crate::cli::DataArgs) -> String {
    match &data.input {
        Some(path) => path.display().to_string(),
        None => format!("{:?}, seed {}", data.dataset, data.seed).to_lowercase(),
    }
}

pub fn run(args: &RenderArgs) -> Result<()> {
    check_output_path(&args.output)?;
    if let Some(path) = &args.export_aggregate {
        check_output_path(path)?;
        if args.look.mode == Mode::Points {
            return Err(crate::error::input(
                "--export-aggregate needs --mode density or splat: points mode has no aggregate grid",
            ));
        }
    }
    let mut times = StageTimes::default();
    let stage = if args.data.input.is_some() {
        "load"
    } else {
        "generate"
    };
    // The device starts on its own thread while the points are made.
    let device = std::thread::spawn(Gpu::headless);
    let (points, look) = times.time(stage, || points_and_look(&args.data, &args.look))?;
    let gpu = times.time("device", || {
        device
            .join()
            .map_err(|_| crate::error::Error::Gpu("the device thread panicked".into()))?
    })?;
    check_size(&gpu, args.width, args.height)?;
    eprintln!(
        "pointillist: {} points ({}) on {}",
        fmt_count(points.len()),
        describe_source(&args.data),
        gpu.describe()
    );
    if args.look.verbose {
        eprintln!("  adapter: {:?}", gpu.info);
    }
    let export = args.export_aggregate.as_deref();
    let r = render_plot(
        &gpu,
        points,
        &look,
        (args.width, args.height),
        None,
        &mut times,
        export.is_some(),
    )?;
    eprintln!("  mode {:?}, backend {:?}", r.mode, r.backend);
    times.time("png", || {
        write_png(&args.output, args.width, args.height, &r.rgba)
    })?;
    if let Some(path) = export {
        let (w, h, cells) = r.grid.ok_or_else(|| {
            crate::error::input("--export-aggregate needs --mode density (or splat): points mode has no aggregate grid")
        })?;
        let what = if r.mode == Mode::Density && look.plot.agg == Agg::Count {
            write_npy_u32(path, h, w, &cells)?;
            "counts".to_string()
        } else {
            // Values: the splat's winner or the aggregate, NaN where no point fell.
            let values: Vec<f32> = cells
                .iter()
                .map(|&c| if c == 0 { f32::NAN } else { unordered(c) })
                .collect();
            write_npy_f32(path, h, w, &values)?;
            let agg = if r.mode == Mode::Splat {
                Agg::Max
            } else {
                look.plot.agg
            };
            format!("{} of the values, NaN where empty", agg.name())
        };
        eprintln!(
            "wrote {} ({h}x{w} {what}, row 0 at the top)",
            path.display()
        );
    }
    eprintln!("  {}", times.summary());
    eprintln!(
        "wrote {} ({}x{})",
        args.output.display(),
        args.width,
        args.height
    );
    Ok(())
}
