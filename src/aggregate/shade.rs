//! From a grid to colours: the density shading table (linear, log, cbrt,
//! eq_hist thresholds shared by both backends), the splat footprint's
//! spread, and the test-only shading twins of resolve.wgsl.

use super::*;
use crate::colormap::colour_index;

/// The shading table of a density grid: for each colourmap entry i, the smallest
/// cell (a count, or an `ordered` value key) shown in colour i or above
/// (`u32::MAX` where no cell reaches it). A cell c takes the colour of the last
/// entry whose threshold is <= c. Shared by both backends.
pub fn thresholds(agg: Agg, how: How, grid: &[u32]) -> [u32; LUT_SIZE] {
    match extremes(grid) {
        None => [u32::MAX; LUT_SIZE],
        Some((_, max)) if how == How::EqHist => eq_hist_thresholds(grid, max),
        Some((lo, hi)) => thresholds_between(agg, how, lo, hi),
    }
}

/// Whether shading needs the whole grid on the host (else its extremes are enough).
pub fn needs_grid(how: How) -> bool {
    how == How::EqHist
}

/// The smallest non-empty cell and the largest (None: an empty grid).
pub fn extremes(grid: &[u32]) -> Option<(u32, u32)> {
    let (lo, hi) = grid
        .par_iter()
        .fold(
            || (u32::MAX, 0),
            |(lo, hi), &c| {
                if c == 0 {
                    (lo, hi)
                } else {
                    (lo.min(c), hi.max(c))
                }
            },
        )
        .reduce(|| (u32::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    (hi > 0).then_some((lo, hi))
}

fn eq_hist_thresholds(grid: &[u32], max: u32) -> [u32; LUT_SIZE] {
    let mut thr = [u32::MAX; LUT_SIZE];
    if max == 0 {
        return thr;
    }
    // (count, pixels with that count), ascending: a histogram when counts are
    // small (the usual case), a sort otherwise.
    let distinct: Vec<(u32, u64)> = if max <= 1 << 20 {
        let mut hist = vec![0u64; max as usize + 1];
        for &c in grid {
            hist[c as usize] += 1;
        }
        (1..=max)
            .filter(|&c| hist[c as usize] > 0)
            .map(|c| (c, hist[c as usize]))
            .collect()
    } else {
        let mut counts: Vec<u32> = grid.iter().copied().filter(|&c| c > 0).collect();
        counts.sort_unstable();
        counts
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u64))
            .collect()
    };
    let n: u64 = distinct.iter().map(|&(_, k)| k).sum();
    // CDF at each distinct count (the share of non-empty pixels with count <= c),
    // rescaled so the smallest count takes the first colour, as Datashader does.
    let first = distinct[0].1 as f64 / n as f64;
    let (mut below, mut next) = (0u64, 0usize);
    for &(c, k) in &distinct {
        below += k;
        let cdf = below as f64 / n as f64;
        let t = if first < 1.0 {
            (cdf - first) / (1.0 - first)
        } else {
            1.0
        };
        // Counts come in ascending order: the first to reach an entry owns it.
        let idx = index_of(t as f32);
        for slot in thr.iter_mut().take(idx + 1).skip(next) {
            *slot = c;
        }
        next = next.max(idx + 1);
    }
    // Entry 0 starts at the smallest count present (smaller counts take it too).
    thr[0] = distinct[0].0;
    thr
}

/// Thresholds for linear, log and cbrt, which depend only on the smallest and
/// largest cell. Counts are shaded from 1: t = (f(c) - f(1)) / (f(max) - f(1));
/// values from their minimum, as Datashader does: t = f(v - min) / f(max - min),
/// with f the identity, ln(1 + x) or the cube root.
pub fn thresholds_between(agg: Agg, how: How, lo: u32, hi: u32) -> [u32; LUT_SIZE] {
    let f = |x: f64| -> f64 {
        match how {
            How::Log => x.ln_1p(),
            How::Cbrt => x.cbrt(),
            _ => x,
        }
    };
    let (lo, value): (u32, Box<dyn Fn(u32) -> f64>) = if agg.of_values() {
        let v0 = unordered(lo) as f64;
        (lo, Box::new(move |k| f(unordered(k) as f64 - v0)))
    } else {
        (1, Box::new(move |c| f(c as f64)))
    };
    let (a, b) = (value(lo), value(hi));
    let index = |c: u32| {
        let t = if b > a {
            ((value(c) - a) / (b - a)) as f32
        } else {
            1.0
        };
        index_of(t)
    };
    let mut thr = [u32::MAX; LUT_SIZE];
    let top = index(hi);
    for (i, t) in thr.iter_mut().enumerate().take(top + 1) {
        // index(c) does not decrease with c: find the first c that reaches i.
        let (mut a, mut b) = (lo, hi);
        while a < b {
            let mid = a + (b - a) / 2;
            if index(mid) >= i {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        *t = a;
    }
    thr[0] = lo;
    thr
}

fn index_of(t: f32) -> usize {
    colour_index(t.clamp(0.0, 1.0))
}

/// Colour entry for count `c` (twin of `table_entry` in table.wgsl); None for 0.
pub fn density_index(c: u32, thr: &[u32; LUT_SIZE]) -> Option<usize> {
    (c > 0).then(|| thr.partition_point(|&t| t <= c).saturating_sub(1))
}

/// Pixels across that a splatted point covers: its point size rounded, 1 to 3.
pub fn footprint(point_size: f32) -> u32 {
    (point_size.round() as u32).clamp(1, 3)
}

/// How far back (up, left) and ahead (down, right) a pixel looks for points
/// that cover it: a point covers its own pixel, (f - 1) / 2 pixels before it and
/// f / 2 after (f = footprint), and `spread` more on every side.
pub fn reach(footprint: u32, spread: u32) -> (u32, u32) {
    (footprint / 2 + spread, (footprint.max(1) - 1) / 2 + spread)
}

/// Largest cell over each pixel's window (`reach` of [`reach`]): the splat's
/// footprint and Datashader's `spread` for isolated pixels. Twin of `cell` in
/// resolve.wgsl.
pub fn window_max(grid: &[u32], size: [u32; 2], reach: (u32, u32)) -> Vec<u32> {
    let (w, h) = (size[0] as usize, size[1] as usize);
    if reach == (0, 0) || w == 0 || h == 0 {
        return grid.to_vec();
    }
    let (back, ahead) = (reach.0 as usize, reach.1 as usize);
    // A rectangle's max is separable: along each row, then down the columns.
    // Each shifted max below is one pass over a slice pair, which vectorises.
    let mut rows: Vec<u32> = crate::mem::zeroed_vec(grid.len());
    rows.par_chunks_mut(w)
        .zip(grid.par_chunks(w))
        .for_each(|(out, row)| {
            out.copy_from_slice(row);
            for d in 1..=back.min(w - 1) {
                for (o, r) in out[d..].iter_mut().zip(&row[..w - d]) {
                    *o = (*o).max(*r);
                }
            }
            for d in 1..=ahead.min(w - 1) {
                for (o, r) in out[..w - d].iter_mut().zip(&row[d..]) {
                    *o = (*o).max(*r);
                }
            }
        });
    let mut out: Vec<u32> = crate::mem::zeroed_vec(grid.len());
    out.par_chunks_mut(w).enumerate().for_each(|(y, o)| {
        let (lo, hi) = (y.saturating_sub(back), (y + ahead).min(h - 1));
        o.copy_from_slice(&rows[lo * w..(lo + 1) * w]);
        for r in lo + 1..=hi {
            for (a, b) in o.iter_mut().zip(&rows[r * w..(r + 1) * w]) {
                *a = (*a).max(*b);
            }
        }
    });
    out
}

/// Shade a splat grid: each pixel's winning value through the range and colourmap;
/// empty pixels None. Twin of the splat branch of resolve.wgsl.
#[cfg(test)]
pub fn shade_splat(
    grid: &[u32],
    range: (f32, f32),
    lut: &[[u8; 4]; LUT_SIZE],
    extremes: &crate::colormap::Extremes,
) -> Vec<Option<[u8; 4]>> {
    grid.iter()
        .map(|&c| {
            (c != 0).then(|| extremes.value_colour(unordered(c), range.0, range.1, lut, None))
        })
        .collect()
}

/// Shade a count grid through the threshold table. Twin of the density branch of resolve.wgsl.
#[cfg(test)]
pub fn shade_density(
    grid: &[u32],
    thr: &[u32; LUT_SIZE],
    lut: &[[u8; 4]; LUT_SIZE],
) -> Vec<Option<[u8; 4]>> {
    grid.iter()
        .map(|&c| density_index(c, thr).map(|i| lut[i]))
        .collect()
}
