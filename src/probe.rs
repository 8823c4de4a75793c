//! The read-out for one pixel of a frame (hover in the viewer, `render
//! --probe`): the nearest drawn point within a few pixels — its x and y to
//! the precision the zoom resolves, its value, its row in the input — and, in
//! splat and density frames, what the pixel under the cursor aggregates.

use glam::DVec2;

use crate::aggregate::{Agg, Mode};
use crate::camera::{Camera, Viewport};
use crate::derive::is_kept;
use crate::pick::{pixel_points, within};
use crate::points::PointSet;

/// A frame's points and their values as the read-out and a selection see
/// them: the GPU's `Plot` or the CPU frame's layer.
pub trait Sampled {
    fn points(&self) -> &PointSet;
    /// The values of the points `idx` (ascending), as the frame derived them.
    fn values_of(&self, idx: &[usize]) -> Vec<f32>;
    /// What a density frame aggregates.
    fn agg(&self) -> Agg;
    fn categories(&self) -> Option<&crate::categories::Categories>;
}

/// How far (pixels, beyond the disc's radius) hover reaches for a point.
pub const REACH: f64 = 4.0;

/// What a probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The nearest drawn point: its index in storage, and where it is drawn
    /// (pixels of the target).
    pub point: Option<(usize, DVec2)>,
    /// The read-out, one line each.
    pub lines: Vec<String>,
}

/// `v` to the digits a step of `step` needs (like the axis labels, finer when
/// zoomed in): fixed below a million, else scientific.
pub fn coordinate(v: f64, step: f64) -> String {
    let step = step.abs().max(f64::MIN_POSITIVE);
    let decimals = (-step.log10()).ceil().max(0.0) as usize;
    if v.abs() < 1e6 && decimals <= 12 {
        format!("{v:.decimals$}")
    } else {
        let sig = ((v.abs().max(step) / step).log10().floor() as usize + 1).clamp(1, 17);
        format!("{v:.prec$e}", prec = sig - 1)
    }
}

/// The read-out at `cursor` (pixels of the target) of a frame of `plot` in
/// `mode` showing `camera` over the plot area `vp`; `rows` maps storage to
/// input rows (None: the same); `value_label` names the value.
#[allow(clippy::too_many_arguments)]
pub fn probe(
    plot: &dyn Sampled,
    camera: &Camera,
    vp: &Viewport,
    mode: Mode,
    point_size: f64,
    cursor: DVec2,
    rows: Option<&[u32]>,
    value_label: &str,
) -> Probe {
    let set = plot.points();
    let radius = point_size * 0.5 + REACH;
    let near = within(set, camera, vp, cursor, radius);
    let idx: Vec<usize> = {
        let mut v: Vec<usize> = near.iter().map(|p| p.0).collect();
        v.sort_unstable();
        v
    };
    let values = plot.values_of(&idx);
    let value_of = |i: usize| values[idx.binary_search(&i).expect("a candidate")];
    // Drawn: kept by the filter, and (but in density counts) with a value.
    let counts_all = mode == Mode::Density && plot.agg() == Agg::Count;
    let hit = near.iter().find(|&&(i, _)| {
        let v = value_of(i);
        is_kept(v) && (counts_all || v.is_finite())
    });
    let step = camera.per_pixel(vp).max_element();
    let mut lines = vec![];
    let mut point = None;
    if let Some(&(i, _)) = hit {
        let p = DVec2::from_array(set.xy[i]);
        point = Some((i, camera.data_to_pixel(p, vp)));
        let v = value_of(i);
        let row = rows.map_or(i as u64, |r| r[i] as u64);
        lines.push(format!(
            "{} = {}, {} = {}",
            set.x_name,
            coordinate(p.x, step),
            set.y_name,
            coordinate(p.y, step)
        ));
        let v = match plot.categories() {
            Some(c) if v.is_finite() => c.names[v as usize].clone(),
            _ if v.is_finite() => format!("{v}"),
            _ => "no value".into(),
        };
        lines.push(format!("{value_label} = {v}"));
        // The other columns the expressions read (not the value itself, nor
        // `index`, which the row line gives).
        let others: Vec<String> = set
            .column_names
            .iter()
            .zip(&set.columns)
            .filter(|(name, _)| *name != value_label && *name != "index")
            .map(|(name, column)| format!("{name} = {}", column[i]))
            .collect();
        if !others.is_empty() {
            lines.push(others.join(", "));
        }
        lines.push(format!("row {row}"));
    }
    if matches!(mode, Mode::Splat | Mode::Density) {
        let u = cursor - vp.min;
        if u.x >= 0.0 && u.y >= 0.0 && u.x < vp.size.x && u.y < vp.size.y {
            let size = (vp.size.x as u32, vp.size.y as u32);
            let cell = (u.x as u32, u.y as u32);
            let inside = pixel_points(set, camera, size, cell);
            let vals = plot.values_of(&inside);
            let kept: Vec<f32> = vals.into_iter().filter(|v| is_kept(*v)).collect();
            let finite: Vec<f64> = kept
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| v as f64)
                .collect();
            let agg = if mode == Mode::Splat {
                Agg::Max
            } else {
                plot.agg()
            };
            let n = kept.len();
            let mut line = format!("pixel: {n} point{}", if n == 1 { "" } else { "s" });
            if agg != Agg::Count && !finite.is_empty() {
                let sum: f64 = finite.iter().sum();
                let v = match agg {
                    Agg::Sum => sum,
                    Agg::Mean => sum / finite.len() as f64,
                    Agg::Min => finite.iter().copied().fold(f64::INFINITY, f64::min),
                    _ => finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                };
                line += &format!(", {} of {value_label} = {}", agg.name(), v as f32);
            }
            lines.push(line);
        }
    }
    Probe { point, lines }
}

#[cfg(test)]
mod tests {
    use super::coordinate;

    #[test]
    fn coordinates_carry_the_digits_the_zoom_resolves() {
        assert_eq!(coordinate(1234.5678, 0.01), "1234.57");
        assert_eq!(coordinate(1234.5678, 10.0), "1235");
        assert_eq!(coordinate(0.5, 1e-9), "0.500000000");
        assert_eq!(coordinate(1e9 + 0.25, 0.01), "1.00000000025e9");
        assert_eq!(coordinate(-2.5e-7, 1e-8), "-0.00000025");
    }
}
