//! The sums' input contract, and the dispatch of an argument to the sum for its dtype.

use std::fmt;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use numpy::{
    BorrowError, Element, PyArray, PyArrayDescr, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods,
    PyReadonlyArrayDyn, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::arrays::{fewer_axes, is_masked, own_if_all_strides_zero};
use crate::axes::axes;
use crate::names::descr_name;
use crate::{InputError, Op, catch_panics, release_gil, type_name};

/// A sum function's sum of arrays of `T`. A section implements it once, generically over
/// its core's element trait, and [`SumInput::sum`] picks the `T` of the argument's dtype.
pub trait Sum<T> {
    /// The sum's type, which Python gets as a float or an int.
    type Total: Send + for<'py> IntoPyObject<'py>;
    /// The sum of every value of `view`.
    fn sum(&self, view: ArrayViewD<'_, T>) -> Self::Total;
    /// The type of a sum along axes: NumPy's result dtype (float64, int64).
    type AxisTotal: Element;
    /// Why a sum along axes has no result (an integer sum that does not fit), for the
    /// message.
    type Overflow: fmt::Display + Send;
    /// The sums of `view` along `axes` (in range, none twice), the view's shape without them.
    fn sum_axes(
        &self,
        view: ArrayViewD<'_, T>,
        axes: &[usize],
    ) -> Result<ArrayD<Self::AxisTotal>, Self::Overflow>;
}

/// A sum function over every dtype the sums take.
pub trait Sums: Sum<f64> + Sum<f32> + Sum<i64> + Sum<i32> + Sync {
    /// The float64 sum of values that are one slice in summation order, with the same bits
    /// as [`Sum::<f64>::sum`] of them: the common case, which skips building an N-D view
    /// (on a small array, a large part of the call's cost).
    fn sum_f64_slice(&self, values: &[f64]) -> f64;
}

/// The dtypes the sums take, in any byte order.
#[derive(Clone, Copy)]
pub(crate) enum Dtype {
    F64,
    F32,
    I64,
    I32,
}

const SUM_DTYPES: &str = "float64, float32, int32 or int64";

impl Dtype {
    /// The sums' dtype `descr` is, or the error that says what `func` takes.
    pub(crate) fn of(
        func: &'static str,
        descr: &Bound<'_, PyArrayDescr>,
    ) -> Result<Dtype, InputError> {
        match (descr.kind(), descr.itemsize()) {
            (b'f', 8) => Ok(Dtype::F64),
            (b'f', 4) => Ok(Dtype::F32),
            (b'i', 8) => Ok(Dtype::I64),
            (b'i', 4) => Ok(Dtype::I32),
            _ => Err(InputError::Dtype {
                func,
                expected: SUM_DTYPES,
                got: descr_name(descr),
            }),
        }
    }
}

/// An array argument of one of the sums' dtypes, in native byte order and aligned, so that
/// Rust may read it in place.
pub struct SumInput<'py> {
    func: &'static str,
    array: Bound<'py, PyUntypedArray>,
    dtype: Dtype,
    /// The argument's shape (`array` may have fewer axes: see [`fewer_axes`]).
    shape: Vec<usize>,
}

impl<'py> SumInput<'py> {
    /// Checks `obj` against the contract; `func` names the function in error messages.
    ///
    /// An ndarray is taken as it is; anything else (a list, a tuple, a scalar, an object with
    /// `__array__`) goes through `numpy.asarray` first, so that it gets the dtype NumPy gives
    /// it, and whatever `numpy.asarray` raises (a ragged list: `ValueError`) reaches the
    /// caller unchanged. Only what is not an ndarray pays for the call.
    pub fn extract(func: &'static str, obj: &Bound<'py, PyAny>) -> PyResult<SumInput<'py>> {
        match obj.cast::<PyUntypedArray>() {
            Ok(array) => Ok(Self::check_array(func, array)?),
            Err(_) => {
                let numpy = obj.py().import("numpy")?;
                let array = numpy.call_method1("asarray", (obj,))?;
                Ok(Self::check_array(func, &array.cast_into()?)?)
            }
        }
    }

    /// Checks `obj`, which must be an ndarray already, against the contract: for the
    /// functions that take only what the tutorial's Cython declares.
    pub(crate) fn check(
        func: &'static str,
        obj: &Bound<'py, PyAny>,
    ) -> Result<SumInput<'py>, InputError> {
        let array = obj
            .cast::<PyUntypedArray>()
            .map_err(|_| InputError::NotAnArray {
                func,
                op: Op::Sum,
                got: type_name(obj),
            })?;
        Self::check_array(func, array)
    }

    fn check_array(
        func: &'static str,
        array: &Bound<'py, PyUntypedArray>,
    ) -> Result<SumInput<'py>, InputError> {
        let py = array.py();
        if is_masked(array)? {
            return Err(InputError::Masked { func, op: Op::Sum });
        }
        let descr = array.dtype();
        let dtype = Dtype::of(func, &descr)?;
        // Byte-swapped or misaligned values cannot be read in place: copy them into a native,
        // aligned array. order="K" keeps the memory order, and so the order of summation.
        let array = if array.is_aligned() && descr.is_native_byteorder() != Some(false) {
            array.clone()
        } else {
            let native = descr.call_method1("newbyteorder", ("=",))?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("dtype", native)?;
            kwargs.set_item("order", "K")?;
            kwargs.set_item("copy", true)?;
            let copy = py
                .import("numpy")?
                .call_method("array", (array,), Some(&kwargs))?;
            copy.cast_into::<PyUntypedArray>().map_err(PyErr::from)?
        };
        let shape = array.shape().to_vec();
        let array = fewer_axes(func, array)?;
        let array = own_if_all_strides_zero(array)?;
        Ok(SumInput {
            func,
            array,
            dtype,
            shape,
        })
    }

    /// The dtype, for the functions that take one only.
    pub(crate) fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// The argument's number of axes.
    pub(crate) fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The array as read, for error messages.
    pub(crate) fn array(&self) -> &Bound<'py, PyUntypedArray> {
        &self.array
    }

    /// The values as a typed read-only array; `T` must match the dtype.
    pub(crate) fn typed<T: Element>(&self) -> Result<PyReadonlyArrayDyn<'py, T>, InputError> {
        let typed = self.array.cast::<PyArrayDyn<T>>().map_err(PyErr::from)?;
        typed.try_readonly().map_err(|error| match error {
            BorrowError::AlreadyBorrowed => InputError::Borrowed {
                func: self.func,
                op: Op::Sum,
            },
            _ => InputError::Python(PyValueError::new_err(format!("{}(): {error}", self.func))),
        })
    }

    /// The sum by `sums` of the values, as a Python float or int, the GIL released for
    /// large arrays.
    pub fn sum(&self, sums: &impl Sums) -> PyResult<Py<PyAny>> {
        catch_panics(self.func, || self.sum_unguarded(sums))
    }

    fn sum_unguarded<S: Sums>(&self, sums: &S) -> PyResult<Py<PyAny>> {
        let py = self.array.py();
        if matches!(self.dtype, Dtype::F64) && self.array.ndim() <= 1 {
            let values = self.typed::<f64>()?;
            if let Ok(slice) = values.as_slice() {
                return release_gil(py, slice.len(), || sums.sum_f64_slice(slice)).into_py_any(py);
            }
        }
        match self.dtype {
            Dtype::F64 => self.sum_as::<f64, S>(sums),
            Dtype::F32 => self.sum_as::<f32, S>(sums),
            Dtype::I64 => self.sum_as::<i64, S>(sums),
            Dtype::I32 => self.sum_as::<i32, S>(sums),
        }
    }

    fn sum_as<T, S>(&self, sums: &S) -> PyResult<Py<PyAny>>
    where
        T: Element + Sync,
        S: Sum<T> + Sync,
    {
        let py = self.array.py();
        let values = self.typed::<T>()?;
        let view = values.as_array();
        let total = release_gil(py, view.len(), || sums.sum(view));
        total.into_py_any(py)
    }
}

impl<'py> SumInput<'py> {
    /// The sums by `sums` along `axis` (None, an int or a tuple of ints), as `np.sum(arr,
    /// axis=axis, keepdims=keepdims)` gives them: an array of NumPy's shape and dtype, a NumPy
    /// scalar where that has no axes. `axis=None` without `keepdims` is [`SumInput::sum`]: a
    /// Python float or int.
    pub fn sum_along(
        &self,
        sums: &impl Sums,
        axis: Option<&Bound<'py, PyAny>>,
        keepdims: bool,
    ) -> PyResult<Py<PyAny>> {
        let reduced = match axis {
            None if !keepdims => return self.sum(sums),
            None => (0..self.ndim()).collect(),
            Some(axis) => axes(self.func, axis, self.ndim())?,
        };
        catch_panics(self.func, || {
            let along = Along {
                reduced: &reduced,
                keepdims,
                axis,
            };
            match self.dtype {
                Dtype::F64 => self.sum_along_as::<f64, _>(sums, &along),
                Dtype::F32 => self.sum_along_as::<f32, _>(sums, &along),
                Dtype::I64 => self.sum_along_as::<i64, _>(sums, &along),
                Dtype::I32 => self.sum_along_as::<i32, _>(sums, &along),
            }
        })
    }

    fn sum_along_as<T, S>(&self, sums: &S, along: &Along<'_, 'py>) -> PyResult<Py<PyAny>>
    where
        T: Element + Sync,
        S: Sum<T> + Sync,
    {
        let py = self.array.py();
        let values = self.typed::<T>()?;
        let view = values.as_array();
        // An argument of more than 32 axes is read without its axes of length one
        // (fewer_axes), which change nothing in the sums: those left are summed along.
        let squeezed = view.ndim() != self.ndim();
        let shape = along.shape(&self.shape);
        if squeezed && view.is_empty() {
            // Squeezed into one empty axis: every sum is 0, whatever the shape.
            let zeros = PyArray::<S::AxisTotal, _>::zeros(py, IxDyn(&shape), false);
            return Ok(scalar_if_no_axes(zeros.into_any(), &shape)?.unbind());
        }
        let in_view: Vec<usize> = if squeezed {
            let long: Vec<usize> = (0..self.ndim()).filter(|&a| self.shape[a] != 1).collect();
            along
                .reduced
                .iter()
                .filter_map(|axis| long.iter().position(|a| a == axis))
                .collect()
        } else {
            along.reduced.to_vec()
        };
        let result = release_gil(py, view.len(), || sums.sum_axes(view, &in_view));
        let mut result = result.map_err(|overflow| {
            // repr(axis) only here: an error's message, not every call's work.
            let described = along
                .axis
                .map_or_else(|| "None".to_string(), |axis| axis.to_string());
            PyOverflowError::new_err(format!(
                "{}() along axis {described}: {overflow} (axis=None without keepdims gives the \
                 exact sum of every value as a Python int)",
                self.func
            ))
        })?;
        if !squeezed && along.keepdims {
            let mut reduced = along.reduced.to_vec();
            reduced.sort_unstable();
            for &axis in &reduced {
                result.insert_axis_inplace(Axis(axis));
            }
        }
        let mut result = PyArray::from_owned_array(py, result).into_any();
        if squeezed {
            result = result.call_method1("reshape", (PyTuple::new(py, &shape)?,))?;
        }
        Ok(scalar_if_no_axes(result, &shape)?.unbind())
    }
}

/// `result` itself, or, where it has no axes, its value as a NumPy scalar of its dtype (what
/// NumPy's reductions give).
fn scalar_if_no_axes<'py>(
    result: Bound<'py, PyAny>,
    shape: &[usize],
) -> PyResult<Bound<'py, PyAny>> {
    if shape.is_empty() {
        result.get_item(PyTuple::empty(result.py()))
    } else {
        Ok(result)
    }
}

/// What `axis=` and `keepdims=` asked for.
struct Along<'a, 'py> {
    /// The axes summed along.
    reduced: &'a [usize],
    keepdims: bool,
    /// The argument as given, for messages (None: every axis, with keepdims).
    axis: Option<&'a Bound<'py, PyAny>>,
}

impl Along<'_, '_> {
    /// The result's shape for an argument of shape `shape`, as NumPy's.
    fn shape(&self, shape: &[usize]) -> Vec<usize> {
        (0..shape.len())
            .filter_map(|axis| match (self.reduced.contains(&axis), self.keepdims) {
                (false, _) => Some(shape[axis]),
                (true, true) => Some(1),
                (true, false) => None,
            })
            .collect()
    }
}
