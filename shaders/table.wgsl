
// Lookups in a 256-entry table of ascending u32 keys, `thresholds`, which the
// shader that puts this file in front of its own declares. Density tables hold
// counts or `ordered` value keys; a norm's table holds `float_key`s of f32
// thresholds (CPU twins: aggregate::shade_density, colormap::table_index).

// The entry of `key`: the last threshold <= key (0 when there is none).
fn table_entry(key: u32) -> u32 {
    var lo = 0u;
    var hi = LUT_SIZE;
    loop {
        if lo >= hi {
            break;
        }
        let mid = (lo + hi) / 2u;
        if thresholds[mid] <= key {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return max(lo, 1u) - 1u;
}

// `ordered(v)` with -0 taken as +0, so that keys compare as the floats do
// (twin of keys::float_key).
fn float_key(v: f32) -> u32 {
    return ordered(select(v, 0.0, v == 0.0));
}
