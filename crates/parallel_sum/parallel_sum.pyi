"""Section 2 of "NumPy with Cython and C": the sum on all cores, the same bits for every
thread count.
"""

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

def parallel_sum(
    arr: npt.ArrayLike,
    /,
    axis: int | tuple[int, ...] | None = None,
    *,
    keepdims: bool = False,
    threads: int | None = None,
) -> float | int | np.ndarray | np.float64 | np.int64:
    """Return the sum of every value of ``arr`` on all cores, or with ``axis`` its sums along
    those axes: the same bits as ``fast_operations.sum_array(arr, axis, keepdims=keepdims)``
    (and so ``np.sum`` where that one matches it) for every number of threads.

    Takes exactly what ``sum_array`` takes (float64, float32, int32, int64 arrays of any
    shape and strides, and what ``np.asarray`` makes such an array of; ``axis`` and
    ``keepdims`` as ``np.sum`` takes them), returns what it returns and raises the same
    errors for the rest. The GIL is released while summing. Arrays under 65536 values are
    summed on the calling thread alone. The threads share the tree of a float array that is
    one slice in memory, and, for other views and along axes, the runs of values NumPy sums
    apart (a few long runs: each run's tree), or, where NumPy adds a row into the results
    value by value, ranges of that row (rows under 2048 values: one thread); integer sums
    are exact and split anywhere. The thread count
    is ``thread_count()``, set by the ``RAYON_NUM_THREADS`` environment variable;
    ``threads=k`` (an int >= 1, not a bool) uses at most ``k`` of them for this call, with
    the same bits. ``threads`` below 1 is a ``ValueError``, anything but an int or None a
    ``TypeError``.

    A ``dask.array.Array`` gives a lazy result with the same bits, as ``sum_array`` does
    (see there), each chunk's nodes summed on its worker's cores (``threads`` applies there).

    The calling thread sums its share itself, with the process's pool of helper threads
    (one pool, shared with ``array_ops``): calls from several threads run at the same time,
    and a child made by ``os.fork()`` starts helpers of its own.

    >>> import numpy as np
    >>> parallel_sum(np.array([1.0, 2.0, 3.5]), threads=1)
    6.5
    >>> parallel_sum(np.array([[1, 2], [3, 4]]), axis=1)
    array([3, 7])
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

def thread_count() -> int:
    """Return the number of threads ``parallel_sum`` uses.

    It is the ``RAYON_NUM_THREADS`` environment variable when that is set before the first
    sum, else the number of cores; fewer if the system refused to start that many threads.
    The calling thread counts as one.

    >>> thread_count() >= 1
    True
    """

def parallel_sum_unordered(arr: npt.NDArray[np.float64], /) -> float:
    """The fastest sum this machine can do on all threads, in no fixed order: NOT ``np.sum``'s
    bits, and not the same bits for every thread count.

    The comparison's yardstick for ``parallel_sum``'s speed, not a way to sum. Takes a 1-D
    float64 array contiguous in memory.

    >>> import numpy as np
    >>> parallel_sum_unordered(np.array([1.0, 2.0, 3.5]))
    6.5
    """

def tree_pieces(
    chunk: npt.NDArray[np.float64] | npt.NDArray[np.float32],
    offset: tuple[int, ...],
    shape: tuple[int, ...],
    *,
    threads: int | None = None,
) -> _TreePieces:
    """Return what ``chunk`` holds of NumPy's summation tree over a larger array, its nodes
    summed on all cores: the same pieces as ``fast_operations.tree_pieces`` (see there), to
    the bit, for every number of threads.

    ``chunk`` is a float64 or float32 array, the block of a C-ordered array of ``shape`` whose
    first value sits at index ``offset``; returns ``(node_starts, node_lens, node_sums,
    cut_starts, cut_lens, cut_values)``, which ``sum_of_tree_pieces`` sums. ``threads`` as
    ``parallel_sum``'s. Raises ``TypeError`` for other dtypes and ``ValueError`` when the
    chunk does not fit in ``shape`` at ``offset``.

    >>> import numpy as np
    >>> from parallel_sum import sum_of_tree_pieces
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
    whole array. The same function as ``fast_operations.sum_of_tree_pieces`` (see there).

    >>> import numpy as np
    >>> from parallel_sum import tree_pieces
    >>> a = np.arange(10.0).reshape(2, 5)
    >>> sum_of_tree_pieces([tree_pieces(a[:, :2], (0, 0), (2, 5)),
    ...                     tree_pieces(a[:, 2:], (0, 2), (2, 5))], (2, 5))
    45.0
    """
