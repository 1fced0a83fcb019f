"""Faults a user met (issue 18), one section per fault: each test failed before its fix.

Every section names the fault; a new fault gets a new section.
"""

import contextlib
import ctypes
import re
import struct
import sys
import threading
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from array_ops import square_numpy_array, square_numpy_array_rust
from fast_operations import sum_array, sum_array_naive, sum_array_unordered
from parallel_sum import parallel_sum, parallel_sum_unordered

SUMS = [sum_array, parallel_sum]
SQUARES = [square_numpy_array, square_numpy_array_rust]
CRATES = Path(__file__).resolve().parents[2] / "crates"


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def spread(n: int, seed: int = 0) -> np.ndarray:
    """n float64 values of many magnitudes: any change in the order of additions shows."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * np.exp2(rng.integers(-20, 20, n))


@pytest.fixture(params=SUMS, ids=lambda f: f.__name__)
def total(request):
    return request.param


@pytest.fixture(params=SQUARES, ids=lambda f: f.__name__)
def square(request):
    return request.param


# --- Floors (item 10) ----------------------------------------------------------------------
# np.sum's bits for large arrays changed in NumPy 2.3 (1.26, 2.0, 2.2 differ), and NumPy 2.3
# needs Python 3.11: the packages said numpy>=1.21 and Python >= 3.9.


def test_pyproject_floors_are_what_is_promised_and_tested():
    pyprojects = sorted(CRATES.glob("*/pyproject.toml"))
    assert {path.parent.name for path in pyprojects} >= {"fast_operations", "parallel_sum", "array_ops"}
    for path in pyprojects:
        project = tomllib.loads(path.read_text())["project"]
        cargo = (path.parent / "Cargo.toml").read_text()
        takes_arrays = "dep:numpy" in cargo or "fast_operations/python" in cargo
        numpy_floors = [d for d in project.get("dependencies", []) if re.match(r"numpy\b", d)]
        assert project["requires-python"] == ">=3.11", path
        assert numpy_floors == (["numpy>=2.3"] if takes_arrays else []), path
    assert sys.version_info >= (3, 11)
    assert tuple(int(part) for part in np.__version__.split(".")[:2]) >= (2, 3)
