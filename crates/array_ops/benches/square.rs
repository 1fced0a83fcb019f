//! The tutorial's C `square_array` against the Rust kernel, in place, 10^3 ... 10^7 values,
//! and the Rust kernel into another array (the ufunc's loop when `out` is not its input), on
//! one thread. The values are ones, which squaring leaves unchanged: every iteration sees the
//! same data.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array1;

fn square(c: &mut Criterion) {
    let mut group = c.benchmark_group("square in place");
    for n in [1_000usize, 10_000, 100_000, 1_000_000, 10_000_000] {
        let mut a = Array1::<f64>::ones(n);
        group.throughput(Throughput::Bytes((2 * n * size_of::<f64>()) as u64));
        group.bench_function(BenchmarkId::new("C square_array", n), |b| {
            b.iter(|| array_ops::square_numpy_array(a.view_mut().into_dyn()))
        });
        group.bench_function(BenchmarkId::new("Rust", n), |b| {
            b.iter(|| array_ops::square_numpy_array_rust(a.view_mut().into_dyn()))
        });
        assert!(a.iter().all(|&x| x == 1.0));
    }
    group.finish();
    let mut group = c.benchmark_group("square into another array");
    for n in [1_000usize, 10_000, 100_000, 1_000_000, 10_000_000] {
        let a = vec![1.0f64; n];
        let mut out = vec![0.0f64; n];
        group.throughput(Throughput::Bytes((2 * n * size_of::<f64>()) as u64));
        group.bench_function(BenchmarkId::new("Rust, one thread", n), |b| {
            b.iter(|| array_ops::square_slice_into(&a, &mut out))
        });
        assert!(out.iter().all(|&x| x == 1.0));
    }
    group.finish();
}

criterion_group!(benches, square);
criterion_main!(benches);
