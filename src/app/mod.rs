//! `pointillist view`: a winit window that shows the points through the same
//! [`draw_frame`] that writes the headless PNG, and moves an f64 [`Camera`]
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

mod line;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use glam::DVec2;
use winit::application::ApplicationHandler;
use winit::dpi::LogicalSize;
use winit::event::{ElementState, KeyEvent, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::{Key, KeyCode, NamedKey, PhysicalKey};
use winit::window::{Window, WindowId};

use crate::aggregate::{Agg, Mode};
use crate::camera::{Camera, Viewport};
use crate::context::{fmt_count, fmt_duration};
use crate::data::Points;
use crate::error::{input, Error, Result};
use crate::figure::Figure;
use crate::gpu::Gpu;
use crate::overlay::{frame_view, layout, overlay_for, text_colour, Overlay};
use crate::plot::Look;
use crate::plot::Plot;
use crate::render::target::{encode_png, OffscreenTarget};
use crate::render::{Painter, Style, OFFSCREEN_FORMAT};
use crate::value::Value;
use line::{ExprLine, Outcome, Role};

/// Zoom per wheel line (and per `+`/`-` press).
pub const ZOOM_STEP: f64 = 1.1;
/// Pixel-precise wheels (touchpads): this many pixels count as one line.
pub const PIXELS_PER_LINE: f64 = 20.0;
/// Two left presses this close in time and space are a double click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);
pub const DOUBLE_CLICK_PX: f64 = 4.0;
/// Arrow keys move the view by this fraction of the window.
pub const ARROW_PAN: f64 = 0.1;
/// `[` and `]` divide or multiply the point size by this.
pub const POINT_SIZE_STEP: f64 = 1.25;
/// Range of the point size (logical pixels) that `[` and `]` allow.
pub const POINT_SIZE_LIMITS: (f64, f64) = (0.5, 64.0);

const NO_DISPLAY: &str = "no display found (DISPLAY/WAYLAND_DISPLAY unset): `pointillist view` needs a desktop; use `pointillist render --output out.png` instead";

/// Something the user asked for, in window pixels (physical, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Zoom by `factor` (> 1 zooms in) keeping the data under `pixel` fixed.
    ZoomAt {
        pixel: DVec2,
        factor: f64,
    },
    /// Zoom by `factor` about the centre of the window.
    ZoomCentre(f64),
    /// Move the content by this many pixels (it follows the cursor).
    Pan(DVec2),
    /// Move the view by this fraction of the window (x right, y up).
    PanFraction(DVec2),
    /// Show the data under the pixel rectangle with these corners.
    BoxZoom(DVec2, DVec2),
    Reset,
    CycleColormap,
    /// Next drawing mode: auto, points, splat, density.
    CycleMode,
    /// Next density aggregate: count, sum, mean, min, max (switches to density).
    CycleAgg,
    /// Multiply the point size by this.
    PointSize(f64),
    Screenshot,
    /// Open the expression line for the value or the filter.
    EditExpression(Role),
    /// Stop or restart the expressions' clock `t`.
    PauseTime,
    Quit,
}

/// The action of a key press (`repeat`: held down), if it has one.
pub fn key_action(key: &Key, physical: PhysicalKey, repeat: bool) -> Option<Action> {
    let action = match physical {
        PhysicalKey::Code(KeyCode::NumpadAdd) => Some(Action::ZoomCentre(ZOOM_STEP)),
        PhysicalKey::Code(KeyCode::NumpadSubtract) => Some(Action::ZoomCentre(1.0 / ZOOM_STEP)),
        _ => None,
    };
    let action = action.or_else(|| match key {
        Key::Named(named) => match named {
            NamedKey::ArrowLeft => Some(Action::PanFraction(DVec2::new(-ARROW_PAN, 0.0))),
            NamedKey::ArrowRight => Some(Action::PanFraction(DVec2::new(ARROW_PAN, 0.0))),
            NamedKey::ArrowUp => Some(Action::PanFraction(DVec2::new(0.0, ARROW_PAN))),
            NamedKey::ArrowDown => Some(Action::PanFraction(DVec2::new(0.0, -ARROW_PAN))),
            NamedKey::Home => Some(Action::Reset),
            NamedKey::Escape => Some(Action::Quit),
            NamedKey::Space => Some(Action::PauseTime),
            _ => None,
        },
        Key::Character(c) => match c.to_lowercase().as_str() {
            "+" | "=" => Some(Action::ZoomCentre(ZOOM_STEP)),
            "-" | "_" => Some(Action::ZoomCentre(1.0 / ZOOM_STEP)),
            "[" => Some(Action::PointSize(1.0 / POINT_SIZE_STEP)),
            "]" => Some(Action::PointSize(POINT_SIZE_STEP)),
            "r" => Some(Action::Reset),
            "c" => Some(Action::CycleColormap),
            "m" => Some(Action::CycleMode),
            "a" => Some(Action::CycleAgg),
            "s" => Some(Action::Screenshot),
            "e" => Some(Action::EditExpression(Role::Value)),
            "f" => Some(Action::EditExpression(Role::Filter)),
            "q" => Some(Action::Quit),
            _ => None,
        },
        _ => None,
    })?;
    // Holding a key repeats moves and zooms, not one-shot commands.
    let repeats = matches!(
        action,
        Action::PanFraction(_) | Action::ZoomCentre(_) | Action::PointSize(_)
    );
    (!repeat || repeats).then_some(action)
}

/// The mode after `m`.
fn next_mode(mode: Mode) -> Mode {
    match mode {
        Mode::Auto => Mode::Points,
        Mode::Points => Mode::Splat,
        Mode::Splat => Mode::Density,
        Mode::Density => Mode::Auto,
    }
}

/// The density aggregate after `a`.
fn next_agg(agg: Agg) -> Agg {
    let i = Agg::ALL.iter().position(|&a| a == agg).unwrap_or(0);
    Agg::ALL[(i + 1) % Agg::ALL.len()]
}

fn mode_name(mode: Mode) -> String {
    format!("{mode:?}").to_lowercase()
}

/// The wheel's zoom factor: 1.1 per line up, PixelDelta scaled to lines.
pub fn wheel_factor(delta: MouseScrollDelta) -> f64 {
    let lines = match delta {
        MouseScrollDelta::LineDelta(_, y) => y as f64,
        MouseScrollDelta::PixelDelta(p) => p.y / PIXELS_PER_LINE,
    };
    ZOOM_STEP.powf(lines)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DragKind {
    Pan,
    Box { start: DVec2 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Drag {
    button: MouseButton,
    kind: DragKind,
}

/// Mouse state: where the cursor is, what drag is going on, the last click.
#[derive(Debug, Default, Clone)]
pub struct Pointer {
    pub cursor: Option<DVec2>,
    pub shift: bool,
    /// Ctrl or Alt held.
    pub command: bool,
    drag: Option<Drag>,
    last_press: Option<(Instant, DVec2)>,
}

impl Pointer {
    /// The cursor moved to `to`: a pan drag moves the content by the same amount.
    pub fn moved(&mut self, to: DVec2) -> Option<Action> {
        let from = self.cursor.replace(to)?;
        match self.drag {
            Some(Drag {
                kind: DragKind::Pan,
                ..
            }) if to != from => Some(Action::Pan(to - from)),
            _ => None,
        }
    }

    /// The cursor left the window (a drag in progress keeps going).
    pub fn left(&mut self) {
        if self.drag.is_none() {
            self.cursor = None;
        }
    }

    #[cfg(test)]
    pub fn is_box_dragging(&self) -> bool {
        matches!(
            self.drag,
            Some(Drag {
                kind: DragKind::Box { .. },
                ..
            })
        )
    }

    /// A button went down or up at time `now`.
    pub fn button(&mut self, button: MouseButton, pressed: bool, now: Instant) -> Option<Action> {
        let at = self.cursor?;
        if !pressed {
            let drag = self.drag.filter(|d| d.button == button)?;
            self.drag = None;
            return match drag.kind {
                DragKind::Box { start } => Some(Action::BoxZoom(start, at)),
                DragKind::Pan => None,
            };
        }
        if self.drag.is_some() {
            return None;
        }
        let kind = match button {
            MouseButton::Left if self.is_double_click(now, at) => {
                self.last_press = None;
                return Some(Action::Reset);
            }
            MouseButton::Left if !self.shift => DragKind::Pan,
            MouseButton::Left | MouseButton::Right => DragKind::Box { start: at },
            _ => return None,
        };
        if button == MouseButton::Left {
            self.last_press = Some((now, at));
        }
        self.drag = Some(Drag { button, kind });
        None
    }

    fn is_double_click(&self, now: Instant, at: DVec2) -> bool {
        self.last_press.is_some_and(|(t, p)| {
            now.saturating_duration_since(t) <= DOUBLE_CLICK && p.distance(at) <= DOUBLE_CLICK_PX
        })
    }

    /// Zoom at the cursor, or at the centre when the cursor is elsewhere.
    pub fn wheel(&self, delta: MouseScrollDelta) -> Option<Action> {
        let factor = wheel_factor(delta);
        if factor == 1.0 || !factor.is_finite() {
            return None;
        }
        Some(match self.cursor {
            Some(pixel) => Action::ZoomAt { pixel, factor },
            None => Action::ZoomCentre(factor),
        })
    }
}

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
/// exist yet (created exclusively, so nothing is ever overwritten).
pub fn write_new_file(dir: &Path, bytes: &[u8]) -> Result<PathBuf> {
    for n in 1..=99_999 {
        let path = dir.join(format!("pointillist-{n:04}.png"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                return file
                    .write_all(bytes)
                    .map(|_| path.clone())
                    .map_err(|source| Error::Write { path, source })
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(Error::Write { path, source }),
        }
    }
    Err(input(format!(
        "{} already holds 99,999 screenshots; give another --screenshot-dir",
        dir.display()
    )))
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
}

/// Messages from outside the event loop.
#[derive(Debug)]
pub enum UserEvent {
    DeviceLost(String),
}

/// How the viewer window starts (the figure says what it shows).
#[derive(Debug, Clone)]
pub struct ViewOptions {
    /// Folder for the screenshots the S key saves (`pointillist-0001.png`, …; never overwritten).
    pub screenshot_dir: PathBuf,
    /// Where the points came from, for the start-up line ("clusters, seed 1").
    pub source: String,
}

impl Default for ViewOptions {
    fn default() -> Self {
        Self {
            screenshot_dir: PathBuf::from("."),
            source: "points".into(),
        }
    }
}

/// Opens a window on `points` drawn as `figure` says (its width and height
/// are the window's logical size) and runs until the user closes it: zoom at
/// the cursor with the wheel, pan by dragging, box zoom with the right
/// button, `S` for a screenshot. Needs a display; errors met inside the event
/// loop end it and are returned here. winit allows one event loop per
/// process, so call this once (from the main thread).
pub fn view(points: Points, figure: &Figure, options: &ViewOptions) -> Result<()> {
    let (set, look) = figure.resolve(&points)?;
    let args = ViewArgs {
        width: figure.width,
        height: figure.height,
        screenshot_dir: options.screenshot_dir.clone(),
        source: options.source.clone(),
    };
    let args = &args;
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
    if cfg!(all(unix, not(target_os = "macos"))) && !has_display {
        return Err(no_display(None));
    }
    if !args.screenshot_dir.is_dir() {
        return Err(input(format!(
            "--screenshot-dir {}: no such folder",
            args.screenshot_dir.display()
        )));
    }
    let event_loop = EventLoop::<UserEvent>::with_user_event()
        .build()
        .map_err(|e| no_display(Some(e.to_string())))?;
    let instance = wgpu::Instance::new(
        wgpu::InstanceDescriptor::new_with_display_handle(Box::new(
            event_loop.owned_display_handle(),
        ))
        .with_env(),
    );
    let mut app = App {
        args: args.clone(),
        look,
        points: Some((set, points, figure.clone())),
        instance: Some(instance),
        proxy: event_loop.create_proxy(),
        viewer: None,
        error: None,
    };
    event_loop.set_control_flow(ControlFlow::Wait);
    event_loop
        .run_app(&mut app)
        .map_err(|e| input(format!("the window's event loop failed: {e}")))?;
    // Release the GPU objects before the display connection goes.
    drop(app.viewer.take());
    app.error.map_or(Ok(()), Err)
}

struct App {
    args: ViewArgs,
    look: Look,
    /// The points (as drawn, as given) and the figure until the window opens in `resumed`.
    points: Option<(crate::points::PointSet, Points, Figure)>,
    /// The instance until the device is made in `resumed`.
    instance: Option<wgpu::Instance>,
    proxy: EventLoopProxy<UserEvent>,
    viewer: Option<Viewer>,
    error: Option<Error>,
}

impl App {
    fn fail(&mut self, event_loop: &ActiveEventLoop, e: Error) {
        self.error.get_or_insert(e);
        event_loop.exit();
    }
}

impl ApplicationHandler<UserEvent> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if let Some(viewer) = &self.viewer {
            viewer.window.request_redraw();
            return;
        }
        let (Some(instance), Some((points, source, figure))) =
            (self.instance.take(), self.points.take())
        else {
            return;
        };
        match Viewer::new(
            event_loop,
            instance,
            points,
            (source, figure),
            &self.args,
            self.look.clone(),
            &self.proxy,
        ) {
            Ok(viewer) => self.viewer = Some(viewer),
            Err(e) => self.fail(event_loop, e),
        }
    }

    fn user_event(&mut self, event_loop: &ActiveEventLoop, event: UserEvent) {
        match event {
            UserEvent::DeviceLost(msg) => self.fail(
                event_loop,
                Error::Gpu(format!(
                    "the GPU device was lost ({msg}); the viewer has to stop. Start it again; if this repeats, try WGPU_BACKEND=gl"
                )),
            ),
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let Some(viewer) = &mut self.viewer else {
            return;
        };
        let result = match event {
            WindowEvent::CloseRequested => {
                event_loop.exit();
                Ok(())
            }
            WindowEvent::RedrawRequested => viewer.redraw(),
            other => viewer.input(event_loop, other),
        };
        if let Err(e) = result {
            self.fail(event_loop, e);
        }
    }
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
    /// The user's point size, in logical pixels.
    point_size: f64,
    pointer: Pointer,
    screenshot_dir: PathBuf,
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
        let title = format!("pointillist — {} points", fmt_count(points.len()));
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
        eprintln!(
            "pointillist: {} points ({}) on {}",
            fmt_count(points.len()),
            args.source,
            gpu.describe()
        );
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
            pointer: Pointer::default(),
            screenshot_dir: args.screenshot_dir.clone(),
            source,
            figure,
            line: None,
            history: Vec::new(),
            clock: Clock {
                start: Instant::now(),
                paused: None,
            },
            last_frame: None,
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
        let scale = self
            .plot
            .prepare(&self.gpu, painter, &view, mode, style.point_size)?;
        let mut overlay = overlay_for(
            &view,
            &layout,
            &scale,
            &self.look.axes,
            self.look.style.rgb(),
        );
        if let (false, Some(line)) = (shot, &self.line) {
            let o = overlay.get_or_insert_with(|| Overlay {
                text_colour: text_colour(self.look.style.rgb()),
                ..Overlay::default()
            });
            line.add_to(o, size, ui_scale, self.look.style.rgb());
        }
        self.plot.draw(
            &self.gpu,
            painter,
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
        let (_, mode) = self.draw(false, (w, h), &target)?;
        self.window.pre_present_notify();
        self.gpu.queue.present(frame);
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
        self.window.set_title(&format!(
            "pointillist — {} points — {} — {:?}{rate}",
            fmt_count(self.plot.points.len()),
            fmt_duration(took),
            mode
        ));
        if animating && self.clock.paused.is_none() {
            self.window.request_redraw();
        } else {
            self.last_frame = None;
        }
        Ok(())
    }

    /// Input and window events other than redraw and close.
    fn input(&mut self, event_loop: &ActiveEventLoop, event: WindowEvent) -> Result<()> {
        let action = match event {
            WindowEvent::Resized(_) | WindowEvent::ScaleFactorChanged { .. } => {
                self.configure();
                self.window.request_redraw();
                None
            }
            WindowEvent::Occluded(false) => {
                self.window.request_redraw();
                None
            }
            WindowEvent::ModifiersChanged(m) => {
                self.pointer.shift = m.state().shift_key();
                self.pointer.command = m.state().control_key() || m.state().alt_key();
                None
            }
            WindowEvent::CursorMoved { position, .. } => {
                self.pointer.moved(DVec2::new(position.x, position.y))
            }
            WindowEvent::CursorLeft { .. } => {
                self.pointer.left();
                None
            }
            WindowEvent::MouseInput { state, button, .. } => {
                self.pointer
                    .button(button, state == ElementState::Pressed, Instant::now())
            }
            WindowEvent::MouseWheel { delta, .. } => self.pointer.wheel(delta),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key,
                        state: ElementState::Pressed,
                        ..
                    },
                ..
            } if self.line.is_some() => {
                // Shortcuts with Ctrl or Alt are not text.
                if !self.pointer.command || !matches!(logical_key, Key::Character(_)) {
                    self.line_key(&logical_key)?;
                }
                None
            }
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key,
                        physical_key,
                        state: ElementState::Pressed,
                        repeat,
                        ..
                    },
                ..
            } => key_action(&logical_key, physical_key, repeat),
            _ => None,
        };
        match action {
            Some(action) => self.apply(event_loop, action),
            None => Ok(()),
        }
    }

    /// Carry out `action` and ask for a redraw when the picture changes.
    fn apply(&mut self, event_loop: &ActiveEventLoop, action: Action) -> Result<()> {
        let vp = self.viewport();
        match action {
            Action::ZoomAt { pixel, factor } => self.camera.zoom_at(pixel, factor, &vp),
            Action::ZoomCentre(factor) => self.camera.zoom_at(vp.min + vp.size * 0.5, factor, &vp),
            Action::Pan(delta) => self.camera.pan_pixels(delta, &vp),
            Action::PanFraction(f) => {
                // The view moves by f, so the content moves the other way (y down in pixels).
                let delta = DVec2::new(-f.x, f.y) * vp.size;
                self.camera.pan_pixels(delta, &vp);
            }
            Action::BoxZoom(a, b) => {
                self.camera.box_zoom(a, b, &vp);
            }
            Action::Reset => self.camera = self.home,
            Action::CycleColormap => {
                let next = self.plot.renderer.colormap().next();
                self.plot.set_colormap(&self.gpu, next)?;
                eprintln!("colormap {}", next.name());
            }
            Action::CycleMode => {
                let opts = &mut self.plot.opts;
                opts.mode = next_mode(opts.mode);
                eprintln!("mode {}", mode_name(opts.mode));
            }
            Action::CycleAgg => {
                let opts = &mut self.plot.opts;
                if opts.mode == Mode::Density {
                    opts.agg = next_agg(opts.agg);
                } else {
                    opts.mode = Mode::Density;
                }
                eprintln!("mode density, aggregate {}", opts.agg.name());
            }
            Action::PointSize(f) => {
                let (lo, hi) = POINT_SIZE_LIMITS;
                self.point_size = (self.point_size * f).clamp(lo, hi);
            }
            Action::Screenshot => {
                // A failed screenshot is reported; the viewer carries on.
                if let Err(e) = self.screenshot() {
                    eprintln!("error: screenshot not saved: {e}");
                }
                return Ok(());
            }
            Action::EditExpression(role) => {
                let current = match role {
                    Role::Value => self.look.axes.value_label.clone(),
                    Role::Filter => self.figure.filter.clone().unwrap_or_default(),
                };
                self.line = Some(ExprLine::new(role, &current));
            }
            Action::PauseTime => {
                self.clock.toggle();
                eprintln!(
                    "time {} at t = {:.2} s",
                    if self.clock.paused.is_some() {
                        "paused"
                    } else {
                        "runs"
                    },
                    self.clock.now()
                );
            }
            Action::Quit => {
                event_loop.exit();
                return Ok(());
            }
        }
        self.window.request_redraw();
        Ok(())
    }

    /// A key while the expression line is open.
    fn line_key(&mut self, key: &Key) -> Result<()> {
        let line = self.line.as_mut().expect("the line is open");
        match line.key(key, &self.history) {
            Outcome::Editing => {}
            Outcome::Cancel => self.line = None,
            Outcome::Submit(text) => {
                let role = line.role;
                match self.apply_expression(role, &text) {
                    Ok(()) => {
                        eprintln!("{}: {text}", role.name());
                        self.line = None;
                    }
                    Err(Error::Expression { error, .. }) => {
                        eprintln!("error: {}: {error}", role.name());
                        let line = self.line.as_mut().expect("still open");
                        line.error = Some(error);
                    }
                    Err(e) => return Err(e),
                }
                if self.history.last() != Some(&text) && !text.is_empty() {
                    self.history.push(text);
                }
            }
        }
        self.window.request_redraw();
        Ok(())
    }

    /// Compile `text` as the new value or filter (an empty filter keeps every
    /// point) and derive with it; on an error nothing changes.
    fn apply_expression(&mut self, role: Role, text: &str) -> Result<()> {
        let mut figure = self.figure.clone();
        match role {
            Role::Value if text.is_empty() => figure.value = Value::Auto,
            Role::Value => figure.value = Value::Expr(text.to_string()),
            Role::Filter => figure.filter = (!text.is_empty()).then(|| text.to_string()),
        }
        let (set, mut look) = figure.resolve(&self.source)?;
        look.values.t = self.clock.now() as f32;
        let same_columns = set.columns.len() == self.plot.points.columns.len()
            && set
                .columns
                .iter()
                .zip(&self.plot.points.columns)
                .all(|(a, b)| Arc::ptr_eq(a, b));
        if same_columns {
            self.plot.values = look.values.clone();
            self.plot.derive(&self.gpu)?;
        } else {
            // Other columns: the points go up again with them.
            let opts = self.plot.opts;
            let colormap = self.plot.renderer.colormap();
            let mut plot = Plot::new(
                &self.gpu,
                set,
                &Look {
                    colormap,
                    ..look.clone()
                },
                None,
            )?;
            plot.opts = opts;
            self.painter = Painter::new(&self.gpu, self.painter.format, &plot.renderer);
            self.shot_painter = None;
            self.plot = plot;
        }
        self.look.values = look.values;
        self.look.axes.value_label = look.axes.value_label;
        self.figure = figure;
        Ok(())
    }

    /// Render the current view offscreen at the window's size into a new PNG
    /// and print its name with the `render` flags that give the same image.
    fn screenshot(&mut self) -> Result<()> {
        let size = self.size();
        if size.0 == 0 || size.1 == 0 {
            return Err(input("the window is minimised"));
        }
        let target = OffscreenTarget::new(&self.gpu, size.0, size.1)?;
        let (camera, mode) = self.draw(true, size, &target.view)?;
        let style = self.style();
        let rgba = target.read_rgba(&self.gpu)?;
        let path = write_new_file(&self.screenshot_dir, &encode_png(size.0, size.1, &rgba)?)?;
        let (x0, x1) = camera.x_range();
        let (y0, y1) = camera.y_range();
        // Density frames also name their aggregate (it may have changed with `a`).
        let agg = match mode {
            Mode::Density => format!(" --agg {}", self.plot.opts.agg.name()),
            _ => String::new(),
        };
        // The expressions, when they were typed in the window.
        let quote = |s: &str| {
            if s.contains(char::is_whitespace) {
                format!("'{s}'")
            } else {
                s.to_string()
            }
        };
        let mut exprs = String::new();
        if let Value::Expr(v) = &self.figure.value {
            exprs += &format!(" --value {}", quote(v));
        }
        if let Some(f) = &self.figure.filter {
            exprs += &format!(" --filter {}", quote(f));
        }
        if self.plot.values.uses_time() {
            exprs += &format!(" --time {:?}", self.plot.values.t);
        }
        println!(
            "saved {} --width {} --height {} --x-range {x0:?} {x1:?} --y-range {y0:?} {y1:?} --point-size {:?} --colormap {} --mode {}{agg}{exprs}",
            path.display(),
            size.0,
            size.1,
            style.point_size,
            self.plot.renderer.colormap().name(),
            mode_name(mode)
        );
        let _ = std::io::stdout().flush();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use winit::dpi::PhysicalPosition;

    fn ch(s: &str) -> Key {
        Key::Character(s.into())
    }

    const NO_CODE: PhysicalKey = PhysicalKey::Code(KeyCode::F24);

    #[test]
    fn mode_and_aggregate_keys_cycle_through_every_choice() {
        let mut m = Mode::Auto;
        let mut seen = vec![];
        for _ in 0..4 {
            m = next_mode(m);
            seen.push(m);
        }
        assert_eq!(seen, [Mode::Points, Mode::Splat, Mode::Density, Mode::Auto]);
        let mut a = Agg::Count;
        let mut aggs = vec![];
        for _ in 0..5 {
            a = next_agg(a);
            aggs.push(a);
        }
        assert_eq!(aggs, [Agg::Sum, Agg::Mean, Agg::Min, Agg::Max, Agg::Count]);
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(key_action(&ch("q"), NO_CODE, false), Some(Action::Quit));
        assert_eq!(
            key_action(&Key::Named(NamedKey::Escape), NO_CODE, false),
            Some(Action::Quit)
        );
        assert_eq!(
            key_action(&ch("S"), NO_CODE, false),
            Some(Action::Screenshot)
        );
        assert_eq!(key_action(&ch("r"), NO_CODE, false), Some(Action::Reset));
        assert_eq!(
            key_action(&ch("e"), NO_CODE, false),
            Some(Action::EditExpression(Role::Value))
        );
        assert_eq!(
            key_action(&ch("f"), NO_CODE, false),
            Some(Action::EditExpression(Role::Filter))
        );
        assert_eq!(
            key_action(&Key::Named(NamedKey::Space), NO_CODE, false),
            Some(Action::PauseTime)
        );
        assert_eq!(key_action(&ch("e"), NO_CODE, true), None, "held: once");
        assert_eq!(
            key_action(&Key::Named(NamedKey::Home), NO_CODE, false),
            Some(Action::Reset)
        );
        assert_eq!(
            key_action(&ch("c"), NO_CODE, false),
            Some(Action::CycleColormap)
        );
        assert_eq!(
            key_action(&ch("M"), NO_CODE, false),
            Some(Action::CycleMode)
        );
        assert_eq!(key_action(&ch("a"), NO_CODE, true), None, "no repeat");
        for k in ["+", "="] {
            assert_eq!(
                key_action(&ch(k), NO_CODE, false),
                Some(Action::ZoomCentre(ZOOM_STEP))
            );
        }
        assert_eq!(
            key_action(&ch("-"), NO_CODE, true),
            Some(Action::ZoomCentre(1.0 / ZOOM_STEP))
        );
        // The numpad keys work whatever their logical key says.
        assert_eq!(
            key_action(
                &Key::Named(NamedKey::Enter),
                PhysicalKey::Code(KeyCode::NumpadAdd),
                false
            ),
            Some(Action::ZoomCentre(ZOOM_STEP))
        );
        assert_eq!(
            key_action(&ch("]"), NO_CODE, false),
            Some(Action::PointSize(POINT_SIZE_STEP))
        );
        assert_eq!(
            key_action(&Key::Named(NamedKey::ArrowLeft), NO_CODE, true),
            Some(Action::PanFraction(DVec2::new(-ARROW_PAN, 0.0)))
        );
        // Held keys repeat moves only; unknown keys do nothing.
        assert_eq!(key_action(&ch("s"), NO_CODE, true), None);
        assert_eq!(key_action(&ch("q"), NO_CODE, true), None);
        assert_eq!(key_action(&ch("x"), NO_CODE, false), None);
    }

    #[test]
    fn left_drag_pans_by_the_cursor_delta() {
        let mut p = Pointer::default();
        let t = Instant::now();
        assert_eq!(p.moved(DVec2::new(10.0, 10.0)), None);
        assert_eq!(p.button(MouseButton::Left, true, t), None);
        assert_eq!(
            p.moved(DVec2::new(15.0, 7.0)),
            Some(Action::Pan(DVec2::new(5.0, -3.0)))
        );
        assert_eq!(
            p.moved(DVec2::new(20.0, 7.0)),
            Some(Action::Pan(DVec2::new(5.0, 0.0)))
        );
        assert_eq!(p.button(MouseButton::Left, false, t), None);
        assert_eq!(p.moved(DVec2::new(30.0, 30.0)), None);
    }

    #[test]
    fn right_or_shift_drag_box_zooms() {
        let t = Instant::now();
        let (a, b) = (DVec2::new(10.0, 20.0), DVec2::new(110.0, 90.0));
        let mut p = Pointer::default();
        p.moved(a);
        assert_eq!(p.button(MouseButton::Right, true, t), None);
        assert!(p.is_box_dragging());
        assert_eq!(p.moved(b), None);
        assert_eq!(
            p.button(MouseButton::Right, false, t),
            Some(Action::BoxZoom(a, b))
        );
        let mut p = Pointer {
            shift: true,
            ..Pointer::default()
        };
        p.moved(a);
        p.button(MouseButton::Left, true, t);
        p.moved(b);
        assert_eq!(
            p.button(MouseButton::Left, false, t),
            Some(Action::BoxZoom(a, b))
        );
    }

    #[test]
    fn double_click_resets_only_when_close_in_time_and_space() {
        let t = Instant::now();
        let at = DVec2::new(50.0, 50.0);
        let click = |p: &mut Pointer, when: Instant| {
            let a = p.button(MouseButton::Left, true, when);
            p.button(MouseButton::Left, false, when);
            a
        };
        let mut p = Pointer::default();
        p.moved(at);
        assert_eq!(click(&mut p, t), None);
        assert_eq!(
            click(&mut p, t + Duration::from_millis(300)),
            Some(Action::Reset)
        );
        // Too slow.
        assert_eq!(click(&mut p, t + Duration::from_millis(1000)), None);
        assert_eq!(click(&mut p, t + Duration::from_millis(1500)), None);
        // Too far apart.
        p.moved(at + DVec2::new(10.0, 0.0));
        assert_eq!(click(&mut p, t + Duration::from_millis(1600)), None);
    }

    #[test]
    fn wheel_zooms_at_the_cursor() {
        let mut p = Pointer::default();
        assert_eq!(
            p.wheel(MouseScrollDelta::LineDelta(0.0, 1.0)),
            Some(Action::ZoomCentre(ZOOM_STEP))
        );
        p.moved(DVec2::new(3.0, 4.0));
        assert_eq!(
            p.wheel(MouseScrollDelta::LineDelta(0.0, -2.0)),
            Some(Action::ZoomAt {
                pixel: DVec2::new(3.0, 4.0),
                factor: ZOOM_STEP.powi(-2)
            })
        );
        let px = wheel_factor(MouseScrollDelta::PixelDelta(PhysicalPosition::new(
            0.0,
            PIXELS_PER_LINE,
        )));
        assert!((px - ZOOM_STEP).abs() < 1e-12);
        assert_eq!(p.wheel(MouseScrollDelta::LineDelta(1.0, 0.0)), None);
    }

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
