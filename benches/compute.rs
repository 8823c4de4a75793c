//! criterion benches of whole renders through one reused [`Context`] (the
//! library API's per-render cost) at 1920x1080, on sizes that keep
//! `cargo bench` to a minute or two on a 2-core machine with lavapipe. The
//! per-point derive on GPU and CPU is measured by `pointillist bench`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pointillist::{Context, Dataset, Figure, Mode, Points};

fn renders(c: &mut Criterion) {
    let Ok(mut ctx) = Context::new() else {
        eprintln!("no GPU adapter: nothing to measure");
        return;
    };
    let mut group = c.benchmark_group("context-render-1920x1080");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for n in [100_000, 1_000_000] {
        let points = Points::generate(Dataset::Uniform, n, 1).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        for mode in [Mode::Auto, Mode::Points, Mode::Splat] {
            let fig = Figure {
                mode,
                ..Figure::default()
            };
            group.bench_with_input(BenchmarkId::new(mode.name(), n), &n, |b, _| {
                b.iter(|| ctx.render(&points, &fig).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, renders);
criterion_main!(benches);
