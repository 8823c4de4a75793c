// Shades a splat or density grid (after common.wgsl) into the plot area of the target, through
// the colourmap texture (after table.wgsl). CPU twin: src/aggregate.rs (window_max, shade_splat,
// shade_density). Driven by src/render/resolve.rs.

// Keep in sync with `ResolveParams` in src/render/resolve.rs.
struct ResolveParams {
    vp_min: vec2<f32>,  // plot area's top-left pixel in the target
    screen: vec2<f32>,  // target size
    size: vec2<u32>,    // grid size (= plot area size)
    mode: u32,          // 0: splat (values), 1: density (counts or value keys), 2: category mix
    back: u32,          // a pixel shows the largest cell from `back` pixels up and left
    range: vec2<f32>,   // value range for splat
    ahead: u32,         // ... to `ahead` pixels down and right (footprint and spread)
    tabled: u32,        // splat: 1 when `thresholds` holds the norm's table (float keys)
    under: u32,         // splat: packed RGBA8 below the range (given bit 0)
    over: u32,          // ... above it (given bit 1)
    given: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> r: ResolveParams;
@group(0) @binding(1) var<storage, read> grid: array<u32>;
@group(0) @binding(2) var<storage, read> thresholds: array<u32, 256>;
@group(0) @binding(3) var colormap: texture_2d<f32>;
// A category mix: each pixel's mixed colour, packed (the grid's first plane).
@group(0) @binding(4) var<storage, read> mixed: array<u32>;

// Datashader's min_alpha (keep in sync with categories::MIN_ALPHA).
const MIN_ALPHA: u32 = 40u;

// The alpha of a mixed pixel whose count has density entry e (twin of categories::mix_alpha).
fn mix_alpha(e: u32) -> u32 {
    return MIN_ALPHA + e * (255u - MIN_ALPHA) / 255u;
}

struct VsOut {
    @builtin(position) position: vec4<f32>,
    // Grid coordinates (cells from the plot area's top-left corner), at the
    // pixel's centre. Taken from this varying, not from `position - vp_min`:
    // reading `position` here made lavapipe (Mesa 22.3) lose ~0.5 MB a frame
    // whenever the plot area had margins (tests/memory.rs).
    @location(0) cell: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32) -> VsOut {
    let c = vec2<f32>(f32(vertex & 1u), f32(vertex >> 1u));
    let q = r.vp_min + c * vec2<f32>(r.size);
    var out: VsOut;
    out.position = vec4<f32>(q.x / r.screen.x * 2.0 - 1.0, 1.0 - q.y / r.screen.y * 2.0, 0.0, 1.0);
    out.cell = c * vec2<f32>(r.size);
    return out;
}

// Largest cell in the pixel's window: the splat's footprint and the spread.
fn cell(x: i32, y: i32) -> u32 {
    if r.back == 0u && r.ahead == 0u {
        return grid[u32(y) * r.size.x + u32(x)];
    }
    let b = i32(r.back);
    let a = i32(r.ahead);
    var m = 0u;
    for (var dy = -b; dy <= a; dy++) {
        for (var dx = -b; dx <= a; dx++) {
            let xx = x + dx;
            let yy = y + dy;
            if xx >= 0 && yy >= 0 && xx < i32(r.size.x) && yy < i32(r.size.y) {
                m = max(m, grid[u32(yy) * r.size.x + u32(xx)]);
            }
        }
    }
    return m;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let g = clamp(vec2<i32>(floor(in.cell)), vec2<i32>(0), vec2<i32>(r.size) - 1);
    let c = cell(g.x, g.y);
    if c == 0u {
        discard;
    }
    var i = 0u;
    if r.mode == 0u {
        let v = unordered(c);
        switch beyond(v, r.range.x, r.range.y, r.given) {
            case 1u: {
                return unpack4x8unorm(r.under);
            }
            case 2u: {
                return unpack4x8unorm(r.over);
            }
            default: {
                if r.tabled != 0u {
                    i = table_entry(float_key(v));
                } else {
                    i = colour_index(normalise(v, r.range.x, r.range.y));
                }
            }
        }
    } else if r.mode == 2u {
        // The mixed colour, its alpha from the count through `how`.
        let rgb = unpack4x8unorm(mixed[u32(g.y) * r.size.x + u32(g.x)]);
        return vec4<f32>(rgb.xyz, f32(mix_alpha(table_entry(c))) / 255.0);
    } else {
        i = table_entry(c);
    }
    return textureLoad(colormap, vec2<u32>(i, 0u), 0);
}
