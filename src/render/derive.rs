//! Drives shaders/derive.wgsl: one value pass and one colour pass over every
//! chunk of points, in one compute pass. The CPU twin is src/derive.rs.

use crate::render::pipeline::{self, entry, storage, texture, uniform};

/// Invocations per workgroup; `WORKGROUP` in derive.wgsl.
pub const WORKGROUP: u32 = 256;
/// Workgroups along x before a dispatch wraps into y (below the 65535 limit).
const MAX_GROUPS_X: u32 = 32_768;

/// Workgroup counts (x, y) covering `count` invocations.
pub fn dispatch_size(count: u32) -> (u32, u32) {
    let groups = count.div_ceil(WORKGROUP);
    if groups <= MAX_GROUPS_X {
        (groups, 1)
    } else {
        (MAX_GROUPS_X, groups.div_ceil(MAX_GROUPS_X))
    }
}

pub struct DerivePipeline {
    pub layout: wgpu::BindGroupLayout,
    values: wgpu::ComputePipeline,
    colours: wgpu::ComputePipeline,
}

impl DerivePipeline {
    pub fn new(device: &wgpu::Device) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pointillist derive"),
            entries: &[
                entry(0, c, uniform()),
                entry(1, c, storage(true)),
                entry(2, c, storage(true)),
                entry(3, c, storage(false)),
                entry(4, c, storage(false)),
                entry(5, c, storage(false)),
                entry(6, c, texture()),
            ],
        });
        let [values, colours] = pipeline::compute(
            device,
            "pointillist derive",
            super::shaders::DERIVE,
            &layout,
            ["values_main", "colours_main"],
        );
        Self {
            layout,
            values,
            colours,
        }
    }

    /// Record the chosen passes over every chunk, given as (bind group, point
    /// count): every value (and the shared range) is complete before any
    /// colour is written.
    pub fn record<'a>(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        chunks: impl Iterator<Item = (&'a wgpu::BindGroup, u32)> + Clone,
        passes: Passes,
    ) {
        let pipelines = [
            (passes.values, &self.values),
            (passes.colours, &self.colours),
        ];
        for (_, pipeline) in pipelines.into_iter().filter(|(on, _)| *on) {
            pass.set_pipeline(pipeline);
            for (bind_group, count) in chunks.clone().filter(|c| c.1 > 0) {
                let (x, y) = dispatch_size(count);
                pass.set_bind_group(0, bind_group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
    }
}

/// Which passes of derive.wgsl to run: colours are only needed for instanced
/// points, so splat and density frames run the value pass alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    pub values: bool,
    pub colours: bool,
}

impl Passes {
    pub const BOTH: Passes = Passes {
        values: true,
        colours: true,
    };
    pub const VALUES: Passes = Passes {
        values: true,
        colours: false,
    };
    pub const COLOURS: Passes = Passes {
        values: false,
        colours: true,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_covers_every_point_within_limits() {
        for n in [1u32, 255, 256, 257, 8_388_608, 16_777_216, 33_554_431] {
            let (x, y) = dispatch_size(n);
            assert!(x <= 65_535 && y <= 65_535);
            assert!(x as u64 * y as u64 * WORKGROUP as u64 >= n as u64, "{n}");
            // No more than one row of workgroups is wasted.
            assert!(((x * (y - 1)) as u64 * WORKGROUP as u64) < n as u64, "{n}");
        }
        assert_eq!(dispatch_size(0), (0, 1));
    }
}
