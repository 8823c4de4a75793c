//! Selections of a [`Plot`]: which points lie inside a polygon (the GPU's
//! select pass, or its CPU twin on the CPU backend: the same bits either
//! way), the selected rows, and the highlight — the selected points as a
//! plot of their own, drawn over the frame dimmed by a veil of the background.

use std::sync::Arc;

use crate::aggregate::{Backend, GridMap, Mode};
use crate::camera::Camera;
use crate::derive::{values_at, ValueSettings};
use crate::error::Result;
use crate::expr::{Node, Var};
use crate::gpu::Gpu;
use crate::overlay::{background_rgba, fill_rect, Overlay};
use crate::plot::{Look, Plot};
use crate::points::PointSet;
use crate::render::select::SelectPipeline;
use crate::render::{FrameView, Painter, Style};
use crate::select::{polygon_bounds, select_twin, to_pixels, Mask, Selection};

/// Opacity of the veil of background over the points a selection leaves out.
pub const VEIL_ALPHA: u8 = 200;

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

/// The rows `mask` selects from `plot` (`rows`: each stored point's row in the
/// input, None when the points are in input order), with their values
/// from the CPU twin of the derive (the CPU backend's own values).
pub fn selection(plot: &Plot, mask: &Mask, rows: Option<&[u32]>, value_name: &str) -> Selection {
    let idx = mask.indices();
    let values = values_of(plot, &idx);
    Selection {
        rows: idx
            .iter()
            .map(|&i| rows.map_or(i as u64, |r| r[i] as u64))
            .collect(),
        x: idx.iter().map(|&i| plot.points.xy[i][0]).collect(),
        y: idx.iter().map(|&i| plot.points.xy[i][1]).collect(),
        values,
        value_name: value_name.to_string(),
    }
}

/// The values of the points `idx` (ascending) as `plot` derived them: the
/// CPU backend's own, else the CPU twin's.
pub fn values_of(plot: &Plot, idx: &[usize]) -> Vec<f32> {
    if plot.backend == Backend::Cpu && plot.cpu_values.len() == plot.points.len() {
        idx.iter().map(|&i| plot.cpu_values[i]).collect()
    } else if idx.is_empty() {
        vec![]
    } else {
        values_at(&plot.points, &plot.values, idx)
    }
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
    let values = values_of(plot, &idx);
    let order: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
    let mut sub = PointSet::from_points(crate::points::gather(&plot.points.xy, &order), None);
    sub.columns = vec![Arc::new(values)];
    sub.origin = plot.points.origin;
    let mut look = look.clone();
    look.values = ValueSettings {
        value: Node::Var(Var::Column(0)),
        filter: None,
        range: plot.range.or(plot.values.range),
        t: plot.values.t,
        extremes: plot.values.extremes,
        norm: plot.values.norm,
        categories: plot.values.categories,
    };
    look.colormap = plot.renderer.colormap();
    look.plot = plot.opts;
    look.plot.backend = plot.backend;
    let mut hl = Plot::new(gpu, sub, &look, None)?;
    // A value aggregate of the selection keeps the full plot's steps.
    hl.data_range = plot.data_range;
    Ok(Some(hl))
}

/// A veil of the background over the plot area of `view`: what dims the
/// points a selection leaves out.
pub fn veil(view: &FrameView, background: [f64; 3]) -> Overlay {
    let vp = view.viewport;
    Overlay {
        lines: vec![fill_rect(
            vp.min.as_vec2(),
            (vp.min + vp.size).as_vec2(),
            background_rgba(background, VEIL_ALPHA),
        )],
        ..Overlay::default()
    }
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
