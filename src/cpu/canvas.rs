//! The CPU frame's target: RGBA8 bytes, written as an `Rgba8Unorm` render
//! target is — alpha blending as wgpu's `ALPHA_BLENDING`, colours as bytes
//! end to end (no sRGB conversion), and a scissor rectangle.

use rayon::prelude::*;

/// An RGBA8 image being drawn, row 0 at the top.
pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

/// A rectangle of whole pixels, `x0..x1` by `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clip {
    pub x0: i64,
    pub y0: i64,
    pub x1: i64,
    pub y1: i64,
}

impl Clip {
    /// The scissor of a frame view (None: nothing of it is in the target).
    pub fn of(scissor: Option<(u32, u32, u32, u32)>) -> Option<Clip> {
        scissor.map(|(x, y, w, h)| Clip {
            x0: x as i64,
            y0: y as i64,
            x1: (x + w) as i64,
            y1: (y + h) as i64,
        })
    }
}

/// The bytes a render pass clears to for `colour` (0-1 channels).
pub fn clear_bytes(colour: [f64; 4]) -> [u8; 4] {
    colour.map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8)
}

/// `x * y / 255` rounded, for bytes (exact: the rounding a unorm8 blend unit makes).
#[inline]
fn mul8(x: u32, y: u32) -> u32 {
    let t = x * y + 128;
    (t + (t >> 8)) >> 8
}

/// Blend `rgb` with opacity `a` (0-1) over the pixel `p`, as the GPU does
/// into an 8-bit target: colour `src * a + dst * (1 - a)`, alpha
/// `a + dst * (1 - a)`, in the unorm8 arithmetic of a blend unit (lavapipe's:
/// the shader's output and its alpha rounded to bytes, each product rounded).
#[inline]
pub fn blend(p: &mut [u8], rgb: [f32; 3], a: f32) {
    blend8(p, rgb.map(|c| unorm8(c) as u8), a);
}

/// `v` (0-1) as the nearest byte, without `f32::round` (a library call on
/// x86-64 without SSE4.1: a tenth of a disc's time).
#[inline]
pub fn unorm8(v: f32) -> u32 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u32
}

/// The smallest integer >= `v`, without `f32::ceil` (see [`unorm8`]).
#[inline]
pub fn ceil_i(v: f32) -> i64 {
    let t = v as i64;
    t + ((t as f32) < v) as i64
}

/// [`blend`] of colour bytes `rgb` with opacity `a` (0-1).
#[inline]
pub fn blend8(p: &mut [u8], rgb: [u8; 3], a: f32) {
    let a8 = unorm8(a);
    if a8 == 255 {
        // What the products give for an opaque source, without them.
        p.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        return;
    }
    let keep = 255 - a8;
    for k in 0..3 {
        p[k] = (mul8(rgb[k] as u32, a8) + mul8(p[k] as u32, keep)).min(255) as u8;
    }
    p[3] = (a8 + mul8(p[3] as u32, keep)).min(255) as u8;
}

/// [`blend`] of a colour given as bytes, its own alpha times `opacity`.
#[inline]
pub fn blend_bytes(p: &mut [u8], c: [u8; 4], opacity: f32) {
    blend8(p, [c[0], c[1], c[2]], c[3] as f32 / 255.0 * opacity);
}

impl Canvas {
    /// A `size` canvas cleared to `background`.
    pub fn new(size: (u32, u32), background: [u8; 4]) -> Self {
        let (width, height) = (size.0 as usize, size.1 as usize);
        let mut rgba = vec![background[0]; width * height * 4];
        if background.iter().any(|&b| b != background[0]) {
            rgba.par_chunks_mut(width * 4).for_each(|row| {
                for p in row.chunks_exact_mut(4) {
                    p.copy_from_slice(&background);
                }
            });
        }
        Self {
            width,
            height,
            rgba,
        }
    }

    /// The pixel (x, y), which must be inside.
    #[inline]
    pub fn px(&mut self, x: i64, y: i64) -> &mut [u8] {
        let i = (y as usize * self.width + x as usize) * 4;
        &mut self.rgba[i..i + 4]
    }
}
