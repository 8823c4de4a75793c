// Overlay lines (axes, ticks, grid, frames): one instance per segment, a
// quad of the segment's width with square caps, in target pixels (y down);
// a negative width is a disc of that diameter at `a`, anti-aliased as the
// points are (the size legend). Driven by src/render/overlay.rs.

// Keep in sync with `ScreenUniform` in src/render/overlay.rs.
struct Screen {
    size: vec2<f32>,
    _pad: vec2<f32>,
}

@group(0) @binding(0) var<uniform> screen: Screen;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) colour: vec4<f32>,
    @location(1) local: vec2<f32>, // a disc: pixels from its centre
    @location(2) radius: f32,      // a disc's radius; 0 for a line
}

fn to_clip(p: vec2<f32>) -> vec4<f32> {
    return vec4<f32>(p.x / screen.size.x * 2.0 - 1.0, 1.0 - p.y / screen.size.y * 2.0, 0.0, 1.0);
}

@vertex
fn vs_main(
    @builtin(vertex_index) vertex: u32,
    @location(0) a: vec2<f32>,
    @location(1) b: vec2<f32>,
    @location(2) width: f32,
    @location(3) colour: vec4<f32>,
) -> VsOut {
    let c = vec2<f32>(f32(vertex & 1u), f32(vertex >> 1u));
    var out: VsOut;
    out.colour = colour;
    if width < 0.0 {
        let r = -width * 0.5;
        out.local = (c * 2.0 - 1.0) * (r + 0.5);
        out.radius = r;
        out.position = to_clip(a + out.local);
        return out;
    }
    let len = length(b - a);
    var d = vec2<f32>(1.0, 0.0);
    if len > 0.0 {
        d = (b - a) / len;
    }
    let n = vec2<f32>(-d.y, d.x);
    let half = width * 0.5;
    let p = mix(a - d * half, b + d * half, c.x) + n * (c.y * 2.0 - 1.0) * half;
    out.position = to_clip(p);
    out.local = vec2<f32>(0.0);
    out.radius = 0.0;
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    if in.radius > 0.0 {
        let a = clamp(in.radius + 0.5 - length(in.local), 0.0, 1.0) * in.colour.a;
        if a <= 0.0 {
            discard;
        }
        return vec4<f32>(in.colour.rgb, a);
    }
    return in.colour;
}
