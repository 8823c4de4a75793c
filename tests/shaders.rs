//! Every WGSL file parses and validates with naga (no GPU needed), and every
//! struct shared with WGSL has the same size and member offsets on both sides.

use std::mem::{offset_of, size_of};

use pointillist::derive::DeriveParams;
use pointillist::render::points::PointsUniform;

fn module(file: &str) -> naga::Module {
    let path = format!("{}/shaders/{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).expect("read shader");
    naga::front::wgsl::parse_str(&src).unwrap_or_else(|e| panic!("{}", e.emit_to_string(&src)))
}

#[test]
fn every_shader_validates() {
    let dir = format!("{}/shaders", env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wgsl") {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let m = module(&name);
            naga::valid::Validator::new(
                naga::valid::ValidationFlags::all(),
                naga::valid::Capabilities::all(),
            )
            .validate(&m)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            count += 1;
        }
    }
    assert!(count >= 2, "found {count} shaders");
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

#[test]
fn derive_params_match_wgsl() {
    let (size, members) = layout(&module("derive.wgsl"), "DeriveParams");
    assert_eq!(size as usize, size_of::<DeriveParams>());
    let rust = [
        ("origin", offset_of!(DeriveParams, origin)),
        ("wave_freq", offset_of!(DeriveParams, wave_freq)),
        ("range", offset_of!(DeriveParams, range)),
        ("value_kind", offset_of!(DeriveParams, value_kind)),
        ("auto_range", offset_of!(DeriveParams, auto_range)),
        ("count", offset_of!(DeriveParams, count)),
        ("base_index", offset_of!(DeriveParams, base_index)),
        ("_pad", offset_of!(DeriveParams, _pad)),
    ];
    assert_eq!(members.len(), rust.len());
    for ((wn, wo), (rn, ro)) in members.iter().zip(rust) {
        assert_eq!((wn.as_str(), *wo as usize), (rn, ro));
    }
}

#[test]
fn points_uniform_matches_wgsl() {
    let (size, members) = layout(&module("points.wgsl"), "PointsUniform");
    assert_eq!(size as usize, size_of::<PointsUniform>());
    let rust = [
        ("scale", offset_of!(PointsUniform, scale)),
        ("translate", offset_of!(PointsUniform, translate)),
        ("px_to_clip", offset_of!(PointsUniform, px_to_clip)),
        ("radius_px", offset_of!(PointsUniform, radius_px)),
        ("opacity", offset_of!(PointsUniform, opacity)),
    ];
    assert_eq!(members.len(), rust.len());
    for ((wn, wo), (rn, ro)) in members.iter().zip(rust) {
        assert_eq!((wn.as_str(), *wo as usize), (rn, ro));
    }
}
