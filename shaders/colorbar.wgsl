
// The colourbar (after rect.wgsl): a rectangle showing the colourmap texture
// from bottom (t = 0) to top (t = 1), each pixel row taking the entry the
// derive pass would give the value at that height. Driven by src/render/overlay.rs.

@group(0) @binding(1) var colormap: texture_2d<f32>;

const LUT_SIZE: u32 = 256u;

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let t = clamp((rect.min.y + rect.size.y - position.y) / rect.size.y, 0.0, 1.0);
    let i = min(u32(t * f32(LUT_SIZE)), LUT_SIZE - 1u);
    return textureLoad(colormap, vec2<u32>(i, 0u), 0);
}
