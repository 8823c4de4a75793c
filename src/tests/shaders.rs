//! Every WGSL file parses and validates with naga (no GPU needed), and every
//! struct shared with WGSL has the same size and member offsets on both sides.

use std::mem::{offset_of, size_of};

use crate::derive::DeriveParams;
use crate::render::overlay::{BarUniform, ScreenUniform};
use crate::render::points::PointsUniform;
use crate::render::resolve::ResolveParams;
use crate::render::select::SelectParams;
use crate::render::shaders;
use crate::render::splat::SplatParams;

fn module(file: &str) -> naga::Module {
    let all = shaders::all();
    let (_, src) = all
        .iter()
        .find(|(name, _)| *name == file)
        .unwrap_or_else(|| panic!("{file} is not in render::shaders::all()"));
    naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{file}: {}", e.emit_to_string(src)))
}

#[test]
fn every_shader_validates() {
    for (name, _) in shaders::all() {
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::all(),
        )
        .validate(&module(name))
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    // Every WGSL file is compiled by some pipeline (common.wgsl, table.wgsl
    // and rect.wgsl inside the others).
    let dir = format!("{}/shaders", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let inside = ["common.wgsl", "table.wgsl", "rect.wgsl"];
        if name.ends_with(".wgsl") && !inside.contains(&name.as_str()) {
            assert!(
                shaders::all().iter().any(|(n, _)| *n == name),
                "{name} is not in render::shaders::all()"
            );
        }
    }
}

/// (size, [(member, offset)]) of a WGSL struct as naga lays it out.
fn layout(m: &naga::Module, name: &str) -> (u32, Vec<(String, u32)>) {
    for (_, ty) in m.types.iter() {
        if ty.name.as_deref() == Some(name) {
            if let naga::TypeInner::Struct { members, span } = &ty.inner {
                return (
                    *span,
                    members
                        .iter()
                        .map(|mb| (mb.name.clone().unwrap(), mb.offset))
                        .collect(),
                );
            }
        }
    }
    panic!("struct {name} not found");
}

/// Asserts that the WGSL struct `$wgsl` in `$file` has the size of `$rust`
/// and the same members at the same offsets, in order.
macro_rules! check_layout {
    ($file:expr, $wgsl:literal, $rust:ty, [$($field:ident),* $(,)?]) => {{
        let (size, members) = layout(&module($file), $wgsl);
        assert_eq!(size as usize, size_of::<$rust>(), "{} size", $wgsl);
        let rust = [$((stringify!($field), offset_of!($rust, $field))),*];
        assert_eq!(members.len(), rust.len(), "{} members", $wgsl);
        for ((wn, wo), (rn, ro)) in members.iter().zip(rust) {
            assert_eq!((wn.as_str(), *wo as usize), (rn, ro), "{}", $wgsl);
        }
    }};
}

#[test]
fn shared_structs_match_wgsl() {
    check_layout!(
        "derive.wgsl",
        "DeriveParams",
        DeriveParams,
        [
            origin, wave_freq, range, auto_range, count, base_index, t, under, over, bad, given,
            positive, tabled
        ]
    );
    check_layout!(
        "points.wgsl",
        "PointsUniform",
        PointsUniform,
        [a_hi, a_lo, scale, translate, px_to_clip, radius_px, opacity]
    );
    check_layout!(
        "splat.wgsl",
        "SplatParams",
        SplatParams,
        [a_hi, a_lo, k, size, count, agg, quant, step, tiles]
    );
    check_layout!(
        "select.wgsl",
        "SelectParams",
        SelectParams,
        [a_hi, a_lo, k, count, vertices, tiles, bands, band_y0, band_scale]
    );
    check_layout!(
        "resolve.wgsl",
        "ResolveParams",
        ResolveParams,
        [vp_min, screen, size, mode, back, range, ahead, tabled, under, over, given, _pad2]
    );
    check_layout!("lines.wgsl", "Screen", ScreenUniform, [size, _pad]);
    for shader in ["colorbar.wgsl", "image.wgsl"] {
        check_layout!(shader, "Rect", BarUniform, [min, size, screen, _pad]);
    }
}
