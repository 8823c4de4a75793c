//! Colourmaps: matplotlib's 256-entry tables (see `data.rs`), their `_r`
//! reversals, and the CPU lookup that twins the shader's.
//!
//! Colours are stored and drawn as 8-bit sRGB-encoded bytes, `round(v * 255)`
//! (what matplotlib's Agg backend writes to a PNG). The GPU texture is
//! `Rgba8Unorm` and every target is a non-sRGB format, so those bytes pass
//! through unchanged: no sRGB decode or encode anywhere.

mod data;
mod file;
mod norm;

pub use norm::{table_index, table_keys, Norm, NormTable};

use crate::error::{input, Result};

/// The colourmaps pointillist knows; each also exists reversed as `NAME_r`.
pub const NAMES: [&str; 18] = [
    "viridis", "plasma", "inferno", "magma", "cividis", "turbo", "greys", "coolwarm", "RdBu",
    "Spectral", "twilight", "hsv", "jet", "gray", "hot", "tab10", "tab20", "fire",
];

/// Number of entries in every table (matplotlib's default `N`).
pub const LUT_SIZE: usize = 256;

/// One of matplotlib's colourmaps ([`NAMES`]), possibly reversed (`_r`).
///
/// ```
/// use pointillist::Colormap;
/// let map: Colormap = "magma_r".parse()?;
/// assert_eq!(map.name(), "magma_r");
/// # Ok::<(), pointillist::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Colormap {
    index: usize,
    reversed: bool,
    /// A map made from a list of colours ([`Colormap::from_colors`]): its
    /// name and table, in place of `index`.
    listed: Option<std::sync::Arc<(String, [[f64; 3]; LUT_SIZE])>>,
}

impl Default for Colormap {
    fn default() -> Self {
        Colormap::VIRIDIS
    }
}

impl std::str::FromStr for Colormap {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        Colormap::by_name(s)
    }
}

impl Colormap {
    /// matplotlib's default colourmap.
    pub const VIRIDIS: Colormap = Colormap {
        index: 0,
        reversed: false,
        listed: None,
    };

    /// Looks up `viridis`, `Greys`, `RdBu`, `magma_r`, … (case-insensitive).
    pub fn by_name(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        let (base, reversed) = match lower.strip_suffix("_r") {
            Some(base) => (base, true),
            None => (lower.as_str(), false),
        };
        match NAMES.iter().position(|n| n.eq_ignore_ascii_case(base)) {
            Some(index) => Ok(Self {
                index,
                reversed,
                listed: None,
            }),
            None => Err(input(format!(
                "unknown colormap '{name}'; valid: {} (add _r to reverse), or a file of colours",
                NAMES.join(", ")
            ))),
        }
    }

    /// A map through `colours` (2 to 256, first to last), as matplotlib's
    /// `LinearSegmentedColormap.from_list(name, colours, N=256)`: entry i is
    /// the colour at i / 255 of the way, interpolated linearly between the
    /// two listed colours around it (256 colours are the table itself).
    ///
    /// ```
    /// use pointillist::{Color, Colormap};
    /// let map = Colormap::from_colors("fade", &[Color::BLACK, Color::WHITE])?;
    /// assert_eq!(map.rgba8()[0], [0, 0, 0, 255]);
    /// assert_eq!(map.rgba8()[255], [255, 255, 255, 255]);
    /// assert!(Colormap::from_colors("one", &[Color::BLACK]).is_err());
    /// # Ok::<(), pointillist::Error>(())
    /// ```
    pub fn from_colors(name: &str, colours: &[crate::Color]) -> Result<Self> {
        let n = colours.len();
        if !(2..=LUT_SIZE).contains(&n) {
            return Err(input(format!(
                "colormap '{name}': {n} colours; give 2 to {LUT_SIZE}"
            )));
        }
        let rgb = |k: usize| colours[k].0.map(|c| c as f64 / 255.0);
        let table = std::array::from_fn(|i| {
            let at = i as f64 / (LUT_SIZE - 1) as f64 * (n - 1) as f64;
            let k = (at.floor() as usize).min(n - 2);
            let f = at - k as f64;
            let (a, b) = (rgb(k), rgb(k + 1));
            [0, 1, 2].map(|c| a[c] + (b[c] - a[c]) * f)
        });
        Ok(Self {
            index: 0,
            reversed: false,
            listed: Some(std::sync::Arc::new((name.to_string(), table))),
        })
    }

    /// The colourmap in a file of 2 to 256 colours (JSON list of `"#rrggbb"`
    /// or `[r, g, b]`; or one colour a line), through [`Colormap::from_colors`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        file::load(path.as_ref())
    }

    /// The name, with `_r` when reversed.
    pub fn name(&self) -> String {
        if let Some(listed) = &self.listed {
            return listed.0.clone();
        }
        let base = NAMES[self.index];
        if self.reversed {
            format!("{base}_r")
        } else {
            base.to_string()
        }
    }

    /// The next map in [`NAMES`] order (keeps the reversal), for cycling in the viewer.
    pub fn next(&self) -> Self {
        Self {
            index: (self.index + 1) % NAMES.len(),
            reversed: self.reversed,
            listed: None,
        }
    }

    /// matplotlib's float64 table, in lookup order (reversed for `_r`).
    fn table_f64(&self) -> [[f64; 3]; LUT_SIZE] {
        if let Some(listed) = &self.listed {
            return listed.1;
        }
        let mut table = *[
            &data::VIRIDIS,
            &data::PLASMA,
            &data::INFERNO,
            &data::MAGMA,
            &data::CIVIDIS,
            &data::TURBO,
            &data::GREYS,
            &data::COOLWARM,
            &data::RDBU,
            &data::SPECTRAL,
            &data::TWILIGHT,
            &data::HSV,
            &data::JET,
            &data::GRAY,
            &data::HOT,
            &data::TAB10,
            &data::TAB20,
            &data::FIRE,
        ][self.index];
        if self.reversed {
            table.reverse();
        }
        table
    }

    /// matplotlib's table as f32, in lookup order (reversed for `_r`).
    pub fn table(&self) -> [[f32; 3]; LUT_SIZE] {
        self.table_f64().map(|c| c.map(|v| v as f32))
    }

    /// The table as opaque RGBA bytes, round(v * 255) of matplotlib's own
    /// float64 values (as Agg converts them): the texture's contents.
    pub fn rgba8(&self) -> [[u8; 4]; LUT_SIZE] {
        self.table_f64()
            .map(|[r, g, b]| [to_u8(r), to_u8(g), to_u8(b), 255])
    }
}

pub(crate) fn to_u8(v: f64) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Normalise a value into [0, 1] over `[lo, hi]`. Twin of `normalise` in
/// shaders/derive.wgsl. A degenerate range (hi <= lo, as for a single point)
/// maps everything to 0, as matplotlib's `Normalize` does.
pub fn normalise(v: f32, lo: f32, hi: f32) -> f32 {
    if hi <= lo {
        return 0.0;
    }
    ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// Table index for a normalised value: floor(t * N), with t = 1 in the last
/// entry (matplotlib's rule). Twin of `colour_index` in shaders/derive.wgsl.
pub fn colour_index(t: f32) -> usize {
    ((t * LUT_SIZE as f32) as usize).min(LUT_SIZE - 1)
}

/// A value's colour entry over (lo, hi): through a norm's table, or linearly.
pub fn entry(v: f32, lo: f32, hi: f32, table: Option<&NormTable>) -> usize {
    match table {
        Some(t) => table_index(t, v),
        None => colour_index(normalise(v, lo, hi)),
    }
}

/// Colours for values below and above the colour range and for points with
/// no value, as matplotlib's `set_under`, `set_over` and `set_bad` give them
/// (RGBA8 bytes, as the tables are). `None` keeps the default: the map's end
/// colours beyond the range, and no value not drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extremes {
    pub under: Option<[u8; 4]>,
    pub over: Option<[u8; 4]>,
    pub bad: Option<[u8; 4]>,
}

/// Which colour a value takes: the map's, or one of the extremes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beyond {
    Map,
    Under,
    Over,
}

impl Extremes {
    /// Whether `v` takes the under or the over colour over (lo, hi). Twin of
    /// `beyond` in shaders/common.wgsl.
    pub fn beyond(&self, v: f32, lo: f32, hi: f32) -> Beyond {
        if v < lo && self.under.is_some() {
            Beyond::Under
        } else if v > hi && self.over.is_some() {
            Beyond::Over
        } else {
            Beyond::Map
        }
    }

    /// The colour of the value `v` (not NaN) over (lo, hi), through the
    /// norm's table where there is one.
    pub fn value_colour(
        &self,
        v: f32,
        lo: f32,
        hi: f32,
        lut: &[[u8; 4]; LUT_SIZE],
        table: Option<&NormTable>,
    ) -> [u8; 4] {
        match self.beyond(v, lo, hi) {
            Beyond::Under => self.under.expect("beyond checked it"),
            Beyond::Over => self.over.expect("beyond checked it"),
            Beyond::Map => lut[entry(v, lo, hi, table)],
        }
    }

    /// For the shaders: under, over and bad as packed RGBA8 (little-endian
    /// bytes), and which are set (bits 0, 1, 2).
    pub fn packed(&self) -> [u32; 4] {
        let pack = |c: Option<[u8; 4]>| c.map_or(0, u32::from_le_bytes);
        let set = self.under.is_some() as u32
            | (self.over.is_some() as u32) << 1
            | (self.bad.is_some() as u32) << 2;
        [pack(self.under), pack(self.over), pack(self.bad), set]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spot_values_equal_matplotlib() {
        // matplotlib 3.11.2: _cm_listed data and round(v * 255).
        let v = Colormap::by_name("viridis").unwrap();
        assert_eq!(v.table()[0], [0.267004, 0.004874, 0.329415]);
        assert_eq!(v.table()[255], [0.993248, 0.906157, 0.143936]);
        assert_eq!(v.rgba8()[128], [33, 145, 140, 255]);
        let checks: [(&str, usize, [u8; 3]); 8] = [
            ("plasma", 64, [126, 3, 168]),
            ("inferno", 64, [87, 16, 110]),
            ("magma", 128, [183, 55, 121]),
            ("cividis", 0, [0, 34, 78]),
            ("turbo", 64, [40, 188, 235]),
            ("turbo", 255, [122, 4, 3]),
            ("greys", 0, [255, 255, 255]),
            ("greys", 64, [217, 217, 217]),
        ];
        for (name, i, rgb) in checks {
            let c = Colormap::by_name(name).unwrap().rgba8()[i];
            assert_eq!(&c[..3], &rgb, "{name}[{i}]");
        }
    }

    /// Every entry of every table against `tests/data/colormaps.csv`, which
    /// `tests/data/colormaps.py` wrote from matplotlib itself: the float to its
    /// nearest f32, the byte to round(v * 255) of matplotlib's float64.
    #[test]
    fn every_entry_equals_matplotlib() {
        let fixture = include_str!("../../tests/data/colormaps.csv");
        let mut seen = [0usize; NAMES.len()];
        for line in fixture.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 5, "{line}");
            let map = Colormap::by_name(f[0]).unwrap();
            let i: usize = f[1].parse().unwrap();
            assert_eq!(i, seen[map.index], "{line}: entries out of order");
            seen[map.index] += 1;
            let want: Vec<f64> = f[2..].iter().map(|v| v.parse().unwrap()).collect();
            let table = map.table()[i];
            let bytes = map.rgba8()[i];
            for c in 0..3 {
                assert_eq!(table[c], want[c] as f32, "{line}: channel {c}");
                let byte = (want[c] * 255.0).round() as u8;
                assert_eq!(bytes[c], byte, "{line}: byte of channel {c}");
            }
            assert_eq!(bytes[3], 255);
        }
        assert_eq!(seen, [LUT_SIZE; NAMES.len()], "fixture holds every entry");
    }

    #[test]
    fn reversed_maps_flip_the_table() {
        let f = Colormap::by_name("magma").unwrap().rgba8();
        let r = Colormap::by_name("Magma_r").unwrap().rgba8();
        for i in 0..LUT_SIZE {
            assert_eq!(f[i], r[LUT_SIZE - 1 - i]);
        }
        assert_eq!(Colormap::by_name("magma_r").unwrap().name(), "magma_r");
    }

    #[test]
    fn unknown_name_lists_valid_ones() {
        let msg = Colormap::by_name("parula").unwrap_err().to_string();
        assert!(msg.contains("parula") && msg.contains("viridis") && msg.contains("turbo"));
    }

    #[test]
    fn index_follows_matplotlib() {
        assert_eq!(colour_index(0.0), 0);
        assert_eq!(colour_index(1.0), 255);
        assert_eq!(colour_index(0.5), 128);
        assert_eq!(colour_index(1.0 / 256.0 - 1e-6), 0);
        assert_eq!(normalise(5.0, 0.0, 10.0), 0.5);
        assert_eq!(normalise(-1.0, 0.0, 10.0), 0.0);
        assert_eq!(normalise(3.0, 3.0, 3.0), 0.0);
    }

    #[test]
    fn cycling_visits_every_map() {
        let mut c = Colormap::VIRIDIS;
        let mut seen = vec![];
        for _ in 0..NAMES.len() {
            seen.push(c.name());
            c = c.next();
        }
        assert_eq!(c, Colormap::VIRIDIS);
        // Every map once: as many distinct names as there are maps, in order.
        assert_eq!(seen, NAMES);
    }
}
