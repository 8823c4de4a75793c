//! `pointillist view`: a winit window that shows the points through the same
//! `draw_layer` that writes the headless PNG, and moves an f64 [`Camera`]
//! with the mouse and keyboard.
//!
//! The points are uploaded and derived (value, range, colour) once; a change
//! of colourmap, expression or time derives again, never a camera move. The surface uses a
//! non-sRGB format so the window shows the PNG's bytes unchanged. Frames are
//! drawn only on request (`ControlFlow::Wait`): an input that changes the view
//! asks for one redraw. Input handling is split in two: [`key_action`] and
//! [`Pointer`] turn winit events into [`Action`]s (pure, unit-tested), and
//! [`Viewer::apply`] carries them out. `e` / `f` open the expression line
//! (line.rs) for a new value or filter; an expression of `t` re-derives every
//! frame while its clock runs (space pauses it). `S` renders the same camera offscreen
//! into a new PNG and prints its name with the `render` flags that reproduce it.

mod actions;
mod input;
mod line;
mod select;
mod stream;
mod ui;
mod window;

use window::open_window;

pub use input::*;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::dpi::LogicalSize;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoopProxy};
use winit::window::Window;

use crate::aggregate::Mode;
use crate::camera::{Camera, Viewport};
use crate::context::{fmt_count, fmt_duration};
use crate::data::Points;
use crate::error::{input, Error, Result};
use crate::figure::Figure;
use crate::gpu::Gpu;
use crate::overlay::{frame_view, layout, overlay_for, text_colour, Overlay};
use crate::plot::Look;
use crate::plot::Plot;
use crate::render::{Painter, Style, OFFSCREEN_FORMAT};
use line::{ExprLine, Outcome, Role};

const NO_DISPLAY: &str = "no display found (DISPLAY/WAYLAND_DISPLAY unset): `pointillist view` needs a desktop; use `pointillist render --output out.png` instead";

/// The surface format and, when that one is sRGB, the linear view format to draw
/// through, so that the bytes the shaders write reach the screen unchanged.
pub fn choose_format(
    formats: &[wgpu::TextureFormat],
) -> Option<(wgpu::TextureFormat, wgpu::TextureFormat)> {
    use wgpu::TextureFormat::{Bgra8Unorm, Rgba8Unorm};
    let linear = formats
        .iter()
        .find(|f| matches!(f, Bgra8Unorm | Rgba8Unorm))
        .or_else(|| formats.iter().find(|f| !f.is_srgb()));
    match linear {
        Some(&f) => Some((f, f)),
        None => formats.first().map(|&f| (f, f.remove_srgb_suffix())),
    }
}

/// Writes `bytes` to the first `pointillist-NNNN.png` in `dir` that does not
/// exist yet (nothing is ever overwritten).
pub fn write_new_file(dir: &Path, bytes: &[u8]) -> Result<PathBuf> {
    crate::files::write_new(dir, "pointillist", "png", bytes)
}

fn no_display(detail: Option<String>) -> Error {
    match detail {
        None => input(NO_DISPLAY),
        Some(d) => input(format!(
            "no display found ({d}): `pointillist view` needs a desktop; use `pointillist render --output out.png` instead"
        )),
    }
}

/// What the window needs besides the figure.
#[derive(Debug, Clone)]
struct ViewArgs {
    width: u32,
    height: u32,
    screenshot_dir: PathBuf,
    source: String,
    verbose: bool,
    /// The viewer sorted the points along a Morton curve (screenshots say so).
    sorted: bool,
    /// Data beyond memory, aggregated again for each view.
    stream: Option<stream::Source>,
}

impl ViewArgs {
    fn new(
        figure: &Figure,
        options: &ViewOptions,
        sorted: bool,
        stream: Option<stream::Source>,
    ) -> ViewArgs {
        ViewArgs {
            width: figure.width,
            height: figure.height,
            screenshot_dir: options.screenshot_dir.clone(),
            source: options.source.clone(),
            verbose: options.verbose,
            sorted,
            stream,
        }
    }
}

/// From this many points on, the viewer sorts points given in input order
/// along a Morton curve, so that zoomed-in frames skip the tiles they do not
/// show (a sort of 10M points takes ~0.2 s on 2 cores).
pub const VIEW_SORT_FROM: usize = 1_000_000;

/// Messages from outside the event loop.
#[derive(Debug)]
pub enum UserEvent {
    DeviceLost(String),
    /// A streamed aggregation has a grid to show.
    Refined,
}

/// How the viewer window starts (the figure says what it shows).
#[derive(Debug, Clone)]
pub struct ViewOptions {
    /// Folder for the screenshots the S key saves (`pointillist-0001.png`, …; never overwritten).
    pub screenshot_dir: PathBuf,
    /// Where the points came from, for the start-up line ("clusters, seed 1").
    pub source: String,
    /// Print the adapter's details at start, and at the end how many frames
    /// were drawn and how many times the values were derived.
    pub verbose: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        Self {
            screenshot_dir: PathBuf::from("."),
            source: "points".into(),
            verbose: false,
        }
    }
}

/// Opens a window on `points` drawn as `figure` says (its width and height
/// are the window's logical size) and runs until the user closes it: zoom at
/// the cursor with the wheel, pan by dragging, box zoom with the right
/// button, `S` for a screenshot. Needs a display; errors met inside the event
/// loop end it and are returned here. Windows open one after another: call
/// this again after one closes, from the same thread (winit allows one event
/// loop per process and the first call makes it; on Linux any thread may,
/// on macOS and Windows it must be the main thread).
pub fn view(points: Points, figure: &Figure, options: &ViewOptions) -> Result<()> {
    let mut points = points;
    let sorted = points.len() >= VIEW_SORT_FROM && points.original_index.is_none();
    if sorted {
        points.sort_morton();
        eprintln!(
            "sorted {} points along a Morton curve: zoomed-in frames skip what they do not show",
            fmt_count(points.len())
        );
    }
    let (set, look) = figure.resolve(&points)?;
    let args = ViewArgs::new(figure, options, sorted, None);
    // A window may stay open for hours: freed frames must not stay resident.
    // (Not for a streamed window: each of its batches would then be fresh
    // memory, faulted in again, and a pass 2.5 times as slow.)
    crate::mem::give_back_freed_memory();
    open_window(&args, look, (set, points, figure.clone()))
}

/// [`view`] of data beyond memory at `path`, read as `load` says: each view
/// is aggregated again as a density image of `figure` in the background,
/// the picture refining as the data is read (a Parquet file or dataset, a
/// `.npy` or raw file; see [`crate::stream_density`]). The home view is the
/// data's bounds: a Parquet input's footer statistics, or else a first pass
/// before the window opens. Zoom, pan,
/// colourmaps and aggregates work as on points in memory; hover, selection,
/// the mode key and the expression line need the points in memory.
pub fn view_stream(
    path: &Path,
    load: &crate::data::LoadOptions,
    figure: &Figure,
    options: &ViewOptions,
) -> Result<()> {
    crate::stream::check(figure)?;
    figure.check()?;
    let start = Instant::now();
    // The Parquet footers' statistics where they have them (they also span
    // rows a load skips for a missing value), else a pass.
    let (bounds, names) = match Points::footer_bounds_named(path, load) {
        Some((b, names)) => (b, Some(names)),
        None => crate::stream::bounds(path, load, &|| Ok(()))?,
    };
    let fit = Camera::fit(&bounds);
    let (x_name, y_name) = names.unzip();
    let figure = Figure {
        mode: Mode::Density,
        x_range: figure.x_range.or(Some(fit.x_range())),
        y_range: figure.y_range.or(Some(fit.y_range())),
        x_label: figure.x_label.clone().or(x_name),
        y_label: figure.y_label.clone().or(y_name),
        ..figure.clone()
    };
    eprintln!(
        "found the bounds of {} in {}: x {:?}, y {:?}",
        path.display(),
        fmt_duration(start.elapsed()),
        figure.x_range.expect("set"),
        figure.y_range.expect("set")
    );
    let (set, look) = crate::context::grid_look(&figure)?;
    let source = stream::Source {
        path: path.to_path_buf(),
        load: load.clone(),
        figure: figure.clone(),
        bytes: Points::input_bytes(path),
    };
    let args = ViewArgs::new(&figure, options, false, Some(source));
    open_window(&args, look, (set, Points::new::<f64>(&[], &[])?, figure))
}

/// Everything that lives while the window is open.
struct Viewer {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    gpu: Gpu,
    painter: Painter,
    /// Draws screenshots into an [`OFFSCREEN_FORMAT`] target; made on first use.
    shot_painter: Option<Painter>,
    plot: Plot,
    look: Look,
    camera: Camera,
    home: Camera,
    /// Where the last zoom stopped at the narrowest exact view, what set it
    /// (the title says so).
    at_floor: Option<&'static str>,
    /// The user's point size, in logical pixels.
    point_size: f64,
    pointer: Pointer,
    screenshot_dir: PathBuf,
    /// Whether the viewer sorted the points (then screenshots print `--order morton`).
    sorted: bool,
    /// The points as given (all their columns) and the figure as it stands:
    /// a new expression compiles against these.
    source: Points,
    figure: Figure,
    /// The expression line, while open.
    line: Option<ExprLine>,
    /// Expressions submitted so far, oldest first.
    history: Vec<String>,
    clock: Clock,
    /// When the last frame started (for the frame rate while animating).
    last_frame: Option<Instant>,
    /// Frames presented so far.
    frames: u64,
    /// The selection (a mask of the plot's points), its highlight plot and
    /// that plot's painters, and the select pass.
    selection: Option<crate::select::Mask>,
    highlight: Option<Plot>,
    hl_painter: Option<Painter>,
    hl_shot_painter: Option<Painter>,
    select_pipeline: Option<crate::render::select::SelectPipeline>,
    /// The mode of the last frame (hover reads its pixels).
    last_mode: Mode,
    /// The hover read-out, and the help panel while shown.
    hover: Option<crate::probe::Probe>,
    help: bool,
    /// The hint to the help, until the first key or click.
    hint: bool,
    /// Data beyond memory: each view's aggregation in the background.
    stream: Option<stream::Streaming>,
}

/// The expressions' `t`: seconds since the window opened, less the pauses.
struct Clock {
    start: Instant,
    /// `t` when paused.
    paused: Option<f64>,
}

impl Clock {
    fn now(&self) -> f64 {
        self.paused
            .unwrap_or_else(|| self.start.elapsed().as_secs_f64())
    }

    fn toggle(&mut self) {
        match self.paused.take() {
            Some(t) => self.start = Instant::now() - Duration::from_secs_f64(t),
            None => self.paused = Some(self.start.elapsed().as_secs_f64()),
        }
    }
}

impl Viewer {
    fn new(
        event_loop: &ActiveEventLoop,
        instance: wgpu::Instance,
        points: crate::points::PointSet,
        (source, figure): (Points, Figure),
        args: &ViewArgs,
        look: Look,
        proxy: &EventLoopProxy<UserEvent>,
    ) -> Result<Self> {
        let title = match &args.stream {
            Some(s) => format!("pointillist — {}", s.path.display()),
            None => format!("pointillist — {} points", fmt_count(points.len())),
        };
        let attributes = Window::default_attributes()
            .with_title(title)
            .with_inner_size(LogicalSize::new(args.width.max(1), args.height.max(1)));
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| input(format!("could not open a window: {e}")))?,
        );
        let surface = instance
            .create_surface(window.clone())
            .map_err(|e| Error::Gpu(format!("could not draw into the window: {e}")))?;
        let gpu = pollster::block_on(Gpu::with_instance(instance, Some(&surface)))?;
        match &args.stream {
            Some(s) => eprintln!(
                "pointillist: streaming {} on {}",
                s.path.display(),
                gpu.describe()
            ),
            None => eprintln!(
                "pointillist: {} points ({}) on {}",
                fmt_count(points.len()),
                args.source,
                gpu.describe()
            ),
        }
        if args.verbose {
            eprintln!("  adapter: {:?}", gpu.info);
        }
        let lost = proxy.clone();
        gpu.device.set_device_lost_callback(move |reason, msg| {
            if reason != wgpu::DeviceLostReason::Destroyed {
                let _ = lost.send_event(UserEvent::DeviceLost(msg));
            }
        });
        let caps = surface.get_capabilities(&gpu.adapter);
        let (format, view_format) = choose_format(&caps.formats).ok_or_else(|| {
            Error::Gpu(format!("{} cannot draw into this window", gpu.describe()))
        })?;
        let size = window.inner_size();
        let mut config = surface
            .get_default_config(&gpu.adapter, size.width.max(1), size.height.max(1))
            .ok_or_else(|| {
                Error::Gpu(format!("{} cannot draw into this window", gpu.describe()))
            })?;
        config.format = format;
        config.view_formats = if view_format == format {
            vec![]
        } else {
            vec![view_format]
        };
        config.present_mode = wgpu::PresentMode::AutoVsync;
        let home = look.camera(&points.bounds);
        let plot = Plot::new(&gpu, points, &look, None)?;
        let mut viewer = Self {
            painter: Painter::new(&gpu, view_format, &plot.renderer),
            shot_painter: None,
            window,
            surface,
            config,
            gpu,
            plot,
            point_size: look.style.point_size as f64,
            look,
            camera: home,
            home,
            at_floor: None,
            pointer: Pointer::default(),
            screenshot_dir: args.screenshot_dir.clone(),
            sorted: args.sorted,
            source,
            figure,
            line: None,
            history: Vec::new(),
            clock: Clock {
                start: Instant::now(),
                paused: None,
            },
            last_frame: None,
            frames: 0,
            selection: None,
            highlight: None,
            hl_painter: None,
            hl_shot_painter: None,
            select_pipeline: None,
            last_mode: Mode::Points,
            hover: None,
            help: false,
            hint: true,
            stream: args.stream.clone().map(|source| {
                let proxy = proxy.clone();
                stream::Streaming::new(
                    source,
                    Arc::new(move || {
                        let _ = proxy.send_event(UserEvent::Refined);
                    }),
                )
            }),
        };
        viewer.configure();
        viewer.window.request_redraw();
        Ok(viewer)
    }

    /// Window size in physical pixels; zero when minimised.
    fn size(&self) -> (u32, u32) {
        let s = self.window.inner_size();
        (s.width, s.height)
    }

    fn scale(&self) -> f32 {
        self.window.scale_factor() as f32
    }

    /// The legend entry a press of the left button (with no drag going on)
    /// lands on.
    fn legend_entry(&self, button: winit::event::MouseButton, pressed: bool) -> Option<usize> {
        let c = self.plot.categories.as_ref()?;
        let at = self.pointer.cursor?;
        if button != winit::event::MouseButton::Left || !pressed || self.pointer.is_dragging() {
            return None;
        }
        let lay = layout(self.size(), self.scale(), &self.look.axes);
        crate::overlay::legend_hit(c, &lay, at.as_vec2())
    }

    /// The plot area (the window less the axes' margins): where the camera's
    /// rectangle is shown, so the one that mouse pixels are measured in.
    fn viewport(&self) -> Viewport {
        layout(self.size(), self.scale(), &self.look.axes).plot
    }

    /// Configure the surface for the window's size; nothing when it is 0×0.
    fn configure(&mut self) {
        let (w, h) = self.size();
        if w == 0 || h == 0 {
            return;
        }
        self.config.width = w;
        self.config.height = h;
        self.surface.configure(&self.gpu.device, &self.config);
    }

    fn recreate_surface(&mut self) -> Result<()> {
        self.surface = self
            .gpu
            .instance
            .create_surface(self.window.clone())
            .map_err(|e| Error::Gpu(format!("could not recreate the window's surface: {e}")))?;
        self.configure();
        Ok(())
    }

    /// The camera as `render --x-range .. --y-range ..` rebuilds it, so that the
    /// window, a screenshot and `render` agree to the last bit.
    fn shown_camera(&self) -> Camera {
        Camera::from_ranges(self.camera.x_range(), self.camera.y_range())
    }

    /// The style with the point size in physical pixels.
    fn style(&self) -> Style {
        Style {
            point_size: (self.point_size * self.window.scale_factor()) as f32,
            scale: self.scale(),
            ..self.look.style
        }
    }

    /// Lay out, prepare and draw the current view into `target` (of `size`
    /// pixels), as `render` does; returns the mode the frame was drawn in.
    fn draw(
        &mut self,
        shot: bool,
        size: (u32, u32),
        target: &wgpu::TextureView,
    ) -> Result<(Camera, Mode)> {
        let (view, layout) = frame_view(self.shown_camera(), size, self.scale(), &self.look.axes);
        let style = self.style();
        let ui_scale = self.scale();
        let painter = if shot {
            self.shot_painter.get_or_insert_with(|| {
                Painter::new(&self.gpu, OFFSCREEN_FORMAT, &self.plot.renderer)
            })
        } else {
            &mut self.painter
        };
        let mode = self.plot.frame_mode(&view, style.point_size);
        let mut scale = self
            .plot
            .prepare(&self.gpu, painter, &view, mode, style.point_size)?;
        let mut hl_painter = match (&self.highlight, shot) {
            (None, _) => None,
            (Some(_), true) => Some(self.hl_shot_painter.get_or_insert_with(|| {
                Painter::new(&self.gpu, OFFSCREEN_FORMAT, &self.plot.renderer)
            })),
            (Some(_), false) => Some(self.hl_painter.get_or_insert_with(|| {
                Painter::new(&self.gpu, painter.format, &self.plot.renderer)
            })),
        };
        if let (Some(hl), Some(p)) = (self.highlight.as_mut(), hl_painter.as_deref_mut()) {
            scale = hl.prepare(&self.gpu, p, &view, mode, style.point_size)?;
        }
        let back = self.look.style.rgb();
        let mut overlay = overlay_for(&view, &layout, &scale, &self.look.axes, back);
        if !shot {
            let o = overlay.get_or_insert_with(|| Overlay {
                text_colour: text_colour(back),
                ..Overlay::default()
            });
            if let Some(preview) = self.pointer.preview() {
                ui::preview(o, preview, ui_scale);
            }
            if let (Some(probe), Some(cursor)) = (&self.hover, self.pointer.cursor) {
                let radius = style.point_size as f64 * 0.5;
                ui::hover(o, probe, cursor, radius, size, ui_scale, back);
            }
            if self.help {
                ui::help(o, size, ui_scale, back);
            } else if self.hint {
                ui::hint(o, size, ui_scale);
            }
            if let Some(line) = &self.line {
                line.add_to(o, size, ui_scale, back);
            }
        }
        crate::highlight::draw(
            &self.gpu,
            &self.plot,
            painter,
            self.highlight.as_ref().zip(hl_painter),
            mode,
            &view,
            &style,
            overlay.as_ref(),
            target,
        )?;
        Ok((view.camera, mode))
    }

    fn redraw(&mut self) -> Result<()> {
        let (w, h) = self.size();
        if w == 0 || h == 0 {
            return Ok(());
        }
        if (self.config.width, self.config.height) != (w, h) {
            self.configure();
        }
        // An expression of `t` is re-derived every frame while the clock runs.
        let animating = self.plot.values.uses_time();
        if animating {
            let t = self.clock.now() as f32;
            if t != self.plot.values.t {
                self.plot.values.t = t;
                self.plot.derive(&self.gpu)?;
                // The selected points keep their place and take their new values.
                self.refresh_highlight()?;
            }
        }
        // Frame time: wall time from acquiring the surface texture until the
        // GPU has finished the frame's work (we wait for it after presenting).
        let start = Instant::now();
        let since_last = self.last_frame.replace(start).map(|l| start - l);
        let (frame, suboptimal) = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) => (f, false),
            wgpu::CurrentSurfaceTexture::Suboptimal(f) => (f, true),
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                return Ok(())
            }
            wgpu::CurrentSurfaceTexture::Outdated => {
                self.configure();
                self.window.request_redraw();
                return Ok(());
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                self.recreate_surface()?;
                self.window.request_redraw();
                return Ok(());
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                return Err(Error::Gpu(
                    "the window's surface reported a validation error".into(),
                ))
            }
        };
        let target = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.painter.format),
            ..Default::default()
        });
        self.refine((w, h))?;
        let (_, mode) = self.draw(false, (w, h), &target)?;
        self.window.pre_present_notify();
        self.gpu.queue.present(frame);
        self.frames += 1;
        self.gpu.wait()?;
        let took = start.elapsed();
        if suboptimal {
            // Presented; now match the surface again (no extra redraw: a
            // surface that stays suboptimal must not cause a busy loop).
            self.configure();
        }
        let rate = match since_last {
            Some(d) if animating && self.clock.paused.is_none() => {
                format!(
                    " — {:.0} fps, t = {:.1} s",
                    1.0 / d.as_secs_f64().max(1e-6),
                    self.plot.values.t
                )
            }
            _ => String::new(),
        };
        let mut floor = self
            .at_floor
            .map_or(String::new(), |why| format!(" — zoom limit: {why}"));
        if let Some(m) = &self.selection {
            floor += &format!(" — {} selected", fmt_count(m.count()));
        }
        self.last_mode = mode;
        let title = match &self.stream {
            Some(s) => format!(
                "pointillist — {} — {} — {:?}{}{floor}",
                s.source.path.display(),
                fmt_duration(took),
                mode,
                s.status()
            ),
            None => format!(
                "pointillist — {} points — {} — {:?}{rate}{floor}",
                fmt_count(self.plot.points.len()),
                fmt_duration(took),
                mode
            ),
        };
        self.window.set_title(&title);
        if animating && self.clock.paused.is_none() {
            self.window.request_redraw();
        } else {
            self.last_frame = None;
        }
        Ok(())
    }

    /// A streamed window: aggregate the view shown (of a `size` window) unless
    /// that is under way, and draw the newest grid of it there is.
    fn refine(&mut self, size: (u32, u32)) -> Result<()> {
        let camera = self.shown_camera();
        let agg = self.plot.opts.agg;
        let scale = self.window.scale_factor();
        let Some(s) = &mut self.stream else {
            return Ok(());
        };
        s.want(camera.x_range(), camera.y_range(), size, scale, agg);
        if let Some(grid) = s.poll()? {
            let vp = layout(size, self.scale(), &self.look.axes).plot;
            let area = (vp.size.x as u32, vp.size.y as u32);
            // A grid of another size or aggregate waits for its own.
            self.plot.given =
                ((grid.width, grid.height) == area && grid.agg == agg).then(|| grid.cells());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surface_format_is_never_srgb_encoded() {
        use wgpu::TextureFormat::*;
        assert_eq!(
            choose_format(&[Bgra8UnormSrgb, Bgra8Unorm]),
            Some((Bgra8Unorm, Bgra8Unorm))
        );
        assert_eq!(
            choose_format(&[Rgb10a2Unorm, Rgba8Unorm]),
            Some((Rgba8Unorm, Rgba8Unorm))
        );
        assert_eq!(
            choose_format(&[Bgra8UnormSrgb]),
            Some((Bgra8UnormSrgb, Bgra8Unorm))
        );
        assert_eq!(choose_format(&[]), None);
    }

    #[test]
    fn screenshots_never_overwrite() {
        let dir = std::env::temp_dir().join(format!("pointillist-shots-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pointillist-0002.png"), b"keep").unwrap();
        let a = write_new_file(&dir, b"a").unwrap();
        let b = write_new_file(&dir, b"b").unwrap();
        assert_eq!(a.file_name().unwrap(), "pointillist-0001.png");
        assert_eq!(b.file_name().unwrap(), "pointillist-0003.png");
        assert_eq!(
            std::fs::read(dir.join("pointillist-0002.png")).unwrap(),
            b"keep"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
