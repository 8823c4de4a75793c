//! The user's expressions through the public API: the filter count, the
//! points with no value, `t`, and bad expressions as errors — on both
//! backends where a frame aggregates.

mod common;

use pointillist::{Agg, Backend, Error, Figure, GridData, Mode, Points, Value};

/// 100 points on a line: x = -49.5 .. 49.5, y = x / 10, and a column `v` = x^2 - 100.
fn line() -> Points {
    let x: Vec<f64> = (0..100).map(|i| i as f64 - 49.5).collect();
    let y: Vec<f64> = x.iter().map(|x| x / 10.0).collect();
    let v: Vec<f32> = x.iter().map(|x| (x * x - 100.0) as f32).collect();
    Points::new(&x, &y).unwrap().with_column("v", &v).unwrap()
}

fn figure(value: &str, filter: Option<&str>) -> Figure {
    Figure {
        width: 200,
        height: 120,
        value: Value::expr(value),
        filter: filter.map(String::from),
        axes: false,
        ..Figure::default()
    }
}

fn grid_total(grid: &pointillist::Grid) -> u64 {
    match &grid.data {
        GridData::Counts(c) => c.iter().map(|&c| c as u64).sum(),
        GridData::Values(_) => panic!("a count grid"),
    }
}

#[test]
fn the_filter_leaves_points_out_of_the_picture_the_count_and_the_range() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let points = line();
    // x > 0 keeps 50 points; v > 0 keeps |x| > 10, so 40 of those.
    for (filter, kept) in [("x > 0", 50), ("(x > 0) & (v > 0)", 40), ("0 < x < 10", 10)] {
        for backend in [Backend::Gpu, Backend::Cpu] {
            let fig = Figure {
                mode: Mode::Density,
                agg: Agg::Count,
                backend,
                ..figure("v", Some(filter))
            };
            let frame = ctx.render_frame(&points, &fig).unwrap();
            assert_eq!(frame.kept, kept, "{filter} on {backend}");
            let grid = frame.grid.as_ref().expect("density has a grid");
            assert_eq!(grid_total(grid), kept, "{filter} on {backend}: counted");
        }
    }
    // Left out of the picture: no point on the left half has a colour.
    let fig = Figure {
        mode: Mode::Points,
        point_size: 3.0,
        ..figure("v", Some("x > 0"))
    };
    let img = ctx.render(&points, &fig).unwrap();
    let left_drawn = (0..img.height)
        .flat_map(|y| (0..img.width / 2 - 4).map(move |x| (x, y)))
        .filter(|&(x, y)| img.pixel(x, y).unwrap()[..3] != [255, 255, 255])
        .count();
    assert_eq!(left_drawn, 0, "filtered points were drawn");
    let right_drawn = (0..img.height)
        .flat_map(|y| (img.width / 2 + 4..img.width).map(move |x| (x, y)))
        .filter(|&(x, y)| img.pixel(x, y).unwrap()[..3] != [255, 255, 255])
        .count();
    assert!(right_drawn > 50, "{right_drawn}");
    // Nothing kept: an empty picture, not an error.
    let frame = ctx
        .render_frame(&points, &figure("v", Some("x > 1000")))
        .unwrap();
    assert_eq!(frame.kept, 0);
}

#[test]
fn points_without_a_value_are_counted_and_not_drawn() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let points = line();
    // log(v) has a value where v > 0: |x| > 10, 80 points; sqrt(-x): x <= 0, 50 points.
    for (value, none) in [
        ("log(v)", 20),
        ("sqrt(-x)", 50),
        ("1 / (x - 0.5)", 1),
        ("x", 0),
    ] {
        for backend in [Backend::Gpu, Backend::Cpu] {
            let fig = Figure {
                mode: Mode::Density,
                agg: Agg::Mean,
                backend,
                ..figure(value, None)
            };
            let frame = ctx.render_frame(&points, &fig).unwrap();
            assert_eq!(
                (frame.no_value, frame.kept),
                (none, 100),
                "{value} on {backend}"
            );
        }
    }
    // sqrt(-x) in points mode: the right half has no value, so nothing there.
    let fig = Figure {
        mode: Mode::Points,
        point_size: 3.0,
        ..figure("sqrt(-x)", None)
    };
    let img = ctx.render(&points, &fig).unwrap();
    let right_drawn = (0..img.height)
        .flat_map(|y| (img.width / 2 + 4..img.width).map(move |x| (x, y)))
        .filter(|&(x, y)| img.pixel(x, y).unwrap()[..3] != [255, 255, 255])
        .count();
    assert_eq!(right_drawn, 0);
}

#[test]
fn time_changes_the_picture_and_only_time_does() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let points = Points::generate(pointillist::Dataset::Uniform, 5_000, 3).unwrap();
    let at = |ctx: &mut pointillist::Context, time: f64| {
        let fig = Figure {
            time,
            mode: Mode::Points,
            range: Some((-1.0, 1.0)),
            ..figure("sin(x * 6 + t)", None)
        };
        ctx.render(&points, &fig).unwrap()
    };
    let a = at(&mut ctx, 0.0);
    let b = at(&mut ctx, 1.5);
    let a_again = at(&mut ctx, 0.0);
    assert_eq!(a.rgba, a_again.rgba, "the same time gives the same picture");
    let (_, differ) = common::differences(&a, &b);
    assert!(differ > 1_000, "only {differ} pixels changed with t");
}

#[test]
fn bad_expressions_are_errors_with_a_caret() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let points = line();
    for (value, filter, role, says) in [
        ("log(vv)", None, "value", "did you mean 'v'"),
        ("x +", None, "value", "ends"),
        ("v", Some("v"), "filter", "condition"),
        ("x); } fn evil() {", None, "value", "unexpected character"),
    ] {
        let e = ctx.render(&points, &figure(value, filter)).unwrap_err();
        match &e {
            Error::Expression { role: r, error } => {
                assert_eq!(*r, role, "{value}");
                assert!(error.message.contains(says), "{value}: {e}");
                assert_eq!(e.to_string().lines().count(), 3, "{e}");
            }
            other => panic!("{value}: not an expression error: {other}"),
        }
    }
}

/// The command line loads every file column `--value` and `--filter` name
/// (and only those): the same picture as the API given those columns by
/// hand, with the filter's count, and a row with a missing field skipped.
#[test]
fn the_cli_loads_every_column_the_expressions_name() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("expr-columns");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("boats.csv");
    let mut text = String::from("lon,lat,speed,heading,mass,unused\n");
    let (mut lon, mut lat, mut speed, mut heading, mut mass) =
        (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..2000 {
        let t = i as f64 * 0.01;
        let row = [
            t.cos() * t,
            t.sin() * t,
            (i % 13) as f64,
            t * 0.7,
            (i % 5) as f64 - 1.0,
        ];
        // One row with an empty field in a column the expressions read.
        let speed_text = if i == 7 {
            String::new()
        } else {
            row[2].to_string()
        };
        text += &format!(
            "{},{},{speed_text},{},{},x\n",
            row[0], row[1], row[3], row[4]
        );
        if i != 7 {
            lon.push(row[0]);
            lat.push(row[1]);
            speed.push(row[2]);
            heading.push(row[3]);
            mass.push(row[4]);
        }
    }
    std::fs::write(&csv, text).unwrap();
    let png = dir.join("cli.png");
    let (value, filter) = ("speed * cos(heading)", "mass > 0");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pointillist"))
        .args([
            "render", "--mode", "points", "--width", "240", "--height", "160",
        ])
        .args(["--value", value, "--filter", filter, "--input"])
        .arg(&csv)
        .arg("--output")
        .arg(&png)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("skipped 1 rows"), "{err}");
    let kept = mass.iter().filter(|&&m| m > 0.0).count();
    assert_eq!(kept, 1199);
    assert!(err.contains("kept 1,199 of 1,999 points"), "{err}");

    let points = Points::new(&lon, &lat)
        .unwrap()
        .with_names("lon", "lat")
        .with_column("speed", &speed)
        .unwrap()
        .with_column("heading", &heading)
        .unwrap()
        .with_column("mass", &mass)
        .unwrap();
    let fig = Figure {
        width: 240,
        height: 160,
        mode: Mode::Points,
        value: Value::expr(value),
        filter: Some(filter.into()),
        ..Figure::default()
    };
    let api = ctx.render(&points, &fig).unwrap();
    let cli = pointillist::Image::open_png(&png).unwrap();
    common::assert_images_equal("expr-columns", &cli, &api);

    // A name the file lacks: the expression's error, a caret under the name,
    // the file's columns offered; nothing written.
    let out = dir.join("none.png");
    for (flag, text, want) in [
        (
            "--value",
            "log(speeed) * 2",
            "--value: unknown name 'speeed'; did you mean 'speed'?",
        ),
        (
            "--filter",
            "mas > 0",
            "--filter: unknown name 'mas'; did you mean 'mass'?",
        ),
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_pointillist"))
            .args(["render", flag, text, "--input"])
            .arg(&csv)
            .arg("--output")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert!(!o.status.success(), "{err}");
        assert_eq!(lines.len(), 3, "{err}");
        assert!(lines[0].starts_with(&format!("error: {want}")), "{err}");
        assert!(lines[0].contains("heading, mass, unused"), "{err}");
        assert_eq!(lines[1].trim(), text);
        assert!(lines[2].trim_start().starts_with('^'), "{err}");
        assert!(!out.exists());
    }
}
