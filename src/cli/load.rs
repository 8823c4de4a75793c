//! Where the points come from: a built-in generator or a file, chosen by
//! the `DATA` flags. Prints what was loaded on stderr, with a progress bar on
//! a terminal for loads over a second.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pointillist::{Error, Format, LoadOptions, Points, Result, Value};

use super::{fmt_count, DataArgs, Order};

/// The points the flags ask for. `value` is the `--value` flag: when it is not
/// a built-in value it names a column of the file, which is loaded; the
/// returned value is then what the figure should show.
pub fn points(data: &DataArgs, value: Option<&str>) -> Result<(Points, Option<Value>)> {
    let (mut points, value) = unordered_points(data, value)?;
    if data.order == Order::Morton {
        points.sort_morton();
    }
    Ok((points, value))
}

fn unordered_points(data: &DataArgs, value: Option<&str>) -> Result<(Points, Option<Value>)> {
    let Some(path) = &data.input else {
        let n = data.count()?;
        return Ok((Points::generate(data.dataset, n, data.seed)?, None));
    };
    let format = data
        .format
        .as_deref()
        .map(|f| {
            f.parse::<Format>()
                .map_err(|e| Error::Input(format!("--format: {e}")))
        })
        .transpose()?;
    // A --value that is not built in names a column of the file.
    let column = value.filter(|v| matches!(v.parse::<Value>(), Ok(Value::Column(_))));
    let delimiter = data
        .delimiter
        .map(|c| {
            u8::try_from(c)
                .map_err(|_| Error::Input(format!("--delimiter '{c}' must be one ASCII character")))
        })
        .transpose()?;
    let options = LoadOptions {
        format,
        x: data.x.clone(),
        y: data.y.clone(),
        value: column.map(str::to_string),
        delimiter,
        progress: None,
    };
    let start = Instant::now();
    let points = load_with_progress(path, options)?;
    let secs = start.elapsed().as_secs_f64();
    let mb = std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6);
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
    if points.is_empty() {
        eprintln!(
            "warning: {} holds no points; the plot is empty",
            path.display()
        );
    }
    Ok((points, column.map(|_| Value::Data)))
}

/// Load a file; when stderr is a terminal and the load takes over a second,
/// show a progress bar (bytes of a CSV read, or a spinner for mapped formats).
fn load_with_progress(path: &Path, mut options: LoadOptions) -> Result<Points> {
    let total = std::fs::metadata(path).map_or(0, |m| m.len());
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
        let loaded = Points::load(path, &options);
        done.store(true, Relaxed);
        loaded
    })
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
