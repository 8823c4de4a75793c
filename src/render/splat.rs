//! Drives shaders/splat.wgsl: clears a W x H u32 grid and aggregates every
//! chunk of points into it (count, sum, mean, min or max of the values; the
//! splat mode is max), and finds its extremes. The CPU backend fills the same
//! grid from src/aggregate/ instead.

use std::ops::Range;

use bytemuck::{Pod, Zeroable};

use crate::aggregate::{Agg, GridMap, Quantiser};
use crate::error::{input, Result};
use crate::gpu::Gpu;
use crate::points::TILE;
use crate::render::chunks::GpuPoints;
use crate::render::derive::dispatch_size;
use crate::render::pipeline::{self, entry, storage, uniform};

/// Keep in sync with `SplatParams` in shaders/splat.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct SplatParams {
    pub a_hi: [f32; 2],
    pub a_lo: [f32; 2],
    pub k: [f32; 2],
    pub size: [u32; 2],
    pub count: u32,
    pub agg: u32,
    pub quant: [f32; 2],
    pub step: f32,
    pub tiles: u32,
}

const _: () = assert!(std::mem::size_of::<SplatParams>() == 56);

/// The code of a category mix in shaders/splat.wgsl (`AGG_MIX`).
const AGG_MIX: u32 = 5;

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
    /// The category colours a mix adds up (256 packed RGBA8).
    palette: wgpu::Buffer,
}

/// What a grid's planes hold beside its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planes {
    None,
    /// Sum and mean: values per pixel and the u64 sums of their steps.
    Sums,
    /// A category mix: the u64 sums of the colours' channels (then the mix).
    Mix,
}

impl Planes {
    fn count(self) -> u64 {
        match self {
            Planes::None => 0,
            Planes::Sums => 3,
            Planes::Mix => 6,
        }
    }
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
                entry(6, c, storage(true)),
                entry(7, c, storage(true)),
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
        let palette = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist category palette"),
            size: (crate::colormap::LUT_SIZE * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            layout,
            extreme,
            count,
            sum,
            finalise,
            reduce,
            palette,
        }
    }
}

/// The aggregate grid on the GPU, with one bind group per chunk of points.
pub struct Grid {
    pub size: (u32, u32),
    /// What one cell holds: a count, or an `ordered` value key (0: empty).
    pub cells: wgpu::Buffer,
    /// What `planes` has room for.
    pub planes_for: Planes,
    /// The planes (a mix's colours in the first once finalised).
    pub planes: wgpu::Buffer,
    extremes: wgpu::Buffer,
    chunks: Vec<GridChunk>,
}

/// One chunk of points as the grid's passes see it.
struct GridChunk {
    count: u32,
    /// Index of the chunk's first point.
    base: usize,
    params: wgpu::Buffer,
    /// The chunk's tiles that meet the view, rewritten every aggregation.
    tiles: wgpu::Buffer,
    group: wgpu::BindGroup,
}

impl Grid {
    pub fn new(
        gpu: &Gpu,
        pipeline: &SplatPipeline,
        points: Option<&GpuPoints>,
        size: (u32, u32),
        planes_for: Planes,
    ) -> Result<Self> {
        let bytes = size.0 as u64 * size.1 as u64 * 4;
        let plane_bytes = (planes_for.count() * bytes).max(4);
        let limit = gpu.device.limits().max_storage_buffer_binding_size;
        if plane_bytes > limit || bytes > limit {
            let per_pixel = 4 * planes_for.count().max(1);
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
            label: Some("pointillist grid planes"),
            size: plane_bytes,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
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
            let tiles = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist splat tiles"),
                size: (chunk.count as u64).div_ceil(TILE as u64).max(1) * 4,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let entries = pipeline::buffer_entries(&[
                &params,
                &chunk.positions,
                &chunk.values,
                &cells,
                &extremes,
                &planes,
                &tiles,
                &pipeline.palette,
            ]);
            let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("pointillist splat"),
                layout: &pipeline.layout,
                entries: &entries,
            });
            chunks.push(GridChunk {
                count: chunk.count,
                base: chunk.base as usize,
                params,
                tiles,
                group,
            });
        }
        Ok(Self {
            size,
            cells,
            planes_for,
            planes,
            extremes,
            chunks,
        })
    }

    /// Aggregate the points of `runs` (whole tiles, as
    /// [`crate::points::PointSet::visible_runs`] gives them) into the grid on
    /// the GPU (submits; does not wait). `q` turns values into the
    /// fixed-point steps that sum and mean add up.
    pub fn aggregate(
        &self,
        gpu: &Gpu,
        pipeline: &SplatPipeline,
        map: &GridMap,
        runs: &[Range<usize>],
        agg: Agg,
        q: &Quantiser,
    ) {
        assert!(
            !agg.sums() || self.planes_for == Planes::Sums,
            "a grid for {agg:?} needs its sum planes"
        );
        let kernels = match agg {
            Agg::Count => (&pipeline.count, None),
            Agg::Sum | Agg::Mean => (&pipeline.sum, Some(&pipeline.finalise)),
            Agg::Min => (&pipeline.extreme, Some(&pipeline.finalise)),
            Agg::Max => (&pipeline.extreme, None),
        };
        self.run(gpu, map, runs, code(agg), q, kernels);
    }

    /// Aggregate Datashader's category mix of the points of `runs`, whose
    /// values are category codes coloured by `palette` (packed RGBA8): the
    /// cells count the points, the first plane holds each pixel's mixed
    /// colour (submits; does not wait).
    pub fn aggregate_mix(
        &self,
        gpu: &Gpu,
        pipeline: &SplatPipeline,
        map: &GridMap,
        runs: &[Range<usize>],
        palette: &[u32; crate::colormap::LUT_SIZE],
    ) {
        assert_eq!(self.planes_for, Planes::Mix, "a mix needs its planes");
        gpu.queue
            .write_buffer(&pipeline.palette, 0, bytemuck::cast_slice(palette));
        let q = Quantiser::new(None);
        let kernels = (&pipeline.count, Some(&pipeline.finalise));
        self.run(gpu, map, runs, AGG_MIX, &q, kernels);
    }

    /// Clear, run `kernels.0` over the points of `runs`, then `kernels.1`
    /// (if any) over the cells.
    fn run(
        &self,
        gpu: &Gpu,
        map: &GridMap,
        runs: &[Range<usize>],
        agg: u32,
        q: &Quantiser,
        kernels: (&wgpu::ComputePipeline, Option<&wgpu::ComputePipeline>),
    ) {
        let mut visits = Vec::with_capacity(self.chunks.len());
        for chunk in &self.chunks {
            let tiles = chunk_tiles(runs, chunk.base, chunk.count as usize);
            let p = SplatParams {
                a_hi: map.a_hi,
                a_lo: map.a_lo,
                k: map.k,
                size: map.size,
                count: chunk.count,
                agg,
                quant: [q.lo, q.scale],
                step: q.step,
                tiles: tiles.len() as u32,
            };
            gpu.queue
                .write_buffer(&chunk.params, 0, bytemuck::bytes_of(&p));
            if !tiles.is_empty() {
                gpu.queue
                    .write_buffer(&chunk.tiles, 0, bytemuck::cast_slice(&tiles));
            }
            visits.push(tiles.len() as u32);
        }
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("pointillist splat"),
            });
        encoder.clear_buffer(&self.cells, 0, None);
        if self.planes_for != Planes::None {
            encoder.clear_buffer(&self.planes, 0, None);
        }
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("pointillist splat"),
                timestamp_writes: None,
            });
            pass.set_pipeline(kernels.0);
            for (chunk, &tiles) in self.chunks.iter().zip(&visits) {
                if tiles == 0 {
                    continue;
                }
                let (x, y) = dispatch_size(tiles * TILE as u32);
                pass.set_bind_group(0, &chunk.group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
            if let (Some(finalise), Some(chunk)) = (kernels.1, self.chunks.first()) {
                // One pass over the cells (the compute pass orders it after the splat).
                pass.set_pipeline(finalise);
                pass.set_bind_group(0, &chunk.group, &[]);
                let (x, y) = dispatch_size(self.size.0 * self.size.1);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        gpu.queue.submit([encoder.finish()]);
    }

    /// The smallest non-empty cell and the largest, reduced on the GPU (waits);
    /// None for an empty grid.
    pub fn extremes(&self, gpu: &Gpu, pipeline: &SplatPipeline) -> Result<Option<(u32, u32)>> {
        let Some(GridChunk { group, .. }) = self.chunks.first() else {
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

    /// Fill a mix grid from the host: counts and packed mixed colours.
    pub fn upload_mix(&self, gpu: &Gpu, counts: &[u32], colours: &[u32]) {
        self.upload(gpu, counts);
        gpu.queue
            .write_buffer(&self.planes, 0, bytemuck::cast_slice(colours));
    }

    pub fn read(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        let bytes = gpu.read_buffer(&self.cells, self.size.0 as u64 * self.size.1 as u64 * 4)?;
        Ok(bytemuck::pod_collect_to_vec(&bytes))
    }

    /// A mix grid's packed colours (after the aggregation; waits).
    pub fn read_mix(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        let bytes = gpu.read_buffer(&self.planes, self.size.0 as u64 * self.size.1 as u64 * 4)?;
        Ok(bytemuck::pod_collect_to_vec(&bytes))
    }
}

/// The tiles of the chunk of `count` points from `base` that cover `runs`
/// (sorted, disjoint), by index in the chunk, each once. Chunks of whole tiles
/// (as uploads make them) list exactly the runs' tiles; the small chunks of
/// tests list a few more points, never fewer.
pub(crate) fn chunk_tiles(runs: &[Range<usize>], base: usize, count: usize) -> Vec<u32> {
    let end = base + count;
    let mut tiles = vec![];
    for r in runs {
        let (s, e) = (r.start.max(base), r.end.min(end));
        if s < e {
            tiles.extend(((s - base) / TILE) as u32..(e - base).div_ceil(TILE) as u32);
        }
    }
    tiles.dedup();
    tiles
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunk_tiles_cover_the_runs_in_each_chunk() {
        use super::{chunk_tiles, TILE};
        let runs = [0..TILE, 3 * TILE..5 * TILE + 7, 9 * TILE..10 * TILE];
        assert_eq!(chunk_tiles(&runs, 0, 4 * TILE), vec![0, 3]);
        assert_eq!(chunk_tiles(&runs, 4 * TILE, 4 * TILE), vec![0, 1]);
        assert_eq!(chunk_tiles(&runs, 8 * TILE, 2 * TILE), vec![1]);
        assert!(chunk_tiles(&runs, 6 * TILE, 2 * TILE).is_empty());
        // A chunk that does not start on a tile: covering, each tile once.
        assert_eq!(chunk_tiles(&runs, 512, 6 * TILE), vec![0, 2, 3, 4]);
        assert_eq!(chunk_tiles(&[0..10, 20..30], 0, 100), vec![0]);
    }
}
