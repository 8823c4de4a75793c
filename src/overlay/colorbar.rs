//! The colourbar's ticks, offset text and title: value ticks through the
//! norm, or a density shading's counts.

use super::*;

/// What the colourbar's ticks say.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorbarMarks {
    /// (t in [0, 1] from the bottom, label).
    pub marks: Vec<(f32, String)>,
    /// Unlabelled minor ticks (t).
    pub minor: Vec<f32>,
    /// Shared offset or multiplier text, or the shading's name.
    pub offset: String,
    pub title: String,
}

/// The colourbar's tick marks, offset text and title; None when there is nothing to show.
pub fn colorbar_marks(
    scale: &ColorScale,
    pixels: f32,
    opts: &AxesOptions,
) -> Option<ColorbarMarks> {
    match scale {
        ColorScale::Values { range: None, .. } | ColorScale::Categories(_) => None,
        ColorScale::Values {
            range: Some((lo, hi)),
            norm: Norm::Linear,
        } => {
            let (lo, hi) = (*lo as f64, *hi as f64);
            let bt = ticks(lo, hi, pixels as f64);
            let span = if hi > lo { hi - lo } else { 1.0 };
            let marks = bt
                .major
                .iter()
                .zip(&bt.labels)
                .map(|(&v, l)| (((v - lo) / span) as f32, l.clone()))
                .filter(|(t, _)| (-1e-4..=1.0001).contains(t))
                .collect();
            Some(ColorbarMarks {
                marks,
                minor: Vec::new(),
                offset: bt.offset_text,
                title: opts.value_label.clone(),
            })
        }
        ColorScale::Values {
            range: Some((lo, hi)),
            norm,
        } => Some(norm_marks(*norm, (*lo as f64, *hi as f64), pixels, opts)),
        ColorScale::Density {
            thresholds,
            how,
            agg,
        } => density_marks(thresholds, *how, *agg, pixels, opts),
    }
}

/// Colourbar ticks of a non-linear norm, each at the norm's place for its
/// value: decades (log, symlog) where the range spans enough of them, else
/// linear ticks (power always), labels at least 16 px apart.
pub(super) fn norm_marks(
    norm: Norm,
    (lo, hi): (f64, f64),
    pixels: f32,
    opts: &AxesOptions,
) -> ColorbarMarks {
    let place = |v: f64| norm.forward(v, lo, hi);
    let px = pixels as f64;
    let decades = match norm {
        Norm::Log => crate::log_ticks::log_ticks(lo, hi, px),
        Norm::SymLog { linthresh } => crate::log_ticks::symlog_ticks(lo, hi, linthresh, px, place),
        _ => None,
    };
    let t = decades.unwrap_or_else(|| ticks(lo, hi, px));
    let on_bar = |t: &f64| (-1e-4..=1.0001).contains(t);
    let mut marks: Vec<(f32, String)> = Vec::new();
    for (&v, label) in t.major.iter().zip(&t.labels) {
        let at = place(v);
        if on_bar(&at)
            && marks
                .last()
                .is_none_or(|(p, _)| (at as f32 - p) * pixels >= 16.0)
        {
            marks.push((at as f32, label.clone()));
        }
    }
    let minor = t
        .minor
        .iter()
        .map(|&v| place(v))
        .filter(on_bar)
        .map(|t| t as f32)
        .collect();
    ColorbarMarks {
        marks,
        minor,
        offset: t.offset_text,
        title: format!("{} ({})", opts.value_label, norm.name()),
    }
}

/// Colourbar labels of density mode, each at the middle of the colour entry its
/// count or value takes, at least 16 px apart.
pub(super) fn density_marks(
    thresholds: &[u32; crate::colormap::LUT_SIZE],
    how: crate::aggregate::How,
    agg: crate::aggregate::Agg,
    pixels: f32,
    opts: &AxesOptions,
) -> Option<ColorbarMarks> {
    use crate::aggregate::{density_index, ordered, unordered, How};
    let lut = crate::colormap::LUT_SIZE as f32;
    let top = thresholds.iter().rev().find(|&&t| t != u32::MAX).copied()?;
    // eq_hist: what evenly spaced entries start at (its scale follows the data);
    // others: round numbers up to the largest shown.
    let even = || {
        (0..=5)
            .map(|k| thresholds[(k * 51).min(255)])
            .filter(|&t| t != u32::MAX)
    };
    let candidates: Vec<(u32, String)> = if agg.of_values() {
        if how == How::EqHist {
            even()
                .map(|k| (k, short_number(unordered(k) as f64)))
                .collect()
        } else {
            let (lo, hi) = (unordered(thresholds[0]) as f64, unordered(top) as f64);
            let t = ticks(lo, hi, pixels as f64);
            // Tick labels are relative to an offset text when there is one.
            let plain = t.offset_text.is_empty();
            // The smallest value first: log and cbrt crowd the round numbers at the top.
            std::iter::once((thresholds[0], short_number(lo)))
                .chain(
                    t.major
                        .iter()
                        .zip(&t.labels)
                        .filter(|(v, _)| **v >= lo && **v <= hi)
                        .map(|(&v, l)| {
                            let label = if plain { l.clone() } else { short_number(v) };
                            (ordered(v as f32), label)
                        }),
                )
                .collect()
        }
    } else if how == How::EqHist {
        even().map(|c| (c, c.to_string())).collect()
    } else {
        // Counts 1, 2, 5, 10, 20, 50, ...
        let mut c = Vec::new();
        let mut step = 1u64;
        while step <= top as u64 {
            c.extend(
                [step, 2 * step, 5 * step]
                    .into_iter()
                    .filter(|&v| v <= top as u64)
                    .map(|v| (v as u32, v.to_string())),
            );
            step *= 10;
        }
        c
    };
    let mut marks: Vec<(f32, String)> = Vec::new();
    for (key, label) in candidates {
        let Some(i) = density_index(key.max(thresholds[0]), thresholds) else {
            continue;
        };
        let t = (i as f32 + 0.5) / lut;
        if marks.last().is_none_or(|(pt, _)| (t - pt) * pixels >= 16.0) {
            marks.push((t, label));
        }
    }
    let title = if agg.of_values() {
        format!("{} of {}", agg.name(), opts.value_label)
    } else {
        "count".to_string()
    };
    Some(ColorbarMarks {
        marks,
        minor: Vec::new(),
        offset: how.name().to_string(),
        title,
    })
}
