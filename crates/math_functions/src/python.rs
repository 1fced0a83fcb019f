//! The Python module `math_functions`: thin wrappers, the work is in the core.

use pyo3::prelude::*;

/// Return ``x * x`` as a float, computed in Rust.
///
/// ``x`` is any real number Python can turn into a float, as for :func:`math.sqrt`:
/// ``float``, ``int``, NumPy scalars, anything with ``__float__`` or ``__index__``.
/// Anything else raises ``TypeError``; an ``int`` too large for a float raises
/// ``OverflowError``.
///
/// >>> square(5.0)
/// 25.0
#[pyfunction(name = "square")]
#[pyo3(signature = (x, /))]
fn square_py(x: f64) -> f64 {
    crate::square(x)
}

/// Return ``x * x`` as a float, computed by the tutorial's C ``square``
/// (``c_src/math_functions.c``) called through Rust FFI rather than ctypes.
///
/// Accepts what :func:`square` accepts and gives the same bits.
///
/// >>> square_c(5.0)
/// 25.0
#[pyfunction(name = "square_c")]
#[pyo3(signature = (x, /))]
fn square_c_py(x: f64) -> f64 {
    crate::ffi::square(x)
}

/// Section 3 of "NumPy with Cython and C": the C ``square``, called from Python through Rust.
#[pymodule]
fn math_functions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(square_py, m)?)?;
    m.add_function(wrap_pyfunction!(square_c_py, m)?)?;
    Ok(())
}
