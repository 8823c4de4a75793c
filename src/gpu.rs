//! GPU context: instance, adapter, device and queue, for headless work or a
//! window surface. Honours `WGPU_BACKEND`, `WGPU_ADAPTER_NAME` and
//! `WGPU_POWER_PREF`, and requests the adapter's own limits so that buffers
//! as large as the device allows can be created.

use std::cell::Cell;

use crate::error::{Error, Result};

thread_local! {
    /// Devices this thread has created (tests count them: a reused context makes one).
    static DEVICES_CREATED: Cell<usize> = const { Cell::new(0) };
}

/// How many wgpu devices this thread has created so far.
#[cfg(test)]
pub fn devices_created() -> usize {
    DEVICES_CREATED.get()
}

/// Whether this machine plainly has no hardware GPU to reach: on Linux, no
/// DRM render node and no NVIDIA device (every hardware Vulkan or GL driver
/// opens one of them), so the only adapter wgpu could find is a software
/// rasteriser. Answered without starting Vulkan (which costs ~40 ms on
/// lavapipe); false where unsure (other systems, or an adapter asked for by
/// name or backend), so that wgpu is asked.
pub fn plainly_no_hardware() -> bool {
    if !cfg!(target_os = "linux")
        || std::env::var_os("WGPU_ADAPTER_NAME").is_some()
        || std::env::var_os("WGPU_BACKEND").is_some()
    {
        return false;
    }
    let has = |dir: &str, prefix: &str| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(prefix))
        })
    };
    !has("/dev/dri", "renderD") && !has("/dev", "nvidia")
}

/// Whether an adapter is a software rasteriser such as lavapipe.
pub fn is_software(info: &wgpu::AdapterInfo) -> bool {
    info.device_type == wgpu::DeviceType::Cpu
}

pub struct Gpu {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
}

/// How a window's device suballocates its memory: in blocks of 4 MiB, where
/// wgpu's default takes 64-256 MiB. The allocator keeps one empty block of
/// each kind of memory for reuse, so a block made for a moment's staging
/// buffer (colours written for a million points) stayed for good: in the
/// soak test (tests/soak.rs) the viewer's allocations stepped up by 134 MB
/// (heaptrack: one 128 MiB block) and never came down. Buffers larger than
/// a block get memory of their own, given back when they are dropped.
fn window_memory() -> wgpu::MemoryHints {
    wgpu::MemoryHints::Manual {
        suballocated_device_memory_block_size: (4 << 20)..(4 << 20),
    }
}

impl Gpu {
    /// A device with no surface: for PNG output, tests and benchmarks.
    /// Without `WGPU_BACKEND`, the primary backends (Vulkan, Metal, DX12) are
    /// tried first and GL only when they offer no adapter: starting EGL as
    /// well costs every run ~15 ms on lavapipe for an adapter it never uses.
    pub fn headless() -> Result<Self> {
        let (instance, adapter) = Self::headless_adapter()?;
        pollster::block_on(Self::on_adapter(instance, adapter))
    }

    /// The adapter [`Gpu::headless`] would take, without a device (cheaper:
    /// enough to tell whether it is a software rasteriser).
    pub fn headless_adapter() -> Result<(wgpu::Instance, wgpu::Adapter)> {
        let on = |backends: Option<wgpu::Backends>| {
            let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
            descriptor.backends = backends.unwrap_or(descriptor.backends);
            let instance = wgpu::Instance::new(descriptor);
            let adapter = pollster::block_on(wgpu::util::initialize_adapter_from_env_or_default(
                &instance, None,
            ))
            .map_err(|_| Error::NoAdapter)?;
            Ok((instance, adapter))
        };
        if wgpu::Backends::from_env().is_none() {
            match on(Some(wgpu::Backends::PRIMARY)) {
                Err(Error::NoAdapter) => {}
                found => return found,
            }
        }
        on(None)
    }

    /// A device on `instance` that can present to `surface` when one is given.
    pub async fn with_instance(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Self> {
        let adapter = wgpu::util::initialize_adapter_from_env_or_default(&instance, surface)
            .await
            .map_err(|_| Error::NoAdapter)?;
        Self::device(instance, adapter, window_memory()).await
    }

    /// A device on `adapter` of `instance`.
    pub async fn on_adapter(instance: wgpu::Instance, adapter: wgpu::Adapter) -> Result<Self> {
        Self::device(instance, adapter, wgpu::MemoryHints::Performance).await
    }

    async fn device(
        instance: wgpu::Instance,
        adapter: wgpu::Adapter,
        memory_hints: wgpu::MemoryHints,
    ) -> Result<Self> {
        let info = adapter.get_info();
        // Timestamp queries let the benchmark report kernel time; take them when offered.
        let required_features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("pointillist device"),
                required_features,
                required_limits: adapter.limits(),
                memory_hints,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Device {
                adapter: info.name.clone(),
                reason: e.to_string(),
            })?;
        DEVICES_CREATED.set(DEVICES_CREATED.get() + 1);
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
            info,
        })
    }

    /// "name (backend, device type)" for logs and reports.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.backend, self.info.device_type
        )
    }

    /// True when the adapter is a software rasteriser such as lavapipe.
    pub fn is_software(&self) -> bool {
        is_software(&self.info)
    }

    /// Block until all submitted work is done.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| Error::Gpu(e.to_string()))
    }
}

impl Gpu {
    /// Copy `size` bytes from the start of `buffer` (which needs COPY_SRC) back
    /// to the host. Blocks until done.
    pub fn read_buffer(&self, buffer: &wgpu::Buffer, size: u64) -> Result<Vec<u8>> {
        if size == 0 {
            return Ok(Vec::new());
        }
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("pointillist readback"),
            });
        encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        self.map_read(&staging)
    }

    /// Map a MAP_READ buffer whose copy has been submitted, and return its bytes.
    pub fn map_read(&self, staging: &wgpu::Buffer) -> Result<Vec<u8>> {
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|e| Error::Gpu(e.to_string()))?
            .map_err(|e| Error::Gpu(format!("mapping a readback buffer failed: {e}")))?;
        let bytes = staging
            .get_mapped_range(..)
            .map_err(|e| Error::Gpu(e.to_string()))?
            .to_vec();
        staging.unmap();
        Ok(bytes)
    }
}
