// Selection by polygon (after common.wgsl): one bit per point, set where the point lies inside
// the polygon by the even-odd rule, in the pixel coordinates splat.wgsl bins with. CPU twin:
// src/select.rs (EdgeBands, select_twin). Driven by src/render/select.rs.
// One invocation makes one word (32 points); one workgroup covers one tile of the list.

// Keep in sync with `SelectParams` in src/render/select.rs.
struct SelectParams {
    a_hi: vec2<f32>,  // view corner minus the data origin, as hi + lo
    a_lo: vec2<f32>,
    k: vec2<f32>,     // pixels per data unit
    count: u32,       // points in this chunk
    vertices: u32,    // entries of `polygon`
    tiles: u32,       // entries of `tiles`
    bands: u32,       // the polygon's edge bands: band of y = floor((y - band_y0) * band_scale)
    band_y0: f32,
    band_scale: f32,
}

// Keep in sync with `points::TILE` in src/points.rs.
const TILE: u32 = 4096u;
const WORDS_PER_TILE: u32 = 128u; // TILE / 32, the workgroup size

@group(0) @binding(0) var<uniform> p: SelectParams;
@group(0) @binding(1) var<storage, read> positions: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
// Vertices in pixels from the view's corner (x right, y up).
@group(0) @binding(3) var<storage, read> polygon: array<vec2<f32>>;
// The chunk's tiles that meet the polygon's bounds, by index in the chunk.
@group(0) @binding(4) var<storage, read> tiles: array<u32>;
@group(0) @binding(5) var<storage, read_write> words: array<u32>;
// Band b's edges (by the index of their first vertex) are band_edges[band_starts[b] ..
// band_starts[b + 1]]: every edge whose y span meets the band.
@group(0) @binding(6) var<storage, read> band_starts: array<u32>;
@group(0) @binding(7) var<storage, read> band_edges: array<u32>;

// Even-odd rule; a rightward ray crosses an edge whose lower end is at or below the point
// and whose crossing is strictly to its right (left and bottom edges inside). Two products
// compared instead of a division: nothing to fuse. Only the edges of the point's band can
// cross its ray, so only those are tested. Twin: select::EdgeBands::inside.
fn inside(t: vec2<f32>) -> bool {
    let f = floor((t.y - p.band_y0) * p.band_scale);
    var band = 0u;
    if f > 0.0 {
        band = min(u32(f), p.bands - 1u);
    }
    var odd = false;
    for (var k = band_starts[band]; k < band_starts[band + 1u]; k++) {
        let i = band_edges[k];
        let j = select(i - 1u, p.vertices - 1u, i == 0u);
        let a = polygon[i];
        let b = polygon[j];
        if (a.y > t.y) != (b.y > t.y) {
            let l = (t.x - a.x) * (b.y - a.y);
            let r = (t.y - a.y) * (b.x - a.x);
            let rising = b.y > a.y;
            if select((l > r), (l < r), rising) {
                odd = !odd;
            }
        }
    }
    return odd;
}

@compute @workgroup_size(128)
fn select_points(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = wg.y * nwg.x + wg.x;
    if g >= p.tiles {
        return;
    }
    let w = tiles[g] * WORDS_PER_TILE + lid;
    if w * 32u >= p.count {
        return;
    }
    var bits = 0u;
    for (var b = 0u; b < 32u; b++) {
        let i = w * 32u + b;
        if i >= p.count {
            break;
        }
        if !is_kept(values[i]) {
            continue;
        }
        let q = positions[i];
        let t = ((q.xy - p.a_hi) + (q.zw - p.a_lo)) * p.k;
        if inside(t) {
            bits |= 1u << b;
        }
    }
    words[w] = bits;
}
