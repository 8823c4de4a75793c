//! What the viewer adds to the overlay of a frame on screen (never to a
//! screenshot): the help panel, the one-line hint to it, the hover read-out
//! with a ring around its point, and the outline of a drag in progress.
//! Plain data: overlay lines and labels in physical pixels.

use glam::{DVec2, Vec2};

use super::input::{Preview, HELP};
use crate::overlay::{background_rgba, Align, Label, Line, Overlay};
use crate::probe::Probe;

/// A filled rectangle of `colour`.
fn panel(o: &mut Overlay, min: Vec2, max: Vec2, colour: [u8; 4]) {
    o.lines.push(crate::overlay::fill_rect(min, max, colour));
}

/// The outline through `points` (closed when `closed`).
fn outline(o: &mut Overlay, points: &[DVec2], closed: bool, width: f32, colour: [u8; 4]) {
    let n = points.len();
    let segments = if closed { n } else { n.saturating_sub(1) };
    for k in 0..segments {
        let (a, b) = (points[k], points[(k + 1) % n]);
        o.lines.push(Line {
            a: a.as_vec2(),
            b: b.as_vec2(),
            width,
            colour,
        });
    }
}

/// Rough text width (DejaVu Sans averages about 0.6 em).
fn text_width(text: &str, font: f32) -> f32 {
    text.chars().count() as f32 * 0.6 * font
}

/// Rows of text in a panel of the background, top-left at `at`, kept inside
/// the `size` target; a row's second part (if any) starts in a second column.
fn text_panel(
    o: &mut Overlay,
    rows: &[(String, String)],
    at: Vec2,
    size: (u32, u32),
    scale: f32,
    back: [f64; 3],
) {
    let font = 13.0 * scale;
    let pad = 6.0 * scale;
    // The first column is as wide as its widest entry beside a second one.
    let two = rows.iter().any(|r| !r.1.is_empty());
    let first = rows
        .iter()
        .filter(|r| !two || !r.1.is_empty())
        .map(|r| text_width(&r.0, font))
        .fold(0.0, f32::max);
    let title = rows
        .iter()
        .map(|r| text_width(&r.0, font))
        .fold(0.0, f32::max);
    let gap = if rows.iter().any(|r| !r.1.is_empty()) {
        2.0 * font
    } else {
        0.0
    };
    let second = rows
        .iter()
        .map(|r| text_width(&r.1, font))
        .fold(0.0, f32::max);
    let w = (first + gap + second).max(title) + 2.0 * pad;
    let h = rows.len() as f32 * font * 1.35 + 2.0 * pad;
    let (sw, sh) = (size.0 as f32, size.1 as f32);
    let x = at.x.min(sw - w).max(0.0);
    let y = at.y.min(sh - h).max(0.0);
    panel(
        o,
        Vec2::new(x, y),
        Vec2::new(x + w, y + h),
        background_rgba(back, 235),
    );
    let clip = [x, y, x + w, y + h];
    for (k, (left, right)) in rows.iter().enumerate() {
        let top = y + pad + k as f32 * font * 1.35;
        for (text, left_x) in [(left, x + pad), (right, x + pad + first + gap)] {
            if text.is_empty() {
                continue;
            }
            o.labels.push(Label {
                text: text.clone(),
                pos: Vec2::new(left_x, top),
                h: Align::Start,
                v: Align::Start,
                size: font,
                clip,
            });
        }
    }
}

/// The help panel: every key and mouse action.
pub fn help(o: &mut Overlay, size: (u32, u32), scale: f32, back: [f64; 3]) {
    let mut rows = vec![(
        "keys and mouse (h or ? hides this)".to_string(),
        String::new(),
    )];
    rows.extend(
        HELP.iter()
            .map(|(k, what)| (k.to_string(), what.to_string())),
    );
    text_panel(
        o,
        &rows,
        Vec2::new(8.0 * scale, 8.0 * scale),
        size,
        scale,
        back,
    );
}

/// The one-line hint to the help, bottom left.
pub fn hint(o: &mut Overlay, size: (u32, u32), scale: f32) {
    let font = 12.0 * scale;
    o.labels.push(Label {
        text: "press h for help".into(),
        pos: Vec2::new(6.0 * scale, size.1 as f32 - 4.0 * scale),
        h: Align::Start,
        v: Align::End,
        size: font,
        clip: [0.0, 0.0, size.0 as f32, size.1 as f32],
    });
}

/// The hover read-out beside `cursor`, and a ring around its point.
pub fn hover(
    o: &mut Overlay,
    probe: &Probe,
    cursor: DVec2,
    radius: f64,
    size: (u32, u32),
    scale: f32,
    back: [f64; 3],
) {
    if probe.lines.is_empty() {
        return;
    }
    if let Some((_, at)) = probe.point {
        let r = radius + 3.0 * scale as f64;
        let ring: Vec<DVec2> = (0..24)
            .map(|k| {
                let a = k as f64 / 24.0 * std::f64::consts::TAU;
                at + DVec2::new(a.cos(), a.sin()) * r
            })
            .collect();
        outline(o, &ring, true, 1.5 * scale, [230, 30, 30, 255]);
    }
    let at = cursor.as_vec2() + Vec2::new(16.0, 12.0) * scale;
    let rows: Vec<(String, String)> = probe
        .lines
        .iter()
        .map(|l| (l.clone(), String::new()))
        .collect();
    text_panel(o, &rows, at, size, scale, back);
}

/// The outline of a drag in progress.
pub fn preview(o: &mut Overlay, preview: Preview<'_>, scale: f32) {
    let box_of = |a: DVec2, b: DVec2| vec![a, DVec2::new(b.x, a.y), b, DVec2::new(a.x, b.y)];
    let w = 1.5 * scale;
    match preview {
        Preview::ZoomBox(a, b) => {
            panel(
                o,
                a.min(b).as_vec2(),
                a.max(b).as_vec2(),
                [60, 120, 220, 40],
            );
            outline(o, &box_of(a, b), true, w, [40, 100, 220, 255]);
        }
        Preview::SelectBox(a, b) => outline(o, &box_of(a, b), true, w, [230, 120, 20, 255]),
        Preview::Lasso(points) => outline(o, points, false, w, [230, 120, 20, 255]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_lists_every_action_inside_the_window() {
        let mut o = Overlay::default();
        help(&mut o, (800, 600), 1.0, [1.0; 3]);
        assert_eq!(o.labels.len(), 2 * HELP.len() + 1);
        for (k, what) in HELP {
            let key = o.labels.iter().find(|l| l.text == *k).expect("the key");
            let said = o
                .labels
                .iter()
                .find(|l| l.text == *what)
                .expect("what it does");
            assert_eq!(key.pos.y, said.pos.y, "{k}: one row");
        }
        // The panel with its square caps stays inside the window.
        let p = o.lines[0];
        let (lo, hi) = (p.a.min(p.b) - p.width / 2.0, p.a.max(p.b) + p.width / 2.0);
        assert!(
            lo.x >= 0.0 && hi.x <= 800.0 && lo.y >= 0.0 && hi.y <= 600.0,
            "{p:?}"
        );
    }

    #[test]
    fn a_zoom_box_is_outlined_and_a_lasso_follows_its_points() {
        let mut o = Overlay::default();
        preview(
            &mut o,
            Preview::ZoomBox(DVec2::new(10.0, 10.0), DVec2::new(50.0, 30.0)),
            1.0,
        );
        assert_eq!(o.lines.len(), 5, "a fill and four sides");
        let mut o = Overlay::default();
        let pts = [DVec2::ZERO, DVec2::X, DVec2::ONE];
        preview(&mut o, Preview::Lasso(&pts), 1.0);
        assert_eq!(o.lines.len(), 2, "open until released");
    }
}
