//! [`Points`]: the user's points, from their own slices, a built-in
//! generator or a file, with any number of named value columns.
//!
//! Inside, the coordinates are one shared [`PointSet`] (an f64 origin and f32
//! offsets, 8 bytes a point) and each column one shared `Vec<f32>`, so a
//! figure renders the same points again and again without copying them.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::{input, Result};
use crate::io::{self, Column, ColumnSpec};
use crate::options::Dataset;
pub use crate::points::Coordinate;
use crate::points::{generate, Bounds, PointSet};

pub use crate::io::{BadFiles, Format, RawLayout};

/// The most points one [`Points`] holds.
pub const MAX_POINTS: usize = 2_000_000_000;

pub use crate::categories::MAX_CATEGORIES;

/// How [`Points::load`] reads a file.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The file's format; `None`: from the extension.
    pub format: Option<Format>,
    /// The x column, by name or 0-based index (`"lon"`, `"0"`); `None`: the first.
    pub x: Option<String>,
    /// The y column; `None`: the second.
    pub y: Option<String>,
    /// A value column to load; `None`: the third column when the file has one
    /// and neither x nor y was named.
    pub value: Option<String>,
    /// Further value columns to load beside `value`, by name or index: the
    /// file columns an expression reads (see [`crate::expression_columns`]).
    /// A row is kept only where x, y and every loaded column are finite.
    pub columns: Vec<String>,
    /// CSV delimiter; `None`: detected from the first line.
    pub delimiter: Option<u8>,
    /// A column to read as category labels (text in CSV; numbers anywhere):
    /// see [`Points::categories`].
    pub category: Option<String>,
    /// Only the points in [x0, x1] x [y0, y1] are needed: a Parquet file's
    /// row groups whose x or y statistics lie outside are not read
    /// ([`Points::row_groups`]); the rows of those read are all kept.
    pub view: Option<[f64; 4]>,
    /// Counts the bytes read so far, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
    /// Carry on past bad input (`--skip-bad-files`): a dataset's files that
    /// cannot be read or are truncated or corrupt, and a Parquet file's
    /// corrupt row groups, are left out and noted here. `None`: the first is
    /// the load's error.
    pub skip_bad_files: Option<Arc<BadFiles>>,
}

/// Points to draw: x and y, and optional value columns by name.
///
/// ```
/// use pointillist::Points;
/// let x = vec![0.0, 1.0, 2.0];
/// let y = vec![5.0, 3.0, 4.0];
/// let points = Points::new(&x, &y)?.with_column("speed", &[1.0f32, 2.0, 3.0])?;
/// assert_eq!(points.len(), 3);
/// assert_eq!(points.x_range(), Some((0.0, 2.0)));
/// assert!(Points::new(&x, &y[..2]).is_err());
/// # Ok::<(), pointillist::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Points {
    pub(crate) set: PointSet,
    pub(crate) columns: Vec<(String, Arc<Vec<f32>>)>,
    /// The names behind the columns that hold category codes (0, 1, … as f32).
    labels: Vec<(String, Arc<Vec<String>>)>,
    /// After a Morton sort: each point's row in the input.
    pub(crate) original_index: Option<Arc<Vec<u32>>>,
    skipped: usize,
    /// Parquet row groups read and skipped by their statistics.
    row_groups: (usize, usize),
}

impl LoadOptions {
    /// The columns to read, in the loaders' terms.
    fn spec(&self) -> ColumnSpec {
        ColumnSpec {
            x: self.x.as_deref().map(Column::parse),
            y: self.y.as_deref().map(Column::parse),
            value: self.value.as_deref().map(Column::parse),
            more: self.columns.iter().map(|c| Column::parse(c)).collect(),
            labels: self.category.as_deref().map(Column::parse),
            view: self.view,
            skip_bad: self.skip_bad_files.clone(),
        }
    }
}

impl Points {
    /// Points from the caller's x and y (`f64`, `f32`, `i32` or `u32`) slices
    /// of one length. Points with a NaN or infinite coordinate are kept but
    /// never drawn.
    pub fn new<T: Coordinate>(x: &[T], y: &[T]) -> Result<Points> {
        if x.len() != y.len() {
            return Err(input(format!(
                "x has {} values and y has {}: give one x and one y per point",
                x.len(),
                y.len()
            )));
        }
        if x.len() > MAX_POINTS {
            return Err(input(format!(
                "{} points: at most {MAX_POINTS} in one set",
                x.len()
            )));
        }
        Ok(Points::from_set(PointSet::from_xy(x, y, None)))
    }

    pub(crate) fn from_set(mut set: PointSet) -> Points {
        let name = set.value_name.take();
        let columns = match set.columns.pop() {
            Some(d) => vec![(name.unwrap_or_else(|| "value".into()), d)],
            None => Vec::new(),
        };
        set.columns.clear();
        Points {
            set,
            columns,
            labels: Vec::new(),
            original_index: None,
            skipped: 0,
            row_groups: (0, 0),
        }
    }

    /// `n` points of a built-in dataset; the same seed gives the same points
    /// on any thread count.
    pub fn generate(dataset: Dataset, n: usize, seed: u64) -> Result<Points> {
        Ok(Points::from_set(generate(dataset, n, seed)?))
    }

    /// Points from a file: `.npy`, `.csv`/`.tsv`, `.parquet`/`.pq` or raw
    /// records (see [`Format`]). The file is opened read-only. Rows with NaN,
    /// infinite or missing values are skipped ([`Points::skipped`]); column
    /// names become axis titles, and a loaded value column keeps its name.
    pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Points> {
        let path = path.as_ref();
        let counter = AtomicU64::new(0);
        let progress = options.progress.as_deref().unwrap_or(&counter);
        let loaded = io::load_counting(
            path,
            options.format,
            &options.spec(),
            options.delimiter,
            progress,
        )?;
        Self::from_loaded(path, loaded)
    }

    /// [`Points::load`] batch by batch, so that no more than one batch is
    /// held: a Parquet file or dataset row group by row group (each with its
    /// partition keys as columns), a `.npy` or raw file in slices of 2^18
    /// rows, a CSV file in chunks of about 8 MiB cut at line breaks (whole
    /// where a text label column is read). Each batch's points
    /// go to `each`; returns the Parquet row groups read and skipped (by
    /// [`LoadOptions::view`]).
    pub fn stream(
        path: impl AsRef<Path>,
        options: &LoadOptions,
        each: impl FnMut(Points) -> Result<()>,
    ) -> Result<(usize, usize)> {
        Self::stream_share(path.as_ref(), options, (0, 1), each)
    }

    /// [`Points::stream`] for worker `k` of `n`: every `n`-th batch from
    /// the `k`-th (n workers together see every batch once).
    pub(crate) fn stream_share(
        path: &Path,
        options: &LoadOptions,
        (k, n): (usize, usize),
        mut each: impl FnMut(Points) -> Result<()>,
    ) -> Result<(usize, usize)> {
        let counter = AtomicU64::new(0);
        let progress = options.progress.as_deref().unwrap_or(&counter);
        // An error of `each` rides out through the loader as this.
        let mut failed: Option<crate::Error> = None;
        let mut emit = |loaded: io::Loaded| {
            let result = Self::from_loaded(path, loaded).and_then(&mut each);
            result.map_err(|e| {
                failed = Some(e);
                io::LoadError::Stopped
            })
        };
        let spec = options.spec();
        match io::stream_counting(
            path,
            options.format,
            &spec,
            options.delimiter,
            progress,
            &mut emit,
            &io::Share::new(k, n),
        ) {
            Ok(groups) => Ok(groups),
            Err(io::LoadError::Stopped) => Err(failed.expect("set with Stopped")),
            Err(e) => Err(e.into()),
        }
    }

    /// The rows of the file or dataset at `path` that [`Points::stream`] can
    /// read a batch at a time, told without reading them: a Parquet file's or
    /// dataset's (from the footers), a `.npy` array's (its header), a raw
    /// file's (its size). None for CSV, or where it cannot be told (a load
    /// says why).
    pub fn streamable_rows(path: impl AsRef<Path>, format: Option<Format>) -> Option<u64> {
        io::rows(path.as_ref(), format)
    }

    /// The bounds of the points at `path` from its Parquet footers'
    /// statistics, without reading the data (None where they lack them);
    /// they span every row, those a load skips included.
    pub(crate) fn footer_bounds(
        path: &Path,
        options: &LoadOptions,
    ) -> Option<crate::points::Bounds> {
        Self::footer_bounds_named(path, options).map(|(b, _)| b)
    }

    /// The x and y ranges of the Parquet file or dataset at `path`, loaded
    /// as `options` says, from its footers' statistics, without reading the
    /// data: None unless every row group has both. They span every row, also
    /// those a load skips for a missing value. A streamed render without a
    /// view fits them, with no pass for the bounds.
    pub fn footer_ranges(
        path: impl AsRef<Path>,
        options: &LoadOptions,
    ) -> Option<((f64, f64), (f64, f64))> {
        Self::footer_bounds(path.as_ref(), options)
            .map(|b| ((b.min.x, b.max.x), (b.min.y, b.max.y)))
    }

    /// [`Points::footer_bounds`] and the x and y columns' names.
    pub(crate) fn footer_bounds_named(
        path: &Path,
        options: &LoadOptions,
    ) -> Option<(crate::points::Bounds, (String, String))> {
        let ([x0, x1, y0, y1], [xn, yn]) =
            io::footer_xy_range(path, options.format, &options.spec())?;
        let b = crate::points::Bounds {
            min: glam::DVec2::new(x0, y0),
            max: glam::DVec2::new(x1, y1),
        };
        (b.min.is_finite() && b.max.is_finite()).then_some((b, (xn, yn)))
    }

    /// The points of a load of `path`.
    fn from_loaded(path: &Path, loaded: io::Loaded) -> Result<Points> {
        let mut set = PointSet::from_points(loaded.xy, loaded.value);
        set.x_name = loaded.x_name;
        set.y_name = loaded.y_name;
        set.value_name = loaded.value_name;
        let mut points = Points::from_set(set);
        for (name, values) in loaded.more {
            if values.len() != points.len() {
                return Err(input(format!(
                    "{}: column '{name}' has {} values for {} points",
                    path.display(),
                    values.len(),
                    points.len()
                )));
            }
            points.columns.retain(|(n, _)| *n != name);
            points.columns.push((name, Arc::new(values)));
        }
        points.skipped = loaded.skipped;
        points.row_groups = loaded.row_groups;
        if let Some((name, labels)) = loaded.labels {
            points = points.with_labels(&name, labels);
        }
        Ok(points)
    }

    /// Adds (or replaces) a value column, one value per point.
    pub fn with_column<T: Coordinate>(mut self, name: &str, values: &[T]) -> Result<Points> {
        if values.len() != self.len() {
            return Err(input(format!(
                "column '{name}' has {} values for {} points",
                values.len(),
                self.len()
            )));
        }
        let mut v: Vec<f32> = values.iter().map(|&v| v.to_f64() as f32).collect();
        if let Some(order) = &self.original_index {
            v = order.iter().map(|&i| v[i as usize]).collect();
        }
        self.labels.retain(|(n, _)| n != name);
        self.columns.retain(|(n, _)| n != name);
        self.columns.push((name.to_string(), Arc::new(v)));
        Ok(self)
    }

    /// Adds (or replaces) a category column: one label per point (strings,
    /// or anything printable). Categories are numbered in the labels' sorted
    /// order; `Figure::category` colours the points by them.
    ///
    /// ```
    /// use pointillist::Points;
    /// let p = Points::new(&[0.0, 1.0, 2.0], &[0.0, 1.0, 0.5])?
    ///     .with_categories("kind", &["b", "a", "b"])?;
    /// assert_eq!(p.categories("kind").unwrap(), ["a", "b"]);
    /// assert_eq!(p.column("kind").unwrap(), [1.0, 0.0, 1.0]);
    /// # Ok::<(), pointillist::Error>(())
    /// ```
    pub fn with_categories<S: AsRef<str>>(self, name: &str, labels: &[S]) -> Result<Points> {
        let (codes, names) = crate::categories::sorted_codes(labels);
        self.with_category_codes(name, &codes, names)
    }

    /// Adds (or replaces) a category column from codes into `names` (as
    /// pandas' `Categorical` holds them): point i is in category
    /// `names[codes[i]]`, or in none for `u32::MAX` (not drawn).
    pub fn with_category_codes(
        self,
        name: &str,
        codes: &[u32],
        names: Vec<String>,
    ) -> Result<Points> {
        let bad = codes
            .iter()
            .find(|&&c| c as usize >= names.len() && c != u32::MAX);
        if let Some(&bad) = bad {
            return Err(input(format!(
                "category column '{name}': code {bad} for {} names",
                names.len()
            )));
        }
        if names.len() > MAX_CATEGORIES {
            return Err(input(format!(
                "category column '{name}': {} categories, at most {MAX_CATEGORIES}",
                names.len()
            )));
        }
        let codes: Vec<f32> = codes
            .iter()
            .map(|&c| if c == u32::MAX { f32::NAN } else { c as f32 })
            .collect();
        let mut points = self.with_column(name, &codes)?;
        points.labels.push((name.to_string(), Arc::new(names)));
        Ok(points)
    }

    /// Column `name` holds codes (in order of first appearance) of `labels`
    /// as a loader read them: numbers if every label is one, else
    /// categories numbered in the labels' sorted order.
    fn with_labels(mut self, name: &str, labels: Vec<String>) -> Points {
        let Some(pos) = self.columns.iter().position(|(n, _)| n == name) else {
            return self;
        };
        let numbers: Option<Vec<f32>> = labels.iter().map(|l| l.trim().parse().ok()).collect();
        let codes = self.columns[pos].1.clone();
        let (new, names): (Vec<f32>, Option<Vec<String>>) = match numbers {
            Some(numbers) => (codes.iter().map(|&c| numbers[c as usize]).collect(), None),
            None => {
                // The labels are distinct: each one's code is its rank.
                let (rank, sorted) = crate::categories::sorted_codes(&labels);
                (
                    codes.iter().map(|&c| rank[c as usize] as f32).collect(),
                    Some(sorted),
                )
            }
        };
        self.columns[pos].1 = Arc::new(new);
        if let Some(names) = names {
            self.labels.retain(|(n, _)| n != name);
            self.labels.push((name.to_string(), Arc::new(names)));
        }
        self
    }

    /// These points with `column`'s values replaced by `codes` (in stored order).
    pub(crate) fn with_codes(&self, column: &str, codes: Vec<f32>) -> Points {
        let mut p = self.clone();
        if let Some((_, v)) = p.columns.iter_mut().find(|(n, _)| n == column) {
            *v = Arc::new(codes);
        }
        p
    }

    /// The names of a category column's categories, by code (None: not a
    /// category column).
    pub fn categories(&self, name: &str) -> Option<&[String]> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| l.as_slice())
    }

    /// Names the axes (the default axis titles); generated and raw points say "x" and "y".
    pub fn with_names(mut self, x: &str, y: &str) -> Points {
        self.set.x_name = x.to_string();
        self.set.y_name = y.to_string();
        self
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The bytes a load of `path` reads at most: a file's size, or the sum of
    /// a dataset's files (a directory or glob); 0 where it cannot tell.
    pub fn input_bytes(path: impl AsRef<Path>) -> u64 {
        io::input_bytes(path.as_ref())
    }

    /// Parquet row groups a load read, and those it skipped because their x/y
    /// statistics lie outside [`LoadOptions::view`].
    pub fn row_groups(&self) -> (usize, usize) {
        self.row_groups
    }

    /// Rows a loader skipped for NaN, infinite or missing values.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The x column's name.
    pub fn x_name(&self) -> &str {
        &self.set.x_name
    }

    /// The y column's name.
    pub fn y_name(&self) -> &str {
        &self.set.y_name
    }

    /// Smallest and largest finite x (`None` without finite points).
    pub fn x_range(&self) -> Option<(f64, f64)> {
        let b = self.bounds();
        (!b.is_empty()).then_some((b.min.x, b.max.x))
    }

    /// Smallest and largest finite y.
    pub fn y_range(&self) -> Option<(f64, f64)> {
        let b = self.bounds();
        (!b.is_empty()).then_some((b.min.y, b.max.y))
    }

    pub(crate) fn bounds(&self) -> Bounds {
        self.set.bounds
    }

    /// The value columns' names, in the order they were added.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }

    /// The values of a column, in the points' order.
    pub fn column(&self, name: &str) -> Option<&[f32]> {
        self.column_entry(name).map(|(_, v)| v.as_slice())
    }

    pub(crate) fn column_entry(&self, name: &str) -> Option<(&str, &Arc<Vec<f32>>)> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(n, v)| (n.as_str(), v))
    }

    pub(crate) fn first_column(&self) -> Option<(&str, &Arc<Vec<f32>>)> {
        self.columns.first().map(|(n, v)| (n.as_str(), v))
    }

    /// Reorders the points along a Morton (Z-order) curve, so that points
    /// close on screen are close in memory (about 2x faster GPU splats of
    /// tens of millions of points). Columns move with their points, and
    /// `index` in an expression still gives each point's input row.
    pub fn sort_morton(&mut self) {
        let order = self.set.sort_morton();
        for (_, col) in &mut self.columns {
            *col = Arc::new(crate::points::gather(col, &order));
        }
        let order = match &self.original_index {
            Some(before) => order.iter().map(|&i| before[i as usize]).collect(),
            None => order,
        };
        self.original_index = Some(Arc::new(order));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_their_points_through_a_morton_sort() {
        let x: Vec<f32> = (0..500).map(|i| ((i * 37) % 101) as f32).collect();
        let y: Vec<f32> = (0..500).map(|i| ((i * 53) % 97) as f32).collect();
        let v: Vec<f64> = (0..500).map(|i| i as f64).collect();
        let mut p = Points::new(&x, &y).unwrap().with_column("row", &v).unwrap();
        p.sort_morton();
        let order = p.original_index.clone().unwrap();
        assert_ne!(
            *order,
            (0..500).collect::<Vec<u32>>(),
            "the sort moved nothing"
        );
        let rows = p.column("row").unwrap();
        for (new, &old) in order.iter().enumerate() {
            assert_eq!(rows[new], old as f32);
            let q = p.set.point(new);
            assert_eq!((q.x, q.y), (x[old as usize] as f64, y[old as usize] as f64));
        }
        // A column added after the sort is put in the sorted order too.
        let p = p.with_column("again", &v).unwrap();
        assert_eq!(p.column("again"), p.column("row"));
    }

    #[test]
    fn bad_lengths_are_errors() {
        let p = Points::new(&[1.0, 2.0], &[3.0, 4.0]).unwrap();
        let e = p
            .clone()
            .with_column("v", &[1.0f32])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "column 'v' has 1 values for 2 points");
        assert!(Points::new(&[1.0], &[1.0, 2.0]).is_err());
    }

    #[test]
    fn ranges_ignore_points_that_are_not_finite() {
        let p = Points::new(&[1.0, f64::NAN, 3.0, f64::INFINITY], &[2.0, 0.0, -1.0, 1.0]).unwrap();
        assert_eq!(p.x_range(), Some((1.0, 3.0)));
        assert_eq!(p.y_range(), Some((-1.0, 2.0)));
        assert_eq!(Points::new::<f64>(&[], &[]).unwrap().x_range(), None);
    }
}
