//! [`Figure`]: what to draw and how, as a plain struct with `Default` — the
//! value, colourmap, range, mode, aggregate, shading, sizes, colours, view
//! and titles. Every front end (the CLI, the viewer, Python) fills one in;
//! [`Figure::check`] validates it, and the crate turns it into its internal
//! settings ([`Look`]) against the [`Points`] it is drawn for.

use std::str::FromStr;

pub use crate::value::Value;

use crate::colormap::{Colormap, Norm};
use crate::data::Points;
use crate::error::{input, Error, Result};
use crate::frame::Style;
use crate::options::{Agg, Backend, How, Mode};
use crate::overlay::AxesOptions;
use crate::plot::{Look, PlotOptions};
use crate::points::PointSet;

/// Largest image side [`Figure::check`] accepts (GPUs allow at most 16384).
pub const MAX_SIDE: u32 = 16_384;

/// A colour as RGBA bytes, written to the image unchanged (no sRGB conversion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color(pub [u8; 4]);

impl Color {
    /// Opaque white, the default background.
    pub const WHITE: Color = Color([255, 255, 255, 255]);
    /// Opaque black.
    pub const BLACK: Color = Color([0, 0, 0, 255]);
    /// Fully transparent: the PNG keeps an alpha channel of 0 where nothing is drawn.
    pub const TRANSPARENT: Color = Color([0, 0, 0, 0]);

    /// Parses `white`, `black`, `grey`, `transparent`, `#rgb`, `#rrggbb` or `#rrggbbaa`.
    ///
    /// ```
    /// use pointillist::Color;
    /// assert_eq!(Color::parse("#ff8000")?, Color([255, 128, 0, 255]));
    /// assert!(Color::parse("red-ish").is_err());
    /// # Ok::<(), pointillist::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Color> {
        let bad = || {
            input(format!(
                "unknown colour '{s}'; use white, black, grey, transparent, #rgb, #rrggbb or #rrggbbaa"
            ))
        };
        let rgba: [u8; 4] = match s.trim().to_ascii_lowercase().as_str() {
            "white" => [255, 255, 255, 255],
            "black" => [0, 0, 0, 255],
            "grey" | "gray" => [128, 128, 128, 255],
            "transparent" | "none" => [0, 0, 0, 0],
            hex => {
                let h = hex.strip_prefix('#').ok_or_else(bad)?;
                let digits: Vec<u8> = h
                    .chars()
                    .map(|c| c.to_digit(16).map(|d| d as u8))
                    .collect::<Option<_>>()
                    .ok_or_else(bad)?;
                match digits.len() {
                    3 => [digits[0] * 17, digits[1] * 17, digits[2] * 17, 255],
                    6 | 8 => {
                        let mut v = [255u8; 4];
                        for (i, pair) in digits.chunks(2).enumerate() {
                            v[i] = pair[0] * 16 + pair[1];
                        }
                        v
                    }
                    _ => return Err(bad()),
                }
            }
        };
        Ok(Color(rgba))
    }

    fn to_wgpu(self) -> wgpu::Color {
        let [r, g, b, a] = self.0.map(|c| c as f64 / 255.0);
        wgpu::Color { r, g, b, a }
    }
}

impl FromStr for Color {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Color::parse(s)
    }
}

/// What to draw and how: one picture of some [`Points`].
///
/// A plain struct: set what you need and take the rest from `Default`.
///
/// ```
/// use pointillist::{Figure, Mode, Value};
/// let fig = Figure {
///     width: 800,
///     height: 600,
///     value: Value::Column("speed".into()),
///     mode: Mode::Density,
///     title: Some("Speeds".into()),
///     ..Figure::default()
/// };
/// assert!(fig.check().is_ok());
/// assert!(Figure { point_size: 0.0, ..fig }.check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Image width in pixels (the window's logical width in the viewer).
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Each point's value: an expression such as `"log(speed)"`, or a column.
    pub value: Value,
    /// Only the points where this condition holds are drawn, counted and
    /// ranged (`"(speed > 0) & (x < 10)"`); `None` keeps every point.
    pub filter: Option<String>,
    /// The expressions' `t`, in seconds (the viewer runs it as a clock).
    pub time: f64,
    /// The colourmap the values are mapped onto.
    pub colormap: Colormap,
    /// Colour by this category column instead of a value (see
    /// [`Points::with_categories`]; a numeric column makes each distinct
    /// value a category): each category in its own colour, density mode
    /// mixing the colours in each pixel by their counts, and a legend.
    pub category: Option<String>,
    /// Size by value: each disc's diameter from this expression of the
    /// points' names and columns, mapped linearly from its values' range
    /// onto `size_range`; a point with no value gets no disc. Points mode
    /// (`auto` while it draws points); a size legend shows three sizes.
    pub size_by: Option<String>,
    /// The diameters (logical pixels, more than 0, at most 256) that the
    /// size values' smallest and largest map onto.
    pub size_range: (f64, f64),
    /// The categories' colours, in their order; `None`: tab10 for up to 10,
    /// tab20 for up to 20, else a Glasbey-style palette of 256.
    pub category_colors: Option<Vec<Color>>,
    /// Fixed value range mapped onto the colourmap; `None`: min and max of the values.
    pub range: Option<(f64, f64)>,
    /// How values map onto the colourmap over the range (matplotlib's norms);
    /// under [`Norm::Log`] values <= 0 have no value. In density mode a
    /// non-linear norm shades a value aggregate in place of `how`.
    pub norm: Norm,
    /// The colour of values below the range (matplotlib's `set_under`);
    /// `None`: the map's first colour. Points and splat modes.
    pub under: Option<Color>,
    /// The colour of values above the range (`set_over`); `None`: the last.
    pub over: Option<Color>,
    /// The colour of points with no value (`set_bad`: NaN, `log(-1)`);
    /// `None`: not drawn. Points mode (a splat has no cell for them).
    pub bad: Option<Color>,
    /// What a frame draws.
    pub mode: Mode,
    /// Where splat and density frames aggregate.
    pub backend: Backend,
    /// Density mode's per-pixel aggregate (anything but `Count` needs [`Mode::Density`]).
    pub agg: Agg,
    /// Density shading.
    pub how: How,
    /// Grow isolated pixels over this radius (0–5) in splat and density modes.
    pub spread: u32,
    /// Disc diameter in pixels (more than 0, at most 256); the splat footprint (1–3 px).
    pub point_size: f64,
    /// Point opacity, more than 0 and at most 1.
    pub opacity: f64,
    /// Physical pixels per logical pixel, as a HiDPI window has them (0.25
    /// to 8): margins, lines, text and the point size grow by it, while
    /// `width` and `height` stay the image's own pixels.
    pub scale: f64,
    /// The background.
    pub background: Color,
    /// The x range shown; `None` fits the data (4% margin).
    pub x_range: Option<(f64, f64)>,
    /// The y range shown; `None` fits the data.
    pub y_range: Option<(f64, f64)>,
    /// Title above the plot.
    pub title: Option<String>,
    /// x axis title; `None`: the x column's name.
    pub x_label: Option<String>,
    /// y axis title; `None`: the y column's name.
    pub y_label: Option<String>,
    /// Grid lines at the major ticks.
    pub grid: bool,
    /// Axes, labels and colourbar; `false` gives the points the whole image.
    pub axes: bool,
    /// Highlight the points inside this polygon (data coordinates, even-odd
    /// rule, at least 3 vertices): the others are dimmed. See
    /// [`Context::select`](crate::Context::select) for the rows themselves.
    pub selection: Option<Vec<[f64; 2]>>,
    /// A pixel of the image (x right, y down from its top left corner) whose
    /// read-out [`Frame::probe`](crate::Frame::probe) gives, as the viewer's
    /// hover shows it.
    pub probe: Option<[f64; 2]>,
}

impl Default for Figure {
    fn default() -> Self {
        Self {
            width: 1920,
            height: 1080,
            value: Value::Auto,
            filter: None,
            time: 0.0,
            colormap: Colormap::VIRIDIS,
            category: None,
            category_colors: None,
            size_by: None,
            size_range: (2.0, 12.0),
            range: None,
            norm: Norm::Linear,
            under: None,
            over: None,
            bad: None,
            mode: Mode::Auto,
            backend: Backend::Auto,
            agg: Agg::Count,
            how: How::EqHist,
            spread: 0,
            point_size: 2.0,
            opacity: 1.0,
            scale: 1.0,
            background: Color::WHITE,
            x_range: None,
            y_range: None,
            title: None,
            x_label: None,
            y_label: None,
            grid: false,
            axes: true,
            selection: None,
            probe: None,
        }
    }
}

fn check_pair(name: &str, v: Option<(f64, f64)>) -> Result<Option<(f64, f64)>> {
    match v {
        Some((lo, hi)) if !(lo.is_finite() && hi.is_finite() && lo < hi) => Err(input(format!(
            "{name} {lo} {hi}: LO must be less than HI, and both finite"
        ))),
        Some((lo, hi)) if !(hi - lo).is_finite() => Err(input(format!(
            "{name} {lo} {hi}: the range is wider than a double can hold"
        ))),
        other => Ok(other),
    }
}

impl Figure {
    /// Checks every setting; the message of the first bad one says what to change.
    pub fn check(&self) -> Result<()> {
        if self.width == 0 || self.height == 0 || self.width > MAX_SIDE || self.height > MAX_SIDE {
            return Err(input(format!(
                "size {}x{}: width and height must be 1 to {MAX_SIDE} pixels",
                self.width, self.height
            )));
        }
        let range = check_pair("range", self.range)?;
        if let Some((lo, hi)) = range {
            if lo as f32 >= hi as f32 || !(hi as f32 - lo as f32).is_finite() {
                return Err(input(format!(
                    "range {lo} {hi}: LO and HI are equal (or too far apart) in single precision; change the range"
                )));
            }
        }
        if !(self.point_size > 0.0 && self.point_size <= 256.0) {
            return Err(input(format!(
                "point size {}: must be more than 0 and at most 256 pixels",
                self.point_size
            )));
        }
        if self.agg != Agg::Count && self.mode != Mode::Density {
            return Err(input(format!(
                "aggregate {}: per-pixel aggregates of values need mode density",
                self.agg.name()
            )));
        }
        if self.mode == Mode::Density && (self.under, self.over, self.bad) != (None, None, None) {
            return Err(input(
                "under, over and bad colours are for points and splat modes (density shades counts and aggregates with how)",
            ));
        }
        if self.how != How::EqHist && self.mode != Mode::Density {
            return Err(input(format!(
                "shading {}: how shades density mode only (points and splat colour their values through the norm)",
                self.how.name()
            )));
        }
        self.check_norm(range)?;
        self.check_category()?;
        self.check_sizes()?;
        if self.spread > 5 {
            return Err(input(format!("spread {}: at most 5 pixels", self.spread)));
        }
        if !(self.scale >= 0.25 && self.scale <= 8.0) {
            return Err(input(format!(
                "scale {}: must be 0.25 to 8 (physical pixels per logical pixel)",
                self.scale
            )));
        }
        if !(self.opacity > 0.0 && self.opacity <= 1.0) {
            return Err(input(format!(
                "opacity {}: must be more than 0 and at most 1",
                self.opacity
            )));
        }
        check_pair("x range", self.x_range)?;
        check_pair("y range", self.y_range)?;
        if let Some(poly) = &self.selection {
            crate::select::check_polygon(poly)?;
        }
        if let Some([x, y]) = self.probe {
            if !(x.is_finite() && y.is_finite()) {
                return Err(input(format!("probe pixel ({x}, {y}) is not finite")));
            }
        }
        Ok(())
    }

    fn check_norm(&self, range: Option<(f64, f64)>) -> Result<()> {
        let norm = self.norm;
        if let Norm::Power { gamma } | Norm::SymLog { linthresh: gamma } = norm {
            if !(gamma.is_finite() && gamma > 0.0) {
                return Err(input(format!(
                    "norm {}: its parameter must be a number more than 0",
                    norm.name()
                )));
            }
        }
        if let (Norm::Log, Some((lo, _))) = (norm, range) {
            if lo <= 0.0 {
                return Err(input(format!(
                    "range {lo} ..: the log norm needs a range above 0"
                )));
            }
        }
        if norm != Norm::Linear && self.mode == Mode::Density {
            if !self.agg.of_values() {
                return Err(input(format!(
                    "norm {}: density counts are shaded by how; a norm colours values (points, splat, or a density aggregate of values)",
                    norm.name()
                )));
            }
            if self.how != How::EqHist {
                return Err(input(format!(
                    "norm {} and shading {}: in density mode give one of them",
                    norm.name(),
                    self.how.name()
                )));
            }
        }
        Ok(())
    }

    fn check_sizes(&self) -> Result<()> {
        let (lo, hi) = self.size_range;
        if !(lo > 0.0 && hi <= 256.0 && lo <= hi) {
            return Err(input(format!(
                "size range {lo} {hi}: MIN must be at most MAX, both more than 0 and at most 256 pixels"
            )));
        }
        if self.size_by.is_some() && matches!(self.mode, Mode::Splat | Mode::Density) {
            return Err(input(format!(
                "size by value draws discs: mode points or auto, not {}",
                self.mode.name()
            )));
        }
        Ok(())
    }

    fn check_category(&self) -> Result<()> {
        if self.category_colors.is_some() && self.category.is_none() {
            return Err(input("category colours need a category column"));
        }
        let Some(column) = &self.category else {
            return Ok(());
        };
        let clash = if self.value != Value::Auto {
            Some("a value")
        } else if self.norm != Norm::Linear {
            Some("a norm")
        } else if self.range.is_some() {
            Some("a value range")
        } else if (self.under, self.over, self.bad) != (None, None, None) {
            Some("under, over or bad colours")
        } else if self.mode == Mode::Splat {
            Some("splat mode (one value a pixel; density mode mixes the categories)")
        } else if self.agg != Agg::Count {
            Some("an aggregate of values")
        } else if self.mode == Mode::Density && self.spread > 0 {
            Some("spread in density mode")
        } else {
            None
        };
        match clash {
            Some(what) => Err(input(format!(
                "category '{column}' cannot be combined with {what}"
            ))),
            None => Ok(()),
        }
    }

    /// Checks every setting and that the value can be found in `points`.
    pub fn check_for(&self, points: &Points) -> Result<()> {
        self.resolve(points).map(|_| ())
    }

    /// The checked internal settings for drawing `points`, and the point set
    /// to draw (a cheap clone sharing the points, carrying the value column).
    pub(crate) fn resolve(&self, points: &Points) -> Result<(PointSet, Look)> {
        self.check()?;
        if !self.time.is_finite() {
            return Err(input(format!(
                "time {}: must be a finite number of seconds",
                self.time
            )));
        }
        let mut set = points.set.clone();
        let (categories, coded);
        let (points, value, range) = match &self.category {
            Some(column) => {
                let (c, p) = self.categorise(points, column)?;
                coded = p;
                // Codes 0..n: a range they all lie in, never beyond it.
                let top = (c.len().max(2) - 1) as f32;
                categories = Some(std::sync::Arc::new(c));
                (&coded, Value::Column(column.clone()), Some((0.0, top)))
            }
            None => {
                categories = None;
                let range = self.range.map(|(lo, hi)| (lo as f32, hi as f32));
                (points, self.value.clone(), range)
            }
        };
        let crate::value::Compiled {
            settings: values,
            columns,
            names,
            label: value_label,
        } = crate::value::compile(
            points,
            &value,
            self.filter.as_deref(),
            range,
            self.time as f32,
        )?;
        set.columns = columns;
        set.column_names = names;
        let values = crate::derive::ValueSettings {
            extremes: crate::colormap::Extremes {
                under: self.under.map(|c| c.0),
                over: self.over.map(|c| c.0),
                bad: self.bad.map(|c| c.0),
            },
            norm: self.norm,
            categories: categories.as_ref().map(|c| c.len() as u32),
            ..values
        };
        // With a filter, the legend counts the points it keeps (its codes
        // through the filter, on the CPU, once).
        let categories = match (categories, &values.filter) {
            (Some(c), Some(_)) => {
                let mut codes = crate::mem::zeroed_vec(set.len());
                crate::derive::values_parallel(&set, &values, &mut codes);
                let mut counts = vec![0u64; c.len()];
                for &v in codes.iter().filter(|v| v.is_finite()) {
                    counts[(v as usize).min(c.len() - 1)] += 1;
                }
                let mut c = std::sync::Arc::unwrap_or_clone(c);
                c.counts = counts;
                Some(std::sync::Arc::new(c))
            }
            (c, _) => c,
        };
        let look = Look {
            values,
            colormap: self.colormap.clone(),
            style: Style {
                point_size: (self.point_size * self.scale) as f32,
                opacity: self.opacity as f32,
                background: self.background.to_wgpu(),
                scale: self.scale as f32,
            },
            x_range: self.x_range,
            y_range: self.y_range,
            axes: AxesOptions {
                enabled: self.axes,
                grid: self.grid,
                title: self.title.clone(),
                x_label: self.x_label.clone().unwrap_or_else(|| set.x_name.clone()),
                y_label: self.y_label.clone().unwrap_or_else(|| set.y_name.clone()),
                value_label,
                legend_chars: categories.as_ref().map_or(0, |c| {
                    crate::overlay::legend_texts(c)
                        .map(|t| t.chars().count())
                        .max()
                        .unwrap_or(0)
                }),
                sizes: None,
            },
            plot: PlotOptions {
                mode: self.mode,
                backend: self.backend,
                how: self.how,
                agg: self.agg,
                spread: self.spread,
            },
            selection: self.selection.clone(),
            probe: self.probe.map(glam::DVec2::from_array),
            rows: points.original_index.clone(),
            categories,
            sizes: self.sizes(points)?,
        };
        let mut look = look;
        if let Some(s) = &look.sizes {
            look.axes.sizes = Some((s.label.clone(), s.legend()));
        }
        Ok((set, look))
    }

    /// Size by value: the size expression over `points` in their stored
    /// order, on the CPU.
    fn sizes(&self, points: &Points) -> Result<Option<crate::sizes::Sizes>> {
        let Some(source) = &self.size_by else {
            return Ok(None);
        };
        let c = crate::value::compile(points, &Value::expr(source), None, None, self.time as f32)
            .map_err(|e| match e {
            Error::Expression { error, .. } => Error::Expression {
                role: "size-by",
                error,
            },
            other => other,
        })?;
        let mut set = points.set.clone();
        set.columns = c.columns;
        set.column_names = c.names;
        let mut values = crate::mem::zeroed_vec(set.len());
        crate::derive::values_parallel(&set, &c.settings, &mut values);
        Ok(Some(crate::sizes::Sizes::new(
            &values,
            self.size_range,
            self.point_size,
            c.label,
        )))
    }

    /// The categories of `column` and the points with their codes in it.
    fn categorise(
        &self,
        points: &Points,
        column: &str,
    ) -> Result<(crate::categories::Categories, Points)> {
        use crate::categories::{categorise, Labels};
        let values = points.column(column).ok_or_else(|| {
            let names: Vec<&str> = points.column_names().collect();
            input(format!(
                "category '{column}': no such column ({})",
                if names.is_empty() {
                    "these points have no columns but x and y".to_string()
                } else {
                    format!("the points' columns are {}", names.join(", "))
                }
            ))
        })?;
        let labels = match points.categories(column) {
            Some(names) => Labels::Named(names),
            None => Labels::Numbers,
        };
        let colours: Option<Vec<[u8; 4]>> = self
            .category_colors
            .as_ref()
            .map(|c| c.iter().map(|c| c.0).collect());
        let (categories, codes) = categorise(column, values, labels, colours.as_deref())?;
        Ok((categories, points.with_codes(column, codes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse() {
        assert_eq!(Color::parse("#ff8000").unwrap(), Color([255, 128, 0, 255]));
        assert_eq!(Color::parse("#fff").unwrap(), Color::WHITE);
        assert_eq!(
            Color::parse("#10203040").unwrap(),
            Color([0x10, 0x20, 0x30, 0x40])
        );
        assert_eq!(Color::parse("transparent").unwrap(), Color::TRANSPARENT);
        assert_eq!(Color::parse("Black").unwrap(), Color::BLACK);
        for bad in ["#12", "red-ish", "#gggggg", "", "#1234567"] {
            assert!(Color::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_bad_setting_is_an_error_naming_it() {
        let ok = Figure::default();
        ok.check().unwrap();
        let cases: Vec<(Figure, &str)> = vec![
            (
                Figure {
                    width: 0,
                    ..ok.clone()
                },
                "size 0x1080",
            ),
            (
                Figure {
                    height: MAX_SIDE + 1,
                    ..ok.clone()
                },
                "size",
            ),
            (
                Figure {
                    point_size: 0.0,
                    ..ok.clone()
                },
                "point size 0",
            ),
            (
                Figure {
                    point_size: f64::NAN,
                    ..ok.clone()
                },
                "point size NaN",
            ),
            (
                Figure {
                    opacity: 1.5,
                    ..ok.clone()
                },
                "opacity 1.5",
            ),
            (
                Figure {
                    spread: 6,
                    ..ok.clone()
                },
                "spread 6",
            ),
            (
                Figure {
                    agg: Agg::Mean,
                    ..ok.clone()
                },
                "aggregate mean",
            ),
            (
                Figure {
                    range: Some((2.0, 1.0)),
                    ..ok.clone()
                },
                "range 2 1",
            ),
            (
                Figure {
                    range: Some((1.0, 1.0 + 1e-12)),
                    ..ok.clone()
                },
                "single precision",
            ),
            (
                Figure {
                    x_range: Some((0.0, f64::INFINITY)),
                    ..ok.clone()
                },
                "x range",
            ),
            (
                Figure {
                    y_range: Some((-f64::MAX, f64::MAX)),
                    ..ok.clone()
                },
                "wider",
            ),
        ];
        for (fig, expect) in cases {
            let e = fig.check().expect_err(expect).to_string();
            assert!(e.contains(expect), "{e:?} should name {expect:?}");
        }
    }

    #[test]
    fn values_parse_as_expressions() {
        assert_eq!("x+y".parse::<Value>().unwrap(), Value::expr("x+y"));
        assert_eq!(" auto ".parse::<Value>().unwrap(), Value::Auto);
        assert_eq!("speed".parse::<Value>().unwrap(), Value::expr("speed"));
    }
}
