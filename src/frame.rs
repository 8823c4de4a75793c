//! What one frame shows, as plain data: the camera and plot area
//! ([`FrameView`]), how points look ([`Style`]), and the uniform block the
//! instanced discs are drawn with ([`PointsUniform`]), which the GPU
//! (render/points.rs) and its CPU twin (reference.rs) both compute from here.

use bytemuck::{Pod, Zeroable};
use glam::DVec2;

use crate::camera::{Camera, Viewport};

/// How points look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Disc diameter in physical pixels.
    pub point_size: f32,
    pub opacity: f32,
    pub background: wgpu::Color,
    /// Physical pixels per logical pixel (HiDPI): margins, lines and text
    /// grow by it (the point size above already has it).
    pub scale: f32,
}

impl Style {
    /// The background's colour channels (0–1), for choosing the text colour.
    pub fn rgb(&self) -> [f64; 3] {
        [self.background.r, self.background.g, self.background.b]
    }
}

impl Default for Style {
    fn default() -> Self {
        Self {
            point_size: 2.0,
            opacity: 1.0,
            background: wgpu::Color::WHITE,
            scale: 1.0,
        }
    }
}

/// Keep in sync with `PointsUniform` in shaders/points.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct PointsUniform {
    /// The view's corner minus the origin, as (hi, lo) pairs ([`crate::points::split`]).
    pub a_hi: [f32; 2],
    pub a_lo: [f32; 2],
    pub scale: [f32; 2],
    pub translate: [f32; 2],
    pub px_to_clip: [f32; 2],
    pub radius_px: f32,
    pub opacity: f32,
}

const _: () = assert!(std::mem::size_of::<PointsUniform>() == 48);

/// What part of the data lands where in a target of `size` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameView {
    pub camera: Camera,
    pub viewport: Viewport,
    pub size: (u32, u32),
}

impl FrameView {
    /// The uniform block of points.wgsl for points the GPU holds relative to `origin`.
    pub fn points_uniform(&self, origin: DVec2, style: &Style) -> PointsUniform {
        let target = DVec2::new(self.size.0 as f64, self.size.1 as f64);
        let t = self.camera.clip_transform(&self.viewport, target);
        let [ahx, ahy, alx, aly] = crate::points::split(origin, t.corner.to_array());
        PointsUniform {
            a_hi: [ahx, ahy],
            a_lo: [alx, aly],
            scale: t.scale,
            translate: t.translate,
            px_to_clip: [2.0 / target.x as f32, -2.0 / target.y as f32],
            radius_px: style.point_size * 0.5,
            opacity: style.opacity,
        }
    }

    /// The viewport as a scissor rectangle (x, y, w, h) clamped to the target.
    pub fn scissor(&self) -> Option<(u32, u32, u32, u32)> {
        let (w, h) = (self.size.0 as f64, self.size.1 as f64);
        let x0 = self.viewport.min.x.clamp(0.0, w).floor();
        let y0 = self.viewport.min.y.clamp(0.0, h).floor();
        let x1 = (self.viewport.min.x + self.viewport.size.x)
            .clamp(0.0, w)
            .ceil();
        let y1 = (self.viewport.min.y + self.viewport.size.y)
            .clamp(0.0, h)
            .ceil();
        (x1 > x0 && y1 > y0).then_some((x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32))
    }
}

/// A rendered frame, and the aggregate grid behind it in splat and density modes.
pub struct Rendered {
    pub rgba: Vec<u8>,
    pub mode: crate::options::Mode,
    /// (width, height, cells), row 0 at the top.
    pub grid: Option<(u32, u32, Vec<u32>)>,
    /// A category mix's colour per pixel (packed RGB), beside its counts in `grid`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub mix: Option<Vec<u32>>,
    pub backend: crate::options::Backend,
    pub stats: crate::derive::DeriveStats,
    pub len: usize,
    /// The points the figure's selection holds, and the read-out at its
    /// probe pixel, when the caller wants the frame's details.
    pub selection: Option<crate::select::Selection>,
    pub probe: Vec<String>,
}
