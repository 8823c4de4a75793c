//! The points on the host, and the built-in generators.
//!
//! A [`PointSet`] keeps the coordinates in f64 as given, their bounds, and
//! the bounds of each tile of [`TILE`] points; the GPU receives offsets from
//! the data's centre as (hi, lo) f32 pairs ([`split`]), so that what it draws
//! stays exact however far the data sits from zero and however far a view
//! zooms in. Generators are deterministic
//! for a seed whatever the thread count: each block of points draws from its
//! own RNG seeded from (seed, block).

use std::sync::Arc;

use glam::DVec2;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use crate::error::{input, Result};

/// An axis-aligned rectangle in data coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: DVec2,
    pub max: DVec2,
}

impl Bounds {
    /// The empty rectangle (min > max), the identity of [`Bounds::union`].
    pub const EMPTY: Bounds = Bounds {
        min: DVec2::splat(f64::INFINITY),
        max: DVec2::splat(f64::NEG_INFINITY),
    };

    pub fn is_empty(&self) -> bool {
        !(self.min.x <= self.max.x && self.min.y <= self.max.y)
    }

    pub fn include(&mut self, p: DVec2) {
        self.min = self.min.min(p);
        self.max = self.max.max(p);
    }

    /// Grows to include `p` if both its coordinates are finite.
    pub fn include_finite(&mut self, p: DVec2) {
        if p.is_finite() {
            self.include(p);
        }
    }

    pub fn union(self, other: Bounds) -> Bounds {
        Bounds {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    pub fn center(&self) -> DVec2 {
        (self.min + self.max) * 0.5
    }

    pub fn size(&self) -> DVec2 {
        self.max - self.min
    }
}

/// A number type the caller's coordinate and value slices may hold.
pub trait Coordinate: Copy + Send + Sync + private::Sealed {
    /// The value as an f64 (exact for every implementor).
    fn to_f64(self) -> f64;
}

impl Coordinate for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

impl Coordinate for f32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl Coordinate for i32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl Coordinate for u32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

mod private {
    pub trait Sealed {}
    impl Sealed for f64 {}
    impl Sealed for f32 {}
    impl Sealed for i32 {}
    impl Sealed for u32 {}
}

/// Points per tile: the unit of view culling (tiles wholly outside a view are
/// skipped before any per-point work) and a multiple of every workgroup size.
pub const TILE: usize = 4096;

/// Host copy of the points: `xy[i]` is point i in data coordinates, in f64 as
/// given (an f32 input's values exactly). The GPU receives each as two f32
/// pairs relative to `origin` ([`split`]): 48 bits of mantissa, so every point
/// lands within 0.5 px of its f64 position down to views ~1e-11 of the extent.
#[derive(Debug, Clone)]
pub struct PointSet {
    /// The centre of the bounds: what the GPU's offsets are relative to.
    pub origin: DVec2,
    /// Shared, so that a figure can render the same points many times without
    /// copying them (a render takes a cheap clone of the whole set).
    pub xy: Arc<Vec<[f64; 2]>>,
    /// The value columns a render's expressions read, by slot (a loaded
    /// file's value column is slot 0 until a figure picks its own).
    pub columns: Vec<Arc<Vec<f32>>>,
    /// The names of `columns`, by slot, where a figure compiled them (the
    /// hover read-out lists them); may be shorter than `columns`.
    pub column_names: Vec<String>,
    /// Bounds of the stored points. Empty for no points.
    pub bounds: Bounds,
    /// Bounds of each run of [`TILE`] points in storage order (the last may be
    /// shorter): after a Morton sort, each covers a small part of the plane.
    pub tiles: Arc<Vec<Bounds>>,
    /// Names for the axes and the value column.
    pub x_name: String,
    pub y_name: String,
    pub value_name: Option<String>,
}

/// A point as the GPU holds it: (hi.x, hi.y, lo.x, lo.y), where hi is the f32
/// nearest the offset from `origin` and lo the f32 nearest what hi left over.
#[inline]
pub fn split(origin: DVec2, p: [f64; 2]) -> [f32; 4] {
    let (dx, dy) = (p[0] - origin.x, p[1] - origin.y);
    let (hx, hy) = (dx as f32, dy as f32);
    [hx, hy, (dx - hx as f64) as f32, (dy - hy as f64) as f32]
}

impl PointSet {
    /// Points from f64 coordinates; the origin is the centre of their bounds.
    #[cfg(test)]
    pub fn from_f64(x: &[f64], y: &[f64], data: Option<Vec<f32>>) -> Self {
        Self::from_xy(x, y, data)
    }

    /// Points from coordinates of any [`Coordinate`] type; the origin is the
    /// centre of the finite points' bounds.
    pub fn from_xy<T: Coordinate>(x: &[T], y: &[T], data: Option<Vec<f32>>) -> Self {
        assert_eq!(x.len(), y.len(), "x and y columns have the same length");
        // Written once, not zeroed first (a streamed batch's memory is reused,
        // and zeroing it was a twentieth of a streamed pass).
        let mut xy: Vec<[f64; 2]> = crate::mem::huge_capacity(x.len());
        x.par_iter()
            .zip(y)
            .map(|(&x, &y)| [x.to_f64(), y.to_f64()])
            .collect_into_vec(&mut xy);
        Self::from_points(xy, data)
    }

    /// Points already interleaved as (x, y) pairs.
    pub fn from_points(xy: Vec<[f64; 2]>, data: Option<Vec<f32>>) -> Self {
        let tiles = tile_bounds(&xy);
        let bounds = tiles.iter().fold(Bounds::EMPTY, |a, b| a.union(*b));
        Self {
            origin: if bounds.is_empty() {
                DVec2::ZERO
            } else {
                bounds.center()
            },
            xy: Arc::new(xy),
            columns: data.map(Arc::new).into_iter().collect(),
            column_names: vec![],
            bounds,
            tiles: Arc::new(tiles),
            x_name: "x".into(),
            y_name: "y".into(),
            value_name: None,
        }
    }

    pub fn len(&self) -> usize {
        self.xy.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xy.is_empty()
    }

    /// Point i as the f32 offset from the origin that expressions see as
    /// `x - origin` (the high half of [`split`]).
    #[inline]
    pub fn offset(&self, i: usize) -> [f32; 2] {
        let p = self.xy[i];
        [(p[0] - self.origin.x) as f32, (p[1] - self.origin.y) as f32]
    }

    /// Points `range` as the GPU holds them ([`split`]).
    pub fn split_range(&self, range: std::ops::Range<usize>) -> Vec<[f32; 4]> {
        self.split_range_from(range, self.origin)
    }

    /// Points `range` as (hi, lo) pairs relative to `origin`.
    pub fn split_range_from(&self, range: std::ops::Range<usize>, origin: DVec2) -> Vec<[f32; 4]> {
        let mut out: Vec<[f32; 4]> = crate::mem::zeroed_vec(range.len());
        out.par_iter_mut()
            .zip(self.xy[range].par_iter())
            .for_each(|(o, &p)| *o = split(origin, p));
        out
    }

    /// The runs of points (merged consecutive tiles) whose tiles meet `view`
    /// (inclusive edges): the only points a frame of that view needs to touch.
    pub fn visible_runs(&self, view: Bounds) -> Vec<std::ops::Range<usize>> {
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        let n = self.len();
        for (t, b) in self.tiles.iter().enumerate() {
            let meets = !b.is_empty()
                && b.min.x <= view.max.x
                && b.max.x >= view.min.x
                && b.min.y <= view.max.y
                && b.max.y >= view.min.y;
            if !meets {
                continue;
            }
            let (start, end) = (t * TILE, ((t + 1) * TILE).min(n));
            match runs.last_mut() {
                Some(r) if r.end == start => r.end = end,
                _ => runs.push(start..end),
            }
        }
        runs
    }

    /// Reorder the points along a Morton (Z-order) curve over their bounds,
    /// so that points close on screen are close in memory, every frame's
    /// splat writes locally (Schütz et al. 2021) and each tile covers a small
    /// part of the plane (so zoomed-in frames skip most of them). The curve
    /// runs over a 4096 x 4096 grid of cells (a 24-bit key: three radix
    /// passes); points in one cell keep their input order. The columns move
    /// with their points; the returned vector maps each new position to the
    /// point's original index.
    pub fn sort_morton(&mut self) -> Vec<u32> {
        let (lo, size) = (self.bounds.min, self.bounds.size());
        let scale = DVec2::new(
            if size.x > 0.0 { 65535.0 / size.x } else { 0.0 },
            if size.y > 0.0 { 65535.0 / size.y } else { 0.0 },
        );
        let mut keys: Vec<u32> = crate::mem::zeroed_vec(self.len());
        keys.par_iter_mut()
            .zip(self.xy.par_iter())
            .for_each(|(k, p)| {
                let q = ((DVec2::from_array(*p) - lo) * scale)
                    .clamp(DVec2::ZERO, DVec2::splat(65535.0));
                *k = morton(q.x as u32 >> 4, q.y as u32 >> 4);
            });
        let order = crate::sort::order_by_key(keys, 24);
        let xy = gather(&self.xy, &order);
        self.tiles = Arc::new(tile_bounds(&xy));
        self.xy = Arc::new(xy);
        for c in &mut self.columns {
            *c = Arc::new(gather(c, &order));
        }
        order
    }

    /// Point i in data coordinates.
    #[cfg(test)]
    pub fn point(&self, i: usize) -> DVec2 {
        DVec2::from_array(self.xy[i])
    }
}

/// The bounds of each [`TILE`] of finite points.
fn tile_bounds(xy: &[[f64; 2]]) -> Vec<Bounds> {
    xy.par_chunks(TILE)
        .map(|tile| {
            let mut b = Bounds::EMPTY;
            for p in tile {
                b.include_finite(DVec2::from_array(*p));
            }
            b
        })
        .collect()
}

/// `items` in `order`: out[i] = items[order[i]].
pub(crate) fn gather<T: bytemuck::Zeroable + Copy + Send + Sync>(
    items: &[T],
    order: &[u32],
) -> Vec<T> {
    let mut out: Vec<T> = crate::mem::zeroed_vec(order.len());
    out.par_iter_mut()
        .zip(order.par_iter())
        .for_each(|(o, &i)| *o = items[i as usize]);
    out
}

/// Interleave the bits of two 16-bit coordinates: x in the even bits, y in the odd.
pub fn morton(x: u32, y: u32) -> u32 {
    fn spread(mut v: u32) -> u32 {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    }
    spread(x) | (spread(y) << 1)
}

pub use crate::options::Dataset;

/// Points per RNG block: generation is parallel and seed-deterministic.
const BLOCK: usize = 1 << 16;

/// Generate `n` points of `dataset` from `seed`.
pub fn generate(dataset: Dataset, n: usize, seed: u64) -> Result<PointSet> {
    // 16 bytes a point for the host copy, 16 more transiently for the GPU's.
    if n > 2_000_000_000 {
        return Err(input(format!(
            "{n} points is more than pointillist can hold (at most 2,000,000,000)"
        )));
    }
    let xy = match dataset {
        Dataset::Uniform => generate_blocks(n, seed, |rng| {
            DVec2::new(rng.random::<f64>(), rng.random::<f64>())
        }),
        Dataset::Clusters => {
            let blobs = Blobs::new(seed);
            generate_blocks(n, seed, |rng| blobs.sample(rng))
        }
        Dataset::Spiral => generate_blocks(n, seed, spiral_point),
    };
    Ok(PointSet::from_points(xy, None))
}

fn generate_blocks(
    n: usize,
    seed: u64,
    sample: impl Fn(&mut SmallRng) -> DVec2 + Sync,
) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = crate::mem::zeroed_vec(n);
    out.par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(block, chunk)| {
            let mut rng = SmallRng::seed_from_u64(
                seed ^ (block as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            for o in chunk {
                *o = sample(&mut rng).to_array();
            }
        });
    out
}

/// A standard normal pair by Box-Muller.
fn gaussian(rng: &mut SmallRng) -> DVec2 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
    let u2 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let a = std::f64::consts::TAU * u2;
    DVec2::new(r * a.cos(), r * a.sin())
}

/// A mixture of rotated, stretched Gaussian blobs over roughly [0, 100] × [0, 60],
/// plus a faint broad haze, laid out from the seed.
struct Blobs {
    centres: Vec<DVec2>,
    axes: Vec<(DVec2, DVec2)>,
    cumulative: Vec<f64>,
}

impl Blobs {
    const HAZE: f64 = 0.03;

    fn new(seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed.wrapping_add(0xB10B));
        let k = 24;
        let (mut centres, mut axes, mut cumulative) = (vec![], vec![], vec![]);
        let mut total = 0.0;
        for _ in 0..k {
            centres.push(DVec2::new(
                8.0 + 84.0 * rng.random::<f64>(),
                6.0 + 48.0 * rng.random::<f64>(),
            ));
            let size = 0.3 + 5.0 * rng.random::<f64>().powi(3);
            let stretch = 0.3 + 0.7 * rng.random::<f64>();
            let angle = std::f64::consts::PI * rng.random::<f64>();
            let dir = DVec2::from_angle(angle);
            axes.push((dir * size, dir.perp() * size * stretch));
            total += 0.2 + rng.random::<f64>();
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Self {
            centres,
            axes,
            cumulative,
        }
    }

    fn sample(&self, rng: &mut SmallRng) -> DVec2 {
        if rng.random::<f64>() < Self::HAZE {
            // A faint, broad background.
            return DVec2::new(50.0, 30.0) + gaussian(rng) * DVec2::new(16.0, 9.0);
        }
        let u = rng.random::<f64>();
        let i = self
            .cumulative
            .partition_point(|&c| c < u)
            .min(self.centres.len() - 1);
        let g = gaussian(rng);
        let (a, b) = self.axes[i];
        self.centres[i] + a * g.x + b * g.y
    }
}

fn spiral_point(rng: &mut SmallRng) -> DVec2 {
    let arms = 3.0;
    let arm = (rng.random::<f64>() * arms).floor();
    let r = rng.random::<f64>().powf(0.7) * 10.0;
    let theta = arm * std::f64::consts::TAU / arms + r * 0.55;
    let spread = 0.15 + 0.08 * r;
    DVec2::from_angle(theta) * r + gaussian(rng) * spread
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README: the same seed gives the same points on any thread count.
    #[test]
    fn generators_give_the_same_points_on_any_thread_count() {
        for ds in [Dataset::Clusters, Dataset::Uniform, Dataset::Spiral] {
            let on = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| generate(ds, 300_007, 3).unwrap())
            };
            let one = on(1);
            for threads in [2, 3, 8] {
                let many = on(threads);
                assert_eq!(one.xy, many.xy, "{ds:?} on {threads} threads");
                assert_eq!(one.origin, many.origin);
                assert_eq!(one.bounds, many.bounds);
            }
        }
    }

    #[test]
    fn generators_are_deterministic_and_sized() {
        for ds in [Dataset::Clusters, Dataset::Uniform, Dataset::Spiral] {
            let a = generate(ds, 200_001, 7).unwrap();
            let b = generate(ds, 200_001, 7).unwrap();
            let c = generate(ds, 200_001, 8).unwrap();
            assert_eq!(a.len(), 200_001);
            assert_eq!(a.xy, b.xy);
            assert_ne!(a.xy, c.xy);
            assert!(!a.bounds.is_empty());
            assert!(a.xy.iter().all(|o| o[0].is_finite() && o[1].is_finite()));
        }
    }

    #[test]
    fn uniform_stays_in_unit_square() {
        let p = generate(Dataset::Uniform, 100_000, 1).unwrap();
        assert!(p.bounds.min.cmpge(DVec2::ZERO).all());
        assert!(p.bounds.max.cmplt(DVec2::ONE).all());
        // The mean of a uniform sample is near the centre.
        let mean = (0..p.len()).map(|i| p.point(i)).sum::<DVec2>() / p.len() as f64;
        assert!(
            (mean - DVec2::splat(0.5)).abs().max_element() < 0.01,
            "{mean}"
        );
    }

    #[test]
    fn far_away_data_keeps_precision() {
        // A 1e-6 lattice near 1e9 beside a point 2000 away: one f32 offset
        // from the centre cannot tell the lattice apart; hi + lo can.
        let mut x = vec![1e9 - 1000.0, 1e9 + 1000.0];
        let mut y = vec![-3.0, 5.0];
        for i in 0..10 {
            x.push(1e9 + 700.0 + i as f64 * 1e-6);
            y.push(1.25 + i as f64 * 1e-6);
        }
        let p = PointSet::from_f64(&x, &y, None);
        assert_eq!(p.origin, DVec2::new(1e9, 1.0));
        assert_eq!(p.bounds.min, DVec2::new(1e9 - 1000.0, -3.0));
        for i in 0..x.len() {
            assert_eq!(p.point(i), DVec2::new(x[i], y[i]));
            let [hx, hy, lx, ly] = split(p.origin, p.xy[i]);
            let back = p.origin + DVec2::new(hx as f64 + lx as f64, hy as f64 + ly as f64);
            let d = DVec2::new(x[i], y[i]) - p.origin;
            // 48 bits of the offset survive (f32 alone keeps 24: ~6e-5 here).
            let err = (back - DVec2::new(x[i], y[i])).abs();
            assert!(err.x <= d.x.abs() * 2f64.powi(-48), "{i}: {err}");
            assert!(err.y <= d.y.abs() * 2f64.powi(-48) + 1e-15, "{i}: {err}");
            assert_eq!(p.offset(i), [hx, hy]);
        }
        let distinct: std::collections::HashSet<u32> =
            (2..12).map(|i| p.offset(i)[0].to_bits()).collect();
        assert!(
            distinct.len() < 10,
            "f32 offsets alone would suffice: not a test"
        );
    }

    #[test]
    fn visible_runs_skip_only_tiles_outside_the_view() {
        let mut p = generate(Dataset::Uniform, 20 * TILE + 77, 5).unwrap();
        p.sort_morton();
        let view = Bounds {
            min: DVec2::new(0.3, 0.6),
            max: DVec2::new(0.4, 0.65),
        };
        let runs = p.visible_runs(view);
        let inside = |q: DVec2| q.cmpge(view.min).all() && q.cmple(view.max).all();
        let kept: usize = runs.iter().map(|r| r.len()).sum();
        // Every point in the view is in a run; most points are not.
        for i in 0..p.len() {
            if inside(p.point(i)) {
                assert!(runs.iter().any(|r| r.contains(&i)), "point {i} culled");
            }
        }
        assert!(kept * 5 < p.len(), "{kept} of {} kept", p.len());
        assert!(
            runs.windows(2).all(|w| w[0].end < w[1].start),
            "runs merged"
        );
        let all = Bounds {
            min: DVec2::splat(-1.0),
            max: DVec2::splat(2.0),
        };
        assert_eq!(p.visible_runs(all), vec![0..p.len()]);
    }

    #[test]
    fn morton_order_keeps_the_points_and_groups_neighbours() {
        assert_eq!(morton(0b11, 0b00), 0b0101);
        assert_eq!(morton(0b00, 0b11), 0b1010);
        assert_eq!(morton(0xffff, 0xffff), u32::MAX);
        let mut p = generate(Dataset::Uniform, 50_000, 3).unwrap();
        p.columns = vec![Arc::new((0..p.len()).map(|i| i as f32).collect())];
        let before = p.clone();
        let order = p.sort_morton();
        // A permutation that carries each point's data with it.
        let mut seen = order.clone();
        seen.sort_unstable();
        assert!(seen.iter().enumerate().all(|(i, &o)| i as u32 == o));
        for (new, &old) in order.iter().enumerate() {
            assert_eq!(p.xy[new], before.xy[old as usize]);
            assert_eq!(p.columns[0][new], old as f32);
        }
        assert_eq!(p.bounds, before.bounds);
        // Consecutive points are now close: mean step far below the unsorted one.
        let step = |q: &PointSet| {
            (1..q.len())
                .map(|i| (q.point(i) - q.point(i - 1)).length())
                .sum::<f64>()
                / q.len() as f64
        };
        assert!(
            step(&p) * 20.0 < step(&before),
            "{} vs {}",
            step(&p),
            step(&before)
        );
    }

    #[test]
    fn empty_set_has_empty_bounds() {
        let p = PointSet::from_f64(&[], &[], None);
        assert!(p.is_empty() && p.bounds.is_empty());
        assert_eq!(generate(Dataset::Clusters, 0, 1).unwrap().len(), 0);
    }
}
