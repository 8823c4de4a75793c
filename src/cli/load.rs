//! Where the points come from: a built-in generator or a file, chosen by
//! the `DATA` flags. Prints what was loaded on stderr, with a progress bar on
//! a terminal for loads over a second.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pointillist::{
    expression_columns, Error, Format, LoadError, LoadOptions, Points, Result, Value,
};

use super::{fmt_count, DataArgs, LookArgs, Order};

/// The points the flags ask for, with the file column that `--value` and
/// `--filter` read loaded; the returned value (when there is one) replaces
/// the figure's (a column given by index or by a name that is not an
/// expression).
pub fn points(data: &DataArgs, look: &LookArgs) -> Result<(Points, Option<Value>)> {
    viewed_points(data, look, None)
}

/// [`points`] for one picture of `size` pixels (`render`): a Parquet file's
/// row groups outside the view are skipped where that cannot change it.
pub fn points_for(
    data: &DataArgs,
    look: &LookArgs,
    size: (u32, u32),
) -> Result<(Points, Option<Value>)> {
    viewed_points(data, look, prune_view(look, size))
}

/// The view `render` needs points from, when only they shape the picture:
/// both ranges given, counts (or values on a given range) coloured, no
/// categories or sizes (whose legends count every point). Grown by the
/// largest disc's reach (a plot area of at least half the image).
fn prune_view(look: &LookArgs, (w, h): (u32, u32)) -> Option<[f64; 4]> {
    let (x, y) = (look.x_range.as_ref()?, look.y_range.as_ref()?);
    let counts = look.mode == pointillist::Mode::Density && look.agg == pointillist::Agg::Count;
    let ranged = look.range.is_some() && look.agg == pointillist::Agg::Count;
    if !(counts || ranged) || look.category.is_some() || look.size_by.is_some() {
        return None;
    }
    let reach = (look.point_size + 2.0) * 2.0 / w.min(h).max(1) as f64;
    let (dx, dy) = ((x[1] - x[0]) * reach, (y[1] - y[0]) * reach);
    Some([x[0] - dx, x[1] + dx, y[0] - dy, y[1] + dy])
}

fn viewed_points(
    data: &DataArgs,
    look: &LookArgs,
    view: Option<[f64; 4]>,
) -> Result<(Points, Option<Value>)> {
    let (mut points, value) = unordered_points(data, look, view)?;
    if data.order == Order::Morton {
        points.sort_morton();
    }
    Ok((points, value))
}

/// What `--value` and `--filter` need from the file: the columns to load
/// (none: the default third column, if the file has one), and the value to
/// draw when it is a column rather than an expression.
fn wanted_columns(look: &LookArgs) -> Result<(Vec<String>, Option<Value>)> {
    let flag_error = |role: &'static str, error| Error::Expression { role, error };
    let mut columns = Vec::new();
    let mut value = None;
    if let Some(v) = look.value.as_deref() {
        let v = v.trim();
        if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) {
            // A column by index, as before expressions: its name comes with the load.
            columns.push(v.to_string());
            value = Some(Value::Column(String::new()));
        } else {
            match expression_columns(v) {
                Ok(c) => columns.extend(c),
                // Not an expression: perhaps a column whose name is not a name ("speed (km/h)").
                Err(_) if v != "auto" => {
                    columns.push(v.to_string());
                    value = Some(Value::Column(v.to_string()));
                }
                Err(e) => return Err(flag_error("value", e)),
            }
        }
    }
    if let Some(f) = look.filter.as_deref() {
        for c in expression_columns(f).map_err(|e| flag_error("filter", e))? {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    if let Some(s) = look.size_by.as_deref() {
        for c in expression_columns(s).map_err(|e| flag_error("size-by", e))? {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    if let Some(c) = look.category.as_deref() {
        // Loaded after the value's columns: the first column loaded is the value.
        if !columns.contains(&c.to_string()) {
            columns.push(c.to_string());
        }
    }
    Ok((columns, value))
}

/// The load options the flags ask for (the input's format, the columns
/// `--value`, `--filter` and `--category` read, the view), the further columns,
/// and the value to draw when it is a column.
pub fn options_for(
    data: &DataArgs,
    look: &LookArgs,
    view: Option<[f64; 4]>,
) -> Result<(LoadOptions, Vec<String>, Option<Value>)> {
    let format = data
        .format
        .as_deref()
        .map(|f| {
            f.parse::<Format>()
                .map_err(|e| Error::Input(format!("--format: {e}")))
        })
        .transpose()?;
    let (mut columns, value) = wanted_columns(look)?;
    let delimiter = data
        .delimiter
        .map(|c| {
            u8::try_from(c)
                .map_err(|_| Error::Input(format!("--delimiter '{c}' must be one ASCII character")))
        })
        .transpose()?;
    let options_value = (!columns.is_empty()).then(|| columns.remove(0));
    let options = LoadOptions {
        format,
        x: data.x.clone(),
        y: data.y.clone(),
        value: options_value,
        columns: columns.clone(),
        category: look.category.clone(),
        view,
        delimiter,
        progress: None,
        skip_bad_files: data
            .skip_bad_files
            .then(|| Arc::new(pointillist::BadFiles::default())),
    };
    Ok((options, columns, value))
}

fn unordered_points(
    data: &DataArgs,
    look: &LookArgs,
    view: Option<[f64; 4]>,
) -> Result<(Points, Option<Value>)> {
    let Some(path) = &data.input else {
        let n = data.count()?;
        return Ok((Points::generate(data.dataset, n, data.seed)?, None));
    };
    let (options, columns, value) = options_for(data, look, view)?;
    let options_value = options.value.clone();
    let start = Instant::now();
    let points = match with_progress(path, options, 1, |p, o| Points::load(p, o)) {
        // A --value that was neither an expression nor a column: say what is wrong with it
        // as an expression.
        Err(Error::Load(e)) if matches!(value, Some(Value::Column(ref c)) if !c.is_empty()) => {
            let v = look.value.as_deref().unwrap_or_default();
            return Err(match expression_columns(v) {
                Err(error) => Error::Expression {
                    role: "value",
                    error,
                },
                Ok(_) => Error::Load(e),
            });
        }
        // A name in an expression that the file lacks: the expression's error, with a
        // caret under the name and the file's columns to choose from.
        Err(Error::Load(e)) => {
            let asked = |n: &String| columns.contains(n) || options_value.as_ref() == Some(n);
            return Err(expression_error(look, &e, asked).unwrap_or(Error::Load(e)));
        }
        other => other?,
    };
    let secs = start.elapsed().as_secs_f64();
    let mb = Points::input_bytes(path) as f64 / 1e6;
    eprintln!(
        "loaded {} points from {} ({mb:.1} MB in {secs:.2} s, {:.0} MB/s){}",
        fmt_count(points.len()),
        path.display(),
        mb / secs.max(1e-9),
        if points.skipped() > 0 {
            format!(
                "; skipped {} rows with NaN, infinite or missing values",
                fmt_count(points.skipped())
            )
        } else {
            String::new()
        }
    );
    if let (read, skipped @ 1..) = points.row_groups() {
        eprintln!(
            "read {read} of {} row groups ({skipped} outside the view by their x/y statistics)",
            read + skipped
        );
    }
    if points.is_empty() {
        eprintln!(
            "warning: {} holds no points; the plot is empty",
            path.display()
        );
    }
    // A column given by index: draw it by the name it loaded with.
    let value = match value {
        Some(Value::Column(c)) if c.is_empty() => points
            .column_names()
            .next()
            .map(|n| Value::Column(n.to_string())),
        other => other,
    };
    Ok((points, value))
}

/// For a load that found no column named as asked (`asked(name)`: a column
/// `--value` or `--filter` reads), the expression's own error against the
/// file's columns (checked on no points with those columns), if it has one.
fn expression_error(
    look: &LookArgs,
    e: &LoadError,
    asked: impl Fn(&String) -> bool,
) -> Option<Error> {
    let LoadError::NoSuchColumn {
        name, available, ..
    } = e
    else {
        return None;
    };
    if !asked(name) {
        return None;
    }
    let mut points = Points::new::<f64>(&[], &[]).ok()?;
    for name in available {
        points = points.with_column(name, &[] as &[f32]).ok()?;
    }
    let figure = pointillist::Figure {
        value: look.value.as_deref().map_or(Value::Auto, Value::expr),
        filter: look.filter.clone(),
        ..Default::default()
    };
    match figure.check_for(&points) {
        Err(e @ Error::Expression { .. }) => Some(super::flagged(e)),
        _ => None,
    }
}

/// Run `job` (a load or a streamed pass over `path`) with `options`
/// counting what it reads; when stderr is a terminal and the job takes over
/// a second, show a progress bar (bytes read of `passes` times the input's
/// size, their rate and the time left; a spinner for mapped formats).
pub fn with_progress<T: Send>(
    path: &Path,
    mut options: LoadOptions,
    passes: u64,
    job: impl FnOnce(&Path, &LoadOptions) -> Result<T> + Send,
) -> Result<T> {
    let total = Points::input_bytes(path) * passes;
    let read = Arc::new(AtomicU64::new(0));
    options.progress = Some(read.clone());
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        if std::io::stderr().is_terminal() {
            scope.spawn(|| {
                let start = Instant::now();
                let mut bar: Option<indicatif::ProgressBar> = None;
                while !done.load(Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if bar.is_none() && start.elapsed() > Duration::from_secs(1) {
                        bar = Some(progress_bar(path, total, read.load(Relaxed) > 0));
                    }
                    if let Some(b) = &bar {
                        b.set_position(read.load(Relaxed));
                    }
                }
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
            });
        }
        let result = job(path, &options);
        done.store(true, Relaxed);
        result
    })
    .inspect(|_| report_bad(&options))
}

/// What a load that skipped bad input (`--skip-bad-files`) left out, a line each.
fn report_bad(options: &LoadOptions) {
    let lines = options.skip_bad_files.as_ref().map(|b| b.lines());
    let lines = lines.unwrap_or_default();
    if !lines.is_empty() {
        eprintln!(
            "warning: --skip-bad-files left out {} bad file{} or row group{}:",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            if lines.len() == 1 { "" } else { "s" }
        );
        for l in lines {
            eprintln!("  {l}");
        }
    }
}

fn progress_bar(path: &Path, total: u64, counts_bytes: bool) -> indicatif::ProgressBar {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let (bar, template) = if counts_bytes {
        (
            indicatif::ProgressBar::new(total),
            "loading {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
        )
    } else {
        (
            indicatif::ProgressBar::new_spinner(),
            "loading {msg} {spinner} {elapsed}",
        )
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(name);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
