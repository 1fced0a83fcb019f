"""Section 1 beyond the shared sum contract: the tutorial's loop, the yardstick, the surface."""

import inspect
import math

import fast_operations
import numpy as np
import pytest
from fast_operations import sum_array, sum_array_naive, sum_array_unordered
from helpers import assert_docstring_example_runs, assert_ships_stub, misaligned


def in_order(values) -> float:
    total = 0.0
    for x in values:
        total += float(x)
    return total


@pytest.mark.parametrize("n", [0, 1, 10, 1000, 100_003])
def test_naive_is_the_tutorials_loop_in_order(n):
    a = np.random.default_rng(n).standard_normal(n) * 1e6
    assert sum_array_naive(a) == in_order(a)
    assert sum_array_naive(a[::-3]) == in_order(a[::-3])


def test_naive_shows_the_tutorials_rounding_error_and_sum_array_does_not():
    tenths = np.full(10**7, 0.1)
    exact = math.fsum(tenths)
    assert abs(sum_array_naive(tenths) - exact) > 1e-4
    assert sum_array(tenths) == np.sum(tenths) == exact


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (np.zeros((2, 2)), TypeError, "1-D array, got a 2-D"),
        (np.array(1.0), TypeError, "1-D array, got a 0-D"),
        (np.zeros(3, dtype=np.float32), TypeError, "float64, got an array of float32"),
        (np.zeros(3, dtype=np.int64), TypeError, "float64, got an array of int64"),
        ([1.0], TypeError, "got list"),
        (None, TypeError, "got NoneType"),
    ],
)
def test_naive_takes_what_the_tutorial_declares(bad, error, words):
    with pytest.raises(error, match=words):
        sum_array_naive(bad)


def test_naive_reads_byte_swapped_and_misaligned_input():
    a = np.random.default_rng(0).standard_normal(1001)
    assert sum_array_naive(a.astype(">f8")) == in_order(a)
    assert sum_array_naive(misaligned(a, offset=3)) == in_order(a)


def test_unordered_sum_is_a_sum_of_contiguous_float64():
    a = np.arange(100_003, dtype=np.float64) - 50_000  # integers: exact in any order
    assert sum_array_unordered(a) == math.fsum(a)
    assert sum_array_unordered(np.zeros(0)) == 0.0
    with pytest.raises(ValueError, match="contiguous"):
        sum_array_unordered(a[::2])
    with pytest.raises(TypeError, match="float64"):
        sum_array_unordered(a.astype(np.float32))


FUNCTIONS = [
    sum_array,
    sum_array_naive,
    sum_array_unordered,
    fast_operations.tree_pieces,
    fast_operations.sum_of_tree_pieces,
    fast_operations.kernel,
]
SIGNATURES = {
    "kernel": "()",
    "sum_array": "(arr, /, axis=None, *, keepdims=False)",
    "tree_pieces": "(chunk, offset, shape)",
    "sum_of_tree_pieces": "(pieces, shape)",
}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_docstring_example_runs(function):
    assert_docstring_example_runs(function)
    expected = SIGNATURES.get(function.__name__, "(arr, /)")
    assert str(inspect.signature(function)) == expected


def test_ships_type_stub_for_every_function():
    assert_ships_stub(fast_operations, {f.__name__ for f in FUNCTIONS})
