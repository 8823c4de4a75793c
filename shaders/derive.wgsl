// Per-point value and colour (after common.wgsl). CPU twin: src/derive.rs (keep the two in step,
// line for line). Driven by src/render/derive.rs.
//
// Two entry points over the same bindings, dispatched over every chunk:
//   values_main  : value of each point; min/max of the finite values into
//                  range_bits (order-preserving u32 atomics: the data's min and max);
//   colours_main : normalise into [0, 1], look up the colourmap texture,
//                  write packed RGBA8 for the draw.

// Keep in sync with `DeriveParams` in src/derive.rs.
struct DeriveParams {
    origin: vec2<f32>,     // PointSet origin (values are computed in f32)
    wave_freq: vec2<f32>,  // radians per data unit for the `wave` value
    range: vec2<f32>,      // fixed (lo, hi) when auto_range == 0
    value_kind: u32,       // ValueKind as u32
    auto_range: u32,       // 1: take the range from range_bits
    count: u32,            // points in this chunk
    base_index: u32,       // index of this chunk's first point
    _pad: vec2<u32>,
}

@group(0) @binding(0) var<uniform> params: DeriveParams;
@group(0) @binding(1) var<storage, read> positions: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> data: array<f32>;
@group(0) @binding(3) var<storage, read_write> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> colours: array<u32>;
@group(0) @binding(5) var<storage, read_write> range_bits: array<atomic<u32>, 2>;
@group(0) @binding(6) var colormap: texture_2d<f32>;

// ---- The value function: self-contained, so that user expressions can take
// ---- its place later. `off` is the point's offset from params.origin.
fn point_value(off: vec2<f32>, index: u32, i: u32) -> f32 {
    let p = params.origin + off;
    switch params.value_kind {
        case 0u: { return p.x + p.y; }                      // x+y
        case 1u: { return p.x; }                            // x
        case 2u: { return p.y; }                            // y
        case 3u: { return sqrt(off.x * off.x + off.y * off.y); } // radius from the centre
        case 4u: { return atan2(off.y, off.x); }            // angle about the centre
        case 5u: {                                          // wave
            let u = off * params.wave_freq;
            return sin(u.x) * cos(u.y);
        }
        case 6u: { return f32(index); }                     // index
        default: { return data[i]; }                        // data column
    }
}

var<workgroup> wg_lo: atomic<u32>;
var<workgroup> wg_hi: atomic<u32>;

@compute @workgroup_size(256)
fn values_main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    if lid == 0u {
        atomicStore(&wg_lo, 0xffffffffu);
        atomicStore(&wg_hi, 0u);
    }
    workgroupBarrier();
    let i = linear_index(wg, nwg, lid);
    if i < params.count {
        let v = point_value(positions[i], params.base_index + i, i);
        values[i] = v;
        if v == v {
            atomicMin(&wg_lo, ordered(v));
            atomicMax(&wg_hi, ordered(v));
        }
    }
    workgroupBarrier();
    // The data's range is kept even when the colour range is fixed (sum and mean need it).
    if lid == 0u {
        atomicMin(&range_bits[0], atomicLoad(&wg_lo));
        atomicMax(&range_bits[1], atomicLoad(&wg_hi));
    }
}

@compute @workgroup_size(256)
fn colours_main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = linear_index(wg, nwg, lid);
    if i >= params.count {
        return;
    }
    var lo = params.range.x;
    var hi = params.range.y;
    if params.auto_range != 0u {
        lo = unordered(atomicLoad(&range_bits[0]));
        hi = unordered(atomicLoad(&range_bits[1]));
    }
    let v = values[i];
    if v != v {
        colours[i] = 0u; // NaN: transparent
        return;
    }
    let t = normalise(v, lo, hi);
    colours[i] = pack4x8unorm(textureLoad(colormap, vec2<u32>(colour_index(t), 0u), 0));
}
