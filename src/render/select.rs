//! Drives shaders/select.wgsl: the points inside a polygon, one bit each,
//! computed per chunk over the tiles that meet the polygon and read back into
//! a [`Mask`]. CPU twin: src/select.rs (`select_twin`, `EdgeBands`).

use std::ops::Range;

use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt;

use crate::aggregate::GridMap;
use crate::error::Result;
use crate::gpu::Gpu;
use crate::render::chunks::GpuPoints;
use crate::render::derive::dispatch_size;
use crate::render::pipeline::{self, buffer_entries, entry, storage, uniform};
use crate::render::splat::chunk_tiles;
use crate::select::{EdgeBands, Mask};

/// Keep in sync with `SelectParams` in shaders/select.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct SelectParams {
    pub a_hi: [f32; 2],
    pub a_lo: [f32; 2],
    pub k: [f32; 2],
    pub count: u32,
    pub vertices: u32,
    pub tiles: u32,
    /// The polygon's edge bands (`select::EdgeBands`): how many, and the
    /// band of y is floor((y - band_y0) * band_scale).
    pub bands: u32,
    pub band_y0: f32,
    pub band_scale: f32,
}

const _: () = assert!(std::mem::size_of::<SelectParams>() == 48);

pub struct SelectPipeline {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

impl SelectPipeline {
    pub fn new(device: &wgpu::Device) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist select"),
            entries: &[
                entry(0, c, uniform()),
                entry(1, c, storage(true)),
                entry(2, c, storage(true)),
                entry(3, c, storage(true)),
                entry(4, c, storage(true)),
                entry(5, c, storage(false)),
                entry(6, c, storage(true)),
                entry(7, c, storage(true)),
            ],
        });
        let [pipeline] = pipeline::compute(
            device,
            "pointillist select",
            super::shaders::SELECT,
            &layout,
            ["select_points"],
        );
        Self { layout, pipeline }
    }

    /// The points of `gp` inside `poly` (pixels of `map`, whose corner is
    /// relative to `gp.origin`), testing only the points of `runs` (whole
    /// tiles; all others are not selected). Waits for the GPU.
    pub fn select(
        &self,
        gpu: &Gpu,
        gp: &GpuPoints,
        map: &GridMap,
        poly: &[[f32; 2]],
        runs: &[Range<usize>],
    ) -> Result<Mask> {
        let mut mask = Mask::empty(gp.len);
        if poly.len() < 3 {
            return Ok(mask);
        }
        let device = &gpu.device;
        let polygon = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("pointillist select polygon"),
            contents: bytemuck::cast_slice(poly),
            usage: wgpu::BufferUsages::STORAGE,
        });
        // Each point tests only the edges of its band, as the twin does.
        let bands = EdgeBands::new(poly);
        let band_starts = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("pointillist select band starts"),
            contents: bytemuck::cast_slice(&bands.starts),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let band_edges = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("pointillist select band edges"),
            contents: bytemuck::cast_slice(&bands.edges),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("pointillist select"),
        });
        let mut outputs = Vec::new();
        for chunk in &gp.chunks {
            let tiles = chunk_tiles(runs, chunk.base as usize, chunk.count as usize);
            if tiles.is_empty() {
                continue;
            }
            let params = SelectParams {
                a_hi: map.a_hi,
                a_lo: map.a_lo,
                k: map.k,
                count: chunk.count,
                vertices: poly.len() as u32,
                tiles: tiles.len() as u32,
                bands: bands.starts.len() as u32 - 1,
                band_y0: bands.y0,
                band_scale: bands.scale,
            };
            let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("pointillist select params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
            let tile_list = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("pointillist select tiles"),
                contents: bytemuck::cast_slice(&tiles),
                usage: wgpu::BufferUsages::STORAGE,
            });
            let words = chunk.count.div_ceil(32) as u64;
            let out = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist select words"),
                size: words * 4,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("pointillist select"),
                layout: &self.layout,
                entries: &buffer_entries(&[
                    &params,
                    &chunk.positions,
                    &chunk.values,
                    &polygon,
                    &tile_list,
                    &out,
                    &band_starts,
                    &band_edges,
                ]),
            });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("pointillist select"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&self.pipeline);
                pass.set_bind_group(0, &group, &[]);
                // One workgroup a tile (dispatch_size counts 256 invocations a group).
                let (x, y) = dispatch_size(tiles.len() as u32 * 256);
                pass.dispatch_workgroups(x, y, 1);
            }
            outputs.push((chunk.base as usize, words, out));
        }
        gpu.queue.submit([encoder.finish()]);
        for (base, words, out) in outputs {
            let bytes = gpu.read_buffer(&out, words * 4)?;
            let got: Vec<u32> = bytemuck::pod_collect_to_vec(&bytes);
            // Chunks hold whole multiples of 256 points: words never straddle two.
            let first = base / 32;
            mask.words[first..first + got.len()].copy_from_slice(&got);
        }
        Ok(mask)
    }
}
