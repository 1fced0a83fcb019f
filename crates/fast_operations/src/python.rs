//! The Python side: argument checks and conversions, nothing else.
//!
//! [`SumInput`] is the input contract every sum function shares (this crate's `sum_array`,
//! and `parallel_sum`): which arrays are accepted, which errors the rest get, and how the
//! result goes back to Python. [`catch_panics`] and [`is_masked`] serve every module's
//! functions (`array_ops` too). With the `module` feature, the module `fast_operations` itself.

use std::panic::{AssertUnwindSafe, catch_unwind};

use numpy::{
    BorrowError, Element, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn,
    PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use ndarray::ArrayViewD;

/// Below this many values the sum takes less time than releasing and retaking the GIL
/// (NumPy draws the same line, at 500 values); above it, other threads run meanwhile.
const RELEASE_GIL_FROM: usize = 4096;

/// The most axes a rust-numpy view takes (it asserts, where NumPy allows 64): arrays with more
/// are read through a view without their axes of length one, or refused.
pub const MAX_VIEW_NDIM: usize = 32;

/// Everything that can be wrong with an argument; turned into a Python exception in one place.
#[derive(Debug)]
enum InputError {
    NotAnArray {
        func: &'static str,
        got: String,
    },
    Masked {
        func: &'static str,
    },
    Dtype {
        func: &'static str,
        expected: &'static str,
        got: String,
    },
    Ndim {
        func: &'static str,
        expected: usize,
        got: usize,
    },
    NotContiguous {
        func: &'static str,
    },
    TooManyAxes {
        func: &'static str,
        got: usize,
    },
    Borrowed {
        func: &'static str,
    },
    Python(PyErr),
}

impl From<InputError> for PyErr {
    fn from(error: InputError) -> PyErr {
        use InputError::*;
        match error {
            NotAnArray { func, got } => PyTypeError::new_err(format!(
                "{func}() expected a numpy.ndarray, got {got} (convert it with numpy.asarray first)"
            )),
            Masked { func } => PyTypeError::new_err(format!(
                "{func}() does not take masked arrays: it would sum the masked values too; \
                 pass arr.filled(0) or arr.compressed()"
            )),
            Dtype {
                func,
                expected,
                got,
            } => PyTypeError::new_err(format!(
                "{func}() expected an array of {expected}, got an array of {got}"
            )),
            Ndim {
                func,
                expected,
                got,
            } => PyTypeError::new_err(format!(
                "{func}() expected a {expected}-D array, got a {got}-D array"
            )),
            NotContiguous { func } => PyValueError::new_err(format!(
                "{func}() needs an array contiguous in memory (numpy.ascontiguousarray makes one)"
            )),
            TooManyAxes { func, got } => PyValueError::new_err(format!(
                "{func}() takes arrays of at most {MAX_VIEW_NDIM} axes longer than one (NumPy \
                 allows 64), got an array with {got}"
            )),
            Borrowed { func } => PyValueError::new_err(format!(
                "{func}() cannot read the array: another call is writing it right now (a square \
                 on another thread?); nothing was read"
            )),
            Python(error) => error,
        }
    }
}

/// The dtypes the sums take, in any byte order.
enum Dtype {
    F64,
    F32,
    I64,
    I32,
}

const SUM_DTYPES: &str = "float64, float32, int32 or int64";

/// One sum over each dtype the sums take: `sum_array` and `parallel_sum` each implement it,
/// and [`SumInput::sum`] picks the method for the argument's dtype.
pub trait SumFn: Sync {
    /// The float64 sum.
    fn f64(&self, view: ArrayViewD<'_, f64>) -> f64;
    /// The float64 sum of values that are one slice in summation order: the common case,
    /// which skips building an N-D view (a fifth of the call's cost).
    fn f64_slice(&self, values: &[f64]) -> f64 {
        self.f64(ndarray::ArrayView1::from(values).into_dyn())
    }
    /// The float32 sum, in float64.
    fn f32(&self, view: ArrayViewD<'_, f32>) -> f64;
    /// The exact int64 sum.
    fn i64(&self, view: ArrayViewD<'_, i64>) -> i128;
    /// The exact int32 sum.
    fn i32(&self, view: ArrayViewD<'_, i32>) -> i128;
}

/// An array argument of one of [`SUM_DTYPES`], in native byte order and aligned, so that
/// Rust may read it in place.
pub struct SumInput<'py> {
    func: &'static str,
    array: Bound<'py, PyUntypedArray>,
    dtype: Dtype,
    /// The argument's number of axes (`array` may have fewer: see [`fewer_axes`]).
    ndim: usize,
}

impl<'py> SumInput<'py> {
    /// Checks `obj` against the contract; `func` names the function in error messages.
    pub fn extract(func: &'static str, obj: &Bound<'py, PyAny>) -> PyResult<SumInput<'py>> {
        Ok(Self::check(func, obj)?)
    }

    fn check(func: &'static str, obj: &Bound<'py, PyAny>) -> Result<SumInput<'py>, InputError> {
        let py = obj.py();
        let array = obj
            .cast::<PyUntypedArray>()
            .map_err(|_| InputError::NotAnArray {
                func,
                got: type_name(obj),
            })?;
        if is_masked(array).map_err(InputError::Python)? {
            return Err(InputError::Masked { func });
        }
        let descr = array.dtype();
        let dtype = match (descr.kind(), descr.itemsize()) {
            (b'f', 8) => Dtype::F64,
            (b'f', 4) => Dtype::F32,
            (b'i', 8) => Dtype::I64,
            (b'i', 4) => Dtype::I32,
            _ => {
                return Err(InputError::Dtype {
                    func,
                    expected: SUM_DTYPES,
                    got: dtype_name(array),
                });
            }
        };
        // Byte-swapped or misaligned values cannot be read in place: copy them into a native,
        // aligned array. order="K" keeps the memory order, and so the order of summation.
        let array = if array.is_aligned() && descr.is_native_byteorder() != Some(false) {
            array.clone()
        } else {
            let native = descr
                .call_method1("newbyteorder", ("=",))
                .map_err(InputError::Python)?;
            let kwargs = PyDict::new(py);
            (|| -> PyResult<_> {
                kwargs.set_item("dtype", native)?;
                kwargs.set_item("order", "K")?;
                kwargs.set_item("copy", true)?;
                let copy = py
                    .import("numpy")?
                    .call_method("array", (array,), Some(&kwargs))?;
                Ok(copy.cast_into::<PyUntypedArray>()?)
            })()
            .map_err(InputError::Python)?
        };
        let ndim = array.ndim();
        let array = fewer_axes(func, array)?;
        let array = own_if_all_strides_zero(array).map_err(InputError::Python)?;
        Ok(SumInput {
            func,
            array,
            dtype,
            ndim,
        })
    }

    /// The values as a typed read-only array; `T` must match `self.dtype`.
    fn typed<T: Element>(&self) -> Result<PyReadonlyArrayDyn<'py, T>, InputError> {
        let typed = self
            .array
            .cast::<PyArrayDyn<T>>()
            .map_err(|e| InputError::Python(e.into()))?;
        typed.try_readonly().map_err(|error| match error {
            BorrowError::AlreadyBorrowed => InputError::Borrowed { func: self.func },
            _ => InputError::Python(PyValueError::new_err(format!("{}(): {error}", self.func))),
        })
    }

    /// The sum by `sums` of the values, as a Python float or int, the GIL released for
    /// large arrays.
    pub fn sum(&self, sums: &impl SumFn) -> PyResult<Py<PyAny>> {
        catch_panics(self.func, || self.sum_unguarded(sums))
    }

    fn sum_unguarded(&self, sums: &impl SumFn) -> PyResult<Py<PyAny>> {
        let py = self.array.py();
        if matches!(self.dtype, Dtype::F64) && self.array.ndim() <= 1 {
            let values = self.typed::<f64>()?;
            if let Ok(slice) = values.as_slice() {
                return release_gil(py, slice.len(), || sums.f64_slice(slice)).into_py_any(py);
            }
        }
        match self.dtype {
            Dtype::F64 => self.sum_as(|view| sums.f64(view)),
            Dtype::F32 => self.sum_as(|view| sums.f32(view)),
            Dtype::I64 => self.sum_as(|view| sums.i64(view)),
            Dtype::I32 => self.sum_as(|view| sums.i32(view)),
        }
    }

    fn sum_as<T, R>(&self, sum: impl Fn(ArrayViewD<'_, T>) -> R + Sync) -> PyResult<Py<PyAny>>
    where
        T: Element + Sync,
        R: Send + for<'a> IntoPyObject<'a>,
    {
        let py = self.array.py();
        let values = self.typed::<T>()?;
        let view = values.as_array();
        let total = release_gil(py, view.len(), || sum(view));
        total.into_py_any(py)
    }
}

/// `array` itself when rust-numpy can view it ([`MAX_VIEW_NDIM`] axes at most), else a view
/// of it without its axes of length one (an empty array: a 1-D view), which holds the same
/// values in the same C index order and memory order, so it is summed to the same bits.
fn fewer_axes<'py>(
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
    let view = view
        .and_then(|view| Ok(view.cast_into::<PyUntypedArray>()?))
        .map_err(InputError::Python)?;
    if view.ndim() > MAX_VIEW_NDIM {
        return Err(InputError::TooManyAxes {
            func,
            got: view.ndim(),
        });
    }
    Ok(view)
}

/// Whether every stride of `array` is zero (a broadcast of one value, or of none), which no
/// function may hand to rust-numpy's borrow registry: when two borrows of one base overlap,
/// it divides by the gcd of their strides, and a panic there (inside an `extern "C"`
/// function) aborts the process.
pub fn all_strides_zero(array: &Bound<'_, PyUntypedArray>) -> bool {
    array.ndim() > 0 && array.strides().iter().all(|&stride| stride == 0)
}

/// The same values in an array of their own when `array`'s strides are all zero (see
/// [`all_strides_zero`]): a broadcast of a copy of its one value (or an empty array), which
/// no other borrow can overlap. Any other array as it is.
fn own_if_all_strides_zero<'py>(
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

/// `f()`, with a Rust panic (a bug) turned into a `RuntimeError` naming `func`: without
/// this, pyo3 raises a `PanicException`, which `except Exception` does not catch.
///
/// Panics inside `py.detach` reach this point too: pyo3 takes the GIL back while the
/// panic unwinds out of the detached closure, and the thread pool (crates/pool) passes a
/// panic on one of its threads to the caller that waits for it.
pub fn catch_panics<R>(func: &'static str, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    // Unwind safety: what a panic can leave half-done is the argument's values (a square
    // stopped midway), which the squares' docs say.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        Err(PyRuntimeError::new_err(format!(
            "internal error in {func}(): {message}; please report it"
        )))
    })
}

/// `f()`, with the GIL released when it works on `n >= RELEASE_GIL_FROM` values.
pub fn release_gil<R: Send>(py: Python<'_>, n: usize, f: impl FnOnce() -> R + Send) -> R {
    if n >= RELEASE_GIL_FROM {
        py.detach(f)
    } else {
        f()
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".into(), |name| name.to_string())
}

/// How NumPy prints the array's dtype (`str(arr.dtype)`), for error messages.
fn dtype_name(array: &Bound<'_, PyUntypedArray>) -> String {
    array
        .dtype()
        .str()
        .map_or_else(|_| "?".into(), |s| s.to_string())
}

/// Whether `array` is a `numpy.ma.MaskedArray`, which the array functions refuse: they would
/// use the values under the mask too. A plain ndarray is answered without importing `numpy.ma`.
pub fn is_masked(array: &Bound<'_, PyUntypedArray>) -> PyResult<bool> {
    if array.is_exact_instance_of::<PyUntypedArray>() {
        return Ok(false);
    }
    let masked = array.py().import("numpy.ma")?.getattr("MaskedArray")?;
    array.is_instance(&masked)
}

/// Return the sum of every value of ``arr``, a NumPy array of any shape and strides.
///
/// float64: the same bits as ``np.sum(arr)`` for 1-D arrays (any stride) and for arrays
/// contiguous in memory (C or Fortran order); other N-D views are summed in C index order
/// (the bits of ``np.sum(np.ascontiguousarray(arr))``). float32 is summed in float64: the
/// bits of ``np.sum(arr.astype(np.float64))``. int32 and int64 sums are exact Python ints,
/// never wrapped. Byte-swapped or misaligned arrays are copied to native, aligned values
/// first (memory order kept), so their bits are ``np.sum``'s of that copy (``np.sum`` sums
/// such arrays of more than 8192 values in buffered pieces, which can give other bits).
/// Up to NumPy's 64 axes, of which at most 32 longer than one.
///
/// Raises ``TypeError`` for anything else (lists, other dtypes, masked arrays), and
/// ``ValueError`` for more than 32 axes longer than one, or an array another call is
/// writing right now (a square on another thread).
///
/// >>> import numpy as np
/// >>> sum_array(np.array([1.0, 2.0, 3.5]))
/// 6.5
#[cfg(feature = "module")]
#[pyfunction(name = "sum_array")]
#[pyo3(signature = (arr, /))]
fn sum_array_py(arr: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    SumInput::extract("sum_array", arr)?.sum(&Serial)
}

/// `sum_array`'s sums: [`crate::sum_array`].
#[cfg(feature = "module")]
struct Serial;

#[cfg(feature = "module")]
impl SumFn for Serial {
    fn f64(&self, view: ArrayViewD<'_, f64>) -> f64 {
        crate::sum_array(view)
    }
    fn f64_slice(&self, values: &[f64]) -> f64 {
        crate::sum_f64_slice(values)
    }
    fn f32(&self, view: ArrayViewD<'_, f32>) -> f64 {
        crate::sum_array(view)
    }
    fn i64(&self, view: ArrayViewD<'_, i64>) -> i128 {
        crate::sum_array(view)
    }
    fn i32(&self, view: ArrayViewD<'_, i32>) -> i128 {
        crate::sum_array(view)
    }
}

/// A 1-D float64 array argument, as the tutorial's ``cnp.ndarray[cnp.float64_t, ndim=1]``.
fn float64_1d<'py>(
    func: &'static str,
    arr: &Bound<'py, PyAny>,
) -> Result<SumInput<'py>, InputError> {
    let input = SumInput::check(func, arr)?;
    if !matches!(input.dtype, Dtype::F64) {
        return Err(InputError::Dtype {
            func,
            expected: "float64",
            got: dtype_name(&input.array),
        });
    }
    if input.ndim != 1 {
        return Err(InputError::Ndim {
            func,
            expected: 1,
            got: input.ndim,
        });
    }
    Ok(input)
}

/// `f` over `arr`'s values, which must be a 1-D float64 array contiguous in memory (the
/// unordered yardsticks take only that); the GIL released for large arrays.
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

/// The tutorial's loop in Rust: ``total += arr[i]`` for each ``i`` in order, from ``0.0``.
///
/// Takes what the tutorial's Cython takes, a 1-D float64 array (any stride); raises
/// ``TypeError`` for anything else. Kept for the comparison: its rounding error grows with
/// the length, and it is slower than ``sum_array``.
///
/// >>> import numpy as np
/// >>> sum_array_naive(np.array([1.0, 2.0, 3.5]))
/// 6.5
#[cfg(feature = "module")]
#[pyfunction(name = "sum_array_naive")]
#[pyo3(signature = (arr, /))]
fn sum_array_naive_py(py: Python<'_>, arr: &Bound<'_, PyAny>) -> PyResult<f64> {
    let func = "sum_array_naive";
    catch_panics(func, || {
        let input = float64_1d(func, arr)?;
        let values = input.typed::<f64>()?;
        let view = values
            .as_array()
            .into_dimensionality()
            .map_err(|e| PyValueError::new_err(format!("{func}(): {e}")))?;
        Ok(release_gil(py, view.len(), || crate::sum_array_naive(view)))
    })
}

/// The fastest sum this machine can do, in no fixed order: NOT ``np.sum``'s bits.
///
/// The comparison's yardstick for ``sum_array``'s speed, not a way to sum. Takes a 1-D
/// float64 array contiguous in memory.
///
/// >>> import numpy as np
/// >>> sum_array_unordered(np.array([1.0, 2.0, 3.5]))
/// 6.5
#[cfg(feature = "module")]
#[pyfunction(name = "sum_array_unordered")]
#[pyo3(signature = (arr, /))]
fn sum_array_unordered_py(arr: &Bound<'_, PyAny>) -> PyResult<f64> {
    with_contiguous_float64("sum_array_unordered", arr, crate::sum_unordered)
}

/// Section 1 of "NumPy with Cython and C": the typed sum, with NumPy's bits and faster.
#[cfg(feature = "module")]
#[pymodule]
fn fast_operations(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sum_array_py, m)?)?;
    m.add_function(wrap_pyfunction!(sum_array_naive_py, m)?)?;
    m.add_function(wrap_pyfunction!(sum_array_unordered_py, m)?)?;
    Ok(())
}
