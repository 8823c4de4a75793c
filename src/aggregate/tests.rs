use super::*;

fn map(w: u32, h: u32) -> GridMap {
    GridMap::new(
        &Camera::from_ranges((0.0, w as f64), (0.0, h as f64)),
        DVec2::ZERO,
        (w, h),
    )
}

#[test]
fn binning_follows_datashader() {
    let m = map(4, 2);
    assert_eq!(m.pixel([0.0, 0.0]), Some(4)); // bottom-left: row 1 (the bottom), column 0
    assert_eq!(m.pixel([0.999, 1.999]), Some(0)); // top row, column 0
    assert_eq!(m.pixel([4.0, 2.0]), Some(3)); // on the right and top edges: last pixel
    assert_eq!(m.pixel([1.0, 0.5]), Some(5));
    assert_eq!(m.pixel([-0.001, 1.0]), None);
    assert_eq!(m.pixel([4.001, 1.0]), None);
    assert_eq!(m.pixel([1.0, f64::NAN]), None);
}

/// Datashader 0.19's binning (glyphs/points.py) written out: f64,
/// `int()` truncating, `xxmax - 1 if xx >= xxmax`.
fn numpy_bin(v: f64, lo: f64, hi: f64, n: u32) -> Option<u32> {
    if !(lo <= v && v <= hi) {
        return None;
    }
    let s = n as f64 / (hi - lo);
    let t = -lo * s;
    let xx = (v * s + t).trunc() as i64;
    Some(if xx >= n as i64 { n as i64 - 1 } else { xx } as u32)
}

#[test]
fn cpu_binning_equals_datashader_on_and_next_to_every_edge() {
    // An awkward view: bin edges fall between f64s, and f32 would merge
    // neighbours (offsets ~1e3 resolve only ~6e-5).
    let (x0, x1, y0, y1) = (1_234.567_890_123, 1_240.000_000_7, -3.25, 977.125);
    let (w, h) = (613, 389);
    let m = GridMap::new(
        &Camera::from_ranges((x0, x1), (y0, y1)),
        DVec2::ZERO,
        (w, h),
    );
    let mut xs = vec![];
    for i in 0..=w {
        let edge = x0 + (x1 - x0) * i as f64 / w as f64;
        let mut v = edge;
        for _ in 0..3 {
            v = v.next_down();
        }
        for _ in 0..7 {
            xs.push(v);
            v = v.next_up();
        }
    }
    let ys: Vec<f64> = (0..xs.len())
        .map(|i| {
            let edge = y0 + (y1 - y0) * (i % (h as usize + 1)) as f64 / h as f64;
            match i % 3 {
                0 => edge.next_down(),
                1 => edge,
                _ => edge.next_up(),
            }
        })
        .collect();
    let (mut inside, mut moved_by_f32) = (0, 0);
    for (&x, &y) in xs.iter().zip(&ys) {
        let want = numpy_bin(x, x0, x1, w)
            .zip(numpy_bin(y, y0, y1, h))
            .map(|(c, r)| (c, h - 1 - r));
        assert_eq!(m.cell([x, y]), want, "({x:e}, {y:e})");
        inside += want.is_some() as usize;
        let f = m.cell([x as f32 as f64, y as f32 as f64]);
        moved_by_f32 += (f != want) as usize;
    }
    assert!(inside > xs.len() / 2, "{inside} of {} inside", xs.len());
    assert!(moved_by_f32 > 0, "f32 positions bin the same: not a test");
}

#[test]
fn the_gpu_twin_agrees_but_within_the_stated_tolerance_of_an_edge() {
    use crate::points::split;
    // Views from the whole data to 1e-9 of it, far from zero and near it.
    // (Extents f64 resolves at 1e-9 zoom: a pixel wider than the ulp.)
    for (centre, extent) in [(0.5, 1.0), (1e9, 1e6), (1e15, 1e12), (-7.25e3, 10.0)] {
        for zoom in [1.0, 1e-3, 1e-6, 1e-9] {
            let origin = DVec2::splat(centre);
            let half = extent * zoom * 0.5;
            let c = centre + extent * 0.123 * (1.0 - zoom);
            let cam = Camera::from_ranges((c - half, c + half), (c - half * 0.6, c + half * 0.6));
            let m = GridMap::new(&cam, origin, (1920, 1080));
            let mut rng = 0x2545_f491_4f6c_dd1du64;
            let mut next = || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng >> 11) as f64 / (1u64 << 53) as f64
            };
            let (mut near, mut far) = (0, 0);
            for _ in 0..20_000 {
                let p = [
                    c + (next() - 0.5) * half * 2.2,
                    c + (next() - 0.5) * half * 1.4,
                ];
                let exact = m.cell(p);
                let gpu = m.cell_gpu(split(origin, p));
                if exact == gpu {
                    far += 1;
                    continue;
                }
                let [px, py] = m.coordinates(p);
                let [tx, ty] = m.gpu_tolerance(extent);
                let off_edge = |v: f64| (v - v.round()).abs();
                assert!(
                    off_edge(px) <= tx || off_edge(py) <= ty,
                    "{centre} {zoom}: ({px}, {py}) {exact:?} vs {gpu:?}"
                );
                assert!(tx.max(ty) < 0.05, "{centre} {zoom}: tolerance {tx} {ty}");
                near += 1;
            }
            assert!(far > 19_000, "{centre} {zoom}: {near} differ");
        }
    }
}

#[test]
fn splat_keeps_the_highest_value_and_count_counts() {
    let m = map(2, 2);
    let offs = [[0.5, 0.5], [0.6, 0.6], [1.5, 1.5], [9.0, 9.0], [0.5, 1.5]];
    let vals = [1.0, -3.0, 2.0, 100.0, f32::NAN];
    let input = Input::exact(&offs);
    let g = splat(&input, &vals, &m);
    assert_eq!(g[2], ordered(1.0));
    assert_eq!(g[1], ordered(2.0));
    assert_eq!((g[0], g[3]), (0, 0));
    assert_eq!(count(&input, None, &m), vec![1, 1, 2, 0]);
}

#[test]
fn parallel_blocks_agree_with_one_loop() {
    let m = map(37, 23);
    let offs: Vec<[f64; 2]> = (0..300_001u64)
        .map(|i| {
            [
                ((i * 7919) % 3700) as f64 / 100.0,
                ((i * 104_729) % 2300) as f64 / 100.0,
            ]
        })
        .collect();
    let vals: Vec<f32> = (0..offs.len()).map(|i| ((i * 31) % 1000) as f32).collect();
    let mut c = vec![0u32; m.len()];
    let mut s = vec![0u32; m.len()];
    for (o, v) in offs.iter().zip(&vals) {
        let p = m.pixel(*o).unwrap();
        c[p] += 1;
        s[p] = s[p].max(ordered(*v));
    }
    let all = Input::exact(&offs);
    assert_eq!(count(&all, None, &m), c);
    assert_eq!(splat(&all, &vals, &m), s);
    // Runs: only the points in them count, however they are cut.
    let runs = vec![5..17, 17..90_000, 123_456..123_457, 200_000..300_001];
    let some = Input {
        runs: runs.clone(),
        ..all.clone()
    };
    let mut c = vec![0u32; m.len()];
    for i in runs.into_iter().flatten() {
        c[m.pixel(offs[i]).unwrap()] += 1;
    }
    assert_eq!(count(&some, None, &m), c);
}

#[test]
fn ordered_bits_sort_like_floats() {
    let v = [
        f32::NEG_INFINITY,
        -1e9,
        -1.0,
        -0.0,
        0.0,
        1e-30,
        1.0,
        3e38,
        f32::INFINITY,
    ];
    for w in v.windows(2) {
        assert!(ordered(w[0]) <= ordered(w[1]), "{w:?}");
        assert_eq!(unordered(ordered(w[0])), w[0]);
    }
    assert!(v.iter().all(|&x| ordered(x) != 0), "0 marks an empty pixel");
}

#[test]
fn thresholds_are_monotone_and_map_the_extremes() {
    let grid: Vec<u32> = (0..5000u32).map(|i| (i * i) % 977).collect();
    for how in [How::Linear, How::Log, How::Cbrt, How::EqHist] {
        let thr = thresholds(Agg::Count, how, &grid);
        assert_eq!(thr[0], 1, "{how:?}: the smallest count is 1");
        assert!(thr.windows(2).all(|w| w[0] <= w[1]), "{how:?}");
        let max = *grid.iter().max().unwrap();
        assert_eq!(density_index(max, &thr), Some(255), "{how:?}");
        assert_eq!(
            density_index(1, &thr).map(|i| i < 128),
            Some(true),
            "{how:?}"
        );
        assert_eq!(density_index(0, &thr), None);
    }
    // Linear: count c takes floor((c - 1) / (max - 1) * 256).
    let thr = thresholds(Agg::Count, How::Linear, &[0, 1, 257]);
    assert_eq!(density_index(129, &thr), Some(128));
    assert_eq!(density_index(128, &thr), Some(127));
    // eq_hist spreads the colours evenly over the pixels, from the first.
    let grid: Vec<u32> = (1..=1025).collect();
    let thr = thresholds(Agg::Count, How::EqHist, &grid);
    assert_eq!(density_index(1, &thr), Some(0));
    assert_eq!(density_index(513, &thr), Some(128));
    // All counts equal (or one point): the top colour.
    assert_eq!(
        density_index(1, &thresholds(Agg::Count, How::Log, &[1, 1, 0])),
        Some(255)
    );
}

#[test]
fn value_thresholds_run_from_the_smallest_value_to_the_largest() {
    let grid: Vec<u32> = [-2.0f32, -1.0, 0.0, 0.5, 3.0, 6.0]
        .iter()
        .map(|&v| ordered(v))
        .chain([0, 0])
        .collect();
    let at = |thr: &[u32; LUT_SIZE], v: f32| density_index(ordered(v), thr).unwrap();
    for how in [How::Linear, How::Log, How::Cbrt, How::EqHist] {
        let thr = thresholds(Agg::Mean, how, &grid);
        assert!(thr.windows(2).all(|w| w[0] <= w[1]), "{how:?}");
        assert_eq!(at(&thr, -2.0), 0, "{how:?}");
        assert_eq!(at(&thr, 6.0), 255, "{how:?}");
        assert_eq!(density_index(0, &thr), None, "{how:?}: empty stays empty");
    }
    // Linear: t = (v - min) / (max - min); log: ln(1 + v - min) / ln(1 + max - min).
    assert_eq!(at(&thresholds(Agg::Sum, How::Linear, &grid), 2.0), 128);
    let log = ((5.0f64).ln() / (9.0f64).ln() * 256.0) as usize;
    assert_eq!(at(&thresholds(Agg::Min, How::Log, &grid), 2.0), log);
    // From the extremes alone, as the GPU backend shades: the same table.
    assert_eq!(
        thresholds_between(Agg::Max, How::Cbrt, ordered(-2.0), ordered(6.0)),
        thresholds(Agg::Max, How::Cbrt, &grid)
    );
}

#[test]
fn sums_are_exact_in_fixed_point_and_a_flat_range_gives_its_value() {
    let q = Quantiser::new(Some((-1.0, 3.0)));
    assert_eq!(q.quantise(-1.0), 0);
    assert_eq!(q.quantise(3.0), 1 << 24);
    assert_eq!(q.quantise(1.0), 1 << 23);
    // Two words' worth of steps: 2^32 and more, in f32 as the GPU sees them.
    assert_eq!(steps_f32((3 << 32) + 5), 3.0 * 4_294_967_296.0 + 5.0);
    let m = map(1, 1);
    let offs = vec![[0.5, 0.5]; 1000];
    let offs = Input::exact(&offs);
    let vals = vec![2.5f32; 1000];
    let s = sums(&offs, &vals, &m, &q);
    assert_eq!(s[0].n, 1000);
    assert_eq!(s[0].steps, 1000 * q.quantise(2.5) as u64);
    let mean = unordered(finalise_sums(&s, &q, Agg::Mean)[0]);
    assert!((mean - 2.5).abs() < 1e-6, "{mean}");
    let sum = unordered(finalise_sums(&s, &q, Agg::Sum)[0]);
    assert!((sum - 2500.0).abs() < 1e-3, "{sum}");
    // Every value equal: the range is flat and every aggregate is that value.
    let flat = Quantiser::new(Some((7.0, 7.0)));
    let s = sums(&offs, &vec![7.0; 1000], &m, &flat);
    assert_eq!(unordered(finalise_sums(&s, &flat, Agg::Mean)[0]), 7.0);
    assert_eq!(unordered(finalise_sums(&s, &flat, Agg::Sum)[0]), 7000.0);
}

#[test]
fn footprints_cover_their_size_in_pixels() {
    assert_eq!(
        [0.5, 1.0, 1.6, 2.0, 2.6, 3.0, 9.0, f32::NAN].map(footprint),
        [1, 1, 2, 2, 3, 3, 3, 1]
    );
    let mut g = vec![0u32; 25];
    g[12] = 7; // the middle of 5 x 5
    for (f, covered) in [
        (1, vec![12]),
        (2, vec![12, 13, 17, 18]),
        (3, vec![6, 7, 8, 11, 12, 13, 16, 17, 18]),
    ] {
        let out = window_max(&g, [5, 5], reach(f, 0));
        let got: Vec<usize> = (0..25).filter(|&i| out[i] == 7).collect();
        assert_eq!(got, covered, "footprint {f}");
    }
    // A spread of 1 on a 2 px footprint: a 4 x 4 block.
    let out = window_max(&g, [5, 5], reach(2, 1));
    assert_eq!(out.iter().filter(|&&c| c == 7).count(), 16);
}

#[test]
fn spread_grows_isolated_pixels() {
    let mut g = vec![0u32; 25];
    g[12] = 7;
    let s = window_max(&g, [5, 5], reach(1, 1));
    assert_eq!(s.iter().filter(|&&c| c == 7).count(), 9);
    assert_eq!(window_max(&g, [5, 5], reach(1, 0)), g);
}

#[test]
fn all_points_in_one_pixel_do_not_overflow() {
    let m = map(1, 1);
    let offs = vec![[0.5, 0.5]; 100_000];
    assert_eq!(count(&Input::exact(&offs), None, &m), vec![100_000]);
    // The cell update itself saturates (4 billion points would take a minute).
    let mut cell = u32::MAX - 1;
    count_one(&mut cell);
    assert_eq!(cell, u32::MAX);
    count_one(&mut cell);
    assert_eq!(cell, u32::MAX, "a full cell must not wrap to 0");
}
