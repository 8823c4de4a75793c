//! The whole frame on the CPU, without a GPU device: the twin of
//! `context::render_reusing` and the passes it drives. The values come from
//! derive.rs (the twin of derive.wgsl), grids from aggregate/ (splat.wgsl),
//! and each drawing pass from its twin here: `discs` (points.wgsl),
//! `resolve` (resolve.wgsl), `overlay` (lines.wgsl, colorbar.wgsl,
//! image.wgsl and glyphon's text), into a `canvas` that blends as an
//! `Rgba8Unorm` target does. The GPU frame equals this one within 1/255 per
//! channel (tests/frames.rs).

pub mod canvas;
pub mod discs;
pub mod overlay;
pub mod resolve;

use std::ops::Range;
use std::sync::Arc;

use crate::aggregate::{self, Agg, Backend, GridMap, Mode, Quantiser};
use crate::categories::Categories;
use crate::colormap::LUT_SIZE;
use crate::derive::{colours_parallel, values_parallel, DeriveStats, ValueSettings};
use crate::error::{input, Result};
use crate::figure::MAX_SIDE;
use crate::frame::{FrameView, Rendered, Style};
use crate::overlay::{frame_view, overlay_for, ColorScale};
use crate::plot::{auto_mode, view_bounds, visible_fraction, Look, PlotOptions};
use crate::points::PointSet;
use crate::select::{polygon_bounds, select_twin, selected_points, selected_values, to_pixels};
use crate::shading::{shade, value_scale, Shading};
use crate::text::Fonts;
use canvas::{clear_bytes, Canvas, Clip};

/// Pixels of disc the CPU frame draws in `auto` before it splats: discs
/// cost about (size + 1)^2 pixels each, a splat a pass over its points and
/// the plot area (see the README's benchmark).
pub const POINT_BUDGET: f64 = 4e6;

/// What one CPU frame leaves to the next: the shaped font.
#[derive(Default)]
pub struct Reuse {
    fonts: Option<Fonts>,
}

/// One dataset's values, derived on the CPU: the twin of a `Plot`.
pub struct Layer {
    pub points: PointSet,
    settings: ValueSettings,
    values: Vec<f32>,
    pub stats: DeriveStats,
    range: Option<(f32, f32)>,
    data_range: Option<(f32, f32)>,
    opts: PlotOptions,
    categories: Option<Arc<Categories>>,
    sizes: Option<Arc<Vec<f32>>>,
    /// The colourmap's table, or the categories' palette.
    lut: [[u8; 4]; LUT_SIZE],
}

/// What fills the plot area.
enum Content {
    /// Discs of the points in these runs, in these colours.
    Points(Vec<Range<usize>>, Vec<u32>),
    /// A grid (before the window), the window's reach, a mix's colours, and the shading.
    Grid {
        cells: Vec<u32>,
        size: (u32, u32),
        reach: (u32, u32),
        mixed: Option<Vec<u32>>,
        shading: Shading,
    },
}

impl Layer {
    /// `points` with the values `look` asks for.
    pub fn new(points: PointSet, look: &Look) -> Result<Layer> {
        let mut values = crate::mem::zeroed_vec(points.len());
        let stats = values_parallel(&points, &look.values, &mut values);
        let range = look.values.colour_range(&stats);
        let data_range = stats.range();
        crate::derive::check_norm(&look.values, data_range, &stats)?;
        Ok(Layer {
            points,
            settings: look.values.clone(),
            values,
            stats,
            range,
            data_range,
            opts: look.plot,
            categories: look.categories.clone(),
            sizes: look.sizes.as_ref().map(|s| s.factors.clone()),
            lut: match &look.categories {
                Some(c) => c.lut(),
                None => look.colormap.rgba8(),
            },
        })
    }

    /// The mode of a frame of `view`: `auto` becomes points or splat by the
    /// CPU's budget.
    fn frame_mode(&self, view: &FrameView, point_size: f32) -> Mode {
        if self.opts.mode != Mode::Auto {
            return self.opts.mode;
        }
        let visible = self.points.len() as f64 * visible_fraction(&self.points, &view.camera);
        match auto_mode(visible, point_size, POINT_BUDGET, 0, u64::MAX) {
            Mode::Splat if self.categories.is_some() => Mode::Density,
            mode => mode,
        }
    }

    fn mixes(&self, mode: Mode) -> bool {
        mode == Mode::Density && self.categories.is_some()
    }

    /// Get a frame of `view` in `mode` ready (`given`: a density grid made
    /// elsewhere), and what its colourbar shows.
    fn prepare(
        &self,
        view: &FrameView,
        mode: Mode,
        point_size: f32,
        given: Option<Vec<u32>>,
    ) -> Result<(Content, ColorScale)> {
        let scale = || value_scale(self.categories.as_ref(), self.settings.norm, self.range);
        if mode == Mode::Points || mode == Mode::Auto {
            let margin = (point_size as f64 * 0.5 + 1.0)
                * view.camera.per_pixel(&view.viewport).max_element();
            let runs = self.points.visible_runs(view_bounds(&view.camera, margin));
            let mut colours = crate::mem::zeroed_vec(self.values.len());
            let table = self.settings.norm_table(self.range);
            let extremes = (&self.settings.extremes, table.as_deref());
            colours_parallel(&self.values, self.range, &self.lut, extremes, &mut colours);
            return Ok((Content::Points(runs, colours), scale()));
        }
        let footprint = if mode == Mode::Splat {
            aggregate::footprint(point_size)
        } else {
            1
        };
        let agg = if mode == Mode::Splat {
            Agg::Max
        } else {
            self.opts.agg
        };
        let size = (view.viewport.size.x as u32, view.viewport.size.y as u32);
        let mix = self.mixes(mode);
        let (cells, mixed) = match given {
            Some(cells) => (cells, None),
            None => {
                let runs = self.points.visible_runs(view_bounds(&view.camera, 0.0));
                let map = GridMap::new(&view.camera, self.points.origin, size);
                let input = aggregate::Input {
                    positions: aggregate::Positions::Exact(&self.points.xy),
                    runs,
                };
                if mix {
                    let palette = self.lut.map(u32::from_le_bytes);
                    let cells = aggregate::mix(&input, &self.values, &palette, &map);
                    let (counts, mixed) = aggregate::finalise_mix(&cells);
                    (counts, Some(mixed))
                } else {
                    let q = Quantiser::new(self.data_range);
                    (
                        aggregate::density(agg, &input, &self.values, &map, &q),
                        None,
                    )
                }
            }
        };
        let how = self.opts.how;
        let (shading, scale) = shade(
            mode,
            agg,
            mix,
            &self.settings,
            self.range,
            self.categories.as_ref(),
            how,
            |agg| Ok(aggregate::thresholds(agg, how, &cells)),
            || Ok(aggregate::extremes(&cells)),
        )?;
        let reach = aggregate::reach(footprint, self.opts.spread);
        Ok((
            Content::Grid {
                cells,
                size,
                reach,
                mixed,
                shading,
            },
            scale,
        ))
    }

    /// Draw `content` into the plot area of `view` on `canvas`.
    fn draw(&self, canvas: &mut Canvas, content: &Content, view: &FrameView, style: &Style) {
        let Some(clip) = Clip::of(view.scissor()) else {
            return;
        };
        match content {
            Content::Points(runs, colours) => {
                let discs = discs::discs(
                    &self.points.xy,
                    runs,
                    colours,
                    self.sizes.as_deref().map(|s| s.as_slice()),
                    &view.camera,
                    &view.viewport,
                    style.point_size * 0.5,
                    style.opacity,
                );
                discs::draw(canvas, clip, discs);
            }
            Content::Grid {
                cells,
                size,
                reach,
                mixed,
                shading,
            } => {
                let windowed = aggregate::window_max(cells, [size.0, size.1], *reach);
                resolve::draw(
                    canvas,
                    clip,
                    view.viewport.min,
                    (&windowed, *size),
                    mixed.as_deref(),
                    shading,
                    &self.lut,
                );
            }
        }
    }

    /// The highlight of the points `idx`: a layer of them whose values are
    /// this layer's, coloured on its range (None: nothing selected).
    fn highlight(&self, look: &Look, idx: &[usize]) -> Result<Option<Layer>> {
        if idx.is_empty() {
            return Ok(None);
        }
        let values = crate::probe::Sampled::values_of(self, idx);
        let sub = selected_points(&self.points, idx, values);
        let mut look = look.clone();
        look.values = selected_values(&self.settings, self.range);
        let mut hl = Layer::new(sub, &look)?;
        // A value aggregate of the selection keeps the full layer's steps.
        hl.data_range = self.data_range;
        Ok(Some(hl))
    }
}

impl crate::probe::Sampled for Layer {
    fn points(&self) -> &PointSet {
        &self.points
    }

    fn values_of(&self, idx: &[usize]) -> Vec<f32> {
        idx.iter().map(|&i| self.values[i]).collect()
    }

    fn agg(&self) -> Agg {
        self.opts.agg
    }

    fn categories(&self) -> Option<&Categories> {
        self.categories.as_deref()
    }
}

/// A frame of `size` pixels the CPU can make.
pub fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(input(format!(
            "image size {width}x{height} is not possible: width and height must be between 1 and {MAX_SIDE}"
        )));
    }
    Ok(())
}

/// Render `points` with `look` into a `size` RGBA8 image on the CPU (the
/// twin of `context::render_reusing`); `given` cells are a density grid
/// made elsewhere, drawn in place of aggregating.
pub fn render(
    points: PointSet,
    look: &Look,
    size: (u32, u32),
    times: &mut crate::context::Timings,
    want_grid: bool,
    reuse: &mut Reuse,
    given: Option<Vec<u32>>,
) -> Result<Rendered> {
    check_size(size.0, size.1)?;
    let camera = look.camera(&points.bounds);
    let layer = times.time("compute", || Layer::new(points, look))?;
    let (view, layout) = frame_view(camera, size, look.style.scale, &look.axes);
    let point_size = look.style.point_size;
    let mode = match given {
        Some(_) => Mode::Density,
        None => layer.frame_mode(&view, point_size),
    };
    let mut selection = None;
    let highlight = match &look.selection {
        Some(poly) => times.time("select", || {
            let area = (view.viewport.size.x as u32, view.viewport.size.y as u32);
            let map = GridMap::new(&view.camera, layer.points.origin, area);
            let pixels = to_pixels(poly, &map);
            let bounds = polygon_bounds(poly);
            let mask = select_twin(&layer.points, &map, &pixels, bounds, Some(&layer.values));
            if want_grid {
                let rows = look.rows.as_deref().map(|v| v.as_slice());
                let label = &look.axes.value_label;
                selection = Some(crate::select::selection(&layer, &mask, rows, label));
            }
            layer.highlight(look, &mask.indices())
        })?,
        None => None,
    };
    let (content, hl_content, scale) = times.time("aggregate", || {
        let (content, mut scale) = layer.prepare(&view, mode, point_size, given)?;
        let hl = match &highlight {
            Some(hl) => {
                let (c, s) = hl.prepare(&view, mode, point_size, None)?;
                scale = s;
                Some(c)
            }
            None => None,
        };
        Ok((content, hl, scale))
    })?;
    let overlay = overlay_for(&view, &layout, &scale, &look.axes, look.style.rgb());
    let rgba = times.time("draw", || {
        let bg = look.style.background;
        let mut canvas = Canvas::new(size, clear_bytes([bg.r, bg.g, bg.b, bg.a]));
        layer.draw(&mut canvas, &content, &view, &look.style);
        let fonts = reuse.fonts.get_or_insert_with(Fonts::new);
        let lut = highlight.as_ref().map_or(&layer.lut, |h| &h.lut);
        if let (Some(hl), Some(c)) = (&highlight, &hl_content) {
            let veil = crate::select::veil(&view, look.style.rgb());
            overlay::draw(&mut canvas, &veil, fonts, lut);
            hl.draw(&mut canvas, c, &view, &look.style);
        }
        if let Some(o) = &overlay {
            overlay::draw(&mut canvas, o, fonts, lut);
        }
        Ok(canvas.rgba)
    })?;
    let probe = match look.probe {
        Some(cursor) if want_grid => {
            crate::probe::probe(
                &layer,
                &view.camera,
                &view.viewport,
                mode,
                point_size as f64,
                cursor,
                look.rows.as_deref().map(|v| v.as_slice()),
                &look.axes.value_label,
            )
            .lines
        }
        _ => vec![],
    };
    let (grid, mix) = match content {
        Content::Grid {
            cells, size, mixed, ..
        } if want_grid => (Some((size.0, size.1, cells)), mixed),
        _ => (None, None),
    };
    Ok(Rendered {
        rgba,
        mode,
        grid,
        mix,
        backend: Backend::Cpu,
        stats: layer.stats,
        len: layer.points.len(),
        selection,
        probe,
    })
}
