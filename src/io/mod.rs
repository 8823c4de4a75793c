//! Loaders for user data: `.npy` (NumPy arrays, plain 2-D or structured),
//! CSV/TSV text, Apache Parquet, and raw little-endian `f32`/`f64` records.
//!
//! `.npz` is not read (it is a zip archive); the error says to unzip it and
//! pass one of the `.npy` files inside.
//!
//! Every loader opens its file read-only and never writes to it. Binary
//! formats (Parquet included) are memory-mapped (falling back to one read if mapping fails) and
//! CSV is streamed, so nothing is held but the output vectors and the map.
//! Rows whose chosen x, y or value is NaN, infinite, missing or empty are
//! skipped and counted in [`Loaded::skipped`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::AtomicU64;

mod csv;
mod dataset;
mod npy;
mod parquet;
mod raw;

/// The on-disk format of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// NumPy `.npy`: a 2-D array `(N, 2+)` or a 1-D structured array.
    Npy,
    /// Delimited text: comma, tab, semicolon or space separated.
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`): numeric columns by name.
    Parquet,
    /// Headerless interleaved little-endian records.
    Raw(RawLayout),
}

/// The record layout of a raw binary file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawLayout {
    /// `f32 x, f32 y` (8 bytes a record).
    F32Xy,
    /// `f32 x, f32 y, f32 value` (12 bytes a record).
    F32Xyv,
    /// `f64 x, f64 y` (16 bytes a record).
    F64Xy,
    /// `f64 x, f64 y, f64 value` (24 bytes a record).
    F64Xyv,
}

impl RawLayout {
    /// Every layout, in the order they are listed to users.
    pub const ALL: [RawLayout; 4] = [
        RawLayout::F32Xy,
        RawLayout::F32Xyv,
        RawLayout::F64Xy,
        RawLayout::F64Xyv,
    ];

    /// The name used for `--format` and as a file extension.
    pub fn name(self) -> &'static str {
        match self {
            RawLayout::F32Xy => "f32xy",
            RawLayout::F32Xyv => "f32xyv",
            RawLayout::F64Xy => "f64xy",
            RawLayout::F64Xyv => "f64xyv",
        }
    }

    /// Bytes in one scalar (4 or 8).
    pub fn scalar_size(self) -> usize {
        match self {
            RawLayout::F32Xy | RawLayout::F32Xyv => 4,
            RawLayout::F64Xy | RawLayout::F64Xyv => 8,
        }
    }

    /// Scalars in one record (2 or 3).
    pub fn fields(self) -> usize {
        match self {
            RawLayout::F32Xy | RawLayout::F64Xy => 2,
            RawLayout::F32Xyv | RawLayout::F64Xyv => 3,
        }
    }

    /// Bytes in one record.
    pub fn record_size(self) -> usize {
        self.scalar_size() * self.fields()
    }
}

/// The names accepted by `Format::from_str`, for messages.
pub const FORMAT_NAMES: &str = "npy, csv, tsv, parquet, f32xy, f32xyv, f64xy, f64xyv";

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Npy => f.write_str("npy"),
            Format::Csv => f.write_str("csv"),
            Format::Parquet => f.write_str("parquet"),
            Format::Raw(layout) => f.write_str(layout.name()),
        }
    }
}

/// An unknown `--format` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format '{0}'; valid formats: {FORMAT_NAMES}")]
pub struct ParseFormatError(pub String);

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().trim_start_matches('.').to_ascii_lowercase();
        match lower.as_str() {
            "npy" => Ok(Format::Npy),
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            other => RawLayout::ALL
                .iter()
                .find(|l| l.name() == other)
                .map(|&l| Format::Raw(l))
                .ok_or_else(|| ParseFormatError(s.to_string())),
        }
    }
}

/// One column of the input, chosen by name or by 0-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Name(String),
    Index(usize),
}

impl Column {
    /// All-digit text is a 0-based index, anything else a name.
    pub fn parse(s: &str) -> Column {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(i) = s.parse() {
                return Column::Index(i);
            }
        }
        Column::Name(s.to_string())
    }
}

impl FromStr for Column {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Column::parse(s))
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Name(n) => write!(f, "'{n}'"),
            Column::Index(i) => write!(f, "{i}"),
        }
    }
}

/// Which columns hold x, y and the value.
///
/// `None` picks the default: x is column 0 and y column 1; the value is
/// column 2 when the file has a third column and neither x nor y was chosen
/// by hand (otherwise there is no value column unless one is named).
/// A name matches exactly or, failing that, ignoring ASCII case and
/// surrounding spaces; files without names (plain .npy arrays, CSV without a
/// header) also answer to `"column N"`.
///
/// `more` are further value columns (the file columns an expression names),
/// loaded beside `value`; a row is kept only where all of them are finite.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnSpec {
    pub x: Option<Column>,
    pub y: Option<Column>,
    pub value: Option<Column>,
    pub more: Vec<Column>,
    /// A column of `more` read as text labels (categories) where the format
    /// has text (CSV): each distinct label becomes a code 0, 1, … in order of
    /// first appearance, its names in [`Loaded::labels`].
    pub labels: Option<Column>,
    /// Only the points in [x0, x1] x [y0, y1] are needed: a Parquet file's
    /// row groups whose x or y statistics lie outside are not read (the rows
    /// of the groups read are all kept).
    pub view: Option<[f64; 4]>,
    /// Carry on past bad files and row groups, noting each here (else the
    /// first is the load's error).
    pub skip_bad: Option<std::sync::Arc<BadFiles>>,
}

/// What a load that carries on past bad input skipped: unreadable, truncated
/// or corrupt files of a dataset, and corrupt row groups of a Parquet file,
/// each error once (a file met by several passes or threads is noted once),
/// in the order met.
#[derive(Debug, Default)]
pub struct BadFiles(std::sync::Mutex<Vec<String>>);

impl BadFiles {
    /// Note `e`, once.
    pub fn note(&self, e: &LoadError) {
        let line = e.to_string();
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.contains(&line) {
            seen.push(line);
        }
    }

    /// The errors noted, one line each.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// One record is the same record: a spec compares its sink by identity.
impl PartialEq for BadFiles {
    fn eq(&self, other: &BadFiles) -> bool {
        std::ptr::eq(self, other)
    }
}

/// The points read from a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// The points' (x, y), as a [`crate::points::PointSet`] holds them.
    pub xy: Vec<[f64; 2]>,
    /// The chosen value column, if any; same length as `xy`.
    pub value: Option<Vec<f32>>,
    /// Column names for axis titles: the header or field name, or
    /// `"column N"` where the file names none (raw files: "x", "y", "value").
    pub x_name: String,
    pub y_name: String,
    pub value_name: Option<String>,
    /// The columns of [`ColumnSpec::more`], by name, in the order asked
    /// (one that is also the value column, or asked twice, comes once).
    pub more: Vec<(String, Vec<f32>)>,
    /// The labels column's name and its labels by code (its values in `more`
    /// are the codes).
    pub labels: Option<(String, Vec<String>)>,
    /// Row groups read and row groups skipped by their x/y statistics
    /// (Parquet with [`ColumnSpec::view`]).
    pub row_groups: (usize, usize),
    /// Rows skipped for NaN, inf or missing/empty fields.
    pub skipped: usize,
}

#[cfg(test)]
impl Loaded {
    /// Number of points kept.
    pub fn len(&self) -> usize {
        self.xy.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xy.is_empty()
    }

    /// The points' x, as a column.
    pub fn x(&self) -> Vec<f64> {
        self.xy.iter().map(|p| p[0]).collect()
    }

    /// The points' y, as a column.
    pub fn y(&self) -> Vec<f64> {
        self.xy.iter().map(|p| p[1]).collect()
    }
}

/// Why a file could not be loaded. Every message names the file and says
/// what to do; the `#[error]` text of each variant is its documentation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum LoadError {
    #[error("cannot open {}: {source}; check the path and that the file is readable", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("error reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is empty; pass a file that has data in it", path.display())]
    Empty { path: PathBuf },
    #[error("cannot tell the format of {} from its extension; pass --format with one of: {FORMAT_NAMES}", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{} is an .npz archive, which is not read directly; unzip it (it is a zip of .npy files) and pass one of the .npy files", path.display())]
    Npz { path: PathBuf },
    #[error("{} does not look like text (binary data?); pass --format npy or parquet, or --format f32xy/f32xyv/f64xy/f64xyv for raw binary records", path.display())]
    NotText { path: PathBuf },
    #[error("{} is not a valid .npy file: {reason}", path.display())]
    BadNpy { path: PathBuf, reason: String },
    #[error("{} has unsupported dtype {dtype}{}; supported dtypes: {}; convert it first, e.g. arr.astype('<f8')", path.display(), field.as_ref().map(|f| format!(" in field '{f}'")).unwrap_or_default(), npy::SUPPORTED_DTYPES)]
    UnsupportedDtype {
        path: PathBuf,
        dtype: String,
        field: Option<String>,
    },
    #[error("{} has shape {shape}; a plain array needs shape (N, 2) or (N, 3+) (columns x, y[, value]), or a 1-D structured array with named fields; reshape it, e.g. arr.reshape(-1, 2)", path.display())]
    BadShape { path: PathBuf, shape: String },
    #[error("{} is truncated: the header promises {expected} bytes of data but only {actual} are there; re-save the file", path.display())]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{} line {line}, {column}: {value:?} is not a number; fix or delete that row, or choose another column", path.display())]
    NotNumber {
        path: PathBuf,
        line: u64,
        /// `column 'name' (index N)`, or `column N` without a header.
        column: String,
        value: String,
    },
    #[error("{}, {column}: more than {max} distinct labels; categories need fewer (is it an id column?)", path.display())]
    TooManyLabels {
        path: PathBuf,
        column: String,
        max: usize,
    },
    #[error("{}: {what}; a dataset is a folder of Parquet files (key=value/ partition folders allowed) or a pattern such as 'data/*.parquet'", path.display())]
    NoFiles { path: PathBuf, what: String },
    #[error("{} is not in a {key}=VALUE folder, which other files of its dataset are", path.display())]
    MissingKey { path: PathBuf, key: String },
    #[error("{} has other columns than the files before it in its dataset; every file of a dataset must hold the same columns", path.display())]
    Differs { path: PathBuf },
    /// A streamed load stopped by its consumer (which holds the reason).
    #[error("the load was stopped")]
    Stopped,
    #[error("{} has no column named '{name}'; available columns: {}", path.display(), available.join(", "))]
    NoSuchColumn {
        path: PathBuf,
        name: String,
        available: Vec<String>,
    },
    #[error("{} has no header row, so column '{name}' cannot be found by name; choose columns by 0-based index instead (the file has {count} columns)", path.display())]
    NoHeader {
        path: PathBuf,
        name: String,
        count: usize,
    },
    #[error("{}: column index {index} is out of range; the file has {count} columns (0 to {})", path.display(), count.saturating_sub(1))]
    ColumnOutOfRange {
        path: PathBuf,
        index: usize,
        count: usize,
    },
    #[error("{} has only {count} column(s); x and y need at least 2", path.display())]
    TooFewColumns { path: PathBuf, count: usize },
    #[error("{} is {size} bytes, which is not a whole number of {record}-byte {layout} records; check --format (f32xy: 8, f32xyv: 12, f64xy: 16, f64xyv: 24 bytes a record)", path.display())]
    RawSize {
        path: PathBuf,
        size: u64,
        record: usize,
        layout: &'static str,
    },
    #[error("{}{}: {source}", path.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Csv {
        path: PathBuf,
        line: Option<u64>,
        source: ::csv::Error,
    },
    #[error("{} line {line}: a quoted field holds a line break there, and a CSV file streamed beyond --memory is cut at line breaks; give a larger --memory to read it whole", path.display())]
    CsvQuotedLineBreak { path: PathBuf, line: u64 },
    #[error("{} is not a Parquet file (it does not start with the bytes PAR1); check the file and --format (valid formats: {FORMAT_NAMES})", path.display())]
    NotParquet { path: PathBuf },
    #[error("{} is truncated or incomplete: a Parquet file ends with a footer and the bytes PAR1, which are missing; re-save the file, or wait until its writer has finished", path.display())]
    ParquetTruncated { path: PathBuf },
    #[error("{} is not a valid Parquet file: {reason}", path.display())]
    BadParquet { path: PathBuf, reason: String },
    #[error("{}: column '{column}' has type {ty}, which cannot be read as numbers; supported: {}; choose another column or convert it first, e.g. df['{column}'] = df['{column}'].astype('float64')", path.display(), parquet::SUPPORTED_TYPES)]
    UnsupportedColumnType {
        path: PathBuf,
        column: String,
        ty: String,
    },
    #[error("{}: column '{column}' is compressed with {codec}, which this build does not read (it reads {}); re-save the file with another compression, e.g. df.to_parquet(path, compression='snappy')", path.display(), parquet::SUPPORTED_CODECS)]
    ParquetCodec {
        path: PathBuf,
        column: String,
        codec: String,
    },
}

impl LoadError {
    /// Whether the error is the file's own fault (it cannot be opened or
    /// read, or its bytes are truncated or corrupt), as opposed to the
    /// request's (a column it lacks, a format it is not): what a load that
    /// skips bad files skips.
    pub fn is_bad_file(&self) -> bool {
        matches!(
            self,
            LoadError::Open { .. }
                | LoadError::Read { .. }
                | LoadError::Empty { .. }
                | LoadError::NotText { .. }
                | LoadError::BadNpy { .. }
                | LoadError::Truncated { .. }
                | LoadError::RawSize { .. }
                | LoadError::Csv { .. }
                | LoadError::NotParquet { .. }
                | LoadError::ParquetTruncated { .. }
                | LoadError::BadParquet { .. }
        )
    }

    /// The file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Open { path, .. }
            | LoadError::Read { path, .. }
            | LoadError::Empty { path }
            | LoadError::UnknownFormat { path }
            | LoadError::Npz { path }
            | LoadError::NotText { path }
            | LoadError::BadNpy { path, .. }
            | LoadError::UnsupportedDtype { path, .. }
            | LoadError::BadShape { path, .. }
            | LoadError::Truncated { path, .. }
            | LoadError::NotNumber { path, .. }
            | LoadError::TooManyLabels { path, .. }
            | LoadError::NoFiles { path, .. }
            | LoadError::MissingKey { path, .. }
            | LoadError::Differs { path }
            | LoadError::NoSuchColumn { path, .. }
            | LoadError::NoHeader { path, .. }
            | LoadError::ColumnOutOfRange { path, .. }
            | LoadError::TooFewColumns { path, .. }
            | LoadError::RawSize { path, .. }
            | LoadError::Csv { path, .. }
            | LoadError::CsvQuotedLineBreak { path, .. }
            | LoadError::NotParquet { path }
            | LoadError::ParquetTruncated { path }
            | LoadError::BadParquet { path, .. }
            | LoadError::UnsupportedColumnType { path, .. }
            | LoadError::ParquetCodec { path, .. } => path,
            LoadError::Stopped => Path::new(""),
        }
    }
}

/// Load points from `path`. `format` `None` detects it from the extension;
/// `delimiter` `None` detects it from the first line (CSV only).
#[cfg(test)]
pub fn load(
    path: &Path,
    format: Option<Format>,
    columns: &ColumnSpec,
    delimiter: Option<u8>,
) -> Result<Loaded, LoadError> {
    load_counting(path, format, columns, delimiter, &AtomicU64::new(0))
}

/// [`load`], adding the bytes read so far to `read` (for a progress bar): the
/// text of a CSV file, or the compressed row groups of a Parquet file as each
/// is decoded; the other memory-mapped formats are converted in one pass and
/// report nothing.
pub fn load_counting(
    path: &Path,
    format: Option<Format>,
    columns: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
) -> Result<Loaded, LoadError> {
    if dataset::is_dataset(path) {
        return dataset::load(path, format, columns, delimiter, read);
    }
    let format = match format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    match format {
        Format::Npy => npy::load(path, columns),
        Format::Csv => csv::load(path, columns, delimiter, read),
        Format::Parquet => parquet::load(path, columns, read),
        Format::Raw(layout) => raw::load(path, layout, columns),
    }
}

/// Which batches of a stream one of `n` workers takes: every `n`-th from
/// the `k`-th, counting every file's row groups in the order a stream meets
/// them (each worker walks the same files and counts the same way).
#[derive(Debug)]
pub struct Share {
    pub k: usize,
    pub n: usize,
    seen: std::cell::Cell<usize>,
}

impl Share {
    pub fn new(k: usize, n: usize) -> Share {
        Share {
            k,
            n: n.max(1),
            seen: std::cell::Cell::new(0),
        }
    }

    /// Whether the next batch is this worker's.
    pub fn take(&self) -> bool {
        let i = self.seen.get();
        self.seen.set(i + 1);
        i % self.n == self.k
    }
}

/// [`load_counting`] batch by batch: a Parquet file (or a dataset of them)
/// row group by row group, a `.npy`, raw or CSV file in slices, each batch handed to
/// `emit`, so that no more than one is held. A dataset's batches carry its
/// partition keys as columns. Returns the row groups read and skipped.
pub fn stream_counting(
    path: &Path,
    format: Option<Format>,
    columns: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
    emit: &mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    share: &Share,
) -> Result<(usize, usize), LoadError> {
    if dataset::is_dataset(path) {
        return dataset::stream(path, format, columns, delimiter, read, emit, share);
    }
    let format = match format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    match format {
        Format::Parquet => parquet::stream(path, columns, read, emit, share),
        Format::Npy => npy::stream(path, columns, emit, share),
        Format::Raw(layout) => raw::stream(path, layout, columns, emit, share),
        Format::Csv => csv::stream(path, columns, delimiter, read, emit, share),
    }
}

/// The rows of a file or dataset that can be streamed, told without reading
/// them: a Parquet file's or dataset's from the footers, a `.npy` array's
/// from its header, a raw file's from its size. None for CSV, or where that
/// cannot be told (a load will say why).
pub fn rows(path: &Path, format: Option<Format>) -> Option<u64> {
    if dataset::is_dataset(path) {
        return parquet_rows(path);
    }
    match format.map_or_else(|| detect_format(path).ok(), Some)? {
        Format::Parquet => parquet_rows(path),
        Format::Npy => npy::rows(path),
        Format::Raw(layout) => {
            Some(std::fs::metadata(path).ok()?.len() / layout.record_size() as u64)
        }
        Format::Csv => csv::rows(path),
    }
}

/// The rows of a Parquet file or dataset from the files' footers.
fn parquet_rows(path: &Path) -> Option<u64> {
    let files: Vec<PathBuf> = if dataset::is_dataset(path) {
        dataset::parts(path)
            .ok()?
            .into_iter()
            .map(|p| p.path)
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.iter().map(|f| parquet::rows(f)).sum()
}

/// The x and y ranges `[x0, x1, y0, y1]` of a Parquet file or dataset from
/// its footers' statistics, without reading its data: None where a file's
/// statistics lack them (or x or y is a partition key, or not a float
/// column). They span every row, also those a load skips for a missing value.
/// Also the x and y columns' names.
pub fn footer_xy_range(
    path: &Path,
    format: Option<Format>,
    spec: &ColumnSpec,
) -> Option<([f64; 4], [String; 2])> {
    let files: Vec<PathBuf> = if dataset::is_dataset(path) {
        dataset::parts(path)
            .ok()?
            .into_iter()
            .map(|p| p.path)
            .collect()
    } else if format.map_or_else(|| detect_format(path).ok(), Some)? == Format::Parquet {
        vec![path.to_path_buf()]
    } else {
        return None;
    };
    // Only x and y are looked up (the others may be partition keys).
    let spec = &ColumnSpec {
        value: None,
        more: Vec::new(),
        labels: None,
        ..spec.clone()
    };
    let mut all: Option<([f64; 4], [String; 2])> = None;
    for f in &files {
        let (q, names) = parquet::xy_range(f, spec)?;
        all = Some(match all {
            None => (q, names),
            Some((r, names)) => (
                [
                    r[0].min(q[0]),
                    r[1].max(q[1]),
                    r[2].min(q[2]),
                    r[3].max(q[3]),
                ],
                names,
            ),
        });
    }
    all
}

/// The format implied by the file's extension (case-insensitive): `.npy`,
/// `.csv`, `.tsv`, `.txt` (as CSV), `.parquet`, `.pq`, `.f32xy`, `.f32xyv`,
/// `.f64xy`, `.f64xyv`.
/// The bytes a load of `path` reads at most: the file's size, or its
/// dataset's files' (0 where that cannot be told).
pub fn input_bytes(path: &Path) -> u64 {
    if dataset::is_dataset(path) {
        return dataset::parts(path)
            .map(|parts| {
                parts
                    .iter()
                    .filter_map(|p| std::fs::metadata(&p.path).ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
    }
    std::fs::metadata(path).map_or(0, |m| m.len())
}

pub fn detect_format(path: &Path) -> Result<Format, LoadError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "npz" => Err(LoadError::Npz {
            path: path.to_path_buf(),
        }),
        "" => Err(LoadError::UnknownFormat {
            path: path.to_path_buf(),
        }),
        e => e.parse().map_err(|_| LoadError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

// ---------------------------------------------------------------------------
// Shared helpers for the loaders.

/// Open `path` read-only.
fn open(path: &Path) -> Result<std::fs::File, LoadError> {
    std::fs::File::open(path).map_err(|source| LoadError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// The bytes of a whole file: a read-only map, or a buffer if mapping failed.
enum Bytes {
    Map(memmap2::Mmap),
    Buf(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Map(m) => m,
            Bytes::Buf(b) => b,
        }
    }
}

/// Rows a streamed `.npy` or raw file hands over at a time.
const SLICE_ROWS: usize = 1 << 18;

/// A streamed decode's consumer and the share of its batches to take.
type Streaming<'a, 'b> = Option<(
    &'a mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    &'b Share,
)>;

/// The `rows` rows of a mapped file, each pushed by `push` (a range of rows
/// into a sink of `values` value columns) and finished by `finish`: all in
/// one [`Loaded`], or, streaming, a slice of [`SLICE_ROWS`] at a time handed
/// to the consumer (then an empty one is returned), the pages of each slice
/// (the bytes `span` gives for its rows, None: spread over the file) let go
/// once read so that what was read does not stay resident.
fn by_slices(
    bytes: &Bytes,
    rows: usize,
    values: usize,
    push: &dyn Fn(&mut Sink, std::ops::Range<usize>),
    finish: &dyn Fn(Sink) -> Loaded,
    span: &dyn Fn(std::ops::Range<usize>) -> Option<std::ops::Range<usize>>,
    stream: Streaming<'_, '_>,
) -> Result<Loaded, LoadError> {
    let Some((emit, share)) = stream else {
        let mut sink = Sink::new(rows, values);
        push(&mut sink, 0..rows);
        return Ok(finish(sink));
    };
    for start in (0..rows).step_by(SLICE_ROWS) {
        if !share.take() {
            continue;
        }
        let end = (start + SLICE_ROWS).min(rows);
        let mut sink = Sink::new(end - start, values);
        push(&mut sink, start..end);
        // The slice's pages go (all of them, where its rows are spread out).
        release(bytes, span(start..end).unwrap_or(0..bytes.len()));
        emit(finish(sink))?;
    }
    Ok(finish(Sink::new(0, values)))
}

/// Let go of the pages of a mapped file that hold the byte `range`: a later
/// read faults them in from the page cache again.
fn release(bytes: &Bytes, range: std::ops::Range<usize>) {
    #[cfg(target_os = "linux")]
    if let Bytes::Map(m) = bytes {
        // Whole pages, the partial ones at the ends too (a page a slice shares
        // with the next is read again from the page cache if need be: one
        // left mapped can hold a whole large folio of the file mapped).
        const PAGE: usize = 4096;
        let start = range.start / PAGE * PAGE;
        let end = range.end.min(m.len()).next_multiple_of(PAGE).min(m.len());
        if start < end {
            // SAFETY: `m` is a whole read-only file mapping, page
            // aligned and never written, and [start, end) lies in it: dropping
            // its pages only makes later reads fault them in again.
            unsafe {
                libc::madvise(
                    m.as_ptr().add(start) as *mut libc::c_void,
                    end - start,
                    libc::MADV_DONTNEED,
                );
            }
        }
    }
}

/// Map `path` read-only. An empty file is [`LoadError::Empty`].
fn map_file(path: &Path) -> Result<Bytes, LoadError> {
    let mut file = open(path)?;
    let read_err = |source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    };
    let len = file.metadata().map_err(read_err)?.len();
    if len == 0 {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    // SAFETY: the map is read-only and private to this call. If another
    // process truncates the file while it is mapped, reads may fault; that is
    // the documented risk of any file map and we accept it for the speed.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => Ok(Bytes::Map(map)),
        Err(_) => {
            use std::io::Read;
            let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            file.read_to_end(&mut buf).map_err(read_err)?;
            Ok(Bytes::Buf(buf))
        }
    }
}

/// Column indices picked from a [`ColumnSpec`], with their display names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Picked {
    x: usize,
    y: usize,
    value: Option<usize>,
    /// Further value columns, none of them `value` and none twice.
    more: Vec<usize>,
    /// The column (one of the value columns) read as text labels.
    labels: Option<usize>,
}

impl Picked {
    /// Every value column: `value` (if any), then `more`.
    fn values(&self) -> Vec<usize> {
        self.value.iter().chain(&self.more).copied().collect()
    }

    /// The labels column's place among [`Picked::values`].
    fn labels_slot(&self) -> Option<usize> {
        let l = self.labels?;
        self.values().iter().position(|&c| c == l)
    }
}

/// `"column N"`, the name of an unnamed column.
fn column_name(i: usize) -> String {
    format!("column {i}")
}

/// Resolve `spec` against a file whose columns are `names` (`named` false
/// when those are just `"column N"` because the file has no names).
fn resolve(
    path: &Path,
    spec: &ColumnSpec,
    names: &[String],
    named: bool,
) -> Result<Picked, LoadError> {
    let lookup = |n: &str| {
        names.iter().position(|m| m == n).or_else(|| {
            let n = n.trim();
            names.iter().position(|m| m.trim().eq_ignore_ascii_case(n))
        })
    };
    let missing = |n: &str| {
        if named {
            LoadError::NoSuchColumn {
                path: path.to_path_buf(),
                name: n.to_string(),
                available: names.to_vec(),
            }
        } else {
            LoadError::NoHeader {
                path: path.to_path_buf(),
                name: n.to_string(),
                count: names.len(),
            }
        }
    };
    resolve_by(path, spec, names.len(), lookup, missing)
}

/// [`resolve`] for a file of `count` columns without names, which answer to
/// `"column N"`, without making a name for each column first: a corrupt
/// header can claim billions of columns (with no rows, so no data to check
/// the claim against).
fn resolve_unnamed(path: &Path, spec: &ColumnSpec, count: usize) -> Result<Picked, LoadError> {
    let lookup = |n: &str| {
        let n = n.trim();
        let digits = n
            .get(..7)?
            .eq_ignore_ascii_case("column ")
            .then(|| &n[7..])?;
        let i: usize = digits.parse().ok()?;
        (i < count && column_name(i).eq_ignore_ascii_case(n)).then_some(i)
    };
    let missing = |n: &str| LoadError::NoHeader {
        path: path.to_path_buf(),
        name: n.to_string(),
        count,
    };
    resolve_by(path, spec, count, lookup, missing)
}

/// Resolve `spec` against `count` columns, finding names with `lookup`;
/// `missing` is the error for a name not found.
fn resolve_by(
    path: &Path,
    spec: &ColumnSpec,
    count: usize,
    lookup: impl Fn(&str) -> Option<usize>,
    missing: impl Fn(&str) -> LoadError,
) -> Result<Picked, LoadError> {
    let find = |c: &Column| -> Result<usize, LoadError> {
        match c {
            Column::Index(i) if *i < count => Ok(*i),
            Column::Index(i) => Err(LoadError::ColumnOutOfRange {
                path: path.to_path_buf(),
                index: *i,
                count,
            }),
            Column::Name(n) => lookup(n).ok_or_else(|| missing(n)),
        }
    };
    if (spec.x.is_none() || spec.y.is_none()) && count < 2 {
        return Err(LoadError::TooFewColumns {
            path: path.to_path_buf(),
            count,
        });
    }
    let x = spec.x.as_ref().map_or(Ok(0), find)?;
    let y = spec.y.as_ref().map_or(Ok(1), find)?;
    let value = match &spec.value {
        Some(c) => Some(find(c)?),
        None if spec.x.is_none() && spec.y.is_none() && count >= 3 => Some(2),
        None => None,
    };
    let mut more: Vec<usize> = Vec::with_capacity(spec.more.len());
    for c in spec.more.iter().chain(&spec.labels) {
        let i = find(c)?;
        if value != Some(i) && !more.contains(&i) {
            more.push(i);
        }
    }
    let labels = spec.labels.as_ref().map(find).transpose()?;
    Ok(Picked {
        x,
        y,
        value,
        more,
        labels,
    })
}

/// Collects kept points and counts skipped rows.
struct Sink {
    /// Kept points' (x, y), interleaved as the points hold them: a batch
    /// becomes points without another copy.
    xy: Vec<[f64; 2]>,
    /// One vector per value column: the value column first, when there is one.
    values: Vec<Vec<f32>>,
    skipped: usize,
    /// The row being pushed, as f32.
    row: Vec<f32>,
    /// The labels of a text column: (its index in `values`, the labels met).
    labels: Option<(usize, Labels)>,
}

/// Distinct labels in order of first appearance.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    index: std::collections::HashMap<Box<[u8]>, u32>,
    names: Vec<String>,
}

/// Most distinct labels a column may hold: as many as categories.
pub use crate::categories::MAX_CATEGORIES as MAX_LABELS;

impl Labels {
    /// The code of `label`; None once there would be more than [`MAX_LABELS`].
    pub fn code(&mut self, label: &[u8]) -> Option<u32> {
        if let Some(&c) = self.index.get(label) {
            return Some(c);
        }
        if self.names.len() >= MAX_LABELS {
            return None;
        }
        let c = self.names.len() as u32;
        self.index.insert(label.into(), c);
        self.names.push(String::from_utf8_lossy(label).into_owned());
        Some(c)
    }
}

impl Sink {
    /// A sink for x, y and `columns` value columns.
    fn new(capacity: usize, columns: usize) -> Sink {
        Sink {
            xy: crate::mem::huge_capacity(capacity),
            values: (0..columns).map(|_| Vec::with_capacity(capacity)).collect(),
            skipped: 0,
            row: Vec::with_capacity(columns),
            labels: None,
        }
    }

    /// Where the sink is now: [`Sink::rewind`] goes back there.
    fn mark(&self) -> (usize, usize) {
        (self.xy.len(), self.skipped)
    }

    /// Drop the rows pushed since `mark` (those of a bad row group).
    fn rewind(&mut self, (rows, skipped): (usize, usize)) {
        self.xy.truncate(rows);
        self.values.iter_mut().for_each(|v| v.truncate(rows));
        self.skipped = skipped;
    }

    /// Codes of the `column`th value column are labels.
    fn with_labels(mut self, column: Option<usize>) -> Sink {
        self.labels = column.map(|c| (c, Labels::default()));
        self
    }

    /// The code of `label` in the labels column.
    fn label(&mut self, label: &[u8]) -> Option<u32> {
        self.labels.as_mut().and_then(|(_, l)| l.code(label))
    }

    /// Keep the point if x, y and every value (one per value column, in
    /// column order) are finite.
    #[inline]
    fn push(&mut self, x: f64, y: f64, values: impl IntoIterator<Item = f64>) {
        self.row.clear();
        self.row.extend(values.into_iter().map(|v| v as f32));
        debug_assert_eq!(self.row.len(), self.values.len());
        if !x.is_finite() || !y.is_finite() || !self.row.iter().all(|v| v.is_finite()) {
            self.skipped += 1;
            return;
        }
        self.xy.push([x, y]);
        for (col, &v) in self.values.iter_mut().zip(&self.row) {
            col.push(v);
        }
    }

    fn skip(&mut self) {
        self.skipped += 1;
    }

    /// [`Sink::push`] of rows `0..x.len()` given as columns (`values[k][r]`
    /// is row r's value of column k): where every row is finite, as whole
    /// slices.
    fn push_rows(&mut self, x: &[f64], y: &[f64], values: &[&[f64]]) {
        debug_assert_eq!(values.len(), self.values.len());
        let n = x.len();
        // Folds without an early exit, which the compiler vectorises.
        let all = |s: &[f64], ok: fn(f64) -> bool| s.iter().fold(true, |all, &v| all & ok(v));
        let finite = all(x, f64::is_finite)
            && all(&y[..n], f64::is_finite)
            && values
                .iter()
                .all(|col| all(&col[..n], |v| (v as f32).is_finite()));
        if !finite {
            for r in 0..n {
                self.push(x[r], y[r], values.iter().map(|col| col[r]));
            }
            return;
        }
        self.xy.extend(x.iter().zip(&y[..n]).map(|(&x, &y)| [x, y]));
        for (col, from) in self.values.iter_mut().zip(values) {
            col.extend(from[..n].iter().map(|&v| v as f32));
        }
    }

    /// Room for `rows` more rows.
    fn reserve(&mut self, rows: usize) {
        self.xy.reserve(rows);
        self.values.iter_mut().for_each(|v| v.reserve(rows));
    }

    /// Add `other`'s points after this one's.
    fn append(&mut self, mut other: Sink) {
        if let (Some((k, mine)), Some((_, theirs))) = (&mut self.labels, &other.labels) {
            // Their codes in this sink's labels (none can overflow: both
            // together hold at most MAX_LABELS, or the parse stopped).
            let codes: Vec<u32> = theirs
                .names
                .iter()
                .map(|n| mine.code(n.as_bytes()).unwrap_or(u32::MAX))
                .collect();
            for v in &mut other.values[*k] {
                *v = codes[*v as usize] as f32;
            }
        }
        self.xy.append(&mut other.xy);
        for (a, b) in self.values.iter_mut().zip(&mut other.values) {
            a.append(b);
        }
        self.skipped += other.skipped;
    }

    fn finish(self, names: &[String], picked: &Picked) -> Loaded {
        self.finish_with(|i| names[i].clone(), picked)
    }

    /// [`Sink::finish`] with the name of column `i` given by `name(i)`.
    fn finish_with(self, name: impl Fn(usize) -> String, picked: &Picked) -> Loaded {
        let labels = self
            .labels
            .map(|(k, l)| (name(picked.values()[k]), l.names));
        let mut values = self.values.into_iter();
        let value = picked.value.and_then(|_| values.next());
        Loaded {
            xy: self.xy,
            value,
            x_name: name(picked.x),
            y_name: name(picked.y),
            value_name: picked.value.map(&name),
            more: picked.more.iter().map(|&i| name(i)).zip(values).collect(),
            labels,
            row_groups: (0, 0),
            skipped: self.skipped,
        }
    }
}

#[cfg(test)]
mod test_util {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Write `bytes` to a fresh file named `name` under a per-process temp
    /// directory and return its path.
    pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "pointillist-io-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `tests/data` of the repository, found from this source file's path
    /// (relative to the package root when built in the main crate).
    pub fn fixture(name: &str) -> PathBuf {
        std::path::Path::new(file!())
            .parent()
            .unwrap()
            .join("../../tests/data")
            .join(name)
    }

    /// Assert that `result` is an error whose message names the file.
    pub fn assert_err_names_file<T: std::fmt::Debug>(
        result: Result<T, super::LoadError>,
        path: &std::path::Path,
    ) -> String {
        let err = result.expect_err("expected an error");
        let msg = err.to_string();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(msg.contains(name), "message {msg:?} does not name {name}");
        assert_eq!(err.path(), path);
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;

    #[test]
    fn format_names_parse() {
        assert_eq!("npy".parse::<Format>().unwrap(), Format::Npy);
        assert_eq!("CSV".parse::<Format>().unwrap(), Format::Csv);
        assert_eq!("tsv".parse::<Format>().unwrap(), Format::Csv);
        assert_eq!("Parquet".parse::<Format>().unwrap(), Format::Parquet);
        assert_eq!("pq".parse::<Format>().unwrap(), Format::Parquet);
        assert_eq!(Format::Parquet.to_string(), "parquet");
        for l in RawLayout::ALL {
            assert_eq!(l.name().parse::<Format>().unwrap(), Format::Raw(l));
            assert_eq!(Format::Raw(l).to_string(), l.name());
        }
        let err = "feather".parse::<Format>().unwrap_err().to_string();
        assert!(err.contains("feather") && err.contains("f64xyv") && err.contains("parquet"));
    }

    #[test]
    fn record_sizes() {
        let sizes: Vec<usize> = RawLayout::ALL.iter().map(|l| l.record_size()).collect();
        assert_eq!(sizes, [8, 12, 16, 24]);
    }

    #[test]
    fn column_parse() {
        assert_eq!(Column::parse("0"), Column::Index(0));
        assert_eq!(Column::parse("12"), Column::Index(12));
        assert_eq!(Column::parse("x"), Column::Name("x".into()));
        assert_eq!(Column::parse("1a"), Column::Name("1a".into()));
        assert_eq!(Column::parse("-1"), Column::Name("-1".into()));
        assert_eq!(Column::parse(""), Column::Name("".into()));
        assert_eq!("3".parse::<Column>().unwrap(), Column::Index(3));
    }

    #[test]
    fn detect_by_extension() {
        let d = |p: &str| detect_format(Path::new(p));
        assert_eq!(d("a.npy").unwrap(), Format::Npy);
        assert_eq!(d("a.CSV").unwrap(), Format::Csv);
        assert_eq!(d("a.tsv").unwrap(), Format::Csv);
        assert_eq!(d("dir.v2/a.txt").unwrap(), Format::Csv);
        assert_eq!(d("a.f32xyv").unwrap(), Format::Raw(RawLayout::F32Xyv));
        assert_eq!(d("a.f64xy").unwrap(), Format::Raw(RawLayout::F64Xy));
        assert_eq!(d("a.parquet").unwrap(), Format::Parquet);
        assert_eq!(d("a.PQ").unwrap(), Format::Parquet);
        for bad in ["data.bin", "data", "data.npz"] {
            let msg = d(bad).unwrap_err().to_string();
            assert!(msg.contains(bad), "{msg}");
        }
        let msg = d("data.bin").unwrap_err().to_string();
        assert!(msg.contains("--format") && msg.contains("f32xy"), "{msg}");
        assert!(d("x.npz").unwrap_err().to_string().contains("unzip"));
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolve_defaults_and_choices() {
        let p = Path::new("f.csv");
        let n3 = names(&["a", "b", "c"]);
        let def = ColumnSpec::default();
        assert_eq!(
            resolve(p, &def, &n3, true).unwrap(),
            Picked {
                x: 0,
                y: 1,
                value: Some(2),
                more: vec![],
                labels: None,
            }
        );
        assert_eq!(
            resolve(p, &def, &names(&["a", "b"]), true).unwrap(),
            Picked {
                x: 0,
                y: 1,
                value: None,
                more: vec![],
                labels: None,
            }
        );
        let spec = ColumnSpec {
            x: Some(Column::Name("c".into())),
            y: Some(Column::Index(0)),
            value: None,
            more: vec![],
            labels: None,
            view: None,
            skip_bad: None,
        };
        assert_eq!(
            resolve(p, &spec, &n3, true).unwrap(),
            Picked {
                x: 2,
                y: 0,
                value: None,
                more: vec![],
                labels: None,
            }
        );
        let spec = ColumnSpec {
            value: Some(Column::Name("B".into())),
            ..Default::default()
        };
        assert_eq!(resolve(p, &spec, &n3, true).unwrap().value, Some(1));

        let bad = ColumnSpec {
            x: Some(Column::Name("zz".into())),
            ..Default::default()
        };
        let msg = resolve(p, &bad, &n3, true).unwrap_err().to_string();
        assert!(msg.contains("zz") && msg.contains("a, b, c"), "{msg}");
        let msg = resolve(p, &bad, &n3, false).unwrap_err().to_string();
        assert!(msg.contains("no header"), "{msg}");
        let bad = ColumnSpec {
            y: Some(Column::Index(3)),
            ..Default::default()
        };
        let msg = resolve(p, &bad, &n3, true).unwrap_err().to_string();
        assert!(
            msg.contains("index 3") && msg.contains("3 columns"),
            "{msg}"
        );
        let msg = resolve(p, &def, &names(&["a"]), true)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("only 1 column"), "{msg}");

        // Unnamed columns answer to "column N", however many there are.
        let huge = usize::MAX / 2;
        let spec = ColumnSpec {
            x: Some(Column::Name(" Column 7 ".into())),
            y: Some(Column::Index(huge - 1)),
            value: Some(Column::Name("column 2".into())),
            more: vec![],
            labels: None,
            view: None,
            skip_bad: None,
        };
        assert_eq!(
            resolve_unnamed(p, &spec, huge).unwrap(),
            Picked {
                x: 7,
                y: huge - 1,
                value: Some(2),
                more: vec![],
                labels: None,
            }
        );
        assert_eq!(
            resolve_unnamed(p, &def, 3).unwrap(),
            resolve(p, &def, &n3, false).unwrap()
        );
        for bad in ["column 3", "column 01", "col 1", "column", "x", "column -1"] {
            let spec = ColumnSpec {
                x: Some(Column::Name(bad.into())),
                ..Default::default()
            };
            let msg = resolve_unnamed(p, &spec, 3).unwrap_err().to_string();
            assert!(
                msg.contains("no header") && msg.contains("3 columns"),
                "{msg}"
            );
        }
    }

    #[test]
    fn missing_file_names_the_file() {
        let path = std::env::temp_dir().join("pointillist-no-such-file-1234.csv");
        let msg = assert_err_names_file(load(&path, None, &ColumnSpec::default(), None), &path);
        assert!(msg.contains("cannot open"), "{msg}");
        for f in [Format::Npy, Format::Parquet, Format::Raw(RawLayout::F32Xy)] {
            assert_err_names_file(load(&path, Some(f), &ColumnSpec::default(), None), &path);
        }
    }

    #[test]
    fn empty_file_in_every_format() {
        for (name, f) in [
            ("e.npy", Format::Npy),
            ("e.csv", Format::Csv),
            ("e.parquet", Format::Parquet),
            ("e.f64xyv", Format::Raw(RawLayout::F64Xyv)),
        ] {
            let path = temp_file(name, b"");
            let msg =
                assert_err_names_file(load(&path, Some(f), &ColumnSpec::default(), None), &path);
            assert!(msg.contains("is empty"), "{msg}");
        }
    }

    #[test]
    fn directory_is_an_error() {
        let dir = temp_file("d.csv", b"").parent().unwrap().join("dir.npy");
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            Format::Npy,
            Format::Csv,
            Format::Parquet,
            Format::Raw(RawLayout::F32Xy),
        ] {
            assert_err_names_file(load(&dir, Some(f), &ColumnSpec::default(), None), &dir);
        }
    }

    fn load_fixture(name: &str) -> Loaded {
        let path = fixture(name);
        load(&path, None, &ColumnSpec::default(), None).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Files written by NumPy and pandas themselves (see tests/data/README.md).
    #[test]
    fn numpy_and_pandas_fixtures() {
        let got = load_fixture("points_f64.npy");
        assert_eq!(got.x(), [0.0, 1.0, -1.5, 1e-3, 0.1]);
        assert_eq!(got.y(), [0.0, 2.0, 3.25, -2e6, 0.2]);
        assert_eq!(got.value, Some(vec![0.0, 0.5, 1.0, 0.125, -7.0]));
        assert_eq!(
            (got.x_name.as_str(), got.value_name.as_deref()),
            ("column 0", Some("column 2"))
        );
        assert_eq!(got.skipped, 0);

        let got = load_fixture("points_f32_fortran.npy");
        assert_eq!(got.x(), [1.0, 3.0, 5.5, 0.25]);
        assert_eq!(got.y(), [2.0, 4.0, -6.0, 8.0]);
        assert_eq!(got.value, None);

        let got = load_fixture("points_struct.npy");
        assert_eq!(got.x(), [1.5, -3.0, 0.1]);
        assert_eq!(got.y(), [2.5, 4.0, f64::from(0.2f32)]);
        assert_eq!(got.value, Some(vec![0.25, 8.0, 0.3]));
        assert_eq!(
            (
                got.x_name.as_str(),
                got.y_name.as_str(),
                got.value_name.as_deref()
            ),
            ("x", "y", Some("value"))
        );
        let spec = ColumnSpec {
            x: Some(Column::Name("value".into())),
            y: Some(Column::Name("x".into())),
            value: None,
            more: vec![],
            labels: None,
            view: None,
            skip_bad: None,
        };
        let got = load(&fixture("points_struct.npy"), None, &spec, None).unwrap();
        assert_eq!(got.x(), [0.25, 8.0, f64::from(0.3f32)]);
        assert_eq!(got.y(), [1.5, -3.0, 0.1]);

        let got = load_fixture("points.csv");
        assert_eq!(got.x(), [1.0, 2.0, 4.0, 5.5]);
        assert_eq!(got.y(), [10.0, 20.0, 40.0, -50.0]);
        assert_eq!(got.value, Some(vec![0.5, 1.5, 3.5, 4.5]));
        assert_eq!(
            (
                got.x_name.as_str(),
                got.y_name.as_str(),
                got.value_name.as_deref()
            ),
            ("x", "y", Some("value"))
        );
        assert_eq!(got.skipped, 1);
    }

    /// Further value columns (what expressions read) in every format: loaded
    /// by name or index beside the value column, each once, and a row with
    /// any of them not finite is skipped.
    #[test]
    fn more_columns_in_every_format() {
        let name = |n: &str| Column::Name(n.into());
        let more = |l: &Loaded| -> Vec<(String, Vec<f32>)> { l.more.clone() };
        let cols = |v: &[(&str, Vec<f32>)]| -> Vec<(String, Vec<f32>)> {
            v.iter().map(|(n, c)| (n.to_string(), c.clone())).collect()
        };

        // Parquet (pyarrow): f32 is null in row 1, so that row goes.
        let spec = ColumnSpec {
            x: Some(name("i8")),
            y: Some(name("u16")),
            value: Some(name("u32")),
            more: vec![name("dec"), name("F16"), name("U32"), name("f32")],
            labels: None,
            view: None,
            skip_bad: None,
        };
        let got = load(&fixture("types.parquet"), None, &spec, None).unwrap();
        assert_eq!((got.x(), got.skipped), (vec![-128.0, 127.0], 1));
        assert_eq!(got.value, Some(vec![0.0, 4294967295.0]));
        assert_eq!(
            more(&got),
            cols(&[
                ("dec", vec![1.25, 100.0]),
                ("f16", vec![0.5, -2.0]),
                ("f32", vec![0.5, -1.25])
            ])
        );

        // CSV: by name and by index; a NaN in a further column skips its row.
        let path = temp_file(
            "more.csv",
            b"a,b,c,d,e\n1,2,3,4,5\n6,7,8,NaN,10\n11,12,13,14,15\n",
        );
        let spec = ColumnSpec {
            more: vec![name("e"), Column::Index(3), name("c"), name("e")],
            labels: None,
            view: None,
            ..Default::default()
        };
        let got = load(&path, None, &spec, None).unwrap();
        assert_eq!((got.x(), got.skipped), (vec![1.0, 11.0], 1));
        assert_eq!(got.value, Some(vec![3.0, 13.0]));
        assert_eq!(
            more(&got),
            cols(&[("e", vec![5.0, 15.0]), ("d", vec![4.0, 14.0])])
        );

        // .npy, plain (NumPy's own file) and structured.
        let spec = ColumnSpec {
            more: vec![name("column 0"), Column::Index(2)],
            labels: None,
            view: None,
            ..Default::default()
        };
        let got = load(&fixture("points_f64.npy"), None, &spec, None).unwrap();
        assert_eq!(got.value, Some(vec![0.0, 0.5, 1.0, 0.125, -7.0]));
        let x: Vec<f32> = got.x().iter().map(|&v| v as f32).collect();
        assert_eq!(more(&got), cols(&[("column 0", x)]));
        let spec = ColumnSpec {
            more: vec![name("x")],
            labels: None,
            view: None,
            ..Default::default()
        };
        let got = load(&fixture("points_struct.npy"), None, &spec, None).unwrap();
        assert_eq!(more(&got), cols(&[("x", vec![1.5, -3.0, 0.1])]));

        // Raw records: the value once, x again as a value column.
        let mut bytes = Vec::new();
        for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let path = temp_file("more.f64xyv", &bytes);
        let spec = ColumnSpec {
            value: Some(name("value")),
            more: vec![name("value"), name("x")],
            labels: None,
            view: None,
            ..Default::default()
        };
        let got = load(&path, None, &spec, None).unwrap();
        assert_eq!(got.value, Some(vec![3.0, 6.0]));
        assert_eq!(more(&got), cols(&[("x", vec![1.0, 4.0])]));

        // A further column that is not there is the usual error.
        let spec = ColumnSpec {
            more: vec![name("mass")],
            labels: None,
            view: None,
            ..Default::default()
        };
        let path = fixture("points.csv");
        let msg = load(&path, None, &spec, None).unwrap_err().to_string();
        assert!(
            msg.contains("'mass'") && msg.contains("x, y, value"),
            "{msg}"
        );
    }

    #[test]
    fn sink_skips_non_finite() {
        let mut s = Sink::new(4, 1);
        s.push(1.0, 2.0, [3.0]);
        s.push(f64::NAN, 2.0, [3.0]);
        s.push(1.0, f64::INFINITY, [3.0]);
        s.push(1.0, 2.0, [1e300]); // overflows f32
        s.skip();
        assert_eq!((s.xy.len(), s.skipped), (1, 4));
        let mut s = Sink::new(1, 0);
        s.push(1.0, 2.0, []);
        assert_eq!((s.xy.len(), s.skipped), (1, 0));
        // Any value column that is not finite skips the row.
        let mut s = Sink::new(3, 3);
        s.push(1.0, 2.0, [3.0, 4.0, 5.0]);
        s.push(1.0, 2.0, [3.0, f64::NAN, 5.0]);
        s.push(1.0, 2.0, [3.0, 4.0, f64::NEG_INFINITY]);
        assert_eq!((s.xy.len(), s.skipped), (1, 2));
        assert_eq!(s.values, [vec![3.0], vec![4.0], vec![5.0]]);
    }
}

/// Write a rows x cols little-endian u32 array as a NumPy .npy file (C order).
pub fn write_npy_u32(path: &Path, rows: u32, cols: u32, data: &[u32]) -> std::io::Result<()> {
    write_npy(path, rows, cols, "<u4", bytemuck::cast_slice(data))
}

/// Write a rows x cols little-endian f32 array as a NumPy .npy file (C order).
pub fn write_npy_f32(path: &Path, rows: u32, cols: u32, data: &[f32]) -> std::io::Result<()> {
    write_npy(path, rows, cols, "<f4", bytemuck::cast_slice(data))
}

/// `data`: rows x cols elements of `descr`, already little-endian (as on every
/// platform pointillist runs on).
fn write_npy(path: &Path, rows: u32, cols: u32, descr: &str, data: &[u8]) -> std::io::Result<()> {
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // Magic (6) + version (2) + length (2) + header + newline, padded to 64 bytes.
    let total = (10 + header.len() + 1).div_ceil(64) * 64;
    header.push_str(&" ".repeat(total - 10 - header.len() - 1));
    header.push('\n');
    let mut bytes = Vec::with_capacity(total + data.len());
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    std::fs::write(path, bytes)
}
