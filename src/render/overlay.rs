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
                .filter_map(|l| self.text.turned(l, overlay.text_colour))
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

/// A label rasterised and turned 90° anticlockwise: RGBA8 rows (the text
/// colour, its alpha the glyphs' coverage), its size and its top-left pixel.
struct Turned {
    rgba: Vec<u8>,
    size: (u32, u32),
    min: (i32, i32),
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

    /// `text` shaped at `size` pixels in the shipped font, with its width and height.
    fn shaped(&mut self, text: &str, size: f32) -> (Buffer, f32, f32) {
        let mut buffer = Buffer::new(&mut self.fonts, Metrics::new(size, (size * 1.2).ceil()));
        buffer.set_size(None, None);
        buffer.set_text(
            text,
            &Attrs::new().family(Family::Name(FONT_FAMILY)),
            Shaping::Advanced,
            None,
        );
        buffer.shape_until_scroll(&mut self.fonts, false);
        let (w, h) = buffer.layout_runs().fold((0f32, 0f32), |(w, h), run| {
            (w.max(run.line_w), h.max(run.line_top + run.line_height))
        });
        (buffer, w, h)
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
            let (buffer, w, h) = self.shaped(&label.text, label.size);
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
                let (caret, cw, _) = self.shaped("^", label.size);
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

    /// `label` shaped as glyphon shapes it, its glyphs rasterised by the same
    /// swash and placed where glyphon places them, then turned to read
    /// upwards and clipped to the label's box (None: nothing left).
    fn turned(&mut self, label: &Label, colour: [u8; 4]) -> Option<Turned> {
        let (buffer, w, h) = self.shaped(&label.text, label.size);
        let (w, h) = (w.ceil() as i32, h.ceil() as i32);
        if w <= 0 || h <= 0 {
            return None;
        }
        // The coverage of the text laid out horizontally, w x h.
        let mut mask = vec![0u8; (w * h) as usize];
        for run in buffer.layout_runs() {
            for glyph in run.glyphs.iter() {
                let g = glyph.physical((0.0, 0.0), 1.0);
                let Some(image) = self.swash.get_image(&mut self.fonts, g.cache_key) else {
                    continue;
                };
                if image.content != glyphon::cosmic_text::SwashContent::Mask {
                    continue;
                }
                let p = image.placement;
                let x0 = g.x + p.left;
                let y0 = run.line_y.round() as i32 + g.y - p.top;
                for row in 0..p.height as i32 {
                    for col in 0..p.width as i32 {
                        let (x, y) = (x0 + col, y0 + row);
                        if x >= 0 && y >= 0 && x < w && y < h {
                            let c = image.data[(row * p.width as i32 + col) as usize];
                            let m = &mut mask[(y * w + x) as usize];
                            *m = (*m).max(c);
                        }
                    }
                }
            }
        }
        // Turned anticlockwise: an h x w picture whose pixel (x, y) is the
        // text's (w - 1 - y, x); placed by the label's alignment, clipped.
        let shift = |a: Align, extent: i32| match a {
            Align::Start => 0,
            Align::Center => extent / 2,
            Align::End => extent,
        };
        let left = label.pos.x.round() as i32 - shift(label.h, h);
        let top = label.pos.y.round() as i32 - shift(label.v, w);
        let [cx0, cy0, cx1, cy1] = label.clip.map(|c| c.round() as i32);
        let (x0, y0) = (left.max(cx0), top.max(cy0));
        let (x1, y1) = ((left + h).min(cx1), (top + w).min(cy1));
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        let [r, g, b, a] = colour;
        let mut rgba = Vec::with_capacity(((x1 - x0) * (y1 - y0) * 4) as usize);
        for y in y0..y1 {
            for x in x0..x1 {
                let (tx, ty) = (w - 1 - (y - top), x - left);
                let m = mask[(ty * w + tx) as usize] as u32;
                rgba.extend_from_slice(&[r, g, b, (m * a as u32 / 255) as u8]);
            }
        }
        Some(Turned {
            rgba,
            size: ((x1 - x0) as u32, (y1 - y0) as u32),
            min: (x0, y0),
        })
    }

    fn render(&self, pass: &mut wgpu::RenderPass<'_>) -> Result<()> {
        self.renderer
            .render(&self.atlas, &self.viewport, pass)
            .map_err(|e| Error::Gpu(format!("text: {e}")))
    }
}
