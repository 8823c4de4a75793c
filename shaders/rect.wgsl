// A rectangle of the target that colorbar.wgsl and image.wgsl fill (put in
// front of them by src/render/shaders.rs).

// Keep in sync with `BarUniform` in src/render/overlay.rs.
struct Rect {
    min: vec2<f32>,    // top-left, target pixels
    size: vec2<f32>,
    screen: vec2<f32>, // target size
    _pad: vec2<f32>,
}

@group(0) @binding(0) var<uniform> rect: Rect;

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32) -> @builtin(position) vec4<f32> {
    let c = vec2<f32>(f32(vertex & 1u), f32(vertex >> 1u));
    let p = rect.min + c * rect.size;
    return vec4<f32>(p.x / rect.screen.x * 2.0 - 1.0, 1.0 - p.y / rect.screen.y * 2.0, 0.0, 1.0);
}
