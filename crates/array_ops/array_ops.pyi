"""Section 4 of "NumPy with Cython and C": the C ``square_array`` on NumPy arrays, safe on
every view.
"""

import numpy as np
import numpy.typing as npt

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

def square_numpy_array(arr: npt.NDArray[np.float64], /) -> None:
    """Square every value of ``arr`` in place with the tutorial's C ``square_array``.

    The C function is called on each contiguous run of the array's memory (one run for a
    contiguous array in any order, reversed included; one per row when rows have gaps; one per
    value for a view like ``a[::3]``), and long runs are shared out over all cores. Works on
    any writable float64 array: strided, reversed, N-D (up to NumPy's 64 axes),
    Fortran-order, empty, 0-d. A view that reaches one memory location more than once (a
    sliding window, a writable broadcast) has each location squared once, as
    ``np.square(arr, out=arr)`` leaves it.

    Raises ``TypeError`` for anything but a float64 ndarray in native byte order (masked
    arrays included), and ``ValueError`` for read-only or misaligned arrays, or an array
    another call is using at the same moment (a sum or square on another thread); nothing is
    changed then. The GIL is released while squaring.

    >>> import numpy as np
    >>> a = np.array([1.0, 2.0, 3.0])
    >>> square_numpy_array(a)
    >>> a
    array([1., 4., 9.])
    """

def square_numpy_array_rust(arr: npt.NDArray[np.float64], /, *, threads: int | None = None) -> None:
    """Square every value of ``arr`` in place with a Rust kernel: ``square_numpy_array``'s
    contract and bits, without the C code.

    ``threads=k`` (an int >= 1, not a bool) shares long runs out over at most ``k`` of the
    pool's threads, the calling thread among them; the default, None, over all of them.
    ``threads`` below 1 is a ``ValueError``, anything but an int or None a ``TypeError``;
    nothing is changed then.

    >>> import numpy as np
    >>> a = np.array([[1.0, -2.0], [3.0, 0.5]])
    >>> square_numpy_array_rust(a.T, threads=1)
    >>> a
    array([[1.  , 4.  ],
           [9.  , 0.25]])
    """

square: np.ufunc
"""Square element-wise, as np.square does, with the tutorial's C square_array where it can.

A NumPy ufunc with loops for float64, float32, int64 and int32 (other dtypes are cast to the
first of these they cast to safely; integer squares wrap on overflow, as np.square's do). The
float64 loop squares a contiguous run in place (out=x) with the tutorial's C square_array, and
every other run with a Rust kernel; long runs are shared out over all cores. NumPy does the
rest, as for np.square: scalars and lists, broadcasting, out=, where=, dtype=, casting=,
overlapping operands, and __array_ufunc__ overrides (Dask arrays, xarray objects, masked
arrays).

>>> import numpy as np
>>> square(np.array([1.0, -2.0, 3.0]))
array([1., 4., 9.])
"""
