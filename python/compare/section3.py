"""Section 3, "Calling C Functions from NumPy": ``square(5.0)`` through every path.

The tutorial calls its C ``square`` through ctypes, so ctypes is the baseline.
"""

from __future__ import annotations

import ctypes

import numpy as np

from . import numba_peers
from .peers import Peer, Unavailable, python_module, shared_library
from .scalar import ScalarSection


def python_def():
    def square(x):
        return x * x

    return square


def ctypes_library(name: str):
    # The tutorial's lines, with the library path as the only change.
    lib = ctypes.CDLL(str(shared_library(name)))
    lib.square.argtypes = [ctypes.c_double]
    lib.square.restype = ctypes.c_double
    return lib.square


def cffi_abi(name: str):
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("double square(double x);")
    return ffi.dlopen(str(shared_library(name))).square


def cffi_api():
    """cffi's API mode: the C file compiled into a CPython extension of cffi's making."""
    import importlib.util

    import cffi

    from .peers import ROOT

    ffi = cffi.FFI()
    ffi.cdef("double square(double x);")
    ffi.set_source("_math_functions_cffi", (ROOT / "c_src" / "math_functions.c").read_text())
    try:
        library = ffi.compile(tmpdir=str(ROOT / "build" / "cffi"))
    except Exception as error:  # no compiler, no setuptools: say so in the table
        raise Unavailable(f"cffi API mode does not build here: {error}") from error
    spec = importlib.util.spec_from_file_location("_math_functions_cffi", library)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lib.square


SECTION = ScalarSection(
    key="3",
    title="Section 3: square(5.0), one scalar through each path",
    argument=5.0,
    expected=25.0,
    baseline="ctypes -> C",
    peers=[
        Peer("Python def", "def square(x): return x * x", python_def),
        Peer("np.square", "NumPy's ufunc on a Python float", lambda: np.square),
        Peer("Numba", "@njit def square(x): return x * x", numba_peers.square_scalar),
        Peer(
            "ctypes -> C",
            "the tutorial: gcc -shared math_functions.c, ctypes.CDLL",
            lambda: ctypes_library("math_functions.so"),
        ),
        Peer(
            "ctypes -> Rust",
            "the same ctypes lines on a Rust cdylib (math_functions_rust.so)",
            lambda: ctypes_library("math_functions_rust.so"),
            ours=True,
        ),
        Peer(
            "ctypes -> C -O3",
            "the same ctypes lines, the C built with -O3",
            lambda: ctypes_library("math_functions_O3.so"),
        ),
        Peer(
            "cffi ABI -> C",
            "cffi.FFI().dlopen(math_functions.so)",
            lambda: cffi_abi("math_functions.so"),
        ),
        Peer("cffi API -> C", "cffi.FFI().set_source(math_functions.c), compiled", cffi_api),
        Peer(
            "PyO3 -> Rust",
            "math_functions.square",
            lambda: python_module("math_functions").square,
            ours=True,
        ),
        Peer(
            "PyO3 -> C",
            "math_functions.square_c: the C file via cc and Rust FFI",
            lambda: python_module("math_functions").square_c,
            ours=True,
        ),
    ],
)
