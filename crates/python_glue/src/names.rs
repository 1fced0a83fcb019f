//! How error messages name what came instead of what was expected.

use numpy::{PyArrayDescr, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// The name of `obj`'s type (`type(obj).__name__`), for error messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".into(), |name| name.to_string())
}

/// How NumPy prints the array's dtype (`str(arr.dtype)`), for error messages.
pub fn dtype_name(array: &Bound<'_, PyUntypedArray>) -> String {
    descr_name(&array.dtype())
}

/// How NumPy prints `descr` (`str(dtype)`), for error messages.
pub(crate) fn descr_name(descr: &Bound<'_, PyArrayDescr>) -> String {
    descr.str().map_or_else(|_| "?".into(), |s| s.to_string())
}
