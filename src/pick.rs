//! Which point is under the cursor, as plain data: the points within a
//! radius, nearest first, found through the tiles (only tiles whose bounds come
//! within the radius are scanned: after a Morton sort a handful), with the
//! full scan as its twin; and the points a pixel of a splat or density frame
//! holds (binned exactly as the CPU backend bins them).
//!
//! **Ties** (two points at the same distance) go to the lower index in
//! storage order. Distances are in f64 pixels of the frame.

use glam::DVec2;

use crate::aggregate::GridMap;
use crate::camera::{Camera, Viewport};
use crate::points::{Bounds, PointSet};

/// Every point within `radius` pixels of `cursor` (pixels of the target),
/// nearest first (ties: lower index first), from the tiles that come within
/// the radius: the nearest drawn point is the first of these that is drawn.
pub fn within(
    set: &PointSet,
    camera: &Camera,
    vp: &Viewport,
    cursor: DVec2,
    radius: f64,
) -> Vec<(usize, f64)> {
    let centre = camera.pixel_to_data(cursor, vp);
    let reach = camera.per_pixel(vp) * radius;
    let near = Bounds {
        min: centre - reach,
        max: centre + reach,
    };
    let mut out = vec![];
    for run in set.visible_runs(near) {
        for i in run {
            let d = camera
                .data_to_pixel(DVec2::from_array(set.xy[i]), vp)
                .distance(cursor);
            if d <= radius {
                out.push((i, d));
            }
        }
    }
    out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    out
}

/// The nearest point within `radius` for which `drawn` holds, by scanning
/// every point: the twin [`within`] must agree with.
#[cfg(test)]
pub fn nearest_scan(
    set: &PointSet,
    camera: &Camera,
    vp: &Viewport,
    cursor: DVec2,
    radius: f64,
    drawn: impl Fn(usize) -> bool,
) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for i in 0..set.len() {
        let d = camera
            .data_to_pixel(DVec2::from_array(set.xy[i]), vp)
            .distance(cursor);
        // Strictly nearer: of equals, the first (lowest index) stays.
        if d <= radius && best.is_none_or(|(_, b)| d < b) && drawn(i) {
            best = Some((i, d));
        }
    }
    best
}

/// The points that fall in pixel (`col`, `row`) of a `size` grid showing
/// `camera` (row 0 at the top), as the CPU backend bins them, ascending.
pub fn pixel_points(
    set: &PointSet,
    camera: &Camera,
    size: (u32, u32),
    cell: (u32, u32),
) -> Vec<usize> {
    let map = GridMap::new(camera, set.origin, size);
    let per = (camera.hi - camera.lo) / DVec2::new(size.0 as f64, size.1 as f64);
    let (col, row) = (cell.0 as f64, (size.1 - 1 - cell.1) as f64);
    // The pixel's data rectangle, a little grown (the binning decides).
    let lo = camera.lo + per * DVec2::new(col, row);
    let near = Bounds {
        min: lo - per * 0.01,
        max: lo + per * 1.01,
    };
    let mut out = vec![];
    for run in set.visible_runs(near) {
        for i in run {
            if map.cell(set.xy[i]) == Some(cell) {
                out.push(i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::TILE;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn the_tiles_find_what_the_full_scan_finds() {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(9);
        let n = 6 * TILE + 123;
        let mut xy: Vec<[f64; 2]> = (0..n)
            .map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..500.0)])
            .collect();
        // Ties: the same position twice, and two at the same distance.
        xy.push([500.0, 250.0]);
        xy.push([500.0, 250.0]);
        let mut set = PointSet::from_points(xy, None);
        set.sort_morton();
        let vp = Viewport::new(10.0, 20.0, 400.0, 300.0);
        let views = [
            Camera::from_ranges((0.0, 1000.0), (0.0, 500.0)),
            Camera::from_ranges((450.0, 550.0), (200.0, 300.0)),
            // The view's edge: the cursor at the corner of the plot.
            Camera::from_ranges((0.0, 40.0), (0.0, 30.0)),
        ];
        let odd = |i: usize| i % 7 != 3;
        let mut found = 0;
        for camera in &views {
            for k in 0..300 {
                let cursor = if k == 0 {
                    camera.data_to_pixel(DVec2::new(500.0, 250.0), &vp)
                } else if k == 1 {
                    vp.min
                } else {
                    vp.min + DVec2::new(rng.random_range(0.0..400.0), rng.random_range(0.0..300.0))
                };
                for radius in [2.0, 6.0, 40.0] {
                    let a = within(&set, camera, &vp, cursor, radius)
                        .into_iter()
                        .find(|&(i, _)| odd(i));
                    let b = nearest_scan(&set, camera, &vp, cursor, radius, odd);
                    assert_eq!(a, b, "cursor {cursor} radius {radius}");
                    found += a.is_some() as usize;
                }
            }
        }
        assert!(found > 500, "{found}");
        // The tie goes to the lower index.
        let camera = views[1];
        let at = camera.data_to_pixel(DVec2::new(500.0, 250.0), &vp);
        let (i, d) = within(&set, &camera, &vp, at, 3.0)[0];
        assert_eq!(d, 0.0);
        let twins: Vec<usize> = (0..set.len())
            .filter(|&j| set.xy[j] == [500.0, 250.0])
            .collect();
        assert_eq!(i, twins[0]);
    }

    #[test]
    fn a_pixel_holds_the_points_binned_into_it() {
        // Thousands of points in one pixel, a few beside it.
        let mut xy = vec![];
        for k in 0..5000 {
            xy.push([
                10.0 + (k % 100) as f64 * 0.0099,
                20.0 + (k / 100) as f64 * 0.0199,
            ]);
        }
        xy.push([11.5, 20.5]);
        xy.push([9.99, 20.5]);
        let set = PointSet::from_points(xy, None);
        let camera = Camera::from_ranges((0.0, 100.0), (0.0, 50.0));
        let size = (100, 50);
        let cell = (10, 50 - 1 - 20);
        let got = pixel_points(&set, &camera, size, cell);
        assert_eq!(got, (0..5000).collect::<Vec<_>>());
        let map = GridMap::new(&camera, set.origin, size);
        let all = (0..set.len())
            .filter(|&i| map.cell(set.xy[i]) == Some(cell))
            .count();
        assert_eq!(all, 5000);
    }
}
