//! Everything that can be wrong with an argument, and what the caller is told.

use pyo3::PyErr;
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};

use crate::arrays::MAX_VIEW_NDIM;

/// What the refusing function does with its array, which some messages say: why a masked
/// array is refused, what else might be using the array.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    /// A sum: reads the array.
    Sum,
    /// A square in place: writes the array.
    Square,
}

/// Everything that can be wrong with an argument; turned into a Python exception in one
/// place, so that every function words the same fault the same way. `func` names the
/// function in the message.
#[derive(Debug)]
pub enum InputError {
    /// Not a `numpy.ndarray` (`TypeError`).
    NotAnArray {
        /// The refusing function.
        func: &'static str,
        /// What it does.
        op: Op,
        /// The argument's type name.
        got: String,
    },
    /// A `numpy.ma.MaskedArray` (`TypeError`).
    Masked {
        /// The refusing function.
        func: &'static str,
        /// What it does.
        op: Op,
    },
    /// A dtype the function does not take (`TypeError`).
    Dtype {
        /// The refusing function.
        func: &'static str,
        /// The dtypes it takes.
        expected: &'static str,
        /// The argument's dtype.
        got: String,
    },
    /// float64 in the other byte order, where the function works in place (`TypeError`).
    ByteOrder {
        /// The refusing function.
        func: &'static str,
        /// The argument's dtype.
        got: String,
    },
    /// Another number of axes than the function takes (`TypeError`).
    Ndim {
        /// The refusing function.
        func: &'static str,
        /// The number it takes.
        expected: usize,
        /// The argument's.
        got: usize,
    },
    /// Values not contiguous in memory, where the function needs one slice (`ValueError`).
    NotContiguous {
        /// The refusing function.
        func: &'static str,
    },
    /// Values not aligned, where the function works in place (`ValueError`).
    Misaligned {
        /// The refusing function.
        func: &'static str,
    },
    /// More axes longer than one than rust-numpy views (`ValueError`).
    TooManyAxes {
        /// The refusing function.
        func: &'static str,
        /// The argument's number of axes longer than one.
        got: usize,
    },
    /// A read-only array, where the function works in place (`ValueError`).
    ReadOnly {
        /// The refusing function.
        func: &'static str,
    },
    /// An array another call is using in a way this one cannot share (`ValueError`).
    Borrowed {
        /// The refusing function.
        func: &'static str,
        /// What it does.
        op: Op,
    },
    /// The map of the memory an overlapping view reaches could not be allocated
    /// (`MemoryError`).
    TooLarge {
        /// The refusing function.
        func: &'static str,
    },
    /// A `threads=` that is not an int, or is a bool (`TypeError`).
    ThreadsNotAnInt {
        /// The refusing function.
        func: &'static str,
        /// The argument's type name.
        got: String,
    },
    /// A `threads=` below one (`ValueError`).
    ThreadsBelowOne {
        /// The refusing function.
        func: &'static str,
        /// The argument's `repr`.
        got: String,
    },
    /// An `axis=` that is not None, an int or a tuple of ints, or holds a bool (`TypeError`).
    AxisNotAnInt {
        /// The refusing function.
        func: &'static str,
        /// The type name of what came (the argument or the tuple's item).
        got: String,
    },
    /// An axis the array does not have (`numpy.exceptions.AxisError`, a `ValueError`).
    AxisOutOfRange {
        /// The refusing function.
        func: &'static str,
        /// The axis as given.
        axis: isize,
        /// The array's number of axes.
        ndim: usize,
    },
    /// An axis named twice (`ValueError`).
    AxisRepeated {
        /// The refusing function.
        func: &'static str,
        /// The argument's `repr`.
        got: String,
    },
    /// An error Python raised while the argument was checked or converted, passed on.
    Python(PyErr),
}

pyo3::import_exception!(numpy.exceptions, AxisError);

impl From<PyErr> for InputError {
    fn from(error: PyErr) -> InputError {
        InputError::Python(error)
    }
}

impl From<InputError> for PyErr {
    fn from(error: InputError) -> PyErr {
        use InputError::*;
        match error {
            NotAnArray {
                func,
                op: Op::Sum,
                got,
            } => PyTypeError::new_err(format!(
                "{func}() expected a numpy.ndarray, got {got} (convert it with numpy.asarray first)"
            )),
            NotAnArray {
                func,
                op: Op::Square,
                got,
            } => PyTypeError::new_err(format!(
                "{func}() expected a numpy.ndarray of float64, got {got}"
            )),
            Masked { func, op: Op::Sum } => PyTypeError::new_err(format!(
                "{func}() does not take masked arrays: it would sum the masked values too; \
                 pass arr.filled(0) or arr.compressed()"
            )),
            Masked {
                func,
                op: Op::Square,
            } => PyTypeError::new_err(format!(
                "{func}() does not take masked arrays: it would square the values under the mask \
                 too; pass arr.data to square every value; nothing was changed"
            )),
            Dtype {
                func,
                expected,
                got,
            } => PyTypeError::new_err(format!(
                "{func}() expected an array of {expected}, got an array of {got}"
            )),
            ByteOrder { func, got } => PyTypeError::new_err(format!(
                "{func}() expected float64 in native byte order, got {got}; \
                 arr.byteswap(inplace=True) then arr.dtype = arr.dtype.newbyteorder() converts it"
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
            Misaligned { func } => PyValueError::new_err(format!(
                "{func}() needs an aligned array; this one's values are not at multiples of 8 \
                 bytes (np.frombuffer with an offset?); nothing was changed"
            )),
            TooManyAxes { func, got } => PyValueError::new_err(format!(
                "{func}() takes arrays of at most {MAX_VIEW_NDIM} axes longer than one (NumPy \
                 allows 64), got an array with {got}"
            )),
            ReadOnly { func } => PyValueError::new_err(format!(
                "{func}() squares in place, and the array is read-only; nothing was changed"
            )),
            Borrowed { func, op: Op::Sum } => PyValueError::new_err(format!(
                "{func}() cannot read the array: another call is writing it right now (a square \
                 on another thread?); nothing was read"
            )),
            Borrowed {
                func,
                op: Op::Square,
            } => PyValueError::new_err(format!(
                "{func}() cannot write the array: another call is reading or writing it right \
                 now (a sum or a square on another thread?); nothing was changed"
            )),
            TooLarge { func } => PyMemoryError::new_err(format!(
                "{func}() could not allocate the map of the memory this overlapping view \
                 reaches; nothing was changed"
            )),
            ThreadsNotAnInt { func, got } => PyTypeError::new_err(format!(
                "{func}() expected threads= to be an int >= 1 or None, got {got}"
            )),
            ThreadsBelowOne { func, got } => PyValueError::new_err(format!(
                "{func}() needs threads >= 1 (the calling thread counts as one), got {got}"
            )),
            AxisNotAnInt { func, got } => PyTypeError::new_err(format!(
                "{func}() expected axis= to be None, an int or a tuple of ints, got {got}"
            )),
            // NumPy's own exception, with its message: "axis 2 is out of bounds for array of
            // dimension 2", after the function's name.
            AxisOutOfRange { func, axis, ndim } => {
                AxisError::new_err((axis, ndim, format!("{func}()")))
            }
            AxisRepeated { func, got } => PyValueError::new_err(format!(
                "{func}() got a duplicate value in axis={got}: each axis may be summed along once"
            )),
            Python(error) => error,
        }
    }
}
