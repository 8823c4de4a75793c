use super::super::test_util::*;
use super::super::{load as load_any, Column, Format};
use super::*;

/// Build a version-`major` .npy file with header dict `dict` and `data`.
pub fn npy_bytes(major: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let pre = if major == 1 { 10 } else { 12 };
    let mut header = dict.as_bytes().to_vec();
    // Pad with spaces and end with a newline so data starts 64-aligned.
    let total = (pre + header.len() + 1).div_ceil(64) * 64;
    header.resize(total - pre - 1, b' ');
    header.push(b'\n');
    let mut out = MAGIC.to_vec();
    out.extend([major, 0]);
    if major == 1 {
        out.extend((header.len() as u16).to_le_bytes());
    } else {
        out.extend((header.len() as u32).to_le_bytes());
    }
    out.extend(header);
    out.extend(data);
    out
}

fn plain_dict(descr: &str, fortran: bool, shape: &str) -> String {
    format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    )
}

fn ld(path: &Path, spec: &ColumnSpec) -> Result<Loaded, LoadError> {
    load_any(path, Some(Format::Npy), spec, None)
}

/// Encode the values (small integers, exact in every dtype) as `descr`.
fn encode(descr: &str, vals: &[f64]) -> Vec<u8> {
    let big = descr.starts_with('>');
    let mut out = Vec::new();
    macro_rules! put {
        ($t:ty) => {
            for &v in vals {
                let x = v as $t;
                out.extend(if big {
                    x.to_be_bytes()
                } else {
                    x.to_le_bytes()
                });
            }
        };
    }
    match &descr[1..] {
        "f4" => put!(f32),
        "f8" => put!(f64),
        "i1" => put!(i8),
        "u1" => put!(u8),
        "i2" => put!(i16),
        "u2" => put!(u16),
        "i4" => put!(i32),
        "u4" => put!(u32),
        "i8" => put!(i64),
        "u8" => put!(u64),
        "f2" => {
            // 1..=12 are exact in binary16: build them by hand.
            for &v in vals {
                let h = f64_to_f16_small(v);
                out.extend(if big {
                    h.to_be_bytes()
                } else {
                    h.to_le_bytes()
                });
            }
        }
        other => panic!("no encoder for {other}"),
    }
    out
}

/// Binary16 bits for a small positive integer.
fn f64_to_f16_small(v: f64) -> u16 {
    if v == 0.0 {
        return 0;
    }
    let e = v.log2().floor() as i32;
    let frac = ((v / 2f64.powi(e) - 1.0) * 1024.0).round() as u16;
    (((e + 15) as u16) << 10) | frac
}

const DTYPES: [&str; 22] = [
    "<f4", "<f8", "<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", "|i1", "|u1", ">f4",
    ">f8", ">i2", ">i4", ">i8", ">u2", ">u4", ">u8", "<f2", ">f2",
];

#[test]
fn every_dtype_both_orders_all_versions() {
    // 4 points, 3 columns: row r = (r+1, r+5, r+9).
    let rows: Vec<[f64; 3]> = (0..4)
        .map(|r| [r as f64 + 1.0, r as f64 + 5.0, r as f64 + 9.0])
        .collect();
    let c_order: Vec<f64> = rows.iter().flatten().copied().collect();
    let f_order: Vec<f64> = (0..3)
        .flat_map(|c| rows.iter().map(move |r| r[c]))
        .collect();
    for descr in DTYPES {
        for fortran in [false, true] {
            for major in [1, 2, 3] {
                let vals = if fortran { &f_order } else { &c_order };
                let bytes = npy_bytes(
                    major,
                    &plain_dict(descr, fortran, "(4, 3)"),
                    &encode(descr, vals),
                );
                let path = temp_file("a.npy", &bytes);
                let got = ld(&path, &ColumnSpec::default())
                    .unwrap_or_else(|e| panic!("{descr} fortran={fortran} v{major}: {e}"));
                assert_eq!(got.x(), [1.0, 2.0, 3.0, 4.0], "{descr} {fortran}");
                assert_eq!(got.y(), [5.0, 6.0, 7.0, 8.0], "{descr} {fortran}");
                assert_eq!(got.value, Some(vec![9.0, 10.0, 11.0, 12.0]));
                assert_eq!(got.x_name, "column 0");
                assert_eq!(got.value_name.as_deref(), Some("column 2"));
                assert_eq!(got.skipped, 0);
            }
        }
    }
}

#[test]
fn negative_and_extreme_integers() {
    let vals = [-128.0, 127.0, -1.0, 0.0];
    let path = temp_file(
        "i.npy",
        &npy_bytes(
            1,
            &plain_dict("|i1", false, "(2, 2)"),
            &encode("<i1", &vals),
        ),
    );
    let got = ld(&path, &ColumnSpec::default()).unwrap();
    assert_eq!((got.x(), got.y()), (vec![-128.0, -1.0], vec![127.0, 0.0]));

    let mut data = Vec::new();
    for v in [u64::MAX, 0, 1 << 53, 3] {
        data.extend(v.to_le_bytes());
    }
    let path = temp_file(
        "u.npy",
        &npy_bytes(1, &plain_dict("<u8", false, "(2, 2)"), &data),
    );
    let got = ld(&path, &ColumnSpec::default()).unwrap();
    assert_eq!(got.x(), [u64::MAX as f64, 9007199254740992.0]);
}

#[test]
fn choose_columns_by_index_and_generated_name() {
    // (3, 4) C order: element (r, c) = 10r + c
    let vals: Vec<f64> = (0..3)
        .flat_map(|r| (0..4).map(move |c| (10 * r + c) as f64))
        .collect();
    let path = temp_file(
        "c.npy",
        &npy_bytes(
            1,
            &plain_dict("<f8", false, "(3, 4)"),
            &encode("<f8", &vals),
        ),
    );
    let spec = ColumnSpec {
        x: Some(Column::Index(3)),
        y: Some(Column::Name("column 1".into())),
        value: Some(Column::Index(0)),
        ..Default::default()
    };
    let got = ld(&path, &spec).unwrap();
    assert_eq!(got.x(), [3.0, 13.0, 23.0]);
    assert_eq!(got.y(), [1.0, 11.0, 21.0]);
    assert_eq!(got.value, Some(vec![0.0, 10.0, 20.0]));
    assert_eq!(
        (got.x_name.as_str(), got.y_name.as_str()),
        ("column 3", "column 1")
    );

    // Two columns: no value.
    let path = temp_file(
        "c2.npy",
        &npy_bytes(
            1,
            &plain_dict("<f8", false, "(2, 2)"),
            &encode("<f8", &[1.0, 2.0, 3.0, 4.0]),
        ),
    );
    let got = ld(&path, &ColumnSpec::default()).unwrap();
    assert_eq!(
        (got.x(), got.y(), got.value),
        (vec![1.0, 3.0], vec![2.0, 4.0], None)
    );

    // Zero rows is fine.
    let path = temp_file(
        "c0.npy",
        &npy_bytes(1, &plain_dict("<f8", false, "(0, 3)"), &[]),
    );
    let got = ld(&path, &ColumnSpec::default()).unwrap();
    assert!(got.is_empty());
}

#[test]
fn nan_and_inf_rows_skipped() {
    let vals = [
        1.0,
        2.0,
        3.0, //
        f64::NAN,
        2.0,
        3.0, //
        1.0,
        f64::INFINITY,
        3.0, //
        1.0,
        2.0,
        f64::NEG_INFINITY, //
        4.0,
        5.0,
        6.0,
    ];
    let path = temp_file(
        "n.npy",
        &npy_bytes(
            1,
            &plain_dict("<f8", false, "(5, 3)"),
            &encode("<f8", &vals),
        ),
    );
    let got = ld(&path, &ColumnSpec::default()).unwrap();
    assert_eq!((got.x(), got.skipped), (vec![1.0, 4.0], 3));
    // Without the value column the third row's -inf no longer matters.
    let spec = ColumnSpec {
        x: Some(Column::Index(0)),
        y: Some(Column::Index(1)),
        value: None,
        ..Default::default()
    };
    let got = ld(&path, &spec).unwrap();
    assert_eq!((got.x(), got.skipped), (vec![1.0, 1.0, 4.0], 2));
}

#[test]
fn structured_arrays() {
    let dict = "{'descr': [('x', '<f8'), ('y', '<f4'), ('value', '<f4')], 'fortran_order': False, 'shape': (3,), }";
    let mut data = Vec::new();
    for (x, y, v) in [
        (1.5f64, 2.5f32, 0.25f32),
        (f64::NAN, 1.0, 1.0),
        (-3.0, 4.0, 8.0),
    ] {
        data.extend(x.to_le_bytes());
        data.extend(y.to_le_bytes());
        data.extend(v.to_le_bytes());
    }
    for major in [1, 3] {
        let path = temp_file("s.npy", &npy_bytes(major, dict, &data));
        let got = ld(&path, &ColumnSpec::default()).unwrap();
        assert_eq!(got.x(), [1.5, -3.0]);
        assert_eq!(got.y(), [2.5, 4.0]);
        assert_eq!(got.value, Some(vec![0.25, 8.0]));
        assert_eq!(got.names(), ("x", "y", Some("value")));
        assert_eq!(got.skipped, 1);
        // By name, swapped.
        let spec = ColumnSpec {
            x: Some(Column::Name("value".into())),
            y: Some(Column::Name("x".into())),
            value: Some(Column::Name("y".into())),
            ..Default::default()
        };
        let got = ld(&path, &spec).unwrap();
        assert_eq!((got.x(), got.y()), (vec![0.25, 8.0], vec![1.5, -3.0]));
        // Missing name lists the fields.
        let spec = ColumnSpec {
            value: Some(Column::Name("mass".into())),
            ..Default::default()
        };
        let msg = assert_err_names_file(ld(&path, &spec), &path);
        assert!(msg.contains("mass") && msg.contains("x, y, value"), "{msg}");
    }
}

#[test]
fn structured_with_padding_mixed_types_and_big_endian() {
    // ('id', '<u2'), padding 2 bytes, ('lon', '>f4'), ('lat', '<i4'),
    // ('tag', '|S3'?) is unsupported, so use a sub-array field instead.
    let dict = "{'descr': [('id', '<u2'), ('', '|V2'), ('lon', '>f4'), ('lat', '<i4'), ('rgb', '|u1', (3,)), ('w', '|u1')], 'fortran_order': False, 'shape': (2, 1), }";
    let mut data = Vec::new();
    for (id, lon, lat, w) in [(7u16, 1.25f32, -40i32, 200u8), (8, -2.5, 50, 1)] {
        data.extend(id.to_le_bytes());
        data.extend([0, 0]);
        data.extend(lon.to_be_bytes());
        data.extend(lat.to_le_bytes());
        data.extend([1, 2, 3]);
        data.push(w);
    }
    let path = temp_file("p.npy", &npy_bytes(1, dict, &data));
    let spec = ColumnSpec {
        x: Some(Column::Name("lon".into())),
        y: Some(Column::Name("lat".into())),
        value: Some(Column::Name("w".into())),
        ..Default::default()
    };
    let got = ld(&path, &spec).unwrap();
    assert_eq!(got.x(), [1.25, -2.5]);
    assert_eq!(got.y(), [-40.0, 50.0]);
    assert_eq!(got.value, Some(vec![200.0, 1.0]));
    // Index 0 is 'id' (the padding is not a column); 3 is the sub-array.
    let spec = ColumnSpec {
        x: Some(Column::Index(0)),
        y: Some(Column::Index(3)),
        value: None,
        ..Default::default()
    };
    let msg = assert_err_names_file(ld(&path, &spec), &path);
    assert!(msg.contains("rgb") && msg.contains("sub-array"), "{msg}");
}

fn malformed(name: &str, bytes: &[u8], needle: &str) {
    let path = temp_file(name, bytes);
    let msg = assert_err_names_file(ld(&path, &ColumnSpec::default()), &path);
    assert!(msg.contains(needle), "{name}: {msg:?} lacks {needle:?}");
}

#[test]
fn malformed_corpus() {
    let good = npy_bytes(
        1,
        &plain_dict("<f8", false, "(4, 2)"),
        &encode("<f8", &[0.0; 8]),
    );
    malformed("trunc.npy", &good[..good.len() - 1], "truncated");
    malformed("trunc_hdr.npy", &good[..40], "ends inside the header");
    malformed("tiny.npy", &good[..8], "ends inside the header");
    malformed("magic.npy", b"PK\x03\x04 this is a zip", "magic");
    malformed("text.npy", b"x,y\n1,2\n", "magic");
    let mut v9 = good.clone();
    v9[6] = 9;
    malformed("v9.npy", &v9, "version 9.0");
    malformed(
        "dict.npy",
        &npy_bytes(
            1,
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2",
            &[0; 64],
        ),
        "cannot be parsed",
    );
    malformed(
        "dict2.npy",
        &npy_bytes(
            1,
            "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (4, 2)}",
            &[0; 64],
        ),
        "cannot be parsed",
    );
    malformed(
        "nodescr.npy",
        &npy_bytes(1, "{'fortran_order': False, 'shape': (4, 2)}", &[0; 64]),
        "'descr'",
    );
    malformed(
        "list.npy",
        &npy_bytes(1, "['descr']", &[0; 64]),
        "not a dict",
    );
    malformed(
        "c16.npy",
        &npy_bytes(1, &plain_dict("<c16", false, "(2, 2)"), &[0; 64]),
        "'<c16'",
    );
    malformed(
        "obj.npy",
        &npy_bytes(1, &plain_dict("|O", false, "(2, 2)"), &[0; 64]),
        "supported dtypes",
    );
    malformed(
        "str.npy",
        &npy_bytes(
            1,
            "{'descr': [('x', '<f8'), ('name', '<U8')], 'fortran_order': False, 'shape': (1,)}",
            &[0; 64],
        ),
        "field 'name'",
    );
    malformed(
        "oned.npy",
        &npy_bytes(1, &plain_dict("<f8", false, "(8,)"), &[0; 64]),
        "(8,)",
    );
    malformed(
        "oned2.npy",
        &npy_bytes(1, &plain_dict("<f8", false, "(8,)"), &[0; 64]),
        "(N, 2)",
    );
    malformed(
        "threed.npy",
        &npy_bytes(1, &plain_dict("<f8", false, "(2, 2, 2)"), &[0; 64]),
        "(2, 2, 2)",
    );
    malformed(
        "onecol.npy",
        &npy_bytes(1, &plain_dict("<f8", false, "(8, 1)"), &[0; 64]),
        "only 1 column",
    );
    malformed(
        "huge.npy",
        &npy_bytes(
            1,
            &plain_dict("<f8", false, "(99999999999999999, 99999999999)"),
            &[0; 64],
        ),
        "too large",
    );
    malformed(
        "nested.npy",
        &npy_bytes(
            1,
            "{'descr': [('a', [('b', '<f8')])], 'fortran_order': False, 'shape': (1,)}",
            &[0; 64],
        ),
        "itself structured",
    );

    let path = temp_file("range.npy", &good);
    let spec = ColumnSpec {
        value: Some(Column::Index(5)),
        ..Default::default()
    };
    let msg = assert_err_names_file(ld(&path, &spec), &path);
    assert!(
        msg.contains("index 5") && msg.contains("2 columns"),
        "{msg}"
    );
    let spec = ColumnSpec {
        x: Some(Column::Name("x".into())),
        ..Default::default()
    };
    let msg = assert_err_names_file(ld(&path, &spec), &path);
    assert!(msg.contains("no header"), "{msg}");
}

#[test]
fn header_parser_literals() {
    let mut p = Parser {
        s: b" {'a': (1, 2L,), \"b\": [True, None, 'q\\'s'], 'c': ()} ",
        i: 0,
    };
    let v = p.value().unwrap();
    assert_eq!(
        v,
        Py::Dict(vec![
            (Py::Str("a".into()), Py::Seq(vec![Py::Int(1), Py::Int(2)])),
            (
                Py::Str("b".into()),
                Py::Seq(vec![Py::Bool(true), Py::None, Py::Str("q's".into())])
            ),
            (Py::Str("c".into()), Py::Seq(vec![])),
        ])
    );
}

/// Found by tests/fuzz_loaders.rs: with no rows the data cannot bound
/// the column count, and a name for each of 2^31 columns took 51 GB.
#[test]
fn no_rows_and_absurd_column_count() {
    for (shape, fortran) in [
        ("(0, 2147483647)", false),
        ("(0, 18446744073709551615)", false),
        ("(0, 9223372036854775807)", true),
    ] {
        let bytes = npy_bytes(1, &plain_dict("<f8", fortran, shape), &[]);
        let path = temp_file("wide.npy", &bytes);
        let got = ld(&path, &ColumnSpec::default()).unwrap();
        assert_eq!((got.len(), got.skipped), (0, 0));
        assert_eq!(got.value_name.as_deref(), Some("column 2"));
        let spec = ColumnSpec {
            x: Some(Column::Name("column 2000000000".into())),
            y: Some(Column::Index(5)),
            value: None,
            ..Default::default()
        };
        let got = ld(&path, &spec).unwrap();
        assert_eq!(got.x_name, "column 2000000000");
    }
}

#[test]
fn f16_conversion() {
    assert_eq!(f16_to_f64(0x3c00), 1.0);
    assert_eq!(f16_to_f64(0xc000), -2.0);
    assert_eq!(f16_to_f64(0x7bff), 65504.0);
    assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
    assert!(f16_to_f64(0x7e00).is_nan());
    assert_eq!(f16_to_f64(0xfc00), f64::NEG_INFINITY);
}
