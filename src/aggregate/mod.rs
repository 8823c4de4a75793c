//! Per-pixel aggregation on the CPU: the twin of shaders/splat.wgsl and
//! shaders/resolve.wgsl, and the CPU backend of the `splat` and `density` modes.
//!
//! Project -> aggregate -> shade, as Datashader does:
//! - [`GridMap`] projects a point to a pixel of a W x H grid covering the
//!   view, with Datashader's binning in f64 on the CPU (x -> int(x * sx + tx);
//!   a point exactly on the right or top edge falls in the last pixel; row 0
//!   is the top), and its twin of the GPU's f32 (hi, lo) arithmetic, which
//!   agrees but for points within [`GPU_EDGE_TOLERANCE`] px of a pixel edge.
//! - Only the runs of tiles that meet the view are visited ([`Input::runs`]).
//! - `splat`: the highest value wins the pixel (order-preserving u32 bits, 0 = empty);
//!   `count`: points per pixel.
//! - shading: a 256-entry table of count thresholds ([`thresholds`]) for
//!   linear, log, cbrt and eq_hist, shared by both backends, so the GPU only
//!   compares integers.

use glam::DVec2;
use rayon::prelude::*;

use crate::camera::Camera;
use crate::colormap::LUT_SIZE;
pub use crate::options::{Agg, Backend, How, Mode};

pub use crate::keys::{ordered, unordered};

mod shade;
pub use shade::*;

/// Data coordinates -> pixel of a `size` grid showing the camera's rectangle.
///
/// Two mappings of the same view. [`GridMap::cell`], the CPU backend's, is
/// Datashader's own in f64 (`xx = int(x * sx + tx)` with `sx = W / (x1 - x0)`,
/// `tx = -x0 * sx`, a point on the right/top edge in the last pixel), so CPU
/// grids of f64 data equal Datashader's exactly. [`GridMap::cell_gpu`] is the
/// twin of `pixel` in splat.wgsl, over the (hi, lo) f32 pairs the GPU holds:
/// `((hi - a_hi) + (lo - a_lo)) * k`. The two agree except for points within
/// [`GPU_EDGE_TOLERANCE`] pixels of a pixel edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridMap {
    /// View corner (x0, y0) minus the origin, split as [`crate::points::split`].
    pub a_hi: [f32; 2],
    pub a_lo: [f32; 2],
    /// Pixels per data unit, in f32 (the GPU's).
    pub k: [f32; 2],
    pub size: [u32; 2],
    /// Datashader's scale and translation, and the view, in f64.
    s: [f64; 2],
    t: [f64; 2],
    lo: [f64; 2],
    hi: [f64; 2],
    /// Whether an axis bins `(x - x0) * sx` instead: where `x * sx + tx`
    /// would cancel away whole pixels (far from zero and zoomed in).
    shifted: [bool; 2],
}

/// Past this many pixels from zero, `x * sx + tx` loses more than 2^-20 px.
const SHIFT_ABOVE: f64 = 4_294_967_296.0;

/// How far (in pixels, along either axis) from a pixel edge a point may be and
/// still land in the neighbouring pixel on the GPU, for grids up to 8192 px:
/// the f32 arithmetic of `pixel` in splat.wgsl errs by a few units in the
/// last place of the pixel coordinate, plus what the (hi, lo) pairs lose
/// (2^-47 of the largest offset from the origin, [`GridMap::gpu_tolerance`]).
#[cfg_attr(not(test), allow(dead_code))]
pub const GPU_EDGE_TOLERANCE: f64 = 2e-3;

impl GridMap {
    pub fn new(camera: &Camera, origin: DVec2, size: (u32, u32)) -> Self {
        let (x0, x1) = camera.x_range();
        let (y0, y1) = camera.y_range();
        let [ahx, ahy, alx, aly] = crate::points::split(origin, [x0, y0]);
        let (w, h) = (size.0 as f64, size.1 as f64);
        let (sx, sy) = (w / (x1 - x0), h / (y1 - y0));
        let (tx, ty) = (-x0 * sx, -y0 * sy);
        let shifted = [
            tx.abs().max((x1 * sx).abs()) >= SHIFT_ABOVE,
            ty.abs().max((y1 * sy).abs()) >= SHIFT_ABOVE,
        ];
        Self {
            a_hi: [ahx, ahy],
            a_lo: [alx, aly],
            k: [sx as f32, sy as f32],
            size: [size.0, size.1],
            s: [sx, sy],
            t: [tx, ty],
            lo: [x0, y0],
            hi: [x1, y1],
            shifted,
        }
    }

    /// Grid index of the pixel `p` falls in, or None outside the view (or NaN).
    #[inline]
    #[cfg(test)]
    pub fn pixel(&self, p: [f64; 2]) -> Option<usize> {
        self.cell(p)
            .map(|(x, row)| (row * self.size[0] + x) as usize)
    }

    /// Column and row (0 at the top) of the pixel `p` falls in, as Datashader
    /// bins it (f64; `int()` truncates). Where Datashader's `x * sx + tx` would
    /// itself be off by more than 2^-20 px (beyond 2^32 px from zero), the
    /// offset from the view's corner is scaled instead, so that every point
    /// stays in its pixel at any zoom.
    #[inline]
    pub fn cell(&self, p: [f64; 2]) -> Option<(u32, u32)> {
        let [x, y] = p;
        if !(self.lo[0] <= x && x <= self.hi[0] && self.lo[1] <= y && y <= self.hi[1]) {
            return None;
        }
        let index = |v: f64, a: usize| {
            let f = if self.shifted[a] {
                (v - self.lo[a]) * self.s[a]
            } else {
                v * self.s[a] + self.t[a]
            };
            let i = f as i64;
            // Datashader 0.19: `xxmax - 1 if xx >= xxmax else xx`.
            i.clamp(0, self.size[a] as i64 - 1) as u32
        };
        let (cx, cy) = (index(x, 0), index(y, 1));
        Some((cx, self.size[1] - 1 - cy))
    }

    /// Twin of `pixel` in splat.wgsl: column and row of a point the GPU holds
    /// as (hi, lo) pairs.
    #[inline]
    pub fn cell_gpu(&self, p: [f32; 4]) -> Option<(u32, u32)> {
        let tx = ((p[0] - self.a_hi[0]) + (p[2] - self.a_lo[0])) * self.k[0];
        let ty = ((p[1] - self.a_hi[1]) + (p[3] - self.a_lo[1])) * self.k[1];
        let (w, h) = (self.size[0] as f32, self.size[1] as f32);
        if !(tx >= 0.0 && tx <= w && ty >= 0.0 && ty <= h) {
            return None;
        }
        let x = (tx as u32).min(self.size[0] - 1);
        let y = (ty as u32).min(self.size[1] - 1);
        Some((x, self.size[1] - 1 - y))
    }

    /// How far from a pixel edge (x, y, in pixels) a point may land in the
    /// neighbouring pixel on the GPU, where no point nor the view's corner is
    /// further than `reach` from the origin.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn gpu_tolerance(&self, reach: f64) -> [f64; 2] {
        let lost = reach * 2f64.powi(-46);
        [
            GPU_EDGE_TOLERANCE + lost * self.s[0],
            GPU_EDGE_TOLERANCE + lost * self.s[1],
        ]
    }

    /// The pixel coordinates of `p` in f64 (x from the left, y from the bottom).
    pub fn coordinates(&self, p: [f64; 2]) -> [f64; 2] {
        [
            (p[0] - self.lo[0]) * self.s[0],
            (p[1] - self.lo[1]) * self.s[1],
        ]
    }

    pub fn len(&self) -> usize {
        self.size[0] as usize * self.size[1] as usize
    }
}

/// Where the points to aggregate are: f64 as given (the CPU backend), or the
/// GPU's (hi, lo) pairs (the twin that GPU grids must equal bit for bit).
#[derive(Debug, Clone, Copy)]
pub enum Positions<'a> {
    Exact(&'a [[f64; 2]]),
    #[cfg_attr(not(test), allow(dead_code))]
    Gpu(&'a [[f32; 4]]),
}

/// The points of an aggregation: their positions and the runs of them a
/// view needs (tiles outside it are left out before any per-point work).
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub positions: Positions<'a>,
    pub runs: Vec<std::ops::Range<usize>>,
}

impl<'a> Input<'a> {
    /// Every point, binned in f64.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn exact(xy: &'a [[f64; 2]]) -> Self {
        Self {
            positions: Positions::Exact(xy),
            runs: std::iter::once(0..xy.len()).collect(),
        }
    }

    /// Every point, binned as the GPU bins its (hi, lo) pairs.
    #[cfg(test)]
    pub fn gpu_twin(p: &'a [[f32; 4]]) -> Self {
        Self {
            positions: Positions::Gpu(p),
            runs: std::iter::once(0..p.len()).collect(),
        }
    }

    #[inline]
    fn cell(&self, map: &GridMap, i: usize) -> Option<(u32, u32)> {
        match self.positions {
            Positions::Exact(xy) => map.cell(xy[i]),
            Positions::Gpu(p) => map.cell_gpu(p[i]),
        }
    }
}

/// Highest value per pixel, as `ordered` bits (0: no point). NaN values are skipped.
pub fn splat(input: &Input, values: &[f32], map: &GridMap) -> Vec<u32> {
    aggregate(input, map, keys(values), keep_max)
}

/// Smallest value per pixel, as `ordered` bits (0: no point). NaN values are skipped.
/// The GPU keeps `!ordered(v)` with atomicMax and flips it back (`finalise`).
pub fn min_splat(input: &Input, values: &[f32], map: &GridMap) -> Vec<u32> {
    aggregate(input, map, keys(values), keep_min)
}

/// Points per pixel (saturating, so a billion points in one pixel cannot wrap),
/// leaving out the points the filter left out (`values`, when given).
pub fn count(input: &Input, values: Option<&[f32]>, map: &GridMap) -> Vec<u32> {
    aggregate(input, map, kept(values), |cell, ()| count_one(cell))
}

/// What point i brings to a count: nothing, if the filter left it out.
fn kept(values: Option<&[f32]>) -> impl Fn(usize) -> Option<()> + Sync + '_ {
    move |i| {
        values
            .is_none_or(|v| crate::derive::is_kept(v[i]))
            .then_some(())
    }
}

/// What point i brings to a maximum or minimum: its value's `ordered` key (not NaN).
fn keys(values: &[f32]) -> impl Fn(usize) -> Option<u32> + Sync + '_ {
    move |i| {
        let v = values[i];
        (!v.is_nan()).then(|| ordered(v))
    }
}

/// A maximum cell keeps the higher key.
#[inline]
pub fn keep_max(cell: &mut u32, key: u32) {
    *cell = (*cell).max(key);
}

/// A minimum cell keeps the lower key. Branch-free: an empty cell (0) wraps
/// to u32::MAX, which any key beats.
#[inline]
pub fn keep_min(cell: &mut u32, key: u32) {
    *cell = cell
        .wrapping_sub(1)
        .min(key.wrapping_sub(1))
        .wrapping_add(1);
}

/// One more point in a count cell; stays at `u32::MAX` instead of wrapping.
#[inline]
fn count_one(cell: &mut u32) {
    *cell = cell.saturating_add(1);
}

/// Fixed-point values, so that sums are exact and the same in any order, on the
/// CPU and on the GPU (u32 atomics): `q = trunc((v - lo) * scale)`, 2^24 steps
/// over the data's value range (as fine as an f32 resolves it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiser {
    pub lo: f32,
    /// Steps per value unit (0 for a degenerate range: every value is `lo`).
    pub scale: f32,
    /// Value units per step.
    pub step: f32,
}

impl Quantiser {
    pub const STEPS: f32 = 16_777_216.0;

    /// For values within `range` (the min and max of the finite values).
    pub fn new(range: Option<(f32, f32)>) -> Self {
        let (lo, hi) = range.unwrap_or((0.0, 0.0));
        let span = hi - lo;
        let (scale, step) = if span > 0.0 && span.is_finite() {
            (Self::STEPS / span, span / Self::STEPS)
        } else {
            (0.0, 0.0)
        };
        Self { lo, scale, step }
    }

    /// Twin of the quantising line of `sum_values` in splat.wgsl (saturating casts).
    #[inline]
    pub fn quantise(&self, v: f32) -> u32 {
        ((v - self.lo) * self.scale) as u32
    }

    /// Sum of `n` values whose steps add up to `s` (twin of `finalise` in splat.wgsl).
    /// Each value lies half a step above its truncated step on average.
    pub fn sum(&self, n: u32, s: u64) -> f32 {
        let (n, s) = (n as f32, steps_f32(s));
        n * self.lo + (s + 0.5 * n) * self.step
    }

    /// Mean of `n` values whose steps add up to `s` (twin of `finalise` in splat.wgsl).
    pub fn mean(&self, n: u32, s: u64) -> f32 {
        let (n, s) = (n as f32, steps_f32(s));
        self.lo + (s / n + 0.5) * self.step
    }
}

/// A u64 made of two u32 words, in f32 as the GPU computes it.
fn steps_f32(s: u64) -> f32 {
    (s >> 32) as u32 as f32 * 4_294_967_296.0 + s as u32 as f32
}

/// Values and the sum of their fixed-point steps in one pixel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, bytemuck::Zeroable)]
pub struct SumCell {
    pub n: u32,
    pub steps: u64,
}

/// Number of (non-NaN) values and the sum of their steps per pixel.
pub fn sums(input: &Input, values: &[f32], map: &GridMap, q: &Quantiser) -> Vec<SumCell> {
    aggregate(input, map, steps(values, q), add_steps)
}

/// What point i brings to a sum: its value's fixed-point steps (not NaN).
fn steps<'a>(values: &'a [f32], q: &'a Quantiser) -> impl Fn(usize) -> Option<u32> + Sync + 'a {
    move |i| {
        let v = values[i];
        (!v.is_nan()).then(|| q.quantise(v))
    }
}

#[inline]
fn add_steps(cell: &mut SumCell, steps: u32) {
    cell.n += 1;
    cell.steps += steps as u64;
}

/// [`count`] added into `grid` (a grid of `map`'s size that earlier calls
/// filled), on this thread, point after point: a streamed pass's worker, which
/// keeps its own grid for all of its batches, has no grid to clear and merge
/// per batch. The same cells as one [`count`] of all the batches together;
/// [`add_max`], [`add_min`] and [`add_sums`] are its twins for the others.
pub fn add_count(grid: &mut [u32], input: &Input, values: Option<&[f32]>, map: &GridMap) {
    add(grid, input, map, kept(values), |cell, ()| count_one(cell))
}

/// [`splat`] added into `grid`, as [`add_count`] adds counts.
pub fn add_max(grid: &mut [u32], input: &Input, values: &[f32], map: &GridMap) {
    add(grid, input, map, keys(values), keep_max)
}

/// [`min_splat`] added into `grid`, as [`add_count`] adds counts.
pub fn add_min(grid: &mut [u32], input: &Input, values: &[f32], map: &GridMap) {
    add(grid, input, map, keys(values), keep_min)
}

/// [`sums`] added into `grid`, as [`add_count`] adds counts.
pub fn add_sums(grid: &mut [SumCell], input: &Input, values: &[f32], map: &GridMap, q: &Quantiser) {
    add(grid, input, map, steps(values, q), add_steps)
}

/// `apply(cell, payload(i))` for each point i of the input in the view, in
/// the order of the points within each cell.
///
/// In two steps: each point's cell and payload first, sorted into bands of
/// rows small enough to stay in a core's cache, then the updates band by
/// band. A grid is larger than the caches and the points fall on it at
/// random: updated in the points' order, each update waits on memory.
fn add<C, P: Copy>(
    grid: &mut [C],
    input: &Input,
    map: &GridMap,
    payload: impl Fn(usize) -> Option<P>,
    apply: impl Fn(&mut C, P),
) {
    assert_eq!(grid.len(), map.len(), "a grid of the map's size");
    if grid.is_empty() {
        return;
    }
    let width = map.size[0];
    // About 64k cells a band (256 KiB of counts); a band is a shift of a row.
    let band_shift = (ADD_BAND_CELLS / width as usize).max(1).ilog2();
    let bands = (map.size[1] as usize).div_ceil(1 << band_shift);
    let total: usize = input.runs.iter().map(|r| r.len()).sum();
    let mut buckets: Vec<Vec<(u32, P)>> = (0..bands)
        .map(|_| Vec::with_capacity(total.div_ceil(bands) * 5 / 4))
        .collect();
    let mut bin = |(x, row): (u32, u32), i: usize| {
        if let Some(v) = payload(i) {
            buckets[(row >> band_shift) as usize].push((row * width + x, v));
        }
    };
    // One loop per kind of position, each with its cell inlined.
    for run in input.runs.iter().cloned() {
        match input.positions {
            Positions::Exact(xy) => run.for_each(|i| {
                if let Some(c) = map.cell(xy[i]) {
                    bin(c, i)
                }
            }),
            Positions::Gpu(p) => run.for_each(|i| {
                if let Some(c) = map.cell_gpu(p[i]) {
                    bin(c, i)
                }
            }),
        }
    }
    for bucket in &buckets {
        for &(cell, v) in bucket {
            apply(&mut grid[cell as usize], v);
        }
    }
}

/// Cells of a band of [`add`]'s (at most; at least one row).
const ADD_BAND_CELLS: usize = 1 << 16;

/// Sums -> the grid of `ordered` keys that `agg` (sum or mean) shades (0: empty).
/// Twin of `finalise` in splat.wgsl.
pub fn finalise_sums(cells: &[SumCell], q: &Quantiser, agg: Agg) -> Vec<u32> {
    cells
        .par_iter()
        .map(|c| match c.n {
            0 => 0,
            n if agg == Agg::Mean => ordered(q.mean(n, c.steps)),
            n => ordered(q.sum(n, c.steps)),
        })
        .collect()
}

/// Points per pixel and the sums of their categories' colours, for
/// Datashader's colour mix (`count_cat` + `shade`) without a plane per
/// category: the mix needs only these. Exact in any order (integers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, bytemuck::Zeroable)]
pub struct MixCell {
    pub n: u32,
    pub rgb: [u64; 3],
}

/// The mix of the points with category codes `codes` (NaN: left out by the
/// filter) coloured by `palette` (packed RGBA8 by code). Twin of
/// `mix_categories` in splat.wgsl.
pub fn mix(input: &Input, codes: &[f32], palette: &[u32; LUT_SIZE], map: &GridMap) -> Vec<MixCell> {
    aggregate(
        input,
        map,
        |i| {
            // No category, or one whose colour has no alpha (hidden): left out.
            let v = codes[i];
            let c = palette[(v as usize).min(LUT_SIZE - 1)];
            (!v.is_nan() && c >> 24 != 0).then_some(c)
        },
        |cell: &mut MixCell, c: u32| {
            count_one(&mut cell.n);
            for (k, s) in cell.rgb.iter_mut().enumerate() {
                *s += ((c >> (8 * k)) & 255) as u64;
            }
        },
    )
}

/// The two grids a mix is shaded from: points per pixel (the alpha, through
/// `how`) and each pixel's mixed colour, packed (twin of `finalise_mix` in
/// splat.wgsl).
pub fn finalise_mix(cells: &[MixCell]) -> (Vec<u32>, Vec<u32>) {
    let counts = cells.par_iter().map(|c| c.n).collect();
    let colours = cells
        .par_iter()
        .map(|c| {
            let [r, g, b] = crate::categories::mix_colour(c.n, c.rgb);
            u32::from_le_bytes([r, g, b, 0])
        })
        .collect();
    (counts, colours)
}

/// The density grid of `agg` on the CPU: counts, or `ordered` keys of the
/// per-pixel value (0: no point), exactly as the GPU makes it.
pub fn density(agg: Agg, input: &Input, values: &[f32], map: &GridMap, q: &Quantiser) -> Vec<u32> {
    match agg {
        Agg::Count => count(input, Some(values), map),
        Agg::Max => splat(input, values, map),
        Agg::Min => min_splat(input, values, map),
        Agg::Sum | Agg::Mean => finalise_sums(&sums(input, values, map, q), q, agg),
    }
}

/// Points handled per round of [`aggregate`]: bounds the temporary buckets to
/// 8-16 bytes a point of it.
const ROUND: usize = 1 << 21;
/// Horizontal bands of the grid (at most; each is filled by one thread, in cache).
const BANDS: usize = 64;

/// Bins points by screen band, then lets one thread fill each band's slice of
/// the grid: no atomics, no merge, and each band's writes stay in cache.
/// `payload(i)` is what point i brings (None: skip it); `apply` folds it into a cell.
/// Only the input's runs are visited.
fn aggregate<C, P>(
    input: &Input,
    map: &GridMap,
    payload: impl Fn(usize) -> Option<P> + Sync,
    apply: impl Fn(&mut C, P) + Sync,
) -> Vec<C>
where
    C: bytemuck::Zeroable + Clone + Send + Sync,
    P: Copy + Send + Sync,
{
    let mut grid: Vec<C> = crate::mem::zeroed_vec(map.len());
    if grid.is_empty() {
        return grid;
    }
    let width = map.size[0] as usize;
    // A power of two of rows per band: a point's band is a shift of its row.
    let band_shift = (map.size[1] as usize)
        .div_ceil(BANDS)
        .next_power_of_two()
        .trailing_zeros();
    let band_cells = width << band_shift;
    let bands = (map.size[1] as usize).div_ceil(1 << band_shift);
    let parts = rayon::current_num_threads().max(1) * 2;
    let total: usize = input.runs.iter().map(|r| r.len()).sum();
    // Buckets are reused from round to round: no fresh pages to fault in. Room
    // for an even share (and a quarter more) up front saves most regrowth copies.
    let share = total.min(ROUND).div_ceil(parts * bands) * 5 / 4;
    let mut buckets: Vec<Vec<Vec<(u32, P)>>> = (0..parts)
        .map(|_| (0..bands).map(|_| Vec::with_capacity(share)).collect())
        .collect();
    for round in split_runs(&input.runs, ROUND) {
        let len: usize = round.iter().map(|r| r.len()).sum();
        let pieces = split_runs(&round, len.div_ceil(parts).max(1));
        buckets
            .par_iter_mut()
            .zip(pieces.par_iter())
            .for_each(|(b, piece)| {
                b.iter_mut().for_each(Vec::clear);
                for i in piece.iter().cloned().flatten() {
                    if let Some((x, row)) = input.cell(map, i) {
                        if let Some(v) = payload(i) {
                            let p = row * map.size[0] + x;
                            b[(row >> band_shift) as usize].push((p, v));
                        }
                    }
                }
            });
        let used = pieces.len();
        grid.par_chunks_mut(band_cells)
            .enumerate()
            .for_each(|(band, cells)| {
                let base = band * band_cells;
                for b in &buckets[..used] {
                    for &(p, v) in &b[band] {
                        apply(&mut cells[p as usize - base], v);
                    }
                }
            });
    }
    grid
}

/// `runs` cut into consecutive groups of `each` points (the last may hold fewer).
fn split_runs(runs: &[std::ops::Range<usize>], each: usize) -> Vec<Vec<std::ops::Range<usize>>> {
    let mut groups = vec![];
    let mut group: Vec<std::ops::Range<usize>> = vec![];
    let mut room = each;
    for r in runs {
        let mut r = r.clone();
        while !r.is_empty() {
            let take = r.len().min(room);
            group.push(r.start..r.start + take);
            r.start += take;
            room -= take;
            if room == 0 {
                groups.push(std::mem::take(&mut group));
                room = each;
            }
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

#[cfg(test)]
mod tests;
