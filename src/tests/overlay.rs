//! The overlay in a rendered image: the plot area holds the points and
//! nothing else, text lands in the margins, the colourbar shows the
//! colourmap's own entries, and `--no-axes` gives the points the whole image.

use super::common::render_image;
use crate::colormap::Colormap;
use crate::context::Timings as StageTimes;
use crate::derive::ValueSettings;
use crate::overlay::{layout, AxesOptions};
use crate::plot::Look;
use crate::plot::PlotOptions;
use crate::points::{generate, Dataset};
use glam::Vec2;

const SIZE: (u32, u32) = (800, 500);
const WHITE: [u8; 4] = [255, 255, 255, 255];

fn look(axes: AxesOptions) -> Look {
    let colormap = Colormap::by_name("magma").unwrap();
    Look {
        axes,
        ..Look::plain(ValueSettings::of("x"), colormap, PlotOptions::default())
    }
}

fn pixel(img: &[u8], x: u32, y: u32) -> [u8; 4] {
    let i = ((y * SIZE.0 + x) * 4) as usize;
    img[i..i + 4].try_into().unwrap()
}

/// Pixels in the rectangle that differ from white.
fn inked(img: &[u8], x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(img, x, y) != WHITE)
        .count()
}

#[test]
fn axes_text_and_colourbar_land_where_the_layout_says() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = generate(Dataset::Uniform, 20_000, 4).unwrap();
    let opts = AxesOptions {
        title: Some("Uniform points".into()),
        ..Default::default()
    };
    let l = look(opts.clone());
    let img = render_image(
        &gpu,
        points.clone(),
        &l,
        SIZE,
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    super::common::assert_golden("axes", SIZE, &img);
    // The CPU frame draws the same reference.
    let cpu = crate::cpu::render(
        points.clone(),
        &l,
        SIZE,
        &mut StageTimes::default(),
        false,
        &mut Default::default(),
        None,
    )
    .unwrap();
    super::common::assert_golden("axes", SIZE, &cpu.rgba);
    let lay = layout(SIZE, 1.0, &opts);
    let (px0, py0) = (lay.plot.min.x as u32, lay.plot.min.y as u32);
    let (px1, py1) = (px0 + lay.plot.size.x as u32, py0 + lay.plot.size.y as u32);
    // Tick labels below the plot and left of it, and the title above: ink in every margin.
    assert!(
        inked(&img, px0, py1 + 8, px1, SIZE.1) > 200,
        "no x tick labels"
    );
    assert!(inked(&img, 0, py0, px0 - 8, py1) > 200, "no y tick labels");
    assert!(
        inked(&img, px0 + 100, 0, px1 - 100, py0 - 2) > 100,
        "no title"
    );
    // The far corners of the image stay background.
    assert_eq!(pixel(&img, 0, SIZE.1 - 1), WHITE);
    // The colourbar: each row shows the colourmap entry for its height.
    let bar = lay.colorbar.unwrap();
    let lut = Colormap::by_name("magma").unwrap().rgba8();
    let cx = (bar.min.x + bar.size.x * 0.5) as u32;
    let mut checked = 0;
    for row in (bar.min.y as u32 + 1..(bar.min.y + bar.size.y) as u32 - 1).step_by(7) {
        let centre = row as f32 + 0.5;
        let t = ((bar.min.y + bar.size.y - centre) / bar.size.y).clamp(0.0, 1.0);
        let expect = lut[((t * 256.0) as usize).min(255)];
        assert_eq!(pixel(&img, cx, row), expect, "colourbar row {row}");
        checked += 1;
    }
    assert!(checked > 40);
    // The bottom of the bar is the map's first colour, the top its last.
    assert_eq!(pixel(&img, cx, (bar.min.y + bar.size.y) as u32 - 1), lut[0]);
    assert_eq!(pixel(&img, cx, bar.min.y as u32), lut[255]);
    let _ = Vec2::ZERO;
}

#[test]
fn no_axes_gives_the_points_the_whole_image() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = generate(Dataset::Uniform, 50_000, 4).unwrap();
    let bare = AxesOptions {
        enabled: false,
        ..Default::default()
    };
    let img = render_image(
        &gpu,
        points.clone(),
        &look(bare),
        SIZE,
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    // Uniform points fill the view with a 4% margin: points near every edge, no frame.
    let w = SIZE.0;
    assert!(inked(&img, 0, 0, w, 40) > 500);
    assert!(inked(&img, 0, SIZE.1 - 40, w, SIZE.1) > 500);
    assert_eq!(
        inked(&img, 0, 0, w, 8),
        0,
        "the top margin of the fit is empty"
    );
}

#[test]
fn long_labels_are_clipped_out_of_the_plot() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let points = generate(Dataset::Uniform, 10, 4).unwrap();
    let long = "a very long axis title that goes on and on and on and on and on and on and on and on and on and on and on";
    let opts = AxesOptions {
        y_label: long.into(),
        ..Default::default()
    };
    // A view of empty space: the plot area must stay white.
    let mut l = look(opts.clone());
    l.x_range = Some((1e6, 1e6 + 1e-3));
    l.y_range = Some((-5.0, -4.0));
    let img = render_image(
        &gpu,
        points.clone(),
        &l,
        SIZE,
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    let lay = layout(SIZE, 1.0, &opts);
    let (px0, py0) = (lay.plot.min.x as u32, lay.plot.min.y as u32);
    let (px1, py1) = (px0 + lay.plot.size.x as u32, py0 + lay.plot.size.y as u32);
    assert_eq!(
        inked(&img, px0 + 2, py0 + 2, px1 - 2, py1 - 2),
        0,
        "something drew into the plot"
    );
    super::common::save_image("axes-offset", SIZE, &img);
}

/// The legend of the text categories in tests/data/species.csv: names in
/// sorted order, their counts (missing labels skip the row), tab10's colours
/// as swatches in the image, beside the points drawn in them.
#[test]
fn the_legend_lists_each_categorys_name_colour_and_count() {
    use crate::categories::palette;
    use crate::overlay::{build, legend_texts, ColorScale};
    use crate::{Figure, LoadOptions, Points};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/species.csv");
    let options = LoadOptions {
        category: Some("species".into()),
        ..Default::default()
    };
    let points = Points::load(path, &options).unwrap();
    assert_eq!(points.len(), 10);
    assert_eq!(points.skipped(), 2);
    let names = ["setosa", "versicolor, var. b", "virginica", "Ωmega"];
    assert_eq!(points.categories("species").unwrap(), names);
    let figure = Figure {
        width: SIZE.0,
        height: SIZE.1,
        category: Some("species".into()),
        mode: crate::Mode::Points,
        point_size: 9.0,
        ..Figure::default()
    };
    let (set, look) = figure.resolve(&points).unwrap();
    let c = look.categories.clone().unwrap();
    assert_eq!(c.names, names);
    assert_eq!(c.counts, [3, 4, 2, 1]);
    assert_eq!(c.colours, palette(4)[..4]);
    let texts: Vec<String> = legend_texts(&c).collect();
    assert_eq!(texts[1], "versicolor, var. b 4");
    // With a filter, the points it keeps (setosa lies at x < 0.2).
    let filtered = Figure {
        filter: Some("x > 0.3".into()),
        ..figure.clone()
    };
    let (_, kept) = filtered.resolve(&points).unwrap();
    assert_eq!(kept.categories.unwrap().counts, [0, 4, 2, 1]);
    // The overlay: the column's name, every entry's text and a swatch each.
    let lay = layout(SIZE, 1.0, &look.axes);
    let camera = look.camera(&set.bounds);
    let o = build(
        &camera,
        &lay,
        SIZE,
        &ColorScale::Categories(c.clone()),
        &look.axes,
        [1.0; 3],
    );
    for t in texts.iter().chain(std::iter::once(&"species".to_string())) {
        assert!(o.labels.iter().any(|l| &l.text == t), "no label {t}");
    }
    // The picture: each swatch in its colour, right of the plot, top down;
    // each point's disc in its category's colour.
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let img = render_image(
        &gpu,
        set.clone(),
        &look,
        SIZE,
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    let bar = lay.colorbar.unwrap();
    for (k, colour) in c.colours.iter().enumerate() {
        let y = bar.min.y + 18.0 * (k as f32 + 0.5);
        let x = bar.min.x + 5.0;
        assert_eq!(pixel(&img, x as u32, y as u32), *colour, "swatch {k}");
    }
    let vp = lay.plot;
    let codes = set.columns[0].clone();
    for i in 0..set.len() {
        let p = camera.data_to_pixel(set.point(i), &vp);
        let got = pixel(&img, p.x as u32, p.y as u32);
        let want = c.colours[codes[i] as usize];
        assert_eq!(got, want, "point {i} ({})", names[codes[i] as usize]);
    }
}

/// matplotlib's typesetting: the y title turned to read upwards beside its
/// axis, and a crowded x axis whose labels are thinned so that none touch.
#[test]
fn a_turned_y_title_and_a_crowded_axis_match_their_reference() {
    let Some(gpu) = super::common::gpu() else {
        return;
    };
    let size = (360, 300);
    let points = generate(Dataset::Uniform, 3000, 7).unwrap();
    let opts = AxesOptions {
        y_label: "latitude (degrees)".into(),
        x_label: "exposure (s)".into(),
        ..Default::default()
    };
    let mut l = look(opts.clone());
    // An x range of long tick labels (an empty view: the text is the subject).
    l.x_range = Some((0.000123456, 0.000123999));
    l.y_range = Some((-1234567.0, 1234567.0));
    let img = render_image(
        &gpu,
        points.clone(),
        &l,
        size,
        None,
        &mut StageTimes::default(),
    )
    .unwrap();
    super::common::assert_golden("turned-and-crowded", size, &img);
    let cpu = crate::cpu::render(
        points,
        &l,
        size,
        &mut StageTimes::default(),
        false,
        &mut Default::default(),
        None,
    )
    .unwrap();
    super::common::assert_golden("turned-and-crowded", size, &cpu.rgba);
    // The title's ink: taller than wide, left of the plot, about its middle.
    let lay = layout(size, 1.0, &opts);
    let (x0, y0) = (lay.plot.min.x as u32, lay.plot.min.y as u32);
    let y1 = y0 + lay.plot.size.y as u32;
    let ink: Vec<(u32, u32)> = (y0..y1)
        .flat_map(|y| (0..x0 - 16).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let i = ((y * size.0 + x) * 4) as usize;
            img[i..i + 3].iter().all(|&c| c < 160)
        })
        .collect();
    assert!(
        ink.len() > 100,
        "no turned title: {} dark pixels",
        ink.len()
    );
    let (ys, ye) = (
        ink.iter().map(|p| p.1).min().unwrap(),
        ink.iter().map(|p| p.1).max().unwrap(),
    );
    assert!(ye - ys > 60, "the title is {} px tall", ye - ys);
    let mid = (ys + ye) / 2;
    assert!(
        mid.abs_diff((y0 + y1) / 2) <= 3,
        "centred at {mid}, the axis at {}",
        (y0 + y1) / 2
    );
}
