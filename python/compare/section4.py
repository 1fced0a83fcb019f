"""Section 4, "Interfacing NumPy with Cython and C": squaring an array in place."""

from __future__ import annotations

import numpy as np

from . import numba_peers
from .arrays import InPlaceSection
from .peers import Peer, module_function, tutorial_cython



def numpy_square(a):
    # Every peer is called as fn(values); this def adds one Python call to NumPy's time.
    np.square(a, out=a)


SECTION = InPlaceSection(
    key="4",
    title="Section 4: square a float64 array in place",
    baseline="np.square(a, out=a)",
    tutorial="Cython + C, renamed",
    peers=[
        Peer("np.square(a, out=a)", "NumPy's ufunc, in place (in a one-line def)", lambda: numpy_square),
        Peer("Cython + C (tutorial)", "the tutorial's array_ops.pyx beside array_ops.c, as written",
             lambda: tutorial_cython("array_ops", "as written", "square_numpy_array")),
        Peer("Cython + C, renamed", "the same renamed array_ops_wrapper.pyx (contiguous input only)",
             lambda: tutorial_cython("array_ops", "fixed", "square_numpy_array")),
        Peer("Numba loop", "the C loop under @njit", numba_peers.square_in_place),
        Peer("square_numpy_array", "the tutorial's C square_array on each run, via Rust",
             module_function("array_ops", "square_numpy_array")),
        Peer("square_numpy_array_rust", "the same with a Rust kernel", module_function("array_ops", "square_numpy_array_rust")),
    ],
)
