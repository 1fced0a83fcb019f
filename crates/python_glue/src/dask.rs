//! The sums of Dask arrays: a lazy result, built by `dask_sum.py` from the module's own
//! functions. Dask stays optional: nothing here imports it, and an ndarray never gets here.

use numpy::{PyArrayDescr, PyUntypedArray};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

use crate::sum::Dtype;
use crate::{InputError, Op, is_masked, type_name};

/// The module's functions a Dask sum runs, each on one chunk or on the chunks' results:
/// `tree_pieces(chunk, offset, shape)` and `sum_of_tree_pieces(pieces, shape)` for floats,
/// `exact_sum(chunk)` for integers.
pub struct DaskSum<'py> {
    /// A chunk's tree pieces.
    pub tree_pieces: Bound<'py, PyAny>,
    /// The sum from every chunk's pieces.
    pub sum_of_tree_pieces: Bound<'py, PyAny>,
    /// A chunk's exact integer sum.
    pub exact_sum: Bound<'py, PyAny>,
}

/// Whether `obj` is a `dask.array.Array`. An ndarray is not, and costs one type check; for
/// anything else, Dask is looked up in `sys.modules`, never imported: if no one imported it,
/// nothing can be a Dask array.
pub fn is_dask_array(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if obj.cast::<PyUntypedArray>().is_ok() {
        return Ok(false);
    }
    let py = obj.py();
    static MODULES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    let modules = MODULES.get_or_try_init(py, || -> PyResult<_> {
        Ok(py
            .import("sys")?
            .getattr("modules")?
            .cast_into::<PyDict>()?
            .unbind())
    })?;
    match modules.bind(py).get_item(intern!(py, "dask.array"))? {
        Some(dask_array) => obj.is_instance(&dask_array.getattr(intern!(py, "Array"))?),
        None => Ok(false),
    }
}

/// The sum of every value of the Dask array `x` by `func` (`sum_array`, `parallel_sum`): a 0-d
/// Dask array (with `keepdims`, one of `x`'s number of axes, each of length one) that
/// computes to what the same call on `x.compute()` gives (a float as a NumPy float64).
pub fn lazy_sum<'py>(
    func: &'static str,
    x: &Bound<'py, PyAny>,
    axis: Option<&Bound<'py, PyAny>>,
    keepdims: bool,
    with: DaskSum<'py>,
) -> PyResult<Py<PyAny>> {
    let py = x.py();
    let descr = x
        .getattr(intern!(py, "dtype"))?
        .cast_into::<PyArrayDescr>()?;
    Dtype::of(func, &descr)?;
    // What its chunks are: refused now if the arrays would be, not when computed.
    let meta = x.getattr(intern!(py, "_meta"))?;
    let Ok(meta) = meta.cast::<PyUntypedArray>() else {
        return Err(PyTypeError::new_err(format!(
            "{func}(): expected a Dask array of NumPy chunks, got one of {} chunks",
            type_name(&meta)
        )));
    };
    if is_masked(meta)? {
        return Err(InputError::Masked { func, op: Op::Sum }.into());
    }
    if let Some(axis) = axis {
        return Err(PyValueError::new_err(format!(
            "{func}(): axis= is not supported for a Dask array (got axis={axis}); expected \
             axis=None, or x.compute() for sums along axes"
        )));
    }
    static LAZY_SUM: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let lazy_sum = LAZY_SUM.get_or_try_init(py, || -> PyResult<_> {
        let module = PyModule::from_code(
            py,
            pyo3::ffi::c_str!(include_str!("dask_sum.py")),
            c"python_glue/dask_sum.py",
            c"python_glue_dask_sum",
        )?;
        Ok(module.getattr("lazy_sum")?.unbind())
    })?;
    lazy_sum
        .bind(py)
        .call1((
            func,
            x,
            keepdims,
            with.tree_pieces,
            with.sum_of_tree_pieces,
            with.exact_sum,
        ))
        .map(Bound::unbind)
}
