//! The tutorial's C `square` through Rust FFI against the Rust `square`, in one group.
//!
//! Both cost about a nanosecond; the point is that the FFI call itself is nearly free.
//! The cost that matters in the tutorial is the Python-side call, measured by `make bench`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn square(c: &mut Criterion) {
    let mut group = c.benchmark_group("square");
    group.bench_function("c via ffi", |b| {
        b.iter(|| math_functions::ffi::square(black_box(5.0)))
    });
    group.bench_function("rust", |b| {
        b.iter(|| math_functions::square(black_box(5.0)))
    });
    group.finish();
}

criterion_group!(benches, square);
criterion_main!(benches);
