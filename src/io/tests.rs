//! The loaders' shared behaviour: format detection, column choice, skipped
//! rows and errors, across formats.

use super::columns::{resolve, resolve_unnamed, Picked};
use super::test_util::*;
use super::*;

#[test]
fn format_names_parse() {
    assert_eq!("npy".parse::<Format>().unwrap(), Format::Npy);
    assert_eq!("CSV".parse::<Format>().unwrap(), Format::Csv);
    assert_eq!("tsv".parse::<Format>().unwrap(), Format::Csv);
    assert_eq!("Parquet".parse::<Format>().unwrap(), Format::Parquet);
    assert_eq!("pq".parse::<Format>().unwrap(), Format::Parquet);
    assert_eq!(Format::Parquet.to_string(), "parquet");
    for l in RawLayout::ALL {
        assert_eq!(l.name().parse::<Format>().unwrap(), Format::Raw(l));
        assert_eq!(Format::Raw(l).to_string(), l.name());
    }
    let err = "feather".parse::<Format>().unwrap_err().to_string();
    assert!(err.contains("feather") && err.contains("f64xyv") && err.contains("parquet"));
}

#[test]
fn record_sizes() {
    let sizes: Vec<usize> = RawLayout::ALL.iter().map(|l| l.record_size()).collect();
    assert_eq!(sizes, [8, 12, 16, 24]);
}

#[test]
fn column_parse() {
    assert_eq!(Column::parse("0"), Column::Index(0));
    assert_eq!(Column::parse("12"), Column::Index(12));
    assert_eq!(Column::parse("x"), Column::Name("x".into()));
    assert_eq!(Column::parse("1a"), Column::Name("1a".into()));
    assert_eq!(Column::parse("-1"), Column::Name("-1".into()));
    assert_eq!(Column::parse(""), Column::Name("".into()));
    assert_eq!("3".parse::<Column>().unwrap(), Column::Index(3));
}

#[test]
fn detect_by_extension() {
    let d = |p: &str| detect_format(Path::new(p));
    assert_eq!(d("a.npy").unwrap(), Format::Npy);
    assert_eq!(d("a.CSV").unwrap(), Format::Csv);
    assert_eq!(d("a.tsv").unwrap(), Format::Csv);
    assert_eq!(d("dir.v2/a.txt").unwrap(), Format::Csv);
    assert_eq!(d("a.f32xyv").unwrap(), Format::Raw(RawLayout::F32Xyv));
    assert_eq!(d("a.f64xy").unwrap(), Format::Raw(RawLayout::F64Xy));
    assert_eq!(d("a.parquet").unwrap(), Format::Parquet);
    assert_eq!(d("a.PQ").unwrap(), Format::Parquet);
    for bad in ["data.bin", "data", "data.npz"] {
        let msg = d(bad).unwrap_err().to_string();
        assert!(msg.contains(bad), "{msg}");
    }
    let msg = d("data.bin").unwrap_err().to_string();
    assert!(msg.contains("--format") && msg.contains("f32xy"), "{msg}");
    assert!(d("x.npz").unwrap_err().to_string().contains("unzip"));
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

#[test]
fn resolve_defaults_and_choices() {
    let p = Path::new("f.csv");
    let n3 = names(&["a", "b", "c"]);
    let def = ColumnSpec::default();
    assert_eq!(
        resolve(p, &def, &n3, true).unwrap(),
        Picked {
            x: 0,
            y: 1,
            value: Some(2),
            more: vec![],
            labels: None,
        }
    );
    assert_eq!(
        resolve(p, &def, &names(&["a", "b"]), true).unwrap(),
        Picked {
            x: 0,
            y: 1,
            value: None,
            more: vec![],
            labels: None,
        }
    );
    let spec = ColumnSpec {
        x: Some(Column::Name("c".into())),
        y: Some(Column::Index(0)),
        value: None,
        ..Default::default()
    };
    assert_eq!(
        resolve(p, &spec, &n3, true).unwrap(),
        Picked {
            x: 2,
            y: 0,
            value: None,
            more: vec![],
            labels: None,
        }
    );
    let spec = ColumnSpec {
        value: Some(Column::Name("B".into())),
        ..Default::default()
    };
    assert_eq!(resolve(p, &spec, &n3, true).unwrap().value, Some(1));

    let bad = ColumnSpec {
        x: Some(Column::Name("zz".into())),
        ..Default::default()
    };
    let msg = resolve(p, &bad, &n3, true).unwrap_err().to_string();
    assert!(msg.contains("zz") && msg.contains("a, b, c"), "{msg}");
    let msg = resolve(p, &bad, &n3, false).unwrap_err().to_string();
    assert!(msg.contains("no header"), "{msg}");
    let bad = ColumnSpec {
        y: Some(Column::Index(3)),
        ..Default::default()
    };
    let msg = resolve(p, &bad, &n3, true).unwrap_err().to_string();
    assert!(
        msg.contains("index 3") && msg.contains("3 columns"),
        "{msg}"
    );
    let msg = resolve(p, &def, &names(&["a"]), true)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("only 1 column"), "{msg}");

    // Unnamed columns answer to "column N", however many there are.
    let huge = usize::MAX / 2;
    let spec = ColumnSpec {
        x: Some(Column::Name(" Column 7 ".into())),
        y: Some(Column::Index(huge - 1)),
        value: Some(Column::Name("column 2".into())),
        ..Default::default()
    };
    assert_eq!(
        resolve_unnamed(p, &spec, huge).unwrap(),
        Picked {
            x: 7,
            y: huge - 1,
            value: Some(2),
            more: vec![],
            labels: None,
        }
    );
    assert_eq!(
        resolve_unnamed(p, &def, 3).unwrap(),
        resolve(p, &def, &n3, false).unwrap()
    );
    for bad in ["column 3", "column 01", "col 1", "column", "x", "column -1"] {
        let spec = ColumnSpec {
            x: Some(Column::Name(bad.into())),
            ..Default::default()
        };
        let msg = resolve_unnamed(p, &spec, 3).unwrap_err().to_string();
        assert!(
            msg.contains("no header") && msg.contains("3 columns"),
            "{msg}"
        );
    }
}

#[test]
fn missing_file_names_the_file() {
    let path = std::env::temp_dir().join("pointillist-no-such-file-1234.csv");
    let msg = assert_err_names_file(load(&path, None, &ColumnSpec::default(), None), &path);
    assert!(msg.contains("cannot open"), "{msg}");
    for f in [Format::Npy, Format::Parquet, Format::Raw(RawLayout::F32Xy)] {
        assert_err_names_file(load(&path, Some(f), &ColumnSpec::default(), None), &path);
    }
}

#[test]
fn empty_file_in_every_format() {
    for (name, f) in [
        ("e.npy", Format::Npy),
        ("e.csv", Format::Csv),
        ("e.parquet", Format::Parquet),
        ("e.f64xyv", Format::Raw(RawLayout::F64Xyv)),
    ] {
        let path = temp_file(name, b"");
        let msg = assert_err_names_file(load(&path, Some(f), &ColumnSpec::default(), None), &path);
        assert!(msg.contains("is empty"), "{msg}");
    }
}

#[test]
fn directory_is_an_error() {
    let dir = temp_file("d.csv", b"").parent().unwrap().join("dir.npy");
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        Format::Npy,
        Format::Csv,
        Format::Parquet,
        Format::Raw(RawLayout::F32Xy),
    ] {
        assert_err_names_file(load(&dir, Some(f), &ColumnSpec::default(), None), &dir);
    }
}

fn load_fixture(name: &str) -> Loaded {
    let path = fixture(name);
    load(&path, None, &ColumnSpec::default(), None).unwrap_or_else(|e| panic!("{e}"))
}

/// Files written by NumPy and pandas themselves (see tests/data/README.md).
#[test]
fn numpy_and_pandas_fixtures() {
    let got = load_fixture("points_f64.npy");
    assert_eq!(got.x(), [0.0, 1.0, -1.5, 1e-3, 0.1]);
    assert_eq!(got.y(), [0.0, 2.0, 3.25, -2e6, 0.2]);
    assert_eq!(got.value, Some(vec![0.0, 0.5, 1.0, 0.125, -7.0]));
    assert_eq!(
        (got.x_name.as_str(), got.value_name.as_deref()),
        ("column 0", Some("column 2"))
    );
    assert_eq!(got.skipped, 0);

    let got = load_fixture("points_f32_fortran.npy");
    assert_eq!(got.x(), [1.0, 3.0, 5.5, 0.25]);
    assert_eq!(got.y(), [2.0, 4.0, -6.0, 8.0]);
    assert_eq!(got.value, None);

    let got = load_fixture("points_struct.npy");
    assert_eq!(got.x(), [1.5, -3.0, 0.1]);
    assert_eq!(got.y(), [2.5, 4.0, f64::from(0.2f32)]);
    assert_eq!(got.value, Some(vec![0.25, 8.0, 0.3]));
    assert_eq!(got.names(), ("x", "y", Some("value")));
    let spec = ColumnSpec {
        x: Some(Column::Name("value".into())),
        y: Some(Column::Name("x".into())),
        value: None,
        ..Default::default()
    };
    let got = load(&fixture("points_struct.npy"), None, &spec, None).unwrap();
    assert_eq!(got.x(), [0.25, 8.0, f64::from(0.3f32)]);
    assert_eq!(got.y(), [1.5, -3.0, 0.1]);

    let got = load_fixture("points.csv");
    assert_eq!(got.x(), [1.0, 2.0, 4.0, 5.5]);
    assert_eq!(got.y(), [10.0, 20.0, 40.0, -50.0]);
    assert_eq!(got.value, Some(vec![0.5, 1.5, 3.5, 4.5]));
    assert_eq!(got.names(), ("x", "y", Some("value")));
    assert_eq!(got.skipped, 1);
}

/// Further value columns (what expressions read) in every format: loaded
/// by name or index beside the value column, each once, and a row with
/// any of them not finite is skipped.
#[test]
fn more_columns_in_every_format() {
    let name = |n: &str| Column::Name(n.into());
    let more = |l: &Loaded| -> Vec<(String, Vec<f32>)> { l.more.clone() };
    let cols = |v: &[(&str, Vec<f32>)]| -> Vec<(String, Vec<f32>)> {
        v.iter().map(|(n, c)| (n.to_string(), c.clone())).collect()
    };

    // Parquet (pyarrow): f32 is null in row 1, so that row goes.
    let spec = ColumnSpec {
        x: Some(name("i8")),
        y: Some(name("u16")),
        value: Some(name("u32")),
        more: vec![name("dec"), name("F16"), name("U32"), name("f32")],
        labels: None,
        view: None,
        skip_bad: None,
    };
    let got = load(&fixture("types.parquet"), None, &spec, None).unwrap();
    assert_eq!((got.x(), got.skipped), (vec![-128.0, 127.0], 1));
    assert_eq!(got.value, Some(vec![0.0, 4294967295.0]));
    assert_eq!(
        more(&got),
        cols(&[
            ("dec", vec![1.25, 100.0]),
            ("f16", vec![0.5, -2.0]),
            ("f32", vec![0.5, -1.25])
        ])
    );

    // CSV: by name and by index; a NaN in a further column skips its row.
    let path = temp_file(
        "more.csv",
        b"a,b,c,d,e\n1,2,3,4,5\n6,7,8,NaN,10\n11,12,13,14,15\n",
    );
    let spec = ColumnSpec {
        more: vec![name("e"), Column::Index(3), name("c"), name("e")],
        labels: None,
        view: None,
        ..Default::default()
    };
    let got = load(&path, None, &spec, None).unwrap();
    assert_eq!((got.x(), got.skipped), (vec![1.0, 11.0], 1));
    assert_eq!(got.value, Some(vec![3.0, 13.0]));
    assert_eq!(
        more(&got),
        cols(&[("e", vec![5.0, 15.0]), ("d", vec![4.0, 14.0])])
    );

    // .npy, plain (NumPy's own file) and structured.
    let spec = ColumnSpec {
        more: vec![name("column 0"), Column::Index(2)],
        labels: None,
        view: None,
        ..Default::default()
    };
    let got = load(&fixture("points_f64.npy"), None, &spec, None).unwrap();
    assert_eq!(got.value, Some(vec![0.0, 0.5, 1.0, 0.125, -7.0]));
    let x: Vec<f32> = got.x().iter().map(|&v| v as f32).collect();
    assert_eq!(more(&got), cols(&[("column 0", x)]));
    let spec = ColumnSpec {
        more: vec![name("x")],
        labels: None,
        view: None,
        ..Default::default()
    };
    let got = load(&fixture("points_struct.npy"), None, &spec, None).unwrap();
    assert_eq!(more(&got), cols(&[("x", vec![1.5, -3.0, 0.1])]));

    // Raw records: the value once, x again as a value column.
    let mut bytes = Vec::new();
    for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let path = temp_file("more.f64xyv", &bytes);
    let spec = ColumnSpec {
        value: Some(name("value")),
        more: vec![name("value"), name("x")],
        labels: None,
        view: None,
        ..Default::default()
    };
    let got = load(&path, None, &spec, None).unwrap();
    assert_eq!(got.value, Some(vec![3.0, 6.0]));
    assert_eq!(more(&got), cols(&[("x", vec![1.0, 4.0])]));

    // A further column that is not there is the usual error.
    let spec = ColumnSpec {
        more: vec![name("mass")],
        labels: None,
        view: None,
        ..Default::default()
    };
    let path = fixture("points.csv");
    let msg = load(&path, None, &spec, None).unwrap_err().to_string();
    assert!(
        msg.contains("'mass'") && msg.contains("x, y, value"),
        "{msg}"
    );
}

#[test]
fn sink_skips_non_finite() {
    let mut s = Sink::new(4, 1);
    s.push(1.0, 2.0, [3.0]);
    s.push(f64::NAN, 2.0, [3.0]);
    s.push(1.0, f64::INFINITY, [3.0]);
    s.push(1.0, 2.0, [1e300]); // overflows f32
    s.skip();
    assert_eq!((s.xy.len(), s.skipped), (1, 4));
    let mut s = Sink::new(1, 0);
    s.push(1.0, 2.0, []);
    assert_eq!((s.xy.len(), s.skipped), (1, 0));
    // Any value column that is not finite skips the row.
    let mut s = Sink::new(3, 3);
    s.push(1.0, 2.0, [3.0, 4.0, 5.0]);
    s.push(1.0, 2.0, [3.0, f64::NAN, 5.0]);
    s.push(1.0, 2.0, [3.0, 4.0, f64::NEG_INFINITY]);
    assert_eq!((s.xy.len(), s.skipped), (1, 2));
    assert_eq!(s.values, [vec![3.0], vec![4.0], vec![5.0]]);
}
