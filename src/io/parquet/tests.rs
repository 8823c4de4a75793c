use std::sync::Arc;

use parquet::data_type::Int64Type;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::super::test_util::*;
use super::super::{load as load_any, Column, Format};
use super::*;

fn spec(x: Option<&str>, y: Option<&str>, value: Option<&str>) -> ColumnSpec {
    ColumnSpec {
        x: x.map(Column::parse),
        y: y.map(Column::parse),
        value: value.map(Column::parse),
        ..Default::default()
    }
}

fn ld(name: &str, s: &ColumnSpec) -> Result<Loaded, LoadError> {
    load_any(&fixture(name), None, s, None)
}

/// `tests/data/points.parquet`: pandas, snappy, x float64, y float32
/// with a null in row 2, value int64, label string.
#[test]
fn pandas_fixture() {
    let got = ld("points.parquet", &ColumnSpec::default()).unwrap();
    assert_eq!(got.x(), [1.5, -2.0, 0.1, 1e10]);
    assert_eq!(got.y(), [10.0, 20.5, -0.25, 7.0]);
    let big = (2i64.pow(53) + 2) as f32;
    assert_eq!(got.value, Some(vec![1.0, -2.0, 4.0, big]));
    assert_eq!(got.names(), ("x", "y", Some("value")));
    assert_eq!(got.skipped, 1);
}

#[test]
fn columns_by_name_and_index() {
    // The value column is the one with the null: that row is still skipped.
    let got = ld("points.parquet", &spec(Some("value"), Some("0"), Some("Y"))).unwrap();
    assert_eq!(got.x(), [1.0, -2.0, 4.0, (2i64.pow(53) + 2) as f64]);
    assert_eq!(got.y(), [1.5, -2.0, 0.1, 1e10]);
    assert_eq!(got.value, Some(vec![10.0, 20.5, -0.25, 7.0]));
    assert_eq!((got.x_name.as_str(), got.y_name.as_str()), ("value", "x"));
    assert_eq!(got.value_name.as_deref(), Some("y"));
    assert_eq!(got.skipped, 1);
    // Chosen by hand: no value column, and no null among these.
    let got = ld("points.parquet", &spec(Some("0"), Some("2"), None)).unwrap();
    assert_eq!(got.x(), [1.5, -2.0, 3.25, 0.1, 1e10]);
    assert_eq!((got.value, got.skipped), (None, 0));
    // The same column twice.
    let got = ld("points.parquet", &spec(Some("x"), Some("x"), None)).unwrap();
    assert_eq!(got.x(), got.y());
}

#[test]
fn unknown_column_lists_the_columns() {
    let path = fixture("points.parquet");
    let r = load_any(&path, None, &spec(Some("lon"), None, None), None);
    let msg = assert_err_names_file(r, &path);
    assert!(
        msg.contains("'lon'") && msg.contains("x, y, value, label"),
        "{msg}"
    );
    let r = load_any(&path, None, &spec(None, Some("4"), None), None);
    let msg = assert_err_names_file(r, &path);
    assert!(
        msg.contains("index 4") && msg.contains("4 columns"),
        "{msg}"
    );
}

#[test]
fn string_boolean_and_list_columns_are_refused() {
    for (file, col, ty) in [
        ("points.parquet", "label", "BYTE_ARRAY (String)"),
        ("types.parquet", "flag", "BOOLEAN"),
        ("types.parquet", "lst.list.element", "list"),
    ] {
        let path = fixture(file);
        let r = load_any(&path, None, &spec(None, Some(col), None), None);
        let msg = assert_err_names_file(r, &path);
        assert!(
            msg.contains(&format!("column '{col}'")) && msg.contains(ty),
            "{msg}"
        );
        assert!(msg.contains("DOUBLE") && msg.contains("astype"), "{msg}");
    }
}

/// `tests/data/types.parquet`: pyarrow, gzip, data page v2, two row
/// groups, columns of many types.
#[test]
fn integer_decimal_and_float16_types() {
    let got = ld("types.parquet", &spec(Some("i8"), Some("u16"), Some("u32"))).unwrap();
    assert_eq!(got.x(), [-128.0, 0.0, 127.0]);
    assert_eq!(got.y(), [0.0, 1.0, 65535.0]);
    assert_eq!(got.value, Some(vec![0.0, 1.0, 4294967295.0]));
    let got = ld(
        "types.parquet",
        &spec(Some("u64"), Some("dec"), Some("f16")),
    )
    .unwrap();
    assert_eq!(got.x(), [0.0, 1.0, 18446744073709551615.0]);
    assert_eq!(got.y(), [1.25, -0.5, 100.0]);
    assert_eq!(got.value, Some(vec![0.5, 1.0, -2.0]));
    assert_eq!(got.skipped, 0);
    let got = ld("types.parquet", &spec(Some("f32"), Some("i8"), None)).unwrap();
    assert_eq!(
        (got.x(), got.y(), got.skipped),
        (vec![0.5, -1.25], vec![-128.0, 127.0], 1)
    );
    // Fields of a struct, by their dotted path; the struct is null in row 1.
    let got = ld("types.parquet", &spec(Some("pt.a"), Some("PT.B"), None)).unwrap();
    assert_eq!(
        (got.x(), got.y(), got.skipped),
        (vec![1.0, 5.0], vec![2.0, 6.0], 1)
    );
    assert_eq!(got.y_name, "pt.b");
}

#[test]
fn zstd_is_refused_with_advice() {
    let path = fixture("zstd.parquet");
    let msg = assert_err_names_file(load_any(&path, None, &ColumnSpec::default(), None), &path);
    assert!(
        msg.contains("with ZSTD,") && msg.contains("compression='snappy'"),
        "{msg}"
    );
}

#[test]
fn not_parquet_and_truncated() {
    let csv = fixture("points.csv");
    let r = load_any(&csv, Some(Format::Parquet), &ColumnSpec::default(), None);
    let msg = assert_err_names_file(r, &csv);
    assert!(msg.contains("not a Parquet file"), "{msg}");

    let bytes = std::fs::read(fixture("points.parquet")).unwrap();
    for cut in [4, 100, bytes.len() / 2, bytes.len() - 1] {
        let path = temp_file("cut.parquet", &bytes[..cut]);
        let msg = assert_err_names_file(load_any(&path, None, &ColumnSpec::default(), None), &path);
        assert!(msg.contains("truncated"), "{msg}");
    }
    // The footer kept but data cut out of the middle.
    let mut holed = bytes[..8].to_vec();
    holed.extend_from_slice(&bytes[bytes.len() / 2..]);
    let path = temp_file("holed.parquet", &holed);
    let msg = assert_err_names_file(load_any(&path, None, &ColumnSpec::default(), None), &path);
    assert!(msg.contains("not a valid Parquet file"), "{msg}");
}

/// Footers are parsed once a process, but a file rewritten in place (the
/// same path, rows and length) is read as it is now, not as it was.
#[test]
fn a_file_rewritten_in_place_is_read_anew() {
    let schema = Arc::new(
        parse_message_type("message m { required double x; required double y; }").unwrap(),
    );
    let path = temp_file("rewritten.parquet", b"");
    let write = |shift: f64| {
        let props = Arc::new(WriterProperties::builder().build());
        let file = std::fs::File::create(&path).unwrap();
        let mut w = SerializedFileWriter::new(file, schema.clone(), props).unwrap();
        let mut rg = w.next_row_group().unwrap();
        for k in 0..2 {
            let v: Vec<f64> = (0..5).map(|i| i as f64 + shift + k as f64).collect();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<DoubleType>()
                .write_batch(&v, None, None)
                .unwrap();
            col.close().unwrap();
        }
        rg.close().unwrap();
        w.close().unwrap();
        std::fs::metadata(&path).unwrap().len()
    };
    let spec = ColumnSpec::default();
    let read = AtomicU64::new(0);
    let first_len = write(0.0);
    let first = super::super::load_counting(&path, None, &spec, None, &read).unwrap();
    assert_eq!(first.x(), [0.0, 1.0, 2.0, 3.0, 4.0]);
    // Read again: the same points (from the footer kept).
    let again = super::super::load_counting(&path, None, &spec, None, &read).unwrap();
    assert_eq!(again.xy, first.xy);
    let range = |path: &Path| super::xy_range(path, &spec).unwrap().0;
    assert_eq!(range(&path), [0.0, 4.0, 1.0, 5.0]);
    let first_time = std::fs::metadata(&path).unwrap().modified().unwrap();
    assert_eq!(write(100.0), first_len, "the same length");
    // And the same time of change (as within one tick of a coarse clock):
    // only the footer tells.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(first_time)
        .unwrap();
    let second = super::super::load_counting(&path, None, &spec, None, &read).unwrap();
    assert_eq!(second.x(), [100.0, 101.0, 102.0, 103.0, 104.0]);
    assert_eq!(second.y(), [101.0, 102.0, 103.0, 104.0, 105.0]);
    // The statistics too (a footer kept from before would give the old ones).
    assert_eq!(range(&path), [100.0, 104.0, 101.0, 105.0]);
}

/// A file written with the parquet crate: required and optional columns,
/// row groups longer than a batch, one column dictionary-encoded.
#[test]
fn many_rows_across_batches_and_row_groups() {
    let schema = Arc::new(
        parse_message_type("message m { required double x; optional int64 y; required float v; }")
            .unwrap(),
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_data_page_row_count_limit(10_000)
            .build(),
    );
    let path = temp_file("many.parquet", b"");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    let (groups, per) = (3usize, 70_000usize);
    for g in 0..groups {
        let ids: Vec<usize> = (g * per..(g + 1) * per).collect();
        let mut rg = w.next_row_group().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        let xs: Vec<f64> = ids.iter().map(|&i| i as f64).collect();
        col.typed::<DoubleType>()
            .write_batch(&xs, None, None)
            .unwrap();
        col.close().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        let def: Vec<i16> = ids.iter().map(|&i| i16::from(i % 1000 != 7)).collect();
        let ys: Vec<i64> = ids
            .iter()
            .filter(|&&i| i % 1000 != 7)
            .map(|&i| -(i as i64) % 97)
            .collect();
        col.typed::<Int64Type>()
            .write_batch(&ys, Some(&def), None)
            .unwrap();
        col.close().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        let vs: Vec<f32> = ids.iter().map(|&i| (i % 3) as f32).collect();
        col.typed::<FloatType>()
            .write_batch(&vs, None, None)
            .unwrap();
        col.close().unwrap();
        rg.close().unwrap();
    }
    w.close().unwrap();

    let read = AtomicU64::new(0);
    let got =
        super::super::load_counting(&path, None, &ColumnSpec::default(), None, &read).unwrap();
    let n = groups * per;
    let kept: Vec<usize> = (0..n).filter(|i| i % 1000 != 7).collect();
    assert_eq!(got.skipped, n - kept.len());
    assert_eq!(got.len(), kept.len());
    assert!(kept.iter().zip(&got.x()).all(|(&i, &x)| x == i as f64));
    assert!(kept
        .iter()
        .zip(&got.y())
        .all(|(&i, &y)| y == (-(i as i64) % 97) as f64));
    let vals = got.value.unwrap();
    assert!(kept.iter().zip(&vals).all(|(&i, &v)| v == (i % 3) as f32));
    assert!(read.load(Ordering::Relaxed) > 0);
    assert_eq!(got.row_groups, (3, 0));
    // A view of x in the second row group: the others are not read, and
    // every row of the one read is kept. y (int64) is never pruned on.
    let view = |v: [f64; 4]| {
        let spec = ColumnSpec {
            view: Some(v),
            ..ColumnSpec::default()
        };
        super::super::load_counting(&path, None, &spec, None, &read).unwrap()
    };
    let part = view([75_000.0, 80_000.0, -1e9, 1e9]);
    assert_eq!(part.row_groups, (1, 2));
    let second: Vec<usize> = kept.iter().copied().filter(|i| i / per == 1).collect();
    assert_eq!(part.len(), second.len());
    assert!(second.iter().zip(&part.x()).all(|(&i, &x)| x == i as f64));
    assert_eq!(view([-1.0, 1e9, 5.0, 6.0]).row_groups, (3, 0));
    assert_eq!(view([1e9, 2e9, -1e9, 1e9]).row_groups, (0, 3));
}

/// `tests/data/corrupt.parquet` makes the parquet crate panic; that
/// becomes an error (and prints nothing).
#[test]
fn a_panic_in_the_parquet_crate_is_an_error() {
    let path = fixture("corrupt.parquet");
    for _ in 0..2 {
        let r = load_any(&path, None, &ColumnSpec::default(), None);
        let msg = assert_err_names_file(r, &path);
        assert!(msg.contains("is not a valid Parquet file"), "{msg}");
    }
    // Loads after it work as before.
    assert!(ld("points.parquet", &ColumnSpec::default()).is_ok());
}

#[test]
fn big_endian_decimal_bytes() {
    assert_eq!(be_int(&[0x01, 0x00]), 256.0);
    assert_eq!(be_int(&[0xff, 0xfe]), -2.0);
    assert_eq!(be_int(&[0x80; 16]), i128::from_be_bytes([0x80; 16]) as f64);
    assert!(be_int(&[]).is_nan() && be_int(&[0; 17]).is_nan());
}
