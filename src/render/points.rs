//! Drives shaders/points.wgsl: instanced quads, one per point, read straight
//! from each chunk's position and colour buffers as instance vertex buffers.
//! `prepare` writes the uniform (only when it changed); `draw` records.

use std::ops::Range;

pub use crate::frame::PointsUniform;
use crate::render::chunks::GpuPoints;
use crate::render::pipeline::{self, entry};

pub struct PointsPipeline {
    pipeline: wgpu::RenderPipeline,
    /// Size by value: a third instance buffer of sizes (`vs_sized`).
    sized: wgpu::RenderPipeline,
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    last: Option<PointsUniform>,
}

impl PointsPipeline {
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist points"),
            entries: &[entry(
                0,
                wgpu::ShaderStages::VERTEX_FRAGMENT,
                pipeline::uniform(),
            )],
        });
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist points uniform"),
            size: std::mem::size_of::<PointsUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pointillist points"),
            layout: &layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            }],
        });
        let buffers = [
            Some(wgpu::VertexBufferLayout {
                array_stride: 16,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![0 => Float32x4],
            }),
            Some(wgpu::VertexBufferLayout {
                array_stride: 4,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![1 => Unorm8x4],
            }),
            Some(wgpu::VertexBufferLayout {
                array_stride: 4,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![2 => Float32],
            }),
        ];
        let make = |vertex: &str, buffers| {
            pipeline::quad_from(
                device,
                "pointillist points",
                super::shaders::POINTS,
                vertex,
                &layout,
                buffers,
                format,
                Some(wgpu::BlendState::ALPHA_BLENDING),
            )
        };
        let pipeline = make("vs_main", &buffers[..2]);
        let sized = make("vs_sized", &buffers[..]);
        Self {
            pipeline,
            sized,
            uniform,
            bind_group,
            last: None,
        }
    }

    pub fn prepare(&mut self, queue: &wgpu::Queue, uniform: PointsUniform) {
        if self.last != Some(uniform) {
            queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(&uniform));
            self.last = Some(uniform);
        }
    }

    /// Record the discs of `runs` (None: every point), in storage order.
    pub fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        points: &GpuPoints,
        runs: Option<&[Range<usize>]>,
    ) {
        pass.set_bind_group(0, &self.bind_group, &[]);
        let all = 0..points.len;
        let runs = runs.unwrap_or(std::slice::from_ref(&all));
        for chunk in points.chunks.iter().filter(|c| c.count > 0) {
            let (base, end) = (chunk.base as usize, (chunk.base + chunk.count) as usize);
            let mut bound = false;
            for r in runs {
                let (s, e) = (r.start.max(base), r.end.min(end));
                if s >= e {
                    continue;
                }
                if !bound {
                    match &chunk.sizes {
                        Some(sizes) => {
                            pass.set_pipeline(&self.sized);
                            pass.set_vertex_buffer(2, sizes.slice(..));
                        }
                        None => pass.set_pipeline(&self.pipeline),
                    }
                    pass.set_vertex_buffer(0, chunk.positions.slice(..));
                    pass.set_vertex_buffer(1, chunk.colours.slice(..));
                    bound = true;
                }
                pass.draw(0..4, (s - base) as u32..(e - base) as u32);
            }
        }
    }
}
