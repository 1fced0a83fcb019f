"""Section 1 of "NumPy with Cython and C": the typed sum, with NumPy's bits and faster."""

import numpy as np
import numpy.typing as npt

def sum_array(arr: npt.NDArray[np.float64 | np.float32 | np.int32 | np.int64], /) -> float | int:
    """Return the sum of every value of ``arr``, a NumPy array of any shape and strides.

    float64: the same bits as ``np.sum(arr)`` for 1-D arrays (any stride) and for arrays
    contiguous in memory (C or Fortran order); other N-D views are summed in C index order
    (the bits of ``np.sum(np.ascontiguousarray(arr))``). float32 is summed in float64 and
    returned as a float: the bits of ``np.sum(arr.astype(np.float64))``. int32 and int64
    sums are exact Python ints, never wrapped. Byte-swapped or misaligned arrays are copied
    to native, aligned values first (memory order kept): their bits are ``np.sum``'s of that
    copy (``np.sum`` sums such arrays of more than 8192 values in buffered pieces, which can
    give other bits). Up to NumPy's 64 axes, at most 32 of them longer than one. The GIL is
    released while summing arrays of 4096 values or more.

    Raises ``TypeError`` for anything else (lists, other dtypes, masked arrays), and
    ``ValueError`` for more than 32 axes longer than one, or an array another call is
    writing right now (a square on another thread).
    """

def sum_array_naive(arr: npt.NDArray[np.float64], /) -> float:
    """The tutorial's loop in Rust: ``total += arr[i]`` for each ``i`` in order, from ``0.0``.

    Takes a 1-D float64 array (any stride), as the tutorial's Cython; ``TypeError`` otherwise.
    """

def sum_array_unordered(arr: npt.NDArray[np.float64], /) -> float:
    """The fastest sum this machine can do, in no fixed order: NOT ``np.sum``'s bits.

    The comparison's yardstick for ``sum_array``'s speed. Takes a contiguous 1-D float64 array.
    """
