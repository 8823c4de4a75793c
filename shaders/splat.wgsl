// Compute-rasterised points (after common.wgsl): every point lands in one pixel of a W x H grid
// covering the view. CPU twin: src/aggregate.rs (GridMap::pixel, splat, min_splat, count,
// sums, finalise_sums). Driven by src/render/splat.rs.
//   splat_extreme  : the highest value wins the pixel (order-preserving bits, 0 = empty), or
//                    the lowest (kept as !ordered with atomicMax; finalise flips it)
//   count_points   : points per pixel (a category mix: and the u64 sums of
//                    their categories' colours, in `planes`)
//   sum_values     : values per pixel and the u64 sum of their fixed-point steps (in `planes`)
//   finalise       : min -> ordered bits; sum / mean planes -> ordered bits of the result;
//                    a mix's sums -> each pixel's mixed colour, packed, in plane 0
//   reduce_extremes: largest cell and smallest non-empty cell (for density shading)
//                    (mix twins: aggregate::mix, finalise_mix, categories::mix_colour)

// Keep in sync with `SplatParams` in src/render/splat.rs.
struct SplatParams {
    a_hi: vec2<f32>,  // view corner minus the data origin, as hi + lo
    a_lo: vec2<f32>,
    k: vec2<f32>,     // pixels per data unit
    size: vec2<u32>,  // grid width, height
    count: u32,       // points in this chunk
    agg: u32,         // AGG_* below (finalise)
    quant: vec2<f32>, // fixed-point steps: (lo, steps per unit)
    step: f32,        // value units per step
    tiles: u32,       // entries of `tiles` (the chunk's tiles that meet the view)
}

// Keep in sync with `points::TILE` in src/points.rs.
const TILE: u32 = 4096u;
const GROUPS_PER_TILE: u32 = 16u; // TILE / WORKGROUP

// Keep in sync with `Agg::code` in src/render/splat.rs.
const AGG_SUM: u32 = 1u;
const AGG_MEAN: u32 = 2u;
const AGG_MIN: u32 = 3u;
const AGG_MIX: u32 = 5u;

@group(0) @binding(0) var<uniform> p: SplatParams;
// Offsets from the data origin: hi (xy) + lo (zw); see points::split.
@group(0) @binding(1) var<storage, read> positions: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> grid: array<atomic<u32>>;
// [largest cell, largest !cell over non-empty cells (= !smallest)]
@group(0) @binding(4) var<storage, read_write> extremes: array<atomic<u32>, 2>;
// Sum and mean: [values per pixel | low words of the step sums | high words], W x H each.
@group(0) @binding(5) var<storage, read_write> planes: array<atomic<u32>>;
// The chunk's tiles a frame visits (those that meet the view), by index in the chunk.
@group(0) @binding(6) var<storage, read> tiles: array<u32>;
// Each category's colour, packed RGBA8 by code (a category mix).
@group(0) @binding(7) var<storage, read> palette: array<u32, 256>;

// The point this invocation aggregates: workgroups walk the listed tiles, so
// points of tiles outside the view cost nothing. 0xffffffff: none.
fn point_index(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    let g = wg.y * nwg.x + wg.x;
    if g >= p.tiles * GROUPS_PER_TILE {
        return 0xffffffffu;
    }
    let i = tiles[g / GROUPS_PER_TILE] * TILE + (g % GROUPS_PER_TILE) * WORKGROUP + lid;
    return select(0xffffffffu, i, i < p.count);
}

// Grid index of the pixel point `q` falls in, or -1 outside the view (Datashader's binning:
// floor((x - x0) * W / (x1 - x0)), the right/top edge in the last pixel, row 0 at the top).
// (hi - a_hi) + (lo - a_lo) is the offset from the view's corner to 2^-48 of the data's
// extent; CPU twin: GridMap::cell_gpu (no multiply-add to fuse).
fn pixel(q: vec4<f32>) -> i32 {
    let t = ((q.xy - p.a_hi) + (q.zw - p.a_lo)) * p.k;
    let s = vec2<f32>(p.size);
    if !(t.x >= 0.0 && t.x <= s.x && t.y >= 0.0 && t.y <= s.y) {
        return -1;
    }
    let x = min(u32(t.x), p.size.x - 1u);
    let y = min(u32(t.y), p.size.y - 1u);
    return i32((p.size.y - 1u - y) * p.size.x + x);
}

@compute @workgroup_size(256)
fn splat_extreme(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = point_index(wg, nwg, lid);
    if i == 0xffffffffu {
        return;
    }
    let px = pixel(positions[i]);
    let v = values[i];
    if px >= 0 && has_value(v) {
        // The lowest value is the highest !ordered(v), never 0 for a number either.
        atomicMax(&grid[px], select(ordered(v), ~ordered(v), p.agg == AGG_MIN));
    }
}

@compute @workgroup_size(256)
fn count_points(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = point_index(wg, nwg, lid);
    if i == 0xffffffffu {
        return;
    }
    let px = pixel(positions[i]);
    let v = values[i];
    if px < 0 || !is_kept(v) {
        return;
    }
    if p.agg == AGG_MIX {
        // The value is the point's category code (none, or hidden: not counted).
        if !has_value(v) {
            return;
        }
        let colour = palette[min(u32(v), LUT_SIZE - 1u)];
        if (colour >> 24u) == 0u {
            return; // a hidden category
        }
        add_colour(u32(px), colour);
    }
    // Saturate rather than wrap: compare-and-swap only near the top.
    let old = atomicAdd(&grid[px], 1u);
    if old == 0xffffffffu {
        atomicStore(&grid[px], 0xffffffffu);
    }
}

// A category mix: planes hold [r, g, b low words | r, g, b high words] of the
// sums of the colours in each pixel, W x H each.
fn add_colour(c: u32, colour: u32) {
    let cells = p.size.x * p.size.y;
    for (var k = 0u; k < 3u; k++) {
        let q = (colour >> (8u * k)) & 255u;
        let low = atomicAdd(&planes[k * cells + c], q);
        if low > 0xffffffffu - q {
            atomicAdd(&planes[(3u + k) * cells + c], 1u);
        }
    }
}

// q * n as a u64 (low, high words), for q < 256.
fn mul_small(q: u32, n: u32) -> vec2<u32> {
    let a = q * (n & 0xffffu);
    let b = q * (n >> 16u);
    let lo = a + (b << 16u);
    return vec2<u32>(lo, (b >> 16u) + select(0u, 1u, lo < a));
}

// floor(s / n) for a u64 s (low, high) at most 255 * n: the largest q < 256 with q * n <= s.
fn mix_channel(s: vec2<u32>, n: u32) -> u32 {
    var q = 0u;
    for (var bit = 128u; bit > 0u; bit >>= 1u) {
        let m = mul_small(q | bit, n);
        if m.y < s.y || (m.y == s.y && m.x <= s.x) {
            q |= bit;
        }
    }
    return q;
}

// A mixed pixel's colour, packed, from its count and colour sums (twin of
// categories::mix_colour).
fn mix_colour(i: u32, n: u32) -> u32 {
    let cells = p.size.x * p.size.y;
    var packed = 0u;
    if n != 0u {
        for (var k = 0u; k < 3u; k++) {
            let s = vec2<u32>(atomicLoad(&planes[k * cells + i]), atomicLoad(&planes[(3u + k) * cells + i]));
            packed |= mix_channel(s, n) << (8u * k);
        }
    }
    return packed;
}

@compute @workgroup_size(256)
fn sum_values(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = point_index(wg, nwg, lid);
    if i == 0xffffffffu {
        return;
    }
    let px = pixel(positions[i]);
    let v = values[i];
    if px >= 0 && has_value(v) {
        let cells = p.size.x * p.size.y;
        let c = u32(px);
        atomicAdd(&planes[c], 1u);
        // (v - lo) * scale: no multiply-add to fuse, so the CPU twin gets the same step.
        let q = u32((v - p.quant.x) * p.quant.y);
        // A u64 sum from two u32 words: the add that wraps the low word carries.
        let old = atomicAdd(&planes[cells + c], q);
        if old > 0xffffffffu - q {
            atomicAdd(&planes[2u * cells + c], 1u);
        }
    }
}

@compute @workgroup_size(256)
fn finalise(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = linear_index(wg, nwg, lid);
    let cells = p.size.x * p.size.y;
    if i >= cells {
        return;
    }
    if p.agg == AGG_MIN {
        let c = atomicLoad(&grid[i]);
        if c != 0u {
            atomicStore(&grid[i], ~c);
        }
        return;
    }
    if p.agg == AGG_MIX {
        // Each pixel's mixed colour into the first plane (its own cell only).
        atomicStore(&planes[i], mix_colour(i, atomicLoad(&grid[i])));
        return;
    }
    let n = atomicLoad(&planes[i]);
    if n == 0u {
        atomicStore(&grid[i], 0u);
        return;
    }
    let s = f32(atomicLoad(&planes[2u * cells + i])) * 4294967296.0 + f32(atomicLoad(&planes[cells + i]));
    let nf = f32(n);
    // Each value lies half a step above its truncated step on average.
    var v = nf * p.quant.x + (s + 0.5 * nf) * p.step;
    if p.agg == AGG_MEAN {
        v = p.quant.x + (s / nf + 0.5) * p.step;
    }
    atomicStore(&grid[i], ordered(v));
}

var<workgroup> wg_max: atomic<u32>;
var<workgroup> wg_inv: atomic<u32>;

@compute @workgroup_size(256)
fn reduce_extremes(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    if lid == 0u {
        atomicStore(&wg_max, 0u);
        atomicStore(&wg_inv, 0u);
    }
    workgroupBarrier();
    let i = linear_index(wg, nwg, lid);
    if i < p.size.x * p.size.y {
        let c = atomicLoad(&grid[i]);
        if c != 0u {
            atomicMax(&wg_max, c);
            atomicMax(&wg_inv, ~c);
        }
    }
    workgroupBarrier();
    // One global atomic per workgroup, not per cell.
    if lid == 0u {
        atomicMax(&extremes[0], atomicLoad(&wg_max));
        atomicMax(&extremes[1], atomicLoad(&wg_inv));
    }
}
