//! The serial sum (section 1) against the parallel one, 10^4 ... 10^8, called as the Python
//! module calls it: the caller sums its share, the pool's helpers the rest.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::ArrayView1;
use std::hint::black_box;

fn sums(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("sum on {} threads", parallel_sum::thread_count()));
    group.sample_size(20);
    for n in [10_000usize, 100_000, 1_000_000, 10_000_000, 100_000_000] {
        // Cheap to build even in the debug build of `cargo test --benches`; values do not
        // change the speed.
        let a: Vec<f64> = (0..n).map(|i| (i % 1024) as f64 * 0.5).collect();
        group.throughput(Throughput::Bytes((n * size_of::<f64>()) as u64));
        group.bench_with_input(BenchmarkId::new("serial", n), &a, |b, a| {
            b.iter(|| fast_operations::sum_array(ArrayView1::from(black_box(a)).into_dyn()))
        });
        group.bench_with_input(BenchmarkId::new("parallel", n), &a, |b, a| {
            b.iter(|| parallel_sum::parallel_sum(ArrayView1::from(black_box(a)).into_dyn()))
        });
        group.bench_with_input(
            BenchmarkId::new("parallel unordered (yardstick)", n),
            &a,
            |b, a| b.iter(|| parallel_sum::parallel_sum_unordered(black_box(a))),
        );
    }
    group.finish();
}

criterion_group!(benches, sums);
criterion_main!(benches);
