//! Apache Parquet files, read with the `parquet` crate's column readers
//! (no Arrow).
//!
//! Every leaf column of the schema is a column here, named by its schema name
//! (a field inside a struct by its dotted path, `outer.inner`). Numeric columns
//! of every physical type are read (see [`SUPPORTED_TYPES`]): INT32 (also int8,
//! int16, uint8, uint16 and uint32 stored in it, dates and times), INT64 (also
//! uint64 and timestamps, as their raw integers), FLOAT, DOUBLE, decimals in
//! INT32, INT64 or FIXED_LEN_BYTE_ARRAY (scaled to their true value) and float16.
//! Nulls count as missing: such rows are skipped and counted, as are NaN and
//! infinite values. Strings, booleans, INT96 and list columns are refused.
//!
//! The file is memory-mapped and decoded row group by row group, 64 Ki rows
//! of the chosen columns at a time, so nothing but the output vectors and the
//! map is held. Pages may be uncompressed, Snappy (the pandas, pyarrow and
//! Spark default) or gzip. Zstd (the polars default), LZ4 and Brotli are not
//! built in, to keep the build small (zstd alone is a C library that takes
//! longer to compile than the parquet crate); such files get an error that
//! says how to re-save them.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};

use parquet::basic::{
    Compression, ConvertedType, DecimalType, IntType, LogicalType, Type as Physical,
};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{
    DataType, DoubleType, FixedLenByteArray, FixedLenByteArrayType, FloatType, Int32Type, Int64Type,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::{
    ParquetMetaData, ParquetMetaDataOptions, ParquetMetaDataReader, ParquetStatisticsPolicy,
};
use parquet::file::properties::ReaderProperties;
use parquet::file::reader::{ChunkReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedRowGroupReader;
use parquet::schema::types::ColumnDescriptor;

use super::columns::resolve;
use super::npy::f16_to_f64;
use super::{map_file, Bytes, ColumnSpec, LoadError, Loaded, Share, Sink};

/// The column types this loader reads, for messages.
pub(super) const SUPPORTED_TYPES: &str =
    "INT32, INT64 (signed or unsigned integers, dates, times, timestamps), FLOAT, DOUBLE, \
     decimal, float16";

/// The compression codecs this build reads, for messages.
pub(super) const SUPPORTED_CODECS: &str = "uncompressed, snappy and gzip";

const MAGIC: &[u8] = b"PAR1";

/// Rows decoded at a time from each chosen column.
const BATCH: usize = 64 * 1024;

/// How the stored numbers of a column become values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Conv {
    /// As stored (signed integers, floats).
    Plain,
    /// An unsigned integer stored in a signed physical type.
    Unsigned,
    /// A decimal: the stored integer divided by this power of ten.
    Decimal(f64),
    /// IEEE binary16 in two little-endian bytes.
    Float16,
}

/// How to read a column, or a description of its type when it cannot be.
fn conv_for(c: &ColumnDescriptor) -> Result<Conv, String> {
    let physical = c.physical_type();
    let logical = c.logical_type_ref();
    let converted = c.converted_type();
    let describe = || match (logical, converted) {
        (Some(l), _) => format!("{physical} ({l:?})"),
        (None, ConvertedType::NONE) => physical.to_string(),
        (None, ct) => format!("{physical} ({ct})"),
    };
    if c.max_rep_level() > 0 {
        return Err(format!("{} in a list (repeated)", describe()));
    }
    let decimal_scale = match logical {
        Some(LogicalType::Decimal(DecimalType { scale, .. })) => Some(*scale),
        _ if converted == ConvertedType::DECIMAL => Some(c.type_scale()),
        _ => None,
    };
    let unsigned = match logical {
        Some(LogicalType::Integer(IntType { is_signed, .. })) => !is_signed,
        _ => matches!(
            converted,
            ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64
        ),
    };
    match physical {
        Physical::INT32 | Physical::INT64 => Ok(match decimal_scale {
            Some(s) => Conv::Decimal(10f64.powi(s)),
            None if unsigned => Conv::Unsigned,
            None => Conv::Plain,
        }),
        Physical::FLOAT | Physical::DOUBLE => Ok(Conv::Plain),
        Physical::FIXED_LEN_BYTE_ARRAY => match (decimal_scale, logical) {
            (Some(s), _) if (1..=16).contains(&c.type_length()) => Ok(Conv::Decimal(10f64.powi(s))),
            (None, Some(LogicalType::Float16)) if c.type_length() == 2 => Ok(Conv::Float16),
            _ => Err(format!("{} of {} bytes", describe(), c.type_length())),
        },
        Physical::BOOLEAN | Physical::INT96 | Physical::BYTE_ARRAY => Err(describe()),
    }
}

/// Whether this build can decompress `codec`.
fn codec_supported(codec: Compression) -> bool {
    matches!(
        codec,
        Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::GZIP(_)
    )
}

/// A big-endian two's complement integer of 1 to 16 bytes, as f64.
fn be_int(b: &[u8]) -> f64 {
    if b.is_empty() || b.len() > 16 {
        return f64::NAN;
    }
    let fill = if b[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut a = [fill; 16];
    a[16 - b.len()..].copy_from_slice(b);
    i128::from_be_bytes(a) as f64
}

/// A column reader of one of the physical types read, and its value buffer.
enum Typed {
    I32(ColumnReaderImpl<Int32Type>, Vec<i32>),
    I64(ColumnReaderImpl<Int64Type>, Vec<i64>),
    F32(ColumnReaderImpl<FloatType>, Vec<f32>),
    F64(ColumnReaderImpl<DoubleType>, Vec<f64>),
    Flba(
        ColumnReaderImpl<FixedLenByteArrayType>,
        Vec<FixedLenByteArray>,
    ),
}

/// One chosen column of one row group, decoded a batch at a time into `out`.
struct Col {
    reader: Typed,
    conv: Conv,
    max_def: i16,
    def: Vec<i16>,
    /// The last batch, nulls as NaN.
    out: Vec<f64>,
}

impl Col {
    fn new(reader: ColumnReader, conv: Conv, max_def: i16) -> Result<Col, String> {
        let reader = match reader {
            ColumnReader::Int32ColumnReader(r) => Typed::I32(r, Vec::new()),
            ColumnReader::Int64ColumnReader(r) => Typed::I64(r, Vec::new()),
            ColumnReader::FloatColumnReader(r) => Typed::F32(r, Vec::new()),
            ColumnReader::DoubleColumnReader(r) => Typed::F64(r, Vec::new()),
            ColumnReader::FixedLenByteArrayColumnReader(r) => Typed::Flba(r, Vec::new()),
            _ => return Err("unexpected column reader type".into()),
        };
        Ok(Col {
            reader,
            conv,
            max_def,
            def: Vec::new(),
            out: Vec::with_capacity(BATCH),
        })
    }

    /// Decode up to `want` rows into `out` (fewer only at the end of the data).
    fn fill(&mut self, want: usize) -> Result<(), ParquetError> {
        self.out.clear();
        let (def, out, max_def) = (&mut self.def, &mut self.out, self.max_def);
        match (&mut self.reader, self.conv) {
            (Typed::I32(r, v), Conv::Plain) => fill(r, want, max_def, def, v, out, |&x| x.into()),
            (Typed::I32(r, v), Conv::Unsigned) => {
                fill(r, want, max_def, def, v, out, |&x| f64::from(x as u32))
            }
            (Typed::I32(r, v), Conv::Decimal(d)) => {
                fill(r, want, max_def, def, v, out, |&x| f64::from(x) / d)
            }
            (Typed::I64(r, v), Conv::Plain) => fill(r, want, max_def, def, v, out, |&x| x as f64),
            (Typed::I64(r, v), Conv::Unsigned) => {
                fill(r, want, max_def, def, v, out, |&x| x as u64 as f64)
            }
            (Typed::I64(r, v), Conv::Decimal(d)) => {
                fill(r, want, max_def, def, v, out, |&x| x as f64 / d)
            }
            (Typed::F32(r, v), _) => fill(r, want, max_def, def, v, out, |&x| x.into()),
            (Typed::F64(r, v), _) => fill(r, want, max_def, def, v, out, |&x| x),
            (Typed::Flba(r, v), Conv::Decimal(d)) => {
                fill(r, want, max_def, def, v, out, |x| be_int(x.data()) / d)
            }
            (Typed::Flba(r, v), Conv::Float16) => {
                fill(r, want, max_def, def, v, out, |x| match x.data() {
                    &[lo, hi] => f16_to_f64(u16::from_le_bytes([lo, hi])),
                    _ => f64::NAN,
                })
            }
            _ => Err(ParquetError::General(
                "column type and conversion disagree".into(),
            )),
        }
    }
}

/// Append up to `want` rows of `r` to `out`, nulls as NaN, reading through
/// the scratch buffers `def` and `vals`.
fn fill<T: DataType>(
    r: &mut ColumnReaderImpl<T>,
    want: usize,
    max_def: i16,
    def: &mut Vec<i16>,
    vals: &mut Vec<T::T>,
    out: &mut Vec<f64>,
    conv: impl Fn(&T::T) -> f64,
) -> Result<(), ParquetError> {
    while out.len() < want {
        def.clear();
        vals.clear();
        let levels = (max_def > 0).then_some(&mut *def);
        let (records, _, _) = r.read_records(want - out.len(), levels, None, vals)?;
        if records == 0 {
            break;
        }
        if max_def > 0 && vals.len() < records {
            if def.len() != records {
                return Err(ParquetError::General(format!(
                    "{records} rows came with {} definition levels and {} values",
                    def.len(),
                    vals.len()
                )));
            }
            let mut it = vals.iter();
            for &d in def.iter() {
                let v = if d == max_def { it.next() } else { None };
                out.push(v.map_or(f64::NAN, &conv));
            }
        } else {
            // No nulls among these rows (as many values as rows): the values
            // as they are, in one loop without a branch.
            if vals.len() != records || (max_def > 0 && def.len() != records) {
                return Err(ParquetError::General(format!(
                    "{records} rows came with {} values and {} definition levels",
                    vals.len(),
                    def.len()
                )));
            }
            out.extend(vals.iter().map(&conv));
        }
    }
    Ok(())
}

/// `ParquetError` text without its "Parquet error: " prefix.
fn reason(e: &ParquetError) -> String {
    let s = e.to_string();
    s.strip_prefix("Parquet error: ").unwrap_or(&s).to_string()
}

/// `e` (about row group `g`) naming the row group, where it does not yet.
fn in_group(e: LoadError, g: usize) -> LoadError {
    match e {
        LoadError::BadParquet { path, reason } if !reason.contains("row group") => {
            LoadError::BadParquet {
                path,
                reason: format!("row group {g}: {reason}"),
            }
        }
        e => e,
    }
}

/// What a streamed decode hands each row group's rows to.
pub(super) type Emit<'a> = &'a mut dyn FnMut(Loaded) -> Result<(), LoadError>;

pub(super) fn load(path: &Path, spec: &ColumnSpec, read: &AtomicU64) -> Result<Loaded, LoadError> {
    load_or_stream(path, spec, read, None)
}

/// The rows of `path` row group by row group, each group's as one [`Loaded`]
/// handed to `emit` (so that no more than a row group is held); returns the
/// row groups read and skipped.
pub(super) fn stream(
    path: &Path,
    spec: &ColumnSpec,
    read: &AtomicU64,
    emit: Emit<'_>,
    share: &Share,
) -> Result<(usize, usize), LoadError> {
    Ok(load_or_stream(path, spec, read, Some((emit, share)))?.row_groups)
}

fn load_or_stream(
    path: &Path,
    spec: &ColumnSpec,
    read: &AtomicU64,
    emit: Option<(Emit<'_>, &Share)>,
) -> Result<Loaded, LoadError> {
    let bytes = map_file(path)?;
    if !bytes.starts_with(MAGIC) {
        return Err(LoadError::NotParquet {
            path: path.to_path_buf(),
        });
    }
    if bytes.len() < 12 || !bytes.ends_with(MAGIC) {
        return Err(LoadError::ParquetTruncated {
            path: path.to_path_buf(),
        });
    }
    let file_len = bytes.len();
    let mapped = matches!(bytes, Bytes::Map(_));
    let data = match bytes {
        Bytes::Map(m) => bytes::Bytes::from_owner(m),
        Bytes::Buf(b) => bytes::Bytes::from(b),
    };
    // A stream lets go of each row group's pages of a mapped file once it is
    // decoded: else the file's pages read so far stay resident (and count).
    let release = |d: &bytes::Bytes, range: std::ops::Range<usize>| {
        // Whole pages within the mapping.
        const PAGE: usize = 4096;
        let start = range.start / PAGE * PAGE;
        let end = range.end.min(d.len());
        if mapped && start < end {
            // SAFETY: `d` is a whole read-only file mapping (page
            // aligned, never written) and [start, end) lies in it: dropping
            // its pages only makes later reads fault them in from the file again.
            unsafe {
                libc::madvise(
                    d.as_ptr().add(start) as *mut libc::c_void,
                    end - start,
                    libc::MADV_DONTNEED,
                );
            }
        }
    };
    // The parquet crate (60.1) panics on some corrupt input instead of
    // returning an error: an `expect` on a dictionary page that a data page
    // refers to but that never came, a slice of a page past its end, a varint
    // of more than 10 bytes in a page. No check of ours before the read can
    // rule all of those out, so the decoding runs under `catch_unwind` and a
    // panic becomes a "not a valid Parquet file" error (see
    // tests/fuzz_loaders.rs, which counts them). Our own code in there does
    // not panic on any input; what it touches is local to this call, so
    // nothing half-updated is seen after unwinding.
    quiet_panic_hook();
    DECODING.set(true);
    let result = catch_unwind(AssertUnwindSafe(|| {
        decode(path, data, file_len, spec, read, emit, &release)
    }));
    DECODING.set(false);
    result.unwrap_or_else(|_| {
        // " at parquet-60.1.0/src/...: message", when our hook saw the panic.
        let at = PANIC.take().map(|p| format!(" {p}")).unwrap_or_default();
        Err(LoadError::BadParquet {
            path: path.to_path_buf(),
            reason: format!("corrupt data (the parquet reader failed{at})"),
        })
    })
}

thread_local! {
    /// Whether this thread is decoding a Parquet file now.
    static DECODING: Cell<bool> = const { Cell::new(false) };
    /// Where and why the parquet crate last panicked on this thread.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Install, once, a panic hook that prints nothing for a panic on a thread
/// that is decoding a Parquet file (it becomes an error that says what went
/// wrong; printed, it would look like a crash of pointillist) but records it
/// for that error, and hands every other panic to the hook there was before.
fn quiet_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.get() {
                return previous(info);
            }
            let what = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            // The crate and file, not the whole path of the registry.
            let at = info.location().map_or(String::new(), |l| {
                let file = l.file();
                let file = file.rsplit_once("/registry/src/").map_or(file, |(_, f)| f);
                let file = file
                    .split_once('/')
                    .filter(|_| file.starts_with("index."))
                    .map_or(file, |(_, f)| f);
                format!("at {file}:{}", l.line())
            });
            PANIC.set(Some(format!("{at}: {what}")));
        }));
    });
}

fn decode(
    path: &Path,
    data: bytes::Bytes,
    file_len: usize,
    spec: &ColumnSpec,
    read: &AtomicU64,
    mut emit: Option<(Emit<'_>, &Share)>,
    release: &dyn Fn(&bytes::Bytes, std::ops::Range<usize>),
) -> Result<Loaded, LoadError> {
    let whole = data.clone();
    let bad = |reason: String| LoadError::BadParquet {
        path: path.to_path_buf(),
        reason,
    };
    let meta = footer(path, &data).map_err(|e| bad(reason(&e)))?;
    let (meta, data) = (&*meta, Arc::new(data));
    let props = Arc::new(ReaderProperties::builder().build());
    let schema = meta.file_metadata().schema_descr();
    let names: Vec<String> = schema.columns().iter().map(|c| c.path().string()).collect();
    let picked = resolve(path, spec, &names, true)?;

    // The distinct chosen columns, and where x, y and the value are among them.
    let mut cols: Vec<usize> = Vec::with_capacity(3);
    let mut slot = |c: usize| match cols.iter().position(|&d| d == c) {
        Some(i) => i,
        None => {
            cols.push(c);
            cols.len() - 1
        }
    };
    let (sx, sy) = (slot(picked.x), slot(picked.y));
    let sv: Vec<usize> = picked.values().into_iter().map(&mut slot).collect();
    let mut convs = Vec::with_capacity(cols.len());
    for &c in &cols {
        let descr = schema.column(c);
        let conv = conv_for(&descr).map_err(|ty| LoadError::UnsupportedColumnType {
            path: path.to_path_buf(),
            column: names[c].clone(),
            ty,
        })?;
        convs.push((conv, descr.max_def_level()));
    }

    let mut total_rows: usize = 0;
    for (g, rg) in meta.row_groups().iter().enumerate() {
        let rows = usize::try_from(rg.num_rows())
            .map_err(|_| bad(format!("row group {g} has {} rows", rg.num_rows())))?;
        total_rows = total_rows.saturating_add(rows);
        if rg.num_columns() != names.len() {
            return Err(bad(format!(
                "row group {g} has {} columns but the schema has {}",
                rg.num_columns(),
                names.len()
            )));
        }
        for &c in &cols {
            // The crate asserts (panics) where these are negative.
            let chunk = rg.column(c);
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let len = chunk.compressed_size();
            if start < 0 || len < 0 || start.saturating_add(len) as u64 > file_len as u64 {
                return Err(bad(format!(
                    "column '{}', row group {g}: its data, {len} bytes from byte {start}, \
                     lies outside the file of {file_len} bytes",
                    names[c]
                )));
            }
            let codec = chunk.compression();
            if !codec_supported(codec) {
                return Err(LoadError::ParquetCodec {
                    path: path.to_path_buf(),
                    column: names[c].clone(),
                    // "ZSTD", not "ZSTD(ZstdLevel(1))".
                    codec: codec
                        .to_string()
                        .split('(')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                });
            }
        }
    }

    // The row count is only a capacity hint: a corrupt footer may claim
    // any number, so never reserve more than one row per byte of file.
    let mut sink = Sink::new(
        if emit.is_some() {
            0
        } else {
            total_rows.min(file_len)
        },
        sv.len(),
    );
    let mut groups = (0, 0);
    let streamed = emit.is_some();
    for g in 0..meta.num_row_groups() {
        // A stream's worker decodes only its share of the row groups.
        if let Some((_, share)) = &emit {
            if !share.take() {
                continue;
            }
        }
        let group = &meta.row_groups()[g];
        let outside = |c: usize, lo: f64, hi: f64| {
            float_range(group.column(c).statistics()).is_some_and(|(min, max)| max < lo || min > hi)
        };
        if let Some([x0, x1, y0, y1]) = spec.view {
            if outside(picked.x, x0, x1) || outside(picked.y, y0, y1) {
                groups.1 += 1;
                let size = u64::try_from(group.compressed_size()).unwrap_or(0);
                read.fetch_add(size, Ordering::Relaxed);
                continue;
            }
        }
        groups.0 += 1;
        // One row group's rows into the sink, or why not (a panic of the
        // parquet crate in it, as in `load_or_stream`, becomes an error).
        let mark = sink.mark();
        let one = |sink: &mut Sink| -> Result<u64, LoadError> {
            let rg = SerializedRowGroupReader::new(
                data.clone(),
                meta.row_group(g),
                meta.page_index_for_row_group(g),
                props.clone(),
            )
            .map_err(|e| bad(reason(&e)))?;
            let rows = usize::try_from(rg.metadata().num_rows()).unwrap_or(0);
            if streamed {
                // A streamed batch is one row group (no more rows than bytes).
                sink.reserve(rows.min(file_len));
            }
            let mut readers = Vec::with_capacity(cols.len());
            for (&c, &(conv, max_def)) in cols.iter().zip(&convs) {
                let r = rg.get_column_reader(c).map_err(|e| bad(reason(&e)))?;
                readers.push(Col::new(r, conv, max_def).map_err(bad)?);
            }
            let mut done = 0;
            while done < rows {
                let want = BATCH.min(rows - done);
                for (r, &c) in readers.iter_mut().zip(&cols) {
                    r.fill(want).map_err(|e| {
                        bad(format!(
                            "column '{}', row group {g}: {}",
                            names[c],
                            reason(&e)
                        ))
                    })?;
                    if r.out.len() < want {
                        return Err(bad(format!(
                            "column '{}' ends after {} of the {rows} rows of row group {g}",
                            names[c],
                            done + r.out.len()
                        )));
                    }
                }
                // Every reader holds at least `want` values (checked above).
                let vals: Vec<&[f64]> = sv.iter().map(|&s| &readers[s].out[..want]).collect();
                sink.push_rows(&readers[sx].out[..want], &readers[sy].out[..want], &vals);
                done += want;
            }
            Ok(u64::try_from(rg.metadata().compressed_size()).unwrap_or(0))
        };
        let decoded = catch_unwind(AssertUnwindSafe(|| one(&mut sink))).unwrap_or_else(|_| {
            let at = PANIC.take().map(|p| format!(" {p}")).unwrap_or_default();
            Err(bad(format!("corrupt data (the parquet reader failed{at})")))
        });
        let size = match decoded.map_err(|e| in_group(e, g)) {
            Ok(size) => size,
            // Carrying on past a bad row group: its rows go, the next is read.
            Err(e) if e.is_bad_file() && spec.skip_bad.is_some() => {
                spec.skip_bad.as_ref().expect("some").note(&e);
                sink.rewind(mark);
                groups.0 -= 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        read.fetch_add(size, Ordering::Relaxed);
        if let Some((emit, _)) = emit.as_mut() {
            let batch = std::mem::replace(&mut sink, Sink::new(0, sv.len()));
            let mut loaded = batch.finish(&names, &picked);
            loaded.row_groups = (1, 0);
            // The pages of the row group's chunks go once it is decoded (the
            // chunks were checked to lie in the file above).
            let (start, end) = cols.iter().fold((usize::MAX, 0), |(lo, hi), &c| {
                let chunk = group.column(c);
                let start = chunk
                    .dictionary_page_offset()
                    .unwrap_or(chunk.data_page_offset()) as usize;
                let end = start + chunk.compressed_size() as usize;
                (lo.min(start), hi.max(end))
            });
            release(&whole, start..end);
            emit(loaded)?;
        }
    }
    if emit.is_some() {
        release(&whole, 0..whole.len());
    }
    let mut loaded = sink.finish(&names, &picked);
    loaded.row_groups = groups;
    Ok(loaded)
}

/// The rows the footer of the Parquet file at `path` counts (None: not a
/// readable Parquet file).
pub(super) fn rows(path: &Path) -> Option<u64> {
    let file = std::fs::File::open(path).ok()?;
    let meta = footer(path, &file).ok()?;
    u64::try_from(meta.file_metadata().num_rows()).ok()
}

/// Footers parsed once per process, by the file's path, length, time of
/// change and footer tag (None until the first to ask has parsed it).
type Footers = Vec<(FooterKey, Arc<Mutex<Option<Arc<ParquetMetaData>>>>)>;
type FooterKey = (
    std::path::PathBuf,
    u64,
    Option<std::time::SystemTime>,
    Option<(u64, u64)>,
);

/// The length of the footer of a Parquet file of `len` bytes, and a hash of
/// up to 64 KiB at each end of it (None: no footer there).
fn footer_tag<R: ChunkReader>(reader: &R, len: u64) -> Option<(u64, u64)> {
    use std::hash::{Hash, Hasher};
    let tail = reader.get_bytes(len.checked_sub(8)?, 8).ok()?;
    let n = u64::from(u32::from_le_bytes(tail.get(..4)?.try_into().ok()?));
    let start = (len - 8).checked_sub(n)?;
    let edge = n.min(64 << 10);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    reader.get_bytes(start, edge as usize).ok()?.hash(&mut h);
    reader
        .get_bytes(len - 8 - edge, edge as usize)
        .ok()?
        .hash(&mut h);
    Some((n, h.finish()))
}

/// Most bytes of parsed footers kept: beyond, the oldest go.
const FOOTERS_BYTES: usize = 512 << 20;

/// The parsed footer of the Parquet file at `path` (read through `reader`),
/// parsed once and kept while the file keeps its length, time of change and
/// footer (a newer version of the file takes the older one's place).
/// A footer of many row groups is slow to parse (39 MB and a third of a
/// second for a billion points after `convert`), and it would be parsed
/// again by each worker of a streamed pass, by the size estimate and the
/// bounds, and for each of the viewer's views. Readers of one file wait for
/// the first to parse it; different files parse at once.
fn footer<R: ChunkReader>(path: &Path, reader: &R) -> Result<Arc<ParquetMetaData>, ParquetError> {
    static FOOTERS: Mutex<Footers> = Mutex::new(Vec::new());
    // Without what this reader never asks of a footer (encoding and size
    // statistics).
    let options = ParquetMetaDataOptions::new()
        .with_encoding_stats_as_mask(true)
        .with_encoding_stats_policy(ParquetStatisticsPolicy::SkipAll)
        .with_size_stats_policy(ParquetStatisticsPolicy::SkipAll);
    let parse = || {
        ParquetMetaDataReader::new()
            .with_metadata_options(Some(options.clone()))
            .parse_and_finish(reader)
            .map(Arc::new)
    };
    let Ok(info) = std::fs::metadata(path) else {
        return parse();
    };
    // A file rewritten in place within a clock tick, to the same length,
    // still differs in its footer: its length and a hash of its two ends.
    let key = (
        path.to_path_buf(),
        info.len(),
        info.modified().ok(),
        footer_tag(reader, info.len()),
    );
    let slot = {
        let mut all = FOOTERS.lock().unwrap_or_else(|p| p.into_inner());
        match all.iter().find(|(k, _)| *k == key) {
            Some((_, slot)) => slot.clone(),
            None => {
                let slot = Arc::default();
                // An older version of the file is not read again.
                all.retain(|(k, _)| k.0 != key.0);
                all.push((key, Arc::clone(&slot)));
                slot
            }
        }
    };
    let mut parsed = slot.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(meta) = &*parsed {
        return Ok(meta.clone());
    }
    let meta = parse()?;
    *parsed = Some(meta.clone());
    drop(parsed);
    // Within the budget: the oldest parsed footers go first (at least the
    // newest stays).
    let mut all = FOOTERS.lock().unwrap_or_else(|p| p.into_inner());
    // A footer being parsed meanwhile counts nothing yet.
    let size = |s: &Arc<Mutex<Option<Arc<ParquetMetaData>>>>| {
        s.try_lock()
            .ok()
            .and_then(|m| m.as_ref().map(|m| m.memory_size()))
            .unwrap_or(0)
    };
    let mut total: usize = all.iter().map(|(_, s)| size(s)).sum();
    while total > FOOTERS_BYTES && all.len() > 1 {
        let (_, old) = all.remove(0);
        total -= size(&old);
    }
    Ok(meta)
}

/// The x and y ranges `[x0, x1, y0, y1]` of the Parquet file at `path`
/// from its row groups' statistics: None unless x and y are float columns
/// of the file whose every non-empty row group has both statistics; and
/// the x and y columns' names.
pub(super) fn xy_range(path: &Path, spec: &ColumnSpec) -> Option<([f64; 4], [String; 2])> {
    let file = std::fs::File::open(path).ok()?;
    let meta = footer(path, &file).ok()?;
    let schema = meta.file_metadata().schema_descr();
    let names: Vec<String> = schema.columns().iter().map(|c| c.path().string()).collect();
    let picked = resolve(path, spec, &names, true).ok()?;
    let mut r = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for g in meta.row_groups().iter().filter(|g| g.num_rows() > 0) {
        if g.num_columns() != names.len() {
            return None;
        }
        let (x0, x1) = float_range(g.column(picked.x).statistics())?;
        let (y0, y1) = float_range(g.column(picked.y).statistics())?;
        r = [r[0].min(x0), r[1].max(x1), r[2].min(y0), r[3].max(y1)];
    }
    Some((r, [names[picked.x].clone(), names[picked.y].clone()]))
}

/// A float column chunk's (min, max), when its statistics hold both (and
/// neither is NaN); other types are never pruned (unsigned and decimal
/// integers are not ordered as their statistics' signed values are).
fn float_range(stats: Option<&parquet::file::statistics::Statistics>) -> Option<(f64, f64)> {
    use parquet::file::statistics::Statistics;
    let (min, max) = match stats? {
        Statistics::Double(s) => (*s.min_opt()?, *s.max_opt()?),
        Statistics::Float(s) => (*s.min_opt()? as f64, *s.max_opt()? as f64),
        _ => return None,
    };
    (!min.is_nan() && !max.is_nan()).then_some((min, max))
}

#[cfg(test)]
mod tests;
