// Compute-rasterised points (after common.wgsl): every point lands in one pixel of a W x H grid
// covering the view. CPU twin: src/aggregate.rs (GridMap::pixel, splat,
// count). Driven by src/render/splat.rs.
//   splat_max    : the highest value wins the pixel (order-preserving bits, 0 = empty)
//   count_points : points per pixel
//   reduce_max   : largest cell of the grid (for density shading)

// Keep in sync with `SplatParams` in src/render/splat.rs.
struct SplatParams {
    a: vec2<f32>,     // view corner minus the data origin
    k: vec2<f32>,     // pixels per data unit
    size: vec2<u32>,  // grid width, height
    count: u32,       // points in this chunk
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: SplatParams;
@group(0) @binding(1) var<storage, read> positions: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> grid: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> grid_max: atomic<u32>;

// Grid index of the pixel `off` falls in, or -1 outside the view (Datashader's binning:
// floor((x - x0) * W / (x1 - x0)), the right/top edge in the last pixel, row 0 at the top).
fn pixel(off: vec2<f32>) -> i32 {
    let t = (off - p.a) * p.k;
    let s = vec2<f32>(p.size);
    if !(t.x >= 0.0 && t.x <= s.x && t.y >= 0.0 && t.y <= s.y) {
        return -1;
    }
    let x = min(u32(t.x), p.size.x - 1u);
    let y = min(u32(t.y), p.size.y - 1u);
    return i32((p.size.y - 1u - y) * p.size.x + x);
}

@compute @workgroup_size(256)
fn splat_max(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = linear_index(wg, nwg, lid);
    if i >= p.count {
        return;
    }
    let px = pixel(positions[i]);
    let v = values[i];
    if px >= 0 && v == v {
        atomicMax(&grid[px], ordered(v));
    }
}

@compute @workgroup_size(256)
fn count_points(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = linear_index(wg, nwg, lid);
    if i >= p.count {
        return;
    }
    let px = pixel(positions[i]);
    if px >= 0 {
        // Saturate rather than wrap: compare-and-swap only near the top.
        let old = atomicAdd(&grid[px], 1u);
        if old == 0xffffffffu {
            atomicStore(&grid[px], 0xffffffffu);
        }
    }
}

@compute @workgroup_size(256)
fn reduce_max(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = linear_index(wg, nwg, lid);
    if i >= p.size.x * p.size.y {
        return;
    }
    let c = atomicLoad(&grid[i]);
    if c != 0u {
        atomicMax(&grid_max, c);
    }
}
