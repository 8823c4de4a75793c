//! The WGSL each pipeline compiles. WGSL has no includes, so the shaders that
//! share helpers get shaders/common.wgsl put in front of them here; tests/shaders.rs
//! validates exactly these sources with naga.

macro_rules! with_common {
    ($file:literal) => {
        concat!(
            include_str!("../../shaders/common.wgsl"),
            include_str!(concat!("../../shaders/", $file))
        )
    };
}

pub const DERIVE: &str = with_common!("derive.wgsl");
pub const SPLAT: &str = with_common!("splat.wgsl");
pub const RESOLVE: &str = with_common!("resolve.wgsl");
pub const POINTS: &str = include_str!("../../shaders/points.wgsl");
pub const LINES: &str = include_str!("../../shaders/lines.wgsl");
pub const COLORBAR: &str = include_str!("../../shaders/colorbar.wgsl");

/// Every shader as compiled, by file name (common.wgsl is inside the others).
#[cfg(test)]
pub const ALL: [(&str, &str); 6] = [
    ("derive.wgsl", DERIVE),
    ("splat.wgsl", SPLAT),
    ("resolve.wgsl", RESOLVE),
    ("points.wgsl", POINTS),
    ("lines.wgsl", LINES),
    ("colorbar.wgsl", COLORBAR),
];
