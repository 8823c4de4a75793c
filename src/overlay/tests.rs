use super::*;
use crate::aggregate::{thresholds, Agg, How};

#[test]
fn a_size_legend_draws_its_three_discs_under_a_shorter_colourbar() {
    let sizes = vec![
        (2.0, "0".to_string()),
        (7.0, "5".to_string()),
        (12.0, "10".to_string()),
    ];
    let opts = AxesOptions {
        sizes: Some(("mass".into(), sizes)),
        ..Default::default()
    };
    let size = (800, 500);
    let lay = layout(size, 1.0, &opts);
    let bar = lay.colorbar.unwrap();
    assert!((bar.size.y - lay.plot.size.y as f32 * 0.6).abs() <= 1.0);
    let cam = Camera::from_ranges((0.0, 1.0), (0.0, 1.0));
    let scale = ColorScale::Values {
        range: Some((0.0, 1.0)),
        norm: Norm::Linear,
    };
    let o = build(&cam, &lay, size, &scale, &opts, [1.0; 3]);
    let discs: Vec<&Line> = o.lines.iter().filter(|l| l.width < 0.0).collect();
    assert_eq!(
        discs.iter().map(|l| -l.width).collect::<Vec<_>>(),
        [2.0, 7.0, 12.0]
    );
    // Below the bar, top down, each beside its value; the title above them.
    assert!(discs.windows(2).all(|w| w[1].a.y > w[0].a.y));
    assert!(discs[0].a.y > bar.min.y + bar.size.y);
    for t in ["mass", "0", "5", "10"] {
        assert!(
            o.labels.iter().any(|l| l.text == t && l.pos.x >= bar.min.x),
            "no {t}"
        );
    }
}

#[test]
fn crowded_tick_labels_are_thinned_until_none_touch() {
    // Five labels 60 px apart: 40 px wide ones fit, 70 px ones every
    // other, 130 px ones every third (the gap is 6 px).
    let places = [0.0, 60.0, 120.0, 180.0, 240.0];
    assert_eq!(label_stride(&places, &[40.0; 5], 6.0), 1);
    assert_eq!(label_stride(&places, &[70.0; 5], 6.0), 2);
    assert_eq!(label_stride(&places, &[130.0; 5], 6.0), 3);
    assert_eq!(label_stride(&[], &[], 6.0), 1);
    assert_eq!(label_stride(&[5.0], &[500.0], 6.0), 1);
    // A narrow axis of long labels: the labels drawn never overlap, and
    // every tick is still drawn.
    let cam = Camera::from_ranges((0.000123456, 0.000123999), (-1.0, 1.0));
    let size = (360, 300);
    let opts = AxesOptions::default();
    let lay = layout(size, 1.0, &opts);
    let scale = ColorScale::Values {
        range: None,
        norm: Norm::Linear,
    };
    let o = build(&cam, &lay, size, &scale, &opts, [1.0; 3]);
    let bottom = lay.plot.min.y as f32 + lay.plot.size.y as f32;
    let mut xs: Vec<&Label> = o
        .labels
        .iter()
        .filter(|l| l.pos.y > bottom && l.h == Align::Center && l.text.starts_with("0.0001"))
        .collect();
    xs.sort_by(|a, b| a.pos.x.total_cmp(&b.pos.x));
    assert!(xs.len() >= 2, "{xs:?}");
    for w in xs.windows(2) {
        let room = (text_width(&w[0].text, w[0].size) + text_width(&w[1].text, w[1].size)) / 2.0;
        assert!(
            w[1].pos.x - w[0].pos.x >= room,
            "{} and {} touch",
            w[0].text,
            w[1].text
        );
    }
    let t = ticks(0.000123456, 0.000123999, lay.plot.size.x);
    assert!(
        xs.len() < t.major.len(),
        "nothing was thinned: {} labels",
        xs.len()
    );
}

#[test]
fn value_colourbar_names_the_aggregate_and_starts_at_the_smallest_value() {
    use crate::aggregate::ordered;
    let grid: Vec<u32> = (0..1000).map(|i| ordered(-3.7 + i as f32 * 0.05)).collect();
    let opts = AxesOptions {
        value_label: "x+y".into(),
        ..Default::default()
    };
    for how in [How::Linear, How::Log, How::EqHist] {
        let m = colorbar_marks(
            &ColorScale::Density {
                thresholds: Box::new(thresholds(Agg::Mean, how, &grid)),
                how,
                agg: Agg::Mean,
            },
            600.0,
            &opts,
        )
        .unwrap();
        assert_eq!(m.title, "mean of x+y");
        assert_eq!(m.offset, how.name());
        assert_eq!(m.marks[0].1, "-3.7", "{how:?}: {:?}", m.marks);
        assert!(m.marks.len() >= 4, "{how:?}: {:?}", m.marks);
        assert!(m.marks.windows(2).all(|w| w[0].0 < w[1].0), "{how:?}");
    }
    assert_eq!(short_number(1234.5678), "1235");
    assert_eq!(short_number(0.012345), "0.0123");
    assert_eq!(short_number(-2.5e7), "-2.50e7");
}

/// Under a log norm the bar's majors are the decades, each where the norm
/// puts it, with minors between; power norms get linear ticks placed by
/// the norm; the title names the norm.
#[test]
fn norm_colourbars_place_ticks_where_the_norm_puts_their_values() {
    let opts = AxesOptions {
        value_label: "v".into(),
        ..Default::default()
    };
    let bar = |norm: Norm, lo: f32, hi: f32| {
        let scale = ColorScale::Values {
            range: Some((lo, hi)),
            norm,
        };
        colorbar_marks(&scale, 600.0, &opts).unwrap()
    };
    let m = bar(Norm::Log, 0.01, 5000.0);
    let labels: Vec<&str> = m.marks.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³"]);
    let at_one = (0.01f64.ln() / (0.01f64.ln() - 5000f64.ln())) as f32;
    assert!((m.marks[2].0 - at_one).abs() < 1e-6, "{:?}", m.marks);
    assert!(m.marks[0].0.abs() < 1e-6);
    assert!(m.minor.len() > 30);
    assert_eq!(m.title, "v (log)");
    let m = bar(Norm::Power { gamma: 0.5 }, 0.0, 100.0);
    let (t, label) = m.marks.iter().find(|(_, l)| l == "20").unwrap();
    assert!((t - 0.2f32.sqrt()).abs() < 1e-6, "{label} at {t}");
    // Labels keep 16 px apart where the norm crowds them (600 px bar).
    assert!(m
        .marks
        .windows(2)
        .all(|w| (w[1].0 - w[0].0) * 600.0 >= 16.0));
}

#[test]
fn count_colourbar_labels_the_counts_present() {
    let grid: Vec<u32> = (0..100_000u32).map(|i| 30 + (i * 7919) % 61).collect();
    for how in [How::Linear, How::Log, How::EqHist] {
        let thr = Box::new(thresholds(Agg::Count, how, &grid));
        let m = colorbar_marks(
            &ColorScale::Density {
                thresholds: thr,
                how,
                agg: Agg::Count,
            },
            800.0,
            &AxesOptions::default(),
        )
        .unwrap();
        let labels: Vec<&str> = m.marks.iter().map(|(_, l)| l.as_str()).collect();
        if how == How::EqHist {
            // Counts at evenly spaced colours, from the smallest count present.
            assert_eq!(labels.first(), Some(&"30"), "{labels:?}");
            assert!(labels.len() >= 5, "{labels:?}");
        } else {
            assert!(labels.contains(&"50"), "{how:?}: {labels:?}");
        }
        assert!(m.marks.windows(2).all(|w| w[0].0 < w[1].0), "{how:?}");
    }
}
