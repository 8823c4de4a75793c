//! End-to-end tests of `pointillist view`.
//!
//! Under a private Xvfb server the test drives the real window with xdotool
//! (wheel, left-drag, `s`, `e` with a typed expression, `a`, `q`), then checks that each screenshot the viewer
//! saved equals `pointillist render` for the camera the viewer printed, and
//! that the window itself shows those colours. Without Xvfb or xdotool it is
//! skipped locally and fails under CI=true. Also: without a display, `view`
//! fails with one line that points at `render`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::ci;
use common::window::{bin, changed, flag, on_path, parse_saved, rgb, run_for, Session, X};

use pointillist::Image;

/// A fresh scratch folder for a viewer test, or None (the test skips) where
/// there is no GPU adapter or no Xvfb, xdotool or ImageMagick (a failure
/// under CI=true).
fn viewer_dir(name: &str) -> Option<PathBuf> {
    common::gpu()?;
    if !on_path("Xvfb") || !on_path("xdotool") || !on_path("import") {
        assert!(
            !ci(),
            "CI=true and Xvfb, xdotool or imagemagick not installed"
        );
        eprintln!("skipping: Xvfb, xdotool or imagemagick not installed");
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

/// The points, shown without axes so that the plot area is the whole window
/// and a pixel maps to data by the printed ranges alone.
const DATA: [&str; 7] = [
    "--points",
    "20000",
    "--dataset",
    "uniform",
    "--seed",
    "3",
    "--no-axes",
];

#[test]
fn view_without_a_display_points_at_render() {
    let o = bin()
        .args(["view", "--points", "1000"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("no display found") && err.contains("pointillist render"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// One viewer at a time: two windows driven at once on two cores miss input.
static ONE_VIEWER: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn view_under_xvfb_zooms_pans_and_saves_what_render_draws() {
    let _one = ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner());
    if common::gpu().is_none() {
        return;
    }
    let missing: Vec<&str> = ["Xvfb", "xdotool"]
        .into_iter()
        .filter(|t| !on_path(t))
        .collect();
    if !missing.is_empty() {
        assert!(!ci(), "CI=true and {missing:?} not installed");
        eprintln!("skipping: {missing:?} not installed");
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let args: Vec<String> = [&DATA[..], &["--width", "640", "--height", "400", "-v"]]
        .concat()
        .into_iter()
        .map(String::from)
        .collect();
    let mut session = Session::open(&dir, &args);
    let x = X {
        display: session.x.display.clone(),
    };
    let wid = session.wid.clone();
    let log_path = session.log.clone();
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    // S saves a screenshot and prints its name (pressed again if missed).
    let save = || session.save_line();
    let saved_home =
        save().unwrap_or_else(|| panic!("no screenshot saved; viewer said:\n{}", log()));
    let (_, home) = parse_saved(&saved_home);

    // Zoom in twice at the cursor, then drag the content 100 px left and 60 px down.
    x.xdotool(&["mousemove", "--window", &wid, "380", "180"]);
    x.xdotool(&["click", "4"]);
    x.xdotool(&["click", "4"]);
    x.xdotool(&["mousedown", "1"]);
    x.xdotool(&["mousemove", "--window", &wid, "330", "210"]);
    x.xdotool(&["mousemove", "--window", &wid, "280", "240"]);
    x.xdotool(&["mouseup", "1"]);
    let saved = save().unwrap_or_else(|| panic!("no screenshot saved; viewer said:\n{}", log()));
    let (shot, flags) = parse_saved(&saved);
    assert_eq!(shot.parent().unwrap(), dir, "{saved}");
    assert!(
        shot.file_name().unwrap() == "pointillist-0002.png",
        "{saved}"
    );

    // The data point that was under the cursor stayed under it while zooming,
    // then followed the drag to (280, 240); the view is narrower.
    let (w, h) = (flag(&flags, "--width", 0), flag(&flags, "--height", 0));
    let to_data = |f: &[String], px: f64, py: f64| {
        let (x0, x1) = (flag(f, "--x-range", 0), flag(f, "--x-range", 1));
        let (y0, y1) = (flag(f, "--y-range", 0), flag(f, "--y-range", 1));
        (x0 + px / w * (x1 - x0), y1 - py / h * (y1 - y0))
    };
    let to_pixel = |f: &[String], (x, y): (f64, f64)| {
        let (x0, x1) = (flag(f, "--x-range", 0), flag(f, "--x-range", 1));
        let (y0, y1) = (flag(f, "--y-range", 0), flag(f, "--y-range", 1));
        ((x - x0) / (x1 - x0) * w, (y1 - y) / (y1 - y0) * h)
    };
    // Pixel centres: the pointer at pixel (380, 180) is at 380.5, 180.5 or on the edge.
    let grabbed = to_data(&home, 380.0, 180.0);
    let (px, py) = to_pixel(&flags, grabbed);
    assert!(
        (px - 280.0).abs() <= 1.0 && (py - 240.0).abs() <= 1.0,
        "the point under the cursor went to ({px:.2}, {py:.2}), not (280, 240): {saved_home} / {saved}"
    );
    let width = |f: &[String]| flag(f, "--x-range", 1) - flag(f, "--x-range", 0);
    assert!(width(&flags) < 0.9 * width(&home), "not zoomed in: {saved}");

    // The window shows the screenshot's colours: no sRGB encoding on the way.
    if on_path("import") {
        std::thread::sleep(Duration::from_millis(1500));
        let grab = dir.join("window.png");
        let o = run_for(
            Command::new("import")
                .args(["-window", &wid, "-depth", "8"])
                .arg(format!("PNG24:{}", grab.display()))
                .env("DISPLAY", &x.display),
            Duration::from_secs(30),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // The same draw path into a Bgra8Unorm surface and an Rgba8Unorm
        // texture: lavapipe rounds a few blended disc edges differently
        // between the two formats (seen: 3 pixels off by 1 of 256,000), so
        // allow that and nothing more. An sRGB encode would move most pixels.
        let window = Image::open_png(&grab).unwrap();
        let screenshot = Image::open_png(&shot).unwrap();
        let allowed = (window.width * window.height) as usize / 10_000;
        common::assert_images_within("view-window", &window, &screenshot, 1, allowed);
    } else {
        assert!(!ci(), "CI=true and imagemagick's import is not installed");
    }

    // `e` opens the expression line: a new value changes the picture (and the
    // screenshot names it, so `render` can redraw it) ...
    x.xdotool(&["key", "e"]);
    for _ in 0..6 {
        x.xdotool(&["key", "BackSpace"]);
    }
    x.xdotool(&["type", "--delay", "30", "--", "-x*2"]);
    x.xdotool(&["key", "Return"]);
    let wait_log = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !log().contains(what) {
            assert!(
                Instant::now() < deadline,
                "no '{what}'; viewer said:\n{}",
                log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_log("value: -x*2");
    let saved_expr =
        save().unwrap_or_else(|| panic!("no screenshot after --value; viewer said:\n{}", log()));
    let (shot_expr, flags_expr) = parse_saved(&saved_expr);
    assert!(saved_expr.contains("--value -x*2"), "{saved_expr}");
    let (_, changed) = common::differences(
        &Image::open_png(&shot).unwrap(),
        &Image::open_png(&shot_expr).unwrap(),
    );
    assert!(
        changed > 1_000,
        "the new value changed only {changed} pixels"
    );
    // ... and a broken one is an error in place, leaving the picture as it was.
    x.xdotool(&["key", "e"]);
    x.xdotool(&["type", "--delay", "30", "+*"]);
    x.xdotool(&["key", "Return"]);
    wait_log("error: value: expected a number, name or '(' before '*'");
    x.xdotool(&["key", "Escape"]);
    let saved_kept =
        save().unwrap_or_else(|| panic!("no screenshot after the error; viewer said:\n{}", log()));
    let (shot_kept, _) = parse_saved(&saved_kept);
    assert!(saved_kept.contains("--value -x*2"), "{saved_kept}");
    common::assert_images_equal(
        "view-after-error",
        &Image::open_png(&shot_kept).unwrap(),
        &Image::open_png(&shot_expr).unwrap(),
    );

    // `a` switches to density mode and then to its next aggregate (a press may be
    // missed: either way the screenshot names the aggregate it shows).
    x.xdotool(&["key", "a"]);
    x.xdotool(&["key", "a"]);
    let saved_density =
        save().unwrap_or_else(|| panic!("no density screenshot saved; viewer said:\n{}", log()));
    let (shot_density, flags_density) = parse_saved(&saved_density);
    assert!(
        saved_density.contains("--mode density --agg "),
        "{saved_density}"
    );

    // Q quits, cleanly.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut next_press = Instant::now();
    let status = loop {
        if let Some(status) = session.viewer.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "viewer did not quit:\n{}", log());
        if Instant::now() >= next_press {
            x.xdotool(&["key", "q"]);
            next_press = Instant::now() + Duration::from_secs(5);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "viewer exited with {status}:\n{}", log());
    assert!(!log().contains("panicked"), "{}", log());
    // -v: the adapter's details at start; at the end, the values were derived
    // twice (at start and for `-x*2`): zooming, panning, the broken
    // expression, the mode and aggregate changes and the screenshots derived
    // nothing.
    assert!(log().contains("  adapter: AdapterInfo"), "{}", log());
    assert!(
        log().contains("frames drawn, values derived 2 times"),
        "{}",
        log()
    );

    // `render` with the printed flags draws the same pixels.
    assert_render_matches(&dir, &flags, &shot, "view-screenshot");
    assert_render_matches(&dir, &flags_expr, &shot_expr, "view-expression");
    assert_render_matches(&dir, &flags_density, &shot_density, "view-density");
}

/// `pointillist render` with the `flags` a screenshot printed gives its pixels.
fn assert_render_matches(dir: &Path, flags: &[String], shot: &Path, name: &str) {
    let rendered = dir.join(format!("{name}-render.png"));
    let o = bin()
        .arg("render")
        .args(DATA)
        .args(flags)
        .arg("--output")
        .arg(&rendered)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = Image::open_png(&rendered).unwrap();
    let actual = Image::open_png(shot).unwrap();
    assert_eq!(
        (actual.width as f64, actual.height as f64),
        (flag(flags, "--width", 0), flag(flags, "--height", 0))
    );
    // The same camera; the GPU's frame and (here) the CPU's within 1/255.
    common::assert_frames_agree(name, &actual, &expected);
}

/// The lattice: 100 points 1e-6 apart around (1234.5, 678.25), with
/// (0, 0) and (2000, 1000) beside them, as raw f64 (x, y, value) records.
fn lattice_file(dir: &Path) -> (PathBuf, Vec<(f64, f64)>) {
    let mut pts = vec![(0.0, 0.0), (2000.0, 1000.0)];
    for j in 0..10 {
        for i in 0..10 {
            pts.push((1234.5 + i as f64 * 1e-6, 678.25 + j as f64 * 1e-6));
        }
    }
    let mut bytes = vec![];
    for &(x, y) in &pts {
        for v in [x, y, 1.0f64] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    let path = dir.join("lattice.f64");
    std::fs::write(&path, bytes).unwrap();
    (path, pts[2..].to_vec())
}

#[test]
fn view_zooms_with_the_wheel_into_a_lattice_and_draws_it_exactly() {
    let _one = ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(dir) = viewer_dir("view-zoom") else {
        return;
    };
    let (file, lattice) = lattice_file(&dir);
    let data: Vec<String> = [
        "-i",
        file.to_str().unwrap(),
        "--format",
        "f64xyv",
        "--no-axes",
        "--range",
        "0",
        "1",
    ]
    .map(String::from)
    .to_vec();

    let session = Session::open(
        &dir,
        &[
            &data[..],
            &["--width", "400", "--height", "400", "--point-size", "8"].map(String::from),
            // (The screenshot names these; a bare 0 would be column 0.)
            &["--mode", "points", "--colormap", "gray", "--value", "0*x"].map(String::from),
        ]
        .concat(),
    );
    let (x, wid) = (&session.x, &session.wid);
    let save = || session.save();
    let to_pixel = |f: &[String], (px, py): (f64, f64)| {
        let (x0, x1) = (flag(f, "--x-range", 0), flag(f, "--x-range", 1));
        let (y0, y1) = (flag(f, "--y-range", 0), flag(f, "--y-range", 1));
        let (w, h) = (flag(f, "--width", 0), flag(f, "--height", 0));
        ((px - x0) / (x1 - x0) * w, (y1 - py) / (y1 - y0) * h)
    };
    // From the whole data (2000 wide) down to the lattice (2e-5 wide): a
    // wheel zoom at the cursor, at most 10 clicks at a time, the cursor put
    // back on the lattice's centre after each (the view just saved says where
    // it is). A click zooms 1.1x per wheel event; Xvfb may send two.
    let centre = (1234.5 + 4.5e-6, 678.25 + 4.5e-6);
    let (mut shot, mut flags) = save();
    for stage in 0.. {
        let width = flag(&flags, "--x-range", 1) - flag(&flags, "--x-range", 0);
        if width < 3e-5 {
            break;
        }
        assert!(stage < 40, "still {width} wide after {stage} stages");
        let clicks = ((width / 2e-5).ln() / 1.21f64.ln())
            .floor()
            .clamp(1.0, 10.0);
        let (px, py) = to_pixel(&flags, centre);
        assert!(
            (0.0..400.0).contains(&px) && (0.0..400.0).contains(&py),
            "the lattice left the view at stage {stage}: {flags:?}"
        );
        let (px, py) = (px.round().to_string(), py.round().to_string());
        x.xdotool(&["mousemove", "--window", wid, &px, &py]);
        let clicks = clicks.to_string();
        x.xdotool(&["click", "--repeat", &clicks, "--delay", "15", "4"]);
        (shot, flags) = save();
    }
    // Every disc of the lattice where its f64 position falls in the saved view.
    let img = Image::open_png(&shot).unwrap();
    let mut checked = 0;
    for &p in &lattice {
        let (px, py) = to_pixel(&flags, p);
        if !(8.0..392.0).contains(&px) || !(8.0..392.0).contains(&py) {
            continue;
        }
        checked += 1;
        let (mut w, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for y in (py as i64 - 7)..=(py as i64 + 7) {
            for x in (px as i64 - 7)..=(px as i64 + 7) {
                let ink = 255.0 - img.rgba[(y as usize * 400 + x as usize) * 4] as f64;
                w += ink;
                cx += ink * (x as f64 + 0.5);
                cy += ink * (y as f64 + 0.5);
            }
        }
        assert!(w > 0.0, "no disc near ({px}, {py}) in {}", shot.display());
        let (cx, cy) = (cx / w, cy / w);
        assert!(
            (cx - px).abs() <= 0.5 && (cy - py).abs() <= 0.5,
            "disc at ({cx:.2}, {cy:.2}), belongs at ({px:.2}, {py:.2}): {}",
            shot.display()
        );
    }
    assert!(checked >= 60, "only {checked} lattice points in {flags:?}");
    // Further in (the GPU re-bases its pairs on the view on the way), zooming
    // stops at 4 f64 steps a pixel, and the title says so.
    x.xdotool(&["click", "--repeat", "200", "--delay", "5", "4"]);
    let (deep_shot, deep) = save();
    let per_px = (flag(&deep, "--x-range", 1) - flag(&deep, "--x-range", 0)) / 400.0;
    let floor = 4.0 * (1234.5f64.next_up() - 1234.5);
    assert!(
        (0.999 * floor..1.001 * floor).contains(&per_px),
        "{per_px:e} a pixel, floor {floor:e}: {deep:?}"
    );
    let title = x.xdotool(&["getwindowname", wid]);
    assert!(title.contains("zoom limit: f64 precision"), "{title}");
    session.quit();
    // `render` with the printed views draws the same pixels.
    for (name, shot, flags) in [("lattice", &shot, &flags), ("deep", &deep_shot, &deep)] {
        let rendered = dir.join(format!("{name}-render.png"));
        let o = bin()
            .arg("render")
            .args(&data)
            .args(flags)
            .arg("--output")
            .arg(&rendered)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        common::assert_frames_agree(
            &format!("view-{name}"),
            &Image::open_png(shot).unwrap(),
            &Image::open_png(&rendered).unwrap(),
        );
    }
}

#[test]
fn view_sorts_a_million_points_and_its_screenshots_say_so() {
    let _one = ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(dir) = viewer_dir("view-sorted") else {
        return;
    };
    let data = ["--points", "1000000", "--dataset", "clusters", "--no-axes"].map(String::from);
    let args = [
        &data[..],
        &["--width", "320", "--height", "200", "--mode", "points"].map(String::from),
    ]
    .concat();
    let session = Session::open(&dir, &args);
    let (shot, flags) = session.save();
    assert!(
        session
            .log()
            .contains("sorted 1,000,000 points along a Morton curve"),
        "{}",
        session.log()
    );
    assert!(
        flags.windows(2).any(|w| w == ["--order", "morton"]),
        "{flags:?}"
    );
    session.quit();
    // `render` with the printed flags (Morton order, so the discs stack alike).
    let rendered = dir.join("sorted-render.png");
    let o = bin()
        .arg("render")
        .args(data)
        .args(&flags)
        .arg("--output")
        .arg(&rendered)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    common::assert_frames_agree(
        "view-sorted",
        &Image::open_png(&shot).unwrap(),
        &Image::open_png(&rendered).unwrap(),
    );
}

/// A 20 x 10 lattice shown at 10 px a unit: hover rings the point under the
/// cursor and reads out what `render --probe` prints; the help appears and
/// goes; a box zoom draws its rectangle mid-drag and Esc cancels it; a lasso
/// selects exactly the lattice points inside it, and `w` writes those rows.
#[test]
fn view_hovers_helps_outlines_a_box_zoom_and_selects_with_a_lasso() {
    let _one = ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(dir) = viewer_dir("view-select") else {
        return;
    };
    let input = dir.join("lattice.csv");
    let mut csv = String::from("x,y,speed\n");
    for y in 0..10 {
        for x in 0..20 {
            csv += &format!("{x},{y},{}\n", x as f64 * 0.5 + y as f64);
        }
    }
    std::fs::write(&input, &csv).unwrap();
    let look = [
        "--input",
        input.to_str().unwrap(),
        "--value",
        "speed",
        "--no-axes",
        "--x-range",
        "-0.5",
        "39.5",
        "--y-range",
        "-0.5",
        "19.5",
        "--mode",
        "points",
        "--point-size",
        "4",
    ]
    .map(String::from);
    let size = ["--width", "400", "--height", "200"].map(String::from);
    let s = Session::open(&dir, &[&look[..], &size[..]].concat());
    let w = s.wid.clone();
    let at = |x: u32, y: u32| [x.to_string(), y.to_string()];
    let mv = |x: u32, y: u32| {
        let [x, y] = at(x, y);
        s.x.xdotool(&["mousemove", "--window", &w, &x, &y]);
    };
    // Point (3, 5) is drawn at pixel (35, 145).
    mv(300, 20);
    let before = s.grab(&dir, "before");
    mv(35, 145);
    let hover = s.grab(&dir, "hover");
    let red: Vec<(u32, u32)> = (0..200)
        .flat_map(|y| (0..400).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let [r, g, b] = rgb(&hover, x, y);
            r > 180 && g < 90 && b < 90
        })
        .collect();
    assert!(red.len() > 20, "no ring: {} red pixels", red.len());
    let n = red.len() as f64;
    let cx = red.iter().map(|p| p.0 as f64).sum::<f64>() / n;
    let cy = red.iter().map(|p| p.1 as f64).sum::<f64>() / n;
    assert!(
        (cx - 35.0).abs() < 1.5 && (cy - 145.0).abs() < 1.5,
        "ring centred at ({cx:.1}, {cy:.1})"
    );
    assert!(
        changed(&hover, &before, [51, 157, 200, 200]) > 100,
        "no read-out beside the cursor"
    );
    // `render --probe` reads the same point.
    let o = bin()
        .arg("render")
        .args(&look)
        .args(&size)
        .args(["--probe", "35", "145", "--output"])
        .arg(dir.join("probe.png"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains("x = 3.0, y = 5.0"), "{said}");
    assert!(said.contains("speed = 6.5"), "{said}");
    assert!(said.contains("row 103"), "{said}");

    // Help: shown, then hidden.
    mv(300, 20);
    s.x.xdotool(&["key", "h"]);
    let help = s.grab(&dir, "help");
    assert!(changed(&help, &before, [8, 8, 300, 190]) > 1000, "no help");
    s.x.xdotool(&["key", "h"]);
    let gone = s.grab(&dir, "help-gone");
    // (All but the bottom line, where the hint to the help was until a key.)
    assert_eq!(changed(&gone, &before, [0, 0, 400, 180]), 0, "help stayed");

    // A box zoom's rectangle mid-drag; Esc cancels it.
    mv(20, 20);
    s.x.xdotool(&["mousedown", "3"]);
    mv(120, 90);
    let drag = s.grab(&dir, "box-drag");
    let [r, g, b] = rgb(&drag, 70, 20);
    assert!(
        b > 180 && r < 100 && g < 140,
        "no rectangle edge: {:?}",
        [r, g, b]
    );
    let [r, g, b] = rgb(&drag, 250, 150);
    assert_eq!([r, g, b], rgb(&before, 250, 150), "outside the box");
    s.x.xdotool(&["key", "Escape"]);
    s.x.xdotool(&["mouseup", "3"]);
    let (_, flags) = s.save();
    assert_eq!(
        (flag(&flags, "--x-range", 0), flag(&flags, "--x-range", 1)),
        (-0.5, 39.5),
        "Esc did not cancel the box zoom"
    );

    // A lasso (ctrl + left drag) round an L: x 2.2 to 12.7 over y 1.7 to 4.3,
    // and x 2.2 to 6.7 up to y 8.8.
    s.x.xdotool(&["keydown", "ctrl"]);
    mv(27, 178);
    s.x.xdotool(&["mousedown", "1"]);
    for (x, y) in [(132, 178), (132, 152), (72, 152), (72, 107), (27, 107)] {
        mv(x, y);
    }
    s.x.xdotool(&["mouseup", "1"]);
    s.x.xdotool(&["keyup", "ctrl"]);
    std::thread::sleep(Duration::from_millis(500));
    s.x.xdotool(&["key", "w"]);
    let line = s.next_line();
    let path = line
        .strip_prefix("wrote 46 selected points to ")
        .unwrap_or_else(|| panic!("{line}\n{}", s.log()));
    let rows: Vec<usize> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    let want: Vec<usize> = (0..200)
        .filter(|i| {
            let (x, y) = (i % 20, i / 20);
            (3..=12).contains(&x) && (2..=4).contains(&y)
                || (3..=6).contains(&x) && (2..=8).contains(&y)
        })
        .collect();
    assert_eq!(rows, want);
    assert!(s.log().contains("selected 46 points"), "{}", s.log());
    // The selected points keep their colour, the others are dimmed.
    let lasso = s.grab(&dir, "lasso");
    assert_eq!(
        rgb(&lasso, 35, 145),
        rgb(&before, 35, 145),
        "a selected point"
    );
    let (o, d) = (rgb(&before, 155, 145), rgb(&lasso, 155, 145));
    assert!(
        d.iter().zip(o).all(|(d, o)| *d >= o) && d != o,
        "not dimmed: {o:?} {d:?}"
    );
    s.quit();
    assert_eq!(std::fs::read_to_string(&input).unwrap(), csv);
}

/// `--category`: a click on a legend entry hides its points, a second shows them.
#[test]
fn view_hides_and_shows_a_category_from_its_legend() {
    let _one = ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(dir) = viewer_dir("view-legend") else {
        return;
    };
    let species = format!("{}/tests/data/species.csv", env!("CARGO_MANIFEST_DIR"));
    let args = [
        "--input",
        &species,
        "--category",
        "species",
        "--mode",
        "points",
        "--point-size",
        "14",
        "--width",
        "600",
        "--height",
        "300",
    ]
    .map(String::from);
    let s = Session::open(&dir, &args);
    let w = s.wid.clone();
    // setosa, the first category: tab10's blue.
    const BLUE: [u8; 3] = [31, 119, 180];
    let blue = |img: &Image, xs: std::ops::Range<u32>| -> Vec<(u32, u32)> {
        (0..img.height)
            .flat_map(|y| xs.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| rgb(img, x, y) == BLUE)
            .collect()
    };
    s.x.xdotool(&["mousemove", "--window", &w, "5", "5"]);
    let shown = s.grab(&dir, "shown");
    let plot_blue = blue(&shown, 0..420).len();
    assert!(plot_blue > 100, "setosa's discs: {plot_blue} blue pixels");
    // Its swatch, right of the plot (which ends near x = 410).
    let swatch = blue(&shown, 420..600);
    assert!(swatch.len() >= 50, "no swatch: {} pixels", swatch.len());
    let n = swatch.len() as u32;
    let cx = swatch.iter().map(|p| p.0).sum::<u32>() / n;
    let cy = swatch.iter().map(|p| p.1).sum::<u32>() / n;
    let click = || {
        s.x.xdotool(&[
            "mousemove",
            "--window",
            &w,
            &cx.to_string(),
            &cy.to_string(),
        ]);
        s.x.xdotool(&["click", "1"]);
        s.x.xdotool(&["mousemove", "--window", &w, "5", "5"]);
    };
    click();
    let hidden = s.grab(&dir, "hidden");
    assert_eq!(blue(&hidden, 0..420).len(), 0, "setosa still drawn");
    assert!(
        blue(&hidden, 420..600).is_empty(),
        "the swatch is not faint"
    );
    // The other categories stay: as many pixels of each of their colours.
    for colour in [[255, 127, 14], [44, 160, 44], [214, 39, 40]] {
        let count = |img: &Image| {
            (0..300u32)
                .flat_map(|y| (0..420u32).map(move |x| (x, y)))
                .filter(|&(x, y)| rgb(img, x, y) == colour)
                .count()
        };
        assert!(count(&shown) > 50, "{colour:?} not drawn");
        assert_eq!(count(&hidden), count(&shown), "{colour:?} changed");
    }
    click();
    let again = s.grab(&dir, "again");
    assert_eq!(blue(&again, 0..420).len(), plot_blue, "setosa not back");
    s.quit();
}

/// At a HiDPI scale factor of 2 (winit's WINIT_X11_SCALE_FACTOR), the
/// window's screenshot, axes and text included, equals `render --scale 2`
/// with the flags it prints.
#[test]
fn view_at_scale_2_saves_what_render_scale_2_draws() {
    let _one = ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(dir) = viewer_dir("view-scale") else {
        return;
    };
    let data = [
        "--points",
        "5000",
        "--dataset",
        "clusters",
        "--title",
        "at scale 2",
    ]
    .map(String::from);
    let size = ["--width", "320", "--height", "200"].map(String::from);
    let s = Session::open_env(
        &dir,
        &[&data[..], &size[..]].concat(),
        &[("WINIT_X11_SCALE_FACTOR", "2")],
    );
    let (shot, flags) = s.save();
    s.quit();
    assert!(
        flags.windows(2).any(|w| w[0] == "--scale" && w[1] == "2.0"),
        "{flags:?}"
    );
    assert_eq!(flag(&flags, "--width", 0), 640.0, "{flags:?}");
    let rendered = dir.join("scale-render.png");
    let o = bin()
        .arg("render")
        .args(&data)
        .args(&flags)
        .arg("--output")
        .arg(&rendered)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = Image::open_png(&rendered).unwrap();
    let actual = Image::open_png(&shot).unwrap();
    common::assert_frames_agree("scale-2", &actual, &expected);
}
