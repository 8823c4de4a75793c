//! Order-preserving u32 keys of f32 values: one integer compare orders two
//! values, so grids, atomics and colour tables work on keys.

/// Order-preserving map f32 -> u32 (twin of `ordered` in the shaders).
pub fn ordered(f: f32) -> u32 {
    let b = f.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// Inverse of [`ordered`] (twin of `unordered` in the shaders).
pub fn unordered(u: u32) -> f32 {
    if u & 0x8000_0000 != 0 {
        f32::from_bits(u & 0x7fff_ffff)
    } else {
        f32::from_bits(!u)
    }
}

/// The key of `v` with -0 taken as +0, so that keys compare as the floats
/// do (twin of `float_key` in shaders/table.wgsl).
pub fn float_key(v: f32) -> u32 {
    ordered(if v == 0.0 { 0.0 } else { v })
}
