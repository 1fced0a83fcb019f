//! The tutorial's loop, NumPy's tree in plain Rust, the same tree on each SIMD kernel, and the
//! unordered many-accumulator sum (the yardstick), at 10^3 ... 10^7 values; and strided views
//! (`a[::2]`, `a[::-1]`, `a[::3]`), each kernel reading them in place against the reference
//! over a copy, and a column of a wide matrix (one value a cache line, lines far apart); and
//! `sum_array` on the layouts of the comparison's views table, with the kernel this process
//! runs (`make criterion` runs this file once per kernel the CPU has, FAST_OPERATIONS_KERNEL
//! set for each: a row per kernel and layout).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fast_operations::pairwise::{InstructionSet, Kernel, sum_reference};
use fast_operations::sum_array;
use ndarray::{Array2, ArrayView1, ArrayViewD, ShapeBuilder, s};
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
            let strided = view.slice_move(s![..;step]);
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
    let column = ArrayView1::from(&matrix[3..]).slice_move(s![..;cols as isize]);
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

/// `sum_array` on each layout of the comparison's views table (python/compare/views.py), its
/// rows named after the kernel this process runs ([`InstructionSet::chosen`]).
fn layouts(c: &mut Criterion) {
    let kernel = InstructionSet::chosen().name();
    let mut group = c.benchmark_group("sum_array layout");
    for n in [10_000usize, 100_000, 1_000_000] {
        let value = |i: usize| (i as f64).sin();
        let flat: Vec<f64> = (0..2 * n).map(value).collect();
        let ints: Vec<i64> = (0..2 * n as i64).map(|i| i * 7919 % 1_000_003).collect();
        let floats: Vec<f32> = (0..n).map(|i| value(i) as f32).collect();
        let rows = 100;
        let wide = Array2::from_shape_vec((rows, 2 * n / rows), flat.clone()).unwrap();
        let short = Array2::from_shape_fn((n / 10, 11), |(i, j)| value(11 * i + j));
        let fortran = Array2::from_shape_vec((rows, n / rows).f(), flat[..n].to_vec()).unwrap();
        let views: [(&str, ArrayViewD<'_, f64>); 6] = [
            ("contiguous", ArrayView1::from(&flat[..n]).into_dyn()),
            (
                "a[::2]",
                ArrayView1::from(&flat[..]).slice_move(s![..;2]).into_dyn(),
            ),
            (
                "a[::-1]",
                ArrayView1::from(&flat[..n])
                    .slice_move(s![..;-1])
                    .into_dyn(),
            ),
            ("c[:, ::2]", wide.slice(s![.., ..;2]).into_dyn()),
            ("t[:, 1:]", short.slice(s![.., 1..]).into_dyn()),
            ("Fortran 2-D", fortran.view().into_dyn()),
        ];
        group.throughput(Throughput::Elements(n as u64));
        for (layout, view) in views {
            assert_eq!(view.len(), n);
            group.bench_function(BenchmarkId::new(format!("{kernel} {layout}"), n), |b| {
                b.iter(|| sum_array(black_box(view.view())))
            });
        }
        let float32 = ArrayView1::from(&floats[..]).into_dyn();
        group.bench_function(BenchmarkId::new(format!("{kernel} float32"), n), |b| {
            b.iter(|| sum_array(black_box(float32.view())))
        });
        let int64 = ArrayView1::from(&ints[..n]).into_dyn();
        group.bench_function(BenchmarkId::new(format!("{kernel} int64"), n), |b| {
            b.iter(|| sum_array(black_box(int64.view())))
        });
        let every_other = ArrayView1::from(&ints[..]).slice_move(s![..;2]).into_dyn();
        group.bench_function(BenchmarkId::new(format!("{kernel} int64 a[::2]"), n), |b| {
            b.iter(|| sum_array(black_box(every_other.view())))
        });
    }
    group.finish();
}

criterion_group!(benches, sums, strided_views, layouts);
criterion_main!(benches);
