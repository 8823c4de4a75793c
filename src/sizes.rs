//! Size by value, as plain data: each point's disc diameter from a value of
//! its own (an expression), mapped linearly from the values' range onto a
//! range of diameters in pixels, and the three reference sizes its legend
//! shows. Points with no value get no disc.

use std::sync::Arc;

use crate::ticks::ticks;

/// The sizes of a figure's points.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// Each stored point's diameter over the figure's point size (what the
    /// points shader multiplies its radius by); 0: no value, no disc.
    pub factors: Arc<Vec<f32>>,
    /// The values' range (None: no point has a value).
    pub range: Option<(f32, f32)>,
    /// The diameters the range maps onto, logical pixels.
    pub diameters: (f64, f64),
    /// The size expression, the legend's title.
    pub label: String,
}

impl PartialEq for Sizes {
    fn eq(&self, o: &Sizes) -> bool {
        Arc::ptr_eq(&self.factors, &o.factors)
            && (self.range, self.diameters, &self.label) == (o.range, o.diameters, &o.label)
    }
}

/// The diameter of value `v` over `range` onto `diameters`: linear, clipped
/// to the ends; None for no value. A range of one value gives the mean size.
pub fn diameter(v: f32, range: (f32, f32), (dmin, dmax): (f64, f64)) -> Option<f64> {
    if !v.is_finite() {
        return None;
    }
    let (lo, hi) = (range.0 as f64, range.1 as f64);
    let t = if hi > lo {
        ((v as f64 - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    Some(dmin + t * (dmax - dmin))
}

impl Sizes {
    /// The sizes of `values` (one per stored point) for discs of `point_size`.
    pub fn new(values: &[f32], diameters: (f64, f64), point_size: f64, label: String) -> Sizes {
        let (lo, hi) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let range = (lo <= hi).then_some((lo, hi));
        let factors = values
            .iter()
            .map(|&v| {
                range
                    .and_then(|r| diameter(v, r, diameters))
                    .map_or(0.0, |d| (d / point_size) as f32)
            })
            .collect();
        Sizes {
            factors: Arc::new(factors),
            range,
            diameters,
            label,
        }
    }

    /// The legend's three reference sizes: (diameter, value text) at nice
    /// values across the range (its ends when it has no inner ticks).
    pub fn legend(&self) -> Vec<(f64, String)> {
        let Some((lo, hi)) = self.range else {
            return vec![];
        };
        let t = ticks(lo as f64, hi as f64, 300.0);
        let inner: Vec<(f64, &String)> = t
            .major
            .iter()
            .zip(&t.labels)
            .filter(|(v, _)| **v >= lo as f64 && **v <= hi as f64)
            .map(|(v, l)| (*v, l))
            .collect();
        let picks: Vec<(f64, String)> = if inner.len() >= 3 && t.offset_text.is_empty() {
            let k = inner.len() - 1;
            [0, k / 2, k]
                .iter()
                .map(|&i| (inner[i].0, inner[i].1.clone()))
                .collect()
        } else {
            let mid = (lo as f64 + hi as f64) / 2.0;
            [lo as f64, mid, hi as f64]
                .iter()
                .map(|&v| (v, format!("{}", v as f32)))
                .collect()
        };
        picks
            .into_iter()
            .filter_map(|(v, text)| diameter(v as f32, (lo, hi), self.diameters).map(|d| (d, text)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_map_linearly_onto_the_diameters() {
        let s = Sizes::new(&[0.0, 5.0, 10.0, f32::NAN], (2.0, 12.0), 2.0, "m".into());
        assert_eq!(s.range, Some((0.0, 10.0)));
        // Diameters 2, 7 and 12 over a point size of 2; no value: no disc.
        assert_eq!(*s.factors, [1.0, 3.5, 6.0, 0.0]);
        assert_eq!(diameter(20.0, (0.0, 10.0), (2.0, 12.0)), Some(12.0));
        assert_eq!(diameter(-1.0, (0.0, 10.0), (2.0, 12.0)), Some(2.0));
        assert_eq!(diameter(3.0, (3.0, 3.0), (2.0, 12.0)), Some(7.0));
        // The legend: three nice values across the range, smallest first.
        let legend = s.legend();
        assert_eq!(legend.len(), 3);
        assert_eq!(legend[0], (2.0, "0".to_string()));
        assert_eq!(legend[2], (12.0, "10".to_string()));
        assert!(legend[1].0 > 2.0 && legend[1].0 < 12.0);
        let none = Sizes::new(&[f32::NAN], (2.0, 12.0), 2.0, "m".into());
        assert!(none.legend().is_empty() && none.factors[0] == 0.0);
    }
}
