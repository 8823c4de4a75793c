//! How a splat or density grid becomes colours, as plain data: the
//! [`Shading`] resolve.wgsl (and its CPU twin, cpu/resolve.rs) applies, and
//! the one rule that chooses it and the colourbar beside it — for the GPU's
//! grid and the CPU's alike.

use std::sync::Arc;

use crate::aggregate::{ordered, unordered, Agg, How, Mode};
use crate::categories::Categories;
use crate::colormap::{Extremes, Norm, NormTable, LUT_SIZE};
use crate::derive::ValueSettings;
use crate::error::Result;
use crate::overlay::ColorScale;

/// How the grid's cells become colours.
#[derive(Debug, Clone, PartialEq)]
pub enum Shading {
    /// Splat: the value through this range (and the norm's table, if not
    /// linear), with the colours beyond it.
    Values {
        range: (f32, f32),
        extremes: Extremes,
        table: Option<Box<NormTable>>,
    },
    /// Density: counts or value keys through these thresholds.
    Table { thresholds: Box<[u32; LUT_SIZE]> },
    /// A category mix: each pixel's mixed colour, with an alpha from its
    /// count through these thresholds.
    Mix { thresholds: Box<[u32; LUT_SIZE]> },
}

/// The colourbar of values over `range` under `norm` (or the legend of the
/// categories).
pub fn value_scale(
    categories: Option<&Arc<Categories>>,
    norm: Norm,
    range: Option<(f32, f32)>,
) -> ColorScale {
    match categories {
        Some(c) => ColorScale::Categories(c.clone()),
        None => ColorScale::Values { range, norm },
    }
}

/// What a grid of `agg` aggregates is shaded with in `mode` (`mixes`: a
/// category mix), and what the colourbar shows. `range` is the values'
/// colour range; `thresholds` gives the density table of an aggregate through
/// `how`, `extremes` the lowest and highest non-empty cell — from wherever
/// the grid lives.
#[allow(clippy::too_many_arguments)]
pub fn shade(
    mode: Mode,
    agg: Agg,
    mixes: bool,
    values: &ValueSettings,
    range: Option<(f32, f32)>,
    categories: Option<&Arc<Categories>>,
    how: How,
    mut thresholds: impl FnMut(Agg) -> Result<[u32; LUT_SIZE]>,
    extremes: impl FnOnce() -> Result<Option<(u32, u32)>>,
) -> Result<(Shading, ColorScale)> {
    let norm = values.norm;
    Ok(if mixes {
        // The mix's alpha: its counts through `how`.
        let thresholds = Box::new(thresholds(Agg::Count)?);
        (
            Shading::Mix { thresholds },
            value_scale(categories, norm, None),
        )
    } else if mode == Mode::Splat {
        (
            Shading::Values {
                range: range.unwrap_or((0.0, 0.0)),
                extremes: values.extremes,
                table: values.norm_table(range),
            },
            value_scale(categories, norm, range),
        )
    } else if norm != Norm::Linear && agg.of_values() {
        // A norm shades the aggregates over their own range, in place of `how`.
        let keys = extremes()?;
        let range = keys.map(|(lo, hi)| (unordered(lo), unordered(hi)));
        let mut thresholds = Box::new([u32::MAX; LUT_SIZE]);
        if let Some(table) = values.norm_table(range) {
            for (k, t) in thresholds.iter_mut().zip(table.iter()) {
                *k = ordered(*t);
            }
        } else if let Some((lo, _)) = keys {
            // One value (or none): everything takes the first entry.
            thresholds[0] = lo;
        }
        (
            Shading::Table { thresholds },
            value_scale(categories, norm, range),
        )
    } else {
        let thresholds = Box::new(thresholds(agg)?);
        (
            Shading::Table {
                thresholds: thresholds.clone(),
            },
            ColorScale::Density {
                thresholds,
                how,
                agg,
            },
        )
    })
}
