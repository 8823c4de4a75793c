//! Text as plain data: the overlay's labels shaped in the shipped DejaVu Sans
//! (cosmic-text, the shaper glyphon uses), placed by their alignment and
//! clipped to their boxes, and their glyphs rasterised by swash. The GPU draws
//! the placed labels through glyphon (render/overlay.rs); the CPU frame draws
//! the glyph quads [`Fonts::glyph_quads`] gives, which follow glyphon's
//! `prepare` step for step (cpu/overlay.rs composites them as glyphon's
//! shader does). Turned labels (the y title) are rasterised here for both.

use glyphon::{
    cosmic_text::SwashContent, fontdb, Attrs, Buffer, Family, FontSystem, Metrics, Shaping,
    SwashCache,
};

use crate::overlay::{Align, Label};

const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "DejaVu Sans";

/// The font system and glyph cache of the shipped font.
pub struct Fonts {
    pub fonts: FontSystem,
    pub swash: SwashCache,
}

/// A shaped label at its place: its top-left pixel and the box it is clipped to.
pub struct Placed {
    pub buffer: Buffer,
    pub left: f32,
    pub top: f32,
    pub clip: [f32; 4],
}

impl Placed {
    /// The clip box in whole pixels, as glyphon's `TextBounds` takes it.
    pub fn bounds(&self) -> [i32; 4] {
        [
            self.clip[0].floor() as i32,
            self.clip[1].floor() as i32,
            self.clip[2].ceil() as i32,
            self.clip[3].ceil() as i32,
        ]
    }
}

/// One glyph as glyphon draws it: a rectangle of target pixels whose
/// coverage is `mask` (row-major, `size.0` wide), already clipped.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphQuad {
    pub min: (i32, i32),
    pub size: (u32, u32),
    pub mask: Vec<u8>,
}

/// A label rasterised and turned 90° anticlockwise: RGBA8 rows (the text
/// colour, its alpha the glyphs' coverage), its size and its top-left pixel.
pub struct Turned {
    pub rgba: Vec<u8>,
    pub size: (u32, u32),
    pub min: (i32, i32),
}

fn shift(a: Align, extent: f32) -> f32 {
    match a {
        Align::Start => 0.0,
        Align::Center => extent * 0.5,
        Align::End => extent,
    }
}

impl Default for Fonts {
    fn default() -> Self {
        Self::new()
    }
}

impl Fonts {
    pub fn new() -> Self {
        let mut db = fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        let mut fonts = FontSystem::new_with_locale_and_db("en-US".into(), db);
        fonts.db_mut().set_sans_serif_family(FONT_FAMILY);
        Self {
            fonts,
            swash: SwashCache::new(),
        }
    }

    /// `text` shaped at `size` pixels in the shipped font, with its width and height.
    pub fn shaped(&mut self, text: &str, size: f32) -> (Buffer, f32, f32) {
        let mut buffer = Buffer::new(&mut self.fonts, Metrics::new(size, (size * 1.2).ceil()));
        buffer.set_size(None, None);
        buffer.set_text(
            text,
            &Attrs::new().family(Family::Name(FONT_FAMILY)),
            Shaping::Advanced,
            None,
        );
        buffer.shape_until_scroll(&mut self.fonts, false);
        let (w, h) = buffer.layout_runs().fold((0f32, 0f32), |(w, h), run| {
            (w.max(run.line_w), h.max(run.line_top + run.line_height))
        });
        (buffer, w, h)
    }

    /// Every label shaped and placed, and a `^` under each caret's character.
    pub fn place(&mut self, labels: &[Label], carets: &[(usize, usize)]) -> Vec<Placed> {
        let mut placed = Vec::with_capacity(labels.len());
        for (li, label) in labels.iter().enumerate() {
            let (buffer, w, h) = self.shaped(&label.text, label.size);
            // Whole pixels keep glyphs crisp and identical between runs.
            // Text wider than its box starts at the box's left edge: its
            // beginning is what a reader needs.
            let h_align = if w > label.clip[2] - label.clip[0] {
                Align::Start
            } else {
                label.h
            };
            let x = if h_align == label.h {
                label.pos.x
            } else {
                label.clip[0]
            };
            let left = (x - shift(h_align, w)).round();
            let top = (label.pos.y - shift(label.v, h)).round();
            // Carets under this label's characters, where its shaping put them.
            let under: Vec<f32> = carets
                .iter()
                .filter(|(l, _)| *l == li)
                .map(|&(_, k)| {
                    let byte = label
                        .text
                        .char_indices()
                        .nth(k)
                        .map_or(label.text.len(), |(b, _)| b);
                    buffer
                        .layout_runs()
                        .flat_map(|run| run.glyphs.iter())
                        .find(|g| g.start >= byte)
                        .map_or(w, |g| g.x + g.w * 0.5)
                })
                .collect();
            placed.push(Placed {
                buffer,
                left,
                top,
                clip: label.clip,
            });
            for gx in under {
                let (caret, cw, _) = self.shaped("^", label.size);
                placed.push(Placed {
                    buffer: caret,
                    left: (left + gx - cw * 0.5).round(),
                    top: (top + h * 0.8).round(),
                    clip: [label.clip[0], top, label.clip[2], top + 2.0 * h + 2.0],
                });
            }
        }
        placed
    }

    /// The glyphs glyphon draws for `placed` in a target of `size` pixels:
    /// the same runs (those meeting the clip box), positions, rasterisation
    /// and clipping as glyphon 0.12's `TextRenderer::prepare`.
    pub fn glyph_quads(&mut self, placed: &[Placed], size: (u32, u32)) -> Vec<GlyphQuad> {
        let mut quads = Vec::new();
        for p in placed {
            let [left, top, right, bottom] = p.bounds();
            let (x_min, y_min) = (left.max(0), top.max(0));
            let (x_max, y_max) = (
                right.min(size.0 as i32).max(x_min),
                bottom.min(size.1 as i32).max(y_min),
            );
            let visible = |run: &glyphon::cosmic_text::LayoutRun| {
                let start = (p.top + run.line_top) as i32;
                let end = start + run.line_height as i32;
                start <= bottom && top <= end
            };
            let runs = p
                .buffer
                .layout_runs()
                .skip_while(|r| !visible(r))
                .take_while(visible);
            for run in runs {
                for glyph in run.glyphs.iter() {
                    let g = glyph.physical((p.left, p.top), 1.0);
                    let Some(image) = self.swash.get_image(&mut self.fonts, g.cache_key) else {
                        continue;
                    };
                    let pl = image.placement;
                    if pl.width == 0 || pl.height == 0 || image.content == SwashContent::Color {
                        continue;
                    }
                    let mut x = g.x + pl.left;
                    let mut y = run.line_y.round() as i32 + g.y - pl.top;
                    let (mut w, mut h) = (pl.width as i32, pl.height as i32);
                    let (mut sx, mut sy) = (0, 0);
                    let (max_x, max_y) = (x + w, y + h);
                    if x > x_max || max_x < x_min || y > y_max || max_y < y_min {
                        continue;
                    }
                    if x < x_min {
                        sx = x_min - x;
                        x = x_min;
                        w = max_x - x_min;
                    }
                    if x + w > x_max {
                        w = x_max - x;
                    }
                    if y < y_min {
                        sy = y_min - y;
                        y = y_min;
                        h = max_y - y_min;
                    }
                    if y + h > y_max {
                        h = y_max - y;
                    }
                    if w <= 0 || h <= 0 {
                        continue;
                    }
                    let stride = pl.width as usize;
                    let mut mask = Vec::with_capacity((w * h) as usize);
                    for row in 0..h as usize {
                        let start = (row + sy as usize) * stride + sx as usize;
                        mask.extend_from_slice(&image.data[start..start + w as usize]);
                    }
                    quads.push(GlyphQuad {
                        min: (x, y),
                        size: (w as u32, h as u32),
                        mask,
                    });
                }
            }
        }
        quads
    }

    /// `label` shaped as glyphon shapes it, its glyphs rasterised by the same
    /// swash and placed where glyphon places them, then turned to read
    /// upwards and clipped to the label's box (None: nothing left).
    pub fn turned(&mut self, label: &Label, colour: [u8; 4]) -> Option<Turned> {
        let (buffer, w, h) = self.shaped(&label.text, label.size);
        let (w, h) = (w.ceil() as i32, h.ceil() as i32);
        if w <= 0 || h <= 0 {
            return None;
        }
        // The coverage of the text laid out horizontally, w x h.
        let mut mask = vec![0u8; (w * h) as usize];
        for run in buffer.layout_runs() {
            for glyph in run.glyphs.iter() {
                let g = glyph.physical((0.0, 0.0), 1.0);
                let Some(image) = self.swash.get_image(&mut self.fonts, g.cache_key) else {
                    continue;
                };
                if image.content != SwashContent::Mask {
                    continue;
                }
                let p = image.placement;
                let x0 = g.x + p.left;
                let y0 = run.line_y.round() as i32 + g.y - p.top;
                for row in 0..p.height as i32 {
                    for col in 0..p.width as i32 {
                        let (x, y) = (x0 + col, y0 + row);
                        if x >= 0 && y >= 0 && x < w && y < h {
                            let c = image.data[(row * p.width as i32 + col) as usize];
                            let m = &mut mask[(y * w + x) as usize];
                            *m = (*m).max(c);
                        }
                    }
                }
            }
        }
        // Turned anticlockwise: an h x w picture whose pixel (x, y) is the
        // text's (w - 1 - y, x); placed by the label's alignment, clipped.
        let shift = |a: Align, extent: i32| match a {
            Align::Start => 0,
            Align::Center => extent / 2,
            Align::End => extent,
        };
        let left = label.pos.x.round() as i32 - shift(label.h, h);
        let top = label.pos.y.round() as i32 - shift(label.v, w);
        let [cx0, cy0, cx1, cy1] = label.clip.map(|c| c.round() as i32);
        let (x0, y0) = (left.max(cx0), top.max(cy0));
        let (x1, y1) = ((left + h).min(cx1), (top + w).min(cy1));
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        let [r, g, b, a] = colour;
        let mut rgba = Vec::with_capacity(((x1 - x0) * (y1 - y0) * 4) as usize);
        for y in y0..y1 {
            for x in x0..x1 {
                let (tx, ty) = (w - 1 - (y - top), x - left);
                let m = mask[(ty * w + tx) as usize] as u32;
                rgba.extend_from_slice(&[r, g, b, (m * a as u32 / 255) as u8]);
            }
        }
        Some(Turned {
            rgba,
            size: ((x1 - x0) as u32, (y1 - y0) as u32),
            min: (x0, y0),
        })
    }
}
