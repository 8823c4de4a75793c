use super::super::test_util::*;
use super::super::{load as load_any, Column, Format};
use super::*;

fn ld(
    name: &str,
    text: &[u8],
    spec: &ColumnSpec,
) -> (std::path::PathBuf, Result<Loaded, LoadError>) {
    let path = temp_file(name, text);
    let r = load_any(&path, None, spec, None);
    (path, r)
}

fn ok(name: &str, text: &str) -> Loaded {
    let (path, r) = ld(name, text.as_bytes(), &ColumnSpec::default());
    r.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn with_header() {
    let got = ok("h.csv", "x,y,value\n1,2,3\n4.5,-5e1,0.25\n");
    assert_eq!(got.x(), [1.0, 4.5]);
    assert_eq!(got.y(), [2.0, -50.0]);
    assert_eq!(got.value, Some(vec![3.0, 0.25]));
    assert_eq!(got.names(), ("x", "y", Some("value")));
    assert_eq!(got.skipped, 0);
}

#[test]
fn without_header() {
    let got = ok("n.csv", "1,2\n3,4\r\n5,6");
    assert_eq!(
        (got.x(), got.y(), got.value),
        (vec![1.0, 3.0, 5.0], vec![2.0, 4.0, 6.0], None)
    );
    assert_eq!(got.x_name, "column 0");
    // NaN in the first row does not make it a header.
    let got = ok("n2.txt", "nan,2,1\n3,4,1\n");
    assert_eq!((got.x(), got.skipped), (vec![3.0], 1));
    assert_eq!(got.value_name.as_deref(), Some("column 2"));
    let got = ok("n3.csv", ",2\n3,4\n");
    assert_eq!((got.x(), got.skipped), (vec![3.0], 1));
}

#[test]
fn tsv_semicolon_space_and_explicit_delimiter() {
    let got = ok("t.tsv", "a\tb\tc\n1\t2\t3\n4\t5\t6\n");
    assert_eq!((got.x(), got.y()), (vec![1.0, 4.0], vec![2.0, 5.0]));
    assert_eq!(got.value_name.as_deref(), Some("c"));
    // Semicolons with decimal commas.
    let got = ok("s.csv", "lon;lat\n1,5;2,25\n-3;4\n");
    assert_eq!((got.x(), got.y()), (vec![1.5, -3.0], vec![2.25, 4.0]));
    // Space-separated with aligned columns.
    let got = ok(
        "sp.txt",
        "# made by hand\n  x     y\n  1.0   2.0\n 10.0  20.0\n",
    );
    assert_eq!((got.x(), got.y()), (vec![1.0, 10.0], vec![2.0, 20.0]));
    assert_eq!(got.x_name, "x");
    // Comma plus spaces stays a comma file.
    let got = ok("cs.csv", "x, y\n1, 2\n");
    assert_eq!(
        (got.x(), got.y(), got.y_name),
        (vec![1.0], vec![2.0], "y".to_string())
    );
    // Explicit delimiter wins over detection.
    let path = temp_file("e.csv", b"1|2,5\n3|4,5\n");
    let got = load_any(&path, None, &ColumnSpec::default(), Some(b'|')).unwrap();
    assert_eq!((got.x(), got.y()), (vec![1.0, 3.0], vec![2.5, 4.5]));
}

#[test]
fn quoted_fields_and_bom() {
    let text = "\u{feff}\"label, long\",\"x\",\"y\"\n\"a, b\",\"1.5\",2\n";
    // Default picks columns 0 and 1: column 0 is text, an error that
    // names the quoted header and the line.
    let (path, r) = ld("q.csv", text.as_bytes(), &ColumnSpec::default());
    let msg = assert_err_names_file(r, &path);
    assert!(
        msg.contains("line 2, column 'label, long' (index 0)"),
        "{msg}"
    );
    assert!(msg.contains("\"a, b\""), "{msg}");
}

#[test]
fn quoted_fields_select_by_name() {
    let text = "\u{feff}\"label, long\",\"x\",\"y\"\n\"a, b\",\"1.5\",2\n\"c \"\"q\"\"\",3,\"4\"\n";
    let spec = ColumnSpec {
        x: Some(Column::Name("x".into())),
        y: Some(Column::Name("y".into())),
        value: None,
        ..Default::default()
    };
    let (_, r) = ld("q2.csv", text.as_bytes(), &spec);
    let got = r.unwrap();
    assert_eq!(
        (got.x(), got.y(), got.value),
        (vec![1.5, 3.0], vec![2.0, 4.0], None)
    );
}

#[test]
fn choose_columns() {
    let text = "id,name,px,py,mass\n1,a,10,20,0.5\n2,b,11,21,0.75\n";
    let spec = ColumnSpec {
        x: Some(Column::Name("px".into())),
        y: Some(Column::Index(3)),
        value: Some(Column::Name("MASS".into())),
        ..Default::default()
    };
    let (_, r) = ld("c.csv", text.as_bytes(), &spec);
    let got = r.unwrap();
    assert_eq!((got.x(), got.y()), (vec![10.0, 11.0], vec![20.0, 21.0]));
    assert_eq!(got.value, Some(vec![0.5, 0.75]));
    assert_eq!(got.value_name.as_deref(), Some("mass"));
    // Picking x and y by hand means no default value column.
    let spec = ColumnSpec {
        x: Some(Column::Index(2)),
        y: Some(Column::Index(3)),
        value: None,
        ..Default::default()
    };
    let (_, r) = ld("c2.csv", text.as_bytes(), &spec);
    assert_eq!(r.unwrap().value, None);
}

#[test]
fn skipping_counts() {
    let text = "x,y,value\n1,2,3\nNaN,2,3\n1,inf,3\n1,2,-Infinity\n1,,3\n1\n\n4,5,NA\n6,7,8,extra\n9,10,null\n";
    let got = ok("k.csv", text);
    assert_eq!(got.x(), [1.0, 6.0]);
    assert_eq!(got.value, Some(vec![3.0, 8.0]));
    // NaN, inf, -Infinity, empty, short row, NA, null: 7 (the blank line
    // is not a row).
    assert_eq!(got.skipped, 7);
    // Unchosen columns do not matter.
    let spec = ColumnSpec {
        x: Some(Column::Index(0)),
        y: Some(Column::Index(1)),
        value: None,
        ..Default::default()
    };
    let (_, r) = ld("k2.csv", text.as_bytes(), &spec);
    let got = r.unwrap();
    assert_eq!((got.x().len(), got.skipped), (5, 4));
}

#[test]
fn header_only_is_zero_points() {
    let got = ok("ho.csv", "x,y,value\n");
    assert!(got.is_empty());
    assert_eq!(got.value_name.as_deref(), Some("value"));
    assert_eq!(got.skipped, 0);
}

#[test]
fn malformed_corpus() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n\n# only a comment\n", "is empty"),
        ("nul.csv", b"x,y\n1,2\0\n", "does not look like text"),
        ("latin.csv", b"x,y\n\xe9,\xff\xfe\n", "--format"),
        ("abc.csv", b"x,y\n1,2\n3,abc\n", "line 3"),
        ("one.csv", b"x\n1\n2\n", "only 1 column"),
    ];
    for (name, text, needle) in cases {
        let (path, r) = ld(name, text, &ColumnSpec::default());
        let msg = assert_err_names_file(r, &path);
        assert!(msg.contains(needle), "{name}: {msg:?} lacks {needle:?}");
    }
    let (path, r) = ld("abc2.csv", b"x,y\n1,2\n3,abc\n", &ColumnSpec::default());
    let msg = assert_err_names_file(r, &path);
    assert!(
        msg.contains("line 3, column 'y' (index 1):") && msg.contains("\"abc\""),
        "{msg}"
    );
    let (path, r) = ld("abc3.csv", b"1,2\n3,4\nq,4\n", &ColumnSpec::default());
    let msg = assert_err_names_file(r, &path);
    assert!(msg.contains("line 3, column 0:"), "{msg}");

    let spec = ColumnSpec {
        value: Some(Column::Name("mass".into())),
        ..Default::default()
    };
    let (path, r) = ld("nocol.csv", b"x,y,value\n1,2,3\n", &spec);
    let msg = assert_err_names_file(r, &path);
    assert!(
        msg.contains("'mass'") && msg.contains("x, y, value"),
        "{msg}"
    );
    let (path, r) = ld("nohdr.csv", b"1,2,3\n", &spec);
    let msg = assert_err_names_file(r, &path);
    assert!(msg.contains("no header"), "{msg}");
    let spec = ColumnSpec {
        x: Some(Column::Index(7)),
        ..Default::default()
    };
    let (path, r) = ld("range.csv", b"1,2,3\n", &spec);
    let msg = assert_err_names_file(r, &path);
    assert!(msg.contains("index 7"), "{msg}");

    // A binary file passed as CSV, by --format.
    let mut bin = Vec::new();
    for v in [1.0f32, 0.0, 2.5, 1e-3] {
        bin.extend(v.to_le_bytes());
    }
    let path = temp_file("points.f32xy", &bin);
    let msg = assert_err_names_file(
        load_any(&path, Some(Format::Csv), &ColumnSpec::default(), None),
        &path,
    );
    assert!(msg.contains("does not look like text"), "{msg}");
}

#[test]
fn utf8_cut_at_sample_end_is_text() {
    let mut text = b"x,y\n".to_vec();
    while text.len() < SNIFF - 1 {
        text.extend(b"1,2\n");
    }
    text.truncate(SNIFF - 1);
    assert!(looks_like_text(
        &[&text[..], "é".as_bytes()].concat()[..SNIFF]
    ));
    assert!(!looks_like_text(b"a\xff,b"));
}

#[test]
fn delimiter_sniffing() {
    assert_eq!(sniff_delimiter(b"a,b,c\n"), b',');
    assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
    assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
    assert_eq!(sniff_delimiter(b"a b c\n"), b' ');
    assert_eq!(sniff_delimiter(b"a, b, c\n"), b',');
    assert_eq!(sniff_delimiter(b"\"a;b;c\",d\n"), b',');
    assert_eq!(sniff_delimiter(b"# c;o;m;m;e;n;t\n\n1\t2\n"), b'\t');
    assert_eq!(sniff_delimiter(b"single\n"), b',');
}

#[test]
fn parallel_chunks_give_what_one_pass_gives() {
    // Comments, blank lines, CRLF, missing and non-finite values, a header,
    // spread over many chunks (a tiny threshold makes the file "large").
    let mut text = String::from("# made for the test\nx,y,v\n");
    for i in 0..5000 {
        match i % 97 {
            0 => text.push_str("# a comment\n"),
            1 => text.push('\n'),
            2 => text.push_str(&format!("{i},NA,1\n")),
            3 => text.push_str(&format!("{i},inf,1\r\n")),
            _ => text.push_str(&format!("{i},{},{}\r\n", i * 2, i % 7)),
        }
    }
    let path = temp_file("par.csv", text.as_bytes());
    let spec = ColumnSpec::default();
    let load = |min| load_with(&path, &spec, None, &AtomicU64::new(0), min).unwrap();
    let (one, many) = (load(usize::MAX), load(1));
    assert_eq!(one.x(), many.x());
    assert_eq!(one.y(), many.y());
    assert_eq!(one.value, many.value);
    assert_eq!((one.skipped, many.skipped), (104, 104));
    assert_eq!(many.x().len() + 104, 5000 - 52 - 52);
    // A space-separated file without a header, cut in chunks too.
    let text: String = (0..3000).map(|i| format!("  {i}   {}\n", -i)).collect();
    let path = temp_file("par.txt", text.as_bytes());
    let got = load_with(&path, &spec, None, &AtomicU64::new(0), 1).unwrap();
    assert_eq!(got.x(), (0..3000).map(|i| i as f64).collect::<Vec<_>>());
    assert_eq!(got.x_name, "column 0");
}

#[test]
fn parallel_errors_name_the_line_of_the_file() {
    let mut text = String::from("x,y\n");
    for i in 0..4000 {
        text.push_str(&format!("{i},{i}\n"));
    }
    text.push_str("1,oops\n");
    for i in 0..4000 {
        text.push_str(&format!("{i},{i}\n"));
    }
    text.push_str("2,later\n");
    let path = temp_file("par-err.csv", text.as_bytes());
    for min in [usize::MAX, 1] {
        let e = load_with(&path, &ColumnSpec::default(), None, &AtomicU64::new(0), min)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 4002") && e.contains("\"oops\""),
            "{min}: {e}"
        );
    }
    // Quotes anywhere: one pass (a quoted field may hold a newline).
    let text = "x,y\n1,2\n\"3\",\"4\n\"\n";
    let path = temp_file("par-quote.csv", text.as_bytes());
    let got = load_with(&path, &ColumnSpec::default(), None, &AtomicU64::new(0), 1).unwrap();
    assert_eq!((got.x(), got.y()), (vec![1.0, 3.0], vec![2.0, 4.0]));
}

#[test]
fn streamed_chunks_give_what_a_load_gives() {
    let mut text = String::from("# points\nx,y,v\n");
    for i in 0..500 {
        if i % 37 == 3 {
            text.push_str(&format!("{i},{},NA\n", i * 2));
        } else {
            text.push_str(&format!("{i},{},\"{}.5\"\n", i * 2, i % 7));
        }
    }
    let path = temp_file("stream.csv", text.as_bytes());
    let spec = ColumnSpec::default();
    let whole = load_any(&path, Some(Format::Csv), &spec, None).unwrap();
    for (chunk, workers) in [(1 << 20, 1), (64, 1), (100, 3)] {
        let mut batches = Vec::new();
        for k in 0..workers {
            let share = super::super::Share::new(k, workers);
            stream_in(
                &path,
                &spec,
                None,
                &AtomicU64::new(0),
                &mut |l| {
                    batches.push(l);
                    Ok(())
                },
                &share,
                chunk,
            )
            .unwrap();
        }
        // In file order: the first x of each batch.
        batches.sort_by(|a, b| a.xy[0][0].total_cmp(&b.xy[0][0]));
        let x: Vec<f64> = batches.iter().flat_map(|b| b.x()).collect();
        let v: Vec<f32> = batches
            .iter()
            .flat_map(|b| b.value.clone().unwrap())
            .collect();
        let skipped: usize = batches.iter().map(|b| b.skipped).sum();
        assert!(
            chunk > 1000 || batches.len() > 20,
            "{chunk}: {} batches",
            batches.len()
        );
        assert_eq!(x, whole.x(), "{chunk}");
        assert_eq!(Some(v), whole.value, "{chunk}");
        assert_eq!(skipped, whole.skipped, "{chunk}");
        assert_eq!(batches[0].value_name.as_deref(), Some("v"));
    }
    // A streamed pass's error, in chunks of 64 bytes.
    let stream_err = |path: &std::path::Path| {
        stream_in(
            path,
            &spec,
            None,
            &AtomicU64::new(0),
            &mut |_| Ok(()),
            &super::super::Share::new(0, 1),
            64,
        )
        .unwrap_err()
    };
    // A bad field names its line of the file from any chunk.
    let bad = text.replace("400,800,\"1.5\"", "400,800,oops");
    let path = temp_file("stream-bad.csv", bad.as_bytes());
    let e = stream_err(&path);
    assert!(e.to_string().contains("line 403"), "{e}");
    // A quoted line break cannot be cut at.
    let quoted = text.replace(
        "\"3.5\"\n11,",
        &format!("\"3.5\",\"a note{}\"\n11,", "\n".repeat(100)),
    );
    assert_ne!(quoted, text);
    let path = temp_file("stream-quoted.csv", quoted.as_bytes());
    let e = stream_err(&path);
    assert!(matches!(e, LoadError::CsvQuotedLineBreak { .. }), "{e}");
    assert!(e.to_string().contains("larger --memory"), "{e}");
}

#[test]
fn many_rows_stream() {
    let mut text = String::from("x,y\n");
    for i in 0..100_000 {
        text.push_str(&format!("{i},{}\n", i * 2));
    }
    let got = ok("big.csv", &text);
    assert_eq!(got.len(), 100_000);
    assert_eq!((got.x()[99_999], got.y()[99_999]), (99_999.0, 199_998.0));
}
