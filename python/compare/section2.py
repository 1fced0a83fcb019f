"""Section 2, "Using Cython's nogil for Multi-threading": the sum on all cores."""

from __future__ import annotations

import numpy as np

from . import numba_peers
from .arrays import SumSection
from .peers import Peer, module_function, python_module, tutorial_cython


def threads() -> str:
    try:
        return str(python_module("parallel_sum").thread_count())
    except Exception:  # not built: the rows say so
        return "?"


SECTION = SumSection(
    key="2",
    title=f"Section 2: sum of a float64 array on all cores ({threads()} threads)",
    baseline="np.sum",
    tutorial="Cython prange, fixed",
    yardstick="parallel unordered",
    peers=[
        Peer("np.sum", "NumPy's pairwise sum, one thread", lambda: np.sum),
        Peer(
            "Cython prange (tutorial)",
            "the tutorial's parallel_sum.pyx, as written",
            lambda: tutorial_cython("parallel_sum", "as written", "parallel_sum"),
        ),
        Peer(
            "Cython prange, fixed",
            "the same without its `with nogil:`, with OpenMP",
            lambda: tutorial_cython("parallel_sum", "fixed", "parallel_sum"),
        ),
        Peer("Numba prange", "@njit(parallel=True) with prange", numba_peers.sum_prange),
        Peer(
            "sum_array",
            "section 1, one thread",
            module_function("fast_operations", "sum_array"),
            ours=True,
        ),
        Peer(
            "parallel_sum",
            "the same tree on rayon's threads",
            module_function("parallel_sum", "parallel_sum"),
            ours=True,
        ),
        Peer(
            "parallel unordered",
            "parallel_sum_unordered: 32 accumulators per thread",
            module_function("parallel_sum", "parallel_sum_unordered"),
            ours=True,
        ),
    ],
)
