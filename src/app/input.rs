//! Input as data: what each key, button, drag and wheel asks for, as an
//! [`Action`] in window pixels. Pure (no window, no GPU), so every mapping is
//! unit-tested; `Viewer::apply` in mod.rs carries the actions out.

use std::time::{Duration, Instant};

use glam::DVec2;
use winit::event::{MouseButton, MouseScrollDelta};
use winit::keyboard::{Key, KeyCode, NamedKey, PhysicalKey};

use super::line::Role;
use crate::aggregate::{Agg, Mode};
use crate::select::Combine;

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
    /// Select the points inside the polygon the pointer just finished
    /// ([`Pointer::take_polygon`]), meeting the selection before as given.
    Select(Combine),
    /// Forget the selection.
    ClearSelection,
    /// Write the selected rows to a new CSV file.
    WriteSelection,
    /// Show or hide the list of keys and mouse actions.
    ToggleHelp,
    /// Stop the drag in progress (a box zoom or a selection) without acting.
    CancelDrag,
    Quit,
}

/// Every key and mouse action, for the help overlay (`h` or `?`).
pub const HELP: &[(&str, &str)] = &[
    ("wheel, + -", "zoom at the cursor / the centre"),
    ("left drag, arrows", "pan"),
    ("right drag, shift + left drag", "box zoom (Esc cancels)"),
    ("double click, r, Home", "reset the view"),
    ("ctrl + left drag", "lasso selection"),
    ("ctrl + right drag", "box selection"),
    ("  + shift / + alt", "add to / subtract from the selection"),
    ("Delete, Backspace", "clear the selection"),
    ("w", "write the selection to a new CSV"),
    ("hover", "the nearest point's values"),
    ("click a legend entry", "hide / show that category"),
    ("m / a", "next mode / density aggregate"),
    ("c", "next colourmap"),
    ("[ ]", "smaller / larger points"),
    ("e / f", "edit the value / filter expression"),
    ("space", "pause or run the clock t"),
    ("s", "screenshot (prints the render command)"),
    ("h, ?", "this help"),
    ("q, Esc", "quit"),
];

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
            NamedKey::Delete | NamedKey::Backspace => Some(Action::ClearSelection),
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
            "w" => Some(Action::WriteSelection),
            "h" | "?" => Some(Action::ToggleHelp),
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
pub(super) fn next_mode(mode: Mode) -> Mode {
    match mode {
        Mode::Auto => Mode::Points,
        Mode::Points => Mode::Splat,
        Mode::Splat => Mode::Density,
        Mode::Density => Mode::Auto,
    }
}

/// The density aggregate after `a`.
pub(super) fn next_agg(agg: Agg) -> Agg {
    let i = Agg::ALL.iter().position(|&a| a == agg).unwrap_or(0);
    Agg::ALL[(i + 1) % Agg::ALL.len()]
}

pub(super) fn mode_name(mode: Mode) -> String {
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

#[derive(Debug, Clone, PartialEq)]
enum DragKind {
    Pan,
    Box { start: DVec2 },
    SelectBox { start: DVec2, op: Combine },
    Lasso { points: Vec<DVec2>, op: Combine },
}

/// What a drag in progress shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Preview<'a> {
    /// A box zoom's rectangle (corners).
    ZoomBox(DVec2, DVec2),
    /// A box selection's rectangle (corners).
    SelectBox(DVec2, DVec2),
    /// A lasso's outline so far.
    Lasso(&'a [DVec2]),
}

/// A lasso adds a vertex once the cursor is this far from the last one.
const LASSO_STEP_PX: f64 = 2.0;

#[derive(Debug, Clone, PartialEq)]
struct Drag {
    button: MouseButton,
    kind: DragKind,
}

/// Mouse state: where the cursor is, what drag is going on, the last click.
#[derive(Debug, Default, Clone)]
pub struct Pointer {
    pub cursor: Option<DVec2>,
    pub shift: bool,
    pub ctrl: bool,
    pub alt: bool,
    drag: Option<Drag>,
    last_press: Option<(Instant, DVec2)>,
    /// The polygon (pixels) of the selection drag that just ended.
    polygon: Option<Vec<DVec2>>,
}

impl Pointer {
    /// The cursor moved to `to`: a pan drag moves the content by the same amount.
    pub fn moved(&mut self, to: DVec2) -> Option<Action> {
        let from = self.cursor.replace(to)?;
        match self.drag.as_mut().map(|d| &mut d.kind) {
            Some(DragKind::Pan) if to != from => Some(Action::Pan(to - from)),
            Some(DragKind::Lasso { points, .. }) => {
                if points
                    .last()
                    .is_none_or(|p| p.distance(to) >= LASSO_STEP_PX)
                    && points.len() < crate::select::MAX_VERTICES
                {
                    points.push(to);
                }
                None
            }
            _ => None,
        }
    }

    /// Ctrl or Alt held (then a key is a shortcut, not text).
    pub fn command(&self) -> bool {
        self.ctrl || self.alt
    }

    /// Whether a button is held in a drag.
    pub fn is_dragging(&self) -> bool {
        self.drag.is_some()
    }

    /// Stop the drag in progress; whether there was one.
    pub fn cancel(&mut self) -> bool {
        self.drag.take().is_some()
    }

    /// What the drag in progress shows.
    pub fn preview(&self) -> Option<Preview<'_>> {
        let at = self.cursor?;
        match &self.drag.as_ref()?.kind {
            DragKind::Box { start } => Some(Preview::ZoomBox(*start, at)),
            DragKind::SelectBox { start, .. } => Some(Preview::SelectBox(*start, at)),
            DragKind::Lasso { points, .. } => Some(Preview::Lasso(points)),
            DragKind::Pan => None,
        }
    }

    /// The polygon (pixels) of the selection that [`Action::Select`] announced.
    pub fn take_polygon(&mut self) -> Option<Vec<DVec2>> {
        self.polygon.take()
    }

    /// How a selection started now meets the one before: shift adds, alt subtracts.
    fn combine(&self) -> Combine {
        if self.shift {
            Combine::Add
        } else if self.alt {
            Combine::Subtract
        } else {
            Combine::Replace
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
            if self.drag.as_ref()?.button != button {
                return None;
            }
            let drag = self.drag.take()?;
            return match drag.kind {
                DragKind::Box { start } => Some(Action::BoxZoom(start, at)),
                DragKind::Pan => None,
                DragKind::SelectBox { start, op } => {
                    self.polygon = Some(vec![
                        start,
                        DVec2::new(at.x, start.y),
                        at,
                        DVec2::new(start.x, at.y),
                    ]);
                    Some(Action::Select(op))
                }
                DragKind::Lasso { mut points, op } => {
                    points.push(at);
                    (points.len() >= 3).then(|| {
                        self.polygon = Some(points);
                        Action::Select(op)
                    })
                }
            };
        }
        if self.drag.is_some() {
            return None;
        }
        let kind = match button {
            MouseButton::Left if self.ctrl => DragKind::Lasso {
                points: vec![at],
                op: self.combine(),
            },
            MouseButton::Right if self.ctrl => DragKind::SelectBox {
                start: at,
                op: self.combine(),
            },
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
}
