//! The window's event loop: one per process (winit's rule), reused by every
//! later window; [`App`] routes its events to the [`Viewer`] and, a while
//! after the last frame, gives the freed memory back to the OS.

use std::cell::RefCell;

use winit::application::ApplicationHandler;
use winit::event_loop::{ControlFlow, EventLoop};
use winit::platform::run_on_demand::EventLoopExtRunOnDemand;
use winit::window::WindowId;

use super::*;

/// The window of `view` or `view_stream`, on this thread's event loop.
pub(super) fn open_window(
    args: &ViewArgs,
    look: Look,
    points: (crate::points::PointSet, Points, Figure),
) -> Result<()> {
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
    EVENT_LOOP.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut builder = EventLoop::<UserEvent>::with_user_event();
            // X11 and Wayland serve any thread (a Python program may open the
            // window from one); winit insists on the main thread unless told.
            #[cfg(all(unix, not(target_os = "macos"), not(target_os = "android")))]
            winit::platform::x11::EventLoopBuilderExtX11::with_any_thread(&mut builder, true);
            let built = builder.build();
            *slot = Some(built.map_err(|e| match e {
                winit::error::EventLoopError::RecreationAttempt => input(
                    "the viewer's windows open on the thread that opened the first one; call view from that thread",
                ),
                other => no_display(Some(other.to_string())),
            })?);
        }
        let event_loop = slot.as_mut().expect("made above");
        run_window(event_loop, args, look, points)
    })
}

thread_local! {
    /// winit allows one event loop per process: it is made by the first
    /// window and runs every later one on this thread (`run_app_on_demand`),
    /// so a program (or a Python session) can open windows one after another.
    static EVENT_LOOP: RefCell<Option<EventLoop<UserEvent>>> = const { RefCell::new(None) };
}

/// One window on `event_loop`, until it closes.
fn run_window(
    event_loop: &mut EventLoop<UserEvent>,
    args: &ViewArgs,
    look: Look,
    points: (crate::points::PointSet, Points, Figure),
) -> Result<()> {
    let instance = wgpu::Instance::new(
        wgpu::InstanceDescriptor::new_with_display_handle(Box::new(
            event_loop.owned_display_handle(),
        ))
        .with_env(),
    );
    let mut app = App {
        args: args.clone(),
        look,
        points: Some(points),
        instance: Some(instance),
        proxy: event_loop.create_proxy(),
        viewer: None,
        error: None,
        trim_at: None,
    };
    event_loop.set_control_flow(ControlFlow::Wait);
    event_loop
        .run_app_on_demand(&mut app)
        .map_err(|e| input(format!("the window's event loop failed: {e}")))?;
    app.close();
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
    /// When the allocator's free memory goes back to the OS: a while after
    /// the last frame ([`REST`]), once.
    trim_at: Option<std::time::Instant>,
}

/// How long after its last frame the viewer counts as at rest.
const REST: std::time::Duration = std::time::Duration::from_secs(1);

impl App {
    /// Close the window and release its GPU objects (before the display
    /// connection can go), with the -v summary.
    fn close(&mut self) {
        if let Some(viewer) = self.viewer.take() {
            if self.args.verbose {
                eprintln!(
                    "pointillist: {} frames drawn, values derived {} times",
                    viewer.frames, viewer.plot.derives
                );
            }
        }
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, e: Error) {
        self.error.get_or_insert(e);
        event_loop.exit();
    }
}

impl ApplicationHandler<UserEvent> for App {
    fn exiting(&mut self, _: &ActiveEventLoop) {
        // The window goes now, while the loop still runs, so it closes on screen.
        self.close();
    }

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
            UserEvent::Refined => {
                if let Some(viewer) = &self.viewer {
                    viewer.window.request_redraw();
                }
            }
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
            WindowEvent::RedrawRequested => {
                self.trim_at = Some(std::time::Instant::now() + REST);
                viewer.redraw()
            }
            other => viewer.input(event_loop, other),
        };
        if let Err(e) = result {
            self.fail(event_loop, e);
        }
    }

    /// At rest (no frame for [`REST`]), the memory the frames freed goes back
    /// to the OS once ([`crate::mem::trim_freed_memory`]); with `-v`, a line
    /// says what the process then holds.
    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        match self.trim_at {
            Some(at) if std::time::Instant::now() >= at => {
                self.trim_at = None;
                crate::mem::trim_freed_memory();
                if self.args.verbose {
                    eprintln!("{}", rest_line(self.viewer.as_ref().map(|v| &v.gpu)));
                }
                event_loop.set_control_flow(ControlFlow::Wait);
            }
            Some(at) => event_loop.set_control_flow(ControlFlow::WaitUntil(at)),
            None => event_loop.set_control_flow(ControlFlow::Wait),
        }
    }
}

/// The viewer's memory at rest, for `-v`: resident; held through glibc's
/// allocator ([`crate::mem::allocated_bytes`]: the GPU driver's memory and
/// caches too); of that, what Rust code holds on the heap
/// ([`crate::mem::heap_bytes`]); and the GPU memory the device's allocator
/// has handed out for buffers and textures. tests/soak.rs reads it.
fn rest_line(gpu: Option<&crate::gpu::Gpu>) -> String {
    let mb = |b: Option<u64>| b.map_or("?".to_string(), |b| format!("{:.1}", b as f64 / 1e6));
    let on_gpu = gpu
        .and_then(|g| g.device.generate_allocator_report())
        .map(|r| r.total_allocated_bytes);
    format!(
        "pointillist at rest: {} MB resident, {} MB allocated, {} MB heap, {} MB GPU",
        mb(crate::mem::status_bytes("VmRSS")),
        mb(crate::mem::allocated_bytes()),
        mb(crate::mem::heap_bytes()),
        mb(on_gpu)
    )
}
