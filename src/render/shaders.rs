//! The WGSL each pipeline compiles. WGSL has no includes, so the shaders that
//! share helpers get shaders/common.wgsl put in front of them here; tests/shaders.rs
//! validates exactly these sources with naga.

use crate::expr::wgsl::{Emitter, PRELUDE};
use crate::expr::Node;

macro_rules! with_common {
    ($($file:literal),+) => {
        concat!(
            include_str!("../../shaders/common.wgsl"),
            $(include_str!(concat!("../../shaders/", $file))),+
        )
    };
}

/// derive.wgsl without its value and filter functions.
const DERIVE: &str = with_common!("table.wgsl", "derive.wgsl");

/// derive.wgsl with `point_value` computing `value` and `point_kept` testing
/// `filter` (`Node::Bool(true)` keeps every point).
pub fn derive_source(value: &Node, filter: &Node) -> String {
    format!(
        "{DERIVE}{PRELUDE}\n{}\n{}",
        Emitter::value_function("point_value", value),
        Emitter::condition_function("point_kept", filter)
    )
}
pub const SPLAT: &str = with_common!("splat.wgsl");
pub const SELECT: &str = with_common!("select.wgsl");
pub const RESOLVE: &str = with_common!("table.wgsl", "resolve.wgsl");
pub const POINTS: &str = include_str!("../../shaders/points.wgsl");
pub const LINES: &str = include_str!("../../shaders/lines.wgsl");
pub const COLORBAR: &str = concat!(
    include_str!("../../shaders/rect.wgsl"),
    include_str!("../../shaders/colorbar.wgsl")
);
pub const IMAGE: &str = concat!(
    include_str!("../../shaders/rect.wgsl"),
    include_str!("../../shaders/image.wgsl")
);

/// Every shader as compiled, by file name (common.wgsl, table.wgsl and rect.wgsl are inside the others;
/// derive.wgsl with the functions of `x + y` and no filter).
#[cfg(test)]
pub fn all() -> Vec<(&'static str, String)> {
    let x_plus_y = crate::expr::Expr::value("x + y", &[])
        .expect("compiles")
        .node;
    vec![
        ("derive.wgsl", derive_source(&x_plus_y, &Node::Bool(true))),
        ("splat.wgsl", SPLAT.into()),
        ("select.wgsl", SELECT.into()),
        ("resolve.wgsl", RESOLVE.into()),
        ("points.wgsl", POINTS.into()),
        ("lines.wgsl", LINES.into()),
        ("colorbar.wgsl", COLORBAR.into()),
        ("image.wgsl", IMAGE.into()),
    ]
}
