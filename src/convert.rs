//! `convert`: any input into one Parquet file in spatial order, so that a
//! zoomed-in view reads only the row groups it shows. Streaming with bounded
//! memory: a pass finds the bounds, a second routes every point into one of
//! 256 temporary bucket files by the top bits of its Morton key (a 16 x 16
//! grid of the bounds, in curve order), and each bucket — about 1/256 of the
//! data — is then sorted along the curve of a 4096 x 4096 grid (as
//! `--order morton`) and written as row groups of a few thousand rows with
//! their statistics (min/max of x and y), snappy-compressed. The output is
//! written beside its name and renamed when complete; nothing is overwritten.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use glam::DVec2;
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::data::{LoadOptions, Points};
use crate::error::{input, Error, Result};
use crate::points::{morton, Bounds};

/// Rows per row group of the output by default.
pub const ROW_GROUP: usize = 8192;

const _: () = assert!(ROW_GROUP > 0);
/// Buckets of the first, coarse sort (a 16 x 16 grid).
const BUCKETS: usize = 256;

/// What a conversion wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// Points written.
    pub points: u64,
    /// Row groups written.
    pub row_groups: usize,
    /// The output's size in bytes.
    pub bytes: u64,
    /// The columns written: x, y, then the values.
    pub columns: Vec<String>,
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    input(format!("{}: {e}", path.display()))
}

/// The 24-bit Morton key of `p` in `bounds` (as `PointSet::sort_morton`).
fn key(p: [f64; 2], lo: DVec2, scale: DVec2) -> u32 {
    let q = ((DVec2::from_array(p) - lo) * scale).clamp(DVec2::ZERO, DVec2::splat(65535.0));
    morton(q.x as u32 >> 4, q.y as u32 >> 4)
}

/// Convert the points at `input` (loaded as `options` says: x, y and the
/// value columns asked for) into the Parquet file `output`, in Morton order,
/// `row_group` rows a group.
pub fn convert(
    input_path: &Path,
    options: &LoadOptions,
    output: &Path,
    row_group: usize,
) -> Result<Converted> {
    if output.exists() {
        return Err(input(format!(
            "{} exists: convert writes a new file and never overwrites one",
            output.display()
        )));
    }
    let ext = output.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext.to_ascii_lowercase().as_str(), "parquet" | "pq") {
        return Err(input(format!(
            "{}: the output of convert is a Parquet file (.parquet or .pq)",
            output.display()
        )));
    }
    if row_group == 0 {
        return Err(input("row groups of 0 rows: give at least 1"));
    }
    // Pass 1: the bounds, and the columns' names.
    let (bounds, _) = crate::stream::pass(
        input_path,
        options,
        || Bounds::EMPTY,
        |b, p| {
            *b = b.union(p.set.bounds);
            Ok(())
        },
        |_| Ok(()),
        |a, b| *a = a.union(b),
    )?;
    let (lo, size) = (bounds.min, bounds.size());
    let scale = DVec2::new(
        if size.x > 0.0 { 65535.0 / size.x } else { 0.0 },
        if size.y > 0.0 { 65535.0 / size.y } else { 0.0 },
    );
    let partial = with_suffix(output, ".partial");
    let scratch = with_suffix(output, ".buckets");
    fs::create_dir(&scratch).map_err(|e| io_error(&scratch, e))?;
    let result = (|| {
        let (names, buckets) = route(input_path, options, &scratch, lo, scale)?;
        write(&partial, &names, &buckets, lo, scale, row_group)
    })();
    let _ = fs::remove_dir_all(&scratch);
    let mut done = match result {
        Ok(d) => d,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    if output.exists() {
        let _ = fs::remove_file(&partial);
        return Err(input(format!(
            "{} appeared while converting: left as it is",
            output.display()
        )));
    }
    fs::rename(&partial, output).map_err(|e| io_error(output, e))?;
    done.bytes = fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    Ok(done)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A bucket file's records: x, y as f64, then each value column as f32.
struct Bucket {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
}

/// Pass 2: every point appended to the bucket of its key's top 8 bits.
/// Returns the column names (x, y, values) and the buckets.
fn route(
    path: &Path,
    options: &LoadOptions,
    scratch: &Path,
    lo: DVec2,
    scale: DVec2,
) -> Result<(Vec<String>, Vec<Bucket>)> {
    let mut buckets: Vec<Bucket> = (0..BUCKETS)
        .map(|b| Bucket {
            path: scratch.join(format!("{b:03}.bin")),
            writer: None,
        })
        .collect();
    let mut names: Option<Vec<String>> = None;
    Points::stream(path, options, |p| {
        let these: Vec<String> = [p.set.x_name.clone(), p.set.y_name.clone()]
            .into_iter()
            .chain(p.columns.iter().map(|(n, _)| n.clone()))
            .collect();
        match &names {
            None => names = Some(these),
            Some(n) if *n != these => {
                return Err(input(format!(
                    "{}: the batches' columns differ",
                    path.display()
                )))
            }
            Some(_) => {}
        }
        let cols: Vec<&Arc<Vec<f32>>> = p.columns.iter().map(|(_, c)| c).collect();
        for (i, xy) in p.set.xy.iter().enumerate() {
            let b = &mut buckets[(key(*xy, lo, scale) >> 16) as usize];
            if b.writer.is_none() {
                let f = File::create_new(&b.path).map_err(|e| io_error(&b.path, e))?;
                b.writer = Some(BufWriter::with_capacity(1 << 16, f));
            }
            let w = b.writer.as_mut().expect("made above");
            let mut rec = Vec::with_capacity(16 + 4 * cols.len());
            rec.extend_from_slice(&xy[0].to_le_bytes());
            rec.extend_from_slice(&xy[1].to_le_bytes());
            for c in &cols {
                rec.extend_from_slice(&c[i].to_le_bytes());
            }
            w.write_all(&rec).map_err(|e| io_error(&b.path, e))?;
        }
        Ok(())
    })?;
    for b in &mut buckets {
        if let Some(mut w) = b.writer.take() {
            w.flush().map_err(|e| io_error(&b.path, e))?;
        }
    }
    Ok((
        names.unwrap_or_else(|| vec!["x".into(), "y".into()]),
        buckets,
    ))
}

/// Pass 3: each bucket read back, sorted along the curve, written as row groups.
fn write(
    output: &Path,
    names: &[String],
    buckets: &[Bucket],
    lo: DVec2,
    scale: DVec2,
    row_group: usize,
) -> Result<Converted> {
    let field = |name: &str, physical| {
        Type::primitive_type_builder(name, physical)
            .with_repetition(parquet::basic::Repetition::REQUIRED)
            .build()
            .map(Arc::new)
    };
    let parquet_error =
        |e: parquet::errors::ParquetError| input(format!("{}: {e}", output.display()));
    let mut fields = vec![
        field(&names[0], parquet::basic::Type::DOUBLE).map_err(parquet_error)?,
        field(&names[1], parquet::basic::Type::DOUBLE).map_err(parquet_error)?,
    ];
    for n in &names[2..] {
        fields.push(field(n, parquet::basic::Type::FLOAT).map_err(parquet_error)?);
    }
    let schema = Arc::new(
        Type::group_type_builder("points")
            .with_fields(fields)
            .build()
            .map_err(parquet_error)?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let file = File::create_new(output).map_err(|e| io_error(output, e))?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(parquet_error)?;
    let values = names.len() - 2;
    let record = 16 + 4 * values;
    let (mut points, mut groups) = (0u64, 0usize);
    // Sorted rows waiting for a full row group (groups run across buckets).
    let mut pending: Vec<Vec<f64>> = vec![Vec::new(); 2];
    let mut pending_values: Vec<Vec<f32>> = vec![Vec::new(); values];
    let mut flush = |xy: &mut Vec<Vec<f64>>, vals: &mut Vec<Vec<f32>>, rows: usize| -> Result<()> {
        let mut rg = writer.next_row_group().map_err(parquet_error)?;
        let mut c = 0;
        while let Some(mut col) = rg.next_column().map_err(parquet_error)? {
            match col.untyped() {
                ColumnWriter::DoubleColumnWriter(w) => {
                    w.write_batch(&xy[c][..rows], None, None)
                        .map_err(parquet_error)?;
                }
                ColumnWriter::FloatColumnWriter(w) => {
                    w.write_batch(&vals[c - 2][..rows], None, None)
                        .map_err(parquet_error)?;
                }
                _ => unreachable!("the schema has doubles and floats"),
            }
            col.close().map_err(parquet_error)?;
            c += 1;
        }
        rg.close().map_err(parquet_error)?;
        for v in xy.iter_mut() {
            v.drain(..rows);
        }
        for v in vals.iter_mut() {
            v.drain(..rows);
        }
        groups += 1;
        Ok(())
    };
    for b in buckets {
        let Ok(f) = File::open(&b.path) else { continue };
        let mut bytes = Vec::new();
        BufReader::new(f)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&b.path, e))?;
        let n = bytes.len() / record;
        let f64_at = |r: usize, k: usize| {
            f64::from_le_bytes(
                bytes[r * record + 8 * k..][..8]
                    .try_into()
                    .expect("8 bytes"),
            )
        };
        let f32_at = |r: usize, c: usize| {
            f32::from_le_bytes(
                bytes[r * record + 16 + 4 * c..][..4]
                    .try_into()
                    .expect("4 bytes"),
            )
        };
        let keys: Vec<u32> = (0..n)
            .map(|r| key([f64_at(r, 0), f64_at(r, 1)], lo, scale))
            .collect();
        for &r in &crate::sort::order_by_key(keys, 24) {
            let r = r as usize;
            pending[0].push(f64_at(r, 0));
            pending[1].push(f64_at(r, 1));
            for (c, v) in pending_values.iter_mut().enumerate() {
                v.push(f32_at(r, c));
            }
            if pending[0].len() == row_group {
                flush(&mut pending, &mut pending_values, row_group)?;
            }
        }
        points += n as u64;
    }
    let rest = pending[0].len();
    if rest > 0 {
        flush(&mut pending, &mut pending_values, rest)?;
    }
    writer.close().map_err(parquet_error)?;
    Ok(Converted {
        points,
        row_groups: groups,
        bytes: 0,
        columns: names.to_vec(),
    })
}
