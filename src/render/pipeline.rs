//! Pipeline boilerplate shared by every module that drives a shader: one bind
//! group layout (group 0), a `vs_main`/`fs_main` quad pipeline drawn as a
//! 4-vertex triangle strip, or a set of compute entry points.

/// Bind-group entries 0, 1, 2, ... for whole `buffers`, in order.
pub fn buffer_entries<'a>(buffers: &[&'a wgpu::Buffer]) -> Vec<wgpu::BindGroupEntry<'a>> {
    buffers
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: b.as_entire_binding(),
        })
        .collect()
}

/// A layout entry for binding `binding`.
pub fn entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty,
        count: None,
    }
}

pub fn uniform() -> wgpu::BindingType {
    buffer(wgpu::BufferBindingType::Uniform)
}

pub fn storage(read_only: bool) -> wgpu::BindingType {
    buffer(wgpu::BufferBindingType::Storage { read_only })
}

fn buffer(ty: wgpu::BufferBindingType) -> wgpu::BindingType {
    wgpu::BindingType::Buffer {
        ty,
        has_dynamic_offset: false,
        min_binding_size: None,
    }
}

/// A 2-D texture read with `textureLoad` (the colourmap).
pub fn texture() -> wgpu::BindingType {
    wgpu::BindingType::Texture {
        sample_type: wgpu::TextureSampleType::Float { filterable: false },
        view_dimension: wgpu::TextureViewDimension::D2,
        multisampled: false,
    }
}

fn layout(
    device: &wgpu::Device,
    label: &str,
    group: &wgpu::BindGroupLayout,
) -> wgpu::PipelineLayout {
    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(group)],
        immediate_size: 0,
    })
}

fn module(device: &wgpu::Device, label: &str, source: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    })
}

/// A render pipeline of `source`'s `vs_main` and `fs_main`, drawing triangle strips into `format`.
pub fn quad(
    device: &wgpu::Device,
    label: &str,
    source: &str,
    group: &wgpu::BindGroupLayout,
    buffers: &[Option<wgpu::VertexBufferLayout<'_>>],
    format: wgpu::TextureFormat,
    blend: Option<wgpu::BlendState>,
) -> wgpu::RenderPipeline {
    quad_from(
        device, label, source, "vs_main", group, buffers, format, blend,
    )
}

/// [`quad`] with the vertex shader entry point `vertex`.
#[allow(clippy::too_many_arguments)]
pub fn quad_from(
    device: &wgpu::Device,
    label: &str,
    source: &str,
    vertex: &str,
    group: &wgpu::BindGroupLayout,
    buffers: &[Option<wgpu::VertexBufferLayout<'_>>],
    format: wgpu::TextureFormat,
    blend: Option<wgpu::BlendState>,
) -> wgpu::RenderPipeline {
    let module = module(device, label, source);
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(&layout(device, label, group)),
        vertex: wgpu::VertexState {
            module: &module,
            entry_point: Some(vertex),
            compilation_options: Default::default(),
            buffers,
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleStrip,
            ..Default::default()
        },
        depth_stencil: None,
        multisample: Default::default(),
        fragment: Some(wgpu::FragmentState {
            module: &module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// One compute pipeline per entry point of `source`, in the order given.
pub fn compute<const N: usize>(
    device: &wgpu::Device,
    label: &str,
    source: &str,
    group: &wgpu::BindGroupLayout,
    entry_points: [&str; N],
) -> [wgpu::ComputePipeline; N] {
    let module = module(device, label, source);
    let layout = layout(device, label, group);
    entry_points.map(|entry| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: Some(&layout),
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        })
    })
}
