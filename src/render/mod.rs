//! Everything that talks to wgpu to make a picture.
//!
//! - [`Renderer`]: format-independent, long-lived: the derive pipeline and
//!   the colourmap texture it samples.
//! - [`chunks::GpuPoints`]: one dataset's buffers, rebuilt when data changes.
//! - [`Painter`]: the pipelines that draw into one target format.
//! - [`draw_layer`]: the one render path, into any `TextureView` — the
//!   window's surface, an offscreen PNG target, a test's readback.

pub mod chunks;
pub mod derive;
pub mod overlay;
pub mod pipeline;
pub mod points;
pub mod resolve;
pub mod select;
pub mod shaders;
pub mod splat;
pub mod target;

use crate::colormap::{Colormap, LUT_SIZE};
use crate::error::Result;
pub use crate::frame::{FrameView, Style};
use crate::gpu::Gpu;
use crate::overlay::Overlay as OverlayData;
use chunks::GpuPoints;
use derive::DerivePipeline;
use overlay::OverlayPainter;
use points::PointsPipeline;
use resolve::ResolvePipeline;

/// The format of every offscreen target: bytes pass through unchanged.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

pub struct Renderer {
    pub derive: DerivePipeline,
    colormap: Colormap,
    /// What the texture holds: the colourmap's table, or a category palette.
    lut: [[u8; 4]; LUT_SIZE],
    colormap_texture: wgpu::Texture,
    colormap_view: wgpu::TextureView,
}

impl Renderer {
    pub fn new(gpu: &Gpu, colormap: Colormap) -> Self {
        let colormap_texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("pointillist colormap"),
            size: wgpu::Extent3d {
                width: LUT_SIZE as u32,
                height: 1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            // Not sRGB: the table's bytes are already what should land in the image.
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let colormap_view = colormap_texture.create_view(&Default::default());
        let renderer = Self {
            derive: DerivePipeline::new(&gpu.device),
            lut: colormap.rgba8(),
            colormap,
            colormap_texture,
            colormap_view,
        };
        renderer.write_colormap(&gpu.queue);
        renderer
    }

    /// The table the texture holds.
    pub fn lut(&self) -> &[[u8; 4]; LUT_SIZE] {
        &self.lut
    }

    /// Draw through `lut` (a category palette) in place of the colourmap's
    /// table, or (None) the colourmap's own again.
    pub fn set_lut(&mut self, queue: &wgpu::Queue, lut: Option<[[u8; 4]; LUT_SIZE]>) {
        let lut = lut.unwrap_or_else(|| self.colormap.rgba8());
        if lut != self.lut {
            self.lut = lut;
            self.write_colormap(queue);
        }
    }

    pub fn colormap(&self) -> Colormap {
        self.colormap.clone()
    }

    /// The colourmap texture (256 x 1, Rgba8Unorm), for the colourbar.
    pub fn colormap_view(&self) -> &wgpu::TextureView {
        &self.colormap_view
    }

    /// Change the colourmap. Colours are stale until the next derive.
    pub fn set_colormap(&mut self, queue: &wgpu::Queue, colormap: Colormap) {
        if colormap != self.colormap {
            self.colormap = colormap;
            self.set_lut(queue, None);
        }
    }

    fn write_colormap(&self, queue: &wgpu::Queue) {
        queue.write_texture(
            self.colormap_texture.as_image_copy(),
            bytemuck::cast_slice(&self.lut),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(LUT_SIZE as u32 * 4),
                rows_per_image: None,
            },
            self.colormap_texture.size(),
        );
    }

    /// Bind group for derive.wgsl: params, positions, data, values, colours,
    /// stats; the colourmap; the norm's table.
    pub fn derive_bind_group(
        &self,
        device: &wgpu::Device,
        buffers: [&wgpu::Buffer; 6],
        norm_table: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        let mut entries = pipeline::buffer_entries(&buffers);
        entries.push(wgpu::BindGroupEntry {
            binding: 6,
            resource: wgpu::BindingResource::TextureView(&self.colormap_view),
        });
        entries.push(wgpu::BindGroupEntry {
            binding: 7,
            resource: norm_table.as_entire_binding(),
        });
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pointillist derive"),
            layout: &self.derive.layout,
            entries: &entries,
        })
    }
}

/// The pipelines that draw into targets of one format.
pub struct Painter {
    pub format: wgpu::TextureFormat,
    pub points: PointsPipeline,
    pub resolve: ResolvePipeline,
    pub overlay: OverlayPainter,
}

/// What fills the plot area.
#[derive(Clone, Copy)]
pub enum Content<'a> {
    /// Instanced discs: those of the runs given (None: all).
    Points(&'a GpuPoints, Option<&'a [std::ops::Range<usize>]>),
    /// The splat or density grid, as last prepared in the painter's resolve pipeline.
    Grid,
}

impl<'a> From<&'a GpuPoints> for Content<'a> {
    fn from(points: &'a GpuPoints) -> Self {
        Content::Points(points, None)
    }
}

impl Painter {
    /// Pipelines for `format`; the colourbar samples `renderer`'s colourmap texture.
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat, renderer: &Renderer) -> Self {
        Self {
            format,
            points: PointsPipeline::new(&gpu.device, format),
            resolve: ResolvePipeline::new(&gpu.device, format, renderer.colormap_view()),
            overlay: OverlayPainter::new(gpu, format, renderer.colormap_view()),
        }
    }
}

/// Draw one frame into `target` (a view of a texture in `painter.format`) and
/// submit: background (unless not `clear`: a selection's points go over the
/// dimmed frame), the points clipped to the plot area, then the overlay.
#[allow(clippy::too_many_arguments)]
pub fn draw_layer<'a>(
    gpu: &Gpu,
    painter: &mut Painter,
    content: impl Into<Content<'a>>,
    view: &FrameView,
    style: &Style,
    overlay: Option<&OverlayData>,
    target: &wgpu::TextureView,
    clear: bool,
) -> Result<()> {
    let content = content.into();
    if let Content::Points(points, _) = content {
        painter
            .points
            .prepare(&gpu.queue, view.points_uniform(points.origin, style));
    }
    if let Some(overlay) = overlay {
        painter.overlay.prepare(gpu, overlay, view.size)?;
    }
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("pointillist frame"),
        });
    {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("pointillist frame"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: if clear {
                        wgpu::LoadOp::Clear(style.background)
                    } else {
                        wgpu::LoadOp::Load
                    },
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if let Some((x, y, w, h)) = view.scissor() {
            pass.set_scissor_rect(x, y, w, h);
            match content {
                Content::Points(points, runs) => painter.points.draw(&mut pass, points, runs),
                Content::Grid => painter.resolve.render(&mut pass),
            }
        }
        if overlay.is_some() {
            pass.set_scissor_rect(0, 0, view.size.0, view.size.1);
            painter.overlay.render(&mut pass)?;
        }
    }
    gpu.queue.submit([encoder.finish()]);
    Ok(())
}
