"""Section 4 of "NumPy with Cython and C": the C ``square_array`` on NumPy arrays, safe on every view."""

import numpy as np
import numpy.typing as npt

def square_numpy_array(arr: npt.NDArray[np.float64], /) -> None:
    """Square every value of ``arr`` in place with the tutorial's C ``square_array``.

    Called on each contiguous run of the array's memory, long runs over all cores. Any
    writable float64 array (native byte order, aligned): strided, reversed, N-D (up to 64
    axes), Fortran, empty, 0-d. A view that reaches one memory location more than once (a
    sliding window, a writable broadcast) has each location squared once, as
    ``np.square(arr, out=arr)`` leaves it. ``TypeError`` for other types and dtypes and for
    masked arrays, ``ValueError`` for read-only or misaligned arrays, or an array another
    call is reading or writing right now (nothing is changed then). The GIL is released.
    """

def square_numpy_array_rust(arr: npt.NDArray[np.float64], /) -> None:
    """``square_numpy_array`` with a Rust kernel instead of the C code: same contract, same bits."""
