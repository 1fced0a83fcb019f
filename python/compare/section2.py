"""Section 2, "Using Cython's nogil for Multi-threading": the sum on all cores.

np.sum is the baseline; the yardstick is the unordered sum on all threads (the fastest
parallel sum this machine does, in no fixed order).
"""

from __future__ import annotations

import numpy as np

from .arrays import SumSection
from .peers import Peer, python_module


def threads() -> str:
    try:
        return str(python_module("parallel_sum").thread_count())
    except Exception:  # not built: the rows say so
        return "?"


def function(module: str, name: str):
    return lambda: getattr(python_module(module), name)


SECTION = SumSection(
    title=f"Section 2: sum of a float64 array on all cores ({threads()} threads)",
    sizes=[10**3, 10**4, 10**5, 10**6, 10**7, 10**8],
    quick_sizes=[10**4, 10**6],
    baseline="np.sum",
    yardstick="parallel unordered",
    peers=[
        Peer("np.sum", "NumPy's pairwise sum, one thread", lambda: np.sum),
        Peer("sum_array", "section 1, one thread", function("fast_operations", "sum_array")),
        Peer("parallel_sum", "the same tree on rayon's threads", function("parallel_sum", "parallel_sum")),
        Peer("parallel unordered", "parallel_sum_unordered: 32 accumulators per thread",
             function("parallel_sum", "parallel_sum_unordered")),
    ],
)
