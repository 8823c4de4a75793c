//! criterion benches of the per-point derive (CPU one thread, CPU all threads,
//! GPU submit-to-done) and of one instanced frame, on sizes that keep
//! `cargo bench` to a few minutes on a 2-core machine with lavapipe.
//! The device is created once, outside the timed closures.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pointillist::camera::{Camera, Viewport};
use pointillist::colormap::Colormap;
use pointillist::derive::{
    derive_parallel, derive_serial, DeriveParams, Derived, ValueKind, ValueSettings,
};
use pointillist::gpu::Gpu;
use pointillist::points::{generate, Dataset};
use pointillist::render::chunks::GpuPoints;
use pointillist::render::target::OffscreenTarget;
use pointillist::render::{draw_frame, FrameView, Painter, Renderer, Style, OFFSCREEN_FORMAT};

const SIZES: [usize; 2] = [100_000, 1_000_000];
const SETTINGS: ValueSettings = ValueSettings {
    kind: ValueKind::XPlusY,
    range: None,
};

fn derive(c: &mut Criterion) {
    let gpu = Gpu::headless().ok();
    let lut = Colormap::VIRIDIS.rgba8();
    let mut group = c.benchmark_group("derive");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let points = generate(Dataset::Uniform, n, 1).unwrap();
        let params = DeriveParams::new(&points, &SETTINGS);
        let mut out = Derived::with_len(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("cpu-1-thread", n), &n, |b, _| {
            b.iter(|| derive_serial(&points, &params, &lut, &mut out))
        });
        group.bench_with_input(BenchmarkId::new("cpu-all-threads", n), &n, |b, _| {
            b.iter(|| derive_parallel(&points, &params, &lut, &mut out))
        });
        if let Some(gpu) = &gpu {
            let renderer = Renderer::new(gpu, Colormap::VIRIDIS);
            let gp = GpuPoints::upload(gpu, &renderer, &points, None).unwrap();
            group.bench_with_input(BenchmarkId::new("gpu-submit-to-done", n), &n, |b, _| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        gp.prepare_derive(gpu, &SETTINGS).unwrap();
                        gpu.wait().unwrap();
                        let t = Instant::now();
                        gp.derive(gpu, &renderer, &SETTINGS).unwrap();
                        gpu.wait().unwrap();
                        total += t.elapsed();
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

fn draw(c: &mut Criterion) {
    let Ok(gpu) = Gpu::headless() else { return };
    let mut group = c.benchmark_group("draw-1920x1080");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let n = 100_000;
    let points = generate(Dataset::Uniform, n, 1).unwrap();
    let renderer = Renderer::new(&gpu, Colormap::VIRIDIS);
    let gp = GpuPoints::upload(&gpu, &renderer, &points, None).unwrap();
    gp.derive(&gpu, &renderer, &SETTINGS).unwrap();
    let mut painter = Painter::new(&gpu, OFFSCREEN_FORMAT, &renderer);
    let target = OffscreenTarget::new(&gpu, 1920, 1080).unwrap();
    let view = FrameView {
        camera: Camera::fit(&points.bounds),
        viewport: Viewport::full(1920, 1080),
        size: (1920, 1080),
    };
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("instanced", n), |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                draw_frame(
                    &gpu,
                    &mut painter,
                    &gp,
                    &view,
                    &Style::default(),
                    None,
                    &target.view,
                )
                .unwrap();
                gpu.wait().unwrap();
            }
            t.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, derive, draw);
criterion_main!(benches);
