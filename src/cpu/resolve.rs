//! CPU twin of shaders/resolve.wgsl: a splat or density grid shaded into the
//! plot area — a splat's value through the range and colourmap (or the
//! norm's table, and the colours beyond the range), a density cell through
//! its threshold table, a category mix's colour with an alpha from its count
//! — blended as the shader's output is. The footprint and spread window is
//! applied before (`aggregate::window_max`, the twin of `cell`).

use rayon::prelude::*;

use super::canvas::{blend_bytes, Canvas, Clip};
use crate::aggregate::{density_index, unordered};
use crate::categories::mix_alpha;
use crate::colormap::LUT_SIZE;
use crate::shading::Shading;

/// The colour of cell `c` (not 0) at index `i` under `shading`.
#[inline]
fn colour(
    c: u32,
    i: usize,
    shading: &Shading,
    mixed: Option<&[u32]>,
    lut: &[[u8; 4]; LUT_SIZE],
) -> [u8; 4] {
    match shading {
        Shading::Values {
            range,
            extremes,
            table,
        } => extremes.value_colour(unordered(c), range.0, range.1, lut, table.as_deref()),
        Shading::Mix { thresholds } => {
            let [r, g, b, _] = mixed.map_or(0, |m| m[i]).to_le_bytes();
            let e = density_index(c, thresholds).unwrap_or(0) as u32;
            [r, g, b, mix_alpha(e)]
        }
        Shading::Table { thresholds } => lut[density_index(c, thresholds).unwrap_or(0)],
    }
}

/// Shade `cells` (a `size` grid, row 0 at the top, the window applied) into
/// the plot area whose top-left pixel is `vp_min`, within `clip`; `mixed`:
/// a category mix's packed colours beside its counts.
pub fn draw(
    canvas: &mut Canvas,
    clip: Clip,
    vp_min: glam::DVec2,
    (cells, size): (&[u32], (u32, u32)),
    mixed: Option<&[u32]>,
    shading: &Shading,
    lut: &[[u8; 4]; LUT_SIZE],
) {
    let (gw, gh) = (size.0 as i64, size.1 as i64);
    let (mx, my) = (vp_min.x as f32, vp_min.y as f32);
    // The quad's pixels: centres inside [vp_min, vp_min + size).
    let first = |m: f32| (m - 0.5).ceil() as i64;
    let x0 = first(mx).max(clip.x0);
    let x1 = first(mx + gw as f32).min(clip.x1);
    let y0 = first(my).max(clip.y0);
    let y1 = first(my + gh as f32).min(clip.y1);
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let w = canvas.width;
    canvas
        .rgba
        .par_chunks_mut(w * 4)
        .enumerate()
        .skip(y0 as usize)
        .take((y1 - y0) as usize)
        .for_each(|(y, row)| {
            let gy = ((y as f32 + 0.5 - my).floor() as i64).clamp(0, gh - 1);
            for x in x0..x1 {
                let gx = ((x as f32 + 0.5 - mx).floor() as i64).clamp(0, gw - 1);
                let i = (gy * gw + gx) as usize;
                let c = cells[i];
                if c == 0 {
                    continue;
                }
                let rgba = colour(c, i, shading, mixed, lut);
                blend_bytes(&mut row[x as usize * 4..][..4], rgba, 1.0);
            }
        });
}
