//! The Python module `parallel_sum`: the parallel sums behind section 1's input contract
//! (`python_glue`).

use fast_operations::Overflow;
use fast_operations::chunks::{self, ChunkError, Pieces};
use fast_operations::pairwise::F64Bytes;
use ndarray::{ArrayD, ArrayViewD};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use python_glue::{
    DaskSum, PieceColumns, Sum, SumInput, Sums, TreePieces, is_dask_array, lazy_sum,
    with_contiguous_float64, with_thread_limit,
};

use crate::ParallelSummable;

/// `parallel_sum`'s sums: [`crate::parallel_sum`] for every dtype.
struct Parallel;

impl<T: ParallelSummable> Sum<T> for Parallel
where
    T::Total: for<'py> IntoPyObject<'py>,
    T::AxisTotal: python_glue::Element,
{
    type Total = T::Total;
    fn sum(&self, view: ArrayViewD<'_, T>) -> T::Total {
        crate::parallel_sum(view)
    }
    type AxisTotal = T::AxisTotal;
    type Overflow = Overflow;
    fn sum_axes(
        &self,
        view: ArrayViewD<'_, T>,
        axes: &[usize],
    ) -> Result<ArrayD<T::AxisTotal>, Overflow> {
        crate::parallel_sum_axes(view, axes)
    }
}

impl Sums for Parallel {
    fn sum_f64_slice(&self, values: &[f64]) -> f64 {
        crate::parallel_sum_f64_slice(values)
    }
}

impl TreePieces for Parallel {
    fn pieces_f64(
        &self,
        chunk: ArrayViewD<'_, f64>,
        offset: &[usize],
        shape: &[usize],
    ) -> Result<PieceColumns, String> {
        columns(crate::parallel_tree_pieces(chunk, offset, shape))
    }
    fn pieces_f64_bytes(
        &self,
        bytes: &[u8],
        chunk_shape: &[usize],
        offset: &[usize],
        shape: &[usize],
    ) -> Result<PieceColumns, String> {
        let values = F64Bytes::new(bytes).expect("eight bytes a value");
        columns(crate::parallel_tree_pieces_of_bytes(
            values,
            chunk_shape,
            offset,
            shape,
        ))
    }
    fn pieces_f32(
        &self,
        chunk: ArrayViewD<'_, f32>,
        offset: &[usize],
        shape: &[usize],
    ) -> Result<PieceColumns, String> {
        columns(crate::parallel_tree_pieces(chunk, offset, shape))
    }
}

/// A chunk's pieces as the glue hands them to Python, or why the chunk does not fit.
fn columns(pieces: Result<Pieces, ChunkError>) -> Result<PieceColumns, String> {
    pieces
        .map(Pieces::into_columns)
        .map_err(|why| why.to_string())
}

/// Return the sum of every value of ``arr`` on all cores, or with ``axis`` its sums along
/// those axes: the same bits as ``fast_operations.sum_array(arr, axis, keepdims=keepdims)``
/// (and so ``np.sum`` where that one matches it) for every number of threads.
///
/// Takes exactly what ``sum_array`` takes (float64, float32, int32, int64 arrays of any
/// shape and strides, and what ``np.asarray`` makes such an array of; ``axis`` and
/// ``keepdims`` as ``np.sum`` takes them), returns what it returns and raises the same
/// errors for the rest. The GIL is released while summing. Arrays under 65536 values are
/// summed on the calling thread alone. The threads share the tree of a float array that is
/// one slice in memory, and, for other views and along axes, the runs of values NumPy sums
/// apart (a few long runs: each run's tree), or, where NumPy adds a row into the results
/// value by value, ranges of that row (rows under 2048 values: one thread); integer sums
/// are exact and split anywhere. The thread count
/// is ``thread_count()``, set by the ``RAYON_NUM_THREADS`` environment variable;
/// ``threads=k`` (an int >= 1, not a bool) uses at most ``k`` of them for this call, with
/// the same bits. ``threads`` below 1 is a ``ValueError``, anything but an int or None a
/// ``TypeError``.
///
/// A ``dask.array.Array`` gives a lazy result with the same bits, as ``sum_array`` does
/// (see there), each chunk's nodes summed on its worker's cores (``threads`` applies there).
///
/// The calling thread sums its share itself, with the process's pool of helper threads
/// (one pool, shared with ``array_ops``): calls from several threads run at the same time,
/// and a child made by ``os.fork()`` starts helpers of its own.
///
/// >>> import numpy as np
/// >>> parallel_sum(np.array([1.0, 2.0, 3.5]), threads=1)
/// 6.5
/// >>> parallel_sum(np.array([[1, 2], [3, 4]]), axis=1)
/// array([3, 7])
#[pyfunction(name = "parallel_sum", pass_module)]
#[pyo3(signature = (arr, /, axis=None, *, keepdims=false, threads=None))]
fn parallel_sum_py<'py>(
    module: &Bound<'py, PyModule>,
    arr: &Bound<'py, PyAny>,
    axis: Option<&Bound<'py, PyAny>>,
    keepdims: bool,
    threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    with_thread_limit("parallel_sum", threads, || {
        if is_dask_array(arr)? {
            // Each chunk's work runs on its worker with this call's `threads=`.
            let on_chunks = |name: &str| -> PyResult<Bound<'py, PyAny>> {
                let function = module.getattr(name)?;
                let Some(threads) = threads else {
                    return Ok(function);
                };
                let kwargs = PyDict::new(module.py());
                kwargs.set_item("threads", threads)?;
                let partial = module.py().import("functools")?.getattr("partial")?;
                partial.call((function,), Some(&kwargs))
            };
            let with = DaskSum {
                tree_pieces: on_chunks("tree_pieces")?,
                sum_of_tree_pieces: module.getattr("sum_of_tree_pieces")?,
                exact_sum: on_chunks("parallel_sum")?,
            };
            return lazy_sum("parallel_sum", arr, axis, keepdims, with);
        }
        SumInput::extract("parallel_sum", arr)?.sum_along(&Parallel, axis, keepdims)
    })
}

/// Return what ``chunk`` holds of NumPy's summation tree over a larger array, its nodes
/// summed on all cores: the same pieces as ``fast_operations.tree_pieces`` (see there), to
/// the bit, for every number of threads.
///
/// ``chunk`` is a float64 or float32 array, the block of a C-ordered array of ``shape`` whose
/// first value sits at index ``offset``; returns ``(node_starts, node_lens, node_sums,
/// cut_starts, cut_lens, cut_values)``, which ``sum_of_tree_pieces`` sums. ``threads`` as
/// ``parallel_sum``'s. Raises ``TypeError`` for other dtypes and ``ValueError`` when the
/// chunk does not fit in ``shape`` at ``offset``.
///
/// >>> import numpy as np
/// >>> from parallel_sum import sum_of_tree_pieces
/// >>> a = np.arange(1000.0)
/// >>> pieces = [tree_pieces(a[:300], (0,), a.shape), tree_pieces(a[300:], (300,), a.shape)]
/// >>> sum_of_tree_pieces(pieces, a.shape) == float(np.sum(a))
/// True
#[pyfunction(name = "tree_pieces")]
#[pyo3(signature = (chunk, offset, shape, *, threads=None))]
fn tree_pieces_py<'py>(
    chunk: &Bound<'py, PyAny>,
    offset: &Bound<'py, PyAny>,
    shape: &Bound<'py, PyAny>,
    threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    with_thread_limit("tree_pieces", threads, || {
        python_glue::tree_pieces("tree_pieces", chunk, offset, shape, &Parallel)
    })
}

/// Return the sum of a C-ordered array of ``shape`` from the ``tree_pieces`` of each of its
/// chunks (an iterable, in any order): a Python float with the bits of ``np.sum`` of the
/// whole array. The same function as ``fast_operations.sum_of_tree_pieces`` (see there).
///
/// >>> import numpy as np
/// >>> from parallel_sum import tree_pieces
/// >>> a = np.arange(10.0).reshape(2, 5)
/// >>> sum_of_tree_pieces([tree_pieces(a[:, :2], (0, 0), (2, 5)),
/// ...                     tree_pieces(a[:, 2:], (0, 2), (2, 5))], (2, 5))
/// 45.0
#[pyfunction(name = "sum_of_tree_pieces")]
#[pyo3(signature = (pieces, shape))]
fn sum_of_tree_pieces_py(pieces: &Bound<'_, PyAny>, shape: &Bound<'_, PyAny>) -> PyResult<f64> {
    python_glue::sum_of_tree_pieces("sum_of_tree_pieces", pieces, shape, |nodes, cuts, len| {
        chunks::sum_of_pieces(nodes, cuts, len).map_err(|why| why.to_string())
    })
}

/// Return the number of threads ``parallel_sum`` uses.
///
/// It is the ``RAYON_NUM_THREADS`` environment variable when that is set before the first
/// sum, else the number of cores; fewer if the system refused to start that many threads.
/// The calling thread counts as one.
///
/// >>> thread_count() >= 1
/// True
#[pyfunction]
fn thread_count() -> usize {
    crate::thread_count()
}

/// The fastest sum this machine can do on all threads, in no fixed order: NOT ``np.sum``'s
/// bits, and not the same bits for every thread count.
///
/// The comparison's yardstick for ``parallel_sum``'s speed, not a way to sum. Takes a 1-D
/// float64 array contiguous in memory.
///
/// >>> import numpy as np
/// >>> parallel_sum_unordered(np.array([1.0, 2.0, 3.5]))
/// 6.5
#[pyfunction(name = "parallel_sum_unordered")]
#[pyo3(signature = (arr, /))]
fn parallel_sum_unordered_py(arr: &Bound<'_, PyAny>) -> PyResult<f64> {
    with_contiguous_float64("parallel_sum_unordered", arr, crate::parallel_sum_unordered)
}

/// Section 2 of "NumPy with Cython and C": the sum on all cores, the same bits for every
/// thread count.
#[pymodule]
fn parallel_sum(m: &Bound<'_, PyModule>) -> PyResult<()> {
    python_glue::check_kernel_variable()?;
    m.add_function(wrap_pyfunction!(python_glue::kernel, m)?)?;
    pool::python::share(m.py())?;
    m.add_function(wrap_pyfunction!(parallel_sum_py, m)?)?;
    m.add_function(wrap_pyfunction!(thread_count, m)?)?;
    m.add_function(wrap_pyfunction!(parallel_sum_unordered_py, m)?)?;
    m.add_function(wrap_pyfunction!(tree_pieces_py, m)?)?;
    m.add_function(wrap_pyfunction!(sum_of_tree_pieces_py, m)?)?;
    Ok(())
}
