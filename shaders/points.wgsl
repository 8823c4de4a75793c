// Instanced points: one instance per point, a quad expanded in the vertex
// shader around the point's pixel position, shaded as a round anti-aliased
// disc in the fragment shader. Driven by src/render/points.rs; its CPU
// reference is src/reference.rs.

// Keep in sync with `PointsUniform` in src/render/points.rs.
struct PointsUniform {
    a_hi: vec2<f32>,       // the view's corner minus the data origin, as hi + lo
    a_lo: vec2<f32>,
    scale: vec2<f32>,      // offset from the corner -> clip
    translate: vec2<f32>,
    px_to_clip: vec2<f32>, // (2 / width, -2 / height)
    radius_px: f32,        // disc radius in pixels
    opacity: f32,
}

@group(0) @binding(0) var<uniform> u: PointsUniform;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) local: vec2<f32>, // pixels from the disc's centre
    @location(1) colour: vec4<f32>,
    @location(2) radius: f32,      // the disc's radius in pixels
}

// Corner of the quad for a 4-vertex triangle strip: (-1,-1) (1,-1) (-1,1) (1,1).
fn corner(vertex: u32) -> vec2<f32> {
    return vec2<f32>(f32(vertex & 1u), f32(vertex >> 1u)) * 2.0 - 1.0;
}

@vertex
fn vs_main(
    @builtin(vertex_index) vertex: u32,
    @location(0) position: vec4<f32>, // offset from the data origin: hi (xy) + lo (zw)
    @location(1) colour: vec4<f32>,
) -> VsOut {
    return disc(vertex, position, colour, u.radius_px);
}

// Size by value: each disc's radius is the uniform radius times its size
// (0: no value, no disc).
@vertex
fn vs_sized(
    @builtin(vertex_index) vertex: u32,
    @location(0) position: vec4<f32>,
    @location(1) colour: vec4<f32>,
    @location(2) size: f32,
) -> VsOut {
    var out = disc(vertex, position, colour, u.radius_px * size);
    if !(size > 0.0) {
        out.position = vec4<f32>(2.0, 2.0, 0.0, 1.0); // outside the target
    }
    return out;
}

// The quad corner `vertex` of the disc of `radius` pixels at `position`.
fn disc(vertex: u32, position: vec4<f32>, colour: vec4<f32>, radius: f32) -> VsOut {
    let c = corner(vertex);
    // Half a pixel beyond the disc, so its anti-aliased rim is inside the quad.
    let extent = radius + 0.5;
    // Exact to 2^-48 of the data's extent: hi - a_hi is exact once the view is
    // small, and lo - a_lo is tiny. Twin: src/reference.rs.
    let d = (position.xy - u.a_hi) + (position.zw - u.a_lo);
    let centre = d * u.scale + u.translate;
    var out: VsOut;
    out.position = vec4<f32>(centre + c * extent * abs(u.px_to_clip), 0.0, 1.0);
    out.local = c * extent;
    out.colour = colour;
    out.radius = radius;
    return out;
}

// Coverage of a pixel whose centre is `d` pixels from the disc's centre.
fn coverage(d: f32, radius: f32) -> f32 {
    return clamp(radius + 0.5 - d, 0.0, 1.0);
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let a = coverage(length(in.local), in.radius) * in.colour.a * u.opacity;
    if a <= 0.0 {
        discard;
    }
    return vec4<f32>(in.colour.rgb, a);
}
