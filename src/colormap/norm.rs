//! Colour norms: how a value becomes a place on the colourmap, as
//! matplotlib's `Normalize`, `LogNorm`, `SymLogNorm` and `PowerNorm` define
//! it (in f64, over the colour range), and the table of 256 f32 thresholds
//! that every backend looks a value's entry up in.
//!
//! The linear norm keeps `normalise`/`colour_index` (twins of common.wgsl).
//! The others are not computed per point at all: the host finds, for each
//! colour entry, the smallest f32 whose f64 norm reaches it, and a point's
//! entry is the number of thresholds at or below its value, minus one — the
//! same f32 comparisons on the CPU and in the shaders (`table_entry` on
//! [`table_keys`]), so the
//! backends agree bit for bit and the entry is matplotlib's own f64 one.

use crate::colormap::LUT_SIZE;
use crate::error::{input, Result};
use crate::keys::float_key;

/// For each colour entry, the smallest value that takes it (entry 0: `f32::MIN`).
pub type NormTable = [f32; LUT_SIZE];

/// `table` as the shaders read it: the [`float_key`] of each threshold, so
/// that `table_entry` in shaders/table.wgsl finds the entry [`table_index`] does.
pub fn table_keys(table: &NormTable) -> [u32; LUT_SIZE] {
    table.map(float_key)
}

/// How values map onto the colourmap over the colour range (lo, hi).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Norm {
    /// `Normalize`: (v - lo) / (hi - lo).
    #[default]
    Linear,
    /// `LogNorm`: by log(v); values <= 0 have no colour (they count as no value).
    Log,
    /// `SymLogNorm(linthresh, linscale=1, base=10)`: linear within ±linthresh,
    /// logarithmic beyond, symmetric about 0.
    SymLog {
        /// Half-width of the linear zone about 0.
        linthresh: f64,
    },
    /// `PowerNorm(gamma)`: ((v - lo) / (hi - lo))^gamma above lo (linear below it).
    Power {
        /// The exponent.
        gamma: f64,
    },
}

impl std::str::FromStr for Norm {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        Norm::parse(s)
    }
}

impl Norm {
    /// Parses `linear`, `log`, `symlog` (linthresh 1), `symlog:T` or `power:G`.
    ///
    /// ```
    /// use pointillist::Norm;
    /// assert_eq!(Norm::parse("power:0.5")?, Norm::Power { gamma: 0.5 });
    /// assert!(Norm::parse("power:-1").is_err());
    /// # Ok::<(), pointillist::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Norm> {
        let lower = s.trim().to_ascii_lowercase();
        let (name, arg) = match lower.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (lower.as_str(), None),
        };
        let number = |what: &str| -> Result<f64> {
            let a =
                arg.ok_or_else(|| input(format!("norm '{s}': give the {what}, as in {name}:0.5")))?;
            match a.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
                _ => Err(input(format!(
                    "norm '{s}': the {what} must be a number more than 0"
                ))),
            }
        };
        let norm = match name {
            "linear" if arg.is_none() => Norm::Linear,
            "log" if arg.is_none() => Norm::Log,
            "symlog" if arg.is_none() => Norm::SymLog { linthresh: 1.0 },
            "symlog" => Norm::SymLog {
                linthresh: number("linear threshold")?,
            },
            "power" => Norm::Power {
                gamma: number("exponent")?,
            },
            _ => {
                return Err(input(format!(
                    "unknown norm '{s}'; valid: linear, log, symlog, symlog:LINTHRESH, power:GAMMA"
                )))
            }
        };
        Ok(norm)
    }

    /// The name as [`Norm::parse`] reads it.
    pub fn name(&self) -> String {
        match self {
            Norm::Linear => "linear".into(),
            Norm::Log => "log".into(),
            Norm::SymLog { linthresh } => format!("symlog:{linthresh}"),
            Norm::Power { gamma } => format!("power:{gamma}"),
        }
    }

    /// Whether `v` can be coloured (log: only v > 0).
    pub fn in_domain(&self, v: f64) -> bool {
        !matches!(self, Norm::Log) || v > 0.0
    }

    /// matplotlib's normalised value of `v` over (lo, hi), not clipped
    /// (NaN outside the domain; 0 for a degenerate range, as `Normalize`).
    pub fn forward(&self, v: f64, lo: f64, hi: f64) -> f64 {
        if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            return 0.0;
        }
        match *self {
            Norm::Linear => (v - lo) / (hi - lo),
            Norm::Log => {
                if v <= 0.0 || lo <= 0.0 {
                    return f64::NAN;
                }
                (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
            }
            Norm::SymLog { linthresh } => {
                let f = |a: f64| symlog(a, linthresh);
                (f(v) - f(lo)) / (f(hi) - f(lo))
            }
            Norm::Power { gamma } => {
                // matplotlib 3.11: the power only above lo (linear below it).
                let r = (v - lo) / (hi - lo);
                if r > 0.0 {
                    r.powf(gamma)
                } else {
                    r
                }
            }
        }
    }

    /// The value whose normalised value is `t` (the inverse of `forward`).
    pub fn inverse(&self, t: f64, lo: f64, hi: f64) -> f64 {
        match *self {
            Norm::Linear => lo + t * (hi - lo),
            Norm::Log => (lo.ln() + t * (hi.ln() - lo.ln())).exp(),
            Norm::SymLog { linthresh } => {
                let (a, b) = (symlog(lo, linthresh), symlog(hi, linthresh));
                symlog_inverse(a + t * (b - a), linthresh)
            }
            Norm::Power { gamma } => lo + t.max(0.0).powf(1.0 / gamma) * (hi - lo),
        }
    }

    /// The colour entry matplotlib gives `v` (in the domain) over (lo, hi):
    /// floor(t * 256) of the clipped f64 norm, the last entry for t = 1.
    pub fn entry(&self, v: f32, lo: f32, hi: f32) -> usize {
        let t = self.forward(v as f64, lo as f64, hi as f64);
        ((t.clamp(0.0, 1.0) * LUT_SIZE as f64) as usize).min(LUT_SIZE - 1)
    }

    /// The thresholds of a non-linear norm over (lo, hi); `None` for the
    /// linear norm (it normalises in f32, as it always has) and for an empty
    /// or degenerate range (everything takes entry 0, as in matplotlib).
    pub fn table(&self, lo: f32, hi: f32) -> Option<Box<NormTable>> {
        let ascending = hi.partial_cmp(&lo) == Some(std::cmp::Ordering::Greater);
        if *self == Norm::Linear || !ascending || !lo.is_finite() || !hi.is_finite() {
            return None;
        }
        if !self.in_domain(lo as f64) {
            return None;
        }
        let mut table = Box::new([f32::MIN; LUT_SIZE]);
        for (i, t) in table.iter_mut().enumerate().skip(1) {
            // The entry does not decrease with v: bisect the f32s in (lo, hi]
            // for the first that reaches i (hi takes the last entry).
            let (mut a, mut b) = (lo, hi);
            if self.entry(a, lo, hi) >= i {
                *t = a;
                continue;
            }
            while a.next_up() < b {
                let mid = ((a as f64 + b as f64) * 0.5) as f32;
                let mid = if mid <= a || mid >= b {
                    a.next_up()
                } else {
                    mid
                };
                if self.entry(mid, lo, hi) >= i {
                    b = mid;
                } else {
                    a = mid;
                }
            }
            *t = b;
        }
        Some(table)
    }
}

/// matplotlib's `SymmetricalLogTransform` (base 10, linscale 1).
fn symlog(a: f64, linthresh: f64) -> f64 {
    let linscale = 1.0 / (1.0 - 1.0 / 10.0);
    if a.abs() <= linthresh {
        a * linscale
    } else {
        a.signum() * linthresh * (linscale + (a.abs() / linthresh).log10())
    }
}

fn symlog_inverse(y: f64, linthresh: f64) -> f64 {
    let linscale = 1.0 / (1.0 - 1.0 / 10.0);
    if y.abs() <= linthresh * linscale {
        y / linscale
    } else {
        y.signum() * linthresh * 10f64.powf(y.abs() / linthresh - linscale)
    }
}

/// A value's colour entry through a norm's table: the thresholds at or below
/// it, minus one. Twin of `table_entry(float_key(v))` in shaders/table.wgsl.
pub fn table_index(table: &NormTable, v: f32) -> usize {
    table.partition_point(|&t| t <= v).max(1) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_find_the_entries_the_floats_do() {
        // What the shaders compare (float keys) against what the CPU does
        // (f32 thresholds), at the thresholds, around them and at -0 and +0.
        for (norm, lo, hi) in [
            (Norm::SymLog { linthresh: 0.5 }, -3.0f32, 3.0f32),
            (Norm::Power { gamma: 2.0 }, -1.0, 1.0),
            (Norm::Log, 1e-3, 1e3),
        ] {
            let table = norm.table(lo, hi).unwrap();
            let keys = table_keys(&table);
            let by_key = |v: f32| keys.partition_point(|&k| k <= float_key(v)).max(1) - 1;
            let mut probes = vec![-0.0f32, 0.0, lo, hi, f32::MIN, f32::MAX];
            for &t in table.iter() {
                probes.extend([t, t.next_down(), t.next_up(), -t]);
            }
            for v in probes {
                assert_eq!(by_key(v), table_index(&table, v), "{norm:?} at {v:e}");
            }
        }
    }

    #[test]
    fn names_parse_and_print_back() {
        for s in ["linear", "log", "symlog:0.5", "power:2"] {
            assert_eq!(Norm::parse(s).unwrap().name(), s);
        }
        assert_eq!(
            Norm::parse("SymLog").unwrap(),
            Norm::SymLog { linthresh: 1.0 }
        );
        for bad in [
            "power",
            "power:0",
            "power:x",
            "symlog:-1",
            "log:2",
            "loga",
            "",
            "power:inf",
        ] {
            let e = Norm::parse(bad).unwrap_err().to_string();
            assert!(e.contains("norm"), "{bad}: {e}");
        }
    }

    /// Through the table, every value takes the entry of its f64 norm: checked
    /// at each threshold, just below it, and on random values, for each norm.
    #[test]
    fn the_table_gives_every_value_its_f64_entry() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(16);
        let cases = [
            (Norm::Log, 0.01f32, 5000.0f32),
            (Norm::Log, 1.0, 1.5),
            (Norm::SymLog { linthresh: 0.1 }, -300.0, 20.0),
            (Norm::SymLog { linthresh: 2.0 }, -1.0, 1.0),
            (Norm::Power { gamma: 0.5 }, -2.0, 7.0),
            (Norm::Power { gamma: 3.0 }, 0.0, 1.0),
        ];
        for (norm, lo, hi) in cases {
            let table = norm.table(lo, hi).unwrap();
            assert!(table.windows(2).all(|w| w[0] <= w[1]), "{norm:?}");
            let mut probes: Vec<f32> = table.iter().skip(1).copied().collect();
            probes.extend(table.iter().skip(1).map(|t| t.next_down()));
            probes.extend((0..2000).map(|_| rng.random_range(lo..=hi)));
            probes.extend([lo, hi, lo.next_down(), hi.next_up()]);
            for v in probes {
                assert_eq!(
                    table_index(&table, v),
                    norm.entry(v, lo, hi),
                    "{norm:?} over {lo}..{hi}: {v}"
                );
            }
            // Every entry is reached over a range this wide.
            let reached: std::collections::HashSet<usize> =
                table.iter().map(|&t| table_index(&table, t)).collect();
            assert_eq!(reached.len(), LUT_SIZE, "{norm:?}");
        }
        assert!(Norm::Linear.table(0.0, 1.0).is_none());
        assert!(Norm::Log.table(1.0, 1.0).is_none());
    }

    /// matplotlib's own normalised values (`tests/data/norms.csv`, written by
    /// `tests/data/norms.py`), within 1e-12; masked values out of the domain.
    #[test]
    fn norms_equal_matplotlib() {
        let fixture = include_str!("../../tests/data/norms.csv");
        let mut seen = 0;
        for line in fixture.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let norm = Norm::parse(f[0]).unwrap();
            let [lo, hi, v]: [f64; 3] = [1, 2, 3].map(|k| f[k].parse().unwrap());
            if f[4] == "masked" {
                assert!(!norm.in_domain(v), "{line}");
            } else {
                let want: f64 = f[4].parse().unwrap();
                let got = norm.forward(v, lo, hi);
                assert!((got - want).abs() <= 1e-12, "{line}: {got}");
            }
            seen += 1;
        }
        assert!(seen >= 100, "{seen} rows");
    }

    #[test]
    fn inverse_undoes_forward() {
        let cases = [
            (Norm::Log, 0.5, 800.0),
            (Norm::SymLog { linthresh: 0.3 }, -50.0, 9.0),
            (Norm::Power { gamma: 0.4 }, 1.0, 3.0),
            (Norm::Linear, -1.0, 1.0),
        ];
        for (norm, lo, hi) in cases {
            for k in 0..=20 {
                let t = k as f64 / 20.0;
                let back = norm.forward(norm.inverse(t, lo, hi), lo, hi);
                assert!((back - t).abs() < 1e-12, "{norm:?} {t} -> {back}");
            }
        }
    }
}
