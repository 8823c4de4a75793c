//! Drives shaders/resolve.wgsl: shades the splat or density grid into the
//! plot area through the colourmap texture (values through the range, or
//! counts through the 256-entry threshold table of src/aggregate/shade.rs).

use bytemuck::{Pod, Zeroable};

use crate::colormap::{table_keys, LUT_SIZE};
use crate::frame::FrameView;
use crate::gpu::Gpu;
use crate::render::pipeline::{self, entry, storage, texture, uniform};
use crate::render::splat::Grid;
pub use crate::shading::Shading;

/// Keep in sync with `ResolveParams` in shaders/resolve.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct ResolveParams {
    pub vp_min: [f32; 2],
    pub screen: [f32; 2],
    pub size: [u32; 2],
    pub mode: u32,
    pub back: u32,
    pub range: [f32; 2],
    pub ahead: u32,
    pub tabled: u32,
    pub under: u32,
    pub over: u32,
    pub given: u32,
    pub _pad2: u32,
}

const _: () = assert!(std::mem::size_of::<ResolveParams>() == 64);

pub struct ResolvePipeline {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    thresholds: wgpu::Buffer,
    bind_group: Option<(wgpu::Buffer, wgpu::BindGroup)>,
    colormap: wgpu::TextureView,
}

impl ResolvePipeline {
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        colormap: &wgpu::TextureView,
    ) -> Self {
        let vf = wgpu::ShaderStages::VERTEX_FRAGMENT;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist resolve"),
            entries: &[
                entry(0, vf, uniform()),
                entry(1, vf, storage(true)),
                entry(2, vf, storage(true)),
                entry(3, vf, texture()),
                entry(4, vf, storage(true)),
            ],
        });
        // Blended: a mix's alpha shows the background through (every other
        // colour is opaque unless an under or over colour is not).
        let pipeline = pipeline::quad(
            device,
            "pointillist resolve",
            super::shaders::RESOLVE,
            &layout,
            &[],
            format,
            Some(wgpu::BlendState::ALPHA_BLENDING),
        );
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist resolve params"),
            size: std::mem::size_of::<ResolveParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let thresholds = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist density thresholds"),
            size: (LUT_SIZE * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            pipeline,
            layout,
            params,
            thresholds,
            bind_group: None,
            colormap: colormap.clone(),
        }
    }

    /// Upload the shading for `grid`, drawn into `view`'s plot area.
    pub fn prepare(
        &mut self,
        gpu: &Gpu,
        grid: &Grid,
        view: &FrameView,
        shading: &Shading,
        reach: (u32, u32),
    ) {
        let (mode, range, [under, over, _, given]) = match shading {
            Shading::Values {
                range,
                extremes,
                table,
            } => {
                if let Some(table) = table {
                    let keys = table_keys(table);
                    gpu.queue
                        .write_buffer(&self.thresholds, 0, bytemuck::cast_slice(&keys));
                }
                (0, [range.0, range.1], extremes.packed())
            }
            Shading::Table { thresholds } | Shading::Mix { thresholds } => {
                gpu.queue.write_buffer(
                    &self.thresholds,
                    0,
                    bytemuck::cast_slice(thresholds.as_slice()),
                );
                let mode = if matches!(shading, Shading::Mix { .. }) {
                    2
                } else {
                    1
                };
                (mode, [0.0, 0.0], [0; 4])
            }
        };
        let tabled = matches!(shading, Shading::Values { table: Some(_), .. }) as u32;
        let params = ResolveParams {
            vp_min: view.viewport.min.as_vec2().to_array(),
            screen: [view.size.0 as f32, view.size.1 as f32],
            size: [grid.size.0, grid.size.1],
            mode,
            back: reach.0,
            range,
            ahead: reach.1,
            tabled,
            under,
            over,
            // The bad colour has no cell to show: no value is never splatted.
            given: given & 3,
            _pad2: 0,
        };
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        let stale = self
            .bind_group
            .as_ref()
            .is_none_or(|(cells, _)| *cells != grid.cells);
        if stale {
            let mut entries =
                pipeline::buffer_entries(&[&self.params, &grid.cells, &self.thresholds]);
            entries.push(wgpu::BindGroupEntry {
                binding: 3,
                resource: wgpu::BindingResource::TextureView(&self.colormap),
            });
            entries.push(wgpu::BindGroupEntry {
                binding: 4,
                resource: grid.planes.as_entire_binding(),
            });
            let group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("pointillist resolve"),
                layout: &self.layout,
                entries: &entries,
            });
            self.bind_group = Some((grid.cells.clone(), group));
        }
    }

    pub fn render(&self, pass: &mut wgpu::RenderPass<'_>) {
        if let Some((_, group)) = &self.bind_group {
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, group, &[]);
            pass.draw(0..4, 0..1);
        }
    }
}
