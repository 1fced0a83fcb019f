//! A chunk's tree pieces as Python holds them (`tree_pieces`, `sum_of_tree_pieces`): six
//! 1-D arrays, which pickle into a few KB, and read back for the sum of every chunk's.

use ndarray::ArrayViewD;
use numpy::{
    Element, IntoPyArray, PyArray1, PyArrayDyn, PyArrayMethods, PyReadonlyArray1, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::sum::Dtype;
use crate::{InputError, Op, SumInput, catch_panics, is_masked, release_gil, type_name};

/// A chunk's pieces, as columns: `fast_operations::chunks::Pieces::into_columns`'s
/// (node_starts, node_lens, node_sums, cut_starts, cut_lens, cut_values).
pub type PieceColumns = (
    Vec<usize>,
    Vec<usize>,
    Vec<f64>,
    Vec<usize>,
    Vec<usize>,
    Vec<f64>,
);

/// How a module computes a chunk's pieces, for each float dtype: the module's core, serial
/// or on the pool. `Err` says why the chunk does not fit where it is said to be.
pub trait TreePieces: Sync {
    /// The pieces of a float64 chunk.
    fn pieces_f64(
        &self,
        chunk: ArrayViewD<'_, f64>,
        offset: &[usize],
        shape: &[usize],
    ) -> Result<PieceColumns, String>;
    /// The pieces of a float64 chunk in C order whose values are at any address: `bytes`,
    /// eight a value, native byte order.
    fn pieces_f64_bytes(
        &self,
        bytes: &[u8],
        chunk_shape: &[usize],
        offset: &[usize],
        shape: &[usize],
    ) -> Result<PieceColumns, String>;
    /// The pieces of a float32 chunk.
    fn pieces_f32(
        &self,
        chunk: ArrayViewD<'_, f32>,
        offset: &[usize],
        shape: &[usize],
    ) -> Result<PieceColumns, String>;
}

const PIECES: &str = "(node_starts, node_lens, node_sums, cut_starts, cut_lens, cut_values)";

/// `tree_pieces(chunk, offset, shape)`: the pieces `pieces` computes of `chunk`, a float64 or
/// float32 array, as a tuple of six 1-D arrays ([`PIECES`]; int64 and float64).
pub fn tree_pieces<'py>(
    func: &'static str,
    chunk: &Bound<'py, PyAny>,
    offset: &Bound<'py, PyAny>,
    shape: &Bound<'py, PyAny>,
    pieces: &impl TreePieces,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = chunk.py();
    let offset = indices(func, "offset", offset)?;
    let shape = indices(func, "shape", shape)?;
    if let Some(misaligned) = misaligned_float64(chunk)? {
        // Copied, a chunk received over the network would cost a fresh array as large as it.
        let values = misaligned
            .try_readonly()
            .map_err(|_| InputError::Borrowed { func, op: Op::Sum })?;
        let chunk_shape = values.shape().to_vec();
        let len = values.len() * 8;
        // SAFETY: a C-contiguous array's `len` values lie in `len * 8` bytes from its data
        // pointer, which u8 reads at any alignment; the read-only borrow (held until the
        // end of this scope) keeps Rust writers out while the slice lives.
        let bytes = unsafe { std::slice::from_raw_parts(values.data().cast::<u8>(), len) };
        let columns = catch_panics(func, || {
            Ok(release_gil(py, len / 8, || {
                pieces.pieces_f64_bytes(bytes, &chunk_shape, &offset, &shape)
            }))
        })?;
        return pieces_into_py(func, py, columns);
    }
    let input = SumInput::extract(func, chunk)?;
    catch_panics(func, || {
        let columns = match input.dtype() {
            Dtype::F64 => {
                let values = input.typed::<f64>()?;
                let view = values.as_array();
                release_gil(py, view.len(), || pieces.pieces_f64(view, &offset, &shape))
            }
            Dtype::F32 => {
                let values = input.typed::<f32>()?;
                let view = values.as_array();
                release_gil(py, view.len(), || pieces.pieces_f32(view, &offset, &shape))
            }
            Dtype::I64 | Dtype::I32 => {
                return Err(InputError::Dtype {
                    func,
                    expected: "float64 or float32 (integer sums are exact in any order)",
                    got: crate::dtype_name(input.array()),
                }
                .into());
            }
        };
        pieces_into_py(func, py, columns)
    })
}

/// `chunk` as a float64 array to read as bytes: native byte order, C-contiguous, and
/// misaligned (every other array goes the way every sum's argument goes).
fn misaligned_float64<'py>(
    chunk: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyArrayDyn<f64>>>> {
    let Ok(array) = chunk.cast::<PyArrayDyn<f64>>() else {
        return Ok(None);
    };
    if array.is_aligned() || !array.is_c_contiguous() || is_masked(array.as_untyped())? {
        return Ok(None);
    }
    Ok(Some(array.clone()))
}

/// The pieces as Python gets them: a tuple of six 1-D arrays ([`PIECES`]), or the
/// `ValueError` that says why the chunk does not fit.
fn pieces_into_py<'py>(
    func: &'static str,
    py: Python<'py>,
    columns: Result<PieceColumns, String>,
) -> PyResult<Bound<'py, PyTuple>> {
    let (node_starts, node_lens, node_sums, cut_starts, cut_lens, cut_values) =
        columns.map_err(|why| PyValueError::new_err(format!("{func}(): {why}")))?;
    let ints = |v: Vec<usize>| {
        let v: Vec<i64> = v.into_iter().map(|x| x as i64).collect();
        v.into_pyarray(py).into_any()
    };
    let floats = |v: Vec<f64>| v.into_pyarray(py).into_any();
    PyTuple::new(
        py,
        [
            ints(node_starts),
            ints(node_lens),
            floats(node_sums),
            ints(cut_starts),
            ints(cut_lens),
            floats(cut_values),
        ],
    )
}

/// One chunk's pieces, read back from Python.
struct ReadPieces<'py> {
    node_starts: PyReadonlyArray1<'py, i64>,
    node_lens: PyReadonlyArray1<'py, i64>,
    node_sums: PyReadonlyArray1<'py, f64>,
    cut_starts: PyReadonlyArray1<'py, i64>,
    cut_lens: PyReadonlyArray1<'py, i64>,
    cut_values: PyReadonlyArray1<'py, f64>,
}

impl<'py> ReadPieces<'py> {
    /// The nodes: (first flat index, number of values, sum).
    fn nodes(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        let starts = self.node_starts.as_array().into_iter();
        let places = starts.zip(self.node_lens.as_array());
        let sums = self.node_sums.as_array();
        places
            .zip(sums)
            .map(|((&start, &len), &sum)| (start as usize, len as usize, sum))
    }

    /// The cuts: (first flat index, values).
    fn cuts(&self) -> impl Iterator<Item = (usize, &[f64])> + '_ {
        let mut values = self
            .cut_values
            .as_slice()
            .expect("made contiguous when read");
        let starts = self.cut_starts.as_array().into_iter();
        starts
            .zip(self.cut_lens.as_array())
            .map(move |(&start, &len)| {
                let (cut, rest) = values.split_at(len as usize);
                values = rest;
                (start as usize, cut)
            })
    }

    fn read(func: &'static str, item: &Bound<'py, PyAny>) -> PyResult<ReadPieces<'py>> {
        // What came, named as precisely as the first thing that is not as expected.
        let refuse = |got: String| {
            PyTypeError::new_err(format!(
                "{func}(): expected a list of tree_pieces() results, tuples of six 1-D arrays \
                 {PIECES} (int64, int64, float64, int64, int64, float64), got {got}"
            ))
        };
        let tuple = item
            .cast::<PyTuple>()
            .map_err(|_| refuse(format!("a {} among them", type_name(item))))?;
        if tuple.len() != 6 {
            return Err(refuse(format!("a tuple of {} among them", tuple.len())));
        }
        let get = |i: usize| tuple.get_item(i);
        let read = ReadPieces {
            node_starts: column(func, &get(0)?, "node_starts", refuse)?,
            node_lens: column(func, &get(1)?, "node_lens", refuse)?,
            node_sums: column(func, &get(2)?, "node_sums", refuse)?,
            cut_starts: column(func, &get(3)?, "cut_starts", refuse)?,
            cut_lens: column(func, &get(4)?, "cut_lens", refuse)?,
            cut_values: column(func, &get(5)?, "cut_values", refuse)?,
        };
        let nodes = read.node_starts.len();
        let cuts = read.cut_starts.len();
        let lens = read.cut_lens.as_array();
        let consistent = read.node_lens.len() == nodes
            && read.node_sums.len() == nodes
            && read.cut_lens.len() == cuts
            && [
                &read.node_starts,
                &read.node_lens,
                &read.cut_starts,
                &read.cut_lens,
            ]
            .iter()
            .all(|a| a.as_array().iter().all(|&x| x >= 0))
            && lens
                .iter()
                .try_fold(0u64, |total, &len| total.checked_add(len as u64))
                == Some(read.cut_values.len() as u64);
        if !consistent {
            return Err(PyValueError::new_err(format!(
                "{func}(): these are not tree_pieces() results: the arrays' lengths or signs do \
                 not match {PIECES}"
            )));
        }
        Ok(read)
    }
}

/// One of a chunk's six arrays, of `T`, readable in place: pieces that travelled may arrive
/// misaligned (a network buffer), and are then copied (they are a few KB).
fn column<'py, T: Element>(
    func: &'static str,
    obj: &Bound<'py, PyAny>,
    name: &str,
    refuse: impl Fn(String) -> PyErr,
) -> PyResult<PyReadonlyArray1<'py, T>> {
    let array = obj.cast::<PyArray1<T>>().map_err(|_| {
        let got = match obj.cast::<PyUntypedArray>() {
            Ok(array) => format!("{}-D {}", array.ndim(), crate::dtype_name(array)),
            Err(_) => type_name(obj),
        };
        refuse(format!("{name} a {got} among them"))
    })?;
    let array = if array.is_aligned() && array.is_contiguous() {
        array.clone()
    } else {
        let aligned = obj.py().import("numpy")?.getattr("require")?;
        let copy = aligned.call1((array, array.dtype(), ("C", "A")))?;
        copy.cast_into::<PyArray1<T>>().map_err(PyErr::from)?
    };
    array
        .try_readonly()
        .map_err(|_| InputError::Borrowed { func, op: Op::Sum }.into())
}

/// `sum_of_tree_pieces(pieces, shape)`: `sum` of every chunk's pieces read from the Python
/// iterable `pieces` (its nodes as (start, len, sum), its cuts as (start, values)), for an
/// array of `shape`, the GIL released; `sum`'s `Err` says why the pieces do not cover the
/// array (a `ValueError`).
#[allow(clippy::type_complexity)]
pub fn sum_of_tree_pieces(
    func: &'static str,
    pieces: &Bound<'_, PyAny>,
    shape: &Bound<'_, PyAny>,
    sum: impl FnOnce(Vec<(usize, usize, f64)>, Vec<(usize, &[f64])>, usize) -> Result<f64, String>
    + Send,
) -> PyResult<f64> {
    let py = pieces.py();
    let read = pieces
        .try_iter()?
        .map(|item| ReadPieces::read(func, &item?))
        .collect::<PyResult<Vec<_>>>()?;
    let shape = indices(func, "shape", shape)?;
    let len = shape
        .iter()
        .try_fold(1usize, |n, &axis| n.checked_mul(axis))
        .ok_or_else(|| PyValueError::new_err(format!("{func}(): shape {shape:?} is too large")))?;
    let nodes: Vec<_> = read.iter().flat_map(ReadPieces::nodes).collect();
    let cuts: Vec<_> = read.iter().flat_map(ReadPieces::cuts).collect();
    let values = nodes.len() + cuts.iter().map(|(_, values)| values.len()).sum::<usize>();
    catch_panics(func, || {
        release_gil(py, values, || sum(nodes, cuts, len))
            .map_err(|why| PyValueError::new_err(format!("{func}(): {why}")))
    })
}

/// `obj`, a tuple (or list) of ints >= 0: an offset or a shape.
fn indices(func: &'static str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let items: Vec<Bound<'_, PyAny>> = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{func}(): expected {name} as a tuple of ints, got {}",
            type_name(obj)
        ))
    })?;
    items
        .iter()
        .map(|item| {
            // u64 extraction calls `__index__`: NumPy integers are ints, floats are not.
            item.extract::<u64>().map_err(|error| {
                if error.is_instance_of::<PyOverflowError>(obj.py()) {
                    PyValueError::new_err(format!(
                        "{func}(): expected {name} as ints from 0 to 2**63 - 1, got {}",
                        obj.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                    ))
                } else {
                    PyTypeError::new_err(format!(
                        "{func}(): expected {name} as a tuple of ints, got a {} in it",
                        type_name(item)
                    ))
                }
            })
        })
        .map(|index| {
            let index = index?;
            usize::try_from(index)
                .ok()
                .filter(|&i| i <= isize::MAX as usize)
                .ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "{func}(): expected {name} as ints from 0 to 2**63 - 1, got {index}"
                    ))
                })
        })
        .collect()
}
