//! The `pointillist` binary: the success path writes a PNG of the asked size;
//! every bad input is one line on stderr, a non-zero exit, no panic, and no
//! file written.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pointillist::Image;

fn read_png(path: &Path) -> pointillist::Result<(u32, u32, Vec<u8>)> {
    let i = Image::open_png(path)?;
    Ok((i.width, i.height, i.rgba))
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pointillist"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run pointillist")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn render_writes_a_png_of_the_asked_size() {
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("ok");
    let out = dir.join("out.png");
    let o = run(&[
        "render",
        "--output",
        out.to_str().unwrap(),
        "--points",
        "20k",
        "--width",
        "320",
        "--height",
        "200",
        "--colormap",
        "magma_r",
        "--value",
        "radius",
        "--point-size",
        "1.5",
        "--opacity",
        "0.8",
        "--background",
        "#102030",
        "--backend",
        "gpu",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (w, h, rgba) = read_png(&out).unwrap();
    assert_eq!((w, h), (320, 200));
    // The corner is background, and many pixels are not.
    assert_eq!(&rgba[..4], &[0x10, 0x20, 0x30, 255]);
    let drawn = rgba
        .chunks(4)
        .filter(|p| p[..3] != [0x10, 0x20, 0x30])
        .count();
    assert!(drawn > 2000, "{drawn} pixels drawn");
    let err = stderr(&o);
    assert!(
        err.contains("20,000 points") && err.contains("wrote"),
        "{err}"
    );
    for stage in ["upload", "compute", "draw", "readback", "png"] {
        assert!(err.contains(stage), "stage {stage} missing: {err}");
    }
}

fn assert_clean_failure(args: &[&str], expect: &str, out: &Path) {
    let o = run(args);
    let err = stderr(&o);
    assert!(!o.status.success(), "{args:?} succeeded");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    // The README's promise: one line on stderr; an expression's error adds
    // the expression and a caret under the column. (A setting that only the
    // data can refute fails after the reports of the load, "loaded ...", and
    // of the points and adapter, "pointillist: N points ... on ADAPTER".)
    let report = |l: &&str| l.starts_with("loaded ") || l.starts_with("pointillist: ");
    let lines: Vec<&str> = err.lines().filter(|l| !report(l)).collect();
    let err = lines.join("\n");
    let caret = lines.len() == 3 && lines[2].trim_start().starts_with('^');
    assert!(lines.len() == 1 || caret, "{args:?}: not one line: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(
        err.to_lowercase().contains(&expect.to_lowercase()),
        "{args:?}: expected '{expect}' in: {err}"
    );
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = scratch("bad");
    let out = dir.join("x.png");
    let o = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--colormap", "parula"], "valid: viridis"),
        (&["--value", "x*"], "--value: the expression ends"),
        (&["--value", "speeed * 2"], "unknown name 'speeed'"),
        (&["--value", "sin(x, y)"], "sin takes 1 argument"),
        (&["--filter", "x + 1"], "--filter: a filter is a condition"),
        (&["--filter", "x >"], "--filter: the expression ends"),
        (&["--time", "nan"], "--time NaN"),
        (&["--points", "0"], "at least 1 point"),
        (&["--points", "many"], "not a point count"),
        (&["--point-size", "0"], "point-size"),
        (&["--point-size", "-2"], "point-size"),
        (&["--opacity", "1.5"], "opacity"),
        (&["--range", "5", "5"], "LO must be less than HI"),
        (&["--range", "3", "-1"], "LO must be less than HI"),
        (&["--x-range", "0", "nan"], "x-range"),
        (&["--background", "reddish"], "unknown colour"),
        (&["--width", "0"], "width and height"),
        (&["--height", "100000"], "width and height"),
        (&["--value", "data"], "no value columns"),
        (&["--select-polygon", "0,0,1"], "do not make (x, y) pairs"),
        (&["--select-polygon", "0,0,1,1"], "at least 3 vertices"),
        (&["--select-polygon", "0,0,a,1,2,0"], "'a' is not a number"),
        (&["--select-polygon", "0,0,inf,1,2,0"], "not finite"),
        (&["--how", "log"], "how shades density mode only"),
        (&["--category", "k"], "--category 'k': no such column"),
        (
            &["--size-by", "radius", "--size-range", "9", "2"],
            "--size-range 9 2: MIN must be at most MAX",
        ),
        (
            &["--size-by", "radius", "--size-range", "0", "2"],
            "more than 0",
        ),
        (
            &["--size-by", "radius", "--mode", "density"],
            "--size-by draws discs",
        ),
        (
            &["--size-by", "radiuss"],
            "--size-by: unknown name 'radiuss'",
        ),
        (
            &["--category-colors", "#f00,#0f0"],
            "need a category column",
        ),
        (
            &["--mode", "splat", "--how", "cbrt"],
            "how shades density mode only",
        ),
        (&["--norm", "power"], "give the exponent"),
        (&["--norm", "power:0"], "more than 0"),
        (&["--norm", "lg"], "unknown norm 'lg'"),
        (
            &["--norm", "log", "--value", "-radius"],
            "--norm log: no value is above 0",
        ),
        (
            &["--norm", "log", "--range", "-1", "5"],
            "log norm needs a range above 0",
        ),
        (
            &["--norm", "log", "--mode", "density"],
            "density counts are shaded by how",
        ),
        (
            &[
                "--norm", "log", "--mode", "density", "--agg", "mean", "--how", "cbrt",
            ],
            "give one of them",
        ),
    ];
    for (extra, expect) in cases {
        let mut args = vec!["render", "--output", o];
        if !extra.contains(&"--points") {
            args.extend_from_slice(&["--points", "100"]);
        }
        args.extend_from_slice(extra);
        assert_clean_failure(&args, expect, &out);
    }
}

#[test]
fn unwritable_output_fails_before_work_and_touches_nothing_else() {
    let dir = scratch("unwritable");
    let keep = dir.join("keep.png");
    std::fs::write(&keep, b"user data").unwrap();
    let missing = dir.join("no/such/folder/x.png");
    assert_clean_failure(
        &[
            "render",
            "--output",
            missing.to_str().unwrap(),
            "--points",
            "10",
        ],
        "does not exist",
        &missing,
    );
    assert_clean_failure(
        &[
            "render",
            "--output",
            dir.to_str().unwrap(),
            "--points",
            "10",
        ],
        "is a directory",
        &missing,
    );
    // The folder given as the output holds what it held, unchanged.
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, [std::ffi::OsString::from("keep.png")]);
    assert_eq!(std::fs::read(&keep).unwrap(), b"user data");
}

#[test]
fn help_lists_the_commands() {
    let o = run(&["--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    for cmd in ["view", "render"] {
        assert!(text.contains(cmd), "{text}");
    }
}

#[test]
fn render_reads_files_and_leaves_them_untouched() {
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("input");
    let data = format!("{}/tests/data", env!("CARGO_MANIFEST_DIR"));
    for (file, extra, expect) in [
        ("points_f64.npy", &[][..], "5 points"),
        ("points_struct.npy", &["--value", "x"][..], "3 points"),
        ("points.csv", &["--value", "value"][..], "skipped 1 rows"),
    ] {
        let input = format!("{data}/{file}");
        let before = std::fs::read(&input).unwrap();
        let out = dir.join(format!("{file}.png"));
        let mut args = vec![
            "render",
            "--input",
            &input,
            "--output",
            out.to_str().unwrap(),
            "--width",
            "120",
            "--height",
            "80",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{file}: {}", stderr(&o));
        assert_eq!(read_png(&out).unwrap().0, 120);
        assert_eq!(std::fs::read(&input).unwrap(), before, "{file} changed");
    }
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = scratch("badfiles");
    let out = dir.join("x.png");
    let o = out.to_str().unwrap();
    let garbage = dir.join("garbage.npy");
    std::fs::write(&garbage, b"\x93NUMPY\x01\x00garbage").unwrap();
    let csv = format!("{}/tests/data/points.csv", env!("CARGO_MANIFEST_DIR"));
    let species = format!("{}/tests/data/species.csv", env!("CARGO_MANIFEST_DIR"));
    // An id column: more distinct labels than categories may have.
    let ids = dir.join("ids.csv");
    let rows: String = (0..70_000).map(|i| format!("{i},{i},id{i}\n")).collect();
    std::fs::write(&ids, format!("x,y,id\n{rows}")).unwrap();
    let empty = dir.join("empty-dataset");
    std::fs::create_dir_all(&empty).unwrap();
    let nothing = dir.join("none-*.parquet");
    let dataset = format!("{}/tests/data/dataset", env!("CARGO_MANIFEST_DIR"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--input", empty.to_str().unwrap()], "empty-dataset: no .parquet or .pq files"),
        (vec!["--input", nothing.to_str().unwrap()], "the pattern matches no file"),
        (vec!["--input", &dataset, "--value", "weight"], "unknown name 'weight'. Names: x, y, index, t, radius, angle, wave, pi, e, x, y, mass, year, region"),
        (
            vec!["--input", &species, "--category", "kind"],
            "no column named 'kind'",
        ),
        (
            vec!["--input", &species, "--category", "species", "--value", "x"],
            "--category 'species' cannot be combined with a value",
        ),
        (
            vec![
                "--input",
                &species,
                "--category",
                "species",
                "--mode",
                "splat",
            ],
            "cannot be combined with splat mode",
        ),
        (
            vec![
                "--input",
                &species,
                "--category",
                "species",
                "--category-colors",
                "#f00,#0f0",
            ],
            "2 given for the 4 categories of 'species'",
        ),
        (
            vec![
                "--input",
                &species,
                "--category",
                "species",
                "--category-colors",
                "#f00,nope",
            ],
            "--category-colors: unknown colour 'nope'",
        ),
        (
            vec!["--input", ids.to_str().unwrap(), "--category", "id"],
            "more than 65536 distinct labels",
        ),
        (
            vec!["--colormap", "/no/such/map.json"],
            "--colormap: colormap file /no/such/map.json",
        ),
        (vec!["--colormap", &csv], "is not a colour"),
        (vec!["--input", "/no/such/file.npy"], "/no/such/file.npy"),
        (vec!["--input", garbage.to_str().unwrap()], "garbage.npy"),
        (vec!["--input", &csv, "--x", "nosuch"], "nosuch"),
        (vec!["--input", &csv, "--format", "xls"], "unknown format"),
    ];
    for (extra, expect) in cases {
        let mut args = vec!["render", "--output", o];
        args.extend_from_slice(&extra);
        assert_clean_failure(&args, expect, &out);
    }
}

#[test]
fn density_exports_its_counts_as_npy() {
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("export");
    let (png, npy) = (dir.join("d.png"), dir.join("counts.npy"));
    let o = run(&[
        "render",
        "--output",
        png.to_str().unwrap(),
        "--points",
        "30000",
        "--dataset",
        "uniform",
        "--mode",
        "density",
        "--no-axes",
        "--width",
        "64",
        "--height",
        "48",
        "--export-aggregate",
        npy.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&npy).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(
        header.contains("'descr': '<u4'") && header.contains("'shape': (48, 64)"),
        "{header}"
    );
    assert_eq!((10 + header_len) % 64, 0, "header padded to 64 bytes");
    let counts: Vec<u32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(counts.len(), 48 * 64);
    // The fitted view holds every point, each counted once.
    assert_eq!(counts.iter().map(|&c| c as u64).sum::<u64>(), 30_000);
    // Cell for cell the grid the library makes of the same points (whose
    // row 0 is the top: tests/api.rs).
    let mut ctx = common::context().unwrap();
    let same = pointillist::Points::generate(pointillist::Dataset::Uniform, 30_000, 1).unwrap();
    let figure = pointillist::Figure {
        width: 64,
        height: 48,
        mode: pointillist::Mode::Density,
        axes: false,
        ..Default::default()
    };
    let grid = ctx.render_frame(&same, &figure).unwrap().grid.unwrap();
    assert_eq!(grid.data, pointillist::GridData::Counts(counts.clone()));
    // It also loads back through pointillist's own .npy reader.
    let options = pointillist::LoadOptions {
        value: Some("5".into()),
        ..Default::default()
    };
    let back = pointillist::Points::load(&npy, &options).unwrap();
    assert_eq!(back.len(), 48);
    let column: Vec<f32> = (0..48).map(|r| counts[r * 64 + 5] as f32).collect();
    assert_eq!(back.column("column 5"), Some(column.as_slice()));

    let out = dir.join("p.png");
    assert_clean_failure(
        &[
            "render",
            "--output",
            out.to_str().unwrap(),
            "--points",
            "10",
            "--mode",
            "points",
            "--export-aggregate",
            npy.to_str().unwrap(),
        ],
        "needs --mode density",
        &out,
    );
}

/// The header and the body of an .npy file written by `--export-aggregate`.
fn read_npy(path: &Path) -> (String, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len])
        .unwrap()
        .to_string();
    (header, bytes[10 + header_len..].to_vec())
}

#[test]
fn density_exports_a_mean_of_the_values_where_points_fall() {
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("export-mean");
    let export = |agg: &str| {
        let (png, npy) = (
            dir.join(format!("{agg}.png")),
            dir.join(format!("{agg}.npy")),
        );
        let o = run(&[
            "render",
            "--output",
            png.to_str().unwrap(),
            "--points",
            "20000",
            "--dataset",
            "uniform",
            "--value",
            "x",
            "--mode",
            "density",
            "--agg",
            agg,
            "--x-range",
            "0",
            "1",
            "--y-range",
            "0",
            "1",
            "--no-axes",
            "--width",
            "40",
            "--height",
            "30",
            "--export-aggregate",
            npy.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_npy(&npy)
    };
    let (header, body) = export("mean");
    assert!(header.contains("'descr': '<f4'"), "{header}");
    assert!(header.contains("'shape': (30, 40)"), "{header}");
    let means: Vec<f32> = bytemuck::pod_collect_to_vec(&body);
    let (_, body) = export("count");
    let counts: Vec<u32> = bytemuck::pod_collect_to_vec(&body);
    assert_eq!(means.len(), counts.len());
    for (i, (m, c)) in means.iter().zip(&counts).enumerate() {
        assert_eq!(
            m.is_nan(),
            *c == 0,
            "cell {i}: NaN exactly where no point fell"
        );
        if *c > 0 {
            // x is uniform in [0, 1): the mean of column j's points lies inside column j.
            let j = (i % 40) as f32;
            assert!(
                *m >= j / 40.0 - 1e-4 && *m <= (j + 1.0) / 40.0 + 1e-4,
                "cell {i}: mean x {m} outside its column"
            );
        }
    }
}

#[test]
fn an_aggregate_needs_density_mode() {
    let dir = scratch("agg-mode");
    let out = dir.join("a.png");
    assert_clean_failure(
        &[
            "render",
            "--output",
            out.to_str().unwrap(),
            "--points",
            "10",
            "--mode",
            "splat",
            "--agg",
            "mean",
        ],
        "--agg mean: per-pixel aggregates of values need --mode density",
        &out,
    );
    assert_clean_failure(
        &[
            "render",
            "--output",
            out.to_str().unwrap(),
            "--agg",
            "median",
        ],
        "invalid value 'median'",
        &out,
    );
}

/// The README: `--order morton` sorts the points for faster splats and keeps
/// the picture (splat and density aggregate per pixel, and sums are exact, so
/// the order of the points cannot show) and `index` (each point's input row).
/// Also: `--backend auto` (the default) aggregates on the CPU where the only
/// adapter is a software rasteriser, on the GPU elsewhere.
#[test]
fn morton_order_draws_the_same_picture_and_auto_picks_the_backend() {
    let Some(ctx) = common::context() else {
        return;
    };
    let auto = if ctx.is_software() { "Cpu" } else { "Gpu" };
    let dir = scratch("morton");
    let cases: [(&str, &[&str]); 3] = [
        ("gpu", &["--mode", "splat", "--value", "index"]),
        (
            "cpu",
            &["--mode", "density", "--agg", "mean", "--value", "radius"],
        ),
        (
            "auto",
            &["--mode", "density", "--agg", "sum", "--value", "x*y"],
        ),
    ];
    for (c, (backend, case)) in cases.into_iter().enumerate() {
        let mut pngs = vec![];
        for order in ["input", "morton"] {
            let out = dir.join(format!("{c}-{backend}-{order}.png"));
            let mut args = vec![
                "render",
                "--points",
                "40000",
                "--dataset",
                "clusters",
                "--width",
                "200",
                "--height",
                "140",
                "--backend",
                backend,
                "--order",
                order,
                "--output",
                out.to_str().unwrap(),
            ];
            args.extend_from_slice(case);
            let o = run(&args);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            let want = match backend {
                "auto" => auto,
                "gpu" => "Gpu",
                _ => "Cpu",
            };
            assert!(
                stderr(&o).contains(&format!("backend {want}")),
                "{args:?}: expected backend {want}: {}",
                stderr(&o)
            );
            pngs.push(Image::open_png(&out).unwrap());
        }
        common::assert_images_equal(&format!("morton-{c}-{backend}"), &pngs[1], &pngs[0]);
    }
}

/// An L-shaped polygon (edges on quarter units) over a 20 x 10 lattice from a
/// CSV: the selection file holds exactly the lattice points inside, by row,
/// with their values; a second run writes a second file; `--probe` at a
/// point's pixel names that point.
#[test]
fn render_selects_a_polygon_into_a_new_file_and_probes_a_pixel() {
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("select");
    let input = dir.join("lattice.csv");
    let mut csv = String::from("x,y,speed\n");
    let mut pts = vec![];
    for y in 0..10 {
        for x in 0..20 {
            let speed = x as f64 * 0.5 + y as f64;
            csv += &format!("{x},{y},{speed}\n");
            pts.push((x as f64, y as f64, speed));
        }
    }
    std::fs::write(&input, &csv).unwrap();
    let poly = [
        (2.25, 1.25),
        (12.75, 1.25),
        (12.75, 3.75),
        (6.75, 3.75),
        (6.75, 8.25),
        (2.25, 8.25),
    ];
    let inside = |x: f64, y: f64| {
        (2.25..12.75).contains(&x) && (1.25..3.75).contains(&y)
            || (2.25..6.75).contains(&x) && (1.25..8.25).contains(&y)
    };
    let poly_arg: Vec<String> = poly.iter().map(|(x, y)| format!("{x},{y}")).collect();
    let poly_arg = poly_arg.join(",");
    let out = dir.join("sel.png");
    let args = [
        "render",
        "--input",
        input.to_str().unwrap(),
        "--value",
        "speed",
        "--output",
        out.to_str().unwrap(),
        "--width",
        "200",
        "--height",
        "100",
        "--no-axes",
        "--x-range",
        "-0.5",
        "19.5",
        "--y-range",
        "-0.5",
        "9.5",
        "--select-polygon",
        &poly_arg,
        "--probe",
        "35",
        "55",
    ];
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let first = dir.join("pointillist-selection-0001.csv");
    let want: Vec<usize> = (0..pts.len())
        .filter(|&i| inside(pts[i].0, pts[i].1))
        .collect();
    assert!(
        stdout.contains(&format!(
            "selected {} points: wrote {}",
            want.len(),
            first.display()
        )),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&first).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("index,x,y,\"speed\""));
    let rows: Vec<(usize, f64, f64, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), want);
    for &(i, x, y, v) in &rows {
        assert_eq!((x, y, v), pts[i], "row {i}");
    }
    // The probe: pixel (35, 55) is the centre of point (3, 4), row 83.
    assert!(stdout.contains("probe 35 55: x = 3.0, y = 4.0"), "{stdout}");
    assert!(stdout.contains("probe 35 55: speed = 5.5"), "{stdout}");
    assert!(stdout.contains("probe 35 55: row 83"), "{stdout}");
    // Of an expression: its value, then the columns it reads.
    // (The same view: `args` less its value, output and polygon.)
    let expr_out = dir.join("expr.png");
    let mut expr_args = args.to_vec();
    expr_args.drain(3..7);
    expr_args.retain(|a| *a != "--select-polygon" && *a != poly_arg);
    expr_args.extend([
        "--value",
        "speed * 2 - x",
        "--filter",
        "speed > 1",
        "--output",
        expr_out.to_str().unwrap(),
    ]);
    let o = run(&expr_args);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains("probe 35 55: speed * 2 - x = 8\n"), "{said}");
    assert!(said.contains("probe 35 55: speed = 5.5\n"), "{said}");
    // Again: a new file, the first untouched, the input untouched.
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&first).unwrap(), written);
    let second = dir.join("pointillist-selection-0002.csv");
    assert_eq!(std::fs::read_to_string(&second).unwrap(), written);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), csv);
}

/// `render` of a view reads only the Parquet row groups whose x/y statistics
/// meet it, and draws the picture a CSV of the same points gives.
#[test]
fn render_skips_row_groups_outside_its_view() {
    use parquet::data_type::DoubleType;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("prune");
    // Four row groups, group g holding x in [g, g + 1).
    let parquet = dir.join("groups.parquet");
    let schema = Arc::new(
        parse_message_type("message m { required double x; required double y; }").unwrap(),
    );
    let props = Arc::new(WriterProperties::builder().build());
    let mut w =
        SerializedFileWriter::new(std::fs::File::create(&parquet).unwrap(), schema, props).unwrap();
    let mut csv = String::from("x,y\n");
    for g in 0..4 {
        let xs: Vec<f64> = (0..500)
            .map(|i| g as f64 + (i as f64 * 0.618).fract())
            .collect();
        let ys: Vec<f64> = (0..500).map(|i| (i as f64 * 0.377).fract()).collect();
        for (x, y) in xs.iter().zip(&ys) {
            csv += &format!("{x:?},{y:?}\n");
        }
        let mut rg = w.next_row_group().unwrap();
        for v in [&xs, &ys] {
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<DoubleType>()
                .write_batch(v, None, None)
                .unwrap();
            col.close().unwrap();
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
    let text = dir.join("groups.csv");
    std::fs::write(&text, csv).unwrap();
    let view = [
        "--mode",
        "density",
        "--x-range",
        "1.2",
        "1.8",
        "--y-range",
        "0",
        "1",
        "--width",
        "200",
        "--height",
        "120",
    ];
    let draw = |input: &Path, name: &str| {
        let out = dir.join(name);
        let o = run(&[
            &[
                "render",
                "--input",
                input.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ][..],
            &view[..],
        ]
        .concat());
        assert!(o.status.success(), "{}", stderr(&o));
        (Image::open_png(&out).unwrap(), stderr(&o))
    };
    let (pruned, said) = draw(&parquet, "pruned.png");
    assert!(
        said.contains("read 1 of 4 row groups (3 outside the view"),
        "{said}"
    );
    let (full, said) = draw(&text, "full.png");
    assert!(!said.contains("row groups"), "{said}");
    assert!(pruned.rgba == full.rgba, "pruning changed the picture");
    // Without both ranges (the view is fitted to all points) nothing is skipped.
    let o = run(&[
        "render",
        "--input",
        parquet.to_str().unwrap(),
        "--output",
        dir.join("all.png").to_str().unwrap(),
        "--mode",
        "density",
    ]);
    assert!(
        o.status.success() && !stderr(&o).contains("row groups"),
        "{}",
        stderr(&o)
    );
}

/// Without any GPU driver (the Vulkan loader pointed at no driver, GL off)
/// `render` still works: `--backend cpu` and `auto` make the frame on the
/// CPU and say so, and the picture is the one a machine with a driver makes
/// on the CPU; `--backend gpu` is a one-line error.
#[test]
fn without_a_gpu_driver_render_makes_the_frame_on_the_cpu() {
    let dir = scratch("no-driver");
    let hidden = |c: &mut Command| {
        c.env("VK_ICD_FILENAMES", dir.join("no-such-driver.json"))
            .env("VK_DRIVER_FILES", dir.join("no-such-driver.json"))
            .env("WGPU_BACKEND", "vulkan");
    };
    let args = |out: &Path, backend: &str| {
        [
            "render",
            "--points",
            "20000",
            "--dataset",
            "clusters",
            "--width",
            "320",
            "--height",
            "200",
            "--backend",
            backend,
            "--output",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([out.to_str().unwrap().to_string()])
        .collect::<Vec<_>>()
    };
    let mut pngs = vec![];
    for backend in ["cpu", "auto"] {
        let out = dir.join(format!("{backend}.png"));
        let mut c = bin();
        c.args(args(&out, backend));
        hidden(&mut c);
        let o = c.output().unwrap();
        assert!(o.status.success(), "{backend}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("frame made on the CPU (no GPU device)"),
            "{backend}: {err}"
        );
        pngs.push(read_png(&out).unwrap());
    }
    assert_eq!(pngs[0], pngs[1], "cpu and auto without a driver");
    // With the drivers this machine has, --backend cpu gives the same picture.
    let out = dir.join("with-driver.png");
    let o = run(&args(&out, "cpu")
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read_png(&out).unwrap(),
        pngs[0],
        "the CPU frame with a driver"
    );
    let out = dir.join("gpu.png");
    let mut c = bin();
    c.args(args(&out, "gpu"));
    hidden(&mut c);
    let o = c.output().unwrap();
    assert!(
        !o.status.success(),
        "--backend gpu without a driver succeeded"
    );
    let err = stderr(&o);
    assert!(
        err.contains("no GPU adapter") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "a failed render wrote {}", out.display());
}
