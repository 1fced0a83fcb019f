"""Section 2 of "NumPy with Cython and C": the sum on all cores, the same bits for every thread count."""

import numpy as np
import numpy.typing as npt

def parallel_sum(arr: npt.NDArray[np.float64 | np.float32 | np.int32 | np.int64], /) -> float | int:
    """Return the sum of every value of ``arr`` on all cores.

    The same bits as ``fast_operations.sum_array(arr)`` for every number of threads, and the
    same input contract: float64, float32, int32, int64 arrays of any shape and strides;
    ``TypeError`` for anything else, ``ValueError`` for more than 32 axes longer than one or
    an array another call is writing right now. The GIL is released while summing. Arrays
    under 65536 values are summed on the calling thread alone. The calling thread sums its
    share itself, beside the process's one pool of helper threads (shared with
    ``array_ops``); calls from several threads run at the same time, and a forked child
    starts helpers of its own.
    """

def thread_count() -> int:
    """The number of threads ``parallel_sum`` uses, the caller included.

    ``RAYON_NUM_THREADS``, else the cores; fewer if the system refused to start that many.
    """

def parallel_sum_unordered(arr: npt.NDArray[np.float64], /) -> float:
    """The fastest sum on all threads, in no fixed order: NOT ``np.sum``'s bits.

    The comparison's yardstick for ``parallel_sum``. Takes a contiguous 1-D float64 array.
    """
