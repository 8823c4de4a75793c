//! `pointillist bench` at a tiny size: the JSON carries every field, and a
//! GPU/CPU disagreement (a deliberately broken twin) exits non-zero.

mod common;

use std::process::Command;

fn bench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pointillist"))
        .arg("bench")
        .args(args)
        .output()
        .expect("run pointillist bench")
}

#[test]
fn json_report_carries_every_field() {
    if common::gpu().is_none() {
        return;
    }
    let o = bench(&[
        "--points", "3000", "1500", "--value", "x+y", "radius", "--repeat", "2", "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("bench --json prints JSON");
    for key in [
        "adapter",
        "backend",
        "device_type",
        "cpu",
        "threads",
        "timestamp_queries",
    ] {
        assert!(!v["machine"][key].is_null(), "machine.{key} missing: {v}");
    }
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "two sizes x two values");
    for r in results {
        assert!(r["parity"]["checked"].as_u64().unwrap() >= 1500);
        assert_eq!(r["parity"]["colour_mismatches"], 0);
        let paths: Vec<&str> = r["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["path"].as_str().unwrap())
            .collect();
        for want in [
            "cpu, 1 thread",
            "gpu compute, submit to done",
            "gpu compute + upload + readback",
            "draw: instanced",
            "draw: splat, gpu",
            "draw: splat, cpu",
            "draw: density eq_hist, gpu",
            "draw: density eq_hist, cpu",
            "hover: read-out + ",
            "lasso: select + highlight + ",
        ] {
            assert!(
                paths.iter().any(|p| p.starts_with(want)),
                "{want} missing from {paths:?}"
            );
        }
        assert!(paths
            .iter()
            .any(|p| p.starts_with("cpu, ") && p.ends_with("threads")));
        for m in r["measurements"].as_array().unwrap() {
            for key in [
                "runs",
                "median_ms",
                "min_ms",
                "max_ms",
                "points_per_second",
                "gb_per_second",
            ] {
                assert!(m[key].as_f64().is_some_and(|x| x > 0.0), "{key} in {m}");
            }
            let f = |key: &str| m[key].as_f64().unwrap();
            assert!(f("runs") >= 1.0 && f("runs").fract() == 0.0, "{m}");
            assert!(
                f("min_ms") <= f("median_ms") && f("median_ms") <= f("max_ms"),
                "{m}"
            );
            // Throughput is the size over the median.
            let points = r["points"].as_f64().unwrap();
            let expected = points / (f("median_ms") / 1e3);
            assert!(
                (f("points_per_second") / expected - 1.0).abs() < 1e-9,
                "{m}"
            );
        }
    }
}

#[test]
fn a_wrong_twin_fails_the_parity_check() {
    if common::gpu().is_none() {
        return;
    }
    let o = bench(&[
        "--points",
        "1000",
        "--repeat",
        "1",
        "--no-draw",
        "--break-twin",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("disagree") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn bad_sizes_and_names_fail_before_work() {
    for (args, expect) in [
        (&["--points", "0"][..], "at least 1"),
        (
            &["--points", "1000", "--value", "nope"][..],
            "--value: unknown name 'nope'",
        ),
        (&["--points", "1000", "--repeat", "0"][..], "repeat"),
        (&["--points", "2G"][..], "at most"),
    ] {
        let o = bench(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?}");
        assert!(
            err.contains(expect) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}
