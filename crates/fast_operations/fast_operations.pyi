"""Section 1 of "NumPy with Cython and C": the typed sum, with NumPy's bits and faster."""

from collections.abc import Iterable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

# What tree_pieces returns: (node_starts, node_lens, node_sums, cut_starts, cut_lens, cut_values).
_TreePieces: TypeAlias = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]

def sum_array(
    arr: npt.ArrayLike, /, axis: int | tuple[int, ...] | None = None, *, keepdims: bool = False
) -> float | int | np.ndarray | np.float64 | np.int64:
    """Return the sum of every value of ``arr``, or with ``axis`` its sums along those axes: what
    ``np.sum(arr, axis=axis, keepdims=keepdims)`` returns, with its bits.

    ``arr`` is a NumPy array of any shape and strides. Anything else goes through
    ``np.asarray`` first: lists, tuples, nested sequences, Python and NumPy scalars, objects
    with ``__array__``, with the dtype NumPy gives them (a list of Python ints is int64, of
    floats float64). An ndarray is read as it is, never copied by ``np.asarray``.

    float64: the same bits as ``np.sum(arr, axis=axis, keepdims=keepdims)`` for every array
    and view (any strides, negative too, transposed, broadcast), each sum's values added in
    the order NumPy's reduction adds them. float32 is summed in float64, in the same order:
    the bits of ``np.sum(arr.astype(np.float64), axis=axis)`` for C, Fortran and 1-D arrays.
    int32 and int64 sums are exact.

    Without ``axis`` and ``keepdims``: a Python float or int (exact, never wrapped). With
    ``axis`` (an int, negative counting from the end, or a tuple of ints; ``()`` sums
    nothing) or ``keepdims=True`` (the summed axes stay, of length one): an array of NumPy's
    shape, or a NumPy scalar where that has no axes; float64 for float input, int64 for
    integer input, and an ``OverflowError`` naming the axis where an integer sum does not fit
    in int64, never a wrapped value.

    A ``dask.array.Array`` gives a lazy 0-d Dask array (with ``keepdims``, one of length one
    on each axis) that computes to what ``sum_array(x.compute())`` gives, a float as a NumPy
    float64 (as Dask's own sums): ``np.sum``'s bits of the C-ordered array for float64, for
    any chunking and any number of workers. Each chunk sends its ``tree_pieces`` (a few KB
    where chunks span the trailing axes whole), one task adds them up with
    ``sum_of_tree_pieces``; integer chunks send their exact sums. ``axis`` must be None there
    (a ``ValueError``); chunks must be NumPy arrays, of known sizes. Dask is never imported by
    this module.

    Byte-swapped or misaligned arrays are copied to native, aligned values first (memory
    order kept), so their bits are ``np.sum``'s of that copy (``np.sum`` sums such arrays of
    more than 8192 values in buffered pieces, which can give other bits). Up to NumPy's 64
    axes, of which at most 32 longer than one.

    Raises ``TypeError`` for other dtypes (bool, complex, unsigned, strings, objects...,
    after ``np.asarray`` too), masked arrays and an ``axis`` that is not an int or a tuple of
    ints, ``numpy.exceptions.AxisError`` (a ``ValueError``) for an axis the array does not
    have, and ``ValueError`` for an axis given twice, more than 32 axes longer than one, or an
    array another call is writing right now (a square on another thread); what
    ``np.asarray`` raises (a ragged list: ``ValueError``) passes through. The GIL is released
    while summing arrays of 4096 values or more.

    >>> import numpy as np
    >>> sum_array(np.array([1.0, 2.0, 3.5]))
    6.5
    >>> sum_array([[1, 2], [3, 4]])
    10
    >>> sum_array(np.array([[1.0, 2.0], [3.0, 4.5]]), axis=0)
    array([4. , 6.5])
    """

def sum_array_naive(arr: npt.NDArray[np.float64], /) -> float:
    """The tutorial's loop in Rust: ``total += arr[i]`` for each ``i`` in order, from ``0.0``.

    Takes what the tutorial's Cython takes, a 1-D float64 array (any stride); raises
    ``TypeError`` for anything else. Kept for the comparison: its rounding error grows with
    the length, and it is slower than ``sum_array``.

    >>> import numpy as np
    >>> sum_array_naive(np.array([1.0, 2.0, 3.5]))
    6.5
    """

def sum_array_unordered(arr: npt.NDArray[np.float64], /) -> float:
    """The fastest sum this machine can do, in no fixed order: NOT ``np.sum``'s bits.

    The comparison's yardstick for ``sum_array``'s speed, not a way to sum. Takes a 1-D
    float64 array contiguous in memory.

    >>> import numpy as np
    >>> sum_array_unordered(np.array([1.0, 2.0, 3.5]))
    6.5
    """

def kernel() -> str:
    """The name of the SIMD kernel this module runs: ``"avx512"``, ``"avx2"`` or
    ``"baseline"`` on x86-64, ``"neon"`` or ``"baseline"`` on ARM.

    The widest this CPU has, unless the environment variable ``FAST_OPERATIONS_KERNEL`` names
    one: then every kernel of the module runs that one, for every element type. The module
    reads the variable once, when it is imported (a later change to ``os.environ`` changes
    nothing); a kernel the CPU cannot run makes the import raise ``ValueError``. Every kernel
    gives the same results; they differ only in speed. (Unforced, sums of one slice take a
    narrower copy where it measured faster: float32 AVX2 on AVX-512 CPUs, float64 AVX2 on AMD
    CPUs.)

    >>> kernel() in ("avx512", "avx2", "neon", "baseline")
    True
    """

def tree_pieces(
    chunk: npt.NDArray[np.float64] | npt.NDArray[np.float32],
    offset: tuple[int, ...],
    shape: tuple[int, ...],
) -> _TreePieces:
    """Return what ``chunk`` holds of NumPy's summation tree over a larger array: the pieces
    ``sum_of_tree_pieces`` sums the whole array from, with ``np.sum``'s bits.

    ``chunk`` is a float64 or float32 array (any layout: it is read in C order), the block of
    a C-ordered array of ``shape`` (a tuple of ints) whose first value sits at index
    ``offset`` (a tuple of ints, one per axis). This is how ``sum_array`` sums a Dask array,
    and how to sum an array cut into chunks with any other framework (MPI, Ray...): each
    chunk's pieces where the chunk lies, then ``sum_of_tree_pieces`` of all of them.

    The pieces: the sums of the tree's largest nodes that lie wholly inside the chunk, and its
    values (as float64) of the leaves (at most 128 values) its edges cut, as six 1-D arrays
    ``(node_starts, node_lens, node_sums, cut_starts, cut_lens, cut_values)`` (int64, int64,
    float64, int64, int64, float64; starts are flat C-order indices in the whole array). A
    chunk that spans the array's trailing axes whole (any chunk of a 1-D array) gives a few
    KB whatever its size; one that cuts the last axis, that much per row it holds.

    Raises ``TypeError`` for other dtypes (integer sums are exact: sum the chunks with
    ``sum_array`` and add them up) and what ``sum_array`` refuses, and ``ValueError`` when the
    chunk does not fit in ``shape`` at ``offset``. The GIL is released for large chunks.

    >>> import numpy as np
    >>> from fast_operations import sum_of_tree_pieces
    >>> a = np.arange(1000.0)
    >>> pieces = [tree_pieces(a[:300], (0,), a.shape), tree_pieces(a[300:], (300,), a.shape)]
    >>> sum_of_tree_pieces(pieces, a.shape) == float(np.sum(a))
    True
    """

def sum_of_tree_pieces(
    pieces: Iterable[_TreePieces],
    shape: tuple[int, ...],
) -> float:
    """Return the sum of a C-ordered array of ``shape`` from the ``tree_pieces`` of each of its
    chunks (an iterable, in any order): a Python float with the bits of ``np.sum`` of the
    whole array (and ``sum_array``'s for float32).

    Raises ``ValueError`` when the pieces do not cover the array exactly once (a chunk
    missing or given twice), ``TypeError`` for what is not ``tree_pieces`` results.

    >>> import numpy as np
    >>> from fast_operations import tree_pieces
    >>> a = np.arange(10.0).reshape(2, 5)
    >>> sum_of_tree_pieces([tree_pieces(a[:, :2], (0, 0), (2, 5)),
    ...                     tree_pieces(a[:, 2:], (0, 2), (2, 5))], (2, 5))
    45.0
    """
