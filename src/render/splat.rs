//! Drives shaders/splat.wgsl: clears a W x H u32 grid and aggregates every
//! chunk of points into it (highest value, or count), and finds its largest
//! cell. The CPU backend fills the same grid from src/aggregate.rs instead.

use bytemuck::{Pod, Zeroable};

use crate::aggregate::GridMap;
use crate::error::{input, Result};
use crate::gpu::Gpu;
use crate::render::chunks::GpuPoints;
use crate::render::derive::dispatch_size;
use crate::render::pipeline::{self, entry, storage, uniform};

/// Keep in sync with `SplatParams` in shaders/splat.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct SplatParams {
    pub a: [f32; 2],
    pub k: [f32; 2],
    pub size: [u32; 2],
    pub count: u32,
    pub _pad: u32,
}

const _: () = assert!(std::mem::size_of::<SplatParams>() == 32);

/// What a grid cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// The highest value (order-preserving bits).
    Max,
    /// The number of points.
    Count,
}

pub struct SplatPipeline {
    layout: wgpu::BindGroupLayout,
    splat: wgpu::ComputePipeline,
    count: wgpu::ComputePipeline,
    reduce: wgpu::ComputePipeline,
}

impl SplatPipeline {
    pub fn new(device: &wgpu::Device) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist splat"),
            entries: &[
                entry(0, c, uniform()),
                entry(1, c, storage(true)),
                entry(2, c, storage(true)),
                entry(3, c, storage(false)),
                entry(4, c, storage(false)),
            ],
        });
        let [splat, count, reduce] = pipeline::compute(
            device,
            "pointillist splat",
            super::shaders::SPLAT,
            &layout,
            ["splat_max", "count_points", "reduce_max"],
        );
        Self {
            layout,
            splat,
            count,
            reduce,
        }
    }
}

/// The aggregate grid on the GPU, with one bind group per chunk of points.
pub struct Grid {
    pub size: (u32, u32),
    pub cells: wgpu::Buffer,
    max: wgpu::Buffer,
    chunks: Vec<(u32, wgpu::Buffer, wgpu::BindGroup)>,
}

impl Grid {
    pub fn new(
        gpu: &Gpu,
        pipeline: &SplatPipeline,
        points: Option<&GpuPoints>,
        size: (u32, u32),
    ) -> Result<Self> {
        let bytes = size.0 as u64 * size.1 as u64 * 4;
        let limit = gpu.device.limits().max_storage_buffer_binding_size;
        if bytes > limit {
            return Err(input(format!(
                "a {}x{} plot area is too large for splat and density modes on this device (at most {} pixels)",
                size.0,
                size.1,
                limit / 4
            )));
        }
        let device = &gpu.device;
        let cells = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist grid"),
            size: bytes.max(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let max = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist grid max"),
            size: 4,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let mut chunks = Vec::new();
        // Bind groups to aggregate on the GPU (none when the CPU fills the grid).
        for chunk in points.iter().flat_map(|p| &p.chunks) {
            let params = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist splat params"),
                size: std::mem::size_of::<SplatParams>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let entries: Vec<wgpu::BindGroupEntry> =
                [&params, &chunk.positions, &chunk.values, &cells, &max]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| wgpu::BindGroupEntry {
                        binding: i as u32,
                        resource: b.as_entire_binding(),
                    })
                    .collect();
            let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("pointillist splat"),
                layout: &pipeline.layout,
                entries: &entries,
            });
            chunks.push((chunk.count, params, group));
        }
        Ok(Self {
            size,
            cells,
            max,
            chunks,
        })
    }

    /// Aggregate every point into the grid on the GPU (submits; does not wait).
    pub fn aggregate(&self, gpu: &Gpu, pipeline: &SplatPipeline, map: &GridMap, what: Aggregate) {
        for (count, params, _) in &self.chunks {
            let p = SplatParams {
                a: map.a,
                k: map.k,
                size: map.size,
                count: *count,
                _pad: 0,
            };
            gpu.queue.write_buffer(params, 0, bytemuck::bytes_of(&p));
        }
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("pointillist splat"),
            });
        encoder.clear_buffer(&self.cells, 0, None);
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("pointillist splat"),
                timestamp_writes: None,
            });
            pass.set_pipeline(match what {
                Aggregate::Max => &pipeline.splat,
                Aggregate::Count => &pipeline.count,
            });
            for (count, _, group) in self.chunks.iter().filter(|c| c.0 > 0) {
                let (x, y) = dispatch_size(*count);
                pass.set_bind_group(0, group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        gpu.queue.submit([encoder.finish()]);
    }

    /// Largest cell, reduced on the GPU (waits).
    pub fn max_cell(&self, gpu: &Gpu, pipeline: &SplatPipeline) -> Result<u32> {
        let Some((_, _, group)) = self.chunks.first() else {
            return Ok(0);
        };
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        encoder.clear_buffer(&self.max, 0, None);
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline.reduce);
            pass.set_bind_group(0, group, &[]);
            let (x, y) = dispatch_size(self.size.0 * self.size.1);
            pass.dispatch_workgroups(x, y, 1);
        }
        gpu.queue.submit([encoder.finish()]);
        let bytes = gpu.read_buffer(&self.max, 4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// Fill the grid from the host (the CPU backend).
    pub fn upload(&self, gpu: &Gpu, cells: &[u32]) {
        gpu.queue
            .write_buffer(&self.cells, 0, bytemuck::cast_slice(cells));
    }

    pub fn read(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        let bytes = gpu.read_buffer(&self.cells, self.size.0 as u64 * self.size.1 as u64 * 4)?;
        Ok(bytemuck::pod_collect_to_vec(&bytes))
    }
}
