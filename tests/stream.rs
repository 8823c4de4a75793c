//! Streamed density frames (`pointillist::stream_density`, and `render` of a
//! Parquet input over `--memory`): the grid equals the in-memory CPU
//! backend's cell for cell for every aggregate, with row-group pruning on and
//! off; the peak memory stays flat while the dataset grows tenfold; bad
//! files are one-line errors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use parquet::column::writer::ColumnWriter;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use pointillist::{
    stream_density, Agg, Backend, Context, Figure, LoadOptions, Mode, Points, Value,
};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("stream")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Parquet file of x, y (double) and v (float), `groups` row groups of
/// `rows` rows; group g lies in x in [g, g + 1) (so a view can skip groups),
/// y and v from a seeded generator; every 97th v is NaN (a skipped row).
fn write_file(path: &Path, groups: usize, rows: usize, seed: u64) {
    let schema = Arc::new(
        parse_message_type("message s { required double x; required double y; required float v; }")
            .unwrap(),
    );
    let file = std::fs::File::create(path).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for g in 0..groups {
        let mut x = Vec::with_capacity(rows);
        let mut y = Vec::with_capacity(rows);
        let mut v = Vec::with_capacity(rows);
        for i in 0..rows {
            let u = next();
            x.push(g as f64 + u * u);
            y.push(next() * 3.0 + (u * 7.0).sin());
            v.push(if i % 97 == 5 {
                f32::NAN
            } else {
                (next() * 40.0 - 10.0) as f32
            });
        }
        let mut rg = w.next_row_group().unwrap();
        let mut c = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            match (c, col.untyped()) {
                (0, ColumnWriter::DoubleColumnWriter(w)) => {
                    w.write_batch(&x, None, None).unwrap();
                }
                (1, ColumnWriter::DoubleColumnWriter(w)) => {
                    w.write_batch(&y, None, None).unwrap();
                }
                (2, ColumnWriter::FloatColumnWriter(w)) => {
                    w.write_batch(&v, None, None).unwrap();
                }
                _ => panic!("unexpected column {c}"),
            }
            col.close().unwrap();
            c += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}

/// A hive dataset: `part=1/`, `part=2/`, `part=3/`, one file each.
fn write_dataset(dir: &Path, groups: usize, rows: usize) {
    for part in 1..=3 {
        let folder = dir.join(format!("part={part}"));
        std::fs::create_dir_all(&folder).unwrap();
        write_file(&folder.join("data.parquet"), groups, rows, part);
    }
    std::fs::write(dir.join("_SUCCESS"), b"").unwrap();
}

/// The same grid, cell for cell (values compared by their bits: NaN is an
/// empty cell); on failure the first cells that differ.
fn assert_same(a: &pointillist::Grid, b: &pointillist::Grid, what: &str) {
    use pointillist::GridData::{Counts, Values};
    assert_eq!(
        (a.width, a.height, a.agg),
        (b.width, b.height, b.agg),
        "{what}"
    );
    let bits = |g: &pointillist::Grid| -> Vec<u32> {
        match &g.data {
            Counts(c) => c.clone(),
            Values(v) => v.iter().map(|x| x.to_bits()).collect(),
        }
    };
    let (x, y) = (bits(a), bits(b));
    let differ: Vec<(usize, u32, u32)> = x
        .iter()
        .zip(&y)
        .enumerate()
        .filter(|(_, (p, q))| p != q)
        .map(|(i, (p, q))| (i, *p, *q))
        .take(5)
        .collect();
    assert!(
        differ.is_empty(),
        "{what}: cells (index, streamed bits, in memory bits) {differ:?}"
    );
}

#[test]
fn a_streamed_grid_equals_the_in_memory_grid_for_every_aggregate() {
    let dir = scratch("equal");
    write_dataset(&dir, 4, 3000);
    let options = LoadOptions {
        columns: vec!["v".into(), "part".into()],
        ..Default::default()
    };
    let points = Points::load(&dir, &options).unwrap();
    let mut ctx = Context::cpu();
    let mut pruned = 0;
    for agg in [Agg::Count, Agg::Sum, Agg::Mean, Agg::Min, Agg::Max] {
        for view in [None, Some(((0.2, 1.7), (0.0, 2.5)))] {
            let figure = Figure {
                width: 360,
                height: 240,
                mode: Mode::Density,
                agg,
                value: Value::expr("v * part + x"),
                x_range: view.map(|v| v.0),
                y_range: view.map(|v| v.1),
                ..Figure::default()
            };
            let s = stream_density(&dir, &options, &figure).unwrap();
            let memory = Figure {
                backend: Backend::Cpu,
                x_range: s.figure.x_range,
                y_range: s.figure.y_range,
                ..figure.clone()
            };
            let frame = ctx.render_frame(&points, &memory).unwrap();
            let want = frame.grid.expect("a density grid");
            assert_same(&s.grid, &want, &format!("{agg:?}, view {view:?}"));
            let filled = match &want.data {
                pointillist::GridData::Counts(c) => c.iter().filter(|&&c| c > 0).count(),
                pointillist::GridData::Values(v) => v.iter().filter(|v| !v.is_nan()).count(),
            };
            assert!(filled > 1000, "{agg:?}: only {filled} cells filled");
            // The view skips the row groups beyond x = 2, but never for sums
            // (their steps span every value).
            let (read, skipped) = s.row_groups;
            assert_eq!(read + skipped, 12, "{agg:?}");
            if view.is_some() && !matches!(agg, Agg::Sum | Agg::Mean) {
                assert_eq!(skipped, 6, "{agg:?}: groups skipped");
                pruned += 1;
            } else {
                assert_eq!(skipped, 0, "{agg:?}: groups skipped");
            }
            if view.is_none() {
                assert_eq!(s.points, points.len() as u64);
            }
        }
    }
    assert_eq!(pruned, 3);
    // pyarrow's hive dataset: keys as columns, mass as the value.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dataset");
    let options = LoadOptions {
        columns: vec!["mass".into(), "year".into()],
        ..Default::default()
    };
    let points = Points::load(&fixture, &options).unwrap();
    for agg in [Agg::Count, Agg::Mean] {
        let figure = Figure {
            width: 300,
            height: 200,
            mode: Mode::Density,
            agg,
            value: Value::expr("mass * (year - 2020)"),
            ..Figure::default()
        };
        let s = stream_density(&fixture, &options, &figure).unwrap();
        let memory = Figure {
            backend: Backend::Cpu,
            x_range: s.figure.x_range,
            y_range: s.figure.y_range,
            ..figure
        };
        let want = ctx.render_frame(&points, &memory).unwrap().grid.unwrap();
        assert_same(&s.grid, &want, &format!("fixture {agg:?}"));
    }
}

#[test]
fn streaming_needs_a_density_frame_and_no_row_numbers() {
    let dir = scratch("refused");
    write_dataset(&dir, 1, 100);
    let options = LoadOptions::default();
    for (figure, want) in [
        (
            Figure {
                mode: Mode::Points,
                ..Figure::default()
            },
            "mode points needs the points in memory",
        ),
        (
            Figure {
                mode: Mode::Density,
                value: Value::expr("index * 2"),
                agg: Agg::Max,
                ..Figure::default()
            },
            "index: a streamed frame",
        ),
    ] {
        let e = stream_density(&dir, &options, &figure)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{e}");
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pointillist"))
}

/// Peak memory (MB) and the stderr of `render` of `dir` with `--memory`.
fn render_peak(dir: &Path, memory: &str, out: &Path) -> (u64, String) {
    let o = bin()
        .args(["render", "--input"])
        .arg(dir)
        .args(["--mode", "density", "--memory", memory, "--output"])
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    let peak = err
        .split("peak memory ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in: {err}"));
    (peak, err)
}

#[test]
fn streamed_memory_stays_flat_while_the_dataset_grows_tenfold() {
    let (small, big) = (scratch("small"), scratch("big"));
    // Big enough that every buffer of a stream is full in both: the 16 MB of
    // mapped pages a thread lets go at, and the half million points it bins at.
    write_dataset(&small, 8, 100_000); // 2,400,000 points
    write_dataset(&big, 80, 100_000); // 24,000,000 points
    let out = scratch("out");
    let (s_small, err) = render_peak(&small, "1k", &out.join("small.png"));
    assert!(err.contains("streaming"), "{err}");
    let (s_big, err) = render_peak(&big, "1k", &out.join("big.png"));
    assert!(
        err.contains("streaming") && err.contains("read 23,7"),
        "{err}"
    );
    let (m_big, err) = render_peak(&big, "64G", &out.join("memory.png"));
    assert!(
        !err.contains("streaming") && err.contains("loaded 23,7"),
        "{err}"
    );
    eprintln!(
        "peak memory: streamed {s_small} MB (2.4M), {s_big} MB (24M); in memory {m_big} MB (24M)"
    );
    assert!(
        s_big <= s_small + s_small / 5 + 4,
        "streamed peak grew from {s_small} to {s_big} MB with 10x the points"
    );
    // The bound can fail: the in-memory render of the same points takes more.
    assert!(
        m_big >= s_big + 200,
        "in memory {m_big} MB, streamed {s_big} MB"
    );
    // Both make the same picture.
    let a = pointillist::Image::open_png(out.join("big.png")).unwrap();
    let b = pointillist::Image::open_png(out.join("memory.png")).unwrap();
    common::assert_images_equal("streamed-big", &a, &b);
}

#[test]
fn a_bad_file_in_a_streamed_dataset_is_one_line_naming_it() {
    let dir = scratch("bad");
    write_dataset(&dir, 2, 1000);
    let corrupt = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corrupt.parquet");
    std::fs::create_dir_all(dir.join("part=2b")).unwrap();
    std::fs::copy(&corrupt, dir.join("part=2b/broken.parquet")).unwrap();
    let out = dir.join("out.png");
    let o = bin()
        .args(["render", "--input"])
        .arg(&dir)
        .args(["--mode", "density", "--memory", "1k", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("broken.parquet"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
}

#[test]
fn convert_writes_a_spatial_order_that_draws_the_same_and_reads_less_when_zoomed() {
    let dir = scratch("convert");
    let input = dir.join("in");
    write_dataset(&input, 6, 5000); // 90,000 points less the NaN rows
    let out = dir.join("sorted.parquet");
    let options = LoadOptions {
        columns: vec!["v".into(), "part".into()],
        ..Default::default()
    };
    let done = pointillist::convert(&input, &options, &out, 1000).unwrap();
    let points = Points::load(&input, &options).unwrap();
    assert_eq!(done.points, points.len() as u64);
    assert_eq!(done.row_groups, points.len().div_ceil(1000));
    assert_eq!(done.columns, ["x", "y", "v", "part"]);
    assert!(done.bytes > 0 && done.bytes == std::fs::metadata(&out).unwrap().len());
    // Nothing left beside it.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // The same grids from the converted file, its keys now columns.
    let back = LoadOptions {
        columns: vec!["v".into(), "part".into()],
        ..Default::default()
    };
    let mut reads = vec![];
    for (x, y) in [((0.0, 6.0), (-1.0, 4.0)), ((0.0, 6.0), (1.0, 1.3))] {
        for agg in [Agg::Count, Agg::Max] {
            let figure = Figure {
                width: 300,
                height: 200,
                mode: Mode::Density,
                agg,
                value: Value::expr("v * part"),
                x_range: Some(x),
                y_range: Some(y),
                ..Figure::default()
            };
            let a = stream_density(&input, &options, &figure).unwrap();
            let b = stream_density(&out, &back, &figure).unwrap();
            assert_same(
                &a.grid,
                &b.grid,
                &format!("converted, {agg:?} in {x:?} x {y:?}"),
            );
            reads.push((a.row_groups, b.row_groups));
        }
    }
    // A thin band of y: every group of the input spans all y, few converted ones do.
    let ((read_in, skip_in), (read_out, skip_out)) = reads[2];
    assert_eq!((read_in, skip_in), (18, 0), "the input's groups");
    assert!(
        read_out * 4 < read_out + skip_out,
        "the converted file read {read_out} of {} groups",
        read_out + skip_out
    );
    // Never overwrites.
    let before = std::fs::read(&out).unwrap();
    let e = pointillist::convert(&input, &options, &out, 1000).unwrap_err();
    assert!(e.to_string().contains("exists"), "{e}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
}
