//! Draws an [`Overlay`](crate::overlay::Overlay): lines (shaders/lines.wgsl),
//! the colourbar sampling the same colourmap texture as the derive pass
//! (shaders/colorbar.wgsl), and text through glyphon with the DejaVu Sans
//! font shipped in assets/fonts, so every machine renders the same glyphs.
//! `prepare` uploads; `render` only records into the pass.

use bytemuck::{Pod, Zeroable};
use glyphon::{
    fontdb, Attrs, Buffer, Cache, Color, ColorMode, Family, FontSystem, Metrics, Resolution,
    Shaping, SwashCache, TextArea, TextAtlas, TextBounds, TextRenderer, Viewport,
};

use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::overlay::{Align, Label, Overlay};
use crate::render::pipeline::{self, entry, texture, uniform};

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "DejaVu Sans";

/// Keep in sync with `Screen` in shaders/lines.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct ScreenUniform {
    pub size: [f32; 2],
    pub _pad: [f32; 2],
}

/// Keep in sync with `Bar` in shaders/colorbar.wgsl.
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
        self.text.prepare(
            gpu,
            &overlay.labels,
            &overlay.carets,
            overlay.text_colour,
            size,
        )
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
        self.text.render(pass)
    }
}

/// glyphon's state for the labels.
struct Text {
    fonts: FontSystem,
    swash: SwashCache,
    viewport: Viewport,
    atlas: TextAtlas,
    renderer: TextRenderer,
    buffers: Vec<Buffer>,
}

impl Text {
    fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> Self {
        let mut db = fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        let mut fonts = FontSystem::new_with_locale_and_db("en-US".into(), db);
        fonts.db_mut().set_sans_serif_family(FONT_FAMILY);
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
            fonts,
            swash: SwashCache::new(),
            viewport,
            atlas,
            renderer,
            buffers: Vec::new(),
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
        self.buffers.clear();
        let mut placed = Vec::with_capacity(labels.len());
        for (li, label) in labels.iter().enumerate() {
            let mut buffer = Buffer::new(
                &mut self.fonts,
                Metrics::new(label.size, (label.size * 1.2).ceil()),
            );
            buffer.set_size(None, None);
            buffer.set_text(
                &label.text,
                &Attrs::new().family(Family::Name(FONT_FAMILY)),
                Shaping::Advanced,
                None,
            );
            buffer.shape_until_scroll(&mut self.fonts, false);
            let (w, h) = buffer.layout_runs().fold((0f32, 0f32), |(w, h), run| {
                (w.max(run.line_w), h.max(run.line_top + run.line_height))
            });
            let shift = |a: Align, extent: f32| match a {
                Align::Start => 0.0,
                Align::Center => extent * 0.5,
                Align::End => extent,
            };
            // Whole pixels keep glyphs crisp and identical between runs.
            // Text wider than its box starts at the box's left edge: its
            // beginning is what a reader needs.
            let h_align = if w > label.clip[2] - label.clip[0] {
                Align::Start
            } else {
                label.h
            };
            let x = if h_align == label.h {
                label.pos.x
            } else {
                label.clip[0]
            };
            let left = (x - shift(h_align, w)).round();
            let top = (label.pos.y - shift(label.v, h)).round();
            // Carets under this label's characters, where its shaping put them.
            let under: Vec<f32> = carets
                .iter()
                .filter(|(l, _)| *l == li)
                .map(|&(_, k)| {
                    let byte = label
                        .text
                        .char_indices()
                        .nth(k)
                        .map_or(label.text.len(), |(b, _)| b);
                    buffer
                        .layout_runs()
                        .flat_map(|run| run.glyphs.iter())
                        .find(|g| g.start >= byte)
                        .map_or(w, |g| g.x + g.w * 0.5)
                })
                .collect();
            placed.push((left, top, label.clip));
            self.buffers.push(buffer);
            for gx in under {
                let mut caret = Buffer::new(
                    &mut self.fonts,
                    Metrics::new(label.size, (label.size * 1.2).ceil()),
                );
                caret.set_size(None, None);
                caret.set_text(
                    "^",
                    &Attrs::new().family(Family::Name(FONT_FAMILY)),
                    Shaping::Advanced,
                    None,
                );
                caret.shape_until_scroll(&mut self.fonts, false);
                let cw = caret.layout_runs().map(|r| r.line_w).fold(0.0, f32::max);
                let clip = [label.clip[0], top, label.clip[2], top + 2.0 * h + 2.0];
                placed.push((
                    (left + gx - cw * 0.5).round(),
                    (top + h * 0.8).round(),
                    clip,
                ));
                self.buffers.push(caret);
            }
        }
        let [r, g, b, a] = colour;
        let areas = self
            .buffers
            .iter()
            .zip(&placed)
            .map(|(buffer, &(left, top, clip))| TextArea {
                buffer,
                left,
                top,
                scale: 1.0,
                bounds: TextBounds {
                    left: clip[0].floor() as i32,
                    top: clip[1].floor() as i32,
                    right: clip[2].ceil() as i32,
                    bottom: clip[3].ceil() as i32,
                },
                default_color: Color::rgba(r, g, b, a),
                custom_glyphs: &[],
            });
        self.renderer
            .prepare(
                &gpu.device,
                &gpu.queue,
                &mut self.fonts,
                &mut self.atlas,
                &self.viewport,
                areas,
                &mut self.swash,
            )
            .map_err(|e| Error::Gpu(format!("text: {e}")))
    }

    fn render(&self, pass: &mut wgpu::RenderPass<'_>) -> Result<()> {
        self.renderer
            .render(&self.atlas, &self.viewport, pass)
            .map_err(|e| Error::Gpu(format!("text: {e}")))
    }
}
