//! Drives shaders/splat.wgsl: clears a W x H u32 grid and aggregates every
//! chunk of points into it (count, sum, mean, min or max of the values; the
//! splat mode is max), and finds its extremes. The CPU backend fills the same
//! grid from src/aggregate.rs instead.

use bytemuck::{Pod, Zeroable};

use crate::aggregate::{Agg, GridMap, Quantiser};
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
    pub agg: u32,
    pub quant: [f32; 2],
    pub step: f32,
    pub _pad: u32,
}

const _: () = assert!(std::mem::size_of::<SplatParams>() == 48);

/// The `AGG_*` code of shaders/splat.wgsl. Keep in sync there.
fn code(agg: Agg) -> u32 {
    match agg {
        Agg::Count => 0,
        Agg::Sum => 1,
        Agg::Mean => 2,
        Agg::Min => 3,
        Agg::Max => 4,
    }
}

pub struct SplatPipeline {
    layout: wgpu::BindGroupLayout,
    extreme: wgpu::ComputePipeline,
    count: wgpu::ComputePipeline,
    sum: wgpu::ComputePipeline,
    finalise: wgpu::ComputePipeline,
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
                entry(5, c, storage(false)),
            ],
        });
        let [extreme, count, sum, finalise, reduce] = pipeline::compute(
            device,
            "pointillist splat",
            super::shaders::SPLAT,
            &layout,
            [
                "splat_extreme",
                "count_points",
                "sum_values",
                "finalise",
                "reduce_extremes",
            ],
        );
        Self {
            layout,
            extreme,
            count,
            sum,
            finalise,
            reduce,
        }
    }
}

/// The aggregate grid on the GPU, with one bind group per chunk of points.
pub struct Grid {
    pub size: (u32, u32),
    /// What one cell holds: a count, or an `ordered` value key (0: empty).
    pub cells: wgpu::Buffer,
    /// Whether `planes` has room for sums (sum and mean need it).
    pub sums: bool,
    planes: wgpu::Buffer,
    extremes: wgpu::Buffer,
    chunks: Vec<(u32, wgpu::Buffer, wgpu::BindGroup)>,
}

impl Grid {
    pub fn new(
        gpu: &Gpu,
        pipeline: &SplatPipeline,
        points: Option<&GpuPoints>,
        size: (u32, u32),
        sums: bool,
    ) -> Result<Self> {
        let bytes = size.0 as u64 * size.1 as u64 * 4;
        let plane_bytes = if sums { 3 * bytes } else { 4 };
        let limit = gpu.device.limits().max_storage_buffer_binding_size;
        if plane_bytes > limit || bytes > limit {
            let per_pixel = if sums { 12 } else { 4 };
            return Err(input(format!(
                "a {}x{} plot area is too large for this mode on this device (at most {} pixels)",
                size.0,
                size.1,
                limit / per_pixel
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
        let planes = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist grid sums"),
            size: plane_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let extremes = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist grid extremes"),
            size: 8,
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
            let entries = pipeline::buffer_entries(&[
                &params,
                &chunk.positions,
                &chunk.values,
                &cells,
                &extremes,
                &planes,
            ]);
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
            sums,
            planes,
            extremes,
            chunks,
        })
    }

    /// Aggregate every point into the grid on the GPU (submits; does not wait).
    /// `q` turns values into the fixed-point steps that sum and mean add up.
    pub fn aggregate(
        &self,
        gpu: &Gpu,
        pipeline: &SplatPipeline,
        map: &GridMap,
        agg: Agg,
        q: &Quantiser,
    ) {
        assert!(
            !agg.sums() || self.sums,
            "a grid for {agg:?} needs its sum planes"
        );
        for (count, params, _) in &self.chunks {
            let p = SplatParams {
                a: map.a,
                k: map.k,
                size: map.size,
                count: *count,
                agg: code(agg),
                quant: [q.lo, q.scale],
                step: q.step,
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
        if agg.sums() {
            encoder.clear_buffer(&self.planes, 0, None);
        }
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("pointillist splat"),
                timestamp_writes: None,
            });
            pass.set_pipeline(match agg {
                Agg::Count => &pipeline.count,
                Agg::Sum | Agg::Mean => &pipeline.sum,
                Agg::Min | Agg::Max => &pipeline.extreme,
            });
            for (count, _, group) in self.chunks.iter().filter(|c| c.0 > 0) {
                let (x, y) = dispatch_size(*count);
                pass.set_bind_group(0, group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
            if let (true, Some((_, _, group))) = (
                matches!(agg, Agg::Sum | Agg::Mean | Agg::Min),
                self.chunks.first(),
            ) {
                // One pass over the cells (the compute pass orders it after the splat).
                pass.set_pipeline(&pipeline.finalise);
                pass.set_bind_group(0, group, &[]);
                let (x, y) = dispatch_size(self.size.0 * self.size.1);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        gpu.queue.submit([encoder.finish()]);
    }

    /// The smallest non-empty cell and the largest, reduced on the GPU (waits);
    /// None for an empty grid.
    pub fn extremes(&self, gpu: &Gpu, pipeline: &SplatPipeline) -> Result<Option<(u32, u32)>> {
        let Some((_, _, group)) = self.chunks.first() else {
            return Ok(None);
        };
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        encoder.clear_buffer(&self.extremes, 0, None);
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline.reduce);
            pass.set_bind_group(0, group, &[]);
            let (x, y) = dispatch_size(self.size.0 * self.size.1);
            pass.dispatch_workgroups(x, y, 1);
        }
        gpu.queue.submit([encoder.finish()]);
        let words: Vec<u32> = bytemuck::pod_collect_to_vec(&gpu.read_buffer(&self.extremes, 8)?);
        let (max, inv_min) = (words[0], words[1]);
        // inv_min is 0 only when every non-empty cell is u32::MAX.
        let min = if inv_min == 0 { max } else { !inv_min };
        Ok((max != 0).then_some((min, max)))
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
