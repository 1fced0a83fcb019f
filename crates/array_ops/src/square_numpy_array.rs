//! The tutorial's `square_numpy_array`, and its twin with a Rust kernel: every contiguous run
//! of a view squared in place.

use crate::ffi;
use crate::kernels::square_slice;
use crate::parallel::square_run;
use crate::runs::for_each_run;
use ndarray::ArrayViewMutD;

/// Squares every value of `view` in place with `square`, called on each contiguous run (see
/// [`for_each_run`] and [`square_run`]).
pub(crate) fn square_view(view: ArrayViewMutD<'_, f64>, square: fn(&mut [f64])) {
    for_each_run(view, &mut |run| square_run(run, square));
}

/// Squares every value of `view` in place with the tutorial's C `square_array`, called on
/// each contiguous run (see [`for_each_run`]).
///
/// ```
/// use ndarray::array;
/// let mut a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// array_ops::square_numpy_array(a.slice_mut(ndarray::s![.., ..;-2]).into_dyn());
/// assert_eq!(a, array![[1.0, 2.0, 9.0], [16.0, 5.0, 36.0]]);
/// ```
pub fn square_numpy_array(view: ArrayViewMutD<'_, f64>) {
    square_view(view, ffi::square_array_c);
}

/// As [`square_numpy_array`], with a Rust kernel instead of the C function.
///
/// ```
/// use ndarray::array;
/// let mut a = array![1.0, -2.0, 3.0];
/// array_ops::square_numpy_array_rust(a.view_mut().into_dyn());
/// assert_eq!(a, array![1.0, 4.0, 9.0]);
/// ```
pub fn square_numpy_array_rust(view: ArrayViewMutD<'_, f64>) {
    square_view(view, square_slice);
}
