//! A CPU rasteriser of the instanced-points picture: the reference that image
//! tests hold the GPU to. It follows shaders/points.wgsl step for step (quad
//! extent, pixel-centre sampling, disc coverage, alpha blending in 8-bit
//! storage) so the two agree to within rounding. Also: an image comparison
//! that measures how far two pictures differ.

use glam::Vec2;

use crate::frame::{FrameView, Style};

/// Draw `points` (as the GPU holds them, [`crate::points::split`]) with
/// packed `colours` over the background, like `draw_layer`.
pub fn rasterise(
    points: &[[f32; 4]],
    colours: &[u32],
    origin: glam::DVec2,
    view: &FrameView,
    style: &Style,
) -> Vec<u8> {
    rasterise_sized(points, colours, None, origin, view, style)
}

/// [`rasterise`] with each disc's radius the style's times its size (0: no
/// disc; twin of `vs_sized` in points.wgsl).
pub fn rasterise_sized(
    points: &[[f32; 4]],
    colours: &[u32],
    sizes: Option<&[f32]>,
    origin: glam::DVec2,
    view: &FrameView,
    style: &Style,
) -> Vec<u8> {
    let (w, h) = (view.size.0 as usize, view.size.1 as usize);
    let bg = style.background;
    let bg = [bg.r, bg.g, bg.b, bg.a].map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8);
    let mut img: Vec<u8> = bg.iter().copied().cycle().take(w * h * 4).collect();
    let u = view.points_uniform(origin, style);
    let (sx0, sy0, sx1, sy1) = {
        let vp = view.viewport;
        (
            vp.min.x.clamp(0.0, w as f64).floor() as i64,
            vp.min.y.clamp(0.0, h as f64).floor() as i64,
            (vp.min.x + vp.size.x).clamp(0.0, w as f64).ceil() as i64,
            (vp.min.y + vp.size.y).clamp(0.0, h as f64).ceil() as i64,
        )
    };
    for (i, (p, &colour)) in points.iter().zip(colours).enumerate() {
        let radius = match sizes {
            Some(s) if s[i].is_nan() || s[i] <= 0.0 => continue,
            Some(s) => u.radius_px * s[i],
            None => u.radius_px,
        };
        let extent = radius + 0.5;
        let d = (Vec2::new(p[0], p[1]) - Vec2::from(u.a_hi))
            + (Vec2::new(p[2], p[3]) - Vec2::from(u.a_lo));
        let clip = d * Vec2::from(u.scale) + Vec2::from(u.translate);
        let centre = Vec2::new(
            (clip.x + 1.0) * 0.5 * w as f32,
            (1.0 - clip.y) * 0.5 * h as f32,
        );
        let c = colour.to_le_bytes().map(|b| b as f32 / 255.0);
        let x0 = ((centre.x - extent - 0.5).ceil() as i64).max(sx0);
        let x1 = ((centre.x + extent - 0.5).ceil() as i64).min(sx1);
        let y0 = ((centre.y - extent - 0.5).ceil() as i64).max(sy0);
        let y1 = ((centre.y + extent - 0.5).ceil() as i64).min(sy1);
        for y in y0..y1 {
            for x in x0..x1 {
                let d = Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - centre;
                let a = (radius + 0.5 - d.length()).clamp(0.0, 1.0) * c[3] * u.opacity;
                if a <= 0.0 {
                    continue;
                }
                let p = &mut img[(y as usize * w + x as usize) * 4..][..4];
                for k in 0..3 {
                    let dst = p[k] as f32 / 255.0;
                    p[k] = ((c[k] * a + dst * (1.0 - a)) * 255.0).round() as u8;
                }
                let dst = p[3] as f32 / 255.0;
                p[3] = ((a + dst * (1.0 - a)) * 255.0).round() as u8;
            }
        }
    }
    img
}

/// How two RGBA8 images of the same size differ.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDiff {
    /// Largest difference of any channel (0–255).
    pub max: u8,
    /// Mean absolute difference over all channels (0–255).
    pub mean: f64,
    /// Fraction of pixels where some channel differs by more than 32.
    pub bad_fraction: f64,
    /// A picture of the difference: grey where equal, red where the images differ.
    pub diff_image: Vec<u8>,
}

pub fn compare(a: &[u8], b: &[u8]) -> ImageDiff {
    assert_eq!(a.len(), b.len(), "images of the same size");
    let (mut max, mut sum, mut bad) = (0u8, 0u64, 0usize);
    let mut diff_image = Vec::with_capacity(a.len());
    for (pa, pb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        let d: [u8; 4] = std::array::from_fn(|k| pa[k].abs_diff(pb[k]));
        let m = d.into_iter().max().unwrap_or(0);
        max = max.max(m);
        sum += d.iter().map(|&x| x as u64).sum::<u64>();
        bad += (m > 32) as usize;
        let grey = (pa[0] as u16 + pa[1] as u16 + pa[2] as u16) / 12 + 32;
        diff_image.extend_from_slice(&if m == 0 {
            [grey as u8; 3]
        } else {
            [255, 255u8.saturating_sub(m.saturating_mul(4)), 0]
        });
        diff_image.push(255);
    }
    let pixels = (a.len() / 4).max(1);
    ImageDiff {
        max,
        mean: sum as f64 / (pixels * 4) as f64,
        bad_fraction: bad as f64 / pixels as f64,
        diff_image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::{Camera, Viewport};

    #[test]
    fn one_disc_lands_where_the_camera_says() {
        let view = FrameView {
            camera: Camera::from_ranges((0.0, 10.0), (0.0, 10.0)),
            viewport: Viewport::full(20, 20),
            size: (20, 20),
        };
        let style = Style {
            point_size: 4.0,
            ..Default::default()
        };
        let red = u32::from_le_bytes([255, 0, 0, 255]);
        // Data (2.5, 7.5) is pixel (5, 5) with y down.
        let img = rasterise(
            &[[2.5, 7.5, 0.0, 0.0]],
            &[red],
            glam::DVec2::ZERO,
            &view,
            &style,
        );
        let px = |x: usize, y: usize| &img[(y * 20 + x) * 4..][..4];
        assert_eq!(px(5, 5), &[255, 0, 0, 255]);
        assert_eq!(px(4, 4), &[255, 0, 0, 255]);
        assert_eq!(px(15, 15), &[255, 255, 255, 255]);
        assert_eq!(px(5, 14), &[255, 255, 255, 255]);
        let d = compare(&img, &img);
        assert_eq!((d.max, d.mean), (0, 0.0));
        let white = rasterise(&[], &[], glam::DVec2::ZERO, &view, &style);
        let d = compare(&img, &white);
        assert!(d.max == 255 && d.bad_fraction > 0.0 && d.bad_fraction < 0.2);
    }
}
