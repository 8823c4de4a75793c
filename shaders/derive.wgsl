// Per-point value and colour (after common.wgsl). The value and the filter are the user's
// expressions, printed as WGSL by src/expr/wgsl.rs and put after this file (with its helpers)
// by src/render/shaders.rs: `point_value(off, index, i) -> f32` (NO_VALUE where it has none)
// and `point_kept(off, index, i) -> bool`. CPU twin: src/derive.rs. Driven by
// src/render/derive.rs.
//
// Two entry points over the same bindings, dispatched over every chunk:
//   values_main  : value of each point (FILTERED where the filter leaves it out); min/max
//                  of the values into stats (order-preserving u32 atomics), and the
//                  counts of points with no value and of points left out;
//   colours_main : normalise into [0, 1], look up the colourmap texture,
//                  write packed RGBA8 for the draw.

// Keep in sync with `DeriveParams` in src/derive.rs.
struct DeriveParams {
    origin: vec2<f32>,     // PointSet origin (values are computed in f32)
    wave_freq: vec2<f32>,  // radians per data unit for the `wave` value
    range: vec2<f32>,      // fixed (lo, hi) when auto_range == 0
    auto_range: u32,       // 1: take the range from stats
    count: u32,            // points in this chunk
    base_index: u32,       // index of this chunk's first point
    t: f32,                // the expressions' time, in seconds
    under: u32,            // packed RGBA8 below the range (given bit 0)
    over: u32,             // ... above the range (given bit 1)
    bad: u32,              // ... for no value (given bit 2)
    given: u32,            // which of them are set
    positive: u32,         // 1: values <= 0 have no value (the log norm)
    tabled: u32,           // 1: colours through thresholds, not normalise
}

@group(0) @binding(0) var<uniform> params: DeriveParams;
// Offsets from the data origin: hi (xy) + lo (zw); expressions see origin + hi.
@group(0) @binding(1) var<storage, read> positions: array<vec4<f32>>;
// The columns the expressions read, one after another: column k of point i is
// data[k * params.count + i].
@group(0) @binding(2) var<storage, read> data: array<f32>;
@group(0) @binding(3) var<storage, read_write> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> colours: array<u32>;
// [min, max] of the values as ordered bits, points with no value, points left out.
@group(0) @binding(5) var<storage, read_write> stats: array<atomic<u32>, 4>;
@group(0) @binding(6) var colormap: texture_2d<f32>;
// A non-linear norm's thresholds (the smallest value of each colour entry) as
// float keys; read by table_entry (table.wgsl).
@group(0) @binding(7) var<storage, read> thresholds: array<u32, 256>;

var<workgroup> wg_lo: atomic<u32>;
var<workgroup> wg_hi: atomic<u32>;
var<workgroup> wg_none: atomic<u32>;
var<workgroup> wg_out: atomic<u32>;

@compute @workgroup_size(256)
fn values_main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    if lid == 0u {
        atomicStore(&wg_lo, 0xffffffffu);
        atomicStore(&wg_hi, 0u);
        atomicStore(&wg_none, 0u);
        atomicStore(&wg_out, 0u);
    }
    workgroupBarrier();
    let i = linear_index(wg, nwg, lid);
    if i < params.count {
        let off = positions[i].xy;
        let index = params.base_index + i;
        var v = bitcast<f32>(FILTERED_BITS);
        if point_kept(off, index, i) {
            v = point_value(off, index, i);
            if params.positive != 0u && has_value(v) && v <= 0.0 {
                v = no_value();
            }
            if has_value(v) {
                atomicMin(&wg_lo, ordered(v));
                atomicMax(&wg_hi, ordered(v));
            } else {
                atomicAdd(&wg_none, 1u);
            }
        } else {
            atomicAdd(&wg_out, 1u);
        }
        values[i] = v;
    }
    workgroupBarrier();
    // The data's range is kept even when the colour range is fixed (sum and mean need it).
    if lid == 0u {
        atomicMin(&stats[0], atomicLoad(&wg_lo));
        atomicMax(&stats[1], atomicLoad(&wg_hi));
        atomicAdd(&stats[2], atomicLoad(&wg_none));
        atomicAdd(&stats[3], atomicLoad(&wg_out));
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
        lo = unordered(atomicLoad(&stats[0]));
        hi = unordered(atomicLoad(&stats[1]));
    }
    let v = values[i];
    if !has_value(v) {
        // Left out: transparent; no value: the bad colour where one is set.
        var c = 0u;
        if bitcast<u32>(v) != FILTERED_BITS && (params.given & 4u) != 0u {
            c = params.bad;
        }
        colours[i] = c;
        return;
    }
    switch beyond(v, lo, hi, params.given) {
        case 1u: {
            colours[i] = params.under;
        }
        case 2u: {
            colours[i] = params.over;
        }
        default: {
            var k = 0u;
            if params.tabled != 0u {
                k = table_entry(float_key(v));
            } else {
                k = colour_index(normalise(v, lo, hi));
            }
            colours[i] = pack4x8unorm(textureLoad(colormap, vec2<u32>(k, 0u), 0));
        }
    }
}
