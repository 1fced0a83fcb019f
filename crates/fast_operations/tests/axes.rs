//! `sum_axes` against plain references: the shapes, the order NumPy adds each result's values
//! in where that order is simple to state (its bits for every layout are held to `np.sum`
//! itself by the Python tests), exact integer sums and their overflow.

use fast_operations::pairwise::sum_reference;
use fast_operations::{Overflow, sum_array, sum_axes};
use ndarray::{Array, Array3, ArrayD, Axis, IxDyn, ShapeBuilder, s};
use test_values::{assert_same_bits, values};

fn every_axis_set(ndim: usize) -> Vec<Vec<usize>> {
    (0..1usize << ndim)
        .map(|set| (0..ndim).filter(|&a| set >> a & 1 == 1).collect())
        .collect()
}

#[test]
fn results_have_the_shape_without_the_axes_summed_along() {
    let a = Array3::<f64>::zeros((2, 3, 5)).into_dyn();
    for axes in every_axis_set(3) {
        let expected: Vec<usize> = (0..3)
            .filter(|axis| !axes.contains(axis))
            .map(|axis| a.len_of(Axis(axis)))
            .collect();
        assert_eq!(
            sum_axes(a.view(), &axes).unwrap().shape(),
            &expected[..],
            "{axes:?}"
        );
    }
    // Empty arrays: zeros where a result sums no value, no result where a kept axis is empty.
    let empty = Array3::<f64>::zeros((0, 3, 2)).into_dyn();
    assert_eq!(
        sum_axes(empty.view(), &[0]).unwrap(),
        ArrayD::<f64>::zeros(IxDyn(&[3, 2]))
    );
    assert_eq!(sum_axes(empty.view(), &[1]).unwrap().shape(), &[0, 2]);
}

#[test]
fn no_axes_is_each_value_added_to_positive_zero() {
    let a = Array::from(vec![-0.0, 1.5, -2.0]).into_dyn();
    let got = sum_axes(a.view(), &[]).unwrap();
    assert_same_bits(got[[0]], 0.0, "-0.0 becomes 0.0");
    assert_eq!(got, a);
}

#[test]
fn simple_layouts_add_in_numpys_order() {
    let data = values(40 * 300, 1);
    let c = Array::from_shape_vec((40, 300), data.clone()).unwrap();
    let f = Array::from_shape_vec((40, 300).f(), data).unwrap();
    // Along the axis that steps through memory: each result is NumPy's tree over its row.
    let rows = sum_axes(c.view().into_dyn(), &[1]).unwrap();
    for (i, row) in c.rows().into_iter().enumerate() {
        let row: Vec<f64> = row.to_vec();
        assert_same_bits(rows[[i]], 0.0 + sum_reference(&row), &format!("C row {i}"));
    }
    let columns = sum_axes(f.view().into_dyn(), &[0]).unwrap();
    for (j, column) in f.columns().into_iter().enumerate() {
        let column: Vec<f64> = column.to_vec();
        assert_same_bits(
            columns[[j]],
            0.0 + sum_reference(&column),
            &format!("F column {j}"),
        );
    }
    // Along the other: each row is added into the results, value by value, in order.
    let columns = sum_axes(c.view().into_dyn(), &[0]).unwrap();
    for (j, column) in c.columns().into_iter().enumerate() {
        let in_order = column.iter().fold(0.0, |total, &x| total + x);
        assert_same_bits(columns[[j]], in_order, &format!("C column {j}"));
    }
    // Along every axis of an array contiguous in memory: the whole array's sum.
    for array in [&c, &f] {
        let every = sum_axes(array.view().into_dyn(), &[0, 1]).unwrap();
        assert_same_bits(every[[]], sum_array(array.view().into_dyn()), "every axis");
    }
}

#[test]
fn results_are_laid_out_in_memory_as_numpys_are() {
    let f = Array::<f64, _>::zeros((3, 4, 5).f()).into_dyn();
    // np.sum(f, axis=1) of a Fortran-ordered f is Fortran-ordered.
    assert_eq!(sum_axes(f.view(), &[1]).unwrap().strides(), &[1, 3]);
    let c = Array::<f64, _>::zeros((3, 4, 5)).into_dyn();
    assert_eq!(sum_axes(c.view(), &[1]).unwrap().strides(), &[5, 1]);
}

#[test]
fn integer_sums_are_exact_and_overflow_is_an_error_naming_where() {
    let big = i64::MAX / 2 + 1;
    // Running sums pass i64::MAX, the totals do not.
    let fits = Array::from_shape_vec((3, 2), vec![big, 1, big, 2, -big, 3]).unwrap();
    let got = sum_axes(fits.view().into_dyn(), &[0]).unwrap();
    assert_eq!(got, Array::from(vec![big, 6]).into_dyn());
    let over = Array::from_shape_vec((2, 3), vec![1, big, big, 2, big, 3]).unwrap();
    let error = sum_axes(over.view().into_dyn(), &[0]).unwrap_err();
    assert_eq!(
        error,
        Overflow {
            index: vec![1],
            sum: 2 * i128::from(big),
        }
    );
    assert!(error.to_string().contains("[1]"), "{error}");
    let int32 = Array::from_elem((3, 1000), i32::MAX);
    let got = sum_axes(int32.view().into_dyn(), &[1]).unwrap();
    assert_eq!(
        got,
        Array::from_elem(3, 1000 * i64::from(i32::MAX)).into_dyn()
    );
}

#[test]
fn integer_sums_along_any_axes_of_any_view_are_exact() {
    let data: Vec<i64> = (0..7 * 9 * 11)
        .map(|i| (i * 7919 % 10_007) - 5000)
        .collect();
    let a = Array::from_shape_vec((7, 9, 11), data).unwrap();
    for view in [
        a.view(),
        a.slice(s![..;-1, 1..;2, ..]),
        a.view().permuted_axes([2, 0, 1]),
    ] {
        let view = view.into_dyn();
        for axes in every_axis_set(3) {
            let got = sum_axes(view.view(), &axes).unwrap();
            let mut expected = view.mapv(i128::from);
            for &axis in axes.iter().rev() {
                expected = expected.sum_axis(Axis(axis));
            }
            assert_eq!(
                got.mapv(i128::from),
                expected,
                "{axes:?} {:?}",
                view.strides()
            );
        }
    }
}
