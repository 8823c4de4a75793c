//! CPU twin of shaders/points.wgsl: each point a round anti-aliased disc of
//! its colour, blended in instance order. Written to read like the shader
//! (quad extent, pixel-centre sampling, `coverage`), and fast: the discs are
//! binned by bands of rows, and the bands drawn in parallel, each in the
//! points' own order (so every pixel blends exactly as on the GPU).

use glam::{DVec2, Vec2};
use rayon::prelude::*;

use super::canvas::{blend8, ceil_i, Canvas, Clip};
use crate::camera::{Camera, Viewport};

/// Rows a band of the image holds.
const BAND: usize = 16;
/// Points a binning task takes.
const CHUNK: usize = 1 << 16;

/// One disc: its centre (target pixels), radius, colour bytes and alpha
/// (0-1, times the opacity).
#[derive(Debug, Clone, Copy)]
pub struct Disc {
    pub centre: Vec2,
    pub radius: f32,
    pub rgb: [u8; 3],
    pub alpha: f32,
}

/// Coverage of a pixel whose centre is `d` pixels from the disc's centre
/// (the shader's `coverage`).
#[inline]
pub fn coverage(d: f32, radius: f32) -> f32 {
    (radius + 0.5 - d).clamp(0.0, 1.0)
}

/// The pixel rows and columns whose centres the disc's quad (half a pixel
/// beyond its radius) holds, within `clip`.
#[inline]
fn extent(disc: &Disc, clip: Clip) -> (i64, i64, i64, i64) {
    let e = disc.radius + 0.5;
    let c = disc.centre;
    (
        ceil_i(c.x - e - 0.5).max(clip.x0),
        ceil_i(c.x + e - 0.5).min(clip.x1),
        ceil_i(c.y - e - 0.5).max(clip.y0),
        ceil_i(c.y + e - 0.5).min(clip.y1),
    )
}

/// Blend `disc` into the rows `rows` of an image `width` pixels wide whose
/// bytes `img` begin at row `rows.start` (the fragment shader, per pixel).
#[inline]
pub fn shade(img: &mut [u8], width: usize, rows: std::ops::Range<i64>, clip: Clip, disc: &Disc) {
    let (x0, x1, y0, y1) = extent(disc, clip);
    for y in y0.max(rows.start)..y1.min(rows.end) {
        let row = (y - rows.start) as usize * width;
        for x in x0..x1 {
            let d = Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - disc.centre;
            let a = coverage(d.length(), disc.radius) * disc.alpha;
            if a <= 0.0 {
                continue;
            }
            blend8(&mut img[(row + x as usize) * 4..][..4], disc.rgb, a);
        }
    }
}

/// Where the points land: the disc of each point `i` of the `runs` whose
/// packed colour (`colours[i]`) and size factor (`sizes`, None: all 1) give
/// one, centred where `camera` puts it in the plot area `vp` (f64, then f32
/// as the shader's pixel positions).
#[allow(clippy::too_many_arguments)]
pub fn discs<'a>(
    xy: &'a [[f64; 2]],
    runs: &[std::ops::Range<usize>],
    colours: &'a [u32],
    sizes: Option<&[f32]>,
    camera: &Camera,
    vp: &Viewport,
    radius: f32,
    opacity: f32,
) -> impl ParallelIterator<Item = Vec<Disc>> + 'a {
    let (x0, x1) = camera.x_range();
    let (y0, y1) = camera.y_range();
    let sx = vp.size.x / (x1 - x0);
    let sy = vp.size.y / (y1 - y0);
    let corner = vp.min;
    let bottom = vp.min.y + vp.size.y;
    let chunks: Vec<std::ops::Range<usize>> = runs
        .iter()
        .flat_map(|r| {
            (r.start..r.end)
                .step_by(CHUNK)
                .map(move |s| s..(s + CHUNK).min(r.end))
        })
        .collect();
    let sizes = sizes.map(|s| s.to_vec());
    chunks.into_par_iter().map(move |range| {
        let mut out = Vec::with_capacity(range.len());
        for i in range {
            let radius = match &sizes {
                // NaN or not above 0: no disc.
                Some(s) if s[i].is_nan() || s[i] <= 0.0 => continue,
                Some(s) => radius * s[i],
                None => radius,
            };
            let [r, g, b, a] = colours[i].to_le_bytes();
            let alpha = a as f32 / 255.0 * opacity;
            if alpha <= 0.0 {
                continue;
            }
            let [x, y] = xy[i];
            let p = DVec2::new(corner.x + (x - x0) * sx, bottom - (y - y0) * sy);
            out.push(Disc {
                centre: p.as_vec2(),
                radius,
                rgb: [r, g, b],
                alpha,
            });
        }
        out
    })
}

/// Draw `discs` (chunks in instance order) into `canvas` within `clip`.
pub fn draw(canvas: &mut Canvas, clip: Clip, discs: impl ParallelIterator<Item = Vec<Disc>>) {
    let w = canvas.width;
    let bands = canvas.height.div_ceil(BAND);
    // Each chunk's discs binned by the bands they touch, in order.
    let binned: Vec<Vec<Vec<Disc>>> = discs
        .map(|chunk| {
            let mut by_band = vec![Vec::new(); bands];
            for d in chunk {
                let (x0, x1, y0, y1) = extent(&d, clip);
                if x0 >= x1 || y0 >= y1 {
                    continue;
                }
                let bands = (y0 as usize / BAND)..=((y1 - 1) as usize / BAND);
                for band in &mut by_band[bands] {
                    band.push(d);
                }
            }
            by_band
        })
        .collect();
    canvas
        .rgba
        .par_chunks_mut(BAND * w * 4)
        .enumerate()
        .for_each(|(b, img)| {
            let rows = (b * BAND) as i64..((b * BAND) as i64 + (img.len() / (w * 4)) as i64);
            for chunk in &binned {
                for d in &chunk[b] {
                    shade(img, w, rows.clone(), clip, d);
                }
            }
        });
}
