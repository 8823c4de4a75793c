//! The legend: a swatch and name for each category (the largest that fit,
//! then "+N more"), and the point-size legend.

use super::*;

/// Logical pixels between the tops of two legend entries.
const LEGEND_ROW: f32 = 18.0;
/// A legend swatch's side.
pub(super) const SWATCH: f32 = 10.0;

/// The legend entries that fit in `rows`: every entry by code when they
/// all fit, else the largest `rows - 1` (in code order) and the number left
/// out, for a "+N more" row.
fn legend_entries(c: &crate::categories::Categories, rows: usize) -> (Vec<usize>, usize) {
    let n = c.len();
    if n <= rows {
        return ((0..n).collect(), 0);
    }
    let keep = rows.saturating_sub(1);
    let mut by_size: Vec<usize> = (0..n).collect();
    by_size.sort_by_key(|&k| std::cmp::Reverse(c.counts[k]));
    let mut shown = by_size[..keep].to_vec();
    shown.sort_unstable();
    (shown, n - keep)
}

/// The legend entry (by code) whose row holds `at` (physical pixels), in a
/// legend drawn by [`build`] beside `layout`'s plot; None off every entry.
pub fn legend_hit(c: &crate::categories::Categories, layout: &Layout, at: Vec2) -> Option<usize> {
    let bar = layout.colorbar?;
    let (row, shown, _) = legend_rows(c, bar, layout.scale);
    if at.x < bar.min.x || at.y < bar.min.y {
        return None;
    }
    shown.get(((at.y - bar.min.y) / row) as usize).copied()
}

/// A legend's row height beside `bar` at scale `s`, the entries its rows show
/// and how many are left out ([`legend_entries`]).
pub(super) fn legend_rows(
    c: &crate::categories::Categories,
    bar: ColorbarRect,
    s: f32,
) -> (f32, Vec<usize>, usize) {
    let row = LEGEND_ROW * s;
    let rows = ((bar.size.y / row).floor() as usize).max(1);
    let (shown, more) = legend_entries(c, rows);
    (row, shown, more)
}

/// A count as a legend shows it: 950, 12.3k, 4.5M, 1.2G.
fn short_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{:.1}G", n as f64 / 1e9),
    }
}

/// The size legend under the colourbar: its title, then a disc of each
/// reference size with its value, top down, in the text colour.
pub(super) fn size_legend(
    o: &mut Overlay,
    title: &str,
    sizes: &[(f64, String)],
    bar: ColorbarRect,
    (vp, (w, h)): (Viewport, (f32, f32)),
    s: f32,
    fg: [u8; 4],
) {
    let top = bar.min.y + bar.size.y + 26.0 * s;
    let bottom = (vp.min.y + vp.size.y) as f32;
    o.labels.push(Label {
        text: title.to_string(),
        pos: Vec2::new(bar.min.x, top - 6.0 * s),
        h: Align::Start,
        v: Align::End,
        size: TICK_FONT * s,
        clip: [bar.min.x - 4.0 * s, bar.min.y + bar.size.y, w, h],
    });
    let widest = sizes.iter().map(|(d, _)| *d as f32 * s).fold(0.0, f32::max);
    let cx = bar.min.x + widest * 0.5;
    let mut y = top;
    for (d, text) in sizes {
        let d = *d as f32 * s;
        let row = d.max(TICK_FONT * s * 1.2) + 4.0 * s;
        if y + row > bottom {
            break;
        }
        let mid = y + row * 0.5;
        o.lines
            .push(disc(Vec2::new(cx, mid), d, [fg[0], fg[1], fg[2], 160]));
        o.labels.push(Label {
            text: text.clone(),
            pos: Vec2::new(cx + widest * 0.5 + 6.0 * s, mid),
            h: Align::Start,
            v: Align::Center,
            size: TICK_FONT * s,
            clip: [bar.min.x, top, w, h],
        });
        y += row;
    }
}

/// Each legend entry's text: the category's name and its count.
pub fn legend_texts(c: &crate::categories::Categories) -> impl Iterator<Item = String> + '_ {
    (0..c.len()).map(|k| {
        let name = if c.other > 0 && k == c.len() - 1 {
            format!("other ({})", c.other)
        } else {
            c.names[k].clone()
        };
        format!("{name} {}", short_count(c.counts[k]))
    })
}

/// The legend in the colourbar's place: the column's name above, then a
/// swatch, name and count per category, top down.
pub(super) fn draw(
    o: &mut Overlay,
    c: &crate::categories::Categories,
    bar: ColorbarRect,
    (w, h): (f32, f32),
    s: f32,
) {
    let (row, shown, more) = legend_rows(c, bar, s);
    let x = bar.min.x;
    let mut y = bar.min.y;
    let font = TICK_FONT * s;
    let texts: Vec<String> = legend_texts(c).collect();
    for &k in &shown {
        let mid = y + row * 0.5;
        let half = SWATCH * s * 0.5;
        // A hidden entry's swatch is faint, and its text says so.
        let hidden = c.hidden.get(k) == Some(&true);
        let [r, g, b, a] = c.colours[k];
        let colour = if hidden { [r, g, b, 48] } else { [r, g, b, a] };
        o.lines.push(fill_rect(
            Vec2::new(x, (mid - half).round()),
            Vec2::new(x + 2.0 * half, (mid + half).round()),
            colour,
        ));
        let text = if hidden {
            format!("{} (hidden)", texts[k])
        } else {
            texts[k].clone()
        };
        o.labels.push(Label {
            text,
            pos: Vec2::new(x + (SWATCH + 5.0) * s, mid),
            h: Align::Start,
            v: Align::Center,
            size: font,
            clip: [x, 0.0, w, h],
        });
        y += row;
    }
    if more > 0 {
        o.labels.push(Label {
            text: format!("+{more} more"),
            pos: Vec2::new(x, y + row * 0.5),
            h: Align::Start,
            v: Align::Center,
            size: font,
            clip: [x, 0.0, w, h],
        });
    }
    o.labels.push(Label {
        text: c.column.clone(),
        pos: Vec2::new(x, bar.min.y - 6.0 * s),
        h: Align::Start,
        v: Align::End,
        size: LABEL_FONT * s,
        clip: [x - 40.0 * s, 0.0, w, bar.min.y],
    });
}
