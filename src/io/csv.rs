//! Delimited text: CSV, TSV, semicolon- or space-separated.
//!
//! The file is mapped read-only and read with `csv::Reader`; only the chosen
//! columns of each row are parsed. Data of 8 MiB or more without any quote
//! character is cut at newlines and parsed by all threads. The delimiter, unless given, is detected from the first
//! line: comma, tab or semicolon, whichever occurs most (outside quotes), or
//! space when none of those occurs. With a space delimiter runs of spaces
//! count as one. The first row is a header when any of its fields is neither
//! empty, a number nor a missing-value marker. Lines starting with `#` are
//! comments. Empty fields and the markers `NA`, `N/A`, `null` and `None`
//! (any case) count as missing: such rows are skipped and counted, as are
//! rows whose chosen fields are NaN or infinite.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use ::csv::{ByteRecord, ReaderBuilder, Trim};
use rayon::prelude::*;

use super::columns::{column_name, resolve, Picked};
use super::{map_file, ColumnSpec, LoadError, Loaded, Sink};

/// Bytes looked at up front to check for binary data and find the delimiter.
const SNIFF: usize = 8192;

/// A field's meaning in a chosen column.
enum Cell {
    Num(f64),
    Missing,
    NotNumber,
}

fn is_missing_marker(s: &str) -> bool {
    ["na", "n/a", "null", "none"]
        .iter()
        .any(|m| s.eq_ignore_ascii_case(m))
}

fn cell(field: Option<&[u8]>, delimiter: u8) -> Cell {
    let Some(field) = field else {
        return Cell::Missing;
    };
    let Ok(s) = std::str::from_utf8(field) else {
        return Cell::NotNumber;
    };
    let s = s.trim();
    if s.is_empty() || is_missing_marker(s) {
        return Cell::Missing;
    }
    if let Ok(v) = s.parse::<f64>() {
        return Cell::Num(v);
    }
    // A decimal comma ("1,5") in a file not separated by commas.
    if delimiter != b',' && !s.contains('.') && s.matches(',').count() == 1 {
        if let Ok(v) = s.replace(',', ".").parse::<f64>() {
            return Cell::Num(v);
        }
    }
    Cell::NotNumber
}

/// Whether the first 8 KiB look like text: no NUL byte and valid UTF-8
/// (a character cut off at the end of the sample is fine).
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// The delimiter of the first non-empty, non-comment line of `head`.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let line = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
        .unwrap_or(b"");
    let mut counts = [0usize; 4];
    let cands = [b',', b'\t', b';', b' '];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = cands.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    // Comma, tab or semicolon, most frequent first (ties in that order);
    // space only when none of those occurs.
    let mut best = None;
    for i in 0..3 {
        if counts[i] > 0 && best.is_none_or(|b: usize| counts[i] > counts[b]) {
            best = Some(i);
        }
    }
    match best {
        Some(i) => cands[i],
        None if counts[3] > 0 => b' ',
        None => b',',
    }
}

/// Field `i` of a record; with `collapse`, empty fields (runs of spaces)
/// are not counted.
fn field(rec: &ByteRecord, collapse: bool, i: usize) -> Option<&[u8]> {
    if collapse {
        rec.iter().filter(|f| !f.is_empty()).nth(i)
    } else {
        rec.get(i)
    }
}

/// Data past this size is parsed in parallel chunks (when it has no quotes).
const PARALLEL_MIN: usize = 8 << 20;

pub(super) fn load(
    path: &Path,
    spec: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
) -> Result<Loaded, LoadError> {
    load_with(path, spec, delimiter, read, PARALLEL_MIN)
}

/// [`load`], parsing the data in parallel chunks when it is at least
/// `parallel_min` bytes long and holds no quote character (then every newline
/// ends a record, so the file can be cut at newlines).
fn load_with(
    path: &Path,
    spec: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
    parallel_min: usize,
) -> Result<Loaded, LoadError> {
    let bytes = map_file(path)?;
    let file = Opened::new(path, &bytes, spec, delimiter)?;
    let (rows, data, lines_before) = (file.rows(), file.data(), file.lines_before);
    let sink = if data.len() >= parallel_min && !data.contains(&b'"') {
        rows.parallel(data, lines_before, read)?
    } else {
        rows.sequential(data, lines_before, read)?
    };
    read.store(bytes.len() as u64, Ordering::Relaxed);
    Ok(sink.finish(&file.names, &file.picked))
}

/// Bytes of a CSV file a streamed batch parses (cut at a line break).
const STREAM_CHUNK: usize = 8 << 20;

/// [`load`] a chunk of about 8 MiB at a time, each chunk's rows handed to
/// `emit` and its pages let go; `share` says which chunks are this
/// worker's. The file is cut at line breaks: a quoted field that holds one
/// (where a chunk holds an odd number of quote characters) is an error.
pub(super) fn stream(
    path: &Path,
    spec: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
    emit: &mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    share: &super::Share,
) -> Result<(usize, usize), LoadError> {
    stream_in(path, spec, delimiter, read, emit, share, STREAM_CHUNK)
}

/// [`stream`] in chunks of about `chunk_bytes`.
fn stream_in(
    path: &Path,
    spec: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
    emit: &mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    share: &super::Share,
    chunk_bytes: usize,
) -> Result<(usize, usize), LoadError> {
    let bytes = map_file(path)?;
    let file = Opened::new(path, &bytes, spec, delimiter)?;
    let (rows, data) = (file.rows(), file.data());
    if rows.labels.is_some() {
        // A text column's codes number the labels of the whole file.
        if share.take() {
            emit(load(path, spec, delimiter, read)?)?;
        }
        return Ok((0, 0));
    }
    let offset = data.as_ptr() as usize - bytes.as_ptr() as usize;
    // Chunk k starts after the first line break at or after k * chunk_bytes.
    let cut = |k: usize| -> usize {
        let from = k * chunk_bytes;
        if k == 0 || from >= data.len() {
            return from.min(data.len());
        }
        data[from - 1..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| from + i)
    };
    for k in 0..data.len().div_ceil(chunk_bytes) {
        if !share.take() {
            continue;
        }
        let (start, end) = (cut(k), cut(k + 1));
        if start >= end {
            continue;
        }
        let chunk = &data[start..end];
        // Line numbers for messages: counted only when one is needed.
        let lines_at =
            || file.lines_before + data[..start].iter().filter(|&&b| b == b'\n').count() as u64;
        if chunk.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            return Err(LoadError::CsvQuotedLineBreak {
                path: path.to_path_buf(),
                line: lines_at() + 1,
            });
        }
        let sink = rows
            .parse(chunk, 0, |_| {})
            .or_else(|_| rows.parse(chunk, lines_at(), |_| {}))?;
        read.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        super::release(&bytes, offset + start..offset + end);
        emit(sink.finish(&file.names, &file.picked))?;
    }
    Ok((0, 0))
}

/// The rows a CSV file holds, estimated from its size and the lines of its
/// first mebibyte (None: unreadable, or nothing to go by).
pub(super) fn rows(path: &Path) -> Option<u64> {
    use std::io::Read;
    let size = std::fs::metadata(path).ok()?.len();
    let mut head = Vec::with_capacity(1 << 20);
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut head)
        .ok()?;
    let lines = head.iter().filter(|&&b| b == b'\n').count() as u64;
    (lines > 0).then(|| size * lines / head.len() as u64)
}

/// A CSV file opened: its format, names, chosen columns, and where its data
/// starts.
struct Opened<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    format: Format,
    names: Vec<String>,
    header: bool,
    picked: Picked,
    /// The data's first byte, after the header.
    start: usize,
    /// Lines of the file before the data.
    lines_before: u64,
}

impl<'a> Opened<'a> {
    fn new(
        path: &'a Path,
        bytes: &'a [u8],
        spec: &ColumnSpec,
        delimiter: Option<u8>,
    ) -> Result<Opened<'a>, LoadError> {
        let head = &bytes[..bytes.len().min(SNIFF)];
        if !looks_like_text(head) {
            return Err(LoadError::NotText {
                path: path.to_path_buf(),
            });
        }
        let delim = delimiter.unwrap_or_else(|| sniff_delimiter(head));
        let format = Format {
            delim,
            collapse: delim == b' ',
        };
        let mut reader = format.reader(bytes);
        let mut rec = ByteRecord::new();
        if !reader
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(path, e, 0))?
        {
            // Only blank or comment lines.
            return Err(LoadError::Empty {
                path: path.to_path_buf(),
            });
        }
        let first: Vec<&[u8]> = (0..)
            .map_while(|i| field(&rec, format.collapse, i))
            .collect();
        let header = first
            .iter()
            .any(|f| matches!(cell(Some(f), delim), Cell::NotNumber));
        let names: Vec<String> = if header {
            first
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .collect()
        } else {
            (0..first.len()).map(column_name).collect()
        };
        let picked = resolve(path, spec, &names, header)?;
        // Where the data starts: after the header, or at the first record.
        let start = if header {
            reader.position().clone()
        } else {
            rec.position()
                .expect("a record read has a position")
                .clone()
        };
        Ok(Opened {
            path,
            bytes,
            format,
            names,
            header,
            picked,
            start: start.byte() as usize,
            lines_before: start.line() - 1,
        })
    }

    /// What to take from each record.
    fn rows(&self) -> Rows<'_> {
        Rows {
            path: self.path,
            format: self.format,
            names: &self.names,
            header: self.header,
            cols: [self.picked.x, self.picked.y]
                .into_iter()
                .chain(self.picked.values())
                .collect(),
            labels: self.picked.labels_slot(),
        }
    }

    /// The data rows' bytes.
    fn data(&self) -> &'a [u8] {
        &self.bytes[self.start..]
    }
}

/// How records are read.
#[derive(Clone, Copy)]
struct Format {
    delim: u8,
    /// Space-separated: runs of spaces count as one.
    collapse: bool,
}

impl Format {
    fn reader<'a>(&self, bytes: &'a [u8]) -> ::csv::Reader<&'a [u8]> {
        ReaderBuilder::new()
            .delimiter(self.delim)
            .has_headers(false)
            .flexible(true)
            .trim(Trim::All)
            .comment(Some(b'#'))
            .from_reader(bytes)
    }
}

/// A csv-crate error, its line counted from the start of the file.
fn csv_error(path: &Path, e: ::csv::Error, lines_before: u64) -> LoadError {
    LoadError::Csv {
        path: path.to_path_buf(),
        line: e.position().map(|p| p.line() + lines_before),
        source: e,
    }
}

/// The data rows of one file: what to take from each record.
struct Rows<'a> {
    path: &'a Path,
    format: Format,
    names: &'a [String],
    header: bool,
    /// The x and y columns, then the value columns.
    cols: Vec<usize>,
    /// The value column (by place among them) whose fields are labels.
    labels: Option<usize>,
}

impl Rows<'_> {
    /// Every record of `data`, in one pass. `lines_before`: lines of the file before `data`.
    fn sequential(
        &self,
        data: &[u8],
        lines_before: u64,
        read: &AtomicU64,
    ) -> Result<Sink, LoadError> {
        self.parse(data, lines_before, |done| {
            read.store(done, Ordering::Relaxed)
        })
    }

    /// `data` cut at newlines into chunks parsed by all threads, joined in order.
    fn parallel(
        &self,
        data: &[u8],
        lines_before: u64,
        read: &AtomicU64,
    ) -> Result<Sink, LoadError> {
        let parts = rayon::current_num_threads() * 4;
        let mut bounds = vec![0];
        for k in 1..parts {
            let from = (data.len() * k / parts).max(*bounds.last().expect("starts at 0"));
            let cut = data[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(data.len(), |i| from + i + 1);
            bounds.push(cut);
        }
        bounds.push(data.len());
        bounds.dedup();
        let chunks: Vec<&[u8]> = bounds.windows(2).map(|w| &data[w[0]..w[1]]).collect();
        // Line numbers for messages: the lines before each chunk.
        let newlines: Vec<u64> = chunks
            .par_iter()
            .map(|c| c.iter().filter(|&&b| b == b'\n').count() as u64)
            .collect();
        let mut before = lines_before;
        let firsts: Vec<u64> = newlines
            .iter()
            .map(|n| {
                let b = before;
                before += n;
                b
            })
            .collect();
        let sinks: Vec<Result<Sink, LoadError>> = chunks
            .par_iter()
            .zip(&firsts)
            .map(|(chunk, &first)| {
                let sink = self.parse(chunk, first, |_| {});
                read.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                sink
            })
            .collect();
        // The first error in file order, as a sequential parse would report it.
        let mut all = Sink::new(0, self.cols.len() - 2).with_labels(self.labels);
        for sink in sinks {
            all.append(sink?);
        }
        Ok(all)
    }

    /// Parse the records of `data` (whole lines); `progress(bytes done)` now and then.
    fn parse(
        &self,
        data: &[u8],
        lines_before: u64,
        progress: impl Fn(u64),
    ) -> Result<Sink, LoadError> {
        let mut reader = self.format.reader(data);
        let mut rec = ByteRecord::new();
        let mut sink = Sink::new(0, self.cols.len() - 2).with_labels(self.labels);
        // x, y and the value columns of the current record.
        let mut vals = vec![0.0f64; self.cols.len()];
        let mut count = 0u32;
        while reader
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(self.path, e, lines_before))?
        {
            self.take(&rec, lines_before, &mut vals, &mut sink)?;
            count = count.wrapping_add(1);
            if count.is_multiple_of(65_536) {
                progress(reader.position().byte());
            }
        }
        Ok(sink)
    }

    fn take(
        &self,
        rec: &ByteRecord,
        lines_before: u64,
        vals: &mut [f64],
        sink: &mut Sink,
    ) -> Result<(), LoadError> {
        let mut missing = false;
        for (k, (slot, &col)) in vals.iter_mut().zip(&self.cols).enumerate() {
            let f = field(rec, self.format.collapse, col);
            if self.labels.is_some_and(|l| l + 2 == k) {
                let text = f.map(|f| f.trim_ascii()).unwrap_or_default();
                if text.is_empty() || std::str::from_utf8(text).is_ok_and(is_missing_marker) {
                    missing = true;
                    continue;
                }
                match sink.label(text) {
                    Some(code) => *slot = code as f64,
                    None => {
                        return Err(LoadError::TooManyLabels {
                            path: self.path.to_path_buf(),
                            column: self.label(col),
                            max: super::MAX_LABELS,
                        })
                    }
                }
                continue;
            }
            match cell(f, self.format.delim) {
                Cell::Num(v) => *slot = v,
                Cell::Missing => missing = true,
                Cell::NotNumber => {
                    return Err(LoadError::NotNumber {
                        path: self.path.to_path_buf(),
                        line: rec.position().map_or(0, |p| p.line()) + lines_before,
                        column: self.label(col),
                        value: String::from_utf8_lossy(f.unwrap_or_default()).into_owned(),
                    })
                }
            }
        }
        if missing {
            sink.skip();
        } else {
            sink.push(vals[0], vals[1], vals[2..].iter().copied());
        }
        Ok(())
    }

    fn label(&self, i: usize) -> String {
        if self.header {
            format!("column '{}' (index {i})", self.names[i])
        } else {
            column_name(i)
        }
    }
}

#[cfg(test)]
mod tests;
