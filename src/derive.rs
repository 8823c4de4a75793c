//! Per-point values and colours on the CPU: the twin of shaders/derive.wgsl
//! and the function generated into it. The value (and the filter) is a
//! compiled expression (src/expr), run as block instructions over blocks of
//! points: on one thread, or on all of them (rayon). The tests and the
//! benchmark hold the GPU to these, within the bounds of expr/tolerance.rs.

use bytemuck::{Pod, Zeroable};
use rayon::prelude::*;

use crate::colormap::{Extremes, Norm, NormTable, LUT_SIZE};
use crate::expr::eval::{run_block, BlockInput, Program, Scratch};
use crate::expr::tolerance::{self, Ref};
#[cfg(test)]
use crate::expr::Expr;
use crate::expr::Node;
use crate::points::PointSet;

/// The value bits of a point the filter left out (a NaN no arithmetic makes;
/// `FILTERED_BITS` in common.wgsl).
pub const FILTERED_BITS: u32 = 0xffc0_f117;

/// Whether the filter kept a point with this value.
#[inline]
pub fn is_kept(v: f32) -> bool {
    v.to_bits() != FILTERED_BITS
}

/// How values are made and normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSettings {
    /// The value of each point: a checked expression over the built-in names
    /// and the point set's columns (by slot).
    pub value: Node,
    /// Points where this is not true are left out (None: every point is kept).
    pub filter: Option<Node>,
    /// Fixed (lo, hi); `None` takes the min and max of the finite values.
    pub range: Option<(f32, f32)>,
    /// The expression's `t`, in seconds.
    pub t: f32,
    /// Colours beyond the range and for no value.
    pub extremes: Extremes,
    /// How values map onto the colourmap; under log, values <= 0 have no value.
    pub norm: Norm,
    /// The values are codes of this many categories, each coloured by its
    /// own entry (`categories::code_table`) in place of the norm.
    pub categories: Option<u32>,
}

impl ValueSettings {
    /// A value expression over no columns.
    #[cfg(test)]
    pub fn of(source: &str) -> ValueSettings {
        let e = Expr::value(source, &[]).unwrap_or_else(|e| panic!("{source}: {e}"));
        ValueSettings {
            value: e.node,
            filter: None,
            range: None,
            t: 0.0,
            extremes: Default::default(),
            norm: Norm::Linear,
            categories: None,
        }
    }

    /// The range the colours use: the fixed one, or the data's (None when no
    /// point had a value).
    pub fn colour_range(&self, stats: &DeriveStats) -> Option<(f32, f32)> {
        self.range.or(stats.range())
    }

    /// The norm's thresholds over the colour range (None: linear, or no range).
    pub fn norm_table(&self, range: Option<(f32, f32)>) -> Option<Box<NormTable>> {
        if let Some(n) = self.categories {
            return Some(crate::categories::code_table(n));
        }
        range.and_then(|(lo, hi)| self.norm.table(lo, hi))
    }

    /// Whether the expressions read `t` (then every frame re-derives).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn uses_time(&self) -> bool {
        use crate::expr::Var;
        self.value.uses(Var::T) || self.filter.as_ref().is_some_and(|f| f.uses(Var::T))
    }
}

/// Cycles of the `wave` pattern across the data's extent.
const WAVE_CYCLES: f64 = 3.0;

/// Uniform block of shaders/derive.wgsl. Keep in sync with `DeriveParams` there.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct DeriveParams {
    pub origin: [f32; 2],
    pub wave_freq: [f32; 2],
    pub range: [f32; 2],
    pub auto_range: u32,
    pub count: u32,
    pub base_index: u32,
    pub t: f32,
    pub under: u32,
    pub over: u32,
    pub bad: u32,
    pub given: u32,
    /// 1: values <= 0 have no value (the log norm's domain).
    pub positive: u32,
    /// 1: colours through the norm's table (binding 7), not the linear normalise.
    pub tabled: u32,
}

const _: () = assert!(std::mem::size_of::<DeriveParams>() == 64);

impl DeriveParams {
    /// Parameters for the whole of `points` under `settings` (the GPU sets
    /// count and base per chunk).
    pub fn new(points: &PointSet, settings: &ValueSettings) -> Self {
        Self::base(points).with(settings)
    }

    /// These parameters with the range, `t` and colours of `settings`.
    pub fn with(self, settings: &ValueSettings) -> Self {
        let (lo, hi) = settings.range.unwrap_or((0.0, 0.0));
        let [under, over, bad, given] = settings.extremes.packed();
        Self {
            range: [lo, hi],
            auto_range: settings.range.is_none() as u32,
            t: settings.t,
            under,
            over,
            bad,
            given,
            positive: (settings.norm == Norm::Log) as u32,
            // Categories colour their codes through the code table.
            tabled: (settings.norm != Norm::Linear || settings.categories.is_some()) as u32,
            ..self
        }
    }

    /// What depends on the points alone: origin, wave frequency, count; an
    /// auto range and `t` = 0.
    pub fn base(points: &PointSet) -> Self {
        let extent = if points.bounds.is_empty() {
            glam::DVec2::ONE
        } else {
            points
                .bounds
                .size()
                .max(glam::DVec2::splat(f64::MIN_POSITIVE))
        };
        let freq = std::f64::consts::TAU * WAVE_CYCLES / extent;
        Self {
            origin: points.origin.as_vec2().to_array(),
            wave_freq: freq.as_vec2().to_array(),
            range: [0.0, 0.0],
            auto_range: 1,
            count: points.len().min(u32::MAX as usize) as u32,
            base_index: 0,
            t: 0.0,
            under: 0,
            over: 0,
            bad: 0,
            given: 0,
            positive: 0,
            tabled: 0,
        }
    }
}

/// Twin of `colours_main`'s body: packed RGBA8 (r in the low byte), 0 for no value.
#[inline]
pub fn point_colour(
    v: f32,
    (lo, hi): (f32, f32),
    lut: &[[u8; 4]; LUT_SIZE],
    extremes: &Extremes,
    table: Option<&NormTable>,
) -> u32 {
    if !is_kept(v) {
        return 0;
    }
    if v.is_nan() {
        return extremes.bad.map_or(0, u32::from_le_bytes);
    }
    u32::from_le_bytes(extremes.value_colour(v, lo, hi, lut, table))
}

/// What a value pass found: the min and max of the values (infinity,
/// -infinity when none), the points with no value, the points left out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeriveStats {
    pub min_max: (f32, f32),
    pub no_value: u64,
    pub filtered: u64,
}

impl DeriveStats {
    pub const EMPTY: DeriveStats = DeriveStats {
        min_max: (f32::INFINITY, f32::NEG_INFINITY),
        no_value: 0,
        filtered: 0,
    };

    pub fn merge(self, o: DeriveStats) -> DeriveStats {
        DeriveStats {
            min_max: (
                self.min_max.0.min(o.min_max.0),
                self.min_max.1.max(o.min_max.1),
            ),
            no_value: self.no_value + o.no_value,
            filtered: self.filtered + o.filtered,
        }
    }

    /// The min and max as a range (None when no point had a value).
    pub fn range(&self) -> Option<(f32, f32)> {
        (self.min_max.0 <= self.min_max.1).then_some(self.min_max)
    }

    fn of(values: &[f32]) -> DeriveStats {
        let mut s = DeriveStats::EMPTY;
        for &v in values {
            if v.is_nan() {
                if is_kept(v) {
                    s.no_value += 1;
                } else {
                    s.filtered += 1;
                }
            } else {
                s.min_max = (s.min_max.0.min(v), s.min_max.1.max(v));
            }
        }
        s
    }
}

/// Output of a derive: a value and a packed colour per point, the range used.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub values: Vec<f32>,
    pub colours: Vec<u32>,
    pub range: Option<(f32, f32)>,
    pub stats: DeriveStats,
}

impl Derived {
    pub fn with_len(n: usize) -> Self {
        Self {
            values: vec![0.0; n],
            colours: vec![0; n],
            range: None,
            stats: DeriveStats::EMPTY,
        }
    }
}

const BLOCK: usize = 1 << 12;

/// The value and filter programs of some settings.
pub struct Programs {
    value: Program,
    filter: Option<Program>,
}

impl Programs {
    pub fn new(settings: &ValueSettings) -> Programs {
        Programs {
            value: Program::new(&settings.value),
            filter: settings.filter.as_ref().map(Program::new),
        }
    }

    fn scratch(&self) -> BlockScratch {
        (
            Scratch::new(&self.value, BLOCK),
            self.filter
                .as_ref()
                .map(|f| (Scratch::new(f, BLOCK), vec![0.0; BLOCK])),
            vec![[0.0; 2]; BLOCK],
        )
    }
}

/// Registers for the value, and the filter's with its results, and the
/// block's f32 offsets (what the GPU's expressions see: the high halves).
type BlockScratch = (Scratch, Option<(Scratch, Vec<f32>)>, Vec<[f32; 2]>);

/// One block of points: values (FILTERED where the filter says no) and their stats.
fn block(
    programs: &Programs,
    params: &DeriveParams,
    points: &PointSet,
    start: usize,
    values: &mut [f32],
    scratch: &mut BlockScratch,
) -> DeriveStats {
    let n = values.len();
    let offsets = &mut scratch.2[..n];
    for (j, o) in offsets.iter_mut().enumerate() {
        *o = points.offset(start + j);
    }
    let input = BlockInput {
        origin: params.origin,
        wave_freq: params.wave_freq,
        t: params.t,
        offsets,
        base: start,
        columns: &points.columns,
    };
    run_block(&programs.value, &input, &mut scratch.0, values);
    if params.positive != 0 {
        // Out of the log norm's domain: no value (NaN compares false).
        for v in values.iter_mut().filter(|v| **v <= 0.0) {
            *v = f32::NAN;
        }
    }
    if let (Some(filter), Some((s, kept))) = (&programs.filter, &mut scratch.1) {
        run_block(filter, &input, s, &mut kept[..n]);
        for (v, k) in values.iter_mut().zip(kept.iter()) {
            if *k != 1.0 {
                *v = f32::from_bits(FILTERED_BITS);
            }
        }
    }
    DeriveStats::of(values)
}

/// The value pass on one thread, block after block.
pub fn values_serial(
    points: &PointSet,
    settings: &ValueSettings,
    values: &mut [f32],
) -> DeriveStats {
    let params = DeriveParams::new(points, settings);
    let programs = Programs::new(settings);
    let mut scratch = programs.scratch();
    values
        .chunks_mut(BLOCK)
        .enumerate()
        .map(|(b, vals)| block(&programs, &params, points, b * BLOCK, vals, &mut scratch))
        .fold(DeriveStats::EMPTY, DeriveStats::merge)
}

/// The value pass on every thread: blocks spread over rayon, scratch per task.
pub fn values_parallel(
    points: &PointSet,
    settings: &ValueSettings,
    values: &mut [f32],
) -> DeriveStats {
    let params = DeriveParams::new(points, settings);
    let programs = Programs::new(settings);
    values
        .par_chunks_mut(BLOCK)
        .enumerate()
        .map_init(
            || programs.scratch(),
            |scratch, (b, vals)| block(&programs, &params, points, b * BLOCK, vals, scratch),
        )
        .reduce(|| DeriveStats::EMPTY, DeriveStats::merge)
}

/// The values of the points `indices` (ascending) exactly as the value pass
/// gives them: each block holding one is derived whole (what `index` and the
/// blocks' arithmetic need), on every thread.
pub fn values_at(points: &PointSet, settings: &ValueSettings, indices: &[usize]) -> Vec<f32> {
    let params = DeriveParams::new(points, settings);
    let programs = Programs::new(settings);
    let mut blocks: Vec<usize> = indices.iter().map(|i| i / BLOCK).collect();
    blocks.dedup();
    let derived: Vec<(usize, Vec<f32>)> = blocks
        .par_iter()
        .map_init(
            || programs.scratch(),
            |scratch, &b| {
                let start = b * BLOCK;
                let mut vals = vec![0.0; BLOCK.min(points.len() - start)];
                block(&programs, &params, points, start, &mut vals, scratch);
                (b, vals)
            },
        )
        .collect();
    let mut out = Vec::with_capacity(indices.len());
    let mut k = 0;
    for &i in indices {
        while derived[k].0 != i / BLOCK {
            k += 1;
        }
        out.push(derived[k].1[i % BLOCK]);
    }
    out
}

/// Values and colours on one thread. Reuses `out`'s buffers (sized to the points).
pub fn derive_serial(
    points: &PointSet,
    settings: &ValueSettings,
    lut: &[[u8; 4]; LUT_SIZE],
    out: &mut Derived,
) {
    out.stats = values_serial(points, settings, &mut out.values);
    out.range = settings.colour_range(&out.stats);
    let range = out.range.unwrap_or((f32::NAN, f32::NAN));
    let table = settings.norm_table(out.range);
    for (v, c) in out.values.iter().zip(&mut out.colours) {
        *c = point_colour(*v, range, lut, &settings.extremes, table.as_deref());
    }
}

/// The same on every thread.
pub fn derive_parallel(
    points: &PointSet,
    settings: &ValueSettings,
    lut: &[[u8; 4]; LUT_SIZE],
    out: &mut Derived,
) {
    out.stats = values_parallel(points, settings, &mut out.values);
    out.range = settings.colour_range(&out.stats);
    let table = settings.norm_table(out.range);
    colours_parallel(
        &out.values,
        out.range,
        lut,
        (&settings.extremes, table.as_deref()),
        &mut out.colours,
    );
}

/// A log norm needs a value above 0: an error where none has one.
pub fn check_norm(
    settings: &ValueSettings,
    data_range: Option<(f32, f32)>,
    stats: &DeriveStats,
) -> crate::error::Result<()> {
    if settings.norm == crate::colormap::Norm::Log && data_range.is_none() && stats.no_value > 0 {
        return Err(crate::error::input(format!(
            "norm log: no value is above 0 ({} points have a value of 0 or less, or none); choose another norm",
            stats.no_value
        )));
    }
    Ok(())
}

/// The colour pass of [`derive_parallel`].
pub fn colours_parallel(
    values: &[f32],
    range: Option<(f32, f32)>,
    lut: &[[u8; 4]; LUT_SIZE],
    (extremes, table): (&Extremes, Option<&NormTable>),
    colours: &mut [u32],
) {
    let range = range.unwrap_or((f32::NAN, f32::NAN));
    values
        .par_chunks(BLOCK)
        .zip(colours.par_chunks_mut(BLOCK))
        .for_each(|(vals, cols)| {
            for (v, c) in vals.iter().zip(cols.iter_mut()) {
                *c = point_colour(*v, range, lut, extremes, table);
            }
        });
}

/// What either backend may give for point `i`, from the f64 reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expected {
    /// A value within this distance of the truth (both backends).
    Value(f64, f64),
    NoValue,
    Filtered,
    /// Near an edge: either answer.
    Unsure,
}

/// The f64 reference of each point under some settings (see expr/tolerance.rs).
pub struct Expectation<'a> {
    points: &'a PointSet,
    settings: &'a ValueSettings,
    params: DeriveParams,
}

impl<'a> Expectation<'a> {
    pub fn new(points: &'a PointSet, settings: &'a ValueSettings) -> Self {
        Self {
            points,
            settings,
            params: DeriveParams::new(points, settings),
        }
    }

    /// What either backend may give for point `i`.
    pub fn at(&self, i: usize) -> Expected {
        let (points, params) = (self.points, &self.params);
        let off = points.offset(i);
        let leaf = |v| {
            tolerance::leaf(
                v,
                params.origin,
                off,
                params.wave_freq,
                i as f64,
                params.t,
                |k| points.columns[k as usize][i],
            )
        };
        if let Some(filter) = &self.settings.filter {
            match tolerance::reference(filter, &leaf) {
                Ref::Bool(true) => {}
                Ref::Unsure => return Expected::Unsure,
                _ => return Expected::Filtered,
            }
        }
        let positive = self.params.positive != 0;
        match tolerance::reference(&self.settings.value, &leaf) {
            // Under log, a value <= 0 has none: either side of 0 may be taken
            // when the bound reaches it.
            Ref::Num(v, e) if positive && v - e <= 0.0 => {
                if v + e <= 0.0 {
                    Expected::NoValue
                } else {
                    Expected::Unsure
                }
            }
            Ref::Num(v, e) => Expected::Value(v, e),
            Ref::Bool(b) if positive && !b => Expected::NoValue,
            Ref::Bool(b) => Expected::Value(b as u8 as f64, 0.0),
            Ref::NoValue => Expected::NoValue,
            Ref::Unsure => Expected::Unsure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colormap::Colormap;
    use crate::points::{generate, Dataset};
    use std::sync::Arc;

    fn run(points: &PointSet, settings: &ValueSettings) -> (Derived, Derived) {
        let lut = Colormap::VIRIDIS.rgba8();
        let mut a = Derived::with_len(points.len());
        let mut b = Derived::with_len(points.len());
        derive_serial(points, settings, &lut, &mut a);
        derive_parallel(points, settings, &lut, &mut b);
        (a, b)
    }

    fn with_columns(
        points: &mut PointSet,
        names: &[&str],
        columns: Vec<Vec<f32>>,
        src: &str,
    ) -> ValueSettings {
        points.columns = columns.into_iter().map(Arc::new).collect();
        let e = Expr::value(src, names).unwrap();
        assert_eq!(e.columns, names[..e.columns.len()]);
        ValueSettings {
            value: e.node,
            filter: None,
            range: None,
            t: 0.0,
            extremes: Default::default(),
            norm: Norm::Linear,
            categories: None,
        }
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn serial_and_parallel_agree_bit_for_bit() {
        let mut points = generate(Dataset::Clusters, 70_001, 3).unwrap();
        let n = points.len();
        let data: Vec<f32> = (0..n).map(|i| (i % 97) as f32 - 40.0).collect();
        for src in [
            "x+y",
            "x",
            "y",
            "radius",
            "angle",
            "wave",
            "index",
            "data",
            "sqrt(data) * x",
        ] {
            let mut s = with_columns(&mut points, &["data"], vec![data.clone()], src);
            s.filter = Some(
                Expr::filter("(x > 0) | (index % 3 == 0)", &[])
                    .unwrap()
                    .node,
            );
            let (a, b) = run(&points, &s);
            assert_eq!(bits(&a.values), bits(&b.values), "{src}");
            assert_eq!(
                (a.colours, a.range, a.stats),
                (b.colours, b.range, b.stats),
                "{src}"
            );
        }
    }

    #[test]
    fn values_follow_their_definitions() {
        let points = PointSet::from_f64(&[1.0, 3.0], &[10.0, 20.0], None);
        let get = |src: &str| run(&points, &ValueSettings::of(src)).0;
        assert_eq!(get("x+y").values, vec![11.0, 23.0]);
        assert_eq!(get("x").values, vec![1.0, 3.0]);
        assert_eq!(get("y").values, vec![10.0, 20.0]);
        assert_eq!(get("index").values, vec![0.0, 1.0]);
        let r = get("radius").values;
        assert!((r[0] - (1.0f32 + 25.0).sqrt()).abs() < 1e-6);
        let a = get("angle").values;
        assert!((a[0] - (-5.0f32).atan2(-1.0)).abs() < 1e-6);
        let xy = get("x+y");
        assert_eq!(xy.range, Some((11.0, 23.0)));
        // Lowest value takes the first colour, highest the last.
        let lut = Colormap::VIRIDIS.rgba8();
        assert_eq!(xy.colours[0], u32::from_le_bytes(lut[0]));
        assert_eq!(xy.colours[1], u32::from_le_bytes(lut[255]));
        let mut timed = ValueSettings::of("t * 2 + x");
        timed.t = 1.5;
        assert!(timed.uses_time() && !ValueSettings::of("x").uses_time());
        assert_eq!(run(&points, &timed).0.values, vec![4.0, 6.0]);
    }

    #[test]
    fn fixed_range_clamps_and_degenerate_ranges_take_the_first_colour() {
        let points = PointSet::from_f64(&[0.0, 5.0, 10.0], &[0.0; 3], None);
        let mut settings = ValueSettings::of("x");
        settings.range = Some((2.0, 4.0));
        let lut = Colormap::VIRIDIS.rgba8();
        let d = run(&points, &settings).0;
        assert_eq!(d.range, Some((2.0, 4.0)));
        assert_eq!(d.colours[0], u32::from_le_bytes(lut[0]));
        assert_eq!(d.colours[1], u32::from_le_bytes(lut[255]));
        let one = PointSet::from_f64(&[3.0], &[4.0], None);
        let d = run(&one, &ValueSettings::of("x")).0;
        assert_eq!(d.range, Some((3.0, 3.0)));
        assert_eq!(d.colours[0], u32::from_le_bytes(lut[0]));
        let none = PointSet::from_f64(&[], &[], None);
        assert_eq!(run(&none, &ValueSettings::of("x")).0.range, None);
    }

    #[test]
    fn no_values_and_filtered_points_are_counted_apart_and_left_out_of_the_range() {
        let mut points = PointSet::from_f64(&[0.0, 1.0, 2.0, 3.0, 4.0], &[0.0; 5], None);
        let mut s = with_columns(
            &mut points,
            &["data"],
            vec![vec![1.0, f32::NAN, 3.0, -4.0, 9.0]],
            "sqrt(data)",
        );
        let d = run(&points, &s).0;
        assert_eq!(d.range, Some((1.0, 3.0)));
        assert_eq!((d.stats.no_value, d.stats.filtered), (2, 0));
        assert_eq!(d.colours[1], 0);
        s.filter = Some(Expr::filter("x < 4", &[]).unwrap().node);
        let d = run(&points, &s).0;
        assert_eq!((d.stats.no_value, d.stats.filtered), (2, 1));
        assert!(!is_kept(d.values[4]) && is_kept(d.values[3]) && d.values[3].is_nan());
        assert_eq!(
            d.range,
            Some((1.0, 3f32.sqrt())),
            "the point left out is not in the range"
        );
        assert_eq!(d.colours[4], 0);
    }

    #[test]
    fn the_reference_agrees_with_the_twin() {
        let points = generate(Dataset::Spiral, 5_000, 2).unwrap();
        for src in [
            "x+y",
            "sin(x*10)*cos(y*10) + sqrt(x*x + y*y)",
            "log(x) + y ** 2",
            "radius",
            "wave",
        ] {
            let mut s = ValueSettings::of(src);
            s.filter = Some(Expr::filter("y > -0.5", &[]).unwrap().node);
            let d = run(&points, &s).0;
            let expect = Expectation::new(&points, &s);
            let mut compared = 0;
            for (i, v) in d.values.iter().enumerate() {
                match expect.at(i) {
                    Expected::Value(want, e) => {
                        assert!(
                            (*v as f64 - want).abs() <= e,
                            "{src} at {i}: {v} vs {want} +- {e}"
                        );
                        compared += 1;
                    }
                    Expected::NoValue => assert!(v.is_nan() && is_kept(*v), "{src} at {i}"),
                    Expected::Filtered => assert!(!is_kept(*v), "{src} at {i}"),
                    Expected::Unsure => {}
                }
            }
            assert!(compared > 1_000, "{src}: {compared}");
        }
    }
}
