"""Section 4, "Interfacing NumPy with Cython and C": squaring an array in place, and the same
square as a NumPy ufunc (in place, and into a new array)."""

from __future__ import annotations

import numpy as np

from . import numba_peers
from .arrays import InPlaceSection
from .peers import Peer, module_function, tutorial_cython


def in_place(load_ufunc):
    """A Peer's load: the ufunc that ``load_ufunc()`` returns, called as ``f(a, out=a)``.
    Every peer is called as fn(values), so this one-line def adds one Python call to each
    ufunc's time, NumPy's included."""

    def load():
        ufunc = load_ufunc()

        def square(a):
            ufunc(a, out=a)

        return square

    return load


SECTION = InPlaceSection(
    key="4",
    title="Section 4: square a float64 array in place",
    baseline="np.square(a, out=a)",
    tutorial="Cython + C, renamed",
    peers=[
        Peer(
            "np.square(a, out=a)",
            "NumPy's ufunc, in place (in a one-line def)",
            in_place(lambda: np.square),
        ),
        Peer(
            "Cython + C (tutorial)",
            "the tutorial's array_ops.pyx beside array_ops.c, as written",
            lambda: tutorial_cython("array_ops", "as written", "square_numpy_array"),
        ),
        Peer(
            "Cython + C, renamed",
            "the same renamed array_ops_wrapper.pyx (contiguous input only)",
            lambda: tutorial_cython("array_ops", "fixed", "square_numpy_array"),
        ),
        Peer("Numba loop", "the C loop under @njit", numba_peers.square_in_place),
        Peer(
            "square_numpy_array",
            "the tutorial's C square_array on each run, via Rust",
            module_function("array_ops", "square_numpy_array"),
            ours=True,
        ),
        Peer(
            "square_numpy_array_rust",
            "the same with a Rust kernel",
            module_function("array_ops", "square_numpy_array_rust"),
            ours=True,
        ),
        # The tutorial's scalar square made a ufunc three ways, and ours, each called f(a, out=a).
        Peer(
            "Cython @ufunc",
            "square_ufunc_peer.pyx, the C square as a Cython 3 @cython.ufunc, in place",
            in_place(lambda: tutorial_cython("square_ufunc_peer", "as a peer", "square")),
        ),
        Peer(
            "Numba @vectorize",
            'the same under @vectorize(target="cpu"), in place',
            in_place(lambda: numba_peers.square_ufunc("cpu")),
        ),
        Peer(
            "Numba @vectorize parallel",
            'the same under @vectorize(target="parallel"), in place',
            in_place(lambda: numba_peers.square_ufunc("parallel")),
        ),
        Peer(
            "array_ops.square(a, out=a)",
            "our NumPy ufunc (Rust loops), in place",
            in_place(module_function("array_ops", "square")),
            ours=True,
        ),
    ],
    # These return the squares in a new array (a unchanged): a job of its own, against NumPy's.
    allocating_baseline="np.square(a)",
    allocating=[
        Peer("np.square(a)", "NumPy's ufunc, into a new array", lambda: np.square),
        Peer(
            "array_ops.square(a)",
            "our NumPy ufunc, into a new array",
            module_function("array_ops", "square"),
            ours=True,
        ),
    ],
)
