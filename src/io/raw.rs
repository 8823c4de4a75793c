//! Raw binary: headerless, interleaved little-endian records of `f32` or
//! `f64` scalars, `x, y` or `x, y, value` (see [`RawLayout`]).
//!
//! The columns are named "x", "y" and "value" and can be chosen by those
//! names or by index like any other file's.

use std::path::Path;

use super::columns::resolve;
use super::{
    by_slices, map_file, ColumnSpec, LoadError, Loaded, RawLayout, Share, Sink, Streaming,
};

pub(super) fn load(path: &Path, layout: RawLayout, spec: &ColumnSpec) -> Result<Loaded, LoadError> {
    load_or_stream(path, layout, spec, None)
}

/// The records of `path` a slice at a time (see [`by_slices`]).
pub(super) fn stream(
    path: &Path,
    layout: RawLayout,
    spec: &ColumnSpec,
    emit: &mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    share: &Share,
) -> Result<(usize, usize), LoadError> {
    load_or_stream(path, layout, spec, Some((emit, share))).map(|_| (0, 0))
}

fn load_or_stream(
    path: &Path,
    layout: RawLayout,
    spec: &ColumnSpec,
    stream: Streaming<'_, '_>,
) -> Result<Loaded, LoadError> {
    let bytes = map_file(path)?;
    let record = layout.record_size();
    if bytes.len() % record != 0 {
        return Err(LoadError::RawSize {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            record,
            layout: layout.name(),
        });
    }
    let names: Vec<String> = ["x", "y", "value"][..layout.fields()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let picked = resolve(path, spec, &names, true)?;
    let rows = bytes.len() / record;
    let scalar = layout.scalar_size();
    let read: fn(&[u8]) -> f64 = if scalar == 4 {
        |b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    } else {
        |b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    };
    let (ox, oy) = (picked.x * scalar, picked.y * scalar);
    let offsets: Vec<usize> = picked.values().iter().map(|v| v * scalar).collect();
    let push = |sink: &mut Sink, range: std::ops::Range<usize>| {
        let part = &bytes[range.start * record..range.end * record];
        for rec in part.chunks_exact(record) {
            let vals = offsets.iter().map(|&o| read(&rec[o..]));
            sink.push(read(&rec[ox..]), read(&rec[oy..]), vals);
        }
    };
    let finish = |sink: Sink| sink.finish(&names, &picked);
    let span = |r: std::ops::Range<usize>| Some(r.start * record..r.end * record);
    by_slices(&bytes, rows, offsets.len(), &push, &finish, &span, stream)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::{load as load_any, Column, Format};
    use super::*;

    fn encode(layout: RawLayout, recs: &[[f64; 3]]) -> Vec<u8> {
        let mut out = Vec::new();
        for r in recs {
            for &v in &r[..layout.fields()] {
                if layout.scalar_size() == 4 {
                    out.extend((v as f32).to_le_bytes());
                } else {
                    out.extend(v.to_le_bytes());
                }
            }
        }
        out
    }

    #[test]
    fn each_layout_round_trips() {
        let recs = [
            [1.5, -2.0, 0.5],
            [f64::NAN, 1.0, 1.0],
            [3.0, 4.0, f64::INFINITY],
            [1e10, -1e-3, 7.0],
        ];
        for layout in RawLayout::ALL {
            let name = format!("p.{}", layout.name());
            let path = temp_file(&name, &encode(layout, &recs));
            // Detected from the extension.
            let got = load_any(&path, None, &ColumnSpec::default(), None).unwrap();
            let x32 = |v: f64| {
                if layout.scalar_size() == 4 {
                    v as f32 as f64
                } else {
                    v
                }
            };
            if layout.fields() == 3 {
                // NaN x and inf value both skipped.
                assert_eq!(got.x(), [1.5, x32(1e10)], "{name}");
                assert_eq!(got.y(), [-2.0, x32(-1e-3)], "{name}");
                assert_eq!(got.value, Some(vec![0.5, 7.0]), "{name}");
                assert_eq!(got.value_name.as_deref(), Some("value"));
                assert_eq!(got.skipped, 2, "{name}");
            } else {
                assert_eq!(got.x(), [1.5, 3.0, x32(1e10)], "{name}");
                assert_eq!(got.y(), [-2.0, 4.0, x32(-1e-3)], "{name}");
                assert_eq!((got.value, got.value_name), (None, None));
                assert_eq!(got.skipped, 1, "{name}");
            }
            assert_eq!((got.x_name.as_str(), got.y_name.as_str()), ("x", "y"));
        }
    }

    #[test]
    fn columns_can_be_swapped() {
        let layout = RawLayout::F64Xyv;
        let path = temp_file("s.bin", &encode(layout, &[[1.0, 2.0, 3.0]]));
        let spec = ColumnSpec {
            x: Some(Column::Name("value".into())),
            y: Some(Column::Index(0)),
            value: Some(Column::Name("y".into())),
            ..Default::default()
        };
        let got = load_any(&path, Some(Format::Raw(layout)), &spec, None).unwrap();
        assert_eq!(
            (got.x(), got.y(), got.value),
            (vec![3.0], vec![1.0], Some(vec![2.0]))
        );
        assert_eq!(got.x_name, "value");
    }

    #[test]
    fn bad_size_and_columns() {
        for layout in RawLayout::ALL {
            let mut bytes = encode(layout, &[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
            bytes.pop();
            let path = temp_file("bad.bin", &bytes);
            let msg = assert_err_names_file(
                load_any(
                    &path,
                    Some(Format::Raw(layout)),
                    &ColumnSpec::default(),
                    None,
                ),
                &path,
            );
            let expect = format!("{} bytes", bytes.len());
            assert!(msg.contains(&expect), "{msg}");
            let expect = format!("{}-byte {}", layout.record_size(), layout.name());
            assert!(msg.contains(&expect), "{msg}");
        }
        let path = temp_file("v.f32xy", &encode(RawLayout::F32Xy, &[[1.0, 2.0, 0.0]]));
        let spec = ColumnSpec {
            value: Some(Column::Name("value".into())),
            ..Default::default()
        };
        let msg = assert_err_names_file(load_any(&path, None, &spec, None), &path);
        assert!(msg.contains("'value'") && msg.contains("x, y"), "{msg}");
    }
}
