//! Command-line arguments (clap), checked and mapped onto the library's
//! [`Figure`] and [`Points`] before any GPU or data work starts; each mistake
//! is one clear line. Nothing below this layer knows about flags.

pub mod load;
pub mod render;

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};
use pointillist::{
    Agg, Backend, Color, Colormap, Dataset, Error, Figure, How, Mode, Result, Value, ViewOptions,
};

/// A clap value parser from a library type's `FromStr`.
fn choice<T: FromStr<Err = Error>>(s: &str) -> std::result::Result<T, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

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
    Bench(BenchArgs),
    /// Write the points (of any input: a file or a dataset) as one Parquet file in
    /// spatial (Morton) order, in small row groups with statistics, so that a
    /// zoomed-in render reads only the row groups it shows. Streams: memory stays
    /// bounded whatever the input's size.
    Convert(ConvertArgs),
}

/// `pointillist convert` flags.
#[derive(Debug, Clone, Args)]
pub struct ConvertArgs {
    /// The input: a file or a dataset (directory or quoted glob), as `render --input`.
    pub input: PathBuf,
    /// The Parquet file to write (.parquet or .pq; never overwritten).
    pub output: PathBuf,
    /// Column for x (name or 0-based index; default: "x", else the first).
    #[arg(long)]
    pub x: Option<String>,
    /// Column for y (default: "y", else the second).
    #[arg(long)]
    pub y: Option<String>,
    /// Columns to keep beside x and y, comma-separated (default: the third
    /// column, when there is one; partition keys of a dataset may be named).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Rows per row group of the output.
    #[arg(long, default_value_t = pointillist::ROW_GROUP)]
    pub row_group: usize,
    /// Leave out bad files and row groups of the input, reporting each (as `render`).
    #[arg(long)]
    pub skip_bad_files: bool,
}

/// Where the points come from.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Number of points to generate (accepts 1e6, 10M, 250k, 1_000_000).
    #[arg(short = 'n', long, default_value = "1M", value_parser = parse_count)]
    pub points: u64,
    /// Built-in dataset: clusters, uniform or spiral.
    #[arg(long, default_value = "clusters", value_parser = choice::<Dataset>)]
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
    /// Carry on past a dataset's files that cannot be read or are truncated or
    /// corrupt, and past a Parquet file's corrupt row groups: each is reported
    /// and left out (default: the first is an error).
    #[arg(long, requires = "input")]
    pub skip_bad_files: bool,
}

/// The order points are kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// As given.
    Input,
    /// Along a Morton curve.
    Morton,
}

/// How the points look and which part of the data is shown.
#[derive(Debug, Clone, Args)]
pub struct LookArgs {
    /// Per-point value: an expression in Python's syntax with numpy's functions, over
    /// x, y, index, t, radius, angle, wave, data (the file's value column) and the
    /// columns of --input by name, e.g. "sqrt(x**2 + y**2)" or "log(speed)"; or a
    /// column's 0-based index. Default: data when the input has a value column, else x+y.
    #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
    pub value: Option<String>,
    /// Only draw (and count, and range) the points where this condition holds,
    /// e.g. "(x > 0) & (speed < 10)".
    #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
    pub filter: Option<String>,
    /// The expressions' t, in seconds (default 0; the viewer runs it as a clock).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub time: f64,
    /// Colourmap: a name (viridis, magma, coolwarm, tab10, fire, ...; add _r to reverse), or a file of 2 to 256 colours (JSON list of "#rrggbb" or [r, g, b]; or one colour a line).
    #[arg(long, default_value = "viridis")]
    pub colormap: String,
    /// Fixed value range mapped onto the colourmap (default: min and max of the values).
    #[arg(long, num_args = 2, value_names = ["LO", "HI"], allow_negative_numbers = true)]
    pub range: Option<Vec<f64>>,
    /// How values map onto the colourmap: linear, log (values <= 0 have no
    /// colour), symlog, symlog:LINTHRESH, power:GAMMA (matplotlib's norms). In
    /// density mode a non-linear norm shades a value aggregate in place of --how.
    #[arg(long, default_value = "linear", value_name = "NORM")]
    pub norm: String,
    /// Colour by this column's categories (strings or numbers; each distinct
    /// value a category) instead of a value: points in their category's
    /// colour, density mode mixing the categories' colours by their counts
    /// (Datashader's count_cat), and a legend.
    #[arg(long, value_name = "COL")]
    pub category: Option<String>,
    /// Size by value: each disc's diameter from this expression (of x, y,
    /// index and the file's columns), mapped linearly from its values' range
    /// onto --size-range; points mode (or auto while it draws points).
    #[arg(long, value_name = "EXPR")]
    pub size_by: Option<String>,
    /// The disc diameters, in pixels, that --size-by's smallest and largest
    /// values map onto.
    #[arg(long, num_args = 2, value_names = ["MIN", "MAX"], default_values_t = [2.0, 12.0], allow_negative_numbers = true)]
    pub size_range: Vec<f64>,
    /// The categories' colours, comma-separated, in the categories' order
    /// (default: tab10 up to 10 categories, tab20 up to 20, else 256 Glasbey colours).
    #[arg(long, value_name = "C1,C2,...", value_delimiter = ',')]
    pub category_colors: Option<Vec<String>>,
    /// Point diameter in pixels.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub point_size: f64,
    /// Physical pixels per logical pixel, as on a HiDPI screen (0.25 to 8):
    /// margins, lines, text and points grow by it; --width and --height stay
    /// the image's pixels. A viewer screenshot at scale 2 prints --scale 2.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub scale: f64,
    /// Point opacity, 0 < A <= 1.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub opacity: f64,
    /// Background: white, black, transparent, #rgb, #rrggbb or #rrggbbaa.
    #[arg(long, default_value = "white")]
    pub background: String,
    /// Colour of values below --range (like matplotlib's set_under; default:
    /// the map's first colour). Points and splat modes.
    #[arg(long, value_name = "COLOUR")]
    pub under: Option<String>,
    /// Colour of values above --range (set_over; default: the map's last colour).
    #[arg(long, value_name = "COLOUR")]
    pub over: Option<String>,
    /// Colour of points with no value, NaN or log(-1) (set_bad; default: not
    /// drawn). Points mode.
    #[arg(long, value_name = "COLOUR")]
    pub bad: Option<String>,
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
    #[arg(long, default_value = "auto", value_parser = choice::<Mode>)]
    pub mode: Mode,
    /// Where splat and density aggregate: gpu, cpu, or auto (the CPU when the
    /// only adapter is a software rasteriser such as lavapipe).
    #[arg(long, default_value = "auto", value_parser = choice::<Backend>)]
    pub backend: Backend,
    /// Density shading: linear, log, cbrt or eq-hist (histogram equalisation);
    /// needs --mode density (points and splat colour values over the range).
    #[arg(long, default_value = "eq-hist", value_parser = choice::<How>)]
    pub how: How,
    /// Density aggregate per pixel: count (points), or sum, mean, min or max of
    /// the --value of the points in it (needs --mode density).
    #[arg(long, default_value = "count", value_parser = choice::<Agg>)]
    pub agg: Agg,
    /// Spread isolated pixels over this radius in splat and density modes (0-5).
    #[arg(long, default_value_t = 0)]
    pub spread: u32,
    /// Print the adapter's details (and, in the viewer, its memory each time it
    /// comes to rest, and frames drawn and derives at the end).
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
    /// Highlight the points inside this polygon (data coordinates x1,y1,x2,y2,...; at
    /// least 3 vertices, even-odd rule) and write them (index,x,y,value) to a new
    /// pointillist-selection-NNNN.csv beside the output; prints its name.
    #[arg(long, value_name = "X1,Y1,X2,Y2,...", allow_hyphen_values = true)]
    pub select_polygon: Option<String>,
    /// Print what the frame shows at this pixel of the image (0 0 = top left): the
    /// nearest point's x, y, value and row, and a splat/density pixel's aggregate.
    #[arg(long, num_args = 2, value_names = ["X", "Y"], allow_negative_numbers = true)]
    pub probe: Option<Vec<f64>>,
    /// Memory the points may take (bytes, or with K, M, G, T; default: half of this
    /// machine's). A Parquet file or dataset, .npy or raw file whose points need more
    /// is streamed: read a batch at a time into a density image.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory: Option<u64>,
}

/// `8G`, `512M`, `100k`, `2.5G` or a number of bytes.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let scale: f64 = match unit.to_ascii_lowercase().trim_end_matches(['b', 'i']) {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0f64.powi(4),
        _ => {
            return Err(format!(
                "'{s}': a size is bytes, or a number with K, M, G or T"
            ))
        }
    };
    match num.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 && n * scale < 1.8e19 => Ok((n * scale) as u64),
        _ => Err(format!(
            "'{s}': a size is bytes, or a number with K, M, G or T"
        )),
    }
}

/// `x1,y1,x2,y2,...` as vertices.
pub fn parse_polygon(s: &str) -> std::result::Result<Vec<[f64; 2]>, String> {
    let nums: Vec<f64> = s
        .split(',')
        .map(|t| {
            t.trim()
                .parse::<f64>()
                .map_err(|_| format!("--select-polygon: '{}' is not a number", t.trim()))
        })
        .collect::<std::result::Result<_, _>>()?;
    if !nums.len().is_multiple_of(2) {
        return Err(format!(
            "--select-polygon: {} numbers do not make (x, y) pairs",
            nums.len()
        ));
    }
    Ok(nums.chunks(2).map(|p| [p[0], p[1]]).collect())
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
    /// Memory the points may take (as `render --memory`): an input whose points
    /// need more is streamed, each view aggregated again in the background as a
    /// density image that refines while the data is read.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory: Option<u64>,
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

fn pair(name: &str, v: &Option<Vec<f64>>) -> Result<Option<(f64, f64)>> {
    match v.as_deref() {
        None => Ok(None),
        Some([lo, hi]) => Ok(Some((*lo, *hi))),
        Some(_) => Err(Error::Input(format!(
            "--{name} takes two numbers, LO and HI"
        ))),
    }
}

/// Puts the flag's name in front of the library's message ("point size 0: ..."
/// becomes "--point-size 0: ...").
pub fn flagged(e: Error) -> Error {
    const NAMES: [(&str, &str); 16] = [
        ("size range ", "--size-range "),
        ("norm ", "--norm "),
        ("size by value", "--size-by"),
        ("point size ", "--point-size "),
        ("opacity ", "--opacity "),
        ("scale ", "--scale "),
        ("spread ", "--spread "),
        ("aggregate ", "--agg "),
        ("x range ", "--x-range "),
        ("y range ", "--y-range "),
        ("range ", "--range "),
        ("size ", "--width x --height: "),
        ("mode density", "--mode density"),
        ("time ", "--time "),
        ("category colours", "--category-colors"),
        ("category ", "--category "),
    ];
    match e {
        Error::Input(msg) => {
            let mut msg = msg;
            for (from, to) in NAMES {
                if msg.starts_with(from) {
                    msg = format!("{to}{}", &msg[from.len()..]);
                    break;
                }
            }
            Error::Input(msg.replace("need mode density", "need --mode density"))
        }
        Error::Expression { role, error } => Error::Input(format!("--{role}: {error}")),
        other => other,
    }
}

/// `--colormap`: a name, or a file of colours (a path that exists, or one
/// ending .json, .csv or .txt).
fn colormap(arg: &str) -> Result<Colormap> {
    let path = std::path::Path::new(arg);
    let listed = [".json", ".csv", ".txt"]
        .iter()
        .any(|ext| arg.to_ascii_lowercase().ends_with(ext));
    if listed || path.is_file() {
        Colormap::load(path).map_err(|e| Error::Input(format!("--colormap: {}", strip_input(&e))))
    } else {
        Colormap::by_name(arg)
    }
}

fn strip_input(e: &Error) -> String {
    match e {
        Error::Input(m) => m.clone(),
        other => other.to_string(),
    }
}

impl LookArgs {
    /// The figure these flags describe, `size` pixels large, checked.
    pub fn figure(&self, size: (u32, u32)) -> Result<Figure> {
        let figure = Figure {
            width: size.0,
            height: size.1,
            value: self
                .value
                .as_deref()
                .map_or(Value::Auto, |v| v.parse().expect("infallible")),
            filter: self.filter.clone(),
            time: self.time,
            colormap: colormap(&self.colormap)?,
            range: pair("range", &self.range)?,
            norm: self.norm.parse()?,
            category: self.category.clone(),
            size_by: self.size_by.clone(),
            size_range: (self.size_range[0], self.size_range[1]),
            category_colors: self
                .category_colors
                .as_ref()
                .map(|c| c.iter().map(|c| Color::parse(c)).collect::<Result<_>>())
                .transpose()
                .map_err(|e| Error::Input(format!("--category-colors: {e}")))?,
            mode: self.mode,
            backend: self.backend,
            agg: self.agg,
            how: self.how,
            spread: self.spread,
            point_size: self.point_size,
            opacity: self.opacity,
            scale: self.scale,
            background: Color::parse(&self.background)?,
            under: self.under.as_deref().map(Color::parse).transpose()?,
            over: self.over.as_deref().map(Color::parse).transpose()?,
            bad: self.bad.as_deref().map(Color::parse).transpose()?,
            x_range: pair("x-range", &self.x_range)?,
            y_range: pair("y-range", &self.y_range)?,
            title: self.title.clone(),
            x_label: self.x_label.clone(),
            y_label: self.y_label.clone(),
            grid: self.grid,
            axes: !self.no_axes,
            selection: None,
            probe: None,
        };
        figure.check().map_err(flagged)?;
        Ok(figure)
    }
}

impl DataArgs {
    /// The number of points to generate, checked.
    pub fn count(&self) -> Result<usize> {
        if self.points == 0 {
            return Err(Error::Input(
                "--points 0: nothing to draw; give at least 1 point".into(),
            ));
        }
        usize::try_from(self.points)
            .ok()
            .filter(|&n| n <= pointillist::MAX_POINTS)
            .ok_or_else(|| {
                Error::Input(format!(
                    "--points {}: at most 2,000,000,000 points",
                    self.points
                ))
            })
    }

    /// "clusters, seed 1" or the input file's name, for messages.
    pub fn describe(&self) -> String {
        match &self.input {
            Some(path) => path.display().to_string(),
            None => format!("{}, seed {}", self.dataset, self.seed),
        }
    }
}

/// `pointillist bench` flags.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Sizes to measure (accepts 100k, 1M, 1e7).
    #[arg(short = 'n', long, num_args = 1.., default_values = ["100k", "1M", "10M"], value_parser = parse_count)]
    pub points: Vec<u64>,
    /// Value expressions to measure (over x, y, index, t, radius, angle, wave).
    #[arg(long, num_args = 1.., default_values = ["x+y"])]
    pub value: Vec<String>,
    /// Timed runs per measurement (after one warm-up run).
    #[arg(long, default_value_t = 10)]
    pub repeat: usize,
    /// Dataset the points are generated from: clusters, uniform or spiral.
    #[arg(long, default_value = "uniform", value_parser = choice::<Dataset>)]
    pub dataset: Dataset,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Skip the draw (frame time) measurements.
    #[arg(long)]
    pub no_draw: bool,
    /// Only the viewer's interaction timings: hover read-out and lasso to
    /// highlighted frame (after the parity check).
    #[arg(long, conflicts_with = "no_draw")]
    pub interaction: bool,
    /// Print one JSON document on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Test-only: corrupt the CPU twin so that the parity check must fail.
    #[arg(long, hide = true)]
    pub break_twin: bool,
}

impl BenchArgs {
    /// The library's form of these flags.
    pub fn options(&self) -> pointillist::bench::BenchArgs {
        pointillist::bench::BenchArgs {
            points: self.points.clone(),
            value: self.value.clone(),
            repeat: self.repeat,
            dataset: self.dataset,
            seed: self.seed,
            no_draw: self.no_draw,
            interaction: self.interaction,
            json: self.json,
            break_twin: self.break_twin,
        }
    }
}

/// `pointillist convert`: the input as one Parquet file in Morton order.
pub fn convert(args: &ConvertArgs) -> Result<()> {
    let start = std::time::Instant::now();
    let columns = if args.columns.is_empty() {
        vec![]
    } else {
        args.columns.clone()
    };
    let mut columns = columns.into_iter();
    let options = pointillist::LoadOptions {
        x: args.x.clone(),
        y: args.y.clone(),
        value: columns.next(),
        columns: columns.collect(),
        skip_bad_files: args
            .skip_bad_files
            .then(|| std::sync::Arc::new(pointillist::BadFiles::default())),
        ..Default::default()
    };
    let done = load::with_progress(&args.input, options, 2, |p, o| {
        pointillist::convert(p, o, &args.output, args.row_group)
    })?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} ({} points, columns {}, {} row groups of up to {} rows in Morton order, snappy; {:.1} MB) in {secs:.2} s",
        args.output.display(),
        fmt_count(done.points as usize),
        done.columns.join(", "),
        fmt_count(done.row_groups),
        fmt_count(args.row_group),
        done.bytes as f64 / 1e6,
    );
    Ok(())
}

/// `pointillist view`: the window on the points.
pub fn view(args: &ViewArgs) -> Result<()> {
    let figure = args.look.figure((args.width, args.height))?;
    if !args.screenshot_dir.is_dir() {
        return Err(Error::Input(format!(
            "--screenshot-dir {}: no such folder",
            args.screenshot_dir.display()
        )));
    }
    let options = ViewOptions {
        screenshot_dir: args.screenshot_dir.clone(),
        source: args.data.describe(),
        verbose: args.look.verbose,
    };
    if let Some(path) = &args.data.input {
        if let Some(need) = render::over_budget(path, &args.data, &args.look, args.memory) {
            match pointillist::stream::check(&figure) {
                Ok(()) => {
                    eprintln!(
                        "streaming {} (its points need about {} MB, more than --memory): each view a density image, refined as the data is read",
                        path.display(),
                        need / 1_000_000
                    );
                    let (load, _, _) = load::options_for(&args.data, &args.look, None)?;
                    return pointillist::view_stream(path, &load, &figure, &options);
                }
                Err(why) => eprintln!(
                    "note: the points need about {} MB, more than --memory; they are read into memory all the same ({why})",
                    need / 1_000_000
                ),
            }
        }
    }
    let (points, value) = load::points(&args.data, &args.look)?;
    let figure = Figure {
        value: value.unwrap_or(figure.value),
        ..figure
    };
    pointillist::view(points, &figure, &options)
}

/// Thousands separators: 1234567 -> "1,234,567".
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
}
