
// A picture the host made (a turned label; after rect.wgsl): an RGBA8
// texture of the rectangle's size drawn pixel for pixel, alpha-blended.
// Driven by src/render/overlay.rs.

@group(0) @binding(1) var image: texture_2d<f32>;

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let last = vec2<i32>(rect.size) - 1;
    let p = clamp(vec2<i32>(floor(position.xy - rect.min)), vec2<i32>(0), last);
    return textureLoad(image, p, 0);
}
