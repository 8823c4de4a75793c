//! `pointillist render`: generate or load points, derive values and colours
//! on the GPU, draw them offscreen and write a PNG, timing every stage.

use std::time::{Duration, Instant};

use crate::cli::{Look, RenderArgs};
use crate::error::Result;
use crate::gpu::Gpu;
use crate::overlay::compose;
use crate::points::PointSet;
use crate::render::chunks::GpuPoints;
use crate::render::target::{check_output_path, check_size, write_png, OffscreenTarget};
use crate::render::{draw_frame, Painter, Renderer, OFFSCREEN_FORMAT};
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
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Render `points` with `look` into a `width` × `height` RGBA8 image.
/// The library entry point that `render`, the viewer's screenshot and the tests share.
pub fn render_image(
    gpu: &Gpu,
    points: &PointSet,
    look: &Look,
    size: (u32, u32),
    chunk_points: Option<usize>,
    times: &mut StageTimes,
) -> Result<Vec<u8>> {
    check_size(gpu, size.0, size.1)?;
    let renderer = Renderer::new(gpu, look.colormap);
    let mut painter = Painter::new(gpu, OFFSCREEN_FORMAT, &renderer);
    let target = OffscreenTarget::new(gpu, size.0, size.1)?;
    let gpu_points = times.time("upload", || {
        let p = GpuPoints::upload(gpu, &renderer, points, chunk_points)?;
        gpu.wait()?;
        Ok(p)
    })?;
    times.time("compute", || {
        gpu_points.derive(gpu, &renderer, &look.values)?;
        gpu.wait()
    })?;
    let range = gpu_points.read_range(gpu, &look.values)?;
    let (view, overlay) = compose(
        look.camera(&points.bounds),
        size,
        1.0,
        range,
        &look.axes,
        look.style.rgb(),
    );
    times.time("draw", || {
        draw_frame(
            gpu,
            &mut painter,
            &gpu_points,
            &view,
            &look.style,
            overlay.as_ref(),
            &target.view,
        )?;
        gpu.wait()
    })?;
    times.time("readback", || target.read_rgba(gpu))
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
    let mut times = StageTimes::default();
    let stage = if args.data.input.is_some() {
        "load"
    } else {
        "generate"
    };
    let (points, look) = times.time(stage, || points_and_look(&args.data, &args.look))?;
    let gpu = times.time("device", Gpu::headless)?;
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
    let rgba = render_image(
        &gpu,
        &points,
        &look,
        (args.width, args.height),
        None,
        &mut times,
    )?;
    times.time("png", || {
        write_png(&args.output, args.width, args.height, &rgba)
    })?;
    eprintln!("  {}", times.summary());
    eprintln!(
        "wrote {} ({}x{})",
        args.output.display(),
        args.width,
        args.height
    );
    Ok(())
}
