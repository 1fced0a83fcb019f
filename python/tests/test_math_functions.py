"""Section 3: ``math_functions.square`` (Rust) and ``square_c`` (the tutorial's C through Rust)."""

import decimal
import fractions
import inspect
import math

import math_functions
import numpy as np
import pytest
from helpers import assert_docstring_example_runs, assert_same_float, assert_ships_stub
from hypothesis import given
from hypothesis import strategies as st

SQUARES = [math_functions.square, math_functions.square_c]


@pytest.fixture(params=SQUARES, ids=lambda f: f.__name__)
def square(request):
    return request.param


@pytest.mark.parametrize(
    "x, expected",
    [
        (5.0, 25.0),
        (-3.0, 9.0),
        (0.1, 0.010000000000000002),
        (0.0, 0.0),
        (-0.0, 0.0),  # +0.0, not -0.0
        (math.inf, math.inf),
        (-math.inf, math.inf),
        (math.nan, math.nan),
        (1e155, math.inf),  # overflow
        (1e-155, 1e-310),  # underflow to a subnormal
        (5e-324, 0.0),  # a subnormal squares to zero
    ],
)
def test_special_values(square, x, expected):
    assert_same_float(square(x), expected)


@given(st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True))
def test_same_bits_as_python_multiplication(x):
    # Python's float `*` is one IEEE 754 multiplication: the reference for both paths.
    for square in SQUARES:
        assert_same_float(square(x), x * x)


@pytest.mark.parametrize(
    "x, expected",
    [
        (5, 25.0),
        (-7, 49.0),
        (True, 1.0),
        (2**53 + 1, float(2**53 + 1) ** 2),  # rounded to a float first, like float(x)
        (np.float64(1.5), 2.25),
        (np.float32(1.5), 2.25),
        (np.int64(-4), 16.0),
        (decimal.Decimal("0.5"), 0.25),
        (fractions.Fraction(1, 4), 0.0625),
    ],
)
def test_accepts_real_numbers_like_math_sqrt(square, x, expected):
    assert_same_float(square(x), expected)


class HasIndex:
    def __index__(self):
        return 3


def test_accepts_objects_with_index(square):
    assert_same_float(square(HasIndex()), 9.0)


@pytest.mark.parametrize(
    "bad, name",
    [
        ("5", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        ([5.0], "list"),
        (b"5", "bytes"),
        (object(), "object"),
    ],
)
def test_rejects_non_numbers_with_type_error(square, bad, name):
    with pytest.raises(TypeError, match=f"must be real number, not {name}"):
        square(bad)


def test_rejects_arrays_with_type_error(square):
    with pytest.raises(TypeError):
        square(np.array([2.0, 3.0]))


def test_int_too_large_for_a_float_is_overflow_error(square):
    # As math.sqrt(10**400): the value cannot become a float at all.
    with pytest.raises(OverflowError):
        square(10**400)


def test_argument_is_positional_only(square):
    assert str(inspect.signature(square)) == "(x, /)"
    with pytest.raises(TypeError):
        square(x=2.0)
    with pytest.raises(TypeError):
        square()
    with pytest.raises(TypeError):
        square(1.0, 2.0)


def test_docstring_examples_run(square):
    assert_docstring_example_runs(square)


def test_ships_type_stub_for_every_function():
    assert_ships_stub(math_functions, {"square", "square_c"})
