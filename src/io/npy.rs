//! NumPy `.npy` files, format versions 1.0, 2.0 and 3.0.
//!
//! Reads plain 2-D arrays `(N, C)` with `C >= 2` in C or Fortran order, and
//! structured arrays (any shape, flattened) whose fields are named columns.
//! Numeric dtypes of either byte order are read; see [`SUPPORTED_DTYPES`].

use std::path::Path;

use super::columns::{column_name, resolve, resolve_unnamed};
use super::{by_slices, map_file, ColumnSpec, LoadError, Loaded, Share, Sink, Streaming};

/// The dtypes this loader reads, for messages.
pub(super) const SUPPORTED_DTYPES: &str =
    "f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 (little- '<' or big-endian '>'; '|' for 1-byte types)";

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads one scalar from the start of a slice (which is long enough).
type ReadFn = fn(&[u8]) -> f64;

macro_rules! readers {
    ($($name:ident: $t:ty, $from:ident, $n:expr;)*) => {
        $(
            fn $name(b: &[u8]) -> f64 {
                let mut a = [0u8; $n];
                a.copy_from_slice(&b[..$n]);
                <$t>::$from(a) as f64
            }
        )*
    };
}

readers! {
    f4_le: f32, from_le_bytes, 4;
    f4_be: f32, from_be_bytes, 4;
    f8_le: f64, from_le_bytes, 8;
    f8_be: f64, from_be_bytes, 8;
    i1: i8, from_le_bytes, 1;
    u1: u8, from_le_bytes, 1;
    i2_le: i16, from_le_bytes, 2;
    i2_be: i16, from_be_bytes, 2;
    u2_le: u16, from_le_bytes, 2;
    u2_be: u16, from_be_bytes, 2;
    i4_le: i32, from_le_bytes, 4;
    i4_be: i32, from_be_bytes, 4;
    u4_le: u32, from_le_bytes, 4;
    u4_be: u32, from_be_bytes, 4;
    i8_le: i64, from_le_bytes, 8;
    i8_be: i64, from_be_bytes, 8;
    u8_le: u64, from_le_bytes, 8;
    u8_be: u64, from_be_bytes, 8;
}

fn f2_le(b: &[u8]) -> f64 {
    f16_to_f64(u16::from_le_bytes([b[0], b[1]]))
}

fn f2_be(b: &[u8]) -> f64 {
    f16_to_f64(u16::from_be_bytes([b[0], b[1]]))
}

/// IEEE 754 binary16 to f64 (exact).
pub(super) fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f64.powi(-24),
        31 if frac == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        e => sign * (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

/// A numeric dtype: its reader and size in bytes.
#[derive(Clone, Copy)]
struct Dtype {
    read: ReadFn,
    size: usize,
}

/// The element type of one dtype string.
enum Elem {
    Num(Dtype),
    /// Padding or other bytes that are never read (`|V4` and the like).
    Opaque(usize),
}

/// Parse a dtype string such as `<f8`, `|u1`, `>i4` or `|V4`.
fn parse_dtype(s: &str) -> Option<Elem> {
    let (order, rest) = match s.as_bytes().first()? {
        b'<' | b'>' | b'|' | b'=' => (s.as_bytes()[0], &s[1..]),
        _ => (b'=', s),
    };
    let big = match order {
        b'>' => true,
        b'=' => cfg!(target_endian = "big"),
        _ => false,
    };
    let kind = rest.chars().next()?;
    let size: usize = rest[kind.len_utf8()..].parse().ok()?;
    let read: ReadFn = match (kind, size, big) {
        ('V', n, _) => return Some(Elem::Opaque(n)),
        ('f', 2, false) => f2_le,
        ('f', 2, true) => f2_be,
        ('f', 4, false) => f4_le,
        ('f', 4, true) => f4_be,
        ('f', 8, false) => f8_le,
        ('f', 8, true) => f8_be,
        ('i', 1, _) => i1,
        ('u', 1, _) => u1,
        ('i', 2, false) => i2_le,
        ('i', 2, true) => i2_be,
        ('u', 2, false) => u2_le,
        ('u', 2, true) => u2_be,
        ('i', 4, false) => i4_le,
        ('i', 4, true) => i4_be,
        ('u', 4, false) => u4_le,
        ('u', 4, true) => u4_be,
        ('i', 8, false) => i8_le,
        ('i', 8, true) => i8_be,
        ('u', 8, false) => u8_le,
        ('u', 8, true) => u8_be,
        _ => return None,
    };
    Some(Elem::Num(Dtype { read, size }))
}

// ---------------------------------------------------------------------------
// The header: a Python literal dict.

#[derive(Debug, Clone, PartialEq)]
enum Py {
    Str(String),
    Int(u64),
    Bool(bool),
    None,
    Seq(Vec<Py>),
    Dict(Vec<(Py, Py)>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        match self.peek() {
            Some(d) if d == c => {
                self.i += 1;
                Ok(())
            }
            Some(d) => Err(format!(
                "expected '{}' at byte {} of the header, found '{}'",
                c as char, self.i, d as char
            )),
            None => Err(format!("expected '{}' but the header ended", c as char)),
        }
    }

    fn value(&mut self) -> Result<Py, String> {
        match self.peek() {
            None => Err("the header ended early".into()),
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        return Ok(Py::Dict(items));
                    }
                    let k = self.value()?;
                    self.expect(b':')?;
                    let v = self.value()?;
                    items.push((k, v));
                    if self.peek() == Some(b',') {
                        self.i += 1;
                    } else {
                        self.expect(b'}')?;
                        return Ok(Py::Dict(items));
                    }
                }
            }
            Some(open @ (b'(' | b'[')) => {
                let close = if open == b'(' { b')' } else { b']' };
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if self.peek() == Some(close) {
                        self.i += 1;
                        return Ok(Py::Seq(items));
                    }
                    items.push(self.value()?);
                    if self.peek() == Some(b',') {
                        self.i += 1;
                    } else {
                        self.expect(close)?;
                        return Ok(Py::Seq(items));
                    }
                }
            }
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                let mut out = Vec::new();
                while let Some(&c) = self.s.get(self.i) {
                    self.i += 1;
                    if c == q {
                        return Ok(Py::Str(String::from_utf8_lossy(&out).into_owned()));
                    }
                    if c == b'\\' {
                        if let Some(&e) = self.s.get(self.i) {
                            self.i += 1;
                            out.push(match e {
                                b'n' => b'\n',
                                b't' => b'\t',
                                other => other,
                            });
                        }
                    } else {
                        out.push(c);
                    }
                }
                Err("a string in the header is not closed".into())
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                // Python 2 wrote longs as `3L`.
                if self.s.get(self.i) == Some(&b'L') {
                    self.i += 1;
                }
                text.parse()
                    .map(Py::Int)
                    .map_err(|_| format!("number {text} in the header is too large"))
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_alphanumeric() {
                    self.i += 1;
                }
                match &self.s[start..self.i] {
                    b"True" => Ok(Py::Bool(true)),
                    b"False" => Ok(Py::Bool(false)),
                    b"None" => Ok(Py::None),
                    _ => Err(format!(
                        "unexpected text at byte {start} of the header: {:?}",
                        String::from_utf8_lossy(&self.s[start..(start + 20).min(self.s.len())])
                    )),
                }
            }
        }
    }
}

/// One column: a plain-array column or a structured field.
struct Field {
    name: String,
    /// `None` for a field that cannot be read (padding, sub-array, nested).
    dtype: Option<Dtype>,
    /// Why the field cannot be read, when `dtype` is `None`.
    unreadable: String,
    offset: usize,
}

/// The parsed header and where the data starts.
struct Header {
    layout: Layout,
    data_start: usize,
}

enum Layout {
    /// A 2-D array of one numeric dtype.
    Plain {
        dtype: Dtype,
        rows: usize,
        cols: usize,
        fortran: bool,
    },
    /// Records of `itemsize` bytes with named fields.
    Structured {
        fields: Vec<Field>,
        itemsize: usize,
        rows: usize,
    },
}

fn bad(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::BadNpy {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn unsupported(path: &Path, dtype: &str, field: Option<&str>) -> LoadError {
    LoadError::UnsupportedDtype {
        path: path.to_path_buf(),
        dtype: format!("'{dtype}'"),
        field: field.map(str::to_string),
    }
}

fn shape_text(shape: &[u64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn parse_header(path: &Path, bytes: &[u8]) -> Result<Header, LoadError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad(
            path,
            "it does not start with the .npy magic bytes \\x93NUMPY; if it is another format, pass --format",
        ));
    }
    if bytes.len() < 10 {
        return Err(bad(
            path,
            "the file ends inside the header; re-save the file",
        ));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (len, start): (usize, usize) = match major {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        2 | 3 => return Err(bad(path, "the file ends inside the header; re-save the file")),
        _ => {
            return Err(bad(
                path,
                format!("format version {major}.{minor} is not supported (only 1.0, 2.0 and 3.0); re-save it with numpy.save"),
            ))
        }
    };
    let data_start = start
        .checked_add(len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| bad(path, "the file ends inside the header; re-save the file"))?;
    let raw = &bytes[start..data_start];
    // v1/v2 headers are latin-1, v3 UTF-8; the parser reads bytes and only
    // field names can be non-ASCII.
    let text: Vec<u8> = if major == 3 {
        raw.to_vec()
    } else {
        String::from_iter(raw.iter().map(|&b| b as char)).into_bytes()
    };
    let mut p = Parser { s: &text, i: 0 };
    let dict = p
        .value()
        .map_err(|e| bad(path, format!("its header cannot be parsed: {e}")))?;
    let Py::Dict(items) = dict else {
        return Err(bad(path, "its header is not a dict"));
    };
    let get = |key: &str| {
        items
            .iter()
            .find(|(k, _)| *k == Py::Str(key.into()))
            .map(|(_, v)| v)
            .ok_or_else(|| bad(path, format!("its header has no '{key}' key")))
    };
    let descr = get("descr")?;
    let fortran = match get("fortran_order")? {
        Py::Bool(b) => *b,
        _ => {
            return Err(bad(
                path,
                "'fortran_order' in its header is not True or False",
            ))
        }
    };
    let shape: Vec<u64> = match get("shape")? {
        Py::Seq(dims) => dims
            .iter()
            .map(|d| match d {
                Py::Int(n) => Ok(*n),
                _ => Err(bad(
                    path,
                    "'shape' in its header is not a tuple of integers",
                )),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(bad(path, "'shape' in its header is not a tuple")),
    };
    let to_usize = |n: u64| usize::try_from(n).map_err(|_| bad(path, "its shape is too large"));

    let layout = match descr {
        Py::Str(s) => {
            let dtype = match parse_dtype(s) {
                Some(Elem::Num(d)) => d,
                _ => return Err(unsupported(path, s, None)),
            };
            match shape.as_slice() {
                [rows, cols] => Layout::Plain {
                    dtype,
                    rows: to_usize(*rows)?,
                    cols: to_usize(*cols)?,
                    fortran,
                },
                _ => {
                    return Err(LoadError::BadShape {
                        path: path.to_path_buf(),
                        shape: shape_text(&shape),
                    })
                }
            }
        }
        Py::Seq(list) => {
            let (fields, itemsize) = parse_fields(path, list)?;
            let rows = shape
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d))
                .ok_or_else(|| bad(path, "its shape is too large"))?;
            Layout::Structured {
                fields,
                itemsize,
                rows: to_usize(rows)?,
            }
        }
        _ => {
            return Err(bad(
                path,
                "'descr' in its header is neither a string nor a list",
            ))
        }
    };
    Ok(Header { layout, data_start })
}

/// Fields of a structured dtype given as `[('x', '<f8'), ...]`; also returns
/// the record size.
fn parse_fields(path: &Path, list: &[Py]) -> Result<(Vec<Field>, usize), LoadError> {
    let malformed = || bad(path, "a field in its structured 'descr' is malformed");
    let mut fields = Vec::new();
    let mut offset = 0usize;
    for item in list {
        let Py::Seq(parts) = item else {
            return Err(malformed());
        };
        let name = match parts.first() {
            Some(Py::Str(n)) => n.clone(),
            // (title, name) pairs
            Some(Py::Seq(tn)) => match tn.get(1) {
                Some(Py::Str(n)) => n.clone(),
                _ => return Err(malformed()),
            },
            _ => return Err(malformed()),
        };
        let count = match parts.get(2) {
            None => 1usize,
            Some(Py::Seq(dims)) => dims
                .iter()
                .try_fold(1usize, |a, d| match d {
                    Py::Int(n) => usize::try_from(*n).ok().and_then(|n| a.checked_mul(n)),
                    _ => None,
                })
                .ok_or_else(malformed)?,
            Some(Py::Int(n)) => usize::try_from(*n).map_err(|_| malformed())?,
            Some(_) => return Err(malformed()),
        };
        let (dtype, size, unreadable) = match parts.get(1) {
            Some(Py::Str(s)) => match parse_dtype(s) {
                Some(Elem::Num(d)) if parts.len() == 2 => (Some(d), d.size, String::new()),
                Some(Elem::Num(d)) => (
                    None,
                    d.size.checked_mul(count).ok_or_else(malformed)?,
                    format!("field '{name}' is a sub-array, which cannot be a column"),
                ),
                Some(Elem::Opaque(n)) => (
                    None,
                    n.checked_mul(count).ok_or_else(malformed)?,
                    format!("field '{name}' holds raw bytes ('{s}'), not numbers"),
                ),
                None if name.is_empty() => return Err(unsupported(path, s, None)),
                None => return Err(unsupported(path, s, Some(&name))),
            },
            Some(Py::Seq(_)) => {
                return Err(bad(
                    path,
                    format!("field '{name}' is itself structured, which is not supported; flatten the dtype first"),
                ))
            }
            _ => return Err(malformed()),
        };
        fields.push(Field {
            name,
            dtype,
            unreadable,
            offset,
        });
        offset = offset.checked_add(size).ok_or_else(malformed)?;
    }
    // Padding fields are unnamed; they are not columns.
    fields.retain(|f| !(f.name.is_empty() && f.dtype.is_none()));
    Ok((fields, offset))
}

pub(super) fn load(path: &Path, spec: &ColumnSpec) -> Result<Loaded, LoadError> {
    load_or_stream(path, spec, None)
}

/// The rows of the array at `path`, from its header (None where it cannot be read).
pub(super) fn rows(path: &Path) -> Option<u64> {
    let bytes = map_file(path).ok()?;
    match parse_header(path, &bytes).ok()?.layout {
        Layout::Plain { rows, .. } | Layout::Structured { rows, .. } => Some(rows as u64),
    }
}

/// The rows of `path` a slice at a time (see [`by_slices`]).
pub(super) fn stream(
    path: &Path,
    spec: &ColumnSpec,
    emit: &mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    share: &Share,
) -> Result<(usize, usize), LoadError> {
    load_or_stream(path, spec, Some((emit, share))).map(|_| (0, 0))
}

fn load_or_stream(
    path: &Path,
    spec: &ColumnSpec,
    stream: Streaming<'_, '_>,
) -> Result<Loaded, LoadError> {
    let bytes = map_file(path)?;
    let header = parse_header(path, &bytes)?;
    let data = &bytes[header.data_start..];
    // The data size the header promises, checked against what is there.
    let check = |need: Option<usize>| match need {
        None => Err(bad(
            path,
            "its shape is too large to be real; the header is corrupt",
        )),
        Some(n) if n > data.len() => Err(LoadError::Truncated {
            path: path.to_path_buf(),
            expected: n as u64,
            actual: data.len() as u64,
        }),
        Some(_) => Ok(()),
    };

    match header.layout {
        Layout::Plain {
            dtype,
            rows,
            cols,
            fortran,
        } => {
            check(
                rows.checked_mul(cols)
                    .and_then(|n| n.checked_mul(dtype.size)),
            )?;
            // No list of all the names: with no rows, `cols` is unchecked
            // by the data and can be absurd.
            let picked = resolve_unnamed(path, spec, cols)?;
            if rows == 0 {
                // Nothing to read, and offsets from an absurd `cols` could overflow.
                let values = picked.values().len();
                return Ok(Sink::new(0, values).finish_with(column_name, &picked));
            }
            let sz = dtype.size;
            // Offset of element (row 0, column c), and the step between rows.
            let (col, step): (&dyn Fn(usize) -> usize, usize) = if fortran {
                (&|c| c * rows * sz, sz)
            } else {
                (&|c| c * sz, cols * sz)
            };
            let (ox, oy) = (col(picked.x), col(picked.y));
            let offsets: Vec<usize> = picked.values().into_iter().map(col).collect();
            let read = dtype.read;
            let push = |sink: &mut Sink, range: std::ops::Range<usize>| {
                for r in range {
                    let base = r * step;
                    let vals = offsets.iter().map(|&o| read(&data[base + o..]));
                    sink.push(read(&data[base + ox..]), read(&data[base + oy..]), vals);
                }
            };
            let finish = |sink: Sink| sink.finish_with(column_name, &picked);
            let start = header.data_start;
            let span = |r: std::ops::Range<usize>| {
                (!fortran).then(|| start + r.start * step..start + r.end * step)
            };
            by_slices(&bytes, rows, offsets.len(), &push, &finish, &span, stream)
        }
        Layout::Structured {
            fields,
            itemsize,
            rows,
        } => {
            check(rows.checked_mul(itemsize))?;
            let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
            let picked = resolve(path, spec, &names, true)?;
            let pick = |i: usize| -> Result<(Dtype, usize), LoadError> {
                let f = &fields[i];
                match f.dtype {
                    Some(d) => Ok((d, f.offset)),
                    None => Err(bad(path, format!("{}; choose another field", f.unreadable))),
                }
            };
            let (dx, ox) = pick(picked.x)?;
            let (dy, oy) = pick(picked.y)?;
            let vcols = picked
                .values()
                .into_iter()
                .map(pick)
                .collect::<Result<Vec<_>, _>>()?;
            let push = |sink: &mut Sink, range: std::ops::Range<usize>| {
                for r in range {
                    let rec = &data[r * itemsize..(r + 1) * itemsize];
                    let vals = vcols.iter().map(|(d, o)| (d.read)(&rec[*o..]));
                    sink.push((dx.read)(&rec[ox..]), (dy.read)(&rec[oy..]), vals);
                }
            };
            let finish = |sink: Sink| sink.finish(&names, &picked);
            let start = header.data_start;
            let span = |r: std::ops::Range<usize>| {
                Some(start + r.start * itemsize..start + r.end * itemsize)
            };
            by_slices(&bytes, rows, vcols.len(), &push, &finish, &span, stream)
        }
    }
}

#[cfg(test)]
pub(super) mod tests;
