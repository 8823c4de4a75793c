//! Selection by polygon (a lasso, a box, `--select-polygon`), as plain data:
//! the CPU twin of shaders/select.wgsl (point-in-polygon, even-odd rule, in
//! the f32 pixel coordinates the GPU computes), the bit mask of selected
//! points and how two selections combine, an f64 reference for tests, and
//! [`Selection`], the selected rows as the API returns and writes them.
//! Driven on the GPU by src/render/select.rs.
//!
//! **Edges.** A point exactly on the polygon's boundary is inside on its left
//! and bottom edges and outside on its right and top edges (data coordinates,
//! y up), as a rightward ray from the point crosses an edge only when the
//! edge's crossing lies strictly to its right and its lower end is at or below
//! the point: so polygons that share an edge split the points on it, each
//! point in exactly one. Of a square's corners, only the bottom-left is inside.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use glam::DVec2;
use rayon::prelude::*;

use crate::aggregate::GridMap;
use crate::derive::is_kept;
use crate::error::{input, Result};
use crate::points::{split, Bounds, PointSet, TILE};

/// Most vertices a polygon may have (a lasso is thinned to fewer).
pub const MAX_VERTICES: usize = 4096;

/// Twin of `inside` in select.wgsl: whether `t` is inside `poly` (pixel
/// coordinates from the view's corner, x right, y up) by the even-odd rule.
/// The crossing test multiplies instead of dividing, `(t.x - a.x) * (b.y -
/// a.y)` against `(t.y - a.y) * (b.x - a.x)`: two products compared, nothing
/// for a compiler to fuse.
#[inline]
#[cfg(test)]
pub fn inside(t: [f32; 2], poly: &[[f32; 2]]) -> bool {
    let mut odd = false;
    let mut j = poly.len().wrapping_sub(1);
    for (i, &a) in poly.iter().enumerate() {
        odd ^= crosses(t, a, poly[j]);
        j = i;
    }
    odd
}

/// Whether a ray from `t` towards +x crosses the edge from `b` to `a`
/// (select.wgsl's test, written the same way).
#[inline]
fn crosses(t: [f32; 2], a: [f32; 2], b: [f32; 2]) -> bool {
    if (a[1] > t[1]) != (b[1] > t[1]) {
        let l = (t[0] - a[0]) * (b[1] - a[1]);
        let r = (t[1] - a[1]) * (b[0] - a[0]);
        if b[1] > a[1] {
            l < r
        } else {
            l > r
        }
    } else {
        false
    }
}

/// A polygon's edges bucketed by horizontal band of the plane: a point can
/// only cross the edges whose y span holds its y, so [`EdgeBands::inside`]
/// tests the few edges of its band and gives exactly what [`inside`] gives
/// (the same crossing test on every edge that can cross; the bands are made
/// with the same monotone function of y as the lookup, so an edge spanning a
/// point's y is always in the point's band).
pub struct EdgeBands {
    /// Band of y: floor((y - y0) * scale), clamped to the bands (NaN: 0).
    pub y0: f32,
    pub scale: f32,
    /// Band b's edges are `edges[starts[b]..starts[b + 1]]` (index of the
    /// edge's first vertex), in polygon order. select.wgsl reads both.
    pub starts: Vec<u32>,
    pub edges: Vec<u32>,
}

impl EdgeBands {
    pub fn new(poly: &[[f32; 2]]) -> Self {
        let (lo, hi) = poly
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), p| {
                (l.min(p[1]), h.max(p[1]))
            });
        let n = poly.len().clamp(1, 1024);
        let span = hi - lo;
        let scale = if span > 0.0 { n as f32 / span } else { 0.0 };
        let mut bands = EdgeBands {
            y0: lo,
            scale,
            starts: vec![0; n + 1],
            edges: vec![],
        };
        let mut lists: Vec<Vec<u32>> = vec![vec![]; n];
        let mut j = poly.len().wrapping_sub(1);
        for (i, a) in poly.iter().enumerate() {
            let b = poly[j];
            let (from, to) = (bands.band(a[1].min(b[1])), bands.band(a[1].max(b[1])));
            for list in &mut lists[from..=to] {
                list.push(i as u32);
            }
            j = i;
        }
        for (b, list) in lists.iter().enumerate() {
            bands.starts[b + 1] = bands.starts[b] + list.len() as u32;
            bands.edges.extend(list);
        }
        bands
    }

    /// Twin of the band lookup in select.wgsl's `inside`.
    fn band(&self, y: f32) -> usize {
        let last = self.starts.len() - 2;
        let f = ((y - self.y0) * self.scale).floor();
        if f.is_nan() || f < 0.0 {
            0
        } else {
            (f as usize).min(last)
        }
    }

    /// [`inside`] of `t`, through the edges of its band.
    pub fn inside(&self, t: [f32; 2], poly: &[[f32; 2]]) -> bool {
        let b = self.band(t[1]);
        let mut odd = false;
        for &i in &self.edges[self.starts[b] as usize..self.starts[b + 1] as usize] {
            let i = i as usize;
            let j = if i == 0 { poly.len() - 1 } else { i - 1 };
            odd ^= crosses(t, poly[i], poly[j]);
        }
        odd
    }
}

/// The even-odd rule in f64 (the tests' reference; same edge rule).
#[cfg(test)]
pub fn inside_f64(t: [f64; 2], poly: &[[f64; 2]]) -> bool {
    let mut odd = false;
    let mut j = poly.len() - 1;
    for (i, &a) in poly.iter().enumerate() {
        let b = poly[j];
        if (a[1] > t[1]) != (b[1] > t[1]) {
            let x = a[0] + (t[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if t[0] < x {
                odd = !odd;
            }
        }
        j = i;
    }
    odd
}

/// A polygon in data coordinates, checked: at least 3 finite vertices, at
/// most [`MAX_VERTICES`].
pub fn check_polygon(poly: &[[f64; 2]]) -> Result<()> {
    if poly.len() < 3 {
        return Err(input(format!(
            "a selection polygon needs at least 3 vertices, not {}",
            poly.len()
        )));
    }
    if poly.len() > MAX_VERTICES {
        return Err(input(format!(
            "a selection polygon has at most {MAX_VERTICES} vertices, not {}",
            poly.len()
        )));
    }
    if let Some(p) = poly
        .iter()
        .find(|p| !(p[0].is_finite() && p[1].is_finite()))
    {
        return Err(input(format!(
            "selection vertex ({}, {}) is not finite",
            p[0], p[1]
        )));
    }
    Ok(())
}

/// The data-space bounds of `poly`.
pub fn polygon_bounds(poly: &[[f64; 2]]) -> Bounds {
    let mut b = Bounds::EMPTY;
    for p in poly {
        b.include(DVec2::from_array(*p));
    }
    b
}

/// `poly` (data coordinates) in `map`'s f32 pixel coordinates, what the
/// shader tests points against.
pub fn to_pixels(poly: &[[f64; 2]], map: &GridMap) -> Vec<[f32; 2]> {
    poly.iter()
        .map(|&p| {
            let c = map.coordinates(p);
            [c[0] as f32, c[1] as f32]
        })
        .collect()
}

/// One bit per point (bit `i % 32` of word `i / 32`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mask {
    pub words: Vec<u32>,
    pub len: usize,
}

/// How a new selection meets the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    Replace,
    Add,
    Subtract,
}

impl Mask {
    pub fn empty(len: usize) -> Mask {
        Mask {
            words: vec![0; len.div_ceil(32)],
            len,
        }
    }

    #[cfg(test)]
    pub fn get(&self, i: usize) -> bool {
        self.words[i / 32] >> (i % 32) & 1 == 1
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The selected points' indices, ascending.
    pub fn indices(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.count());
        for (w, &word) in self.words.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                out.push(w * 32 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        out
    }

    /// `self` after `new` was selected with `op`.
    pub fn combine(&mut self, new: &Mask, op: Combine) {
        assert_eq!(self.len, new.len, "masks of the same points");
        for (a, &b) in self.words.iter_mut().zip(&new.words) {
            *a = match op {
                Combine::Replace => b,
                Combine::Add => *a | b,
                Combine::Subtract => *a & !b,
            };
        }
    }
}

/// The CPU twin of select.wgsl: the points of `set` inside `poly` (pixel
/// coordinates of `map`, made with `set.origin`), each computed from its
/// (hi, lo) pair exactly as the GPU does; only points of tiles meeting
/// `bounds` are tested; points the filter left out (`values`) are never
/// selected.
pub fn select_twin(
    set: &PointSet,
    map: &GridMap,
    poly: &[[f32; 2]],
    bounds: Bounds,
    values: Option<&[f32]>,
) -> Mask {
    let mut mask = Mask::empty(set.len());
    let bands = EdgeBands::new(poly);
    let runs = set.visible_runs(bounds);
    let words_per_tile = TILE / 32;
    let mut tiles: Vec<(usize, &mut [u32])> = mask
        .words
        .chunks_mut(words_per_tile)
        .enumerate()
        .filter(|(t, _)| {
            let start = t * TILE;
            runs.iter().any(|r| r.start <= start && start < r.end)
        })
        .collect();
    tiles.par_iter_mut().for_each(|(t, words)| {
        for (w, word) in words.iter_mut().enumerate() {
            let mut bits = 0u32;
            for b in 0..32 {
                let i = *t * TILE + w * 32 + b;
                if i >= set.len() {
                    break;
                }
                if values.is_some_and(|v| !is_kept(v[i])) {
                    continue;
                }
                let q = split(set.origin, set.xy[i]);
                let tx = ((q[0] - map.a_hi[0]) + (q[2] - map.a_lo[0])) * map.k[0];
                let ty = ((q[1] - map.a_hi[1]) + (q[3] - map.a_lo[1])) * map.k[1];
                if bands.inside([tx, ty], poly) {
                    bits |= 1 << b;
                }
            }
            *word = bits;
        }
    });
    mask
}

/// The points a selection holds, in storage order: their rows in the input
/// (0-based, stable under a Morton sort), positions and values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    /// Row of each selected point in the input, ascending storage order.
    pub rows: Vec<u64>,
    /// Each point's x, as given.
    pub x: Vec<f64>,
    /// Each point's y, as given.
    pub y: Vec<f64>,
    /// Each point's value (NaN where it has none).
    pub values: Vec<f32>,
    /// What the values are (the expression or column), the CSV's header.
    pub value_name: String,
}

impl Selection {
    /// How many points are selected.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no point is selected.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// CSV with a header `index,x,y,value`, rows by input row; positions and
    /// values written so that they read back to the same f64 / f32 (no value:
    /// an empty field).
    pub fn to_csv(&self) -> String {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by_key(|&i| self.rows[i]);
        let name = self.value_name.replace('"', "\"\"");
        let mut s = format!("index,x,y,\"{name}\"\n");
        for i in order {
            let v = self.values[i];
            let v = if v.is_finite() {
                format!("{v:?}")
            } else {
                String::new()
            };
            let _ = writeln!(s, "{},{:?},{:?},{v}", self.rows[i], self.x[i], self.y[i]);
        }
        s
    }

    /// Writes the CSV to the first `pointillist-selection-NNNN.csv` in `dir`
    /// that does not exist yet (never overwriting); returns its path.
    pub fn save_new(&self, dir: &Path) -> Result<PathBuf> {
        crate::files::write_new(
            dir,
            "pointillist-selection",
            "csv",
            self.to_csv().as_bytes(),
        )
    }
}

/// The rows `mask` selects from `plot` (`rows`: each stored point's row in
/// the input, None when the points are in input order), with their values
/// as the frame derived them.
pub fn selection(
    plot: &dyn crate::probe::Sampled,
    mask: &Mask,
    rows: Option<&[u32]>,
    value_name: &str,
) -> Selection {
    let idx = mask.indices();
    let values = plot.values_of(&idx);
    let xy = &plot.points().xy;
    Selection {
        rows: idx
            .iter()
            .map(|&i| rows.map_or(i as u64, |r| r[i] as u64))
            .collect(),
        x: idx.iter().map(|&i| xy[i][0]).collect(),
        y: idx.iter().map(|&i| xy[i][1]).collect(),
        values,
        value_name: value_name.to_string(),
    }
}

/// Opacity of the veil of background over the points a selection leaves out.
pub const VEIL_ALPHA: u8 = 200;

/// The points `idx` of `set` with their `values` as column 0, for a highlight.
pub fn selected_points(set: &PointSet, idx: &[usize], values: Vec<f32>) -> PointSet {
    let order: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
    let mut sub = PointSet::from_points(crate::points::gather(&set.xy, &order), None);
    sub.columns = vec![std::sync::Arc::new(values)];
    sub.origin = set.origin;
    sub
}

/// A highlight's value settings: its column 0 (the full plot's values, so
/// `index`, `wave` and every expression mean what they meant) coloured on
/// the full plot's `range`.
pub fn selected_values(
    full: &crate::derive::ValueSettings,
    range: Option<(f32, f32)>,
) -> crate::derive::ValueSettings {
    crate::derive::ValueSettings {
        value: crate::expr::Node::Var(crate::expr::Var::Column(0)),
        filter: None,
        range: range.or(full.range),
        t: full.t,
        extremes: full.extremes,
        norm: full.norm,
        categories: full.categories,
    }
}

/// A veil of the background over the plot area of `view`: what dims the
/// points a selection leaves out.
pub fn veil(view: &crate::frame::FrameView, background: [f64; 3]) -> crate::overlay::Overlay {
    let vp = view.viewport;
    crate::overlay::Overlay {
        lines: vec![crate::overlay::fill_rect(
            vp.min.as_vec2(),
            (vp.min + vp.size).as_vec2(),
            crate::overlay::background_rgba(background, VEIL_ALPHA),
        )],
        ..crate::overlay::Overlay::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::Camera;
    use rand::{RngExt, SeedableRng};

    /// A view where data units are pixels: (0, 0) .. (w, h).
    fn unit_map(w: u32, h: u32, origin: DVec2) -> GridMap {
        GridMap::new(
            &Camera::from_ranges((0.0, w as f64), (0.0, h as f64)),
            origin,
            (w, h),
        )
    }

    /// The banded test equals the plain one on every point, for random
    /// polygons (free-hand, with horizontal edges and repeated vertices) and
    /// points on their vertices, on their edges' y values and anywhere.
    #[test]
    fn edge_bands_give_what_every_edge_gives() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut checked = 0;
        for n in [3, 4, 7, 40, 300] {
            for _ in 0..20 {
                let mut poly: Vec<[f32; 2]> = (0..n)
                    .map(|_| {
                        [
                            rng.random_range(0..64) as f32,
                            rng.random_range(0..64) as f32,
                        ]
                    })
                    .collect();
                poly.push(poly[0]);
                poly[1][1] = poly[2][1];
                let bands = EdgeBands::new(&poly);
                let mut points: Vec<[f32; 2]> = poly.clone();
                points.extend(poly.iter().map(|p| [rng.random_range(-1.0..65.0), p[1]]));
                points.extend(
                    (0..200).map(|_| [rng.random_range(-1.0..65.0), rng.random_range(-1.0..65.0)]),
                );
                for t in points {
                    assert_eq!(
                        bands.inside(t, &poly),
                        inside(t, &poly),
                        "{t:?} in {poly:?}"
                    );
                    checked += inside(t, &poly) as usize;
                }
            }
        }
        assert!(checked > 1000, "only {checked} points inside");
        // A flat polygon: one band, nothing inside.
        let flat = [[0.0f32, 1.0], [5.0, 1.0], [2.0, 1.0]];
        assert!(!EdgeBands::new(&flat).inside([1.0, 1.0], &flat));
    }

    #[test]
    fn edges_and_vertices_fall_on_the_stated_side() {
        let sq = [[2.0f32, 2.0], [6.0, 2.0], [6.0, 6.0], [2.0, 6.0]];
        for (p, want) in [
            ([4.0, 4.0], true),
            ([2.0, 4.0], true),  // left edge
            ([4.0, 2.0], true),  // bottom edge
            ([6.0, 4.0], false), // right edge
            ([4.0, 6.0], false), // top edge
            ([2.0, 2.0], true),  // bottom-left corner
            ([6.0, 2.0], false),
            ([6.0, 6.0], false),
            ([2.0, 6.0], false),
            ([1.9, 4.0], false),
        ] {
            assert_eq!(inside(p, &sq), want, "{p:?}");
            let sq64 = sq.map(|v| v.map(|c| c as f64));
            assert_eq!(inside_f64(p.map(|c| c as f64), &sq64), want, "{p:?}");
        }
        // Two squares sharing an edge: each point on it in exactly one.
        let right = [[6.0f32, 2.0], [10.0, 2.0], [10.0, 6.0], [6.0, 6.0]];
        for y in [2.0, 3.0, 4.5, 5.99] {
            assert!(inside([6.0, y], &right) ^ inside([6.0, y], &sq));
        }
    }

    #[test]
    fn concave_and_self_intersecting_polygons_follow_the_even_odd_rule() {
        // A "U": the notch between its arms is outside.
        let u = [
            [0.0f32, 0.0],
            [9.0, 0.0],
            [9.0, 9.0],
            [6.0, 9.0],
            [6.0, 3.0],
            [3.0, 3.0],
            [3.0, 9.0],
            [0.0, 9.0],
        ];
        assert!(inside([1.5, 6.0], &u));
        assert!(!inside([4.5, 6.0], &u));
        assert!(inside([4.5, 1.5], &u));
        // A bow tie: both lobes inside, outside above and below the crossing.
        let bow = [[0.0f32, 0.0], [8.0, 8.0], [8.0, 0.0], [0.0, 8.0]];
        assert!(inside([1.0, 4.0], &bow));
        assert!(inside([7.0, 4.0], &bow));
        assert!(!inside([4.0, 7.0], &bow));
        assert!(!inside([4.0, 1.0], &bow));
        // A pentagram: its centre is covered twice, so outside.
        let star: Vec<[f32; 2]> = (0..5)
            .map(|k| {
                let a = std::f32::consts::FRAC_PI_2 + k as f32 * 4.0 * std::f32::consts::PI / 5.0;
                [a.cos() * 10.0, a.sin() * 10.0]
            })
            .collect();
        assert!(!inside([0.0, 0.0], &star));
        assert!(inside([0.0, 8.0], &star));
    }

    #[test]
    fn the_twin_agrees_with_f64_away_from_edges_and_culls_only_outside_tiles() {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        let n = 5 * TILE + 77;
        let xy: Vec<[f64; 2]> = (0..n)
            .map(|_| [rng.random_range(0.0..400.0), rng.random_range(0.0..300.0)])
            .collect();
        let mut set = PointSet::from_points(xy, None);
        set.sort_morton();
        let map = unit_map(400, 300, set.origin);
        let poly64: Vec<[f64; 2]> = vec![
            [50.0, 40.0],
            [300.0, 20.0],
            [120.0, 120.0],
            [350.0, 260.0],
            [40.0, 280.0],
        ];
        let poly = to_pixels(&poly64, &map);
        let culled = select_twin(&set, &map, &poly, polygon_bounds(&poly64), None);
        let all = select_twin(&set, &map, &poly, set.bounds, None);
        assert_eq!(culled, all);
        let mut wrong = 0;
        for i in 0..n {
            let p = set.xy[i];
            if inside_f64(p, &poly64) != culled.get(i) {
                wrong += 1;
            }
        }
        assert_eq!(wrong, 0, "random points are never on an edge");
        assert!(culled.count() > n / 4 && culled.count() < n);
    }

    #[test]
    fn masks_combine_and_list_their_points() {
        let a = Mask {
            words: vec![0b1011, 1 << 31],
            len: 40,
        };
        let b = Mask {
            words: vec![0b0110, 0],
            len: 40,
        };
        assert_eq!(a.indices(), vec![0, 1, 3, 63]);
        let mut m = a.clone();
        m.combine(&b, Combine::Add);
        assert_eq!(m.indices(), vec![0, 1, 2, 3, 63]);
        let mut m = a.clone();
        m.combine(&b, Combine::Subtract);
        assert_eq!(m.indices(), vec![0, 3, 63]);
        let mut m = a;
        m.combine(&b, Combine::Replace);
        assert_eq!(m, b);
        assert_eq!(m.count(), 2);
    }

    #[test]
    fn bad_polygons_are_refused() {
        assert!(check_polygon(&[[0.0, 0.0], [1.0, 1.0]]).is_err());
        assert!(check_polygon(&[[0.0, 0.0], [1.0, f64::NAN], [2.0, 0.0]]).is_err());
        assert!(check_polygon(&vec![[0.0, 0.0]; MAX_VERTICES + 1]).is_err());
        assert!(check_polygon(&[[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]).is_ok());
    }

    #[test]
    fn csv_rows_read_back_exactly() {
        let s = Selection {
            rows: vec![7, 2],
            x: vec![0.1, 1e300],
            y: vec![-2.5, 1.0 / 3.0],
            values: vec![f32::NAN, 0.3],
            value_name: "x + y".into(),
        };
        let csv = s.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "index,x,y,\"x + y\"");
        assert_eq!(lines[1], format!("2,1e300,{:?},0.3", 1.0f64 / 3.0));
        assert_eq!(lines[2], "7,0.1,-2.5,");
    }
}
