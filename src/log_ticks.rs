//! Ticks of logarithmic colour scales, after matplotlib's `LogLocator`,
//! `SymmetricalLogLocator` and `LogFormatterSciNotation`: majors at whole
//! decades labelled 10ⁿ (a stride of decades where they would crowd), minors
//! at 2–9 × each decade. Ranges of less than two decades get `None`: the
//! caller places ordinary linear ticks instead (through the norm).

use crate::ticks::Ticks;

/// Pixels that two labelled decades need between them.
const DECADE_PIXELS: f64 = 24.0;

/// Ticks of a log scale over `[lo, hi]` (0 < lo < hi) drawn over `pixels`.
pub fn log_ticks(lo: f64, hi: f64, pixels: f64) -> Option<Ticks> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let (a, b) = (decade_at_or_above(lo), decade_at_or_below(hi));
    if b - a < 1 {
        return None;
    }
    let per_decade = pixels / (hi.log10() - lo.log10());
    let stride = stride(per_decade);
    let majors: Vec<i32> = (a..=b).filter(|k| k.rem_euclid(stride) == 0).collect();
    if majors.len() < 2 {
        return None;
    }
    let mut minor = Vec::new();
    for k in a - 1..=b {
        if stride == 1 {
            minor.extend((2..=9).map(|m| m as f64 * pow10(k)));
        } else if k.rem_euclid(stride) != 0 {
            minor.push(pow10(k));
        }
    }
    minor.retain(|&v| v >= lo && v <= hi);
    Some(Ticks {
        major: majors.iter().map(|&k| pow10(k)).collect(),
        labels: majors.iter().map(|&k| decade_label(k)).collect(),
        minor,
        step: stride as f64,
        offset_text: String::new(),
    })
}

/// Ticks of a symmetric log scale (linear within ±`linthresh`) over
/// `[lo, hi]`: 0 and ±10ⁿ for the decades at or above `linthresh`, each kept
/// where it is at least [`DECADE_PIXELS`] from the one before (t = `place(v)`).
pub fn symlog_ticks(
    lo: f64,
    hi: f64,
    linthresh: f64,
    pixels: f64,
    place: impl Fn(f64) -> f64,
) -> Option<Ticks> {
    if !(hi > lo && lo.is_finite() && hi.is_finite() && linthresh > 0.0) {
        return None;
    }
    let first = decade_at_or_above(linthresh);
    let mut values: Vec<(f64, String)> = Vec::new();
    let top = decade_at_or_below(lo.abs().max(hi.abs()).max(linthresh));
    for k in (first..=top).rev() {
        values.push((-pow10(k), format!("-{}", decade_label(k))));
    }
    values.push((0.0, "0".into()));
    for k in first..=top {
        values.push((pow10(k), decade_label(k)));
    }
    values.retain(|(v, _)| *v >= lo && *v <= hi);
    let mut kept: Vec<(f64, String)> = Vec::new();
    for (v, label) in values {
        let t = place(v);
        if kept
            .last()
            .is_none_or(|(u, _)| (t - place(*u)) * pixels >= DECADE_PIXELS)
        {
            kept.push((v, label));
        }
    }
    if kept.len() < 2 {
        return None;
    }
    Some(Ticks {
        major: kept.iter().map(|(v, _)| *v).collect(),
        labels: kept.into_iter().map(|(_, l)| l).collect(),
        minor: Vec::new(),
        step: 0.0,
        offset_text: String::new(),
    })
}

/// The smallest stride of decades (1, 2, 3, 5, 10, 20, ...) whose labels are
/// [`DECADE_PIXELS`] apart.
fn stride(per_decade: f64) -> i32 {
    let mut base = 1;
    loop {
        for m in [1, 2, 3, 5] {
            let s = m * base;
            if s as f64 * per_decade >= DECADE_PIXELS || s >= 1000 {
                return s;
            }
        }
        base *= 10;
    }
}

fn pow10(k: i32) -> f64 {
    // Exact for the decades f64 holds exactly; parsed, so never 10^k's rounding drift.
    format!("1e{k}").parse().unwrap_or(f64::NAN)
}

/// The smallest k with 10^k >= v (a hair of rounding allowed).
fn decade_at_or_above(v: f64) -> i32 {
    let k = v.log10().ceil() as i32;
    if pow10(k - 1) >= v * (1.0 - 1e-12) {
        k - 1
    } else {
        k
    }
}

/// The largest k with 10^k <= v.
fn decade_at_or_below(v: f64) -> i32 {
    let k = v.log10().floor() as i32;
    if pow10(k + 1) <= v * (1.0 + 1e-12) {
        k + 1
    } else {
        k
    }
}

/// `10ⁿ` with the exponent in superscript digits, as matplotlib typesets it.
pub fn decade_label(k: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::from("10");
    if k < 0 {
        s.push('⁻');
    }
    for d in k.unsigned_abs().to_string().bytes() {
        s.push(SUP[(d - b'0') as usize]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_majors_sit_on_the_decades_with_minors_between() {
        let t = log_ticks(0.01, 5000.0, 600.0).unwrap();
        assert_eq!(t.major, vec![0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]);
        assert_eq!(t.labels, ["10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³"]);
        assert!(t.minor.contains(&0.02) && t.minor.contains(&5000.0));
        assert!(t.minor.iter().all(|v| !t.major.contains(v)));
        assert_eq!(t.minor.len(), 8 * 5 + 4);
        // A short bar takes every second (or fifth) decade, the others as minors.
        let t = log_ticks(1e-30, 1e30, 300.0).unwrap();
        assert_eq!(t.step, 5.0);
        assert!(t.major.windows(2).all(|w| (w[1] / w[0] - 1e5).abs() < 1e-3));
        assert!(t.minor.contains(&1e-29) && !t.minor.contains(&1e-25));
        // Less than two decades: linear ticks instead.
        assert!(log_ticks(2.0, 50.0, 600.0).is_none());
        assert!(log_ticks(0.0, 5.0, 600.0).is_none());
        assert!(log_ticks(1.0, 100.0, 600.0).is_some());
    }

    #[test]
    fn symlog_ticks_are_symmetric_decades_and_zero() {
        let t = symlog_ticks(-300.0, 20.0, 1.0, 800.0, |v| (v + 300.0) / 320.0).unwrap();
        assert!(t.major.contains(&0.0) && t.major.contains(&-100.0));
        assert!(!t.major.contains(&100.0));
        assert_eq!(t.labels[0], "-10²");
        // Spaced apart on the bar: linear placement crowds the small ones out.
        assert!(!t.major.contains(&1.0));
    }

    #[test]
    fn decade_labels() {
        assert_eq!(decade_label(0), "10⁰");
        assert_eq!(decade_label(-12), "10⁻¹²");
        assert_eq!(decade_label(300), "10³⁰⁰");
    }
}
