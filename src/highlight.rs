//! Selections of a [`Plot`]: which points lie inside a polygon (the GPU's
//! select pass, or its CPU twin on the CPU backend: the same bits either
//! way), the selected rows, and the highlight — the selected points as a
//! plot of their own, drawn over the frame dimmed by a veil of the background.

use crate::aggregate::{Backend, GridMap, Mode};
use crate::camera::Camera;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::overlay::Overlay;
use crate::plot::{Look, Plot};
use crate::probe::Sampled;
use crate::render::select::SelectPipeline;
use crate::render::{FrameView, Painter, Style};
use crate::select::{
    polygon_bounds, select_twin, selected_points, selected_values, to_pixels, veil, Mask,
};

/// The points of `plot` inside `poly` (data coordinates) as pixels of the
/// `size` plot area showing `camera` see them. Points the filter left out
/// are never selected.
pub fn select(
    plot: &mut Plot,
    gpu: &Gpu,
    pipeline: &mut Option<SelectPipeline>,
    camera: &Camera,
    size: (u32, u32),
    poly: &[[f64; 2]],
) -> Result<Mask> {
    let bounds = polygon_bounds(poly);
    let map = GridMap::new(camera, plot.points.origin, size);
    let pixels = to_pixels(poly, &map);
    if plot.backend == Backend::Cpu {
        return Ok(select_twin(
            &plot.points,
            &map,
            &pixels,
            bounds,
            Some(&plot.cpu_values),
        ));
    }
    let runs = plot.points.visible_runs(bounds);
    let gp = plot
        .gpu_points
        .as_mut()
        .expect("the GPU backend holds its points");
    // Relative to the data's origin, as the map's corner is.
    gp.restore(gpu, &plot.points);
    let pipeline = pipeline.get_or_insert_with(|| SelectPipeline::new(&gpu.device));
    pipeline.select(gpu, gp, &map, &pixels, &runs)
}

/// The highlight of `mask`: its points as a plot of the same look whose
/// values are the full plot's (a column, so `index`, `wave` and every
/// expression mean what they meant), coloured on the full plot's scale and
/// drawn in its mode and options. None for an empty selection.
pub fn highlight(plot: &Plot, gpu: &Gpu, look: &Look, mask: &Mask) -> Result<Option<Plot>> {
    if mask.count() == 0 {
        return Ok(None);
    }
    let idx = mask.indices();
    let values = plot.values_of(&idx);
    let sub = selected_points(&plot.points, &idx, values);
    let mut look = look.clone();
    look.values = selected_values(&plot.values, plot.range);
    look.colormap = plot.renderer.colormap();
    look.plot = plot.opts;
    look.plot.backend = plot.backend;
    let mut hl = Plot::new(gpu, sub, &look, None)?;
    // A value aggregate of the selection keeps the full plot's steps.
    hl.data_range = plot.data_range;
    Ok(Some(hl))
}

/// Draw the prepared frame of `plot` into `target` and, when a highlight is
/// given (its plot prepared with its painter), the highlight over the frame
/// under a veil of the background; `overlay` goes on top.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    gpu: &Gpu,
    plot: &Plot,
    painter: &mut Painter,
    highlight: Option<(&Plot, &mut Painter)>,
    mode: Mode,
    view: &FrameView,
    style: &Style,
    overlay: Option<&Overlay>,
    target: &wgpu::TextureView,
) -> Result<()> {
    match highlight {
        Some((hl, hl_painter)) => {
            let veil = veil(view, style.rgb());
            plot.draw(gpu, painter, mode, view, style, Some(&veil), target)?;
            hl.draw_layer(gpu, hl_painter, mode, view, style, overlay, target, false)
        }
        None => plot.draw(gpu, painter, mode, view, style, overlay, target),
    }
}
