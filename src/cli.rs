//! Command-line arguments (clap) and their checking. Everything a user types
//! is validated here, before any GPU or data work starts, and turned into
//! typed settings; each mistake is one clear line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::aggregate::{Agg, Backend, How, Mode};
use crate::camera::Camera;
use crate::colormap::Colormap;
use crate::derive::{ValueKind, ValueSettings};
use crate::error::{input, Result};
use crate::overlay::AxesOptions;
use crate::plot::PlotOptions;
use crate::points::Dataset;
use crate::render::Style;

#[derive(Debug, Parser)]
#[command(
    name = "pointillist",
    version,
    about = "GPU-accelerated 2D point renderer: millions of points coloured by value"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open a window and explore the points with the mouse.
    View(ViewArgs),
    /// Render the points headless to a PNG file.
    Render(RenderArgs),
    /// Compare the GPU with CPU paths on the same points (after checking they agree).
    Bench(crate::bench::BenchArgs),
}

/// Where the points come from.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Number of points to generate (accepts 1e6, 10M, 250k, 1_000_000).
    #[arg(short = 'n', long, default_value = "1M", value_parser = parse_count)]
    pub points: u64,
    /// Built-in dataset to generate.
    #[arg(long, value_enum, default_value_t = Dataset::Clusters)]
    pub dataset: Dataset,
    /// Random seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Load points from a file (.npy, .csv/.tsv, .parquet, or raw with --format) instead of generating them.
    #[arg(short, long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Format of --input: npy, csv, tsv, parquet, f32xy, f32xyv, f64xy, f64xyv (default: from the extension).
    #[arg(long, requires = "input")]
    pub format: Option<String>,
    /// Column of --input holding x, by name or 0-based index (default: the first).
    #[arg(long, value_name = "COL", requires = "input")]
    pub x: Option<String>,
    /// Column of --input holding y, by name or 0-based index (default: the second).
    #[arg(long, value_name = "COL", requires = "input")]
    pub y: Option<String>,
    /// Point order in memory: as given, or sorted along a Morton curve once
    /// after loading (faster splats of huge datasets on a GPU; costs a sort).
    #[arg(long, value_enum, default_value_t = Order::Input)]
    pub order: Order,
    /// CSV delimiter (default: detected from the first line).
    #[arg(long, value_name = "CHAR", requires = "input")]
    pub delimiter: Option<char>,
}

/// The order points are kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    Input,
    Morton,
}

/// How the points look and which part of the data is shown.
#[derive(Debug, Clone, Args)]
pub struct LookArgs {
    /// Per-point value: x+y, x, y, radius, angle, wave, index, data (the file's value
    /// column), or a column of --input by name or index. Default: data when the input
    /// has a value column, else x+y.
    #[arg(long)]
    pub value: Option<String>,
    /// Colourmap: viridis, plasma, inferno, magma, cividis, turbo, greys (add _r to reverse).
    #[arg(long, default_value = "viridis")]
    pub colormap: String,
    /// Fixed value range mapped onto the colourmap (default: min and max of the values).
    #[arg(long, num_args = 2, value_names = ["LO", "HI"], allow_negative_numbers = true)]
    pub range: Option<Vec<f64>>,
    /// Point diameter in pixels.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub point_size: f64,
    /// Point opacity, 0 < A <= 1.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub opacity: f64,
    /// Background: white, black, transparent, #rgb, #rrggbb or #rrggbbaa.
    #[arg(long, default_value = "white")]
    pub background: String,
    /// Initial x range of the view (default: fit the data).
    #[arg(long, num_args = 2, value_names = ["LO", "HI"], allow_negative_numbers = true)]
    pub x_range: Option<Vec<f64>>,
    /// Initial y range of the view (default: fit the data).
    #[arg(long, num_args = 2, value_names = ["LO", "HI"], allow_negative_numbers = true)]
    pub y_range: Option<Vec<f64>>,
    /// Plot title.
    #[arg(long)]
    pub title: Option<String>,
    /// x axis title (default: the x column's name, or "x").
    #[arg(long)]
    pub x_label: Option<String>,
    /// y axis title (default: the y column's name, or "y").
    #[arg(long)]
    pub y_label: Option<String>,
    /// Draw grid lines at the major ticks.
    #[arg(long)]
    pub grid: bool,
    /// No axes, labels or colourbar: the points fill the whole image.
    #[arg(long)]
    pub no_axes: bool,
    /// What to draw: points (instanced discs), splat (one pixel per point,
    /// highest value wins), density (points per pixel), or auto (points while
    /// few are visible, splat beyond).
    #[arg(long, value_enum, default_value_t = Mode::Auto)]
    pub mode: Mode,
    /// Where splat and density aggregate: gpu, cpu, or auto (the CPU when the
    /// only adapter is a software rasteriser such as lavapipe).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
    /// Density shading: linear, log, cbrt or eq-hist (histogram equalisation).
    #[arg(long, value_enum, default_value_t = How::EqHist)]
    pub how: How,
    /// Density aggregate per pixel: count (points), or sum, mean, min or max of
    /// the --value of the points in it (needs --mode density).
    #[arg(long, value_enum, default_value_t = Agg::Count)]
    pub agg: Agg,
    /// Spread isolated pixels over this radius in splat and density modes (0-5).
    #[arg(long, default_value_t = 0)]
    pub spread: u32,
    /// Print the adapter's details and more timings.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub look: LookArgs,
    /// The PNG file to write (the only file pointillist writes).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Image width in pixels.
    #[arg(long, default_value_t = 1920)]
    pub width: u32,
    /// Image height in pixels.
    #[arg(long, default_value_t = 1080)]
    pub height: u32,
    /// Also write the per-pixel aggregate grid (height x width, row 0 at the top) as .npy
    /// (density: counts as u32, or the --agg of the values as f32; splat: the winning
    /// value as f32; NaN where no point fell).
    #[arg(long, value_name = "FILE.npy")]
    pub export_aggregate: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub look: LookArgs,
    /// Initial window width in logical pixels.
    #[arg(long, default_value_t = 1280)]
    pub width: u32,
    /// Initial window height in logical pixels.
    #[arg(long, default_value_t = 800)]
    pub height: u32,
    /// Folder for the screenshots the S key saves (pointillist-0001.png, ...).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub screenshot_dir: PathBuf,
}

/// Parses point counts such as `1000`, `1_000_000`, `1,000,000`, `250k`, `10M`, `1e6`, `2G`.
pub fn parse_count(s: &str) -> std::result::Result<u64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('m' | 'M') => (&t[..t.len() - 1], 1e6),
        Some('g' | 'G' | 'b' | 'B') => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a point count (try 1000, 250k, 10M or 1e6)"))?;
    let v = v * mult;
    if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64) {
        return Err(format!("'{s}' is not a whole, non-negative point count"));
    }
    Ok(v as u64)
}

/// Parses a colour name or hex code into linear-free 0–1 components (bytes / 255).
pub fn parse_color(s: &str) -> Result<wgpu::Color> {
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
    let [r, g, b, a] = rgba.map(|c| c as f64 / 255.0);
    Ok(wgpu::Color { r, g, b, a })
}

fn pair(name: &str, v: &Option<Vec<f64>>) -> Result<Option<(f64, f64)>> {
    match v.as_deref() {
        None => Ok(None),
        Some([lo, hi]) if lo.is_finite() && hi.is_finite() && lo < hi => Ok(Some((*lo, *hi))),
        Some([lo, hi]) => Err(input(format!(
            "--{name} {lo} {hi}: LO must be less than HI, and both finite"
        ))),
        Some(_) => Err(input(format!("--{name} takes two numbers, LO and HI"))),
    }
}

/// The checked form of [`LookArgs`].
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub values: ValueSettings,
    pub colormap: Colormap,
    pub style: Style,
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    pub axes: AxesOptions,
    pub plot: PlotOptions,
}

impl LookArgs {
    /// Checks everything; `has_data` says whether the points carry a value column
    /// (the default value is then `data`).
    pub fn check(&self, has_data: bool) -> Result<Look> {
        let kind = match &self.value {
            Some(v) => ValueKind::by_name(v)?,
            None if has_data => ValueKind::Data,
            None => ValueKind::XPlusY,
        };
        let colormap = Colormap::by_name(&self.colormap)?;
        let range = pair("range", &self.range)?.map(|(lo, hi)| (lo as f32, hi as f32));
        if let Some((lo, hi)) = range {
            if lo >= hi {
                return Err(input(
                    "--range LO HI: LO and HI are equal in single precision; widen the range",
                ));
            }
        }
        if !(self.point_size > 0.0 && self.point_size <= 256.0) {
            return Err(input(format!(
                "--point-size {}: must be more than 0 and at most 256 pixels",
                self.point_size
            )));
        }
        if self.agg != Agg::Count && self.mode != Mode::Density {
            return Err(input(format!(
                "--agg {}: per-pixel aggregates of values need --mode density",
                self.agg.name()
            )));
        }
        if self.spread > 5 {
            return Err(input(format!("--spread {}: at most 5 pixels", self.spread)));
        }
        if !(self.opacity > 0.0 && self.opacity <= 1.0) {
            return Err(input(format!(
                "--opacity {}: must be more than 0 and at most 1",
                self.opacity
            )));
        }
        Ok(Look {
            values: ValueSettings { kind, range },
            colormap,
            style: Style {
                point_size: self.point_size as f32,
                opacity: self.opacity as f32,
                background: parse_color(&self.background)?,
            },
            x_range: pair("x-range", &self.x_range)?,
            y_range: pair("y-range", &self.y_range)?,
            plot: PlotOptions {
                mode: self.mode,
                backend: self.backend,
                how: self.how,
                agg: self.agg,
                spread: self.spread,
            },
            axes: AxesOptions {
                enabled: !self.no_axes,
                grid: self.grid,
                title: self.title.clone(),
                x_label: self.x_label.clone().unwrap_or_else(|| "x".into()),
                y_label: self.y_label.clone().unwrap_or_else(|| "y".into()),
                value_label: kind.name().into(),
            },
        })
    }
}

impl Look {
    /// The initial camera: the given ranges, the rest fitted to `bounds`.
    pub fn camera(&self, bounds: &crate::points::Bounds) -> Camera {
        let fit = Camera::fit(bounds);
        Camera::from_ranges(
            self.x_range.unwrap_or(fit.x_range()),
            self.y_range.unwrap_or(fit.y_range()),
        )
    }
}

impl DataArgs {
    pub fn check(&self) -> Result<usize> {
        if self.points == 0 {
            return Err(input("--points 0: nothing to draw; give at least 1 point"));
        }
        usize::try_from(self.points)
            .ok()
            .filter(|&n| n <= 2_000_000_000)
            .ok_or_else(|| {
                input(format!(
                    "--points {}: at most 2,000,000,000 points",
                    self.points
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_human_forms() {
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("1,000"), Ok(1000));
        assert_eq!(parse_count("250k"), Ok(250_000));
        assert_eq!(parse_count("10M"), Ok(10_000_000));
        assert_eq!(parse_count("1e6"), Ok(1_000_000));
        assert_eq!(parse_count("0"), Ok(0));
        assert!(parse_count("-5").is_err());
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("lots").is_err());
    }

    #[test]
    fn colours_parse() {
        let c = parse_color("#ff8000").unwrap();
        assert_eq!((c.r, c.g, c.b, c.a), (1.0, 128.0 / 255.0, 0.0, 1.0));
        assert_eq!(parse_color("#fff").unwrap(), wgpu::Color::WHITE);
        assert_eq!(parse_color("transparent").unwrap().a, 0.0);
        for bad in ["#12", "red-ish", "#gggggg", ""] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }
}
