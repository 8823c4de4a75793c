//! Where the points come from: a built-in generator or a file (src/io),
//! chosen from the command line. Also settles the value: `--value COL` names
//! a column of the input file, which becomes the `data` value.

use crate::cli::{DataArgs, Look, LookArgs};
use crate::derive::ValueKind;
use crate::error::{input, Result};
use crate::io::{self, Column, ColumnSpec, Format};
use crate::points::{generate, PointSet};

/// The points and the checked look for them. Prints what was loaded on stderr.
pub fn points_and_look(data: &DataArgs, look: &LookArgs) -> Result<(PointSet, Look)> {
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
    let loaded = io::load(path, format, &columns, delimiter)?;
    if loaded.skipped > 0 {
        eprintln!(
            "loaded {} points from {}; skipped {} rows with NaN, infinite or missing values",
            crate::headless::fmt_count(loaded.len()),
            path.display(),
            crate::headless::fmt_count(loaded.skipped)
        );
    }
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
