//! Per-point values and colours on the CPU: the twin of shaders/derive.wgsl,
//! written to read line for line like it. One loop runs on one thread (what
//! the seed's Numba loop did), the other on all threads (rayon); the tests
//! and the benchmark hold the GPU to these.

use bytemuck::{Pod, Zeroable};
use rayon::prelude::*;

use crate::colormap::{colour_index, normalise, LUT_SIZE};
use crate::error::{input, Result};
use crate::points::PointSet;

/// What each point's value is. The discriminant is what the shader switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ValueKind {
    XPlusY = 0,
    X = 1,
    Y = 2,
    Radius = 3,
    Angle = 4,
    Wave = 5,
    Index = 6,
    Data = 7,
}

impl ValueKind {
    pub const ALL: [ValueKind; 8] = [
        Self::XPlusY,
        Self::X,
        Self::Y,
        Self::Radius,
        Self::Angle,
        Self::Wave,
        Self::Index,
        Self::Data,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::XPlusY => "x+y",
            Self::X => "x",
            Self::Y => "y",
            Self::Radius => "radius",
            Self::Angle => "angle",
            Self::Wave => "wave",
            Self::Index => "index",
            Self::Data => "data",
        }
    }

    pub fn by_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|k| k.name()).collect();
                input(format!(
                    "unknown value '{name}'; valid: {} ('data' needs a file with a value column)",
                    names.join(", ")
                ))
            })
    }
}

/// How values are made and normalised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueSettings {
    pub kind: ValueKind,
    /// Fixed (lo, hi); `None` takes the min and max of the finite values.
    pub range: Option<(f32, f32)>,
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
    pub value_kind: u32,
    pub auto_range: u32,
    pub count: u32,
    pub base_index: u32,
    pub _pad: [u32; 2],
}

const _: () = assert!(std::mem::size_of::<DeriveParams>() == 48);

impl DeriveParams {
    /// Parameters for the whole of `points` (the GPU sets count and base per chunk).
    pub fn new(points: &PointSet, settings: &ValueSettings) -> Self {
        let extent = if points.bounds.is_empty() {
            glam::DVec2::ONE
        } else {
            points
                .bounds
                .size()
                .max(glam::DVec2::splat(f64::MIN_POSITIVE))
        };
        let freq = std::f64::consts::TAU * WAVE_CYCLES / extent;
        let (lo, hi) = settings.range.unwrap_or((0.0, 0.0));
        Self {
            origin: points.origin.as_vec2().to_array(),
            wave_freq: freq.as_vec2().to_array(),
            range: [lo, hi],
            value_kind: settings.kind as u32,
            auto_range: settings.range.is_none() as u32,
            count: points.len().min(u32::MAX as usize) as u32,
            base_index: 0,
            _pad: [0; 2],
        }
    }
}

/// Twin of `point_value` in derive.wgsl.
#[inline]
pub fn point_value(params: &DeriveParams, off: [f32; 2], index: u32, data: &[f32]) -> f32 {
    let p = [params.origin[0] + off[0], params.origin[1] + off[1]];
    match params.value_kind {
        0 => p[0] + p[1],
        1 => p[0],
        2 => p[1],
        3 => (off[0] * off[0] + off[1] * off[1]).sqrt(),
        4 => off[1].atan2(off[0]),
        5 => {
            let u = [off[0] * params.wave_freq[0], off[1] * params.wave_freq[1]];
            u[0].sin() * u[1].cos()
        }
        6 => index as f32,
        _ => data[index as usize],
    }
}

/// Twin of `colours_main`'s body: packed RGBA8 (r in the low byte), 0 for NaN.
#[inline]
pub fn point_colour(v: f32, lo: f32, hi: f32, lut: &[[u8; 4]; LUT_SIZE]) -> u32 {
    if v.is_nan() {
        return 0;
    }
    let t = normalise(v, lo, hi);
    u32::from_le_bytes(lut[colour_index(t)])
}

/// The value range actually used: the fixed one, or min/max of the finite values
/// (None when there are none).
pub fn resolve_range(params: &DeriveParams, min_max: (f32, f32)) -> Option<(f32, f32)> {
    if params.auto_range == 0 {
        return Some((params.range[0], params.range[1]));
    }
    finite_range(min_max)
}

/// `min_max` of [`values_parallel`] as a range (None when no value was finite).
pub fn finite_range(min_max: (f32, f32)) -> Option<(f32, f32)> {
    (min_max.0 <= min_max.1).then_some(min_max)
}

fn min_max(values: &[f32]) -> (f32, f32) {
    values
        .iter()
        .filter(|v| !v.is_nan())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

fn merge((a, b): (f32, f32), (c, d): (f32, f32)) -> (f32, f32) {
    (a.min(c), b.max(d))
}

/// Output of a derive: a value and a packed colour per point, and the range used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derived {
    pub values: Vec<f32>,
    pub colours: Vec<u32>,
    pub range: Option<(f32, f32)>,
}

impl Derived {
    pub fn with_len(n: usize) -> Self {
        Self {
            values: vec![0.0; n],
            colours: vec![0; n],
            range: None,
        }
    }
}

/// The reference loop, one thread. Reuses `out`'s buffers (sized to the points).
pub fn derive_serial(
    points: &PointSet,
    params: &DeriveParams,
    lut: &[[u8; 4]; LUT_SIZE],
    out: &mut Derived,
) {
    let data = points.data.as_ref().map_or(&[][..], |d| d.as_slice());
    for (i, (off, v)) in points.offsets.iter().zip(&mut out.values).enumerate() {
        *v = point_value(params, *off, i as u32, data);
    }
    out.range = resolve_range(params, min_max(&out.values));
    let (lo, hi) = out.range.unwrap_or((f32::NAN, f32::NAN));
    for (v, c) in out.values.iter().zip(&mut out.colours) {
        *c = point_colour(*v, lo, hi, lut);
    }
}

/// The same on every thread (rayon), in blocks.
pub fn derive_parallel(
    points: &PointSet,
    params: &DeriveParams,
    lut: &[[u8; 4]; LUT_SIZE],
    out: &mut Derived,
) {
    out.range = resolve_range(params, values_parallel(points, params, &mut out.values));
    colours_parallel(&out.values, out.range, lut, &mut out.colours);
}

const BLOCK: usize = 1 << 14;

/// The value pass of [`derive_parallel`]; returns the min and max of the
/// finite values (infinity, -infinity when there are none).
pub fn values_parallel(points: &PointSet, params: &DeriveParams, values: &mut [f32]) -> (f32, f32) {
    let data = points.data.as_ref().map_or(&[][..], |d| d.as_slice());
    points
        .offsets
        .par_chunks(BLOCK)
        .zip(values.par_chunks_mut(BLOCK))
        .enumerate()
        .map(|(b, (offs, vals))| {
            for (j, (off, v)) in offs.iter().zip(vals.iter_mut()).enumerate() {
                *v = point_value(params, *off, (b * BLOCK + j) as u32, data);
            }
            min_max(vals)
        })
        .reduce(|| (f32::INFINITY, f32::NEG_INFINITY), merge)
}

/// The colour pass of [`derive_parallel`].
pub fn colours_parallel(
    values: &[f32],
    range: Option<(f32, f32)>,
    lut: &[[u8; 4]; LUT_SIZE],
    colours: &mut [u32],
) {
    let (lo, hi) = range.unwrap_or((f32::NAN, f32::NAN));
    values
        .par_chunks(BLOCK)
        .zip(colours.par_chunks_mut(BLOCK))
        .for_each(|(vals, cols)| {
            for (v, c) in vals.iter().zip(cols.iter_mut()) {
                *c = point_colour(*v, lo, hi, lut);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colormap::Colormap;
    use crate::points::{generate, Dataset};

    fn run(points: &PointSet, settings: ValueSettings) -> (Derived, Derived) {
        let params = DeriveParams::new(points, &settings);
        let lut = Colormap::VIRIDIS.rgba8();
        let mut a = Derived::with_len(points.len());
        let mut b = Derived::with_len(points.len());
        derive_serial(points, &params, &lut, &mut a);
        derive_parallel(points, &params, &lut, &mut b);
        (a, b)
    }

    #[test]
    fn serial_and_parallel_agree_bit_for_bit() {
        let mut points = generate(Dataset::Clusters, 70_001, 3).unwrap();
        points.data = Some(std::sync::Arc::new(
            (0..points.len()).map(|i| (i % 97) as f32).collect(),
        ));
        for kind in ValueKind::ALL {
            let (a, b) = run(&points, ValueSettings { kind, range: None });
            assert_eq!(a, b, "{kind:?}");
        }
    }

    #[test]
    fn values_follow_their_definitions() {
        let points = PointSet::from_f64(&[1.0, 3.0], &[10.0, 20.0], None);
        let get = |kind| run(&points, ValueSettings { kind, range: None }).0;
        assert_eq!(get(ValueKind::XPlusY).values, vec![11.0, 23.0]);
        assert_eq!(get(ValueKind::X).values, vec![1.0, 3.0]);
        assert_eq!(get(ValueKind::Y).values, vec![10.0, 20.0]);
        assert_eq!(get(ValueKind::Index).values, vec![0.0, 1.0]);
        let r = get(ValueKind::Radius).values;
        assert!((r[0] - (1.0f32 + 25.0).sqrt()).abs() < 1e-6);
        let a = get(ValueKind::Angle).values;
        assert!((a[0] - (-5.0f32).atan2(-1.0)).abs() < 1e-6);
        let xy = get(ValueKind::XPlusY);
        assert_eq!(xy.range, Some((11.0, 23.0)));
        // Lowest value takes the first colour, highest the last.
        let lut = Colormap::VIRIDIS.rgba8();
        assert_eq!(xy.colours[0], u32::from_le_bytes(lut[0]));
        assert_eq!(xy.colours[1], u32::from_le_bytes(lut[255]));
    }

    #[test]
    fn fixed_range_clamps_and_degenerate_ranges_take_the_first_colour() {
        let points = PointSet::from_f64(&[0.0, 5.0, 10.0], &[0.0; 3], None);
        let settings = ValueSettings {
            kind: ValueKind::X,
            range: Some((2.0, 4.0)),
        };
        let lut = Colormap::VIRIDIS.rgba8();
        let d = run(&points, settings).0;
        assert_eq!(d.range, Some((2.0, 4.0)));
        assert_eq!(d.colours[0], u32::from_le_bytes(lut[0]));
        assert_eq!(d.colours[1], u32::from_le_bytes(lut[255]));
        let one = PointSet::from_f64(&[3.0], &[4.0], None);
        let d = run(
            &one,
            ValueSettings {
                kind: ValueKind::X,
                range: None,
            },
        )
        .0;
        assert_eq!(d.range, Some((3.0, 3.0)));
        assert_eq!(d.colours[0], u32::from_le_bytes(lut[0]));
        let none = PointSet::from_f64(&[], &[], None);
        assert_eq!(
            run(
                &none,
                ValueSettings {
                    kind: ValueKind::X,
                    range: None
                }
            )
            .0
            .range,
            None
        );
    }

    #[test]
    fn nan_values_are_transparent_and_left_out_of_the_range() {
        let mut points = PointSet::from_f64(&[0.0, 1.0, 2.0], &[0.0; 3], None);
        points.data = Some(std::sync::Arc::new(vec![1.0, f32::NAN, 3.0]));
        let d = run(
            &points,
            ValueSettings {
                kind: ValueKind::Data,
                range: None,
            },
        )
        .0;
        assert_eq!(d.range, Some((1.0, 3.0)));
        assert_eq!(d.colours[1], 0);
    }

    #[test]
    fn unknown_value_lists_valid_names() {
        let msg = ValueKind::by_name("x*y").unwrap_err().to_string();
        assert!(msg.contains("x*y") && msg.contains("radius") && msg.contains("wave"));
        assert_eq!(ValueKind::by_name("x+y").unwrap(), ValueKind::XPlusY);
    }
}
