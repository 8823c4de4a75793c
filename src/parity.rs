//! Does the GPU agree with its CPU twin? Values must match to a small
//! relative tolerance (the GPU's sqrt, atan2, sin and cos are not correctly
//! rounded); colours must equal the CPU's, except where a value sits within
//! that tolerance of a boundary between two colourmap entries, where either
//! neighbour is right. Used by the tests and by `pointillist bench`.

use crate::colormap::{colour_index, normalise, LUT_SIZE};
use crate::derive::Derived;

/// Relative tolerance on values: of the value's magnitude or of the range width.
pub const VALUE_TOLERANCE: f32 = 2e-5;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Parity {
    pub checked: usize,
    /// Largest |gpu - cpu| / max(1, |cpu|, range width).
    pub max_value_error: f32,
    pub value_mismatches: usize,
    pub colour_mismatches: usize,
    pub range_matches: bool,
}

impl Parity {
    pub fn ok(&self) -> bool {
        self.value_mismatches == 0 && self.colour_mismatches == 0 && self.range_matches
    }
}

fn channels_close(a: u32, b: u32) -> bool {
    a.to_le_bytes()
        .iter()
        .zip(b.to_le_bytes())
        .all(|(x, y)| x.abs_diff(y) <= 1)
}

pub fn check(
    gpu_values: &[f32],
    gpu_colours: &[u32],
    gpu_range: Option<(f32, f32)>,
    cpu: &Derived,
    lut: &[[u8; 4]; LUT_SIZE],
) -> Parity {
    let (lo, hi) = cpu.range.unwrap_or((f32::NAN, f32::NAN));
    let width = if hi > lo { hi - lo } else { 0.0 };
    let scale = |v: f32| 1f32.max(v.abs()).max(width);
    let mut p = Parity {
        checked: cpu.values.len(),
        max_value_error: 0.0,
        value_mismatches: 0,
        colour_mismatches: 0,
        range_matches: match (gpu_range, cpu.range) {
            (Some(g), Some(c)) => {
                (g.0 - c.0).abs() <= VALUE_TOLERANCE * scale(c.0)
                    && (g.1 - c.1).abs() <= VALUE_TOLERANCE * scale(c.1)
            }
            (g, c) => g.is_none() && c.is_none(),
        },
    };
    if gpu_values.len() != cpu.values.len() || gpu_colours.len() != cpu.colours.len() {
        p.value_mismatches = cpu.values.len().max(1);
        return p;
    }
    for i in 0..cpu.values.len() {
        let (g, c) = (gpu_values[i], cpu.values[i]);
        let err = if g.is_nan() && c.is_nan() {
            0.0
        } else {
            (g - c).abs() / scale(c)
        };
        p.max_value_error = p
            .max_value_error
            .max(if err.is_nan() { f32::INFINITY } else { err });
        if err.is_nan() || err > VALUE_TOLERANCE {
            p.value_mismatches += 1;
        }
        let (gc, cc) = (gpu_colours[i], cpu.colours[i]);
        if channels_close(gc, cc) || c.is_nan() && gc == 0 {
            continue;
        }
        // Near a boundary between entries, the neighbour is as right.
        let d = VALUE_TOLERANCE * scale(c);
        let a = colour_index(normalise(c - d, lo, hi));
        let b = colour_index(normalise(c + d, lo, hi));
        if !(a..=b).any(|k| channels_close(gc, u32::from_le_bytes(lut[k]))) {
            p.colour_mismatches += 1;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colormap::Colormap;

    fn derived(values: Vec<f32>, lut: &[[u8; 4]; 256]) -> Derived {
        let colours = values
            .iter()
            .map(|&v| crate::derive::point_colour(v, 0.0, 1.0, lut))
            .collect();
        Derived {
            values,
            colours,
            range: Some((0.0, 1.0)),
        }
    }

    #[test]
    fn agreement_and_disagreement_are_told_apart() {
        let lut = Colormap::VIRIDIS.rgba8();
        let cpu = derived(vec![0.0, 0.25, 0.5, 1.0], &lut);
        let ok = check(&cpu.values, &cpu.colours, cpu.range, &cpu, &lut);
        assert!(ok.ok(), "{ok:?}");
        // A wrong value.
        let mut v = cpu.values.clone();
        v[1] = 0.3;
        let bad = check(&v, &cpu.colours, cpu.range, &cpu, &lut);
        assert_eq!(bad.value_mismatches, 1);
        assert!(!bad.ok());
        // A wrong colour.
        let mut c = cpu.colours.clone();
        c[2] = u32::from_le_bytes(lut[10]);
        assert_eq!(
            check(&cpu.values, &c, cpu.range, &cpu, &lut).colour_mismatches,
            1
        );
        // A wrong range.
        assert!(!check(&cpu.values, &cpu.colours, Some((0.0, 2.0)), &cpu, &lut).ok());
        // Wrong lengths.
        assert!(!check(&v[..2], &c, cpu.range, &cpu, &lut).ok());
    }

    #[test]
    fn a_neighbouring_entry_is_accepted_only_at_a_boundary() {
        let lut = Colormap::by_name("turbo").unwrap().rgba8();
        let at_boundary = 128.0 / 256.0;
        let cpu = derived(vec![at_boundary, 0.3], &lut);
        let mut c = cpu.colours.clone();
        c[0] = u32::from_le_bytes(lut[127]);
        assert_eq!(
            check(&cpu.values, &c, cpu.range, &cpu, &lut).colour_mismatches,
            0
        );
        c[1] = u32::from_le_bytes(lut[colour_index(0.3) - 1]);
        assert_eq!(
            check(&cpu.values, &c, cpu.range, &cpu, &lut).colour_mismatches,
            1
        );
    }
}
