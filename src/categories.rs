//! Categories as plain data: a column of labels, each drawn in its own
//! colour from a qualitative palette (matplotlib's tab10 / tab20, or a
//! Glasbey-style palette of 256 colours made here), the counts behind the
//! legend, and Datashader's colour mix of the categories in a pixel.
//!
//! A category column holds codes (0, 1, 2, … as f32, exact below 2^24) into
//! its names. The colour table has 256 entries, so at most 256 categories get
//! a colour each; with more, the 255 largest keep theirs and the rest share
//! the last entry, "other" (grey), and the legend says how many it holds.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::colormap::{Colormap, NormTable, LUT_SIZE};
use crate::error::{input, Result};

/// Most categories one column may have (the 255 largest get colours of their
/// own, the rest share "other").
pub const MAX_CATEGORIES: usize = 65_536;

/// The sorted distinct names of `labels` and each label's code among them.
pub fn sorted_codes<S: AsRef<str>>(labels: &[S]) -> (Vec<u32>, Vec<String>) {
    let mut names: Vec<&str> = labels.iter().map(|s| s.as_ref()).collect();
    names.sort_unstable();
    names.dedup();
    let codes = labels
        .iter()
        .map(|s| names.binary_search(&s.as_ref()).expect("listed") as u32)
        .collect();
    (codes, names.into_iter().map(String::from).collect())
}

/// Datashader's `min_alpha`: the alpha of the least dense pixel of a mix
/// (`MIN_ALPHA` in resolve.wgsl).
#[cfg_attr(not(test), allow(dead_code))]
pub const MIN_ALPHA: u32 = 40;

/// The colour of the entry that gathers the categories beyond the 255 largest.
pub const OTHER_COLOUR: [u8; 4] = [128, 128, 128, 255];

/// The categories of a figure: one entry per colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Categories {
    /// The column they come from (the legend's title).
    pub column: String,
    /// Each entry's name; with `other` > 0 the last is "other".
    pub names: Vec<String>,
    /// Points of each entry (those the figure's filter keeps).
    pub counts: Vec<u64>,
    /// Each entry's colour.
    pub colours: Vec<[u8; 4]>,
    /// How many categories the last entry gathers (0: every category has its own).
    pub other: usize,
    /// Entries not drawn (the viewer's legend clicks): their colour's alpha
    /// is 0 in the table, which every pass skips.
    pub hidden: Vec<bool>,
}

impl Categories {
    /// Number of entries (colours).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// The colour table the points are drawn through: entry k is category
    /// k's colour (entries past the last repeat it).
    pub fn lut(&self) -> [[u8; 4]; LUT_SIZE] {
        let last = self.colours.len().max(1) - 1;
        std::array::from_fn(|k| {
            let e = k.min(last);
            match self.colours.get(e) {
                Some(_) if self.hidden.get(e) == Some(&true) => [0; 4],
                Some(&c) => c,
                None => OTHER_COLOUR,
            }
        })
    }

    /// These categories with entry `k` shown if it was hidden, hidden if not.
    pub fn toggled(&self, k: usize) -> Categories {
        let mut c = self.clone();
        if let Some(h) = c.hidden.get_mut(k) {
            *h = !*h;
        }
        c
    }
}

/// What a category column is: codes with their names (a column of labels),
/// or plain numbers (each distinct value a category).
pub enum Labels<'a> {
    Named(&'a [String]),
    Numbers,
}

/// The categories of `values` (one per point) and, where they change, the
/// codes the points are drawn with (entries of the result).
pub fn categorise(
    column: &str,
    values: &[f32],
    labels: Labels,
    colours: Option<&[[u8; 4]]>,
) -> Result<(Categories, Vec<f32>)> {
    // Codes 0..n with names, in the names' order; NONE for a point without
    // a category (NaN: not drawn, not counted).
    const NONE: u32 = u32::MAX;
    let (names, codes): (Vec<String>, Vec<u32>) = match labels {
        Labels::Named(names) => {
            let codes = values
                .iter()
                .map(|&v| if v.is_nan() { NONE } else { v as u32 })
                .collect();
            (names.to_vec(), codes)
        }
        Labels::Numbers => {
            let mut distinct: Vec<f32> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            distinct.sort_unstable_by(f32::total_cmp);
            distinct.dedup();
            let index: HashMap<u32, u32> = distinct
                .iter()
                .enumerate()
                .map(|(i, v)| (v.to_bits(), i as u32))
                .collect();
            let codes = values
                .iter()
                .map(|v| index.get(&v.to_bits()).copied().unwrap_or(NONE))
                .collect();
            (distinct.iter().map(|v| number_name(*v)).collect(), codes)
        }
    };
    if names.len() > MAX_CATEGORIES {
        return Err(input(format!(
            "category column '{column}': {} categories, at most {}",
            names.len(),
            MAX_CATEGORIES
        )));
    }
    let mut counts = vec![0u64; names.len()];
    for &c in codes.iter().filter(|&&c| c != NONE) {
        counts[c as usize] += 1;
    }
    // Keep the 255 largest (in their own order) when there are more than 256.
    let (entry_of, other): (Vec<u32>, usize) = if names.len() > LUT_SIZE {
        let mut by_size: Vec<usize> = (0..names.len()).collect();
        by_size.sort_by_key(|&k| std::cmp::Reverse(counts[k]));
        let mut kept = vec![false; names.len()];
        for &k in &by_size[..LUT_SIZE - 1] {
            kept[k] = true;
        }
        let mut next = 0;
        let entry_of = kept
            .iter()
            .map(|&keep| {
                if keep {
                    next += 1;
                    next - 1
                } else {
                    LUT_SIZE as u32 - 1
                }
            })
            .collect();
        (entry_of, names.len() - (LUT_SIZE - 1))
    } else {
        ((0..names.len() as u32).collect(), 0)
    };
    let entries = names.len().min(LUT_SIZE);
    let mut entry_names = vec![String::new(); entries];
    let mut entry_counts = vec![0u64; entries];
    for (k, name) in names.iter().enumerate() {
        let e = entry_of[k] as usize;
        entry_counts[e] += counts[k];
        if other == 0 || e < LUT_SIZE - 1 {
            entry_names[e] = name.clone();
        }
    }
    if other > 0 {
        entry_names[LUT_SIZE - 1] = "other".into();
    }
    let palette = match colours {
        Some(given) if given.len() < entries => {
            return Err(input(format!(
                "category colours: {} given for the {entries} categories of '{column}'",
                given.len()
            )))
        }
        Some(given) => given[..entries].to_vec(),
        None => {
            let mut p = palette(entries)[..entries].to_vec();
            if other > 0 {
                p[LUT_SIZE - 1] = OTHER_COLOUR;
            }
            p
        }
    };
    let remapped = codes
        .iter()
        .map(|&c| match c {
            NONE => f32::NAN,
            c => entry_of[c as usize] as f32,
        })
        .collect();
    Ok((
        Categories {
            column: column.to_string(),
            names: entry_names,
            counts: entry_counts,
            colours: palette,
            other,
            hidden: vec![false; entries],
        },
        remapped,
    ))
}

/// A number as a category's name: integers without a fraction.
fn number_name(v: f32) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The default palette for `n` categories, as Datashader and matplotlib
/// users expect: tab10 up to 10, tab20 up to 20, else [`glasbey`].
pub fn palette(n: usize) -> Vec<[u8; 4]> {
    match n {
        0..=10 => listed("tab10"),
        11..=20 => listed("tab20"),
        _ => glasbey().to_vec(),
    }
}

/// The distinct colours of one of matplotlib's listed maps, in order.
fn listed(name: &str) -> Vec<[u8; 4]> {
    let mut colours = Colormap::by_name(name)
        .expect("a shipped map")
        .rgba8()
        .to_vec();
    colours.dedup();
    colours
}

/// 256 colours, each as far (in CIELAB) from those before it as the
/// candidates allow, as Glasbey et al. build categorical palettes: tab10's
/// ten first, then greedily the candidate farthest from every chosen colour,
/// among sRGB colours of mid lightness (none close to white or black, so
/// every one shows on either background).
pub fn glasbey() -> &'static [[u8; 4]; LUT_SIZE] {
    static PALETTE: OnceLock<[[u8; 4]; LUT_SIZE]> = OnceLock::new();
    PALETTE.get_or_init(|| {
        let levels: Vec<u8> = (0..16).map(|i| i * 17).collect();
        let candidates: Vec<([u8; 4], [f64; 3])> = levels
            .iter()
            .flat_map(|&r| {
                let levels = &levels;
                levels
                    .iter()
                    .flat_map(move |&g| levels.iter().map(move |&b| [r, g, b, 255]))
            })
            .map(|c| (c, lab(c)))
            .filter(|(_, l)| (30.0..=85.0).contains(&l[0]))
            .collect();
        let mut chosen = listed("tab10");
        let mut nearest: Vec<f64> = candidates
            .iter()
            .map(|(_, l)| {
                chosen
                    .iter()
                    .map(|c| distance(l, &lab(*c)))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        while chosen.len() < LUT_SIZE {
            let (best, _) = nearest
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .expect("candidates");
            let (colour, l) = candidates[best];
            chosen.push(colour);
            for (d, (_, c)) in nearest.iter_mut().zip(&candidates) {
                *d = d.min(distance(c, &l));
            }
        }
        std::array::from_fn(|k| chosen[k])
    })
}

fn distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (0..3).map(|i| (a[i] - b[i]).powi(2)).sum()
}

/// CIELAB (D65) of an sRGB byte colour.
fn lab([r, g, b, _]: [u8; 4]) -> [f64; 3] {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (lin(r), lin(g), lin(b));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// The colour table of `n` category codes: code k takes entry k (thresholds
/// halfway between codes), so codes colour through the norms' table lookup.
pub fn code_table(n: u32) -> Box<NormTable> {
    Box::new(std::array::from_fn(|k| match k {
        0 => f32::MIN,
        k if (k as u32) < n => k as f32 - 0.5,
        _ => f32::INFINITY,
    }))
}

/// A pixel's colour in Datashader's mix of `n` points whose colours add up
/// to `sums` (r, g, b): each channel the count-weighted mean, truncated as
/// `astype(uint8)` does. Twin of `mix_colour` in shaders/splat.wgsl.
pub fn mix_colour(n: u32, sums: [u64; 3]) -> [u8; 3] {
    if n == 0 {
        return [0; 3];
    }
    sums.map(|s| (s / n as u64).min(255) as u8)
}

/// The alpha of a mixed pixel whose total count has density entry `e`
/// (0..=255 through `how`): from [`MIN_ALPHA`] to 255, as Datashader
/// interpolates it. Twin of `mix_alpha` in shaders/resolve.wgsl.
#[cfg_attr(not(test), allow(dead_code))]
pub fn mix_alpha(e: u32) -> u8 {
    (MIN_ALPHA + e * (255 - MIN_ALPHA) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_count_and_colour_each_category() {
        let names: Vec<String> = ["cat", "dog", "emu"].map(String::from).to_vec();
        let values = [1.0, 0.0, 1.0, 2.0, 1.0];
        let (c, codes) = categorise("animal", &values, Labels::Named(&names), None).unwrap();
        assert_eq!(c.names, names);
        assert_eq!(c.counts, [1, 3, 1]);
        assert_eq!(c.colours, listed("tab10")[..3]);
        assert_eq!(codes, values);
        assert_eq!(c.lut()[1], c.colours[1]);
        assert_eq!(c.lut()[200], c.colours[2]);
        // A hidden entry has no colour (alpha 0), and shows again.
        let h = c.toggled(1);
        assert_eq!(h.lut()[1], [0; 4]);
        assert_eq!(h.lut()[0], c.colours[0]);
        assert_eq!(h.toggled(1).lut(), c.lut());
        // Numbers: each distinct value, in order, named without a fraction;
        // NaN is no category (not counted, and no value to draw).
        let values = [7.0, -2.0, 7.0, f32::NAN, 0.5];
        let (c, codes) = categorise("k", &values, Labels::Numbers, None).unwrap();
        assert_eq!(c.names, ["-2", "0.5", "7"]);
        assert_eq!(c.counts, [1, 1, 2]);
        assert_eq!(codes[..3], [2.0, 0.0, 2.0]);
        assert!(codes[3].is_nan());
        assert_eq!(codes[4], 1.0);
        // Given colours: enough of them, or an error naming the column.
        let red = [[255, 0, 0, 255]; 3];
        let (c, _) = categorise("k", &[1.0, 2.0], Labels::Numbers, Some(&red)).unwrap();
        assert_eq!(c.colours, red[..2]);
        let e = categorise("k", &[1.0, 2.0, 3.0, 4.0], Labels::Numbers, Some(&red)).unwrap_err();
        assert!(
            e.to_string()
                .contains("3 given for the 4 categories of 'k'"),
            "{e}"
        );
    }

    #[test]
    fn beyond_256_categories_the_smallest_share_other() {
        // 300 categories, category k holding k + 1 points.
        let values: Vec<f32> = (0..300u32)
            .flat_map(|k| std::iter::repeat_n(k as f32, k as usize + 1))
            .collect();
        let (c, codes) = categorise("k", &values, Labels::Numbers, None).unwrap();
        assert_eq!(c.len(), 256);
        assert_eq!(c.other, 45);
        assert_eq!(c.names[0], "45");
        assert_eq!(c.names[254], "299");
        assert_eq!(c.names[255], "other");
        assert_eq!(c.counts[255], (1..=45).sum::<u64>());
        assert_eq!(c.colours[255], OTHER_COLOUR);
        assert_eq!(codes[0], 255.0);
        assert_eq!(*codes.last().unwrap(), 254.0);
        assert_eq!(c.counts.iter().sum::<u64>(), values.len() as u64);
    }

    #[test]
    fn palettes_are_distinct_and_start_as_tab10() {
        assert_eq!(listed("tab10").len(), 10);
        assert_eq!(listed("tab20").len(), 20);
        assert_eq!(listed("tab10")[0], [31, 119, 180, 255]); // matplotlib's C0
        let g = glasbey();
        assert_eq!(g[..10], listed("tab10")[..]);
        let mut seen = g.to_vec();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 256);
        // Each colour after tab10 is at least some way from every earlier one.
        for k in 10..256 {
            let d = (0..k)
                .map(|j| distance(&lab(g[k]), &lab(g[j])))
                .fold(f64::INFINITY, f64::min);
            assert!(d.sqrt() > 5.0, "colour {k} is {d} from an earlier one");
        }
        assert_eq!(palette(11).len(), 20);
        assert_eq!(palette(21).len(), 256);
    }

    #[test]
    fn the_mix_is_datashaders_weighted_mean() {
        // 3 points of tab10's blue and 1 of its orange: (3*c0 + c1) / 4, truncated.
        let [c0, c1] = [listed("tab10")[0], listed("tab10")[1]];
        let sums = [0, 1, 2].map(|i| 3 * c0[i] as u64 + c1[i] as u64);
        let reference = [0, 1, 2].map(|i| ((3.0 * c0[i] as f64 + c1[i] as f64) / 4.0) as u8);
        assert_eq!(mix_colour(4, sums), reference);
        assert_eq!(mix_colour(0, [0; 3]), [0; 3]);
        assert_eq!(mix_alpha(0), MIN_ALPHA as u8);
        assert_eq!(mix_alpha(255), 255);
    }
}
