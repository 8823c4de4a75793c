//! [`Context`]: the long-lived owner of the GPU device and of the compiled
//! pipelines, reused across renders. A render uploads the points, derives
//! their values (GPU compute or the CPU twin), prepares the frame in its mode
//! (instanced points, or a splat/density grid on either backend), draws axes
//! and colourbar, and reads the image back.

use std::fmt;
use std::time::{Duration, Instant};

use crate::data::Points;
use crate::error::Result;
use crate::figure::Figure;
use crate::frame::Rendered;
use crate::gpu::Gpu;
use crate::image::{Grid, Image};
use crate::options::{Agg, Backend, Mode};
use crate::overlay::{frame_view, overlay_for};
use crate::plot::Look;
use crate::plot::{Plot, PlotParts};
use crate::points::PointSet;
use crate::render::target::{check_size, OffscreenTarget};
use crate::render::{Painter, OFFSCREEN_FORMAT};
use crate::select::Selection;

/// Wall time of each stage of a render, in order.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// (stage name, wall time): upload, compute, pipelines, aggregate, draw, readback, …
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Runs `f` and records its wall time as `name`.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let out = f()?;
        self.stages.push((name, start.elapsed()));
        Ok(out)
    }

    /// The sum of the stages.
    pub fn total(&self) -> Duration {
        self.stages.iter().map(|(_, d)| *d).sum()
    }
}

impl fmt::Display for Timings {
    /// `upload 1.2 ms | compute 3.4 ms | … | total 9.9 ms`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, d) in &self.stages {
            write!(f, "{n} {} | ", fmt_duration(*d))?;
        }
        write!(f, "total {}", fmt_duration(self.total()))
    }
}

pub(crate) fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// Thousands separators: 1234567 -> "1,234,567".
pub(crate) fn fmt_count(n: usize) -> String {
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

/// Everything a render produced.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The picture.
    pub image: Image,
    /// The aggregate grid of a splat or density frame (`None` for points).
    pub grid: Option<Grid>,
    /// The mode the frame was drawn in (`Auto` resolved to points or splat).
    pub mode: Mode,
    /// Where a splat or density frame aggregated (never `Auto`).
    pub backend: Backend,
    /// The points the filter kept (all of them without a filter).
    pub kept: u64,
    /// Kept points whose value had none (`log(-1)`, `1/0`): not drawn, not
    /// in the range, but counted by `count`.
    pub no_value: u64,
    /// The points inside the figure's selection polygon, as
    /// [`Context::select`] gives them (None without one).
    pub selection: Option<Selection>,
    /// The read-out at [`Figure::probe`], one line each (empty without one,
    /// or where no point is near and no aggregate is under it).
    pub probe: Vec<String>,
    /// Wall time of each stage.
    pub timings: Timings,
}

/// The GPU device and pipelines, made once and reused by every render.
///
/// Creating a context starts a device (tens of milliseconds); each render
/// after the first reuses its pipelines, colourmap texture and (for the same
/// size) its target. `render` takes `&mut self`: the type is `Send`, so a
/// context can move to another thread, and two threads share one through a
/// `Mutex`.
///
/// ```
/// use pointillist::{Context, Figure, Points};
/// let x: Vec<f64> = (0..1000).map(|i| (i as f64).sin()).collect();
/// let y: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.7).cos()).collect();
/// let points = Points::new(&x, &y)?;
/// let mut ctx = Context::new()?;
/// let image = ctx.render(&points, &Figure { width: 320, height: 200, ..Figure::default() })?;
/// assert_eq!((image.width, image.height, image.rgba.len()), (320, 200, 320 * 200 * 4));
/// # Ok::<(), pointillist::Error>(())
/// ```
pub struct Context {
    /// The device (None: a CPU context, which makes every frame on the CPU).
    pub(crate) gpu: Option<Gpu>,
    reuse: Reuse,
    cpu: crate::cpu::Reuse,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("adapter", &self.adapter())
            .finish_non_exhaustive()
    }
}

/// What `adapter` says of a CPU context.
const NO_DEVICE: &str = "the CPU (no GPU device)";

impl Context {
    /// A headless context on the best adapter (honours `WGPU_BACKEND`,
    /// `WGPU_ADAPTER_NAME`, `WGPU_POWER_PREF`). Fails with
    /// [`Error::NoAdapter`](crate::Error::NoAdapter) when there is none.
    pub fn new() -> Result<Context> {
        Ok(Context::from_gpu(Gpu::headless()?))
    }

    /// A context without a GPU device: every frame is made on the CPU (the
    /// same picture within 1/255 per channel), and nothing of wgpu starts
    /// unless a figure asks for [`Backend::Gpu`].
    pub fn cpu() -> Context {
        Context {
            gpu: None,
            reuse: Reuse::default(),
            cpu: crate::cpu::Reuse::default(),
        }
    }

    /// The context `auto` wants: a device on a hardware adapter; the CPU
    /// where the only adapter is a software rasteriser (lavapipe: the CPU
    /// frame is faster and the same) or where there is none. On Linux with
    /// no GPU device node it does not start wgpu at all.
    pub fn auto() -> Context {
        if crate::gpu::plainly_no_hardware() {
            return Context::cpu();
        }
        match Gpu::headless_adapter() {
            Ok((instance, adapter)) if !crate::gpu::is_software(&adapter.get_info()) => {
                match pollster::block_on(Gpu::on_adapter(instance, adapter)) {
                    Ok(gpu) => Context::from_gpu(gpu),
                    Err(_) => Context::cpu(),
                }
            }
            _ => Context::cpu(),
        }
    }

    /// The context a figure of `backend` needs: [`Context::cpu`],
    /// [`Context::new`] (an error without an adapter) or [`Context::auto`].
    pub fn for_backend(backend: Backend) -> Result<Context> {
        match backend {
            Backend::Cpu => Ok(Context::cpu()),
            Backend::Gpu => Context::new(),
            Backend::Auto => Ok(Context::auto()),
        }
    }

    pub(crate) fn from_gpu(gpu: Gpu) -> Context {
        Context {
            gpu: Some(gpu),
            reuse: Reuse::default(),
            cpu: crate::cpu::Reuse::default(),
        }
    }

    /// The adapter: "name (backend, device type)", or the CPU.
    pub fn adapter(&self) -> String {
        self.gpu
            .as_ref()
            .map_or(NO_DEVICE.to_string(), |g| g.describe())
    }

    /// The adapter's full details, for `--verbose` output.
    pub fn adapter_details(&self) -> String {
        self.gpu
            .as_ref()
            .map_or(NO_DEVICE.to_string(), |g| format!("{:?}", g.info))
    }

    /// Whether frames are made without a hardware GPU: a CPU context, or a
    /// software rasteriser (such as lavapipe).
    pub fn is_software(&self) -> bool {
        self.gpu.as_ref().is_none_or(|g| g.is_software())
    }

    /// Whether this context has a GPU device.
    pub fn has_device(&self) -> bool {
        self.gpu.is_some()
    }

    /// A figure of `backend` gpu on a context without a device starts one
    /// (an error where there is no adapter).
    fn start_device_for(&mut self, backend: Backend) -> Result<()> {
        if backend == Backend::Gpu && self.gpu.is_none() {
            self.gpu = Some(Gpu::headless()?);
        }
        Ok(())
    }

    /// Renders `points` as `figure` describes into an image.
    pub fn render(&mut self, points: &Points, figure: &Figure) -> Result<Image> {
        Ok(self.render_with(points, figure, false)?.image)
    }

    /// Renders, and returns the image with the aggregate grid (splat and
    /// density frames), the mode and backend used, and the stage timings.
    pub fn render_frame(&mut self, points: &Points, figure: &Figure) -> Result<Frame> {
        self.render_with(points, figure, true)
    }

    /// The plot area of `figure` in pixels (width, height): the size of the
    /// grid its splat and density frames aggregate, and that
    /// [`Context::render_grid`] needs.
    pub fn plot_area(figure: &Figure) -> Result<(u32, u32)> {
        let (_, look) = grid_look(figure)?;
        let (view, _) = frame_view(
            look.camera(&crate::points::Bounds::EMPTY),
            (figure.width, figure.height),
            look.style.scale,
            &look.axes,
        );
        Ok((view.viewport.size.x as u32, view.viewport.size.y as u32))
    }

    /// Draws a grid aggregated elsewhere (Dask partitions, another process,
    /// [`Frame::grid`]) as `figure`'s density frame: the same shading,
    /// colourbar and axes as if the points had been aggregated here. The
    /// figure gives the view (`x_range` and `y_range` are needed: the grid's
    /// own) and `how`; the grid gives the aggregate, and must be
    /// [`Context::plot_area`] in size. The colourbar is labelled with the
    /// figure's value as written (an expression or a column name).
    pub fn render_grid(&mut self, grid: &Grid, figure: &Figure) -> Result<Image> {
        if figure.x_range.is_none() || figure.y_range.is_none() {
            return Err(crate::error::input(
                "a grid needs its view: give the figure's x_range and y_range",
            ));
        }
        grid.check()?;
        let area = Self::plot_area(figure)?;
        if (grid.width, grid.height) != area {
            return Err(crate::error::input(format!(
                "a {}x{} grid for a {}x{} plot area: aggregate at the plot area's size",
                grid.width, grid.height, area.0, area.1
            )));
        }
        let (empty, mut look) = grid_look(figure)?;
        look.plot.mode = Mode::Density;
        look.plot.agg = grid.agg;
        let cells = grid.cells();
        let mut timings = Timings::default();
        let size = (figure.width, figure.height);
        self.start_device_for(figure.backend)?;
        let r = match device_for(self.gpu.as_ref(), figure.backend)? {
            None => crate::cpu::render(
                empty,
                &look,
                size,
                &mut timings,
                false,
                &mut self.cpu,
                Some(cells),
            )?,
            Some(gpu) => {
                look.plot.backend = Backend::Cpu;
                render_reusing(
                    gpu,
                    empty,
                    &look,
                    size,
                    None,
                    &mut timings,
                    false,
                    &mut self.reuse,
                    Some(cells),
                )?
            }
        };
        Ok(Image {
            width: size.0,
            height: size.1,
            rgba: r.rgba,
        })
    }

    /// The points of `points` inside `polygon` (data coordinates, even-odd
    /// rule; see [`Figure::selection`] for the edges) that `figure` draws:
    /// points its filter leaves out are never selected. The polygon is tested
    /// in the figure's pixels, on the GPU (or its CPU twin on the CPU
    /// backend: the same points either way); the values are the CPU twin's.
    pub fn select(
        &mut self,
        points: &Points,
        figure: &Figure,
        polygon: &[[f64; 2]],
    ) -> Result<Selection> {
        crate::select::check_polygon(polygon)?;
        self.start_device_for(figure.backend)?;
        let Some(gpu) = device_for(self.gpu.as_ref(), figure.backend)? else {
            let figure = Figure {
                selection: Some(polygon.to_vec()),
                ..figure.clone()
            };
            return Ok(self
                .render_frame(points, &figure)?
                .selection
                .expect("a figure with a selection"));
        };
        let (set, look) = figure.resolve(points)?;
        let camera = look.camera(&set.bounds);
        let mut plot = Plot::new(gpu, set, &look, None)?;
        let (view, _) = frame_view(
            camera,
            (figure.width, figure.height),
            look.style.scale,
            &look.axes,
        );
        let area = (view.viewport.size.x as u32, view.viewport.size.y as u32);
        let mut pipeline = self.reuse.select.take();
        let mask = crate::highlight::select(&mut plot, gpu, &mut pipeline, &camera, area, polygon)?;
        self.reuse.select = pipeline;
        let rows = points.original_index.as_deref().map(|v| v.as_slice());
        Ok(crate::select::selection(
            &plot,
            &mask,
            rows,
            &look.axes.value_label,
        ))
    }

    /// What the frame of `figure` shows at pixel (`x`, `y`) of the image (0, 0
    /// top left): the nearest drawn point within a few pixels (its x, y,
    /// value and row) and, in splat and density frames, the pixel's
    /// aggregate; one line each, as the viewer's hover read-out shows it.
    /// Draws nothing; [`Figure::probe`] gives the same lines with a frame.
    pub fn probe(
        &mut self,
        points: &Points,
        figure: &Figure,
        x: f64,
        y: f64,
    ) -> Result<Vec<String>> {
        if !(x.is_finite() && y.is_finite()) {
            return Err(crate::error::input(format!(
                "probe pixel ({x}, {y}) is not finite"
            )));
        }
        self.start_device_for(figure.backend)?;
        let Some(gpu) = device_for(self.gpu.as_ref(), figure.backend)? else {
            let figure = Figure {
                probe: Some([x, y]),
                ..figure.clone()
            };
            return Ok(self.render_frame(points, &figure)?.probe);
        };
        let (set, look) = figure.resolve(points)?;
        let camera = look.camera(&set.bounds);
        let plot = Plot::new(gpu, set, &look, None)?;
        let (view, _) = frame_view(
            camera,
            (figure.width, figure.height),
            look.style.scale,
            &look.axes,
        );
        let mode = plot.frame_mode(&view, look.style.point_size);
        let rows = points.original_index.as_deref().map(|v| v.as_slice());
        let p = crate::probe::probe(
            &plot,
            &view.camera,
            &view.viewport,
            mode,
            figure.point_size,
            glam::DVec2::new(x, y),
            rows,
            &look.axes.value_label,
        );
        Ok(p.lines)
    }

    fn render_with(&mut self, points: &Points, figure: &Figure, want_grid: bool) -> Result<Frame> {
        let (set, look) = figure.resolve(points)?;
        let mut timings = Timings::default();
        let size = (figure.width, figure.height);
        self.start_device_for(figure.backend)?;
        let r = match device_for(self.gpu.as_ref(), figure.backend)? {
            None => crate::cpu::render(
                set,
                &look,
                size,
                &mut timings,
                want_grid,
                &mut self.cpu,
                None,
            )?,
            Some(gpu) => render_reusing(
                gpu,
                set,
                &look,
                size,
                None,
                &mut timings,
                want_grid,
                &mut self.reuse,
                None,
            )?,
        };
        let image = Image {
            width: size.0,
            height: size.1,
            rgba: r.rgba,
        };
        let agg = if r.mode == Mode::Splat {
            Agg::Max
        } else {
            look.plot.agg
        };
        let grid = r
            .grid
            .map(|(w, h, cells)| Grid::from_cells(w, h, agg, cells));
        Ok(Frame {
            image,
            grid,
            mode: r.mode,
            backend: r.backend,
            kept: r.len as u64 - r.stats.filtered,
            no_value: r.stats.no_value,
            selection: r.selection,
            probe: r.probe,
            timings,
        })
    }
}

/// The device a figure of `backend` is drawn on: None for the CPU frame
/// (`cpu`, or `auto` without a hardware adapter).
fn device_for(gpu: Option<&Gpu>, backend: Backend) -> Result<Option<&Gpu>> {
    match (gpu, backend) {
        (None, Backend::Gpu) => Err(crate::Error::NoAdapter),
        (None, _) | (_, Backend::Cpu) => Ok(None),
        (Some(g), Backend::Auto) if g.is_software() => Ok(None),
        (Some(g), _) => Ok(Some(g)),
    }
}

/// No points and `figure`'s look, its value label as written (a grid's
/// values were made elsewhere: nothing to compile here).
pub(crate) fn grid_look(figure: &Figure) -> Result<(PointSet, Look)> {
    let label = match &figure.value {
        crate::value::Value::Auto => None,
        crate::value::Value::Expr(s) | crate::value::Value::Column(s) => Some(s.clone()),
    };
    let plain = Figure {
        value: crate::value::Value::Auto,
        filter: None,
        mode: Mode::Density,
        ..figure.clone()
    };
    let (set, mut look) = plain.resolve(&Points::new::<f64>(&[], &[])?)?;
    if let Some(label) = label {
        look.axes.value_label = label;
    }
    Ok((set, look))
}

/// What one render leaves to the next through the same context.
#[derive(Default)]
pub(crate) struct Reuse {
    parts: Option<PlotParts>,
    painter: Option<Painter>,
    target: Option<OffscreenTarget>,
    /// The highlight plot's painter, and the select pass.
    hl_painter: Option<Painter>,
    select: Option<crate::render::select::SelectPipeline>,
}

/// Render `points` with `look` into a `size` RGBA8 image, in chunks of at
/// most `chunk_points` (tests use small chunks), reusing what `reuse` holds;
/// with `given` cells (a density grid made elsewhere), those are drawn.
/// The one render path of the API (and so of the CLI) and of the tests; the
/// viewer draws its frames and screenshots through the same `Plot` calls.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_reusing(
    gpu: &Gpu,
    points: PointSet,
    look: &Look,
    size: (u32, u32),
    chunk_points: Option<usize>,
    times: &mut Timings,
    want_grid: bool,
    reuse: &mut Reuse,
    given: Option<Vec<u32>>,
) -> Result<Rendered> {
    check_size(gpu, size.0, size.1)?;
    let camera = look.camera(&points.bounds);
    // Taken now: after an error part-way they are made afresh next time.
    let parts = reuse.parts.take();
    let painter = if parts.is_some() {
        reuse.painter.take()
    } else {
        None
    };
    let mut plot = times.time("upload", || {
        let p = Plot::upload_reusing(gpu, points, look, chunk_points, parts)?;
        gpu.wait()?;
        Ok(p)
    })?;
    if plot.backend != Backend::Cpu {
        // The expression's pipelines, compiled the first time it is seen.
        times.time("compile", || {
            plot.renderer.derive.select(&gpu.device, &look.values)
        })?;
    }
    times.time("compute", || {
        plot.derive(gpu)?;
        gpu.wait()
    })?;
    // A grid aggregated elsewhere takes the place of this plot's aggregation.
    plot.given = given;
    let (mut painter, target) = times.time("pipelines", || {
        let painter =
            painter.unwrap_or_else(|| Painter::new(gpu, OFFSCREEN_FORMAT, &plot.renderer));
        let target = match reuse.target.take() {
            Some(t) if (t.width, t.height) == size => t,
            _ => OffscreenTarget::new(gpu, size.0, size.1)?,
        };
        Ok((painter, target))
    })?;
    let (view, layout) = frame_view(camera, size, look.style.scale, &look.axes);
    let mode = plot.frame_mode(&view, look.style.point_size);
    // A selection: its points as a plot of their own, over the frame dimmed.
    let mut selection = None;
    let mut highlight = match &look.selection {
        Some(poly) => times.time("select", || {
            let area = (view.viewport.size.x as u32, view.viewport.size.y as u32);
            let mut pipeline = reuse.select.take();
            let mask =
                crate::highlight::select(&mut plot, gpu, &mut pipeline, &view.camera, area, poly)?;
            reuse.select = pipeline;
            if want_grid {
                let label = &look.axes.value_label;
                let rows = look.rows.as_deref().map(|v| v.as_slice());
                selection = Some(crate::select::selection(&plot, &mask, rows, label));
            }
            crate::highlight::highlight(&plot, gpu, look, &mask)
        })?,
        None => None,
    };
    let mut hl_painter = highlight.as_ref().map(|_| {
        reuse
            .hl_painter
            .take()
            .unwrap_or_else(|| Painter::new(gpu, OFFSCREEN_FORMAT, &plot.renderer))
    });
    let scale = times.time("aggregate", || {
        let mut scale = plot.prepare(gpu, &mut painter, &view, mode, look.style.point_size)?;
        if let (Some(hl), Some(p)) = (highlight.as_mut(), hl_painter.as_mut()) {
            scale = hl.prepare(gpu, p, &view, mode, look.style.point_size)?;
        }
        gpu.wait()?;
        Ok(scale)
    })?;
    let overlay = overlay_for(&view, &layout, &scale, &look.axes, look.style.rgb());
    times.time("draw", || {
        let highlight = highlight.as_ref().zip(hl_painter.as_mut());
        crate::highlight::draw(
            gpu,
            &plot,
            &mut painter,
            highlight,
            mode,
            &view,
            &look.style,
            overlay.as_ref(),
            &target.view,
        )?;
        gpu.wait()
    })?;
    if let Some(p) = hl_painter {
        reuse.hl_painter = Some(p);
    }
    let probe = match look.probe {
        Some(cursor) if want_grid => {
            crate::probe::probe(
                &plot,
                &view.camera,
                &view.viewport,
                mode,
                look.style.point_size as f64,
                cursor,
                look.rows.as_deref().map(|v| v.as_slice()),
                &look.axes.value_label,
            )
            .lines
        }
        _ => vec![],
    };
    let rgba = times.time("readback", || target.read_rgba(gpu))?;
    let (grid, mix) = if want_grid {
        (plot.read_grid(gpu)?, plot.read_mix(gpu)?)
    } else {
        (None, None)
    };
    let backend = plot.backend;
    let (stats, len) = (plot.stats, plot.points.len());
    reuse.parts = Some(plot.into_parts());
    reuse.painter = Some(painter);
    reuse.target = Some(target);
    Ok(Rendered {
        rgba,
        mode,
        grid,
        mix,
        backend,
        stats,
        len,
        selection,
        probe,
    })
}
