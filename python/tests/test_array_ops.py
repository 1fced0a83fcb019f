"""Section 4: both in-place squares on every view, with a guard around it; every refusal."""

import inspect

import array_ops
import numpy as np
import pytest
from array_ops import square_numpy_array, square_numpy_array_rust
from helpers import assert_docstring_example_runs, assert_ships_stub, misaligned
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SQUARES = [square_numpy_array, square_numpy_array_rust]


@pytest.fixture(scope="module", params=SQUARES, ids=lambda f: f.__name__)
def square(request):
    return request.param


def base(shape=(9, 14, 11), order="C") -> np.ndarray:
    rng = np.random.default_rng(0)
    values = rng.standard_normal(shape) * np.exp2(rng.integers(-30, 30, shape))
    return np.asarray(values, order=order)


def assert_squares_view_only(square, array: np.ndarray, index) -> None:
    """Square array[index] in place: the view is squared, every value outside it unchanged."""
    before = array.copy()
    inside = np.zeros(array.shape, dtype=bool)
    inside[index] = True
    view = array[index]
    assert (isinstance(view, np.ndarray) and np.shares_memory(view, array)) or view.size == 0
    square(view)
    np.testing.assert_array_equal(array[~inside], before[~inside])
    np.testing.assert_array_equal(array[inside], before[inside] ** 2)


LAYOUTS = {
    "contiguous": np.s_[...],
    "inner block": np.s_[2:7, 3:11, 1:9],
    "strided ::3": np.s_[:, :, ::3],
    "reversed rows": np.s_[::-1, :, :],
    "reversed all": np.s_[::-1, ::-1, ::-1],
    "mixed steps": np.s_[::2, 1::-3, 4:],
    "one plane": np.s_[4],
    "one column, reversed": np.s_[:, 5, ::-2],
    "0-d view": np.s_[2, 5, 1, ...],
    "empty": np.s_[3:3],
    "empty inner": np.s_[:, 2:2, ::2],
}


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_layout_is_squared_and_nothing_outside_it(square, name, order):
    assert_squares_view_only(square, base(order=order), LAYOUTS[name])


@pytest.mark.parametrize("step", [1, 2, 3, -1, -3])
def test_1d_views_inside_a_guard(square, step):
    array = base((1000,)).ravel()
    assert_squares_view_only(square, array, np.s_[100:900:step])


def test_transposed_and_large_views(square):
    array = base((600, 700))
    before = array.copy()
    square(array.T)
    np.testing.assert_array_equal(array, before**2)
    big = base((3, 400_000))  # rows long enough to be squared on all cores
    before = big.copy()
    square(big[:, 10:-10])
    np.testing.assert_array_equal(big[:, 10:-10], before[:, 10:-10] ** 2)
    np.testing.assert_array_equal(big[:, :10], before[:, :10])
    np.testing.assert_array_equal(big[:, -10:], before[:, -10:])


def test_the_tutorials_example():
    arr = np.array([1.0, 2.0, 3.0], dtype=np.float64)
    square_numpy_array(arr)
    assert arr.tolist() == [1.0, 4.0, 9.0]


def test_c_and_rust_give_the_same_bits():
    values = np.concatenate(
        [base((10_000,)).ravel(), [0.0, -0.0, np.inf, -np.inf, 1e-160, 1e200, 5e-324]]
    )
    c, rust = values.copy(), values.copy()
    square_numpy_array(c)
    square_numpy_array_rust(rust)
    with np.errstate(over="ignore"):
        expected = values * values
    assert c.tobytes() == rust.tobytes() == expected.tobytes()
    nan = np.array([np.nan])
    square_numpy_array(nan)
    assert np.isnan(nan[0])


def test_read_only_is_a_value_error_and_nothing_changes(square):
    array = base((100,)).ravel()
    array.setflags(write=False)
    before = array.copy()
    with pytest.raises(ValueError, match="read-only"):
        square(array)
    np.testing.assert_array_equal(array, before)


def test_broadcast_views_are_squared_once_per_value_when_writable(square):
    # More overlapping views in test_faults.py.
    row = np.arange(5.0)
    repeated = np.lib.stride_tricks.as_strided(row, shape=(3, 5), strides=(0, 8), writeable=True)
    square(repeated)
    np.testing.assert_array_equal(row, np.arange(5.0) ** 2)
    with pytest.raises(ValueError, match="read-only"):
        square(np.broadcast_to(row, (3, 5)))


@pytest.mark.parametrize(
    "bad, error, words",
    [
        ([1.0, 2.0], TypeError, "got list"),
        (None, TypeError, "got NoneType"),
        (2.0, TypeError, "got float"),
        (np.arange(3), TypeError, "got an array of int64"),
        (np.arange(3, dtype=np.float32), TypeError, "got an array of float32"),
        (np.array([1 + 1j]), TypeError, "complex128"),
        (np.array([1.0], dtype=np.longdouble), TypeError, "float128"),
        (np.array([None]), TypeError, "object"),
        (np.arange(3.0).astype(">f8"), TypeError, "native byte order, got >f8"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_wrong_input_is_refused_with_what_came(square, bad, error, words):
    before = bad.copy() if isinstance(bad, np.ndarray) else None
    with pytest.raises(error, match=words):
        square(bad)
    if before is not None:
        assert bad.tobytes() == before.tobytes()


def test_misaligned_arrays_are_refused_and_unchanged(square):
    view = misaligned(np.arange(100.0))
    with pytest.raises(ValueError, match="aligned"):
        square(view)
    np.testing.assert_array_equal(view, np.arange(100.0))


@st.composite
def views(draw):
    array = draw(
        hnp.arrays(
            np.float64,
            hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=12),
            elements=st.floats(-1e150, 1e150, allow_subnormal=False),
        )
    )
    index = tuple(
        slice(
            draw(st.none() | st.integers(-n - 1, n + 1)),
            draw(st.none() | st.integers(-n - 1, n + 1)),
            draw(st.sampled_from([None, 1, 2, 3, -1, -2])),
        )
        for n in array.shape
    )
    if draw(st.booleans()):
        array = np.asfortranarray(array)
    return array, index


@settings(max_examples=300, deadline=None)
@given(views())
def test_hypothesis_random_views(square, case):
    array, index = case
    assert_squares_view_only(square, array, index)


@pytest.mark.parametrize("function", SQUARES, ids=lambda f: f.__name__)
def test_docstring_example_runs(function):
    assert_docstring_example_runs(function)
    # The Rust kernel takes threads= too (test_threads_keyword.py); the C one, the tutorial's
    # one argument.
    threads = ", *, threads=None" if function is square_numpy_array_rust else ""
    assert str(inspect.signature(function)) == f"(arr, /{threads})"


def test_ships_type_stub():
    assert_ships_stub(array_ops, {f.__name__ for f in SQUARES} | {"square", "kernel"})


def test_kernel_names_the_kernel_and_has_a_docstring_example():
    assert_docstring_example_runs(array_ops.kernel)
    assert str(inspect.signature(array_ops.kernel)) == "()"
