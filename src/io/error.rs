//! [`LoadError`]: why a file could not be loaded.

use std::path::{Path, PathBuf};

use super::{npy, parquet, FORMAT_NAMES};

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
