// Shared by the compute and resolve shaders; src/render/shaders.rs puts it in
// front of each of them. CPU twins: src/colormap/mod.rs (normalise,
// colour_index) and src/aggregate.rs (ordered, unordered).

const WORKGROUP: u32 = 256u;
const LUT_SIZE: u32 = 256u;

// A point's value when the filter left it out (a NaN no arithmetic makes;
// FILTERED_BITS in src/derive.rs).
const FILTERED_BITS: u32 = 0xffc0f117u;

// Whether a value is a number: NaN (no value, or left out) and infinity are not. Tested
// on the bits, since WGSL may assume floats are finite.
fn has_value(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// Whether the filter kept the point with this value.
fn is_kept(v: f32) -> bool {
    return bitcast<u32>(v) != FILTERED_BITS;
}

// Linear index of an invocation in a 2-D dispatch of WORKGROUP-sized groups.
fn linear_index(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wg.y * nwg.x + wg.x) * WORKGROUP + lid;
}

// Order-preserving map f32 -> u32, so that atomicMin/Max order floats;
// never 0 for a number, so 0 can mean "empty".
fn ordered(f: f32) -> u32 {
    let b = bitcast<u32>(f);
    if (b & 0x80000000u) != 0u {
        return ~b;
    }
    return b | 0x80000000u;
}

fn unordered(u: u32) -> f32 {
    if (u & 0x80000000u) != 0u {
        return bitcast<f32>(u & 0x7fffffffu);
    }
    return bitcast<f32>(~u);
}

// Value -> [0, 1] over (lo, hi); a degenerate range maps to 0 (matplotlib's Normalize).
fn normalise(v: f32, lo: f32, hi: f32) -> f32 {
    if !(hi > lo) {
        return 0.0;
    }
    return clamp((v - lo) / (hi - lo), 0.0, 1.0);
}

// Colourmap entry of a normalised value: floor(t * N), t = 1 in the last entry.
fn colour_index(t: f32) -> u32 {
    return min(u32(t * f32(LUT_SIZE)), LUT_SIZE - 1u);
}

// Whether a value takes the map's colour (0), the under colour (1) or the over
// colour (2) over (lo, hi); `given` says which of them are set (bits 0 and 1).
// Twin of Extremes::beyond in src/colormap/mod.rs.
fn beyond(v: f32, lo: f32, hi: f32, given: u32) -> u32 {
    if v < lo && (given & 1u) != 0u {
        return 1u;
    }
    if v > hi && (given & 2u) != 0u {
        return 2u;
    }
    return 0u;
}

