//! Sums along axes on the pool have the serial sums' bits for every thread count: each way
//! the work is split (runs shared out, long runs' trees split, ranges of a kept row) and the
//! serial paths below the threshold.

use fast_operations::sum_axes;
use ndarray::{Array, ArrayViewD, ShapeBuilder, s};
use parallel_sum::{PARALLEL_FROM, parallel_sum_axes};
use test_values::values;

const THREADS: [usize; 4] = [1, 2, 3, 8];

fn every_axis_set(ndim: usize) -> Vec<Vec<usize>> {
    (0..1usize << ndim)
        .map(|set| (0..ndim).filter(|&a| set >> a & 1 == 1).collect())
        .collect()
}

fn assert_same_on_every_pool(view: ArrayViewD<'_, f64>, what: &str) {
    for axes in every_axis_set(view.ndim()) {
        let serial = sum_axes(view.view(), &axes).unwrap();
        for threads in THREADS {
            let parallel =
                pool::with_threads(threads, || parallel_sum_axes(view.view(), &axes)).unwrap();
            assert_eq!(parallel.shape(), serial.shape());
            assert_eq!(parallel.strides(), serial.strides(), "{what}, {axes:?}");
            for (p, s) in parallel.iter().zip(&serial) {
                assert_eq!(
                    p.to_bits(),
                    s.to_bits(),
                    "{what}, {axes:?}, {threads} threads"
                );
            }
        }
    }
}

#[test]
fn float64_sums_along_axes_have_the_serial_bits_on_every_pool() {
    let data = values(2_000_003, 5);
    let n = 1_200_000;
    let shapes: [(usize, usize); 6] = [
        (1000, 1200),  // kept rows of 1200: split into ranges
        (12_000, 100), // kept rows of 100: one thread; runs of 100: shared out
        (3, 400_000),  // three long runs: each one's tree split
        (400_000, 3),  // narrow rows
        (240, 5000),
        (1, n),
    ];
    for (rows, columns) in shapes {
        let c = Array::from_shape_vec((rows, columns), data[..n].to_vec()).unwrap();
        let f = Array::from_shape_vec((rows, columns).f(), data[..n].to_vec()).unwrap();
        assert_same_on_every_pool(c.view().into_dyn(), &format!("C {rows}x{columns}"));
        assert_same_on_every_pool(f.view().into_dyn(), &format!("F {rows}x{columns}"));
    }
    let block = Array::from_shape_vec((100, 100, 200), data[..2_000_000].to_vec()).unwrap();
    assert_same_on_every_pool(block.view().into_dyn(), "3-D");
    // Views whose reduced axes do not merge: NumPy's buffered runs of several rows.
    let plane = Array::from_shape_vec((1000, 2000), data[..2_000_000].to_vec()).unwrap();
    for (view, what) in [
        (plane.slice(s![..;2, ..700]), "rows cut"),
        (plane.slice(s![.., ..;3]), "every third"),
        (plane.slice(s![..;-1, 1..]), "reversed rows"),
        (plane.slice(s![.., ..7]), "rows of 7"),
    ] {
        assert!(view.len() >= PARALLEL_FROM || what == "rows of 7");
        assert_same_on_every_pool(view.into_dyn(), what);
    }
    let deep = block.slice(s![.., 1.., ..;2]);
    assert_same_on_every_pool(deep.into_dyn(), "3-D view");
}

#[test]
fn integer_sums_along_axes_are_exact_on_every_pool() {
    let data: Vec<i64> = (0..1_200_000_i64)
        .map(|i| (i * 7919 % 100_003) << 40)
        .collect();
    for (rows, columns) in [(1000, 1200), (3, 400_000), (400_000, 3), (12_000, 100)] {
        let a = Array::from_shape_vec((rows, columns), data.clone()).unwrap();
        for axes in every_axis_set(2) {
            let serial = sum_axes(a.view().into_dyn(), &axes);
            for threads in THREADS {
                let parallel =
                    pool::with_threads(threads, || parallel_sum_axes(a.view().into_dyn(), &axes));
                assert_eq!(
                    parallel, serial,
                    "{rows}x{columns}, {axes:?}, {threads} threads"
                );
            }
        }
    }
}
