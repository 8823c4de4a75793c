//! What the overlay shows, as plain data: the plot area and colourbar
//! layout, axis lines, major and minor ticks, grid lines, tick labels with
//! their shared offset text, axis titles, the plot title and the colourbar's
//! ticks. No GPU here; src/render/overlay.rs draws it.
//!
//! All positions are in physical pixels of the target, y down. Sizes given in
//! logical pixels are multiplied by the scale factor (HiDPI).

use glam::{DVec2, Vec2};

use crate::camera::{Camera, Viewport};
use crate::colormap::Norm;
use crate::frame::FrameView;
use crate::ticks::{ticks, Ticks};

mod colorbar;
mod legend;

pub use colorbar::{colorbar_marks, ColorbarMarks};
pub use legend::{legend_hit, legend_texts};

/// What the user asked of the overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct AxesOptions {
    /// Draw axes, labels and colourbar; with `false` the points fill the image.
    pub enabled: bool,
    pub grid: bool,
    pub title: Option<String>,
    pub x_label: String,
    pub y_label: String,
    /// Title of the colourbar (the value's name).
    pub value_label: String,
    /// A legend in place of the colourbar: its longest entry, in characters
    /// (0: a colourbar), which widens the right margin to fit.
    pub legend_chars: usize,
    /// Size by value: the legend's title and its reference sizes (diameter
    /// in logical pixels, value), drawn under a shorter colourbar.
    pub sizes: Option<(String, Vec<(f64, String)>)>,
}

impl Default for AxesOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            grid: false,
            title: None,
            x_label: "x".into(),
            y_label: "y".into(),
            value_label: "value".into(),
            legend_chars: 0,
            sizes: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Start,
    Center,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    /// Anchor point; the text's box is aligned to it by `h` and `v`.
    pub pos: Vec2,
    pub h: Align,
    pub v: Align,
    /// Font size in physical pixels.
    pub size: f32,
    /// The text is clipped to this box (left, top, right, bottom) so that it
    /// never runs into the plot.
    pub clip: [f32; 4],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub a: Vec2,
    pub b: Vec2,
    pub width: f32,
    pub colour: [u8; 4],
}

/// A filled disc of `diameter` pixels at `centre` (a line of negative width).
pub fn disc(centre: Vec2, diameter: f32, colour: [u8; 4]) -> Line {
    Line {
        a: centre,
        b: centre,
        width: -diameter,
        colour,
    }
}

/// Share of the colourbar's height a size legend takes below it.
const SIZE_LEGEND: f32 = 0.4;

/// A filled rectangle as one line: lines have square caps (half their width
/// past each end), so the line runs along the longer side, its ends pulled in.
pub fn fill_rect(min: Vec2, max: Vec2, colour: [u8; 4]) -> Line {
    let size = max - min;
    let c = (min + max) * 0.5;
    if size.x >= size.y {
        let half = (size.x - size.y) * 0.5;
        Line {
            a: Vec2::new(c.x - half, c.y),
            b: Vec2::new(c.x + half, c.y),
            width: size.y,
            colour,
        }
    } else {
        let half = (size.y - size.x) * 0.5;
        Line {
            a: Vec2::new(c.x, c.y - half),
            b: Vec2::new(c.x, c.y + half),
            width: size.x,
            colour,
        }
    }
}

/// The colourbar: a rectangle that shows the colourmap from bottom (t = 0) to top (t = 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorbarRect {
    pub min: Vec2,
    pub size: Vec2,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overlay {
    pub lines: Vec<Line>,
    pub labels: Vec<Label>,
    pub colorbar: Option<ColorbarRect>,
    pub text_colour: [u8; 4],
    /// A `^` under character `.1` of label `.0` (the viewer's expression errors).
    pub carets: Vec<(usize, usize)>,
    /// Labels drawn turned 90° anticlockwise (reading upwards, as
    /// matplotlib's y title): `pos`, `h`, `v` and `clip` place the turned box.
    pub vertical: Vec<Label>,
}

/// What the colourbar shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ColorScale {
    /// Values mapped over a range by a norm (None: no values, no colourbar).
    Values {
        range: Option<(f32, f32)>,
        norm: crate::colormap::Norm,
    },
    /// Density mode: per-pixel counts or value aggregates (`ordered` keys)
    /// through a threshold table.
    Density {
        thresholds: Box<[u32; crate::colormap::LUT_SIZE]>,
        how: crate::aggregate::How,
        agg: crate::aggregate::Agg,
    },
    /// Points coloured by category: a legend in place of the colourbar.
    Categories(std::sync::Arc<crate::categories::Categories>),
}

/// Where things go in a target of `size` physical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub plot: Viewport,
    pub colorbar: Option<ColorbarRect>,
    pub scale: f32,
}

// Margins and sizes in logical pixels.
const LEFT: f32 = 76.0;
const BOTTOM: f32 = 52.0;
const TOP: f32 = 40.0;
const RIGHT: f32 = 112.0;
const BAR_GAP: f32 = 18.0;
const BAR_WIDTH: f32 = 16.0;
const TICK_FONT: f32 = 12.0;
const LABEL_FONT: f32 = 14.0;
const TITLE_FONT: f32 = 16.0;
const MAJOR: f32 = 5.0;
const MINOR: f32 = 3.0;

pub fn layout(size: (u32, u32), scale: f32, opts: &AxesOptions) -> Layout {
    let (w, h) = (size.0 as f32, size.1 as f32);
    let s = scale.max(0.25);
    // Small targets shrink the margins so that some plot always remains.
    let fit = (w / (3.0 * (LEFT + RIGHT) * s))
        .min(h / (3.0 * (TOP + BOTTOM) * s))
        .min(1.0);
    let m = s * fit;
    if !opts.enabled || fit < 0.2 {
        return Layout {
            plot: Viewport::full(size.0, size.1),
            colorbar: None,
            scale: s,
        };
    }
    // A legend's entries (swatch, name, count) by a generous estimate of
    // DejaVu Sans's advance, within a third of the image.
    let legend =
        BAR_GAP + legend::SWATCH + 5.0 + opts.legend_chars as f32 * ADVANCE * TICK_FONT + 6.0;
    let right = if opts.legend_chars > 0 {
        (legend * m).min(w / 3.0).max(RIGHT * m)
    } else {
        RIGHT * m
    };
    let (left, top, bottom) = (LEFT * m, TOP * m, BOTTOM * m);
    let plot = Viewport::new(
        left.round() as f64,
        top.round() as f64,
        (w - left - right).round() as f64,
        (h - top - bottom).round() as f64,
    );
    let bar_x = (plot.min.x + plot.size.x) as f32 + BAR_GAP * m;
    // A size legend takes the bottom of the colourbar's column.
    let bar_h = match opts.sizes {
        Some(_) => (plot.size.y as f32 * (1.0 - SIZE_LEGEND)).round(),
        None => plot.size.y as f32,
    };
    Layout {
        plot,
        colorbar: Some(ColorbarRect {
            min: Vec2::new(bar_x.round(), plot.min.y as f32),
            size: Vec2::new((BAR_WIDTH * m).round().max(1.0), bar_h),
        }),
        scale: m,
    }
}

/// A generous estimate of `text`'s width in DejaVu Sans at `font` pixels.
fn text_width(text: &str, font: f32) -> f32 {
    text.chars().count() as f32 * ADVANCE * font
}

/// A generous estimate of DejaVu Sans's mean advance, in ems: what every
/// text width here is estimated with.
const ADVANCE: f32 = 0.62;

/// The smallest k such that every k-th of labels centred at `places`, each
/// `extents` long along the axis, leaves `gap` pixels to the next one.
pub fn label_stride(places: &[f32], extents: &[f32], gap: f32) -> usize {
    (1..places.len().max(1))
        .find(|&k| {
            (k..places.len()).step_by(k).all(|j| {
                let i = j - k;
                (places[j] - places[i]).abs() >= (extents[i] + extents[j]) * 0.5 + gap
            })
        })
        .unwrap_or(places.len().max(1))
}

/// The centre of the pixel column or row that a 1-px line at `v` should light.
fn crisp(v: f32) -> f32 {
    v.floor() + 0.5
}

/// The background (sRGB, 0–1) as bytes with opacity `alpha`: the panels and
/// veils that cover what is drawn with the background's own colour.
pub fn background_rgba(background: [f64; 3], alpha: u8) -> [u8; 4] {
    let [r, g, b] = background.map(crate::colormap::to_u8);
    [r, g, b, alpha]
}

/// Text colour that reads on `background` (sRGB bytes, 0–1).
pub fn text_colour(background: [f64; 3]) -> [u8; 4] {
    let luma = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2];
    if luma > 0.5 {
        [34, 34, 34, 255]
    } else {
        [225, 225, 225, 255]
    }
}

/// Builds the overlay for `camera` over `layout`, with the colourbar showing `scale`.
pub fn build(
    camera: &Camera,
    layout: &Layout,
    size: (u32, u32),
    scale: &ColorScale,
    opts: &AxesOptions,
    background: [f64; 3],
) -> Overlay {
    let fg = text_colour(background);
    let mut o = Overlay {
        text_colour: fg,
        carets: Vec::new(),
        ..Default::default()
    };
    if !opts.enabled || layout.colorbar.is_none() {
        return o;
    }
    let s = layout.scale;
    let vp = layout.plot;
    let (x0, y0) = (vp.min.x as f32, vp.min.y as f32);
    let (x1, y1) = (x0 + vp.size.x as f32, y0 + vp.size.y as f32);
    let (w, h) = (size.0 as f32, size.1 as f32);
    let lw = s.round().max(1.0);
    let grid = [fg[0], fg[1], fg[2], 40];

    // Frame around the plot: just outside it, so no point is covered.
    let (fx0, fy0, fx1, fy1) = (crisp(x0 - 1.0), crisp(y0 - 1.0), crisp(x1), crisp(y1));
    frame(&mut o, [fx0, fy0, fx1, fy1], lw, fg);

    let tick_font = TICK_FONT * s;
    // x axis.
    let (lo, hi) = camera.x_range();
    // Ticks are spaced in logical pixels: the same ticks at any scale.
    let xt = ticks(lo, hi, vp.size.x / s as f64);
    let to_px_x = |v: f64| {
        camera
            .data_to_pixel(DVec2::new(v, camera.center().y), &vp)
            .x as f32
    };
    // Labels that would touch keep every k-th (their ticks all stay).
    let x_places: Vec<f32> = xt.major.iter().map(|&v| crisp(to_px_x(v))).collect();
    let x_widths: Vec<f32> = xt.labels.iter().map(|l| text_width(l, tick_font)).collect();
    let x_stride = label_stride(&x_places, &x_widths, 6.0 * s);
    for (i, &v) in xt.major.iter().enumerate() {
        let px = crisp(to_px_x(v));
        o.lines.push(tick_line(
            Vec2::new(px, fy1),
            Vec2::new(0.0, MAJOR * s),
            lw,
            fg,
        ));
        if opts.grid {
            o.lines.push(Line {
                a: Vec2::new(px, y0),
                b: Vec2::new(px, y1),
                width: lw,
                colour: grid,
            });
        }
        if i % x_stride != 0 {
            continue;
        }
        o.labels.push(Label {
            text: xt.labels[i].clone(),
            pos: Vec2::new(px, fy1 + (MAJOR + 3.0) * s),
            h: Align::Center,
            v: Align::Start,
            size: tick_font,
            clip: [0.0, fy1, w, h],
        });
    }
    for &v in &xt.minor {
        o.lines.push(tick_line(
            Vec2::new(crisp(to_px_x(v)), fy1),
            Vec2::new(0.0, MINOR * s),
            lw,
            fg,
        ));
    }
    offset_label(
        &mut o,
        &xt,
        Vec2::new(x1, h - 4.0 * s),
        Align::End,
        Align::End,
        tick_font,
        [x0, fy1, w, h],
    );
    o.labels.push(Label {
        text: opts.x_label.clone(),
        pos: Vec2::new((x0 + x1) * 0.5, h - 6.0 * s),
        h: Align::Center,
        v: Align::End,
        size: LABEL_FONT * s,
        clip: [0.0, fy1, w, h],
    });

    // y axis.
    let (lo, hi) = camera.y_range();
    let yt = ticks(lo, hi, vp.size.y / s as f64);
    let to_px_y = |v: f64| {
        camera
            .data_to_pixel(DVec2::new(camera.center().x, v), &vp)
            .y as f32
    };
    let y_places: Vec<f32> = yt.major.iter().map(|&v| crisp(to_px_y(v))).collect();
    let y_heights = vec![tick_font * 1.2; y_places.len()];
    let y_stride = label_stride(&y_places, &y_heights, 2.0 * s);
    for (i, &v) in yt.major.iter().enumerate() {
        let py = crisp(to_px_y(v));
        o.lines.push(tick_line(
            Vec2::new(fx0, py),
            Vec2::new(-MAJOR * s, 0.0),
            lw,
            fg,
        ));
        if opts.grid {
            o.lines.push(Line {
                a: Vec2::new(x0, py),
                b: Vec2::new(x1, py),
                width: lw,
                colour: grid,
            });
        }
        if i % y_stride != 0 {
            continue;
        }
        o.labels.push(Label {
            text: yt.labels[i].clone(),
            pos: Vec2::new(fx0 - (MAJOR + 3.0) * s, py),
            h: Align::End,
            v: Align::Center,
            size: tick_font,
            clip: [0.0, 0.0, fx0 - 1.0, h],
        });
    }
    for &v in &yt.minor {
        o.lines.push(tick_line(
            Vec2::new(fx0, crisp(to_px_y(v))),
            Vec2::new(-MINOR * s, 0.0),
            lw,
            fg,
        ));
    }
    // The y title turned to read upwards, centred on the axis, left of the
    // widest tick label (by a generous estimate of DejaVu Sans's advance).
    let widest = yt
        .labels
        .iter()
        .map(|l| text_width(l, tick_font))
        .fold(0.0, f32::max);
    let tick_left = fx0 - (MAJOR + 3.0) * s - widest;
    let title_box = LABEL_FONT * s * 1.2;
    o.vertical.push(Label {
        text: opts.y_label.clone(),
        pos: Vec2::new((tick_left - 4.0 * s).max(title_box + s), (y0 + y1) * 0.5),
        h: Align::End,
        v: Align::Center,
        size: LABEL_FONT * s,
        clip: [0.0, y0, fx0 - 1.0, y1],
    });
    offset_label(
        &mut o,
        &yt,
        Vec2::new(fx0 + 4.0 * s, y0 - 6.0 * s),
        Align::Start,
        Align::End,
        tick_font,
        [x0, 0.0, x1, y0],
    );
    if let Some(title) = &opts.title {
        o.labels.push(Label {
            text: title.clone(),
            pos: Vec2::new((x0 + x1) * 0.5, y0 - 8.0 * s),
            h: Align::Center,
            v: Align::End,
            size: TITLE_FONT * s,
            clip: [x0 + (x1 - x0) * 0.15, 0.0, x1 - (x1 - x0) * 0.15, y0],
        });
    }

    // Colourbar, its frame and its ticks (or the legend).
    let Some(bar) = layout.colorbar else { return o };
    if let Some((title, sizes)) = &opts.sizes {
        legend::size_legend(&mut o, title, sizes, bar, (vp, (w, h)), s, fg);
    }
    if let ColorScale::Categories(c) = scale {
        legend::draw(&mut o, c, bar, (w, h), s);
        return o;
    }
    let Some(ColorbarMarks {
        marks,
        minor,
        offset,
        title,
    }) = colorbar_marks(scale, bar.size.y / s, opts)
    else {
        return o;
    };
    o.colorbar = Some(bar);
    let (bx0, by0) = (crisp(bar.min.x - 1.0), crisp(bar.min.y - 1.0));
    let (bx1, by1) = (crisp(bar.min.x + bar.size.x), crisp(bar.min.y + bar.size.y));
    frame(&mut o, [bx0, by0, bx1, by1], lw, fg);
    for t in minor {
        let py = crisp(bar.min.y + bar.size.y * (1.0 - t));
        o.lines.push(tick_line(
            Vec2::new(bx1, py),
            Vec2::new(2.0 * s, 0.0),
            lw,
            fg,
        ));
    }
    for (t, text) in marks {
        let py = crisp(bar.min.y + bar.size.y * (1.0 - t));
        o.lines.push(tick_line(
            Vec2::new(bx1, py),
            Vec2::new(4.0 * s, 0.0),
            lw,
            fg,
        ));
        o.labels.push(Label {
            text,
            pos: Vec2::new(bx1 + 7.0 * s, py),
            h: Align::Start,
            v: Align::Center,
            size: tick_font,
            clip: [bx1, 0.0, w, h],
        });
    }
    if !offset.is_empty() {
        o.labels.push(Label {
            text: offset,
            pos: Vec2::new(bar.min.x, by1 + 4.0 * s),
            h: Align::Start,
            v: Align::Start,
            size: tick_font,
            clip: [bx0, by1, w, h],
        });
    }
    // The title starts above the bar; one too long for that (by a generous
    // estimate of DejaVu Sans's advance) ends at the image's edge instead,
    // reaching left over the top margin, never past the plot's middle.
    let font = LABEL_FONT * s;
    let fits = text_width(&title, font) <= w - bar.min.x - 2.0 * s;
    let (x, h_align) = if fits {
        (bar.min.x, Align::Start)
    } else {
        (w - 2.0 * s, Align::End)
    };
    o.labels.push(Label {
        text: title,
        pos: Vec2::new(x, y0 - 6.0 * s),
        h: h_align,
        v: Align::End,
        size: font,
        clip: [(x0 + x1) / 2.0, 0.0, w, y0],
    });
    o
}

/// A number in about three significant digits, for labels that are not ticks.
pub fn short_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor();
    if !(-3.0..5.0).contains(&mag) {
        return format!("{v:.2e}");
    }
    let decimals = (2.0 - mag).max(0.0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The frame for a target of `size` physical pixels at `scale`: the plot area from the layout.
pub fn frame_view(
    camera: Camera,
    size: (u32, u32),
    scale: f32,
    opts: &AxesOptions,
) -> (FrameView, Layout) {
    let layout = layout(size, scale, opts);
    (
        FrameView {
            camera,
            viewport: layout.plot,
            size,
        },
        layout,
    )
}

/// Four lines around a rectangle whose edges run through pixel centres.
fn frame(o: &mut Overlay, [x0, y0, x1, y1]: [f32; 4], width: f32, colour: [u8; 4]) {
    for (a, b) in [
        ((x0, y0), (x1, y0)),
        ((x0, y1), (x1, y1)),
        ((x0, y0), (x0, y1)),
        ((x1, y0), (x1, y1)),
    ] {
        o.lines.push(Line {
            a: Vec2::new(a.0, a.1),
            b: Vec2::new(b.0, b.1),
            width,
            colour,
        });
    }
}

fn tick_line(from: Vec2, d: Vec2, width: f32, colour: [u8; 4]) -> Line {
    Line {
        a: from,
        b: from + d,
        width,
        colour,
    }
}

fn offset_label(
    o: &mut Overlay,
    t: &Ticks,
    pos: Vec2,
    h: Align,
    v: Align,
    size: f32,
    clip: [f32; 4],
) {
    if !t.offset_text.is_empty() {
        o.labels.push(Label {
            text: t.offset_text.clone(),
            pos,
            h,
            v,
            size,
            clip,
        });
    }
}

/// The overlay for `view` (None without axes).
pub fn overlay_for(
    view: &FrameView,
    layout: &Layout,
    scale: &ColorScale,
    opts: &AxesOptions,
    background: [f64; 3],
) -> Option<Overlay> {
    (opts.enabled && layout.colorbar.is_some())
        .then(|| build(&view.camera, layout, view.size, scale, opts, background))
}

#[cfg(test)]
mod tests;
