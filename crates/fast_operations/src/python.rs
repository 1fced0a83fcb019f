//! The Python module `fast_operations`: its functions and their docstrings; the argument
//! checks and conversions they share with the other modules are in `python_glue`.

use ndarray::{ArrayD, ArrayViewD};
use pyo3::prelude::*;
use python_glue::{Sum, SumInput, Sums, with_contiguous_float64, with_float64_1d};

use crate::{Overflow, Summable};

/// `sum_array`'s sums: [`crate::sum_array`] for every dtype.
struct Serial;

impl<T: Summable> Sum<T> for Serial
where
    T::Total: for<'py> IntoPyObject<'py>,
    T::AxisTotal: python_glue::Element,
{
    type Total = T::Total;
    fn sum(&self, view: ArrayViewD<'_, T>) -> T::Total {
        crate::sum_array(view)
    }
    type AxisTotal = T::AxisTotal;
    type Overflow = Overflow;
    fn sum_axes(
        &self,
        view: ArrayViewD<'_, T>,
        axes: &[usize],
    ) -> Result<ArrayD<T::AxisTotal>, Overflow> {
        crate::sum_axes(view, axes)
    }
}

impl Sums for Serial {
    fn sum_f64_slice(&self, values: &[f64]) -> f64 {
        crate::sum_f64_slice(values)
    }
}

/// Return the sum of every value of ``arr``, or with ``axis`` its sums along those axes: what
/// ``np.sum(arr, axis=axis, keepdims=keepdims)`` returns, with its bits.
///
/// ``arr`` is a NumPy array of any shape and strides. Anything else goes through
/// ``np.asarray`` first: lists, tuples, nested sequences, Python and NumPy scalars, objects
/// with ``__array__``, with the dtype NumPy gives them (a list of Python ints is int64, of
/// floats float64). An ndarray is read as it is, never copied by ``np.asarray``.
///
/// float64: the same bits as ``np.sum(arr, axis=axis, keepdims=keepdims)`` for every array
/// and view (any strides, negative too, transposed, broadcast), each sum's values added in
/// the order NumPy's reduction adds them. float32 is summed in float64, in the same order:
/// the bits of ``np.sum(arr.astype(np.float64), axis=axis)`` for C, Fortran and 1-D arrays.
/// int32 and int64 sums are exact.
///
/// Without ``axis`` and ``keepdims``: a Python float or int (exact, never wrapped). With
/// ``axis`` (an int, negative counting from the end, or a tuple of ints; ``()`` sums
/// nothing) or ``keepdims=True`` (the summed axes stay, of length one): an array of NumPy's
/// shape, or a NumPy scalar where that has no axes; float64 for float input, int64 for
/// integer input, and an ``OverflowError`` naming the axis where an integer sum does not fit
/// in int64, never a wrapped value.
///
/// Byte-swapped or misaligned arrays are copied to native, aligned values first (memory
/// order kept), so their bits are ``np.sum``'s of that copy (``np.sum`` sums such arrays of
/// more than 8192 values in buffered pieces, which can give other bits). Up to NumPy's 64
/// axes, of which at most 32 longer than one.
///
/// Raises ``TypeError`` for other dtypes (bool, complex, unsigned, strings, objects...,
/// after ``np.asarray`` too), masked arrays and an ``axis`` that is not an int or a tuple of
/// ints, ``numpy.exceptions.AxisError`` (a ``ValueError``) for an axis the array does not
/// have, and ``ValueError`` for an axis given twice, more than 32 axes longer than one, or an
/// array another call is writing right now (a square on another thread); what
/// ``np.asarray`` raises (a ragged list: ``ValueError``) passes through. The GIL is released
/// while summing arrays of 4096 values or more.
///
/// >>> import numpy as np
/// >>> sum_array(np.array([1.0, 2.0, 3.5]))
/// 6.5
/// >>> sum_array([[1, 2], [3, 4]])
/// 10
/// >>> sum_array(np.array([[1.0, 2.0], [3.0, 4.5]]), axis=0)
/// array([4. , 6.5])
#[pyfunction(name = "sum_array")]
#[pyo3(signature = (arr, /, axis=None, *, keepdims=false))]
fn sum_array_py(
    arr: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<Py<PyAny>> {
    SumInput::extract("sum_array", arr)?.sum_along(&Serial, axis, keepdims)
}

/// The tutorial's loop in Rust: ``total += arr[i]`` for each ``i`` in order, from ``0.0``.
///
/// Takes what the tutorial's Cython takes, a 1-D float64 array (any stride); raises
/// ``TypeError`` for anything else. Kept for the comparison: its rounding error grows with
/// the length, and it is slower than ``sum_array``.
///
/// >>> import numpy as np
/// >>> sum_array_naive(np.array([1.0, 2.0, 3.5]))
/// 6.5
#[pyfunction(name = "sum_array_naive")]
#[pyo3(signature = (arr, /))]
fn sum_array_naive_py(arr: &Bound<'_, PyAny>) -> PyResult<f64> {
    with_float64_1d("sum_array_naive", arr, crate::sum_array_naive)
}

/// The fastest sum this machine can do, in no fixed order: NOT ``np.sum``'s bits.
///
/// The comparison's yardstick for ``sum_array``'s speed, not a way to sum. Takes a 1-D
/// float64 array contiguous in memory.
///
/// >>> import numpy as np
/// >>> sum_array_unordered(np.array([1.0, 2.0, 3.5]))
/// 6.5
#[pyfunction(name = "sum_array_unordered")]
#[pyo3(signature = (arr, /))]
fn sum_array_unordered_py(arr: &Bound<'_, PyAny>) -> PyResult<f64> {
    with_contiguous_float64("sum_array_unordered", arr, crate::sum_unordered)
}

/// Section 1 of "NumPy with Cython and C": the typed sum, with NumPy's bits and faster.
#[pymodule]
fn fast_operations(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sum_array_py, m)?)?;
    m.add_function(wrap_pyfunction!(sum_array_naive_py, m)?)?;
    m.add_function(wrap_pyfunction!(sum_array_unordered_py, m)?)?;
    Ok(())
}
