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

mod columns;
mod csv;
mod dataset;
mod error;
mod npy;
mod parquet;
mod raw;
mod sink;

pub use error::LoadError;

use sink::Sink;
pub use sink::MAX_LABELS;

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

    /// The names of the x, y and value columns.
    pub fn names(&self) -> (&str, &str, Option<&str>) {
        (
            self.x_name.as_str(),
            self.y_name.as_str(),
            self.value_name.as_deref(),
        )
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
mod tests;

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
