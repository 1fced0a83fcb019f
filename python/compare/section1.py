"""Section 1, "Using Cython to Speed Up NumPy Operations": the sum of a float64 array."""

from __future__ import annotations

import numpy as np

from . import numba_peers
from .arrays import SumSection
from .peers import Peer, module_function, tutorial_cython

SECTION = SumSection(
    key="1",
    title="Section 1: sum of a float64 array",
    baseline="np.sum",
    tutorial="Cython (tutorial)",
    yardstick="unordered",
    peers=[
        Peer("np.sum", "NumPy's pairwise sum", lambda: np.sum),
        Peer(
            "Cython (tutorial)",
            "the tutorial's fast_operations.pyx, as written",
            lambda: tutorial_cython("fast_operations", "as written", "sum_array"),
        ),
        Peer("Numba loop", "the tutorial's loop under @njit", numba_peers.sum_loop),
        Peer(
            "sum_array",
            "fast_operations.sum_array: NumPy's tree, SIMD",
            module_function("fast_operations", "sum_array"),
            ours=True,
        ),
        Peer(
            "sum_array_naive",
            "the tutorial's loop, in Rust",
            module_function("fast_operations", "sum_array_naive"),
            ours=True,
        ),
        Peer(
            "unordered",
            "fast_operations.sum_array_unordered: 32 accumulators",
            module_function("fast_operations", "sum_array_unordered"),
            ours=True,
        ),
    ],
)
