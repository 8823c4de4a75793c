//! What the viewer does with input: winit events become [`Action`]s
//! (input.rs, pure), carried out here on the [`Viewer`]; the expression
//! line's keys, and the `S` screenshot.

use std::io::Write;

use glam::DVec2;
use winit::event::{ElementState, KeyEvent};
use winit::keyboard::Key;

use super::*;
use crate::render::target::{encode_png, OffscreenTarget};
use crate::value::Value;

impl Viewer {
    /// Input and window events other than redraw and close.
    pub(super) fn input(&mut self, event_loop: &ActiveEventLoop, event: WindowEvent) -> Result<()> {
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
                self.pointer.ctrl = m.state().control_key();
                self.pointer.alt = m.state().alt_key();
                None
            }
            WindowEvent::CursorMoved { position, .. } => {
                let action = self.pointer.moved(DVec2::new(position.x, position.y));
                if self.pointer.is_dragging() {
                    // A box or lasso grows as the cursor moves.
                    self.hover = None;
                    self.window.request_redraw();
                } else {
                    self.hover_at(DVec2::new(position.x, position.y));
                }
                action
            }
            WindowEvent::CursorLeft { .. } => {
                self.pointer.left();
                None
            }
            WindowEvent::MouseInput { state, button, .. } => {
                self.hint = false;
                let pressed = state == ElementState::Pressed;
                match self.legend_entry(button, pressed) {
                    // A click on a legend entry hides or shows its category.
                    Some(k) => {
                        self.plot.toggle_category(&self.gpu, k)?;
                        self.window.request_redraw();
                        None
                    }
                    None => self.pointer.button(button, pressed, Instant::now()),
                }
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
                if !self.pointer.command() || !matches!(logical_key, Key::Character(_)) {
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
            } => {
                self.hint = false;
                match key_action(&logical_key, physical_key, repeat) {
                    // Esc during a drag cancels the drag, not the window.
                    Some(Action::Quit)
                        if logical_key == Key::Named(winit::keyboard::NamedKey::Escape)
                            && self.pointer.is_dragging() =>
                    {
                        Some(Action::CancelDrag)
                    }
                    other => other,
                }
            }
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
        if self.stream.is_some()
            && matches!(
                action,
                Action::CycleMode
                    | Action::EditExpression(_)
                    | Action::Select(_)
                    | Action::WriteSelection
            )
        {
            eprintln!("not on a streamed dataset: that needs the points in memory (give --memory)");
            return Ok(());
        }
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
                eprintln!("colormap {}", next.name());
                self.plot.set_colormap(&self.gpu, next)?;
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
            Action::CancelDrag => {
                self.pointer.cancel();
            }
            Action::ToggleHelp => self.help = !self.help,
            Action::Select(op) => {
                if let Some(poly) = self.pointer.take_polygon() {
                    self.select(&poly, op)?;
                }
            }
            Action::ClearSelection => {
                self.selection = None;
                self.highlight = None;
            }
            Action::WriteSelection => {
                if let Err(e) = self.write_selection() {
                    eprintln!("error: selection not written: {e}");
                }
                return Ok(());
            }
        }
        if matches!(
            action,
            Action::CycleColormap | Action::CycleMode | Action::CycleAgg
        ) {
            self.refresh_highlight()?;
        }
        self.hold_exact_floor(&vp);
        self.window.request_redraw();
        Ok(())
    }

    /// Zoom no further than f64 still draws exactly (4 steps a pixel at the
    /// view's centre): the picture stops growing there and the title says so.
    fn hold_exact_floor(&mut self, vp: &crate::camera::Viewport) {
        let floor = self.camera.exact_floor(vp);
        self.camera.hold_floor(floor);
        self.at_floor = self.camera.at_floor(floor).then_some("f64 precision");
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
            plot.derives += self.plot.derives;
            self.painter = Painter::new(&self.gpu, self.painter.format, &plot.renderer);
            self.shot_painter = None;
            self.plot = plot;
        }
        self.look.values = look.values;
        self.look.axes.value_label = look.axes.value_label;
        self.figure = figure;
        self.refresh_highlight()?;
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
        if self.sorted {
            exprs += " --order morton";
        }
        println!(
            "saved {} --width {} --height {} --x-range {x0:?} {x1:?} --y-range {y0:?} {y1:?} --point-size {:?} --colormap {} --mode {}{agg}{exprs}{}",
            path.display(),
            size.0,
            size.1,
            self.point_size,
            self.plot.renderer.colormap().name(),
            mode_name(mode),
            if style.scale == 1.0 {
                String::new()
            } else {
                format!(" --scale {:?}", style.scale)
            }
        );
        let _ = std::io::stdout().flush();
        Ok(())
    }
}
