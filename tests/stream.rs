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

/// A Parquet file of x, y (double) and v (float) rows, one row group.
fn write_rows(path: &Path, x: &[f64], y: &[f64], v: &[f32]) {
    let schema = Arc::new(
        parse_message_type("message s { required double x; required double y; required float v; }")
            .unwrap(),
    );
    let file = std::fs::File::create(path).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut rg = w.next_row_group().unwrap();
    let mut c = 0;
    while let Some(mut col) = rg.next_column().unwrap() {
        match (c, col.untyped()) {
            (0, ColumnWriter::DoubleColumnWriter(w)) => w.write_batch(x, None, None).unwrap(),
            (1, ColumnWriter::DoubleColumnWriter(w)) => w.write_batch(y, None, None).unwrap(),
            (2, ColumnWriter::FloatColumnWriter(w)) => w.write_batch(v, None, None).unwrap(),
            _ => panic!("unexpected column {c}"),
        };
        col.close().unwrap();
        c += 1;
    }
    rg.close().unwrap();
    w.close().unwrap();
}

#[test]
fn without_a_view_the_footers_statistics_give_the_bounds_in_one_pass() {
    let dir = scratch("footer");
    write_dataset(&dir, 4, 3000);
    let options = LoadOptions {
        columns: vec!["v".into(), "part".into()],
        ..Default::default()
    };
    let points = Points::load(&dir, &options).unwrap();
    let mut ctx = Context::cpu();
    let (x, y) = Points::footer_ranges(&dir, &options).expect("statistics in every row group");
    assert_eq!(Some(x), points.x_range());
    assert_eq!(Some(y), points.y_range());
    for agg in [Agg::Count, Agg::Mean] {
        let figure = Figure {
            width: 300,
            height: 200,
            mode: Mode::Density,
            agg,
            value: Value::expr("v * part + x"),
            ..Figure::default()
        };
        let s = stream_density(&dir, &options, &figure).unwrap();
        // No bounds pass: one to bin (and one for a mean's range).
        assert_eq!(s.passes, 1 + (agg == Agg::Mean) as usize, "{agg:?}");
        // In memory the view is fitted to the points: the same grid.
        let memory = Figure {
            backend: Backend::Cpu,
            ..figure.clone()
        };
        let frame = ctx.render_frame(&points, &memory).unwrap();
        assert_same(
            &s.grid,
            &frame.grid.unwrap(),
            &format!("footer bounds, {agg:?}"),
        );
    }

    // The row at x = 10 has no value, so no point: the footers span more
    // than the points kept, and the run is made again on the points' bounds.
    let file = dir.join("skipped-extreme.parquet");
    write_rows(
        &file,
        &[0.0, 1.0, 2.0, 10.0],
        &[0.0, 3.0, 1.0, 2.0],
        &[1.0, 2.0, 3.0, f32::NAN],
    );
    let options = LoadOptions {
        value: Some("v".into()),
        ..Default::default()
    };
    assert_eq!(
        Points::footer_ranges(&file, &options),
        Some(((0.0, 10.0), (0.0, 3.0)))
    );
    let points = Points::load(&file, &options).unwrap();
    assert_eq!(points.x_range(), Some((0.0, 2.0)));
    let figure = Figure {
        width: 200,
        height: 150,
        mode: Mode::Density,
        ..Figure::default()
    };
    let s = stream_density(&file, &options, &figure).unwrap();
    assert_eq!(
        s.passes, 3,
        "a run on the footers, then a bounds pass and a run"
    );
    let memory = Figure {
        backend: Backend::Cpu,
        ..figure.clone()
    };
    let frame = ctx.render_frame(&points, &memory).unwrap();
    assert_same(&s.grid, &frame.grid.unwrap(), "after the footers");
    // A float column without statistics, or a CSV file: no footer bounds.
    let csv = dir.join("points.csv");
    std::fs::write(&csv, "x,y\n0,0\n1,1\n").unwrap();
    assert_eq!(Points::footer_ranges(&csv, &LoadOptions::default()), None);
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
    // --skip-bad-files: the picture of the other files, and the bad one named.
    let o = bin()
        .args(["render", "--input"])
        .arg(&dir)
        .args([
            "--mode",
            "density",
            "--memory",
            "1k",
            "--skip-bad-files",
            "--output",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // Both of its row groups are corrupt: each is named.
    assert!(
        err.contains("--skip-bad-files left out 2 bad files or row groups")
            && err.contains("broken.parquet is not a valid Parquet file: row group 0")
            && err.contains("row group 1"),
        "{err}"
    );
    assert!(out.exists());
}

/// Overwrite the start of row group `g`'s x column chunk of the Parquet
/// file at `path` with garbage: its page header no longer decodes.
fn corrupt_row_group(path: &Path, g: usize) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let chunk = reader.metadata().row_group(g).column(0).clone();
    let start = chunk
        .dictionary_page_offset()
        .unwrap_or(chunk.data_page_offset()) as usize;
    let mut bytes = std::fs::read(path).unwrap();
    bytes[start..start + 64].fill(0xff);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn skip_bad_files_leaves_out_a_corrupt_file_and_a_corrupt_row_group() {
    let dir = scratch("skip");
    let data = dir.join("data");
    write_dataset(&data, 3, 2000);
    let figure = Figure {
        width: 200,
        height: 150,
        mode: Mode::Density,
        x_range: Some((0.0, 3.0)),
        y_range: Some((-1.0, 4.0)),
        ..Figure::default()
    };
    let plain = LoadOptions::default();
    let good = stream_density(&data, &plain, &figure).unwrap();
    let good_points = Points::load(&data, &plain).unwrap().len();
    // A corrupt file joins the dataset: an error naming it, unless skipped.
    let corrupt = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corrupt.parquet");
    std::fs::create_dir_all(data.join("part=4")).unwrap();
    std::fs::copy(&corrupt, data.join("part=4/broken.parquet")).unwrap();
    let e = stream_density(&data, &plain, &figure)
        .unwrap_err()
        .to_string();
    assert!(e.contains("broken.parquet"), "{e}");
    let bad = Arc::new(pointillist::BadFiles::default());
    let skipping = LoadOptions {
        skip_bad_files: Some(bad.clone()),
        ..Default::default()
    };
    let s = stream_density(&data, &skipping, &figure).unwrap();
    assert_same(&s.grid, &good.grid, "streamed, the bad file skipped");
    assert_eq!(s.points, good.points);
    // The file's footer reads; both its row groups are corrupt.
    let lines = bad.lines();
    assert!(
        lines.len() == 2 && lines.iter().all(|l| l.contains("broken.parquet")),
        "{lines:?}"
    );
    assert_eq!(Points::load(&data, &skipping).unwrap().len(), good_points);

    // A corrupt row group in the middle of a file: an error naming the file and
    // the group; skipped, every other group's rows are read.
    let file = dir.join("groups.parquet");
    write_file(&file, 4, 2000, 9);
    let all = Points::load(&file, &plain).unwrap().len();
    let group_2 = LoadOptions {
        view: Some([2.0, 2.99, -10.0, 10.0]),
        ..Default::default()
    };
    let in_group_2 = Points::load(&file, &group_2).unwrap();
    assert_eq!(in_group_2.row_groups(), (1, 3));
    corrupt_row_group(&file, 2);
    let e = Points::load(&file, &plain).unwrap_err().to_string();
    assert!(
        e.contains("groups.parquet") && e.contains("row group 2"),
        "{e}"
    );
    let bad = Arc::new(pointillist::BadFiles::default());
    let skipping = LoadOptions {
        skip_bad_files: Some(bad.clone()),
        ..Default::default()
    };
    let kept = Points::load(&file, &skipping).unwrap();
    assert_eq!(kept.len(), all - in_group_2.len());
    assert_eq!(kept.row_groups().0, 3);
    let lines = bad.lines();
    assert!(
        lines.len() == 1 && lines[0].contains("row group 2"),
        "{lines:?}"
    );
    // Streamed, by every thread: the same rows, the group noted once.
    let bad = Arc::new(pointillist::BadFiles::default());
    let skipping = LoadOptions {
        skip_bad_files: Some(bad.clone()),
        ..Default::default()
    };
    let s = stream_density(
        &file,
        &skipping,
        &Figure {
            x_range: None,
            ..figure
        },
    )
    .unwrap();
    assert_eq!(s.points, kept.len() as u64);
    assert_eq!(bad.lines().len(), 1, "{:?}", bad.lines());
}

/// A .npy file of `rows` float32 rows (x, y, v) and the same records as a raw
/// `.f32xyv` file beside it; x in [0, 4), y in [0, 3), v from both.
fn write_arrays(npy: &Path, raw: &Path, rows: usize) {
    let mut data = Vec::with_capacity(rows * 12);
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    for _ in 0..rows {
        let (x, y) = (next() * 4.0, next() * 3.0);
        for v in [x, y, x * y - 2.0] {
            data.extend(v.to_le_bytes());
        }
    }
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, 3), }}");
    let mut header = dict.into_bytes();
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut file = b"\x93NUMPY\x01\x00".to_vec();
    file.extend((header.len() as u16).to_le_bytes());
    file.extend(header);
    file.extend(&data);
    std::fs::write(npy, file).unwrap();
    std::fs::write(raw, data).unwrap();
}

#[test]
fn npy_and_raw_files_stream_a_slice_at_a_time_to_the_in_memory_grid() {
    let dir = scratch("arrays");
    let (npy, raw) = (dir.join("p.npy"), dir.join("p.f32xyv"));
    // Four slices and a part of one: every thread takes two or more.
    write_arrays(&npy, &raw, 4 * (1 << 20) + 12345);
    let mut ctx = Context::cpu();
    for path in [&npy, &raw] {
        let options = LoadOptions::default();
        assert_eq!(
            Points::streamable_rows(path, None),
            Some(4 * (1 << 20) + 12345)
        );
        let points = Points::load(path, &options).unwrap();
        for (agg, value) in [
            (Agg::Count, Value::Auto),
            (Agg::Mean, Value::expr("data * x")),
        ] {
            let figure = Figure {
                width: 320,
                height: 200,
                mode: Mode::Density,
                agg,
                value,
                ..Figure::default()
            };
            let s = stream_density(path, &options, &figure).unwrap();
            assert_eq!(s.points, points.len() as u64);
            let memory = Figure {
                backend: Backend::Cpu,
                x_range: s.figure.x_range,
                y_range: s.figure.y_range,
                ..figure.clone()
            };
            let want = ctx.render_frame(&points, &memory).unwrap().grid.unwrap();
            assert_same(&s.grid, &want, &format!("{} {agg:?}", path.display()));
        }
    }
    // render streams a .npy over --memory: the picture it draws in memory,
    // in memory that stays flat while the file grows fourfold.
    let out = scratch("arrays-out");
    let (small, err) = render_peak(&npy, "1k", &out.join("small.png"));
    assert!(
        err.contains("streaming") && err.contains("read 4,206,649"),
        "{err}"
    );
    let big = dir.join("big.npy");
    write_arrays(&big, &dir.join("big.f32xyv"), 4 * 4 * (1 << 20));
    let (streamed, err) = render_peak(&big, "1k", &out.join("s.png"));
    assert!(
        err.contains("streaming") && err.contains("read 16,777,216"),
        "{err}"
    );
    let (memory, err) = render_peak(&big, "64G", &out.join("m.png"));
    assert!(!err.contains("streaming"), "{err}");
    eprintln!(
        "peak memory of a .npy: streamed {small} MB (4.2M points), {streamed} MB (16.8M); in memory {memory} MB (16.8M)"
    );
    assert!(
        streamed <= small + small / 5 + 4,
        "streamed peak grew from {small} to {streamed} MB with 4x the points"
    );
    assert!(
        streamed + 150 < memory,
        "streamed {streamed} MB, in memory {memory} MB"
    );
    let a = pointillist::Image::open_png(out.join("s.png")).unwrap();
    let b = pointillist::Image::open_png(out.join("m.png")).unwrap();
    common::assert_images_equal("streamed-npy", &a, &b);
}

#[test]
fn a_watched_stream_shows_its_grid_so_far_and_stops_when_asked() {
    let dir = scratch("watched");
    write_dataset(&dir, 40, 20_000); // 2.4M points in 120 row groups
    let figure = Figure {
        width: 300,
        height: 200,
        mode: Mode::Density,
        x_range: Some((0.0, 40.0)),
        y_range: Some((-1.0, 4.0)),
        ..Figure::default()
    };
    let options = LoadOptions::default();
    let plain = stream_density(&dir, &options, &figure).unwrap();
    // Watched: grids so far come (a growing count of points), and the
    // finished grid is the plain one.
    let watch = pointillist::Watch::default();
    let shown = std::sync::Mutex::new(Vec::new());
    let wake = || {
        if let Some((grid, points)) = watch.take() {
            let total: u64 = match &grid.data {
                pointillist::GridData::Counts(c) => c.iter().map(|&c| c as u64).sum(),
                pointillist::GridData::Values(_) => unreachable!("counts"),
            };
            shown.lock().unwrap().push((points, total));
        }
        // Slow enough that some grids so far are shown.
        std::thread::sleep(std::time::Duration::from_millis(30));
    };
    let watched =
        pointillist::stream_density_watched(&dir, &options, &figure, Some((&watch, &wake)))
            .unwrap();
    assert_same(&watched.grid, &plain.grid, "watched");
    assert_eq!(watched.points, plain.points);
    let shown = shown.into_inner().unwrap();
    assert!(!shown.is_empty(), "no grid so far was shown");
    // Each shows more of the points, and never more than the finished grid.
    let all: u64 = match &plain.grid.data {
        pointillist::GridData::Counts(c) => c.iter().map(|&c| c as u64).sum(),
        pointillist::GridData::Values(_) => unreachable!("counts"),
    };
    for w in shown.windows(2) {
        assert!(w[0].0 <= w[1].0 && w[0].1 <= w[1].1, "{shown:?}");
    }
    for &(points, total) in &shown {
        assert!(points > 0 && points < plain.points, "{shown:?}");
        // Handed in after binning: its points are in the grid but those outside the view.
        assert!(
            total > 0 && total < all && total <= points,
            "{shown:?} of {all}"
        );
    }
    // Stopped: an error that says so.
    let watch = pointillist::Watch::default();
    watch.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let e = pointillist::stream_density_watched(&dir, &options, &figure, Some((&watch, &|| ())))
        .unwrap_err();
    assert!(matches!(e, pointillist::Error::Stopped), "{e}");
}

#[test]
fn the_viewer_streams_a_dataset_beyond_memory_refining_each_view() {
    use common::window::{on_path, Session};
    if common::gpu().is_none() {
        return;
    }
    if !on_path("Xvfb") || !on_path("xdotool") {
        assert!(!common::ci(), "CI=true and Xvfb or xdotool not installed");
        return;
    }
    let dir = scratch("view");
    let data = dir.join("data");
    write_dataset(&data, 40, 100_000); // 12M points
    let args: Vec<String> = ["--input", data.to_str().unwrap(), "--memory", "1k"]
        .iter()
        .chain(&["--width", "640", "--height", "480"])
        .map(|s| s.to_string())
        .collect();
    let s = Session::open(&dir, &args);
    // Titles until one other than `before` says the view is streamed, and
    // whether one said refining.
    let watch_titles = |what: &str, before: &str| -> (bool, String) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let mut refining = false;
        loop {
            let title = s.x.xdotool(&["getwindowname", &s.wid]);
            refining |= title.contains("refining");
            if title.contains("streamed") && title != before {
                return (refining, title);
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{what}: not streamed in 2 minutes; title {title:?}; viewer said:\n{}",
                s.log()
            );
        }
    };
    let (_, home) = watch_titles("home view", "");
    assert!(home.contains("streamed 11,87"), "{home}");
    // A zoom: the view is aggregated again, a picture so far first.
    s.x.xdotool(&["mousemove", "--window", &s.wid, "250", "200"]);
    s.x.xdotool(&["click", "--repeat", "3", "4"]);
    let (_, title) = watch_titles("zoomed", &home);
    // The viewer's line for the zoomed view: a picture so far was drawn
    // before the finished one (the title's "refining" may come and go
    // between two looks at it).
    let log = s.log();
    let line = log
        .lines()
        .rev()
        .find(|l| l.starts_with("view streamed:"))
        .unwrap_or_else(|| panic!("no line for the zoomed view ({title}):\n{log}"));
    let before: u32 = line
        .split(", ")
        .nth(1)
        .and_then(|p| p.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        before >= 1,
        "the zoomed view showed no picture before the last: {line}"
    );
    // The finished view is render's picture of the same view.
    let (shot, flags) = s.save();
    let out = dir.join("render.png");
    let o = bin()
        .args(["render", "--input"])
        .arg(&data)
        .args(["--memory", "1k", "--output"])
        .arg(&out)
        .args(&flags)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && err.contains("streaming"), "{err}");
    let window = pointillist::Image::open_png(&shot).unwrap();
    let render = pointillist::Image::open_png(&out).unwrap();
    common::assert_frames_agree("streamed-view", &window, &render);
    let log = s.log();
    assert!(!log.contains("panicked"), "{log}");
    s.quit();
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
