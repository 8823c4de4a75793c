//! Does the GPU agree with its CPU twin? Each point's value, from either
//! backend, must lie within the bound that WGSL's accuracy rules allow around
//! the f64 reference (src/expr/tolerance.rs); points with no value, and the
//! points the filter left out, must be the same points; each backend's
//! colours must be the entries of its own values over its own range (the
//! ranges agreeing within the bounds), a neighbour allowed where a value sits
//! on an entry's edge. Points within the bound of a comparison's or a rounding's edge may
//! go either way and are counted, not compared. Used by the tests and by
//! `pointillist bench`.

use crate::colormap::{entry, Extremes, Norm, LUT_SIZE};
use crate::derive::{is_kept, Derived, Expected};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Parity {
    pub checked: usize,
    /// Points near an edge (either answer is right), not compared.
    pub unsure: usize,
    /// Largest error over its bound, of either backend (at most 1 when they agree).
    pub max_error_ratio: f64,
    pub value_mismatches: usize,
    pub colour_mismatches: usize,
    pub range_matches: bool,
    /// The first mismatch, for the message.
    pub first_mismatch: Option<String>,
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

/// Compares the GPU's values, colours and range with the CPU's, point by
/// point against `expected(i)`.
pub fn check(
    gpu_values: &[f32],
    gpu_colours: &[u32],
    gpu_range: Option<(f32, f32)>,
    cpu: &Derived,
    (lut, extremes, norm): (&[[u8; 4]; LUT_SIZE], &Extremes, Norm),
    expected: &dyn Fn(usize) -> Expected,
) -> Parity {
    // Each side's norm table over its own range.
    let gpu_table = gpu_range.and_then(|(lo, hi)| norm.table(lo, hi));
    let cpu_table = cpu.range.and_then(|(lo, hi)| norm.table(lo, hi));
    let (gpu_table, cpu_table) = (gpu_table.as_deref(), cpu_table.as_deref());
    let bad = extremes.bad.map_or(0, u32::from_le_bytes);
    let mut p = Parity {
        checked: cpu.values.len(),
        unsure: 0,
        max_error_ratio: 0.0,
        value_mismatches: 0,
        colour_mismatches: 0,
        range_matches: true,
        first_mismatch: None,
    };
    if gpu_values.len() != cpu.values.len() || gpu_colours.len() != cpu.colours.len() {
        p.value_mismatches = cpu.values.len().max(1);
        p.first_mismatch = Some("the GPU gave a different number of values".into());
        return p;
    }
    let (lo, hi) = cpu.range.unwrap_or((f32::NAN, f32::NAN));
    let mut widest = 0f64;
    let miss = |p: &mut Parity, what: String| {
        p.value_mismatches += 1;
        p.first_mismatch.get_or_insert(what);
    };
    for i in 0..cpu.values.len() {
        let (g, c) = (gpu_values[i], cpu.values[i]);
        let (gc, cc) = (gpu_colours[i], cpu.colours[i]);
        match expected(i) {
            Expected::Unsure => p.unsure += 1,
            Expected::Filtered => {
                if is_kept(g) || is_kept(c) {
                    miss(&mut p, format!("point {i}: left out, but GPU {g} CPU {c}"));
                }
                if gc != 0 || cc != 0 {
                    p.colour_mismatches += 1;
                }
            }
            Expected::NoValue => {
                if !(g.is_nan() && c.is_nan() && is_kept(g) && is_kept(c)) {
                    miss(&mut p, format!("point {i}: no value, but GPU {g} CPU {c}"));
                }
                if gc != bad || cc != bad {
                    p.colour_mismatches += 1;
                }
            }
            Expected::Value(v, e) => {
                widest = widest.max(e);
                let (eg, ec) = ((g as f64 - v).abs(), (c as f64 - v).abs());
                // NaN (a value missing on one side) is never within the bound.
                let err = if eg.is_nan() || ec.is_nan() {
                    f64::NAN
                } else {
                    eg.max(ec)
                };
                let ratio = if err == 0.0 { 0.0 } else { err / e };
                p.max_error_ratio =
                    p.max_error_ratio
                        .max(if ratio.is_nan() { f64::INFINITY } else { ratio });
                if err.is_nan() || err > e {
                    miss(
                        &mut p,
                        format!("point {i}: GPU {g}, CPU {c}, reference {v} within {e:e}"),
                    );
                    continue;
                }
                // The colour pass, on the GPU's own value and range: its entry,
                // or a neighbour where the value sits on an entry's edge.
                let (glo, ghi) = gpu_range.unwrap_or((f32::NAN, f32::NAN));
                let d = (ghi - glo).abs() * 1e-5 + g.abs() * 1e-6;
                let a = entry(g - d, glo, ghi, gpu_table);
                let b = entry(g + d, glo, ghi, gpu_table);
                // Or, within d of the range's ends, the colour beyond them
                // (looked up only when the map's entries do not match).
                let beyond =
                    |v: f32| u32::from_le_bytes(extremes.value_colour(v, glo, ghi, lut, gpu_table));
                if !(a..=b).any(|k| channels_close(gc, u32::from_le_bytes(lut[k])))
                    && beyond(g - d) != gc
                    && beyond(g + d) != gc
                {
                    p.colour_mismatches += 1;
                    p.first_mismatch.get_or_insert(format!(
                        "point {i}: colour {gc:#010x} for GPU value {g}, not entry {a}-{b} of {glo}..{ghi}"
                    ));
                }
                // And the CPU's, on its own.
                if cc != u32::from_le_bytes(extremes.value_colour(c, lo, hi, lut, cpu_table)) {
                    p.colour_mismatches += 1;
                    p.first_mismatch
                        .get_or_insert(format!("point {i}: CPU colour {cc:#010x} for {c}"));
                }
            }
        }
    }
    let slack = 2.0 * widest;
    // Points near an edge may add a value to one side's range only: then the
    // ranges are not compared.
    p.range_matches = p.unsure > 0
        || match (gpu_range, cpu.range) {
            (Some(g), Some(c)) => {
                (g.0 - c.0).abs() as f64 <= slack && (g.1 - c.1).abs() as f64 <= slack
            }
            (g, c) => g.is_none() && c.is_none(),
        };
    if !p.range_matches {
        p.first_mismatch
            .get_or_insert(format!("range: GPU {gpu_range:?}, CPU {:?}", cpu.range));
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
            .map(|&v| crate::derive::point_colour(v, (0.0, 1.0), lut, &Extremes::default(), None))
            .collect();
        Derived {
            values,
            colours,
            range: Some((0.0, 1.0)),
            stats: crate::derive::DeriveStats::EMPTY,
        }
    }

    /// Each value is the truth within 1e-6.
    fn exact(cpu: &Derived) -> impl Fn(usize) -> Expected + '_ {
        |i| Expected::Value(cpu.values[i] as f64, 1e-6)
    }

    /// `check` with no extreme colours, against the CPU's own values.
    fn plain(
        values: &[f32],
        colours: &[u32],
        range: Option<(f32, f32)>,
        cpu: &Derived,
        lut: &[[u8; 4]; 256],
    ) -> Parity {
        check(
            values,
            colours,
            range,
            cpu,
            (lut, &Extremes::default(), Norm::Linear),
            &exact(cpu),
        )
    }

    #[test]
    fn agreement_and_disagreement_are_told_apart() {
        let lut = Colormap::VIRIDIS.rgba8();
        let cpu = derived(vec![0.0, 0.25, 0.5, 1.0], &lut);
        let ok = plain(&cpu.values, &cpu.colours, cpu.range, &cpu, &lut);
        assert!(ok.ok(), "{ok:?}");
        // A wrong value.
        let mut v = cpu.values.clone();
        v[1] = 0.3;
        let bad = plain(&v, &cpu.colours, cpu.range, &cpu, &lut);
        assert_eq!(bad.value_mismatches, 1);
        assert!(!bad.ok());
        // A wrong colour.
        let mut c = cpu.colours.clone();
        c[2] = u32::from_le_bytes(lut[10]);
        assert_eq!(
            plain(&cpu.values, &c, cpu.range, &cpu, &lut).colour_mismatches,
            1
        );
        // A wrong range.
        assert!(!plain(&cpu.values, &cpu.colours, Some((0.0, 2.0)), &cpu, &lut).ok());
        // Wrong lengths.
        assert!(!plain(&v[..2], &c, cpu.range, &cpu, &lut).ok());
    }

    #[test]
    fn a_neighbouring_entry_is_accepted_only_at_a_boundary() {
        let lut = Colormap::by_name("turbo").unwrap().rgba8();
        let at_boundary = 128.0 / 256.0;
        let cpu = derived(vec![at_boundary, 0.3], &lut);
        let mut c = cpu.colours.clone();
        c[0] = u32::from_le_bytes(lut[127]);
        assert_eq!(
            plain(&cpu.values, &c, cpu.range, &cpu, &lut).colour_mismatches,
            0
        );
        c[1] = u32::from_le_bytes(lut[crate::colormap::colour_index(0.3) - 1]);
        assert_eq!(
            plain(&cpu.values, &c, cpu.range, &cpu, &lut).colour_mismatches,
            1
        );
    }

    /// With under and over colours, those are the right colours beyond the
    /// range (on both sides) and the wrong ones inside it.
    #[test]
    fn extremes_are_expected_beyond_the_range_only() {
        let lut = Colormap::VIRIDIS.rgba8();
        let extremes = Extremes {
            under: Some([255, 0, 0, 255]),
            over: Some([0, 0, 255, 255]),
            bad: Some([1, 2, 3, 255]),
        };
        let values = vec![-0.5, 0.5, 1.5, f32::NAN];
        let colours: Vec<u32> = values
            .iter()
            .map(|&v| crate::derive::point_colour(v, (0.0, 1.0), &lut, &extremes, None))
            .collect();
        let cpu = Derived {
            values: values.clone(),
            colours: colours.clone(),
            range: Some((0.0, 1.0)),
            stats: crate::derive::DeriveStats::EMPTY,
        };
        let expected = |i: usize| match i {
            3 => Expected::NoValue,
            _ => Expected::Value(values[i] as f64, 1e-6),
        };
        let run = |c: &[u32]| {
            check(
                &values,
                c,
                cpu.range,
                &cpu,
                (&lut, &extremes, Norm::Linear),
                &expected,
            )
        };
        assert!(run(&colours).ok(), "{:?}", run(&colours));
        // The under colour inside the range, the map's below it, no bad colour.
        for (i, wrong) in [(1, colours[0]), (0, colours[1]), (3, 0)] {
            let mut c = colours.clone();
            c[i] = wrong;
            assert_eq!(run(&c).colour_mismatches, 1, "point {i}");
        }
    }
}
