//! Drives shaders/derive.wgsl with the user's expressions in it: one value
//! pass and one colour pass over every chunk of points, in one compute pass.
//! Pipelines are compiled per expression and cached. The CPU twin is
//! src/derive.rs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::derive::ValueSettings;
use crate::error::{Error, Result};
use crate::expr::Node;
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

/// The two pipelines of one value and filter.
pub struct DerivePipes {
    values: wgpu::ComputePipeline,
    colours: wgpu::ComputePipeline,
}

/// The value and filter trees of the current pipelines, and the pipelines.
type Selected = (Node, Option<Node>, Arc<DerivePipes>);

/// The compiled pipelines by generated source, the least recently used
/// dropped beyond [`CACHED`] (each pair holds driver code: ~0.2 MB on
/// lavapipe; a program looping over new expressions must not grow forever).
#[derive(Default)]
struct Cache {
    pipes: HashMap<String, (Arc<DerivePipes>, u64)>,
    clock: u64,
}

/// Expressions whose pipelines stay compiled.
const CACHED: usize = 64;

/// The derive bind group layout, and the pipelines compiled so far, one pair
/// per generated shader (the viewer switches between expressions freely).
pub struct DerivePipeline {
    pub layout: wgpu::BindGroupLayout,
    /// By generated source: the pipelines and when they were last selected.
    cache: Mutex<Cache>,
    /// The pipelines the next recorded passes use, with the value and filter
    /// they compute.
    current: Mutex<Option<Selected>>,
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
                entry(7, c, storage(true)),
            ],
        });
        Self {
            layout,
            cache: Mutex::new(Cache::default()),
            current: Mutex::new(None),
        }
    }

    /// Make the pipelines of `settings` current, compiling them the first
    /// time: the generated module goes through wgpu's validation (naga) inside
    /// an error scope, so a shader the driver would refuse is an error here.
    pub fn select(&self, device: &wgpu::Device, settings: &ValueSettings) -> Result<()> {
        let mut current = self.current.lock().expect("current pipelines");
        // The same expressions as last time (every frame of an animation): nothing to print.
        if current
            .as_ref()
            .is_some_and(|(v, f, _)| *v == settings.value && *f == settings.filter)
        {
            return Ok(());
        }
        let filter = settings.filter.clone().unwrap_or(Node::Bool(true));
        let source = super::shaders::derive_source(&settings.value, &filter);
        let mut cache = self.cache.lock().expect("derive cache");
        cache.clock += 1;
        let now = cache.clock;
        let pipes = match cache.pipes.get_mut(&source) {
            Some((p, used)) => {
                *used = now;
                p.clone()
            }
            None => {
                let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
                let [values, colours] = pipeline::compute(
                    device,
                    "pointillist derive",
                    &source,
                    &self.layout,
                    ["values_main", "colours_main"],
                );
                if let Some(e) = pollster::block_on(scope.pop()) {
                    return Err(Error::Gpu(format!(
                        "the derive shader of this expression did not compile: {e}"
                    )));
                }
                let p = Arc::new(DerivePipes { values, colours });
                if cache.pipes.len() >= CACHED {
                    let oldest = cache
                        .pipes
                        .iter()
                        .min_by_key(|(_, (_, used))| *used)
                        .map(|(k, _)| k.clone());
                    if let Some(k) = oldest {
                        cache.pipes.remove(&k);
                    }
                }
                cache.pipes.insert(source, (p.clone(), now));
                p
            }
        };
        *current = Some((settings.value.clone(), settings.filter.clone(), pipes));
        Ok(())
    }

    /// How many expressions have pipelines.
    #[cfg(test)]
    pub fn compiled(&self) -> usize {
        self.cache.lock().expect("derive cache").pipes.len()
    }

    /// Record the chosen passes of the current pipelines over every chunk,
    /// given as (bind group, point count): every value (and the shared range)
    /// is complete before any colour is written.
    pub fn record<'a>(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        chunks: impl Iterator<Item = (&'a wgpu::BindGroup, u32)> + Clone,
        passes: Passes,
    ) {
        let current = self.current.lock().expect("current pipelines");
        let (_, _, pipes) = current
            .as_ref()
            .expect("select() comes before the first derive");
        let pipelines = [
            (passes.values, &pipes.values),
            (passes.colours, &pipes.colours),
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
