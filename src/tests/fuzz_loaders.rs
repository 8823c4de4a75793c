//! Robustness of the data loaders against damaged files, a stand-in for
//! `cargo fuzz` (which needs a nightly toolchain).
//!
//! For each format, valid seed files (the fixtures in `tests/data` and small
//! ones made here) go through a few thousand deterministic random mutations:
//! bit flips, interesting bytes, truncation, inserted, deleted and duplicated
//! ranges, splices of two seeds, and format-aware edits that set header
//! fields to extremes (the .npy header dict and its length, the Parquet
//! footer length and the integers in its Thrift metadata, CSV quotes and
//! delimiters). Each mutant is written to a file and loaded with
//! `crate::io::load`, which must return `Ok` or `Err` and never panic.
//!
//! The Parquet loader runs the `parquet` crate under `catch_unwind`, because
//! that crate panics on some corrupt input; those panics become errors and
//! are only counted here (a summary goes to stderr). A panic anywhere else,
//! or one that comes from this crate's own source even when caught, fails the
//! test with the format, seed file and case number, and the input is kept
//! under `target/tmp/fuzz-loaders/` to reproduce it. An abort (out of memory)
//! leaves the last input at `target/tmp/fuzz-loaders/<format>-current.*`.
//!
//! `FUZZ_CASES=N` changes the number of mutants a format (default 3000);
//! `FUZZ_SEED=S` the base seed.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

use crate::io::{load, Column, ColumnSpec, Format, RawLayout};
use parquet::basic::{Compression, Encoding, GzipLevel};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::{ColumnPath, SchemaDescriptor};

// ---------------------------------------------------------------------------
// Random numbers: xorshift64*, deterministic from the case seed.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // SplitMix64 of the seed, so that nearby seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A position in `0..=len`.
    fn pos(&mut self, len: usize) -> usize {
        self.below(len + 1)
    }
}

// ---------------------------------------------------------------------------
// Mutations.

const INTERESTING_BYTES: [u8; 16] = [
    0, 1, 0x7f, 0x80, 0xff, 0xfe, b'\n', b'\r', b',', b'\t', b';', b' ', b'"', b'#', b'-', b'.',
];

/// Extreme integers, written in 1, 2, 4 or 8 little-endian bytes.
const EXTREMES: [u64; 12] = [
    0,
    1,
    0x7f,
    0xff,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
];

/// Numbers to put in a text header or a CSV field.
const NUMBERS: [&str; 14] = [
    "0",
    "1",
    "-1",
    "2147483647",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "99999999999999999999999",
    "-0",
    "1e308",
    "1e999",
    "nan",
    "inf",
    "",
];

/// A random range of at most `max` bytes within `len`.
fn range(rng: &mut Rng, len: usize, max: usize) -> (usize, usize) {
    let start = rng.pos(len);
    let n = rng.below(max.min(len - start) + 1);
    (start, start + n)
}

/// One format-blind mutation of `b`; `other` is another seed to splice from.
fn mutate_blind(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8]) {
    let len = b.len();
    match rng.below(10) {
        // Flip bits of one byte.
        0 if len > 0 => {
            let i = rng.below(len);
            b[i] ^= (rng.next() as u8) | 1;
        }
        // An interesting byte.
        1 if len > 0 => {
            let i = rng.below(len);
            b[i] = rng.pick(&INTERESTING_BYTES);
        }
        // Truncate.
        2 => b.truncate(rng.pos(len)),
        // Insert random bytes.
        3 => {
            let at = rng.pos(len);
            let n = 1 + rng.below(64);
            let ins: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            b.splice(at..at, ins);
        }
        // Delete a range.
        4 => {
            let (s, e) = range(rng, len, 256);
            b.drain(s..e);
        }
        // Duplicate a chunk somewhere else.
        5 => {
            let (s, e) = range(rng, len, 512);
            let chunk = b[s..e].to_vec();
            let at = rng.pos(len);
            b.splice(at..at, chunk);
        }
        // An extreme integer of 1, 2, 4 or 8 bytes, either byte order.
        6 | 7 => {
            let width = rng.pick(&[1usize, 2, 4, 8]);
            if len >= width {
                let at = rng.below(len - width + 1);
                let v = rng.pick(&EXTREMES);
                let mut bytes = v.to_le_bytes();
                if rng.chance(30) {
                    bytes[..width].reverse();
                }
                b[at..at + width].copy_from_slice(&bytes[..width]);
            }
        }
        // Splice: a range of another seed over a range of this one.
        8 if !other.is_empty() => {
            let (s, e) = range(rng, len, 256);
            let (os, oe) = range(rng, other.len(), 256);
            b.splice(s..e, other[os..oe].iter().copied());
        }
        // Many bit flips in a small window.
        _ if len > 0 => {
            let (s, e) = range(rng, len, 16);
            for byte in &mut b[s..e] {
                if rng.chance(50) {
                    *byte ^= 1 << rng.below(8);
                }
            }
        }
        _ => b.push(rng.next() as u8),
    }
}

/// Replace the `k`-th run of ASCII digits after `from` with `with`.
fn replace_number(b: &mut Vec<u8>, from: usize, k: usize, with: &str) {
    let mut runs = Vec::new();
    let mut i = from;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((s, i));
        } else {
            i += 1;
        }
    }
    if !runs.is_empty() {
        let (s, e) = runs[k % runs.len()];
        b.splice(s..e, with.bytes());
    }
}

/// Replace the first occurrence of `what` in `b` after `from`.
fn replace_text(b: &mut Vec<u8>, from: usize, what: &[u8], with: &[u8]) -> bool {
    let from = from.min(b.len());
    match b[from..].windows(what.len()).position(|w| w == what) {
        Some(p) => {
            b.splice(from + p..from + p + what.len(), with.iter().copied());
            true
        }
        None => false,
    }
}

/// Edits of the .npy header: its length field, the numbers in the dict
/// (shape), the dtype string and the order flag.
fn mutate_npy(rng: &mut Rng, b: &mut Vec<u8>) {
    match rng.below(6) {
        0 if b.len() >= 12 => {
            // Header length: u16 at 8 (v1) or u32 at 8 (v2/v3).
            let v = rng.pick(&EXTREMES);
            let width = if rng.chance(50) { 2 } else { 4 };
            b[8..8 + width].copy_from_slice(&v.to_le_bytes()[..width]);
        }
        1 if b.len() > 7 => b[6] = rng.pick(&[0u8, 1, 2, 3, 4, 0xff]),
        2 => replace_number(b, 10, rng.below(4), rng.pick(&NUMBERS)),
        3 => {
            let descrs: [&[u8]; 12] = [
                b"<f8", b"<f4", b">f2", b"|u1", b"<i8", b">u8", b"|V4", b"<c16", b"|O", b"<U3",
                b"|b1", b"<f",
            ];
            for d in [&b"<f8"[..], b"<f4", b"|u1", b">i2"] {
                if replace_text(b, 10, d, rng.pick(&descrs)) {
                    break;
                }
            }
        }
        4 => {
            let (a, c): (&[u8], &[u8]) = rng.pick(&[
                (b"False", b"True"),
                (b"True", b"False"),
                (b"), }", b",), }"),
                (b"(", b"(("),
                (b"'shape'", b"'shap'"),
                (b"'descr'", b"'d'"),
                (b", ", b",,"),
                (b"}", b""),
            ]);
            replace_text(b, 10, a, c);
        }
        _ => {
            // A shape with a third dimension, or an empty one.
            let with: &[u8] = rng.pick(&[&b"(2, 3, 4)"[..], b"()", b"(0, 3)", b"(3,)"]);
            if let Some(s) = b.iter().position(|&c| c == b'(') {
                if let Some(e) = b[s..].iter().position(|&c| c == b')') {
                    b.splice(s..s + e + 1, with.iter().copied());
                }
            }
        }
    }
}

/// Edits of CSV text: quotes, delimiters, line ends, odd fields.
fn mutate_csv(rng: &mut Rng, b: &mut Vec<u8>) {
    let at = rng.pos(b.len());
    let tokens: [&[u8]; 16] = [
        b"\"",
        b"\"\"",
        b",",
        b"\t",
        b";",
        b"\n",
        b"\r\n",
        b"\r",
        b"#",
        b"\xef\xbb\xbf",
        b"\0",
        b"\xff\xfe",
        b"NA",
        b"1,5",
        b"\xc3",
        b"          ",
    ];
    match rng.below(3) {
        0 => {
            b.splice(at..at, rng.pick(&tokens).iter().copied());
        }
        1 => {
            let n = rng.pick(&NUMBERS).as_bytes();
            b.splice(at..at, n.iter().copied());
        }
        _ => replace_number(b, 0, rng.below(20), rng.pick(&NUMBERS)),
    }
}

/// The Parquet footer: `[metadata][u32 length]PAR1` at the end.
fn footer_range(b: &[u8]) -> Option<(usize, usize)> {
    let n = b.len();
    if n < 12 {
        return None;
    }
    let len = u32::from_le_bytes(b[n - 8..n - 4].try_into().unwrap()) as usize;
    let end = n - 8;
    (len <= end).then(|| (end - len, end))
}

/// Edits aimed at Parquet's structure: the footer length, and integers in
/// the Thrift metadata and page headers set to extremes.
fn mutate_parquet(rng: &mut Rng, b: &mut Vec<u8>) {
    let n = b.len();
    let footer = footer_range(b);
    match rng.below(4) {
        0 if n >= 8 => {
            let v = rng.pick(&EXTREMES) as u32;
            let v = if rng.chance(50) {
                v
            } else {
                footer
                    .map_or(v, |(s, e)| (e - s) as u32)
                    .wrapping_add(rng.below(9) as u32)
                    .wrapping_sub(4)
            };
            b[n - 8..n - 4].copy_from_slice(&v.to_le_bytes());
        }
        // A Thrift compact varint in the footer (or in a page header, near
        // the start) replaced by an extreme one.
        1 | 2 => {
            let (s, e) = match footer {
                Some(f) if rng.chance(70) => f,
                _ => (4, n.min(64)),
            };
            if e > s {
                let at = s + rng.below(e - s);
                let varints: [&[u8]; 7] = [
                    &[0xff, 0xff, 0xff, 0xff, 0x0f],
                    &[0xfe, 0xff, 0xff, 0xff, 0x0f],
                    &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
                    &[
                        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
                    ],
                    &[0x00],
                    &[0x01],
                    &[0x80, 0x80, 0x80, 0x80, 0x08],
                ];
                let v = rng.pick(&varints);
                let end = (at + v.len()).min(b.len());
                if rng.chance(50) {
                    b.splice(at..end, v.iter().copied());
                } else {
                    // Keep the length: overwrite what fits.
                    let k = end - at;
                    b[at..end].copy_from_slice(&v[..k]);
                }
            }
        }
        // Flip bits inside the footer.
        _ => {
            if let Some((s, e)) = footer {
                if e > s {
                    let i = s + rng.below(e - s);
                    b[i] ^= (rng.next() as u8) | 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Seeds.

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn fixture(name: &str) -> (String, Vec<u8>) {
    let bytes = std::fs::read(data_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    (name.to_string(), bytes)
}

/// A .npy file with this header dict (version 1 or 2) and data.
fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8], version: u8) -> Vec<u8> {
    let order = if fortran { "True" } else { "False" };
    let mut header = format!("{{'descr': {descr}, 'fortran_order': {order}, 'shape': {shape}, }}");
    let pre = if version == 1 { 10 } else { 12 };
    let total = (pre + header.len() + 1).div_ceil(64) * 64;
    header.push_str(&" ".repeat(total - pre - header.len() - 1));
    header.push('\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.extend([version, 0]);
    if version == 1 {
        out.extend((header.len() as u16).to_le_bytes());
    } else {
        out.extend((header.len() as u32).to_le_bytes());
    }
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

fn npy_seeds() -> Vec<(String, Vec<u8>)> {
    let f4: Vec<u8> = (0..18)
        .flat_map(|i| (i as f32 * 0.5 - 3.0).to_le_bytes())
        .collect();
    let i2be: Vec<u8> = (0..8)
        .flat_map(|i| (i as i16 * -300).to_be_bytes())
        .collect();
    let u1: Vec<u8> = (0..12).map(|i| i * 20).collect();
    let f2: Vec<u8> = [
        0x3c00u16, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555, 0, 0x8000, 1, 2,
    ]
    .iter()
    .flat_map(|h| h.to_le_bytes())
    .collect();
    let i8s: Vec<u8> = (0..9).flat_map(|i| (i as i64 - 4).to_le_bytes()).collect();
    let rec: Vec<u8> = (0..3)
        .flat_map(|i| {
            let mut r = (i as f64 + 0.25).to_be_bytes().to_vec();
            r.extend((i * 7 - 5i32).to_le_bytes());
            r.extend((i as u16 * 1000).to_le_bytes());
            r.extend([0xaa; 2]);
            r
        })
        .collect();
    vec![
        fixture("points_f64.npy"),
        fixture("points_f32_fortran.npy"),
        fixture("points_struct.npy"),
        ("f4 (6, 3)".into(), npy("'<f4'", false, "(6, 3)", &f4, 1)),
        (
            "i2 big-endian, Fortran".into(),
            npy("'>i2'", true, "(4, 2)", &i2be, 1),
        ),
        ("u1 (3, 4)".into(), npy("'|u1'", false, "(3, 4)", &u1, 1)),
        ("f2 (5, 2)".into(), npy("'<f2'", false, "(5, 2)", &f2, 1)),
        (
            "i8, version 2".into(),
            npy("'<i8'", false, "(3, 3)", &i8s, 2),
        ),
        (
            "structured with padding".into(),
            npy(
                "[('x', '>f8'), ('y', '<i4'), ('v', '<u2'), ('pad', '|V2')]",
                false,
                "(3,)",
                &rec,
                1,
            ),
        ),
    ]
}

fn csv_seeds() -> Vec<(String, Vec<u8>)> {
    let text = |name: &str, s: &str| (name.to_string(), s.as_bytes().to_vec());
    vec![
        fixture("points.csv"),
        text(
            "tsv with header",
            "lon\tlat\tmag\n1.5\t2\t3\n-4\t5e3\t\n7\tNA\t9\n",
        ),
        text("semicolons, decimal commas", "a;b;c\n1,5;2,25;0\n-3;4;1\n"),
        text(
            "spaces and comments",
            "# comment\n  x     y\n  1.0   2.0\n 10.0  20.0\n\n",
        ),
        text(
            "quoted, BOM, CRLF",
            "\u{feff}\"x\",\"y\",\"v\",\"name, long\"\r\n\"1.5\",2,0,\"a\"\r\n3,\"4\",1,\"b \"\"q\"\"\"\r\n",
        ),
        text("no header", "1,2,3\n4,5,6\n7,8\n9,10,11,12\n"),
    ]
}

fn raw_seeds() -> Vec<(String, Vec<u8>)> {
    let recs = |vals: &[[f32; 3]]| -> Vec<u8> {
        vals.iter()
            .flat_map(|r| r.iter().flat_map(|v| v.to_le_bytes()))
            .collect()
    };
    vec![
        (
            "f32xyv 4 records".into(),
            recs(&[
                [1.0, 2.0, 3.0],
                [f32::NAN, 0.0, 1.0],
                [-1e30, 1e-30, f32::INFINITY],
                [0.5, -0.5, 0.0],
            ]),
        ),
        (
            "f32xyv 40 records".into(),
            recs(
                &(0..40)
                    .map(|i| [i as f32, (i * i) as f32, -(i as f32)])
                    .collect::<Vec<_>>(),
            ),
        ),
    ]
}

/// A Parquet file written with the parquet crate.
fn write_parquet(schema: &str, props: WriterProperties, groups: usize, rows: usize) -> Vec<u8> {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let descr = SchemaDescriptor::new(schema.clone());
    let mut out = Vec::new();
    let mut w = SerializedFileWriter::new(&mut out, schema, Arc::new(props)).unwrap();
    for g in 0..groups {
        let ids: Vec<i64> = (0..rows as i64).map(|i| i + (g * rows) as i64).collect();
        let mut rg = w.next_row_group().unwrap();
        let mut c = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            let nullable = descr.column(c).max_def_level() > 0;
            c += 1;
            let def: Vec<i16> = ids.iter().map(|i| i16::from(i % 5 != 3)).collect();
            let keep: Vec<i64> = if nullable {
                ids.iter().copied().filter(|i| i % 5 != 3).collect()
            } else {
                ids.clone()
            };
            let def = nullable.then_some(&def[..]);
            match col.untyped() {
                ColumnWriter::Int32ColumnWriter(c) => {
                    let v: Vec<i32> = keep.iter().map(|&i| (i % 50) as i32 - 7).collect();
                    c.write_batch(&v, def, None).unwrap();
                }
                ColumnWriter::Int64ColumnWriter(c) => {
                    let v: Vec<i64> = keep.iter().map(|&i| i * 1_000_003 - 50).collect();
                    c.write_batch(&v, def, None).unwrap();
                }
                ColumnWriter::FloatColumnWriter(c) => {
                    let v: Vec<f32> = keep.iter().map(|&i| (i % 9) as f32 * 0.5).collect();
                    c.write_batch(&v, def, None).unwrap();
                }
                ColumnWriter::DoubleColumnWriter(c) => {
                    let v: Vec<f64> = keep.iter().map(|&i| i as f64 / 3.0).collect();
                    c.write_batch(&v, def, None).unwrap();
                }
                ColumnWriter::ByteArrayColumnWriter(c) => {
                    let v: Vec<ByteArray> = keep
                        .iter()
                        .map(|i| ByteArray::from(format!("s{i}").as_str()))
                        .collect();
                    c.write_batch(&v, def, None).unwrap();
                }
                _ => unreachable!("no other types in these schemas"),
            }
            col.close().unwrap();
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
    out
}

fn parquet_seeds() -> Vec<(String, Vec<u8>)> {
    let plain = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    let dict_v2 = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_compression(Compression::SNAPPY)
        .set_data_page_row_count_limit(16)
        .build();
    let delta = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_compression(Compression::GZIP(GzipLevel::default()))
        .set_column_encoding(ColumnPath::from("x"), Encoding::DELTA_BINARY_PACKED)
        .set_column_encoding(ColumnPath::from("y"), Encoding::BYTE_STREAM_SPLIT)
        .set_column_encoding(ColumnPath::from("v"), Encoding::DELTA_BINARY_PACKED)
        .build();
    vec![
        fixture("points.parquet"),
        fixture("types.parquet"),
        (
            "required doubles, plain, uncompressed".into(),
            write_parquet(
                "message m { required double x; required double y; required float v; }",
                plain,
                1,
                20,
            ),
        ),
        (
            "optional ints, dictionary, v2 pages, snappy".into(),
            write_parquet(
                "message m { optional int32 x; optional int64 y (INTEGER(64, false)); \
                 optional double v; optional binary s (UTF8); }",
                dict_v2,
                2,
                40,
            ),
        ),
        (
            "delta and byte-stream-split, gzip".into(),
            write_parquet(
                "message m { required int64 x; optional float y; required int32 v (INTEGER(8, true)); }",
                delta,
                2,
                30,
            ),
        ),
    ]
}

// ---------------------------------------------------------------------------
// The runner.

thread_local! {
    /// Whether this thread is loading a mutant now.
    static LOADING: Cell<bool> = const { Cell::new(false) };
    /// Panics seen on this thread while loading: location and message.
    static PANICS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// A panic hook that, while a mutant is loading, records each panic for the
/// thread it happens on and prints nothing (thousands of caught panics would
/// bury the output); other panics go to the usual hook.
///
/// The Parquet loader installs its own hook the first time it runs, which
/// silences the panics it catches; so one Parquet file is loaded first and
/// this hook goes on top of that one, to see those panics too.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let path = data_dir().join("points.parquet");
        load(&path, None, &ColumnSpec::default(), None).expect("points.parquet loads");
        let usual = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !LOADING.get() {
                return usual(info);
            }
            let loc = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            PANICS.with(|p| p.borrow_mut().push((loc, msg)));
        }));
    });
}

/// Whether a panic location is in a crate from the registry (the parquet
/// crate, or `bytes` called by it), not in pointillist or the standard library.
fn in_dependency(loc: &str) -> bool {
    loc.contains("/registry/src/")
}

fn cases() -> u64 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000)
}

fn base_seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed)
}

/// A column choice: mostly the default, sometimes by index or name.
fn random_spec(rng: &mut Rng) -> ColumnSpec {
    if rng.chance(70) {
        return ColumnSpec::default();
    }
    let col = |rng: &mut Rng| {
        if rng.chance(70) {
            Column::Index(rng.below(8))
        } else {
            Column::Name(
                rng.pick(&["x", "y", "value", "v", "pt.a", "dec", "f16", "u64"])
                    .to_string(),
            )
        }
    };
    ColumnSpec {
        x: rng.chance(80).then(|| col(rng)),
        y: rng.chance(80).then(|| col(rng)),
        value: rng.chance(50).then(|| col(rng)),
        more: (0..rng.below(4)).map(|_| col(rng)).collect(),
        labels: None,
        view: None,
        skip_bad: None,
    }
}

/// Why a loaded file breaks the loader's promise, if it does.
fn untrustworthy(l: &crate::io::Loaded) -> Option<String> {
    let n = l.x().len();
    if l.y().len() != n {
        return Some(format!("{n} x but {} y", l.y().len()));
    }
    for (name, v) in l
        .value
        .iter()
        .map(|v| ("value", v))
        .chain(l.more.iter().map(|(n, v)| (n.as_str(), v)))
    {
        if v.len() != n {
            return Some(format!("{n} points but {} values in {name}", v.len()));
        }
        if let Some(i) = v.iter().position(|v| !v.is_finite()) {
            return Some(format!("{name} {i} is {}", v[i]));
        }
    }
    let bad = (0..n).find(|&i| !(l.x()[i].is_finite() && l.y()[i].is_finite()));
    bad.map(|i| format!("point {i} is ({}, {})", l.x()[i], l.y()[i]))
}

#[derive(Default)]
struct Report {
    ok: usize,
    err: usize,
    /// Panics caught inside the parquet loader, by location.
    caught: BTreeMap<String, usize>,
    failures: Vec<String>,
}

fn fuzz(
    name: &str,
    ext: &str,
    format: Format,
    seeds: Vec<(String, Vec<u8>)>,
    structured: fn(&mut Rng, &mut Vec<u8>),
) {
    install_hook();
    let dir = super::common::tmp_dir().join("fuzz-loaders");
    std::fs::create_dir_all(&dir).unwrap();
    let current = dir.join(format!("{name}-current.{ext}"));

    // The seeds themselves must load.
    for (seed_name, bytes) in &seeds {
        std::fs::write(&current, bytes).unwrap();
        if let Err(e) = load(&current, Some(format), &ColumnSpec::default(), None) {
            panic!("{name} seed '{seed_name}' does not load: {e}");
        }
    }

    let mut report = Report::default();
    // Unrelated ranges of case seeds for each format and each FUZZ_SEED.
    let name_hash = name
        .bytes()
        .fold(0u64, |h, c| h.wrapping_mul(31) + c as u64);
    let base = Rng::new(base_seed() ^ name_hash).next();
    let n = cases();
    for case in 0..n {
        let case_seed = base.wrapping_add(case);
        let mut rng = Rng::new(case_seed);
        let s = rng.below(seeds.len());
        let (seed_name, seed) = &seeds[s];
        let other = &seeds[rng.below(seeds.len())].1;
        let mut bytes = seed.clone();
        let steps = 1 + rng.below(4);
        for _ in 0..steps {
            if rng.chance(40) {
                structured(&mut rng, &mut bytes);
            } else {
                mutate_blind(&mut rng, &mut bytes, other);
            }
        }
        let spec = random_spec(&mut rng);
        std::fs::write(&current, &bytes).unwrap();

        PANICS.with(|p| p.borrow_mut().clear());
        LOADING.set(true);
        let result = catch_unwind(AssertUnwindSafe(|| {
            load(&current, Some(format), &spec, None)
        }));
        LOADING.set(false);
        let panics = PANICS.with(|p| std::mem::take(&mut *p.borrow_mut()));
        let describe = || {
            let keep = dir.join(format!("{name}-panic-{case_seed}.{ext}"));
            let _ = std::fs::write(&keep, &bytes);
            format!(
                "{name}: case {case} (FUZZ_SEED={} seed {case_seed}), seed file '{seed_name}', \
                 {steps} mutation(s), columns {spec:?}: input kept at {}; panics: {panics:?}",
                base_seed(),
                keep.display()
            )
        };
        match result {
            Err(_) => report.failures.push(describe()),
            Ok(r) => {
                if panics.iter().any(|(loc, _)| !in_dependency(loc)) {
                    // Caught by the loader, but raised by code outside the
                    // parquet crate: a bug to fix, not to hide.
                    report.failures.push(describe());
                } else {
                    for (loc, msg) in &panics {
                        // "parquet-60.1.0/src/...": the crate and file.
                        let short = loc
                            .rsplit_once("/registry/src/")
                            .map_or(loc.as_str(), |(_, l)| l);
                        let short = short.split_once('/').map_or(short, |(_, l)| l);
                        *report.caught.entry(format!("{short}: {msg}")).or_default() += 1;
                    }
                }
                match r {
                    Ok(loaded) => {
                        report.ok += 1;
                        // What loads is what the renderer may trust: one x,
                        // one y (and one value) per point, all finite.
                        if let Some(problem) = untrustworthy(&loaded) {
                            report.failures.push(format!("{}: {problem}", describe()));
                        }
                    }
                    Err(e) => {
                        report.err += 1;
                        // Every error names the file.
                        let msg = e.to_string();
                        if !msg.contains(current.file_name().unwrap().to_str().unwrap()) {
                            report.failures.push(format!(
                                "{name}: case {case}: error without the file name: {msg}"
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "{name}: {n} mutants of {} seeds: {} loaded, {} errors, {} panics caught in the parquet loader",
        seeds.len(),
        report.ok,
        report.err,
        report.caught.values().sum::<usize>()
    );
    for (what, count) in &report.caught {
        eprintln!("  {count:5} x {what}");
    }
    if !report.failures.is_empty() {
        panic!(
            "{} of {n} {name} mutants panicked or misbehaved:\n{}",
            report.failures.len(),
            report.failures[..report.failures.len().min(20)].join("\n")
        );
    }
}

#[test]
fn fuzz_npy() {
    fuzz("npy", "npy", Format::Npy, npy_seeds(), mutate_npy);
}

#[test]
fn fuzz_csv() {
    fuzz("csv", "csv", Format::Csv, csv_seeds(), mutate_csv);
}

#[test]
fn fuzz_raw() {
    // Raw files have no structure beyond their size and bit patterns.
    fn nan_or_size(rng: &mut Rng, b: &mut Vec<u8>) {
        if rng.chance(50) && b.len() >= 4 {
            let at = rng.below(b.len() / 4) * 4;
            let v = rng.pick(&[
                f32::NAN,
                f32::INFINITY,
                -f32::INFINITY,
                f32::MAX,
                f32::MIN_POSITIVE,
            ]);
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        } else {
            let n = rng.below(13);
            b.extend((0..n).map(|_| rng.next() as u8));
        }
    }
    fuzz(
        "raw",
        "f32xyv",
        Format::Raw(RawLayout::F32Xyv),
        raw_seeds(),
        nan_or_size,
    );
}

#[test]
fn fuzz_parquet() {
    fuzz(
        "parquet",
        "parquet",
        Format::Parquet,
        parquet_seeds(),
        mutate_parquet,
    );
}
