//! The tutorial's loop, NumPy's tree in plain Rust, the same tree on each SIMD kernel, and the
//! unordered many-accumulator sum (the yardstick), at 10^3 ... 10^7 values; and strided lines
//! (`a[::2]`, `a[::-1]`, `a[::3]`), each kernel reading them in place against the reference
//! over a copy.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fast_operations::pairwise::{Kernel, sum_reference};
use ndarray::ArrayView1;
use std::hint::black_box;

fn sums(c: &mut Criterion) {
    let mut group = c.benchmark_group("sum");
    for n in [1_000usize, 10_000, 100_000, 1_000_000, 10_000_000] {
        let a: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        group.throughput(Throughput::Bytes((n * size_of::<f64>()) as u64));
        group.bench_with_input(BenchmarkId::new("naive loop", n), &a, |b, a| {
            b.iter(|| fast_operations::sum_array_naive(ArrayView1::from(black_box(a))))
        });
        group.bench_with_input(BenchmarkId::new("pairwise scalar", n), &a, |b, a| {
            b.iter(|| sum_reference(black_box(a)))
        });
        for kernel in Kernel::ALL.into_iter().filter(|k| k.is_supported()) {
            group.bench_with_input(
                BenchmarkId::new(format!("pairwise {kernel:?}"), n),
                &a,
                |b, a| b.iter(|| kernel.pairwise_sum(black_box(a))),
            );
        }
        group.bench_with_input(BenchmarkId::new("unordered (yardstick)", n), &a, |b, a| {
            b.iter(|| fast_operations::sum_unordered(black_box(a)))
        });
    }
    group.finish();
}

fn strided_lines(c: &mut Criterion) {
    let mut group = c.benchmark_group("strided line");
    for n in [1_000usize, 100_000, 10_000_000] {
        let a: Vec<f64> = (0..3 * n).map(|i| (i as f64).sin()).collect();
        for step in [2isize, -1, 3] {
            let view = ArrayView1::from(&a[..step.unsigned_abs() * n]);
            let line = view.slice_move(ndarray::s![..;step]);
            group.throughput(Throughput::Bytes((n * size_of::<f64>()) as u64));
            group.bench_function(
                BenchmarkId::new(format!("copy, then scalar tree, step {step}"), n),
                |b| b.iter(|| sum_reference(&black_box(line).to_vec())),
            );
            for kernel in Kernel::ALL.into_iter().filter(|k| k.is_supported()) {
                group.bench_function(
                    BenchmarkId::new(format!("{kernel:?} in place, step {step}"), n),
                    |b| b.iter(|| kernel.pairwise_sum_line(black_box(line))),
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, sums, strided_lines);
criterion_main!(benches);
