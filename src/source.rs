//! Where the points come from: a built-in generator or a file (src/io),
//! chosen from the command line. Also settles the value: `--value COL` names
//! a column of the input file, which becomes the `data` value.

use crate::cli::{DataArgs, Look, LookArgs, Order};
use crate::derive::ValueKind;
use crate::error::{input, Result};
use crate::headless::fmt_count;
use crate::io::{self, Column, ColumnSpec, Format};
use crate::io::{LoadError, Loaded};
use crate::points::{generate, PointSet};

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// The points and the checked look for them. Prints what was loaded on stderr.
pub fn points_and_look(data: &DataArgs, look: &LookArgs) -> Result<(PointSet, Look)> {
    let (mut points, mut look) = unordered_points_and_look(data, look)?;
    if data.order == Order::Morton {
        let original = points.sort_morton();
        if look.values.kind == ValueKind::Index {
            // `index` stays the input order: it travels as the data column.
            points.data = Some(original.into_iter().map(|i| i as f32).collect());
            look.values.kind = ValueKind::Data;
        }
    }
    Ok((points, look))
}

fn unordered_points_and_look(data: &DataArgs, look: &LookArgs) -> Result<(PointSet, Look)> {
    let Some(path) = &data.input else {
        let n = data.check()?;
        let look = look.check(false)?;
        if look.values.kind == ValueKind::Data {
            return Err(input(
                "value 'data' needs input with a value column (--input FILE); generated points have none",
            ));
        }
        return Ok((generate(data.dataset, n, data.seed)?, look));
    };
    let format = data
        .format
        .as_deref()
        .map(|f| {
            f.parse::<Format>()
                .map_err(|e| input(format!("--format: {e}")))
        })
        .transpose()?;
    // A --value that is not a value function names a column of the file.
    let value_column = look
        .value
        .as_deref()
        .filter(|v| ValueKind::by_name(v).is_err())
        .map(Column::parse);
    let columns = ColumnSpec {
        x: data.x.as_deref().map(Column::parse),
        y: data.y.as_deref().map(Column::parse),
        value: value_column.clone(),
    };
    let delimiter = data
        .delimiter
        .map(|c| {
            u8::try_from(c)
                .map_err(|_| input(format!("--delimiter '{c}' must be one ASCII character")))
        })
        .transpose()?;
    let start = Instant::now();
    let loaded = load_with_progress(path, format, &columns, delimiter)?;
    let secs = start.elapsed().as_secs_f64();
    let mb = std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6);
    eprintln!(
        "loaded {} points from {} ({mb:.1} MB in {secs:.2} s, {:.0} MB/s){}",
        fmt_count(loaded.len()),
        path.display(),
        mb / secs.max(1e-9),
        if loaded.skipped > 0 {
            format!(
                "; skipped {} rows with NaN, infinite or missing values",
                fmt_count(loaded.skipped)
            )
        } else {
            String::new()
        }
    );
    if loaded.is_empty() {
        eprintln!(
            "warning: {} holds no points; the plot is empty",
            path.display()
        );
    }
    let mut look_args = look.clone();
    if value_column.is_some() {
        look_args.value = Some("data".into());
    }
    let mut checked = look_args.check(loaded.value.is_some())?;
    if look.x_label.is_none() {
        checked.axes.x_label = loaded.x_name.clone();
    }
    if look.y_label.is_none() {
        checked.axes.y_label = loaded.y_name.clone();
    }
    if let (ValueKind::Data, Some(name)) = (checked.values.kind, &loaded.value_name) {
        checked.axes.value_label = name.clone();
    }
    let look = checked;
    let mut points = PointSet::from_f64(&loaded.x, &loaded.y, loaded.value);
    points.x_name = loaded.x_name;
    points.y_name = loaded.y_name;
    points.value_name = loaded.value_name;
    Ok((points, look))
}

/// Load a file; when stderr is a terminal and the load takes over a second,
/// show a progress bar (bytes of a CSV read, or a spinner for mapped formats).
fn load_with_progress(
    path: &Path,
    format: Option<Format>,
    columns: &ColumnSpec,
    delimiter: Option<u8>,
) -> std::result::Result<Loaded, LoadError> {
    let total = std::fs::metadata(path).map_or(0, |m| m.len());
    let read = AtomicU64::new(0);
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
        let loaded = io::load_counting(path, format, columns, delimiter, &read);
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
