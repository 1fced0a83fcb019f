//! The arguments of the functions that take 1-D float64 arrays only, as the tutorial's
//! ``cnp.ndarray[cnp.float64_t, ndim=1]``.

use ndarray::{ArrayView1, Ix1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::sum::{Dtype, SumInput};
use crate::{InputError, catch_panics, dtype_name, release_gil};

/// `arr` checked as the sums check it, and then as a 1-D float64 array.
fn float64_1d<'py>(
    func: &'static str,
    arr: &Bound<'py, PyAny>,
) -> Result<SumInput<'py>, InputError> {
    let input = SumInput::check(func, arr)?;
    if !matches!(input.dtype(), Dtype::F64) {
        return Err(InputError::Dtype {
            func,
            expected: "float64",
            got: dtype_name(input.array()),
        });
    }
    if input.ndim() != 1 {
        return Err(InputError::Ndim {
            func,
            expected: 1,
            got: input.ndim(),
        });
    }
    Ok(input)
}

/// `f` over `arr`'s values, which must be a 1-D float64 array (any stride); the GIL
/// released for large arrays, a panic raised as `RuntimeError`.
pub fn with_float64_1d<R: Send>(
    func: &'static str,
    arr: &Bound<'_, PyAny>,
    f: impl FnOnce(ArrayView1<'_, f64>) -> R + Send,
) -> PyResult<R> {
    catch_panics(func, || {
        let input = float64_1d(func, arr)?;
        let values = input.typed::<f64>()?;
        let view = values
            .as_array()
            .into_dimensionality::<Ix1>()
            .map_err(|e| PyValueError::new_err(format!("{func}(): {e}")))?;
        Ok(release_gil(arr.py(), view.len(), || f(view)))
    })
}

/// `f` over `arr`'s values, which must be a 1-D float64 array contiguous in memory (the
/// unordered yardsticks take only that); the GIL released for large arrays, a panic raised
/// as `RuntimeError`.
pub fn with_contiguous_float64<R: Send>(
    func: &'static str,
    arr: &Bound<'_, PyAny>,
    f: impl FnOnce(&[f64]) -> R + Send,
) -> PyResult<R> {
    catch_panics(func, || {
        let input = float64_1d(func, arr)?;
        let values = input.typed::<f64>()?;
        let slice = values
            .as_slice()
            .map_err(|_| InputError::NotContiguous { func })?;
        Ok(release_gil(arr.py(), slice.len(), || f(slice)))
    })
}
