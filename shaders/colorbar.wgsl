// The colourbar: a rectangle showing the colourmap texture from bottom
// (t = 0) to top (t = 1), each pixel row taking the entry the derive pass
// would give the value at that height. Driven by src/render/overlay.rs.

// Keep in sync with `BarUniform` in src/render/overlay.rs.
struct Bar {
    min: vec2<f32>,    // top-left, target pixels
    size: vec2<f32>,
    screen: vec2<f32>, // target size
    _pad: vec2<f32>,
}

@group(0) @binding(0) var<uniform> bar: Bar;
@group(0) @binding(1) var colormap: texture_2d<f32>;

const LUT_SIZE: u32 = 256u;

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32) -> @builtin(position) vec4<f32> {
    let c = vec2<f32>(f32(vertex & 1u), f32(vertex >> 1u));
    let p = bar.min + c * bar.size;
    return vec4<f32>(p.x / bar.screen.x * 2.0 - 1.0, 1.0 - p.y / bar.screen.y * 2.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let t = clamp((bar.min.y + bar.size.y - position.y) / bar.size.y, 0.0, 1.0);
    let i = min(u32(t * f32(LUT_SIZE)), LUT_SIZE - 1u);
    return textureLoad(colormap, vec2<u32>(i, 0u), 0);
}
