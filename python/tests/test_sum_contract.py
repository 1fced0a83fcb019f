"""The input contract every sum function shares: fast_operations.sum_array and
parallel_sum.parallel_sum. One parametrized suite, run for each function.

float64 results are compared bit for bit, never with a tolerance.
"""

import math
import tracemalloc

import fast_operations
import numpy as np
import parallel_sum
import pytest
from helpers import assert_releases_the_gil, assert_same_float, misaligned, views_of, wide
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SUMS = [fast_operations.sum_array, parallel_sum.parallel_sum]


@pytest.fixture(scope="module", params=SUMS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def total(request):
    return request.param


def documented_sum(view: np.ndarray) -> float:
    """What sum_array promises for a float64 view: np.sum's bits, whatever its layout."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sum(view)


SIZES = [0, 1, 7, 8, 9, 15, 16, 127, 128, 129, 1024, 1235, 10**6]


@pytest.mark.parametrize("n", SIZES)
def test_same_bits_as_np_sum_at_every_size(total, n):
    a = wide(n, seed=n)
    assert_same_float(total(a), np.sum(a))


@pytest.mark.parametrize("step", [2, 3, -1, -2, -3])
@pytest.mark.parametrize("n", [9, 129, 1235, 100_000])
def test_same_bits_as_np_sum_for_strided_and_reversed_1d(total, n, step):
    a = wide(3 * n, seed=n)[::step]
    assert_same_float(total(a), np.sum(a))


def layouts():
    base = wide(24 * 35 * 13, seed=7)
    c3 = base.reshape(24, 35, 13)
    c2 = base.reshape(24 * 35, 13)
    return {
        "2-D C": c2,
        "3-D C": c3,
        "2-D Fortran": np.asfortranarray(c2),
        "3-D Fortran": np.asfortranarray(c3),
        "2-D transposed": c2.T,
        "3-D axes permuted": c3.transpose(1, 0, 2),
        "3-D axes permuted, Fortran": np.asfortranarray(c3).transpose(2, 0, 1),
    }


@pytest.mark.parametrize("name", list(layouts()))
def test_same_bits_as_np_sum_for_contiguous_nd(total, name):
    view = layouts()[name]
    assert_same_float(total(view), np.sum(view))


@pytest.mark.parametrize(
    "index",
    [
        np.s_[::2, ::3, :],
        np.s_[::-1, :, :],
        np.s_[:, ::-1, ::-1],
        np.s_[3:20, 1:30:4, 5:],
        np.s_[:, :, 0],
    ],
    ids=str,
)
def test_other_nd_views_have_np_sums_bits_too(total, index):
    view = layouts()["3-D C"][index]
    assert_same_float(total(view), np.sum(view))


def test_zero_d_and_empty_arrays(total):
    assert_same_float(total(np.array(2.5)), 2.5)
    assert_same_float(total(np.array(-0.0)), np.sum(np.array(-0.0)))  # 0.0, as np.sum
    assert_same_float(total(np.array([])), 0.0)
    assert_same_float(total(np.zeros((0, 5))), 0.0)
    assert_same_float(total(np.array([-0.0, -0.0])), np.sum(np.array([-0.0, -0.0])))
    assert total(np.zeros(0, dtype=np.int64)) == 0


def test_nan_and_infinity_propagate(total):
    assert math.isnan(total(np.array([1.0, np.nan, 2.0])))
    assert total(np.array([1.0, np.inf])) == math.inf
    assert math.isnan(total(np.array([-np.inf, np.inf])))
    with np.errstate(over="ignore"):
        assert total(np.full(1000, 1e308)) == np.sum(np.full(1000, 1e308)) == math.inf


def test_float32_is_summed_in_float64(total):
    a = wide(100_001, seed=3).astype(np.float32)
    assert_same_float(total(a), np.sum(a.astype(np.float64)))
    assert_same_float(total(a[::-3]), np.sum(a[::-3].astype(np.float64)))
    # More accurate than np.sum's float32 result: 1e6 times float32(0.1).
    tenths = np.full(10**6, 0.1, dtype=np.float32)
    exact = math.fsum(tenths.astype(np.float64))
    assert abs(total(tenths) - exact) < abs(float(np.sum(tenths)) - exact)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_sums_are_exact_python_ints(total, dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(1)
    a = rng.integers(info.min, info.max, 100_003, dtype=dtype, endpoint=True)
    for view in [a, a[::-7], a[:100_000].reshape(100, 1000).T]:
        got = total(view)
        assert type(got) is int
        assert got == sum(int(x) for x in view.ravel())


def test_integer_sums_never_wrap(total):
    big = np.full(8, 2**62, dtype=np.int64)
    assert total(big) == 2**65  # np.sum(big) wraps to 0
    assert total(np.full(3, np.iinfo(np.int64).min)) == 3 * -(2**63)
    assert total(np.full(5, 2**31 - 1, dtype=np.int32)) == 5 * (2**31 - 1)


@pytest.mark.parametrize(
    "bad, words",
    [
        # What np.asarray makes of a non-array decides: None and "1.0" are 0-d arrays of an
        # unsupported dtype (lists and floats are summed:
        # test_array_likes_are_summed_as_np_asarray_makes_them).
        (None, "got an array of object"),
        ("1.0", "got an array of <U3"),
        (np.array([1 + 2j]), "complex128"),
        (np.array([1.0], dtype=np.float16), "float16"),
        (np.array([1.0], dtype=np.longdouble), "float128"),
        (np.array([None, 1.0]), "object"),
        (np.array([True]), "bool"),
        (np.array([1], dtype=np.uint64), "uint64"),
        (np.array([1], dtype=np.int16), "int16"),
        (np.array(["1.0"]), "<U3"),
        (np.zeros(2, dtype=[("x", "f8")]), "[('x', '<f8')]"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_wrong_input_is_a_type_error_naming_what_came(total, bad, words):
    with pytest.raises(TypeError) as error:
        total(bad)
    message = str(error.value)
    assert words in message
    assert "expected" in message


@pytest.mark.parametrize(
    "bad, words",
    [
        (["a"], "<U1"),
        ([True, False], "bool"),
        ([1 + 2j], "complex128"),
        ([None, 1.0], "object"),
        ([2**64], "object"),  # beyond int64 and uint64: NumPy makes Python ints objects
        (np.uint64(3), "uint64"),
        (np.bool_(True), "bool"),
        (True, "bool"),
        (1j, "complex128"),
    ],
    ids=repr,
)
def test_unsupported_dtypes_after_np_asarray_are_type_errors_naming_the_supported_ones(
    total, bad, words
):
    with pytest.raises(TypeError) as error:
        total(bad)
    assert str(error.value) == (
        f"{total.__name__}() expected an array of float64, float32, int32 or int64, "
        f"got an array of {words}"
    )


class ArrayLike:
    """Not an ndarray, but an array to NumPy: np.asarray calls ``__array__``."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)


@pytest.mark.parametrize(
    "value",
    [
        [1.0, 2.5, -0.0],
        (1.0, 2.5, 1e-300),
        [[1.5, 2.0], [3.0, 4.25]],
        [[[1.0], [2.0]], [[3.0], [1e16]]],
        list(wide(1000, seed=4)),  # above NumPy's 8-value blocks: the pairwise tree's bits
        tuple(wide(100_000, seed=5)),  # above parallel_sum's threshold
        3.5,
        -0.0,
        np.float64(2.25),
        np.float32(0.1),
        np.int32(-7),
        np.int64(2**62),
        [np.float32(0.5), np.float32(0.25)],
        ArrayLike([1.0, 2.0, 3.5]),
        ArrayLike(np.arange(6, dtype=np.int32).reshape(2, 3)),
        [],
        [[], []],
    ],
    ids=lambda v: type(v).__name__ + (f"[{len(v)}]" if hasattr(v, "__len__") else ""),
)
def test_array_likes_are_summed_as_np_asarray_makes_them(total, value):
    array = np.asarray(value)
    got = total(value)
    if array.dtype.kind == "i":
        assert type(got) is int
        assert got == sum(int(x) for x in array.ravel())
    else:
        assert_same_float(got, total(array))
        assert_same_float(got, np.sum(array.astype(np.float64)))


def test_python_int_lists_are_exact_int64_and_float_lists_float64(total):
    assert total([1, 2, 3]) == 6 and type(total([1, 2, 3])) is int
    assert total([2**62, 2**62, 2**62]) == 3 * 2**62  # np.sum wraps int64; this does not
    assert total([[-(2**63)], [-(2**63)]]) == -(2**64)
    assert_same_float(total([0.1] * 10), np.sum(np.full(10, 0.1)))
    assert_same_float(total([1, 2.5]), 3.5)  # mixed: float64, as NumPy decides
    assert_same_float(total([]), 0.0)  # np.asarray([]) is float64: 0.0, as np.sum gives
    assert type(total(7)) is int and total(7) == 7


def test_what_np_asarray_raises_passes_through(total):
    ragged = [[1.0, 2.0], [3.0]]
    with pytest.raises(ValueError) as ours:
        total(ragged)
    with pytest.raises(ValueError) as numpys:
        np.asarray(ragged)
    assert str(ours.value) == str(numpys.value)

    class Broken:
        def __array__(self, dtype=None, copy=None):
            raise ZeroDivisionError("from __array__")

    with pytest.raises(ZeroDivisionError, match="from __array__"):
        total(Broken())


def test_an_ndarray_is_read_as_it_is_not_through_np_asarray(total):
    class NoArrayCall(np.ndarray):
        def __array__(self, *args, **kwargs):
            raise AssertionError("np.asarray was called on an ndarray")

    a = wide(100_001, seed=6)
    assert_same_float(total(a.view(NoArrayCall)), np.sum(a))
    # NumPy reports its data allocations to tracemalloc: a copy of the 8 MB would show.
    a = wide(10**6, seed=7)
    a.setflags(write=False)
    tracemalloc.start()
    try:
        assert_same_float(total(a), np.sum(a))
        assert_same_float(total(a[::-2]), np.sum(a[::-2]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000, peak


def test_masked_arrays_are_refused(total):
    masked = np.ma.array([1.0, 1e9], mask=[False, True])
    with pytest.raises(TypeError, match="masked"):
        total(masked)


def test_ndarray_subclasses_that_are_not_masked_are_summed(total):
    class Tagged(np.ndarray):
        pass

    a = wide(1000).view(Tagged)
    assert_same_float(total(a), np.sum(np.asarray(a)))


@pytest.mark.parametrize("dtype", [">f8", ">f4", ">i8", ">i4"])
def test_byte_swapped_arrays_are_read_correctly(total, dtype):
    native = (wide(10_007, seed=5) * 100).astype(dtype.replace(">", "<"))
    swapped = native.astype(dtype)
    assert swapped.dtype.byteorder == ">"
    assert total(swapped) == total(native)
    assert total(swapped[::-2]) == total(np.ascontiguousarray(native[::-2]))
    if dtype == ">f8":
        assert_same_float(total(swapped), np.sum(native))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32])
def test_misaligned_arrays_are_read_correctly(total, dtype):
    values = (wide(5003, seed=9) * 100).astype(dtype)
    view = misaligned(values)
    assert total(view) == total(values)
    assert total(view[::-3]) == total(np.ascontiguousarray(values[::-3]))
    if dtype is np.float64:
        assert_same_float(total(view), np.sum(values))


def test_read_only_arrays_are_fine(total):
    a = wide(5000)
    a.setflags(write=False)
    assert_same_float(total(a), np.sum(a))


def test_input_is_never_modified(total):
    for a in [
        wide(10_000),
        wide(10_000).astype(">f8"),
        misaligned(wide(3000)),
        np.arange(7, dtype=np.int32),
    ]:
        before = a.copy()
        total(a)
        total(a[::-1])
        np.testing.assert_array_equal(a, before)
        assert a.tobytes() == before.tobytes()


def test_releases_the_gil_while_summing(total):
    # While one thread sums a large array, another must run Python code.
    a = wide(2 * 10**7)
    assert_releases_the_gil(lambda: total(a))


float64_arrays = hnp.arrays(
    np.float64,
    # Up to 3-D with long sides; 4-D with short ones (the sums step through the rows of 2-D
    # and 3-D views as views of a fixed dimension, of the others as views of any dimension).
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=40)
    | hnp.array_shapes(min_dims=4, max_dims=4, min_side=0, max_side=8),
    elements=st.floats(allow_nan=True, allow_infinity=False, width=64),
)


@settings(max_examples=500, deadline=None)
@given(views_of(float64_arrays))
def test_hypothesis_random_arrays_and_views(total, view):
    before = view.copy()
    assert_same_float(total(view), documented_sum(view))
    np.testing.assert_array_equal(view, before)
