"""The Numba versions of the tutorial's loops: each compiled (and called once) when loaded,
so that the timing never includes the JIT."""

from __future__ import annotations

import numpy as np

from .peers import Unavailable


def _numba():
    try:
        import numba
    except ImportError as error:
        raise Unavailable(f"numba not installed ({error})") from error
    return numba


def sum_loop():
    numba = _numba()

    @numba.njit
    def sum_array(arr):
        total = 0.0
        for i in range(arr.shape[0]):
            total += arr[i]
        return total

    sum_array(np.ones(3))
    return sum_array


def sum_prange():
    numba = _numba()

    @numba.njit(parallel=True)
    def parallel_sum(arr):
        total = 0.0
        for i in numba.prange(arr.shape[0]):
            total += arr[i]
        return total

    parallel_sum(np.ones(3))
    return parallel_sum


def square_scalar():
    numba = _numba()

    @numba.njit
    def square(x):
        return x * x

    square(5.0)
    return square


def square_in_place():
    numba = _numba()

    @numba.njit
    def square_numpy_array(arr):
        for i in range(arr.shape[0]):
            arr[i] *= arr[i]

    square_numpy_array(np.ones(3))
    return square_numpy_array


def square_ufunc(target: str):
    """The tutorial's scalar square as a NumPy ufunc: ``target="cpu"`` runs one thread,
    ``"parallel"`` splits the array over the cores."""
    numba = _numba()

    # A signature compiles it now, and "parallel" accepts no other way.
    @numba.vectorize(["float64(float64)"], target=target)
    def square(x):
        return x * x

    square(np.ones(3))
    return square
