//! The camera: which rectangle of data space is visible, in f64, and the
//! maths that moves it (zoom at a pixel, pan, box zoom, fit). It knows
//! nothing of the GPU: [`Camera::clip_transform`] turns it into the f32
//! scale and translation the shaders apply to offsets from the view's corner.
//!
//! Pixels are measured from the target's top-left corner, y down; data y is up.

use glam::DVec2;

use crate::points::Bounds;

/// A rectangle of the target in pixels (the plot area), y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub min: DVec2,
    pub size: DVec2,
}

impl Viewport {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Self {
            min: DVec2::new(x, y),
            size: DVec2::new(w.max(1.0), h.max(1.0)),
        }
    }

    /// The whole of a `width` × `height` target.
    pub fn full(width: u32, height: u32) -> Self {
        Self::new(0.0, 0.0, width as f64, height as f64)
    }
}

/// The visible data rectangle `[lo, hi]`, kept as its corners so that the
/// ranges a user gives are the ranges binned (Datashader's exact edges).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    pub lo: DVec2,
    pub hi: DVec2,
}

/// Smallest half-extent relative to the centre's magnitude: below this, f64
/// cannot tell neighbouring pixels apart.
const MIN_REL_HALF: f64 = 1e-13;
const MIN_HALF: f64 = 1e-290;
const MAX_HALF: f64 = 1e290;

/// The smallest half-size the camera allows about `centre`.
fn min_half(centre: DVec2) -> DVec2 {
    (centre.abs() * MIN_REL_HALF).max(DVec2::splat(MIN_HALF))
}

impl Camera {
    /// Fraction of the data extent left free on each side by [`Camera::fit`].
    pub const MARGIN: f64 = 0.04;

    /// Shows `bounds` with a small margin; degenerate bounds (one point, or
    /// none) get a unit-sized view around them.
    pub fn fit(bounds: &Bounds) -> Self {
        if bounds.is_empty() {
            return Self::from_ranges((0.0, 1.0), (0.0, 1.0));
        }
        let c = bounds.center();
        let s = bounds.size();
        let pad = |extent: f64, centre: f64| {
            if extent > 0.0 {
                extent * (0.5 + Self::MARGIN)
            } else {
                0.5 * centre.abs().max(1.0)
            }
        };
        Self::around(c, DVec2::new(pad(s.x, c.x), pad(s.y, c.y)))
    }

    /// The view `[x0, x1] × [y0, y1]` (either order), exactly.
    pub fn from_ranges(x: (f64, f64), y: (f64, f64)) -> Self {
        let mut cam = Self {
            lo: DVec2::new(x.0.min(x.1), y.0.min(y.1)),
            hi: DVec2::new(x.0.max(x.1), y.0.max(y.1)),
        };
        if !(cam.lo.is_finite() && cam.hi.is_finite())
            || cam.half().cmplt(min_half(cam.center())).any()
            || cam.half().cmpgt(DVec2::splat(MAX_HALF)).any()
        {
            cam = Self::around(cam.center(), cam.half());
        }
        cam
    }

    /// The view `centre ± half`, within the camera's limits (a finite centre,
    /// a half-size between MIN_REL_HALF of the centre and MAX_HALF).
    pub fn around(centre: DVec2, half: DVec2) -> Self {
        let centre = if centre.is_finite() {
            centre
        } else {
            DVec2::ZERO
        };
        let half = half.max(min_half(centre)).min(DVec2::splat(MAX_HALF));
        let half = if half.is_finite() { half } else { DVec2::ONE };
        Self {
            lo: centre - half,
            hi: centre + half,
        }
    }

    pub fn center(&self) -> DVec2 {
        (self.lo + self.hi) * 0.5
    }

    pub fn half(&self) -> DVec2 {
        (self.hi - self.lo) * 0.5
    }

    pub fn x_range(&self) -> (f64, f64) {
        (self.lo.x, self.hi.x)
    }

    pub fn y_range(&self) -> (f64, f64) {
        (self.lo.y, self.hi.y)
    }

    /// Data units per pixel along x and y.
    pub fn per_pixel(&self, vp: &Viewport) -> DVec2 {
        (self.hi - self.lo) / vp.size
    }

    pub fn data_to_pixel(&self, p: DVec2, vp: &Viewport) -> DVec2 {
        let u = (p - self.lo) / self.per_pixel(vp);
        DVec2::new(vp.min.x + u.x, vp.min.y + vp.size.y - u.y)
    }

    pub fn pixel_to_data(&self, px: DVec2, vp: &Viewport) -> DVec2 {
        let u = DVec2::new(px.x - vp.min.x, vp.min.y + vp.size.y - px.y);
        self.lo + u * self.per_pixel(vp)
    }

    /// Zoom by `factor` (> 1 zooms in) keeping the data point under `pixel` fixed.
    pub fn zoom_at(&mut self, pixel: DVec2, factor: f64, vp: &Viewport) {
        self.zoom_at_xy(pixel, DVec2::splat(factor), vp);
    }

    /// Zoom with separate factors per axis, keeping the point under `pixel` fixed.
    pub fn zoom_at_xy(&mut self, pixel: DVec2, factor: DVec2, vp: &Viewport) {
        if !(factor.is_finite() && factor.cmpgt(DVec2::ZERO).all()) {
            return;
        }
        let anchor = self.pixel_to_data(pixel, vp);
        let (old_c, old_h) = (self.center(), self.half());
        let half = Self::around(old_c, old_h / factor).half();
        // Keep `anchor` at the same fraction of the view: c' = a + (c - a) * h'/h.
        *self = Self::around(anchor + (old_c - anchor) * (half / old_h), half);
    }

    /// The narrowest view of `vp` that f64 still draws exactly: a pixel no
    /// smaller than 4 f64 steps at the view's centre. (The GPU's (hi, lo)
    /// pairs go as far: a deep view re-bases them, [`Camera::pair_origin`].)
    pub fn exact_floor(&self, vp: &Viewport) -> DVec2 {
        let step = |c: f64| {
            let c = c.abs().max(f64::MIN_POSITIVE);
            c.next_up() - c
        };
        let c = self.center();
        DVec2::new(step(c.x), step(c.y)) * 4.0 * vp.size * 0.5
    }

    /// What the GPU's (hi, lo) pairs should be relative to for this view:
    /// `base` (the data's origin) or else `current` while either resolves a
    /// 64th of a pixel here (their error is 2^-46 of the distance from the
    /// origin), else the view's centre.
    pub fn pair_origin(&self, vp: &Viewport, base: DVec2, current: DVec2) -> DVec2 {
        let per_px = self.per_pixel(vp).min_element();
        let size = (self.hi - self.lo).max_element();
        let fine = |o: DVec2| {
            let reach = (self.lo - o).abs().max((self.hi - o).abs()).max_element() + size;
            reach * 2f64.powi(-46) <= per_px / 64.0
        };
        if fine(base) {
            base
        } else if fine(current) {
            current
        } else {
            self.center()
        }
    }

    /// Keep the view at least `floor` (half-sizes) wide, about its centre;
    /// whether it had to.
    pub fn hold_floor(&mut self, floor: DVec2) -> bool {
        let held = self.half().cmplt(floor).any();
        if held {
            *self = Self::around(self.center(), self.half().max(floor));
        }
        held
    }

    /// Whether the view is at most `floor` (half-sizes) wide along an axis.
    pub fn at_floor(&self, floor: DVec2) -> bool {
        self.half().cmple(floor * (1.0 + 1e-12)).any()
    }

    /// Move the view so that the content follows a cursor moved by `delta` pixels.
    pub fn pan_pixels(&mut self, delta: DVec2, vp: &Viewport) {
        let d = delta * self.per_pixel(vp);
        let d = DVec2::new(d.x, -d.y);
        *self = Self::around(self.center() - d, self.half());
    }

    /// Show exactly the data under the pixel rectangle with corners `a` and `b`.
    /// Rectangles thinner than 2 px are ignored (a click, not a box).
    pub fn box_zoom(&mut self, a: DVec2, b: DVec2, vp: &Viewport) -> bool {
        let d = (a - b).abs();
        if d.x < 2.0 || d.y < 2.0 {
            return false;
        }
        let p = self.pixel_to_data(a, vp);
        let q = self.pixel_to_data(b, vp);
        *self = Self::from_ranges((p.x, q.x), (p.y, q.y));
        true
    }

    /// Scale and translation taking a point's offset from the view's corner
    /// (x0, y0) to clip space, for a `viewport` inside a `target` of (width,
    /// height) pixels. The offset is small however far the data sits from 0
    /// and however deep the zoom: the shaders form it from (hi, lo) pairs.
    pub fn clip_transform(&self, vp: &Viewport, target: DVec2) -> ClipTransform {
        // pixel = vp.min + (p - lo) / per_px (y flipped); clip = pixel * 2 / target - 1 (y flipped).
        let per_px = self.per_pixel(vp);
        let scale_px = DVec2::new(1.0, -1.0) / per_px;
        let corner_px = DVec2::new(vp.min.x, vp.min.y + vp.size.y);
        let to_clip = DVec2::new(2.0, -2.0) / target;
        let translate = corner_px * to_clip + DVec2::new(-1.0, 1.0);
        ClipTransform {
            corner: self.lo,
            scale: (scale_px * to_clip).as_vec2().to_array(),
            translate: translate.as_vec2().to_array(),
        }
    }
}

/// `clip = (p - corner) * scale + translate`, as the shaders apply it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipTransform {
    /// The view's lower-left corner in data coordinates.
    pub corner: DVec2,
    pub scale: [f32; 2],
    pub translate: [f32; 2],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vp() -> Viewport {
        Viewport::new(60.0, 20.0, 800.0, 500.0)
    }

    fn close(a: DVec2, b: DVec2, rel: f64) -> bool {
        let scale = a.abs().max(b.abs()).max_element().max(1e-300);
        (a - b).abs().max_element() <= rel * scale
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let vp = vp();
        for (center, half) in [
            (DVec2::new(0.3, -2.0), DVec2::new(1.0, 0.5)),
            (DVec2::new(1e6, 1e6 + 0.5), DVec2::new(1e-3, 2e-3)),
            (DVec2::new(-5e-9, 7e-9), DVec2::new(1e-9, 1e-9)),
        ] {
            let mut cam = Camera::around(center, half);
            let cursor = DVec2::new(123.4, 456.7);
            let before = cam.pixel_to_data(cursor, &vp);
            for factor in [1.1, 1.0 / 1.1, 37.0, 0.01] {
                cam.zoom_at(cursor, factor, &vp);
                let after = cam.pixel_to_data(cursor, &vp);
                assert!(close(before, after, 1e-9), "{before} vs {after}");
            }
        }
    }

    #[test]
    fn pan_moves_content_with_the_cursor_and_round_trips() {
        let vp = vp();
        let mut cam = Camera::from_ranges((0.0, 10.0), (-1.0, 1.0));
        let start = cam;
        let grabbed = cam.pixel_to_data(DVec2::new(300.0, 200.0), &vp);
        cam.pan_pixels(DVec2::new(40.0, -25.0), &vp);
        let now = cam.data_to_pixel(grabbed, &vp);
        assert!(close(now, DVec2::new(340.0, 175.0), 1e-12), "{now}");
        cam.pan_pixels(DVec2::new(-40.0, 25.0), &vp);
        assert!(close(cam.center(), start.center(), 1e-12));
    }

    #[test]
    fn box_zoom_maps_the_rectangle_onto_the_viewport() {
        let vp = vp();
        let mut cam = Camera::from_ranges((0.0, 8.0), (0.0, 5.0));
        let (a, b) = (DVec2::new(100.0, 300.0), DVec2::new(500.0, 60.0));
        let (da, db) = (cam.pixel_to_data(a, &vp), cam.pixel_to_data(b, &vp));
        assert!(cam.box_zoom(a, b, &vp));
        let corner_lo = cam.data_to_pixel(da.min(db), &vp);
        let corner_hi = cam.data_to_pixel(da.max(db), &vp);
        assert!(
            close(corner_lo, DVec2::new(60.0, 520.0), 1e-12),
            "{corner_lo}"
        );
        assert!(
            close(corner_hi, DVec2::new(860.0, 20.0), 1e-12),
            "{corner_hi}"
        );
        assert!(!cam.box_zoom(a, a + DVec2::new(1.0, 50.0), &vp));
    }

    #[test]
    fn fit_covers_the_bounds() {
        let b = Bounds {
            min: DVec2::new(-3.0, 10.0),
            max: DVec2::new(5.0, 11.0),
        };
        let cam = Camera::fit(&b);
        let (x0, x1) = cam.x_range();
        let (y0, y1) = cam.y_range();
        assert!(x0 < -3.0 && x1 > 5.0 && y0 < 10.0 && y1 > 11.0);
        assert!((x1 - x0) < 8.0 * 1.1 && (y1 - y0) < 1.1);
        // A single point and no points still give a usable view.
        let one = Bounds {
            min: DVec2::splat(7.0),
            max: DVec2::splat(7.0),
        };
        let cam = Camera::fit(&one);
        assert!(cam.half().cmpgt(DVec2::ZERO).all() && cam.center() == DVec2::splat(7.0));
        assert!(Camera::fit(&Bounds::EMPTY).half().cmpgt(DVec2::ZERO).all());
    }

    #[test]
    fn given_ranges_are_kept_exactly() {
        // centre ± half would round these edges (Datashader bins by them).
        for (x, y) in [
            ((-3.7, 1234.567890123), (0.1, 0.7000000001)),
            ((1e9 + 0.1, 1e9 + 0.3), (-7e-9, 3e-9)),
        ] {
            let cam = Camera::from_ranges(x, y);
            assert_eq!((cam.x_range(), cam.y_range()), (x, y));
            assert_eq!(Camera::from_ranges((x.1, x.0), y).x_range(), x);
        }
        // A degenerate or absurd range becomes a usable view.
        let cam = Camera::from_ranges((2.0, 2.0), (f64::NAN, 1.0));
        assert!(cam.half().cmpgt(DVec2::ZERO).all() && cam.center().is_finite());
    }

    #[test]
    fn screen_data_round_trip() {
        let vp = vp();
        let cam = Camera::from_ranges((-1e6, 3e6), (2.5, 2.75));
        for px in [
            DVec2::new(60.0, 20.0),
            DVec2::new(333.3, 111.1),
            DVec2::new(860.0, 520.0),
        ] {
            let back = cam.data_to_pixel(cam.pixel_to_data(px, &vp), &vp);
            assert!(close(back, px, 1e-12), "{px} -> {back}");
        }
        // The top-left of the viewport is (x0, y1).
        let tl = cam.pixel_to_data(vp.min, &vp);
        assert!(close(tl, DVec2::new(-1e6, 2.75), 1e-12));
    }

    #[test]
    fn extreme_zoom_stays_finite() {
        let vp = vp();
        let mut cam = Camera::from_ranges((1e6, 1e6 + 1.0), (0.0, 1.0));
        for _ in 0..2000 {
            cam.zoom_at(DVec2::new(200.0, 200.0), 10.0, &vp);
        }
        assert!(cam.center().is_finite() && cam.half().cmpgt(DVec2::ZERO).all());
        for _ in 0..4000 {
            cam.zoom_at(DVec2::new(200.0, 200.0), 0.1, &vp);
        }
        assert!(cam.center().is_finite() && cam.half().is_finite());
        cam.zoom_at(DVec2::ZERO, f64::NAN, &vp);
        assert!(cam.half().is_finite());
    }

    #[test]
    fn zooming_stops_where_f64_runs_out() {
        let vp = vp();
        // 4 steps of 1e9 (~1.2e-7) a pixel.
        let mut cam = Camera::from_ranges((1e9, 1e9 + 1.0), (5.0, 6.0));
        let floor = cam.exact_floor(&vp);
        let step = 1e9f64.next_up() - 1e9;
        assert!((floor.x / (vp.size.x * 0.5) - 4.0 * step).abs() < 1e-20);
        for _ in 0..200 {
            cam.zoom_at(DVec2::new(10.0, 10.0), 2.0, &vp);
            cam.hold_floor(cam.exact_floor(&vp));
        }
        assert!(
            (cam.half().x / floor.x - 1.0).abs() < 1e-6,
            "{} vs {}",
            cam.half().x,
            floor.x
        );
        assert!(cam.at_floor(cam.exact_floor(&vp)));
        assert!(cam.per_pixel(&vp).x >= 4.0 * step);
        let mut narrow = Camera::from_ranges((0.5, 0.5 + 1e-14), (0.0, 1e-14));
        let floor = narrow.exact_floor(&vp);
        assert!(narrow.hold_floor(floor));
        assert!(!narrow.hold_floor(floor), "held already");
    }

    #[test]
    fn pairs_move_to_the_view_only_when_the_data_origin_cannot_resolve_it() {
        let vp = vp();
        let base = DVec2::new(1000.0, 500.0);
        // A wide view, and one 1e-6 across: the data's origin resolves both
        // (2^-46 of ~250 is 1/600 of a pixel of the narrow one).
        for (x, y) in [
            ((0.0, 2000.0), (0.0, 1000.0)),
            ((1234.5, 1234.5 + 1e-6), (678.0, 678.0 + 1e-6)),
        ] {
            assert_eq!(Camera::from_ranges(x, y).pair_origin(&vp, base, base), base);
        }
        // 1e-11 across: 2^-46 of ~250 is 1/6 of its pixels; the centre it is.
        let deep = Camera::from_ranges((1234.5, 1234.5 + 1e-11), (678.0, 678.0 + 1e-11));
        let o = deep.pair_origin(&vp, base, base);
        assert_eq!(o, deep.center());
        // Panning a little keeps it; a jump of many views moves it again.
        let mut near = deep;
        near.pan_pixels(DVec2::new(300.0, 0.0), &vp);
        assert_eq!(near.pair_origin(&vp, base, o), o);
        let far = Camera::from_ranges((1300.0, 1300.0 + 1e-11), (678.0, 678.0 + 1e-11));
        assert_eq!(far.pair_origin(&vp, base, o), far.center());
    }

    #[test]
    fn clip_transform_matches_pixel_maths() {
        let vp = vp();
        let target = DVec2::new(1000.0, 600.0);
        let cam = Camera::from_ranges((1e6, 1e6 + 4.0), (-2.0, 2.0));
        let t = cam.clip_transform(&vp, target);
        assert_eq!(t.corner, DVec2::new(1e6, -2.0));
        for off in [[0.0f32, 0.0], [1.25, 3.75], [3.5, 1.75]] {
            let data = t.corner + DVec2::new(off[0] as f64, off[1] as f64);
            let px = cam.data_to_pixel(data, &vp);
            let clip = DVec2::new(
                (off[0] * t.scale[0] + t.translate[0]) as f64,
                (off[1] * t.scale[1] + t.translate[1]) as f64,
            );
            let px_gpu = DVec2::new((clip.x + 1.0) * 500.0, (1.0 - clip.y) * 300.0);
            assert!((px - px_gpu).abs().max_element() < 1e-3, "{px} vs {px_gpu}");
        }
    }
}
