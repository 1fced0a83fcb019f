//! The tutorial's `sum_array`: which values each layout sums, in which order, and with which
//! sum (NumPy's tree for floats, exact for integers).

use crate::exact::{exact_sum_every_other, exact_sum_in_index_order, exact_sum_of_slice};
use crate::pairwise;
use crate::reduction::Plan;
use crate::sum_axes::{Accumulate, accumulate};
use ndarray::ArrayViewD;

/// An element type [`sum_array`] accepts, and the type of its sum; [`sum_axes`](crate::sum_axes)
/// takes the same types.
pub trait Summable: Accumulate {
    /// The sum's type: wide enough that it never overflows.
    type Total: Send;
    /// The sum of every value of `view`.
    fn sum(view: ArrayViewD<'_, Self>) -> Self::Total;
}

/// The sum of every value of `view`, whatever its dimensionality and strides.
///
/// float64: the same bits as `np.sum`, for every view, its values added in NumPy's order:
/// - 1-D, any stride (negative too), and 0-d: NumPy's pairwise tree over the values in
///   index order, plus `0.0`.
/// - N-D, contiguous in memory in any axis order (C, Fortran, transposed) and with no
///   negative stride: the tree over the values in memory order.
/// - Any other N-D view: as [`sum_axes`](crate::sum_axes) along every axis: the axes ordered
///   and merged as NumPy's iterator orders and merges them, and where they do not merge into
///   one, the sums of the pieces NumPy's buffering sums apart, added one after the other
///   ([`crate::reduction`]).
///
/// float32 values are converted to float64 and summed in the same order: the bits of
/// `np.sum(view.astype(np.float64))` for 1-D and contiguous views. int32 and int64 sums are
/// exact.
///
/// ```
/// use ndarray::array;
/// assert_eq!(fast_operations::sum_array(array![[1.0, 2.0], [3.0, 4.5]].view().into_dyn()), 10.5);
/// assert_eq!(fast_operations::sum_array(array![i64::MAX, i64::MAX].view().into_dyn()), 2 * i64::MAX as i128);
/// ```
pub fn sum_array<T: Summable>(view: ArrayViewD<'_, T>) -> T::Total {
    T::sum(view)
}

impl Summable for f64 {
    type Total = f64;
    fn sum(view: ArrayViewD<'_, f64>) -> f64 {
        match summation_slice(&view) {
            Some(values) => sum_f64_slice(values),
            None => sum_of_view(view),
        }
    }
}

/// [`sum_array`] of a 1-D float64 array whose values are `values`: `np.sum`'s bits.
pub fn sum_f64_slice(values: &[f64]) -> f64 {
    // np.sum adds the tree's result to the identity of addition, +0.0: this turns a -0.0
    // (an empty array, or only negative zeros) into 0.0 and changes nothing else.
    0.0 + pairwise::pairwise_sum(values)
}

impl Summable for f32 {
    type Total = f64;
    fn sum(view: ArrayViewD<'_, f32>) -> f64 {
        match summation_slice(&view) {
            Some(values) => 0.0 + pairwise::pairwise_sum(values),
            None => sum_of_view(view),
        }
    }
}

/// The float sum of a view that is not one slice: its reduction along every axis, in
/// NumPy's order.
fn sum_of_view<T: Accumulate<Acc = f64>>(view: ArrayViewD<'_, T>) -> f64 {
    let every: Vec<usize> = (0..view.ndim()).collect();
    let mut total = [T::ZERO];
    accumulate(&Plan::new(view, &every).reduction, &mut total);
    total[0]
}

impl Summable for i64 {
    type Total = i128;
    fn sum(view: ArrayViewD<'_, i64>) -> i128 {
        // Integer addition is exact, so the order does not matter: memory order when we can.
        match view.as_slice_memory_order() {
            Some(values) => exact_sum_of_slice(values, |x| x),
            None => exact_sum_every_other(&view)
                .unwrap_or_else(|| exact_sum_in_index_order(&view, |x| x)),
        }
    }
}

impl Summable for i32 {
    type Total = i128;
    fn sum(view: ArrayViewD<'_, i32>) -> i128 {
        match view.as_slice_memory_order() {
            Some(values) => exact_sum_of_slice(values, i64::from),
            None => exact_sum_in_index_order(&view, i64::from),
        }
    }
}

/// The values of `view` as one slice, in the order [`sum_array`] sums them, when they are one
/// slice: index order for 1-D and 0-d views (reversed memory order is not index order),
/// memory order for N-D views with no negative stride (how `np.sum` reads C- and
/// Fortran-ordered arrays). `None` for every other view.
pub fn summation_slice<'a, T>(view: &'a ArrayViewD<'_, T>) -> Option<&'a [T]> {
    if view.ndim() <= 1 {
        view.as_slice()
    } else if view.strides().iter().all(|&stride| stride >= 0) {
        view.as_slice_memory_order()
    } else {
        None
    }
}
