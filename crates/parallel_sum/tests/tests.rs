//! The parallel sum has the serial sum's bits for every thread count, size and layout.

use fast_operations::nodes::{merged_axes, summation_slice};
use fast_operations::pairwise::sum_reference;
use fast_operations::sum_array;
use ndarray::{Array, ArrayViewD, s};
use parallel_sum::{GRAIN, PARALLEL_FROM, ParallelSummable, parallel_sum, parallel_sum_unordered};
use test_values::{numpy_pairwise_sum, values};

const THREADS: [usize; 4] = [1, 2, 3, 8];

/// `parallel_sum(view)` on at most 1, 2, 3 and 8 threads (the pool's size caps them: the
/// Python tests run pools of each size, in subprocesses).
fn on_every_pool<T: ParallelSummable>(view: ArrayViewD<'_, T>) -> Vec<T::Total> {
    THREADS
        .iter()
        .map(|&threads| pool::with_threads(threads, || parallel_sum(view.view())))
        .collect()
}

fn sizes() -> Vec<usize> {
    let mut sizes = vec![
        0,
        1,
        7,
        1000,
        PARALLEL_FROM - 1,
        PARALLEL_FROM,
        PARALLEL_FROM + 1,
    ];
    sizes.extend([
        // Quarters of GRAIN values but the last, which is a few over and cut again.
        4 * GRAIN + 9,
        100_000,
        131_072,
        262_151,
        1_000_000,
        3_000_017,
    ]);
    sizes
}

#[test]
fn float64_has_the_serial_bits_on_every_pool() {
    for n in sizes() {
        let array = Array::from(values(n, n as u64));
        let serial = sum_array(array.view().into_dyn());
        for (threads, got) in THREADS.iter().zip(on_every_pool(array.view().into_dyn())) {
            assert_eq!(
                got.to_bits(),
                serial.to_bits(),
                "n = {n}, {threads} threads: {got:e} vs {serial:e}"
            );
        }
    }
}

#[test]
fn strided_and_nd_views_have_the_serial_bits_on_every_pool() {
    let array = Array::from(values(3 * 400_003, 5));
    let grid = Array::from_shape_vec((1200, 1000), values(1_200_000, 6)).unwrap();
    let narrow = Array::from_shape_vec((100_003, 11), values(1_100_033, 7)).unwrap();
    let block = Array::from_shape_vec((60, 100, 200), values(1_200_000, 8)).unwrap();
    let views: Vec<ArrayViewD<'_, f64>> = vec![
        array.slice(s![..;2]).into_dyn(),
        array.slice(s![..;-3]).into_dyn(),
        array.slice(s![..;-1]).into_dyn(),
        grid.view().into_dyn(),
        grid.t().into_dyn(),
        grid.slice(s![..;2, ..]).into_dyn(),
        // Axes that merge into one plane: NumPy's buffer sums several rows at a time (runs
        // of whole rows, summed apart): long rows, rows of 10, a 3-D view that is a plane once
        // merged.
        grid.slice(s![..;-1, 10..]).into_dyn(),
        narrow.slice(s![.., 1..]).into_dyn(),
        block.slice(s![.., .., 1..]).into_dyn(),
        // Three axes that do not merge.
        block.slice(s![.., 1.., 1..]).into_dyn(),
        // Axes that merge into one strided line, which is split as a 1-D view.
        grid.slice(s![.., ..;2]).into_dyn(),
        grid.slice(s![..;-1, ..;-1]).into_dyn(),
    ];
    for view in views {
        let serial = sum_array(view.view());
        // One slice, or one strided run once merged: NumPy's tree over the values in memory
        // order, or in index order. (Other views are added up in NumPy's pieces: the Python
        // tests hold them to np.sum itself.)
        let in_order: Option<Vec<f64>> = match summation_slice(&view) {
            Some(values) => Some(values.to_vec()),
            None if merged_axes(&view).ndim() == 1 => Some(view.iter().copied().collect()),
            None => None,
        };
        if let Some(in_order) = in_order {
            assert_eq!(
                serial.to_bits(),
                (0.0 + sum_reference(&in_order)).to_bits(),
                "{:?}: the serial sum is the tree in the documented order",
                view.strides()
            );
        }
        for (threads, got) in THREADS.iter().zip(on_every_pool(view.view())) {
            assert_eq!(
                got.to_bits(),
                serial.to_bits(),
                "{:?}, {threads} threads",
                view.strides()
            );
        }
    }
}

#[test]
fn float32_has_the_serial_bits_on_every_pool() {
    let narrow: Vec<f32> = values(500_009, 8).iter().map(|&x| x as f32).collect();
    let array = Array::from(narrow);
    let grid = array
        .slice(s![..500_000])
        .into_shape_with_order((500, 1000))
        .unwrap();
    for view in [
        array.view().into_dyn(),
        array.slice(s![..;-2]).into_dyn(),
        grid.slice(s![.., ..;2]).into_dyn(),
        grid.slice(s![.., 1..]).into_dyn(),
    ] {
        let serial = sum_array(view.view());
        for got in on_every_pool(view.view()) {
            assert_eq!(got.to_bits(), serial.to_bits());
        }
    }
}

#[test]
fn integer_sums_are_exact_on_every_pool() {
    let big = Array::from(vec![i64::MAX; 300_000]);
    for got in on_every_pool(big.view().into_dyn()) {
        assert_eq!(got, 300_000 * i128::from(i64::MAX));
    }
    let ints =
        Array::from_iter((0..400_000).map(|i: i32| i.wrapping_mul(2_654_435_761_u32 as i32)));
    let exact: i128 = ints.iter().map(|&x| i128::from(x)).sum();
    for got in on_every_pool(ints.view().into_dyn()) {
        assert_eq!(got, exact);
    }
    let strided = ints.slice(s![..;3]);
    let exact: i128 = strided.iter().map(|&x| i128::from(x)).sum();
    for got in on_every_pool(strided.into_dyn()) {
        assert_eq!(got, exact);
    }
    // Views that are not one slice, large enough to be split: a line, a plane, three axes.
    let wide = Array::from_iter((0..1_200_000).map(|i: i64| match i % 3 {
        0 => i64::MIN,
        _ => i64::MAX - i,
    }));
    let block = wide.view().into_shape_with_order((60, 100, 200)).unwrap();
    for view in [
        wide.slice(s![..;-2]).into_dyn(),
        block.slice(s![.., .., 1..]).into_dyn(),
        block.slice(s![.., 1.., ..;2]).into_dyn(),
    ] {
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        for got in on_every_pool(view.view()) {
            assert_eq!(got, exact, "{:?}", view.strides());
        }
    }
}

#[test]
fn unordered_yardstick_is_a_sum() {
    // Integer-valued doubles add exactly in any order.
    let a: Vec<f64> = (0..1_000_003).map(|i| (i % 1000) as f64 - 500.0).collect();
    let exact: f64 = a.iter().sum();
    assert_eq!(parallel_sum_unordered(&a), exact);
}

#[test]
fn callers_on_several_threads_at_once_get_the_serial_bits() {
    let a = values(1_000_001, 7);
    let serial = sum_array(ndarray::ArrayView1::from(&a[..]).into_dyn()).to_bits();
    let sum = || parallel_sum(ndarray::ArrayView1::from(&a[..]).into_dyn()).to_bits();
    std::thread::scope(|scope| {
        let callers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| (0..20).all(|_| sum() == serial)))
            .collect();
        for caller in callers {
            assert!(caller.join().unwrap());
        }
    });
}

/// Two NaNs of distinct payloads and signs (an x86 addition of two NaNs returns its first
/// operand's) at pairs of positions in different subtrees, in slices and strided lines:
/// `numpy_pairwise_sum`'s bits, NumPy's operand order at every node, on every pool; in a
/// plane of rows (summed in NumPy's buffered runs: the Python tests hold it to np.sum):
/// the serial sum's bits on every pool.
#[test]
fn nan_pairs_in_different_subtrees_give_numpys_bits_on_every_pool() {
    let (x, y) = (
        f64::from_bits(0xfff8_0000_0000_0001),
        f64::from_bits(0x7ff8_0000_0000_0002),
    );
    for n in [PARALLEL_FROM, 70_007, 4 * GRAIN + 9, 300_007] {
        let clean = values(2 * n, 9);
        let positions: Vec<usize> = (0..n).step_by(n / 13).chain([n - 1]).collect();
        for &i in &positions {
            for &j in positions.iter().filter(|&&j| j != i) {
                let mut a = clean.clone();
                let expected = {
                    let mut slice = a[..n].to_vec();
                    (slice[i], slice[j]) = (x, y);
                    0.0 + numpy_pairwise_sum(&slice)
                };
                (a[i], a[j]) = (x, y);
                let what = format!("n = {n}, NaNs at {i} and {j}");
                let slice = Array::from(a[..n].to_vec());
                for got in on_every_pool(slice.view().into_dyn()) {
                    assert_eq!(got.to_bits(), expected.to_bits(), "slice, {what}");
                }
                // The same values every other one of a strided line, and as rows of a plane
                // cut where the tree's nodes split.
                let mut spread = Array::from(clean.clone());
                spread.slice_mut(s![..2 * n;2]).assign(&slice);
                let line = spread.slice(s![..2 * n;2]);
                for got in on_every_pool(line.into_dyn()) {
                    assert_eq!(got.to_bits(), expected.to_bits(), "stride 2, {what}");
                }
                if n % 7 == 0 {
                    let mut wide = Array::from(clean.clone())
                        .into_shape_with_order((n / 7, 14))
                        .unwrap();
                    let narrow = slice.clone().into_shape_with_order((n / 7, 7)).unwrap();
                    wide.slice_mut(s![.., ..7]).assign(&narrow);
                    let rows = wide.slice(s![.., ..7]);
                    let serial = sum_array(rows.into_dyn());
                    for got in on_every_pool(rows.into_dyn()) {
                        assert_eq!(got.to_bits(), serial.to_bits(), "rows, {what}");
                    }
                }
            }
        }
    }
}
