//! The Python module `array_ops`: its functions, their docstrings, and the in-place square's
//! checks; the checks and errors it shares with the other modules are in `python_glue`.

use numpy::{
    BorrowError, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use python_glue::{
    InputError, MAX_VIEW_NDIM, Op, all_strides_zero, catch_panics, dtype_name, is_masked,
    release_gil, type_name, with_thread_limit,
};

/// Checks `obj` and squares it in place with `square`, the GIL released for large arrays.
fn square_in_place(
    func: &'static str,
    obj: &Bound<'_, PyAny>,
    square: fn(&mut [f64]),
) -> PyResult<()> {
    catch_panics(func, || square_checked(func, obj, square))
}

fn square_checked(
    func: &'static str,
    obj: &Bound<'_, PyAny>,
    square: fn(&mut [f64]),
) -> PyResult<()> {
    let array = obj
        .cast::<PyUntypedArray>()
        .map_err(|_| InputError::NotAnArray {
            func,
            op: Op::Square,
            got: type_name(obj),
        })?;
    if is_masked(array)? {
        return Err(InputError::Masked {
            func,
            op: Op::Square,
        }
        .into());
    }
    let descr = array.dtype();
    if (descr.kind(), descr.itemsize()) != (b'f', 8) {
        return Err(InputError::Dtype {
            func,
            expected: "float64",
            got: dtype_name(array),
        }
        .into());
    }
    if descr.is_native_byteorder() == Some(false) {
        // float64 in the other byte order: NumPy prints such a dtype as its code, `>f8`.
        let got = dtype_name(array);
        return Err(InputError::ByteOrder { func, got }.into());
    }
    if !array.is_aligned() {
        return Err(InputError::Misaligned { func }.into());
    }
    if all_strides_zero(array) {
        return square_the_one_value(func, array, square);
    }
    let typed = array.cast::<PyArrayDyn<f64>>()?;
    let mut values = typed.try_readwrite().map_err(|error| match error {
        BorrowError::NotWriteable => InputError::ReadOnly { func },
        _ => InputError::Borrowed {
            func,
            op: Op::Square,
        },
    })?;
    let (py, n) = (obj.py(), values.len());
    if let Ok(run) = values.as_slice_mut() {
        // The common case, a C-contiguous array, is one run: no N-D view to build.
        release_gil(py, n, || crate::parallel::square_run(run, square));
        return Ok(());
    }
    // A copy: another thread may change the array's shape (`w.shape = ...`) while the GIL
    // is released, and NumPy then frees the memory `array.shape()` points into.
    let (shape, strides) = (array.shape().to_vec(), array.strides());
    // Where float64 is aligned to 8 bytes, NumPy's aligned flag already says so; where it
    // is aligned to 4 (32-bit x86), a stride of 12 would be, and would be read as 8.
    if !shape
        .iter()
        .zip(strides)
        .all(|(&len, &stride)| len <= 1 || stride % 8 == 0)
    {
        return Err(InputError::Misaligned { func }.into());
    }
    if array.ndim() <= MAX_VIEW_NDIM && !crate::may_overlap(&shape, strides, 8) {
        // No location is reached twice, so a mutable view does not alias.
        let view = values.as_array_mut();
        release_gil(py, n, || {
            crate::square_numpy_array::square_view(view, square)
        });
        return Ok(());
    }
    // A view that may reach a location twice (a mutable view of it would alias), or one
    // with more axes than rust-numpy views: through raw pointers, each location once.
    let strides: Vec<isize> = shape
        .iter()
        .zip(strides)
        // The stride of every axis longer than one is a multiple of 8 bytes (checked above).
        .map(|(&len, &stride)| if len > 1 { stride / 8 } else { 0 })
        .collect();
    let first = FirstValue(typed.data());
    let done = release_gil(py, n, move || {
        // SAFETY: `first`, `shape` and `strides` describe the array's values, which are
        // float64, aligned (checked above), inside the array's memory, and borrowed for
        // writing by `values` while this runs, so no other Rust code uses them.
        unsafe { crate::square_each_location_once(first.get(), &shape, &strides, square) }
    });
    if done {
        Ok(())
    } else {
        Err(InputError::TooLarge { func }.into())
    }
}

/// Squares the one value of an array whose strides are all zero, read and written through
/// NumPy, not borrowed: rust-numpy's borrow registry cannot take such an array (see
/// `all_strides_zero`).
fn square_the_one_value(
    func: &'static str,
    array: &Bound<'_, PyUntypedArray>,
    square: fn(&mut [f64]),
) -> PyResult<()> {
    let writeable: bool = array.getattr("flags")?.getattr("writeable")?.extract()?;
    if !writeable {
        return Err(InputError::ReadOnly { func }.into());
    }
    if array.len() == 0 {
        return Ok(());
    }
    let index = PyTuple::new(array.py(), vec![0usize; array.ndim()])?;
    let mut value = [array.get_item(&index)?.extract::<f64>()?];
    square(&mut value);
    array.set_item(index, value[0])
}

/// The address of an array's first value, taken to the thread that squares it.
#[derive(Clone, Copy)]
struct FirstValue(*mut f64);

impl FirstValue {
    /// The address (a method, so that a closure captures the `Send` wrapper, not its field).
    fn get(self) -> *mut f64 {
        self.0
    }
}

// SAFETY: only the address crosses threads; what may be done through it is set by
// square_each_location_once's contract, which its caller upholds.
unsafe impl Send for FirstValue {}

/// Square every value of ``arr`` in place with the tutorial's C ``square_array``.
///
/// The C function is called on each contiguous run of the array's memory (one run for a
/// contiguous array in any order, reversed included; one per row when rows have gaps; one per
/// value for a view like ``a[::3]``), and long runs are shared out over all cores. Works on
/// any writable float64 array: strided, reversed, N-D (up to NumPy's 64 axes),
/// Fortran-order, empty, 0-d. A view that reaches one memory location more than once (a
/// sliding window, a writable broadcast) has each location squared once, as
/// ``np.square(arr, out=arr)`` leaves it.
///
/// Raises ``TypeError`` for anything but a float64 ndarray in native byte order (masked
/// arrays included), and ``ValueError`` for read-only or misaligned arrays, or an array
/// another call is using at the same moment (a sum or square on another thread); nothing is
/// changed then. The GIL is released while squaring.
///
/// >>> import numpy as np
/// >>> a = np.array([1.0, 2.0, 3.0])
/// >>> square_numpy_array(a)
/// >>> a
/// array([1., 4., 9.])
#[pyfunction(name = "square_numpy_array")]
#[pyo3(signature = (arr, /))]
fn square_numpy_array_py(arr: &Bound<'_, PyAny>) -> PyResult<()> {
    square_in_place("square_numpy_array", arr, crate::ffi::square_array_c)
}

/// Square every value of ``arr`` in place with a Rust kernel: ``square_numpy_array``'s
/// contract and bits, without the C code.
///
/// ``threads=k`` (an int >= 1, not a bool) shares long runs out over at most ``k`` of the
/// pool's threads, the calling thread among them; the default, None, over all of them.
/// ``threads`` below 1 is a ``ValueError``, anything but an int or None a ``TypeError``;
/// nothing is changed then.
///
/// >>> import numpy as np
/// >>> a = np.array([[1.0, -2.0], [3.0, 0.5]])
/// >>> square_numpy_array_rust(a.T, threads=1)
/// >>> a
/// array([[1.  , 4.  ],
///        [9.  , 0.25]])
#[pyfunction(name = "square_numpy_array_rust")]
#[pyo3(signature = (arr, /, *, threads=None))]
fn square_numpy_array_rust_py(
    arr: &Bound<'_, PyAny>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let func = "square_numpy_array_rust";
    with_thread_limit(func, threads, || {
        square_in_place(func, arr, crate::square_slice)
    })
}

/// Section 4 of "NumPy with Cython and C": the C ``square_array`` on NumPy arrays, safe on
/// every view.
#[pymodule]
fn array_ops(m: &Bound<'_, PyModule>) -> PyResult<()> {
    python_glue::check_kernel_variable()?;
    m.add_function(wrap_pyfunction!(python_glue::kernel, m)?)?;
    pool::python::share(m.py())?;
    m.add_function(wrap_pyfunction!(square_numpy_array_py, m)?)?;
    m.add_function(wrap_pyfunction!(square_numpy_array_rust_py, m)?)?;
    m.add("square", crate::ufunc::square(m.py())?)?;
    Ok(())
}
