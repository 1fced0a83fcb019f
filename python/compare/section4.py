"""Section 4, "Interfacing NumPy with Cython and C": squaring an array in place.

NumPy's own in-place square is the baseline.
"""

from __future__ import annotations

import numpy as np

from .arrays import InPlaceSection
from .peers import Peer, python_module


def array_ops(name: str):
    return lambda: getattr(python_module("array_ops"), name)


def numpy_square(a):
    np.square(a, out=a)


SECTION = InPlaceSection(
    title="Section 4: square a float64 array in place",
    sizes=[10**3, 10**4, 10**5, 10**6, 10**7, 10**8],
    quick_sizes=[10**3, 10**5],
    baseline="np.square(a, out=a)",
    peers=[
        Peer("np.square(a, out=a)", "NumPy's ufunc, in place", lambda: numpy_square),
        Peer("square_numpy_array", "the tutorial's C square_array on each run, via Rust",
             array_ops("square_numpy_array")),
        Peer("square_numpy_array_rust", "the same with a Rust kernel",
             array_ops("square_numpy_array_rust")),
    ],
)
