//! `sum_array` and `sum_array_naive` against plain references, bit for bit: every stride from
//! -3 to 3, N-D layouts, views read a row at a time, the other dtypes. (Each kernel against
//! the reference: the unit tests in `src/pairwise/tests.rs`.)

use fast_operations::nodes::{merged_axes, sum_in_index_order_at};
use fast_operations::pairwise::{Depth, pairwise_sum, sum_reference};
use fast_operations::{sum_array, sum_array_naive, sum_axes};
use ndarray::{Array, Array2, Array3, ArrayView1, ArrayViewD, IxDyn, ShapeBuilder, s};
use test_values::{assert_same_bits, values};

#[test]
fn float64_sum_adds_positive_zero_as_numpy_does() {
    let empty: [f64; 0] = [];
    assert_same_bits(sum_array(ArrayView1::from(&empty).into_dyn()), 0.0, "empty");
    assert_same_bits(
        sum_array(ArrayView1::from(&[-0.0, -0.0]).into_dyn()),
        0.0,
        "negative zeros",
    );
    assert!(sum_array(ArrayView1::from(&[1.0, f64::NAN]).into_dyn()).is_nan());
    assert_eq!(
        sum_array(ArrayView1::from(&[1.0, f64::INFINITY]).into_dyn()),
        f64::INFINITY
    );
    assert!(sum_array(ArrayView1::from(&[f64::NEG_INFINITY, f64::INFINITY]).into_dyn()).is_nan());
}

#[test]
fn strided_1d_views_sum_in_index_order() {
    for n in [0, 1, 7, 8, 9, 100, 129, 1000, 5000, 20_000] {
        let base = values(3 * n + 3, n as u64);
        let array = Array::from(base);
        for step in [-3isize, -2, -1, 1, 2, 3] {
            let view = array.slice(s![..;step]);
            let in_order: Vec<f64> = view.iter().copied().collect();
            let expected = 0.0 + sum_reference(&in_order);
            assert_same_bits(
                sum_array(view.into_dyn()),
                expected,
                &format!("n = {n}, step = {step}"),
            );
        }
    }
}

#[test]
fn nd_layouts_sum_in_the_documented_order() {
    let data = values(6 * 70 * 11, 3);
    let c = Array::from_shape_vec((6, 70, 11), data.clone()).unwrap();
    let f = Array::from_shape_vec((6, 70, 11).f(), data.clone()).unwrap();
    let memory_order = 0.0 + sum_reference(&data);
    // Contiguous in any axis order: memory order.
    assert_same_bits(sum_array(c.view().into_dyn()), memory_order, "C order");
    assert_same_bits(
        sum_array(f.view().into_dyn()),
        memory_order,
        "Fortran order",
    );
    assert_same_bits(
        sum_array(c.view().reversed_axes().into_dyn()),
        memory_order,
        "transposed",
    );
    let mut permuted = c.view();
    permuted.swap_axes(0, 1);
    assert_same_bits(sum_array(permuted.into_dyn()), memory_order, "axes swapped");
    // Not contiguous, or contiguous with a negative stride: NumPy's reduction along every
    // axis (its order is held to np.sum itself by the Python tests); where the axes merge
    // into one strided run, that is the tree in index order.
    for view in [
        c.slice(s![.., ..;2, ..]),
        c.slice(s![..;-1, 3..60, ..;-3]),
        f.slice(s![1.., .., ..5]),
        c.slice(s![..;-1, .., ..]),
        c.slice(s![..;-1, ..;-1, ..;-1]),
    ] {
        let what = format!("{:?}", view.strides());
        let along_every_axis = sum_axes(view.into_dyn(), &[0, 1, 2]).unwrap();
        assert_same_bits(sum_array(view.into_dyn()), along_every_axis[[]], &what);
        if merged_axes(&view.into_dyn()).ndim() == 1 {
            let in_order: Vec<f64> = view.iter().copied().collect();
            assert_same_bits(
                sum_array(view.into_dyn()),
                0.0 + sum_reference(&in_order),
                &what,
            );
        }
    }
    // 0-d.
    let scalar = Array::from_elem(IxDyn(&[]), -2.5);
    assert_same_bits(sum_array(scalar.view()), -2.5, "0-d");
}

/// Views that are not one slice: more values than one gathered node (GATHER = 1024), in rows
/// that end inside nodes and rows longer than a node; contiguous, reversed and strided rows;
/// 2-D, 3-D and 4-D (the first two step through their rows as views of a fixed dimension);
/// views whose axes merge into one row (reversed in every axis, or one stride throughout).
fn row_views<'a, T>(short: &'a Array3<T>, long: &'a Array2<T>) -> Vec<ArrayViewD<'a, T>> {
    let four_d = short.view().into_shape_with_order((40, 7, 43, 3)).unwrap();
    let flat_rows = short.view().into_shape_with_order((40, 301 * 3)).unwrap();
    vec![
        four_d.slice_move(s![.., ..;-1, ..;2, 1..]).into_dyn(),
        short.slice(s![..;-1, ..;-1, ..;-1]).into_dyn(),
        long.slice(s![..;-1, ..;-1]).into_dyn(),
        flat_rows.slice_move(s![.., ..;3]).into_dyn(),
        // The outer axis steps as if it continued the inner one, the middle one does not:
        // they must not merge across it.
        short
            .view()
            .permuted_axes([1, 0, 2])
            .slice_move(s![.., ..;2, ..])
            .into_dyn(),
        short.slice(s![.., ..;2, ..]).into_dyn(),
        short.slice(s![..;-1, .., ..;-1]).into_dyn(),
        short.slice(s![.., 1.., ..;2]).into_dyn(),
        long.slice(s![.., ..;-1]).into_dyn(),
        long.slice(s![1.., ..;3]).into_dyn(),
        long.slice(s![..;2, ..]).reversed_axes().into_dyn(),
    ]
}

/// The tree over a view's values in C index order, read a row at a time (how a run of
/// NumPy's that is not one slice is summed), against the reference; and `sum_array` of the
/// view against its sum along every axis.
#[test]
fn views_read_a_row_at_a_time_keep_the_index_order() {
    let short = Array::from_shape_vec((40, 301, 3), values(40 * 301 * 3, 11)).unwrap();
    let long = Array::from_shape_vec((7, 5001), values(7 * 5001, 12)).unwrap();
    for view in row_views(&short, &long) {
        let in_order: Vec<f64> = view.iter().copied().collect();
        let what = format!("float64 {:?} {:?}", view.shape(), view.strides());
        let tree = sum_in_index_order_at(&view, Depth::ROOT);
        assert_same_bits(tree, sum_reference(&in_order), &what);
        let every: Vec<usize> = (0..view.ndim()).collect();
        let along_every_axis = sum_axes(view.view(), &every).unwrap();
        assert_same_bits(sum_array(view), along_every_axis[IxDyn(&[])], &what);
    }
    let (short, long) = (short.mapv(|x| x as f32), long.mapv(|x| x as f32));
    for view in row_views(&short, &long) {
        let in_order: Vec<f64> = view.iter().map(|&x| f64::from(x)).collect();
        let what = format!("float32 {:?} {:?}", view.shape(), view.strides());
        let tree = sum_in_index_order_at(&view, Depth::ROOT);
        assert_same_bits(tree, sum_reference(&in_order), &what);
    }
    let (short, long) = (
        short.mapv(|x| (x * 1e6) as i64),
        long.mapv(|x| (x * 1e6) as i64),
    );
    for view in row_views(&short, &long) {
        let expected: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(
            sum_array(view.view()),
            expected,
            "int64 {:?}",
            view.strides()
        );
    }
}

#[test]
fn float32_is_summed_as_float64_in_the_same_order() {
    for n in [0, 5, 128, 1000, 10_001] {
        let wide = values(n, 11);
        let narrow: Vec<f32> = wide.iter().map(|&x| x as f32).collect();
        let as_f64: Vec<f64> = narrow.iter().map(|&x| f64::from(x)).collect();
        let array = Array::from(narrow);
        assert_same_bits(
            sum_array(array.view().into_dyn()),
            0.0 + sum_reference(&as_f64),
            &format!("n = {n}"),
        );
        let reversed: Vec<f64> = as_f64.iter().rev().copied().collect();
        assert_same_bits(
            sum_array(array.slice(s![..;-1]).into_dyn()),
            0.0 + sum_reference(&reversed),
            "reversed",
        );
    }
}

#[test]
fn integer_sums_are_exact_and_never_wrap() {
    let big = Array::from(vec![i64::MAX; 1000]);
    assert_eq!(
        sum_array(big.view().into_dyn()),
        1000 * i128::from(i64::MAX)
    );
    let small = Array::from(vec![i64::MIN; 1001]);
    assert_eq!(
        sum_array(small.slice(s![..;-2]).into_dyn()),
        501 * i128::from(i64::MIN)
    );
    let mixed: Vec<i64> = values(10_000, 5)
        .iter()
        .map(|&x| (x * 1e13) as i64)
        .collect();
    let exact: i128 = mixed.iter().map(|&x| i128::from(x)).sum();
    let mixed = Array::from_shape_vec((100, 100), mixed).unwrap();
    assert_eq!(sum_array(mixed.view().into_dyn()), exact);
    assert_eq!(sum_array(mixed.t().into_dyn()), exact);
    assert_eq!(
        sum_array(mixed.slice(s![.., ..;3]).into_dyn()),
        mixed
            .slice(s![.., ..;3])
            .iter()
            .map(|&x| i128::from(x))
            .sum::<i128>()
    );
    // Short rows, copied into the buffer many rows at a time, at the extremes.
    let table = Array::from_iter((0..33_011).map(|i: i64| match i % 3 {
        0 => i64::MIN + i,
        _ => i64::MAX - i,
    }));
    let table = table.into_shape_with_order((3001, 11)).unwrap();
    for view in [table.slice(s![.., 1..]), table.slice(s![..;-1, ..;2])] {
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(sum_array(view.into_dyn()), exact, "{:?}", view.strides());
    }
    // Strided lines longer than the copy buffer (several chunks), at the extremes.
    let extremes = Array::from_iter((0..10_007).map(|i| match i % 3 {
        0 => i64::MIN,
        _ => i64::MAX - i,
    }));
    let narrow = extremes.mapv(|x| (x >> 32) as i32);
    for step in [2, 3, -2] {
        let view = extremes.slice(s![..;step]);
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(sum_array(view.into_dyn()), exact, "int64, step {step}");
        let view = narrow.slice(s![..;step]);
        let exact: i128 = view.iter().map(|&x| i128::from(x)).sum();
        assert_eq!(sum_array(view.into_dyn()), exact, "int32, step {step}");
    }
    let ints = Array::from(vec![i32::MAX; 3000]);
    assert_eq!(
        sum_array(ints.view().into_dyn()),
        3000 * i128::from(i32::MAX)
    );
    let empty = Array::<i32, _>::zeros(0);
    assert_eq!(sum_array(empty.view().into_dyn()), 0);
}

#[test]
fn naive_sum_adds_in_order_from_zero() {
    let a = values(10_000, 9);
    let expected = a.iter().fold(0.0, |total, &x| total + x);
    assert_same_bits(sum_array_naive(ArrayView1::from(&a)), expected, "naive");
    let array = Array::from(a);
    let reversed = array.slice(s![..;-1]);
    let expected = reversed.iter().fold(0.0, |total, &x| total + x);
    assert_same_bits(sum_array_naive(reversed), expected, "naive, reversed");
    // 1e7 times 0.1: the loop's error is visible, the tree's is not.
    let tenths = vec![0.1; 10_000_000];
    assert!((sum_array_naive(ArrayView1::from(&tenths)) - 1e6).abs() > 1e-5);
    assert_eq!(pairwise_sum(&tenths), 1e6);
}
