//! The points on the GPU: buffers split into chunks that each fit the
//! device's storage-binding and buffer-size limits (lavapipe and many GPUs
//! bind at most 128 MiB, about 8.4M `vec4<f32>` positions), with one derive bind group
//! per chunk. Rebuilt when the data changes; settings changes only rewrite
//! the small per-chunk uniforms.

use bytemuck::{cast_slice, Pod};
use glam::DVec2;
use wgpu::util::DeviceExt;

use crate::aggregate::unordered;
use crate::colormap::{table_keys, NormTable};
use crate::derive::{DeriveParams, DeriveStats, ValueSettings};
use crate::error::{input, Error, Result};
use crate::gpu::Gpu;
use crate::points::{PointSet, TILE};
use crate::render::derive::Passes;
use crate::render::Renderer;

/// Bytes the GPU holds per point: position as (hi, lo) pairs (16), value (4), colour (4).
pub const BYTES_PER_POINT: u64 = 24;

pub struct Chunk {
    pub count: u32,
    pub base: u32,
    pub positions: wgpu::Buffer,
    pub values: wgpu::Buffer,
    pub colours: wgpu::Buffer,
    /// Size by value: each point's disc size over the uniform one.
    pub sizes: Option<wgpu::Buffer>,
    params: wgpu::Buffer,
    pub derive_bind_group: wgpu::BindGroup,
}

pub struct GpuPoints {
    pub chunks: Vec<Chunk>,
    pub len: usize,
    /// What the positions of `moved` (all others: `PointSet::origin`) are
    /// relative to; shaders take the view's corner relative to it.
    pub origin: DVec2,
    /// The data's origin, what every position was uploaded relative to.
    base: DVec2,
    /// The runs of points whose positions are relative to `origin` instead.
    moved: Vec<std::ops::Range<usize>>,
    /// [min, max] of the values as order-preserving u32 (see derive.wgsl),
    /// the points with no value, the points left out.
    stats: wgpu::Buffer,
    /// The norm's thresholds the colour pass reads (`tabled` params).
    norm_table: wgpu::Buffer,
    base_params: DeriveParams,
}

/// Most points one chunk may hold on a device with these limits, with
/// `columns` value columns (4 bytes a point each, in one binding): whole
/// tiles, so that a tile never straddles two chunks.
pub fn max_chunk_points(limits: &wgpu::Limits, columns: usize) -> usize {
    let bytes = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    let points = (bytes / (4 * columns as u64).max(16)).min(1 << 30) as usize;
    (points / TILE * TILE).max(TILE)
}

impl GpuPoints {
    /// Upload `points` in chunks of at most `chunk_points` (None: as large as
    /// the device allows).
    pub fn upload(
        gpu: &Gpu,
        renderer: &Renderer,
        points: &PointSet,
        chunk_points: Option<usize>,
    ) -> Result<Self> {
        let limit = max_chunk_points(&gpu.device.limits(), points.columns.len());
        // Whole tiles by default; tests use small chunks (any multiple of 256).
        let chunk_points = chunk_points.map_or(limit, |c| (c / 256 * 256).clamp(256, limit));
        if points.len() > u32::MAX as usize {
            return Err(input(format!(
                "{} points exceed the {} a GPU index can address",
                points.len(),
                u32::MAX
            )));
        }
        let device = &gpu.device;
        let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let stats = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist value stats"),
            size: 16,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let norm_table = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist norm table"),
            size: (crate::colormap::LUT_SIZE * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let dummy_data = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist no data column"),
            size: 4,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let mut chunks = Vec::new();
        for base in (0..points.len()).step_by(chunk_points) {
            let n = chunk_points.min(points.len() - base);
            // The chunk's slice of each column, one after another.
            let data_buffer = (!points.columns.is_empty()).then(|| {
                let mut planar = Vec::with_capacity(n * points.columns.len());
                for c in &points.columns {
                    planar.extend_from_slice(&c[base..base + n]);
                }
                init_buffer(
                    device,
                    "pointillist data",
                    &planar,
                    wgpu::BufferUsages::STORAGE,
                )
            });
            let positions = init_buffer(
                device,
                "pointillist positions",
                &points.split_range(base..base + n),
                // (COPY_DST: a deep zoom rewrites its visible points, `rebase`.)
                wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::VERTEX
                    | wgpu::BufferUsages::COPY_DST,
            );
            let values =
                storage_buffer(device, "pointillist values", n, wgpu::BufferUsages::empty());
            let colours =
                storage_buffer(device, "pointillist colours", n, wgpu::BufferUsages::VERTEX);
            let params = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist derive params"),
                size: std::mem::size_of::<DeriveParams>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let data = data_buffer.as_ref().unwrap_or(&dummy_data);
            let derive_bind_group = renderer.derive_bind_group(
                device,
                [&params, &positions, data, &values, &colours, &stats],
                &norm_table,
            );
            chunks.push(Chunk {
                count: n as u32,
                base: base as u32,
                positions,
                values,
                colours,
                sizes: None,
                params,
                derive_bind_group,
            });
        }
        if let Some(e) = pollster::block_on(oom.pop()) {
            return Err(Error::Gpu(format!(
                "not enough GPU memory for {} points ({} MB needed): {e}",
                points.len(),
                points.len() as u64 * BYTES_PER_POINT / 1_000_000
            )));
        }
        Ok(Self {
            chunks,
            len: points.len(),
            origin: points.origin,
            base: points.origin,
            moved: Vec::new(),
            stats,
            norm_table,
            base_params: DeriveParams::base(points),
        })
    }

    /// Make the positions of `runs` relative to `origin` (the data's origin
    /// again for the runs moved before), so that a view far narrower than the
    /// data's pairs resolve stays exact: only `runs` may be drawn or
    /// aggregated until the next call. Writes only those points.
    pub fn rebase(
        &mut self,
        gpu: &Gpu,
        points: &PointSet,
        origin: DVec2,
        runs: &[std::ops::Range<usize>],
    ) {
        let moved = std::mem::take(&mut self.moved);
        self.write_positions(gpu, points, self.base, &moved);
        if origin != self.base {
            self.write_positions(gpu, points, origin, runs);
            self.moved = runs.to_vec();
        }
        self.origin = origin;
    }

    /// Every position relative to the data's origin again (a derive reads them).
    pub fn restore(&mut self, gpu: &Gpu, points: &PointSet) {
        if self.origin != self.base {
            self.rebase(gpu, points, self.base, &[]);
        }
    }

    /// Whether every point of `runs` is relative to `origin`.
    pub fn placed(&self, origin: DVec2, runs: &[std::ops::Range<usize>]) -> bool {
        if origin != self.origin {
            return false;
        }
        if origin == self.base {
            return true;
        }
        runs.iter().all(|r| {
            self.moved
                .iter()
                .any(|m| m.start <= r.start && r.end <= m.end)
        })
    }

    fn write_positions(
        &self,
        gpu: &Gpu,
        points: &PointSet,
        origin: DVec2,
        runs: &[std::ops::Range<usize>],
    ) {
        for r in runs {
            for chunk in &self.chunks {
                let (base, end) = (chunk.base as usize, (chunk.base + chunk.count) as usize);
                let (s, e) = (r.start.max(base), r.end.min(end));
                if s < e {
                    let held = points.split_range_from(s..e, origin);
                    gpu.queue.write_buffer(
                        &chunk.positions,
                        ((s - base) * 16) as u64,
                        cast_slice(&held),
                    );
                }
            }
        }
    }

    /// Make the settings' pipelines current, write the settings into every
    /// chunk's uniforms and reset the stats. Call before recording a derive pass.
    pub fn prepare_derive(
        &self,
        gpu: &Gpu,
        renderer: &Renderer,
        settings: &ValueSettings,
    ) -> Result<()> {
        renderer.derive.select(&gpu.device, settings)?;
        for chunk in &self.chunks {
            let params = DeriveParams {
                count: chunk.count,
                base_index: chunk.base,
                ..self.base_params.with(settings)
            };
            gpu.queue
                .write_buffer(&chunk.params, 0, bytemuck::bytes_of(&params));
        }
        gpu.queue
            .write_buffer(&self.stats, 0, cast_slice(&[u32::MAX, 0u32, 0, 0]));
        Ok(())
    }

    /// Derive values and colours for `settings` and submit (does not wait
    /// unless a norm's table needs the range first).
    pub fn derive(&self, gpu: &Gpu, renderer: &Renderer, settings: &ValueSettings) -> Result<()> {
        self.prepare_derive(gpu, renderer, settings)?;
        if settings.norm == crate::colormap::Norm::Linear {
            self.submit(gpu, renderer, Passes::BOTH);
        } else {
            self.submit(gpu, renderer, Passes::VALUES);
            let range = settings.colour_range(&self.read_stats(gpu)?);
            self.derive_colours(gpu, renderer, settings.norm_table(range).as_deref());
        }
        Ok(())
    }

    /// Derive the values (and their range) only; [`GpuPoints::derive_colours`]
    /// adds the colours when a frame needs them.
    pub fn derive_values(
        &self,
        gpu: &Gpu,
        renderer: &Renderer,
        settings: &ValueSettings,
    ) -> Result<()> {
        self.prepare_derive(gpu, renderer, settings)?;
        self.submit(gpu, renderer, Passes::VALUES);
        Ok(())
    }

    /// Size by value: every point's disc size over the uniform one (0: none),
    /// in storage order, one buffer per chunk.
    pub fn set_sizes(&mut self, gpu: &Gpu, factors: &[f32]) {
        for chunk in &mut self.chunks {
            let (b, n) = (chunk.base as usize, chunk.count as usize);
            let part = factors.get(b..b + n).unwrap_or(&[]);
            let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pointillist sizes"),
                size: (4 * n as u64).max(4),
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            if part.len() == n && n > 0 {
                gpu.queue.write_buffer(&buffer, 0, cast_slice(part));
            }
            chunk.sizes = Some(buffer);
        }
    }

    /// The colour pass for the values of the last derive, through `table`
    /// where its norm has one (submits, does not wait).
    pub fn derive_colours(&self, gpu: &Gpu, renderer: &Renderer, table: Option<&NormTable>) {
        if let Some(table) = table {
            let keys = table_keys(table);
            gpu.queue
                .write_buffer(&self.norm_table, 0, cast_slice(keys.as_slice()));
        }
        self.submit(gpu, renderer, Passes::COLOURS);
    }

    fn submit(&self, gpu: &Gpu, renderer: &Renderer, passes: Passes) {
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("pointillist derive"),
            });
        self.record_passes(&mut encoder, renderer, None, passes);
        gpu.queue.submit([encoder.finish()]);
    }

    /// Record both passes (the benchmark times them with `timestamp_writes`).
    pub fn record_derive(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        renderer: &Renderer,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) {
        self.record_passes(encoder, renderer, timestamp_writes, Passes::BOTH);
    }

    fn record_passes(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        renderer: &Renderer,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
        passes: Passes,
    ) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("pointillist derive"),
            timestamp_writes,
        });
        let chunks = self.chunks.iter().map(|c| (&c.derive_bind_group, c.count));
        renderer.derive.record(&mut pass, chunks, passes);
    }

    /// What the last derive found: the min and max of the values (whether or
    /// not the colour range was fixed), the points with no value, the points
    /// left out.
    pub fn read_stats(&self, gpu: &Gpu) -> Result<DeriveStats> {
        let w: Vec<u32> = bytemuck::pod_collect_to_vec(&gpu.read_buffer(&self.stats, 16)?);
        Ok(DeriveStats {
            min_max: if w[0] <= w[1] {
                (unordered(w[0]), unordered(w[1]))
            } else {
                (f32::INFINITY, f32::NEG_INFINITY)
            },
            no_value: w[2] as u64,
            filtered: w[3] as u64,
        })
    }

    /// Upload values and colours made on the host (the CPU backend's derive).
    pub fn write_derived(&self, gpu: &Gpu, values: &[f32], colours: &[u32]) {
        for chunk in &self.chunks {
            let r = chunk.base as usize..chunk.base as usize + chunk.count as usize;
            gpu.queue
                .write_buffer(&chunk.values, 0, cast_slice(&values[r.clone()]));
            gpu.queue
                .write_buffer(&chunk.colours, 0, cast_slice(&colours[r]));
        }
    }

    pub fn read_values(&self, gpu: &Gpu) -> Result<Vec<f32>> {
        self.read_all(gpu, |c| &c.values)
    }

    pub fn read_colours(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        self.read_all(gpu, |c| &c.colours)
    }

    fn read_all<T: Pod>(
        &self,
        gpu: &Gpu,
        buffer: impl Fn(&Chunk) -> &wgpu::Buffer,
    ) -> Result<Vec<T>> {
        let mut out = Vec::with_capacity(self.len);
        for chunk in &self.chunks {
            let bytes = gpu.read_buffer(buffer(chunk), chunk.count as u64 * 4)?;
            out.extend_from_slice(&bytemuck::pod_collect_to_vec::<u8, T>(&bytes));
        }
        Ok(out)
    }
}

fn init_buffer<T: Pod>(
    device: &wgpu::Device,
    label: &str,
    contents: &[T],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: cast_slice(contents),
        usage,
    })
}

fn storage_buffer(
    device: &wgpu::Device,
    label: &str,
    n: usize,
    extra: wgpu::BufferUsages,
) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: (n as u64 * 4).max(4),
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST
            | extra,
        mapped_at_creation: false,
    })
}
