//! Draws an [`Overlay`](crate::overlay::Overlay): lines (shaders/lines.wgsl),
//! the colourbar sampling the same colourmap texture as the derive pass
//! (shaders/colorbar.wgsl), and text through glyphon with the DejaVu Sans
//! font shipped in assets/fonts, so every machine renders the same glyphs.
//! `prepare` uploads; `render` only records into the pass.

use bytemuck::{Pod, Zeroable};
use glyphon::{
    Cache, Color, ColorMode, Resolution, TextArea, TextAtlas, TextBounds, TextRenderer, Viewport,
};

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::overlay::{Label, Overlay};
use crate::render::pipeline::{self, entry, texture, uniform};
use crate::text::{Fonts, Placed, Turned};

/// Keep in sync with `Screen` in shaders/lines.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct ScreenUniform {
    pub size: [f32; 2],
    pub _pad: [f32; 2],
}

/// Keep in sync with `Rect` in shaders/rect.wgsl (the colourbar's and the
/// turned labels' rectangles).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct BarUniform {
    pub min: [f32; 2],
    pub size: [f32; 2],
    pub screen: [f32; 2],
    pub _pad: [f32; 2],
}

/// One line segment; the instance layout of lines.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
struct LineInstance {
    a: [f32; 2],
    b: [f32; 2],
    width: f32,
    colour: u32,
}

const _: () = assert!(std::mem::size_of::<LineInstance>() == 24);

pub struct OverlayPainter {
    lines: wgpu::RenderPipeline,
    screen: wgpu::Buffer,
    lines_bind_group: wgpu::BindGroup,
    instances: Option<wgpu::Buffer>,
    line_count: u32,
    bar: wgpu::RenderPipeline,
    bar_uniform: wgpu::Buffer,
    bar_bind_group: wgpu::BindGroup,
    show_bar: bool,
    /// The turned labels: their pipeline (the colourbar's bind group layout),
    /// and per label its rectangle, texture and bind group, kept while the
    /// labels stay the same.
    image: wgpu::RenderPipeline,
    bar_layout: wgpu::BindGroupLayout,
    turned: Vec<wgpu::BindGroup>,
    turned_for: Option<TurnedKey>,
    text: Text,
}

impl OverlayPainter {
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat, colormap: &wgpu::TextureView) -> Self {
        let device = &gpu.device;
        let lines_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist lines"),
            entries: &[entry(0, wgpu::ShaderStages::VERTEX, uniform())],
        });
        let screen = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist lines screen"),
            size: std::mem::size_of::<ScreenUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let lines_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pointillist lines"),
            layout: &lines_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: screen.as_entire_binding(),
            }],
        });
        let lines = pipeline::quad(
            device,
            "pointillist lines",
            super::shaders::LINES,
            &lines_layout,
            &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<LineInstance>() as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Float32, 3 => Unorm8x4],
            })],
            format,
            Some(wgpu::BlendState::ALPHA_BLENDING),
        );
        let bar_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist colorbar"),
            entries: &[
                entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT, uniform()),
                entry(1, wgpu::ShaderStages::FRAGMENT, texture()),
            ],
        });
        let bar_uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist colorbar"),
            size: std::mem::size_of::<BarUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bar_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pointillist colorbar"),
            layout: &bar_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: bar_uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(colormap),
                },
            ],
        });
        let bar = pipeline::quad(
            device,
            "pointillist colorbar",
            super::shaders::COLORBAR,
            &bar_layout,
            &[],
            format,
            None,
        );
        let image = pipeline::quad(
            device,
            "pointillist image",
            super::shaders::IMAGE,
            &bar_layout,
            &[],
            format,
            Some(wgpu::BlendState::ALPHA_BLENDING),
        );
        Self {
            lines,
            screen,
            lines_bind_group,
            instances: None,
            line_count: 0,
            bar,
            bar_uniform,
            bar_bind_group,
            show_bar: false,
            image,
            bar_layout,
            turned: Vec::new(),
            turned_for: None,
            text: Text::new(gpu, format),
        }
    }

    /// Upload `overlay` for a target of `size` pixels.
    pub fn prepare(&mut self, gpu: &Gpu, overlay: &Overlay, size: (u32, u32)) -> Result<()> {
        let screen = [size.0 as f32, size.1 as f32];
        gpu.queue.write_buffer(
            &self.screen,
            0,
            bytemuck::bytes_of(&ScreenUniform {
                size: screen,
                _pad: [0.0; 2],
            }),
        );
        let instances: Vec<LineInstance> = overlay
            .lines
            .iter()
            .map(|l| LineInstance {
                a: l.a.to_array(),
                b: l.b.to_array(),
                width: l.width,
                colour: u32::from_le_bytes(l.colour),
            })
            .collect();
        self.line_count = instances.len() as u32;
        // One buffer for every frame, grown when a frame has more lines.
        let bytes = std::mem::size_of_val(instances.as_slice()) as u64;
        if self.instances.as_ref().is_none_or(|b| b.size() < bytes) {
            self.instances = Some(gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist lines"),
                size: bytes.next_power_of_two().max(1024),
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
        }
        if let Some(buffer) = &self.instances {
            gpu.queue
                .write_buffer(buffer, 0, bytemuck::cast_slice(&instances));
        }
        self.show_bar = overlay.colorbar.is_some();
        if let Some(bar) = overlay.colorbar {
            gpu.queue.write_buffer(
                &self.bar_uniform,
                0,
                bytemuck::bytes_of(&BarUniform {
                    min: bar.min.to_array(),
                    size: bar.size.to_array(),
                    screen,
                    _pad: [0.0; 2],
                }),
            );
        }
        let key = (overlay.vertical.clone(), overlay.text_colour, size);
        if self.turned_for.as_ref() != Some(&key) {
            let turned: Vec<Turned> = overlay
                .vertical
                .iter()
                .filter_map(|l| self.text.fonts.turned(l, overlay.text_colour))
                .collect();
            self.turned = turned
                .iter()
                .map(|t| self.upload_turned(gpu, t, size))
                .collect();
            self.turned_for = Some(key);
        }
        self.text.prepare(
            gpu,
            &overlay.labels,
            &overlay.carets,
            overlay.text_colour,
            size,
        )
    }

    /// A texture of `t` and the bind group that draws it at its place.
    fn upload_turned(&self, gpu: &Gpu, t: &Turned, screen: (u32, u32)) -> wgpu::BindGroup {
        let extent = wgpu::Extent3d {
            width: t.size.0,
            height: t.size.1,
            depth_or_array_layers: 1,
        };
        let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("pointillist turned label"),
            size: extent,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        gpu.queue.write_texture(
            texture.as_image_copy(),
            &t.rgba,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4 * t.size.0),
                rows_per_image: None,
            },
            extent,
        );
        let uniform = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist turned label"),
            size: std::mem::size_of::<BarUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        gpu.queue.write_buffer(
            &uniform,
            0,
            bytemuck::bytes_of(&BarUniform {
                min: [t.min.0 as f32, t.min.1 as f32],
                size: [t.size.0 as f32, t.size.1 as f32],
                screen: [screen.0 as f32, screen.1 as f32],
                _pad: [0.0; 2],
            }),
        );
        let view = texture.create_view(&Default::default());
        gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pointillist turned label"),
            layout: &self.bar_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&view),
                },
            ],
        })
    }

    pub fn render(&self, pass: &mut wgpu::RenderPass<'_>) -> Result<()> {
        if self.show_bar {
            pass.set_pipeline(&self.bar);
            pass.set_bind_group(0, &self.bar_bind_group, &[]);
            pass.draw(0..4, 0..1);
        }
        if let (Some(instances), true) = (&self.instances, self.line_count > 0) {
            pass.set_pipeline(&self.lines);
            pass.set_bind_group(0, &self.lines_bind_group, &[]);
            pass.set_vertex_buffer(0, instances.slice(..));
            pass.draw(0..4, 0..self.line_count);
        }
        for group in &self.turned {
            pass.set_pipeline(&self.image);
            pass.set_bind_group(0, group, &[]);
            pass.draw(0..4, 0..1);
        }
        self.text.render(pass)
    }
}

/// What the turned labels were made for: the labels, text colour and target size.
type TurnedKey = (Vec<Label>, [u8; 4], (u32, u32));

/// glyphon's state for the labels.
struct Text {
    fonts: Fonts,
    viewport: Viewport,
    atlas: TextAtlas,
    renderer: TextRenderer,
    placed: Vec<Placed>,
}

impl Text {
    fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> Self {
        let cache = Cache::new(&gpu.device);
        let viewport = Viewport::new(&gpu.device, &cache);
        // Web colour mode: colours are sRGB bytes in a non-sRGB target, like the points.
        let mut atlas =
            TextAtlas::with_color_mode(&gpu.device, &gpu.queue, &cache, format, ColorMode::Web);
        let renderer = TextRenderer::new(
            &mut atlas,
            &gpu.device,
            wgpu::MultisampleState::default(),
            None,
        );
        Self {
            fonts: Fonts::new(),
            viewport,
            atlas,
            renderer,
            placed: Vec::new(),
        }
    }

    fn prepare(
        &mut self,
        gpu: &Gpu,
        labels: &[Label],
        carets: &[(usize, usize)],
        colour: [u8; 4],
        size: (u32, u32),
    ) -> Result<()> {
        // Glyphs the last frame did not use leave the atlas (glyphon keeps
        // them until trimmed: a context that renders many frames grew without it).
        self.atlas.trim();
        self.viewport.update(
            &gpu.queue,
            Resolution {
                width: size.0,
                height: size.1,
            },
        );
        self.placed = self.fonts.place(labels, carets);
        let [r, g, b, a] = colour;
        let areas = self.placed.iter().map(|p| {
            let [left, top, right, bottom] = p.bounds();
            TextArea {
                buffer: &p.buffer,
                left: p.left,
                top: p.top,
                scale: 1.0,
                bounds: TextBounds {
                    left,
                    top,
                    right,
                    bottom,
                },
                default_color: Color::rgba(r, g, b, a),
                custom_glyphs: &[],
            }
        });
        self.renderer
            .prepare(
                &gpu.device,
                &gpu.queue,
                &mut self.fonts.fonts,
                &mut self.atlas,
                &self.viewport,
                areas,
                &mut self.fonts.swash,
            )
            .map_err(|e| Error::Gpu(format!("text: {e}")))
    }

    fn render(&self, pass: &mut wgpu::RenderPass<'_>) -> Result<()> {
        self.renderer
            .render(&self.atlas, &self.viewport, pass)
            .map_err(|e| Error::Gpu(format!("text: {e}")))
    }
}
