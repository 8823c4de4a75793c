//! CPU twins of the overlay's passes, in the order render/overlay.rs draws
//! them: the colourbar (shaders/colorbar.wgsl after rect.wgsl), the lines
//! and discs (shaders/lines.wgsl), the turned labels (shaders/image.wgsl)
//! and the text (glyphon's shader: the text colour, its alpha times the
//! glyph's coverage). Quads are rasterised as the GPU does: vertices snapped
//! to its sub-pixel grid, a pixel drawn where its centre is inside, edges
//! shared by the top-left rule.

use glam::{DVec2, Vec2};

use super::canvas::{blend, blend_bytes, Canvas};
use crate::colormap::LUT_SIZE;
use crate::overlay::{ColorbarRect, Line, Overlay};
use crate::text::{Fonts, GlyphQuad, Turned};

/// Sub-pixel steps the rasteriser snaps vertices to (8 bits, as lavapipe
/// and most GPUs).
const SUBPIXEL: f64 = 256.0;

fn snap(p: Vec2) -> DVec2 {
    (p.as_dvec2() * SUBPIXEL).round() / SUBPIXEL
}

/// Calls `f(x, y)` for every pixel whose centre the convex quad `q` (the
/// triangle strip's corners (0,0), (1,0), (0,1), (1,1)) covers in `canvas`.
fn fill_quad(canvas: &Canvas, q: [Vec2; 4], mut f: impl FnMut(i64, i64)) {
    let v = [snap(q[0]), snap(q[1]), snap(q[3]), snap(q[2])]; // around the quad
    let area: f64 = (0..4).map(|i| v[i].perp_dot(v[(i + 1) % 4])).sum::<f64>();
    if area == 0.0 {
        return;
    }
    let s = area.signum();
    // Edge functions positive inside; a centre on an edge belongs to the
    // quad only on a top or left edge.
    let edges: Vec<(DVec2, DVec2, bool)> = (0..4)
        .map(|i| {
            let (a, b) = (v[i], v[(i + 1) % 4]);
            let d = b - a;
            let n = DVec2::new(-d.y, d.x) * s; // inward normal
            (a, d, n.x > 0.0 || (n.x == 0.0 && n.y > 0.0))
        })
        .filter(|(_, d, _)| *d != DVec2::ZERO)
        .collect();
    let lo = v.iter().fold(DVec2::INFINITY, |m, p| m.min(*p));
    let hi = v.iter().fold(DVec2::NEG_INFINITY, |m, p| m.max(*p));
    let x0 = ((lo.x - 0.5).floor() as i64).max(0);
    let y0 = ((lo.y - 0.5).floor() as i64).max(0);
    let x1 = ((hi.x + 0.5).ceil() as i64).min(canvas.width as i64);
    let y1 = ((hi.y + 0.5).ceil() as i64).min(canvas.height as i64);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = DVec2::new(x as f64 + 0.5, y as f64 + 0.5);
            let inside = edges.iter().all(|(a, d, top_left)| {
                let e = d.perp_dot(p - *a) * s;
                e > 0.0 || (e == 0.0 && *top_left)
            });
            if inside {
                f(x, y);
            }
        }
    }
}

/// The colourbar: each pixel row the colourmap entry of its height (rect.wgsl
/// and colorbar.wgsl), written without blending.
pub fn colorbar(canvas: &mut Canvas, bar: &ColorbarRect, lut: &[[u8; 4]; LUT_SIZE]) {
    let (min, size) = (bar.min, bar.size);
    let quad = [0.0, 1.0, 2.0, 3.0].map(|k: f32| {
        let c = Vec2::new((k as u32 & 1) as f32, (k as u32 >> 1) as f32);
        min + c * size
    });
    let mut px = vec![];
    fill_quad(canvas, quad, |x, y| px.push((x, y)));
    for (x, y) in px {
        let t = ((min.y + size.y - (y as f32 + 0.5)) / size.y).clamp(0.0, 1.0);
        let i = ((t * LUT_SIZE as f32) as usize).min(LUT_SIZE - 1);
        canvas.px(x, y).copy_from_slice(&lut[i]);
    }
}

/// One overlay line (a quad of its width with square caps) or, for a
/// negative width, an anti-aliased disc of that diameter (lines.wgsl).
pub fn line(canvas: &mut Canvas, l: &Line) {
    let colour = l.colour.map(|b| b as f32 / 255.0);
    let rgb = [colour[0], colour[1], colour[2]];
    let corners = [0u32, 1, 2, 3].map(|v| Vec2::new((v & 1) as f32, (v >> 1) as f32));
    let mut px = vec![];
    if l.width < 0.0 {
        let r = -l.width * 0.5;
        let quad = corners.map(|c| l.a + (c * 2.0 - 1.0) * (r + 0.5));
        fill_quad(canvas, quad, |x, y| px.push((x, y)));
        for (x, y) in px {
            let local = Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - l.a;
            let a = (r + 0.5 - local.length()).clamp(0.0, 1.0) * colour[3];
            if a > 0.0 {
                blend(canvas.px(x, y), rgb, a);
            }
        }
        return;
    }
    let len = (l.b - l.a).length();
    let d = if len > 0.0 {
        (l.b - l.a) / len
    } else {
        Vec2::X
    };
    let n = Vec2::new(-d.y, d.x);
    let half = l.width * 0.5;
    let quad =
        corners.map(|c| (l.a - d * half).lerp(l.b + d * half, c.x) + n * (c.y * 2.0 - 1.0) * half);
    fill_quad(canvas, quad, |x, y| px.push((x, y)));
    for (x, y) in px {
        blend(canvas.px(x, y), rgb, colour[3]);
    }
}

/// A turned label's picture drawn pixel for pixel, blended (image.wgsl).
pub fn image(canvas: &mut Canvas, t: &Turned) {
    let (w, h) = (t.size.0 as i64, t.size.1 as i64);
    let (x0, y0) = (t.min.0 as i64, t.min.1 as i64);
    for y in y0.max(0)..(y0 + h).min(canvas.height as i64) {
        for x in x0.max(0)..(x0 + w).min(canvas.width as i64) {
            let i = (((y - y0) * w + (x - x0)) * 4) as usize;
            let c: [u8; 4] = t.rgba[i..i + 4].try_into().expect("4 bytes");
            blend_bytes(canvas.px(x, y), c, 1.0);
        }
    }
}

/// One glyph in the text colour, its alpha times the glyph's coverage.
pub fn glyph(canvas: &mut Canvas, g: &GlyphQuad, colour: [u8; 4]) {
    let c = colour.map(|b| b as f32 / 255.0);
    let (w, h) = (g.size.0 as i64, g.size.1 as i64);
    let (x0, y0) = (g.min.0 as i64, g.min.1 as i64);
    for y in y0.max(0)..(y0 + h).min(canvas.height as i64) {
        for x in x0.max(0)..(x0 + w).min(canvas.width as i64) {
            let m = g.mask[((y - y0) * w + (x - x0)) as usize];
            if m > 0 {
                blend(
                    canvas.px(x, y),
                    [c[0], c[1], c[2]],
                    c[3] * (m as f32 / 255.0),
                );
            }
        }
    }
}

/// The whole overlay, in the GPU's order: colourbar, lines, turned labels, text.
pub fn draw(canvas: &mut Canvas, overlay: &Overlay, fonts: &mut Fonts, lut: &[[u8; 4]; LUT_SIZE]) {
    if let Some(bar) = &overlay.colorbar {
        colorbar(canvas, bar, lut);
    }
    for l in &overlay.lines {
        line(canvas, l);
    }
    for label in &overlay.vertical {
        if let Some(t) = fonts.turned(label, overlay.text_colour) {
            image(canvas, &t);
        }
    }
    let size = (canvas.width as u32, canvas.height as u32);
    let placed = fonts.place(&overlay.labels, &overlay.carets);
    for g in fonts.glyph_quads(&placed, size) {
        glyph(canvas, &g, overlay.text_colour);
    }
}
