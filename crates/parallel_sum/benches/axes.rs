//! Sums along axes of 2-D float64 arrays of 10^6 values (1000 x 1000, 10^4 x 100, 100 x 10^4),
//! C and Fortran order, along axis 0, axis 1 and both: `sum_axes` on one thread,
//! `parallel_sum_axes` on the pool, and the unordered sum of the same values (the yardstick:
//! what reading them costs at least).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fast_operations::{sum_axes, sum_unordered};
use ndarray::{Array2, ShapeBuilder};
use parallel_sum::parallel_sum_axes;
use std::hint::black_box;

fn along_axes(c: &mut Criterion) {
    let mut group = c.benchmark_group("along axes");
    for (rows, columns) in [(1000usize, 1000usize), (10_000, 100), (100, 10_000)] {
        let values: Vec<f64> = (0..rows * columns).map(|i| (i as f64).sin()).collect();
        group.throughput(Throughput::Bytes((values.len() * size_of::<f64>()) as u64));
        group.bench_function(BenchmarkId::new("unordered (yardstick)", rows), |b| {
            b.iter(|| sum_unordered(black_box(&values)))
        });
        let c_order = Array2::from_shape_vec((rows, columns), values.clone()).unwrap();
        let f_order = Array2::from_shape_vec((rows, columns).f(), values).unwrap();
        for (order, array) in [("C", &c_order), ("F", &f_order)] {
            for axes in [&[0][..], &[1], &[0, 1]] {
                let case = format!("{rows}x{columns} {order} axis {axes:?}");
                let view = array.view().into_dyn();
                group.bench_function(BenchmarkId::new("sum_axes", &case), |b| {
                    b.iter(|| sum_axes(black_box(view.view()), axes))
                });
                group.bench_function(BenchmarkId::new("parallel_sum_axes", &case), |b| {
                    b.iter(|| parallel_sum_axes(black_box(view.view()), axes))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, along_axes);
criterion_main!(benches);
