"""Section 1, "Using Cython to Speed Up NumPy Operations": the sum of a float64 array.

np.sum is the baseline; the unordered many-accumulator sum is the yardstick (the fastest sum
this machine does, in no fixed order).
"""

from __future__ import annotations

import numpy as np

from .arrays import SumSection
from .peers import Peer, python_module


def fast_operations(name: str):
    return lambda: getattr(python_module("fast_operations"), name)


SECTION = SumSection(
    title="Section 1: sum of a float64 array",
    sizes=[10**3, 10**4, 10**5, 10**6, 10**7, 10**8],
    quick_sizes=[10**3, 10**4, 10**5],
    baseline="np.sum",
    yardstick="unordered",
    peers=[
        Peer("np.sum", "NumPy's pairwise sum", lambda: np.sum),
        Peer("sum_array", "fast_operations.sum_array: NumPy's tree, SIMD", fast_operations("sum_array")),
        Peer("sum_array_naive", "the tutorial's loop, in Rust", fast_operations("sum_array_naive")),
        Peer("unordered", "fast_operations.sum_array_unordered: 32 accumulators",
             fast_operations("sum_array_unordered")),
    ],
)
