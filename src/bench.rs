//! `pointillist bench`: the per-point value + colour computation on the GPU
//! against its CPU twins (one thread, all threads) on the same points, after
//! checking that they agree; and the frame time of the draw path.
//!
//! GPU compute is reported three ways, because users pay different ones:
//! kernel time (timestamp queries, when the adapter has them), submit-to-done
//! wall time, and the round trip with upload and readback included.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use glam::DVec2;
use serde::Serialize;

use crate::aggregate::{Agg, Backend, How, Mode};
use crate::camera::{Camera, Viewport};
use crate::colormap::Colormap;
use crate::context::fmt_count;
use crate::derive::{derive_parallel, derive_serial, Derived, Expectation, ValueSettings};
use crate::error::{input, Error, Result};
use crate::expr::Expr;
use crate::gpu::Gpu;
use crate::parity::{self, Parity};
use crate::plot::Look;
use crate::plot::{Plot, PlotOptions};
use crate::points::{generate, Dataset, PointSet};
use crate::render::chunks::{GpuPoints, BYTES_PER_POINT};
use crate::render::target::OffscreenTarget;
use crate::render::{FrameView, Painter, Renderer, OFFSCREEN_FORMAT};

/// What `pointillist bench` measures (the command line's `bench` flags).
#[derive(Debug, Clone)]
pub struct BenchArgs {
    /// Sizes to measure.
    pub points: Vec<u64>,
    /// Value expressions to measure.
    pub value: Vec<String>,
    /// Timed runs per measurement (after one warm-up run).
    pub repeat: usize,
    /// Dataset the points are generated from.
    pub dataset: Dataset,
    /// Generator seed.
    pub seed: u64,
    /// Skip the draw (frame time) measurements.
    pub no_draw: bool,
    /// Only the viewer's hover and lasso timings.
    pub interaction: bool,
    /// Print one JSON document on stdout instead of the table.
    pub json: bool,
    /// Test-only: corrupt the CPU twin so that the parity check must fail.
    pub break_twin: bool,
}

/// Time budget per measurement beyond the first timed run: slow paths
/// (lavapipe drawing 10M quads takes seconds) stop repeating early.
const BUDGET: Duration = Duration::from_secs(6);
/// Bytes each point moves in the derive: position in, value and colour out.
const BYTES_MOVED: u64 = BYTES_PER_POINT;
const FRAME: (u32, u32) = (1920, 1080);

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub adapter: String,
    pub backend: String,
    pub device_type: String,
    pub driver: String,
    pub cpu: String,
    pub threads: usize,
    pub timestamp_queries: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub path: String,
    pub runs: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub points_per_second: f64,
    /// Bytes moved (16 per point for compute; the frame's pixels for a draw) over the median.
    pub gb_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SizeResult {
    pub points: usize,
    pub value: String,
    /// Parse, check, WGSL and pipeline of the expression, the first time (ms).
    pub compile_ms: f64,
    pub parity: Parity,
    pub measurements: Vec<Measurement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub dataset: String,
    pub repeat: usize,
    pub results: Vec<SizeResult>,
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Warm up once, then time `f` up to `repeat` times within the budget.
fn measure(repeat: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Vec<Duration>> {
    let warm = f()?;
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < repeat.max(1) && (times.is_empty() || start.elapsed() + warm < BUDGET) {
        times.push(f()?);
    }
    Ok(times)
}

fn wall(f: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed())
}

fn summarise(path: &str, points: usize, bytes: f64, mut times: Vec<Duration>) -> Measurement {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(times[times.len() / 2]);
    Measurement {
        path: path.to_string(),
        runs: times.len(),
        median_ms: median,
        min_ms: ms(times[0]),
        max_ms: ms(times[times.len() - 1]),
        points_per_second: points as f64 / (median / 1e3),
        gb_per_second: bytes / (median / 1e3) / 1e9,
    }
}

fn progress(enabled: bool, msg: &str) {
    if enabled {
        eprint!("\r\x1b[2K{msg}");
    }
}

/// Kernel time of one derive from timestamp queries.
struct Timestamps {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    period_ns: f64,
}

impl Timestamps {
    fn new(gpu: &Gpu) -> Option<Self> {
        if !gpu
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
        {
            return None;
        }
        Some(Self {
            set: gpu.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("pointillist bench timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolve: gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist bench timestamps"),
                size: 16,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            period_ns: gpu.queue.get_timestamp_period() as f64,
        })
    }

    fn kernel_time(
        &self,
        gpu: &Gpu,
        points: &GpuPoints,
        renderer: &Renderer,
        settings: &ValueSettings,
    ) -> Result<Duration> {
        points.prepare_derive(gpu, renderer, settings)?;
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        points.record_derive(
            &mut encoder,
            renderer,
            Some(wgpu::ComputePassTimestampWrites {
                query_set: &self.set,
                beginning_of_pass_write_index: Some(0),
                end_of_pass_write_index: Some(1),
            }),
        );
        encoder.resolve_query_set(&self.set, 0..2, &self.resolve, 0);
        gpu.queue.submit([encoder.finish()]);
        let ticks: Vec<u64> = bytemuck::pod_collect_to_vec(&gpu.read_buffer(&self.resolve, 16)?);
        let ns = ticks[1].saturating_sub(ticks[0]) as f64 * self.period_ns;
        Ok(Duration::from_nanos(ns as u64))
    }
}

pub fn run(args: &BenchArgs) -> Result<Report> {
    if args.points.contains(&0) {
        return Err(input("bench --points: every size must be at least 1"));
    }
    if args.repeat == 0 {
        return Err(input("bench --repeat must be at least 1"));
    }
    // Generated points have no columns: x, y, index, t and the built-in names.
    let exprs = args
        .value
        .iter()
        .map(|v| {
            Expr::value(v, &[]).map_err(|error| Error::Expression {
                role: "value",
                error,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let sizes = args
        .points
        .iter()
        .map(|&n| {
            usize::try_from(n)
                .ok()
                .filter(|&n| n <= 500_000_000)
                .ok_or_else(|| input(format!("bench --points {n}: at most 500,000,000 points")))
        })
        .collect::<Result<Vec<_>>>()?;
    let gpu = Gpu::headless()?;
    // The GPU holds 16 bytes a point, the host about 28 (points, CPU and readback outputs).
    let limit = gpu.device.limits().max_buffer_size;
    for &n in &sizes {
        if n as u64 * 8 > limit * 64 {
            return Err(input(format!(
                "bench --points {n}: more than this device can hold"
            )));
        }
    }
    let show = !args.json && std::io::stderr().is_terminal();
    let timestamps = Timestamps::new(&gpu);
    let machine = Machine {
        adapter: gpu.info.name.clone(),
        backend: format!("{:?}", gpu.info.backend),
        device_type: format!("{:?}", gpu.info.device_type),
        driver: format!("{} {}", gpu.info.driver, gpu.info.driver_info)
            .trim()
            .to_string(),
        cpu: cpu_model(),
        threads: rayon::current_num_threads(),
        timestamp_queries: timestamps.is_some(),
    };
    let renderer = Renderer::new(&gpu, Colormap::VIRIDIS);
    let lut = renderer.colormap().rgba8();
    let mut results = Vec::new();
    for &n in &sizes {
        progress(show, &format!("generating {} points", fmt_count(n)));
        let points = generate(args.dataset, n, args.seed)?;
        for e in &exprs {
            let settings = ValueSettings {
                value: e.node.clone(),
                filter: None,
                range: None,
                t: 0.0,
                extremes: Default::default(),
                norm: Default::default(),
                categories: None,
            };
            results.push(bench_size(
                &gpu,
                &renderer,
                &points,
                (&e.source, &settings),
                &lut,
                timestamps.as_ref(),
                args,
                show,
            )?);
        }
    }
    progress(show, "");
    Ok(Report {
        machine,
        dataset: format!("{:?}", args.dataset).to_lowercase(),
        repeat: args.repeat,
        results,
    })
}

#[allow(clippy::too_many_arguments)]
fn bench_size(
    gpu: &Gpu,
    renderer: &Renderer,
    points: &PointSet,
    (source, settings): (&str, &ValueSettings),
    lut: &[[u8; 4]; 256],
    timestamps: Option<&Timestamps>,
    args: &BenchArgs,
    show: bool,
) -> Result<SizeResult> {
    let n = points.len();
    let label = format!("{} points, {source}", fmt_count(n));
    // What a new expression costs before its first frame: parse and check,
    // then WGSL and a pipeline (cached afterwards, so only the first size pays).
    let start = Instant::now();
    Expr::value(source, &[]).map_err(|error| Error::Expression {
        role: "value",
        error,
    })?;
    renderer.derive.select(&gpu.device, settings)?;
    let compile_ms = start.elapsed().as_secs_f64() * 1e3;
    let bytes = (n as u64 * BYTES_MOVED) as f64;

    // Parity first: the GPU against the one-thread twin.
    progress(show, &format!("{label}: checking GPU against CPU"));
    let gpu_points = GpuPoints::upload(gpu, renderer, points, None)?;
    gpu_points.derive(gpu, renderer, settings)?;
    let mut cpu = Derived::with_len(n);
    derive_serial(points, settings, lut, &mut cpu);
    if args.break_twin {
        if let Some(v) = cpu.values.first_mut() {
            *v += 1.0 + v.abs();
        }
    }
    let expect = Expectation::new(points, settings);
    let parity = parity::check(
        &gpu_points.read_values(gpu)?,
        &gpu_points.read_colours(gpu)?,
        settings.range.or(gpu_points.read_stats(gpu)?.range()),
        &cpu,
        (lut, &settings.extremes, settings.norm),
        &|i| expect.at(i),
    );
    if !parity.ok() {
        return Err(Error::Gpu(format!(
            "GPU and CPU disagree for {label}: {} values and {} colours differ ({}); not benchmarking a wrong result",
            parity.value_mismatches,
            parity.colour_mismatches,
            parity.first_mismatch.as_deref().unwrap_or("the range differs")
        )));
    }

    let mut out = Vec::new();
    if args.interaction {
        let mut sorted = points.clone();
        sorted.sort_morton();
        let target = OffscreenTarget::new(gpu, FRAME.0, FRAME.1)?;
        let view = FrameView {
            camera: Camera::fit(&points.bounds),
            viewport: Viewport::full(FRAME.0, FRAME.1),
            size: FRAME,
        };
        out.extend(interaction(
            gpu, renderer, &sorted, settings, &view, &target, args,
        )?);
        return Ok(SizeResult {
            points: n,
            value: source.to_string(),
            compile_ms,
            parity,
            measurements: out,
        });
    }
    progress(show, &format!("{label}: CPU, 1 thread"));
    let t = measure(args.repeat, || {
        wall(|| {
            derive_serial(points, settings, lut, &mut cpu);
            Ok(())
        })
    })?;
    out.push(summarise("cpu, 1 thread", n, bytes, t));
    progress(show, &format!("{label}: CPU, all threads"));
    let t = measure(args.repeat, || {
        wall(|| {
            derive_parallel(points, settings, lut, &mut cpu);
            Ok(())
        })
    })?;
    out.push(summarise(
        &format!("cpu, {} threads", rayon::current_num_threads()),
        n,
        bytes,
        t,
    ));

    if let Some(ts) = timestamps {
        progress(show, &format!("{label}: GPU kernel"));
        let t = measure(args.repeat, || {
            ts.kernel_time(gpu, &gpu_points, renderer, settings)
        })?;
        out.push(summarise("gpu compute, kernel (timestamps)", n, bytes, t));
    }
    progress(show, &format!("{label}: GPU submit to done"));
    let t = measure(args.repeat, || {
        gpu_points.prepare_derive(gpu, renderer, settings)?;
        gpu.wait()?;
        wall(|| {
            gpu_points.derive(gpu, renderer, settings)?;
            gpu.wait()
        })
    })?;
    out.push(summarise("gpu compute, submit to done", n, bytes, t));
    drop(gpu_points);
    progress(show, &format!("{label}: GPU with upload and readback"));
    let t = measure(args.repeat.min(5), || {
        wall(|| {
            let p = GpuPoints::upload(gpu, renderer, points, None)?;
            p.derive(gpu, renderer, settings)?;
            let (v, c) = (p.read_values(gpu)?, p.read_colours(gpu)?);
            std::hint::black_box((v, c));
            Ok(())
        })
    })?;
    out.push(summarise("gpu compute + upload + readback", n, bytes, t));

    if !args.no_draw {
        let target = OffscreenTarget::new(gpu, FRAME.0, FRAME.1)?;
        let view = FrameView {
            camera: Camera::fit(&points.bounds),
            viewport: Viewport::full(FRAME.0, FRAME.1),
            size: FRAME,
        };
        let pixels = (FRAME.0 * FRAME.1 * 4) as f64;
        let mut sorted = points.clone();
        let t = wall(|| {
            sorted.sort_morton();
            Ok(())
        })?;
        // Bytes: the (key, index) records of the three radix passes, read and written.
        out.push(summarise("morton sort, cpu", n, n as f64 * 48.0, vec![t]));
        for (mode, backend, agg, name, points, zoomed) in [
            (
                Mode::Points,
                Backend::Gpu,
                Agg::Count,
                "draw: instanced 2-px discs",
                points,
                false,
            ),
            (
                Mode::Splat,
                Backend::Gpu,
                Agg::Max,
                "draw: splat, gpu",
                points,
                false,
            ),
            (
                Mode::Splat,
                Backend::Cpu,
                Agg::Max,
                "draw: splat, cpu",
                points,
                false,
            ),
            (
                Mode::Splat,
                Backend::Gpu,
                Agg::Max,
                "draw: splat, gpu, morton order",
                &sorted,
                false,
            ),
            (
                Mode::Splat,
                Backend::Cpu,
                Agg::Max,
                "draw: splat, cpu, morton order",
                &sorted,
                false,
            ),
            (
                Mode::Density,
                Backend::Gpu,
                Agg::Count,
                "draw: density eq_hist, gpu",
                points,
                false,
            ),
            (
                Mode::Density,
                Backend::Cpu,
                Agg::Count,
                "draw: density eq_hist, cpu",
                points,
                false,
            ),
            (
                Mode::Density,
                Backend::Gpu,
                Agg::Mean,
                "draw: density mean eq_hist, gpu",
                points,
                false,
            ),
            (
                Mode::Density,
                Backend::Cpu,
                Agg::Mean,
                "draw: density mean eq_hist, cpu",
                points,
                false,
            ),
            (
                Mode::Splat,
                Backend::Gpu,
                Agg::Max,
                "draw: splat, gpu, morton, 1 % view",
                &sorted,
                true,
            ),
            (
                Mode::Splat,
                Backend::Cpu,
                Agg::Max,
                "draw: splat, cpu, morton, 1 % view",
                &sorted,
                true,
            ),
            (
                Mode::Points,
                Backend::Gpu,
                Agg::Count,
                "draw: 2-px discs, morton, 1 % view",
                &sorted,
                true,
            ),
        ] {
            // A tenth of the width and height, off-centre: 1 % of uniform points.
            let b = points.bounds;
            let view = if zoomed {
                let lo = b.min + b.size() * DVec2::new(0.61, 0.27);
                FrameView {
                    camera: Camera::from_ranges(
                        (lo.x, lo.x + b.size().x * 0.1),
                        (lo.y, lo.y + b.size().y * 0.1),
                    ),
                    ..view
                }
            } else {
                view
            };
            progress(show, &format!("{label}: {name} {}x{}", FRAME.0, FRAME.1));
            let look = bench_look(settings, renderer, mode, backend, agg);
            let mut plot = Plot::new(gpu, points.clone(), &look, None)?;
            let mut painter = Painter::new(gpu, OFFSCREEN_FORMAT, &plot.renderer);
            let t = measure(args.repeat.min(5), || {
                wall(|| {
                    plot.prepare(gpu, &mut painter, &view, mode, look.style.point_size)?;
                    plot.draw(
                        gpu,
                        &mut painter,
                        mode,
                        &view,
                        &look.style,
                        None,
                        &target.view,
                    )?;
                    gpu.wait()
                })
            })?;
            out.push(summarise(&format!("{name}, frame"), n, pixels, t));
        }
        out.extend(interaction(
            gpu, renderer, &sorted, settings, &view, &target, args,
        )?);
    }
    Ok(SizeResult {
        points: n,
        value: source.to_string(),
        compile_ms,
        parity,
        measurements: out,
    })
}

/// A frame of the benchmark: no axes, default style, eq_hist shading.
fn bench_look(
    settings: &ValueSettings,
    renderer: &Renderer,
    mode: Mode,
    backend: Backend,
    agg: Agg,
) -> Look {
    let plot = PlotOptions {
        mode,
        backend,
        how: How::EqHist,
        agg,
        spread: 0,
    };
    Look::plain(settings.clone(), renderer.colormap(), plot)
}

/// What the viewer does between frames, on Morton-sorted points (as it sorts
/// them) in the whole view, on the backend the viewer picks: a mouse move to
/// its frame with the read-out (the probe, then a redraw of the same view),
/// and a lasso's release to its highlighted frame (the select pass, the
/// highlight plot, and the frame with it drawn over the veil).
fn interaction(
    gpu: &Gpu,
    renderer: &Renderer,
    points: &PointSet,
    settings: &ValueSettings,
    view: &FrameView,
    target: &OffscreenTarget,
    args: &BenchArgs,
) -> Result<Vec<Measurement>> {
    let n = points.len();
    // Bytes: the frame's pixels, as for the draws.
    let pixels = (FRAME.0 * FRAME.1 * 4) as f64;
    let look = bench_look(settings, renderer, Mode::Auto, Backend::Auto, Agg::Count);
    let mut plot = Plot::new(gpu, points.clone(), &look, None)?;
    let mut painter = Painter::new(gpu, OFFSCREEN_FORMAT, &plot.renderer);
    let size = look.style.point_size;
    let mode = plot.frame_mode(view, size);
    plot.prepare(gpu, &mut painter, view, mode, size)?;
    gpu.wait()?;
    let mut out = vec![];
    // Cursors on a 7 x 5 lattice over the view, one per run.
    let mut k = 0;
    let t = measure(args.repeat.max(10), || {
        k += 1;
        let cursor = DVec2::new(
            (k % 7) as f64 / 7.0 * FRAME.0 as f64 + 37.0,
            (k % 5) as f64 / 5.0 * FRAME.1 as f64 + 29.0,
        );
        let vp = &view.viewport;
        wall(|| {
            let p = crate::probe::probe(
                &plot,
                &view.camera,
                vp,
                mode,
                size as f64,
                cursor,
                None,
                "v",
            );
            std::hint::black_box(p);
            plot.prepare(gpu, &mut painter, view, mode, size)?;
            plot.draw(
                gpu,
                &mut painter,
                mode,
                view,
                &look.style,
                None,
                &target.view,
            )?;
            gpu.wait()
        })
    })?;
    let backend = format!("{:?}", plot.backend).to_lowercase();
    out.push(summarise(
        &format!("hover: read-out + {mode:?} frame, {backend}"),
        n,
        pixels,
        t,
    ));
    // A 200-vertex lasso round a wobbly circle across a third of the view.
    let b = points.bounds;
    let lasso: Vec<[f64; 2]> = (0..200)
        .map(|i| {
            let a = i as f64 / 200.0 * std::f64::consts::TAU;
            let r = 0.3 + 0.05 * (7.0 * a).sin();
            let c = b.center();
            [
                c.x + r * b.size().x * a.cos(),
                c.y + r * b.size().y * a.sin(),
            ]
        })
        .collect();
    let mut pipeline = None;
    let mut hl_painter = Painter::new(gpu, OFFSCREEN_FORMAT, &plot.renderer);
    let area = (view.viewport.size.x as u32, view.viewport.size.y as u32);
    let t = measure(args.repeat.min(5), || {
        wall(|| {
            let mask = crate::highlight::select(
                &mut plot,
                gpu,
                &mut pipeline,
                &view.camera,
                area,
                &lasso,
            )?;
            let mut hl = crate::highlight::highlight(&plot, gpu, &look, &mask)?;
            plot.prepare(gpu, &mut painter, view, mode, size)?;
            if let Some(h) = hl.as_mut() {
                h.prepare(gpu, &mut hl_painter, view, mode, size)?;
            }
            crate::highlight::draw(
                gpu,
                &plot,
                &mut painter,
                hl.as_ref().zip(Some(&mut hl_painter)),
                mode,
                view,
                &look.style,
                None,
                &target.view,
            )?;
            gpu.wait()
        })
    })?;
    out.push(summarise(
        &format!("lasso: select + highlight + {mode:?} frame, {backend}"),
        n,
        pixels,
        t,
    ));
    Ok(out)
}

/// The human table.
pub fn table(report: &Report) -> String {
    let m = &report.machine;
    let mut s = format!(
        "pointillist bench\n  GPU: {} ({}, {}){}\n  CPU: {}, {} threads\n  {} points, median of up to {} runs after a warm-up (min-max)\n\n",
        m.adapter,
        m.backend,
        m.device_type,
        if m.timestamp_queries { ", timestamp queries" } else { "" },
        m.cpu,
        m.threads,
        report.dataset,
        report.repeat
    );
    let w = report
        .results
        .iter()
        .map(|r| r.value.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    s += &format!(
        "{:>12}  {:<w$}  {:<36} {:>11}  {:>21}  {:>9}  {:>6}\n",
        "points", "value", "path", "median", "min-max", "Mpoint/s", "GB/s"
    );
    for r in &report.results {
        for x in &r.measurements {
            s += &format!(
                "{:>12}  {:<w$}  {:<36} {:>8.2} ms  {:>18} ms  {:>9.1}  {:>6.2}\n",
                fmt_count(r.points),
                r.value,
                x.path,
                x.median_ms,
                format!("{:.2}-{:.2}", x.min_ms, x.max_ms),
                x.points_per_second / 1e6,
                x.gb_per_second
            );
        }
        s += &format!(
            "{:>12}  GPU and CPU agree on {} values and colours ({} near an edge not compared; largest error {:.2} of its bound); compiled in {:.1} ms\n",
            "",
            fmt_count(r.parity.checked - r.parity.unsure),
            fmt_count(r.parity.unsure),
            r.parity.max_error_ratio,
            r.compile_ms
        );
    }
    s
}

pub fn main(args: &BenchArgs) -> Result<()> {
    let report = run(args)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| Error::Gpu(e.to_string()))?
        );
    } else {
        print!("{}", table(&report));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_warms_up_and_repeats() {
        let mut calls = 0;
        let t = measure(4, || {
            calls += 1;
            Ok(Duration::from_millis(1))
        })
        .unwrap();
        assert_eq!((t.len(), calls), (4, 5));
    }

    #[test]
    fn summary_takes_the_median() {
        let t = [5, 1, 3].map(Duration::from_millis).to_vec();
        let m = summarise("x", 1000, 16000.0, t);
        assert_eq!(
            (m.median_ms, m.min_ms, m.max_ms, m.runs),
            (3.0, 1.0, 5.0, 3)
        );
        assert!((m.points_per_second - 1000.0 / 0.003).abs() < 1e-6);
    }
}
