//! The tutorial's loop, NumPy's tree in plain Rust, the same tree on each SIMD kernel, and the
//! unordered many-accumulator sum (the yardstick), at 10^3 ... 10^7 values; and strided views
//! (`a[::2]`, `a[::-1]`, `a[::3]`), each kernel reading them in place against the reference
//! over a copy, and a column of a wide matrix (one value a cache line, lines far apart).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fast_operations::pairwise::{InstructionSet, Kernel, sum_reference};
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
        for kernel in InstructionSet::ALL.into_iter().filter(|k| k.is_supported()) {
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

fn strided_views(c: &mut Criterion) {
    let mut group = c.benchmark_group("strided view");
    for n in [1_000usize, 100_000, 10_000_000] {
        let a: Vec<f64> = (0..3 * n).map(|i| (i as f64).sin()).collect();
        for step in [2isize, -1, 3] {
            let view = ArrayView1::from(&a[..step.unsigned_abs() * n]);
            let strided = view.slice_move(ndarray::s![..;step]);
            group.throughput(Throughput::Bytes((n * size_of::<f64>()) as u64));
            group.bench_function(
                BenchmarkId::new(format!("copy, then scalar tree, step {step}"), n),
                |b| b.iter(|| sum_reference(&black_box(strided).to_vec())),
            );
            for kernel in InstructionSet::ALL.into_iter().filter(|k| k.is_supported()) {
                group.bench_function(
                    BenchmarkId::new(format!("{kernel:?} in place, step {step}"), n),
                    |b| b.iter(|| kernel.pairwise_sum_strided(black_box(strided))),
                );
            }
        }
    }
    // A column a[:, 3] of a C-ordered 10^4 x 2000 matrix: 10^4 values 16 KB apart, a view
    // that spans 160 MB, so the AVX-512 kernel asks for lines ahead.
    let (rows, cols) = (10_000usize, 2_000usize);
    let matrix: Vec<f64> = (0..rows * cols).map(|i| (i as f64).sin()).collect();
    let column = ArrayView1::from(&matrix[3..]).slice_move(ndarray::s![..;cols as isize]);
    assert_eq!(column.len(), rows);
    group.throughput(Throughput::Bytes((rows * size_of::<f64>()) as u64));
    for kernel in InstructionSet::ALL.into_iter().filter(|k| k.is_supported()) {
        group.bench_function(
            BenchmarkId::new(format!("{kernel:?} in place, column"), "10^4 x 2000"),
            |b| b.iter(|| kernel.pairwise_sum_strided(black_box(column))),
        );
    }
    group.finish();
}

criterion_group!(benches, sums, strided_views);
criterion_main!(benches);
