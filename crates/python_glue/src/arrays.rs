//! Arrays that no function may hand to rust-numpy as they are.

use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::InputError;

/// The most axes a rust-numpy view takes (it asserts, where NumPy allows 64): arrays with more
/// are read through a view without their axes of length one, or refused.
pub const MAX_VIEW_NDIM: usize = 32;

/// Whether `array` is a `numpy.ma.MaskedArray`, which the array functions refuse: they would
/// use the values under the mask too. A plain ndarray is answered without importing `numpy.ma`.
pub fn is_masked(array: &Bound<'_, PyUntypedArray>) -> PyResult<bool> {
    if array.is_exact_instance_of::<PyUntypedArray>() {
        return Ok(false);
    }
    let masked = array.py().import("numpy.ma")?.getattr("MaskedArray")?;
    array.is_instance(&masked)
}

/// Whether every stride of `array` is zero (a broadcast of one value, or of none), which no
/// function may hand to rust-numpy's borrow registry: when two borrows of one base overlap,
/// it divides by the gcd of their strides, and a panic there (inside an `extern "C"`
/// function) aborts the process.
pub fn all_strides_zero(array: &Bound<'_, PyUntypedArray>) -> bool {
    array.ndim() > 0 && array.strides().iter().all(|&stride| stride == 0)
}

/// `array` itself when rust-numpy can view it ([`MAX_VIEW_NDIM`] axes at most), else a view
/// of it without its axes of length one (an empty array: a 1-D view), which holds the same
/// values in the same C index order and memory order, so it is summed to the same bits.
pub(crate) fn fewer_axes<'py>(
    func: &'static str,
    array: Bound<'py, PyUntypedArray>,
) -> Result<Bound<'py, PyUntypedArray>, InputError> {
    if array.ndim() <= MAX_VIEW_NDIM {
        return Ok(array);
    }
    let view = if array.len() == 0 {
        array.call_method1("reshape", (0,))
    } else {
        array.call_method0("squeeze")
    };
    let view = view.and_then(|view| Ok(view.cast_into::<PyUntypedArray>()?))?;
    if view.ndim() > MAX_VIEW_NDIM {
        return Err(InputError::TooManyAxes {
            func,
            got: view.ndim(),
        });
    }
    Ok(view)
}

/// The same values in an array of their own when `array`'s strides are all zero (see
/// [`all_strides_zero`]): a broadcast of a copy of its one value (or an empty array), which
/// no other borrow can overlap. Any other array as it is.
pub(crate) fn own_if_all_strides_zero<'py>(
    array: Bound<'py, PyUntypedArray>,
) -> PyResult<Bound<'py, PyUntypedArray>> {
    if !all_strides_zero(&array) {
        return Ok(array);
    }
    let py = array.py();
    let numpy = py.import("numpy")?;
    let shape = PyTuple::new(py, array.shape())?;
    let own = if array.len() == 0 {
        numpy.call_method1("empty", (shape, array.dtype()))?
    } else {
        // Indexing every axis gives a NumPy scalar of the array's dtype: a copy.
        let first = array.get_item(PyTuple::new(py, vec![0usize; array.ndim()])?)?;
        numpy.call_method1("broadcast_to", (first, shape))?
    };
    Ok(own.cast_into::<PyUntypedArray>()?)
}
