"""The ``axis=`` and ``keepdims=`` arguments of fast_operations.sum_array and
parallel_sum.parallel_sum: one parametrized suite, run for each function (and, at the end,
parallel_sum's ``threads=`` with an axis).

What is checked, always against ``np.sum`` itself (or exact Python int arithmetic):

* float64: the bits of ``np.sum(arr, axis=axis, keepdims=keepdims)`` (signed zeros and NaN
  payloads included, never a tolerance), its shape, dtype and type (an ndarray, or a NumPy
  scalar for a 0-d result without keepdims), for C and Fortran arrays of 1 to 4 axes with
  every axis and tuple of axes, 1-D strided views, sliced, reversed, transposed and broadcast
  views, and random views (hypothesis);
* float32: the bits of ``np.sum(arr.astype(np.float64), ...)``;
* int32 and int64: int64 results equal to ``np.sum``'s where it cannot wrap, an
  ``OverflowError`` naming the axis where a result does not fit in int64, never a wrapped one;
* ``axis=None, keepdims=False``: today's result (a Python float or int), unchanged;
* byte-swapped and misaligned input: the bits of ``np.sum`` of a native, aligned copy in
  memory order; read-only input; input never modified; array-likes through ``np.asarray``;
* errors: out-of-range axes (AxisError naming the function), repeated axes, axes and keepdims
  of the wrong type, unsupported dtypes and masked arrays as without an axis;
* the GIL released while summing along an axis, and parallel_sum's bits for every ``threads``.
"""

import inspect
import itertools

import fast_operations
import numpy as np
import parallel_sum
import pytest
from helpers import assert_releases_the_gil, assert_same_float, misaligned, views_of, wide
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.exceptions import AxisError

SUMS = [fast_operations.sum_array, parallel_sum.parallel_sum]


@pytest.fixture(scope="module", params=SUMS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def total(request):
    return request.param


# --- Helpers ----------------------------------------------------------------------------------


def np_sum(a, axis=None, keepdims=False):
    """``np.sum``, quietly (large values may overflow to inf, NaN may meet inf)."""
    with np.errstate(all="ignore"):
        return np.sum(a, axis=axis, keepdims=keepdims)


def raw_bits(x) -> np.ndarray:
    """The 64 bits of each value of a float64 or int64 array or NumPy scalar, in C order."""
    return np.array(x, order="C").reshape(-1).view(np.uint64)


def assert_same_result(got, expected, what: str = "") -> None:
    """``got`` is what ``np.sum`` returned: the same type (ndarray or NumPy scalar), dtype,
    shape, and the same bits in every value."""
    assert type(got) is type(expected), (
        f"{what}: a {type(got).__name__}, not a {type(expected).__name__}"
    )
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype}, expected {expected.dtype}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    got_bits, expected_bits = raw_bits(got), raw_bits(expected)
    differ = np.flatnonzero(got_bits != expected_bits)
    assert differ.size == 0, (
        f"{what}: {differ.size} of {got_bits.size} values differ, first at flat index {differ[0]}: "
        f"{hex(got_bits[differ[0]])} ({np.asarray(got).reshape(-1)[differ[0]]!r}), expected "
        f"{hex(expected_bits[differ[0]])} ({np.asarray(expected).reshape(-1)[differ[0]]!r})"
    )


def describe(a: np.ndarray, axis, keepdims) -> str:
    return f"{a.dtype} shape {a.shape} strides {a.strides}, axis={axis!r}, keepdims={keepdims}"


def every_axis(ndim: int):
    """Every int axis (negative ones too) and every tuple of distinct axes, of every size from
    () to all of them: each in increasing order, and again negative in decreasing order."""
    yield from range(-ndim, ndim)
    for size in range(ndim + 1):
        for axes in itertools.combinations(range(ndim), size):
            yield axes
            if axes:
                yield tuple(axis - ndim for axis in reversed(axes))


def assert_sums_like_np_sum(total, a, axis, keepdims, reference=None) -> None:
    """``total(a, axis=..., keepdims=...)`` is ``np.sum(reference, ...)``, bit for bit;
    ``reference`` is ``a`` unless given (a float64 copy of float32 values, a native copy)."""
    expected = np_sum(a if reference is None else reference, axis, keepdims)
    got = total(a, axis=axis, keepdims=keepdims)
    assert_same_result(got, expected, describe(a, axis, keepdims))


def assert_every_axis_like_np_sum(total, a, reference=None) -> None:
    """Every axis and tuple of axes of ``a``, keepdims False and True, as np.sum gives them.

    ``axis=None`` with keepdims=True too; ``axis=None, keepdims=False`` (also passed
    explicitly) is the whole sum, a Python float or int: what ``total(a)`` gives, with
    np.sum's bits."""
    reference = a if reference is None else reference
    for keepdims in [False, True]:
        for axis in every_axis(a.ndim):
            assert_sums_like_np_sum(total, a, axis, keepdims, reference)
    assert_sums_like_np_sum(total, a, None, True, reference)
    today = total(a)
    got = total(a, axis=None, keepdims=False)
    assert type(got) is type(today) and type(got) in (float, int), describe(a, None, False)
    if isinstance(today, float):
        assert_same_float(got, today)
        assert_same_float(got, np_sum(reference))
    else:
        assert got == today == int(np.sum(reference.astype(object)))


def c_and_fortran(shape, seed, dtype=np.float64):
    """A C-ordered and a Fortran-ordered array of ``shape`` of wide values (ints: the values
    times 100 for int32, 1e5 for int64, truncated: below 2^30 and 2^40 in magnitude)."""
    n = int(np.prod(shape))
    values = wide(n, seed=seed)
    if np.dtype(dtype).kind == "i":
        values = values * (100 if np.dtype(dtype).itemsize == 4 else 1e5)
    c = values.astype(dtype).reshape(shape)
    f = np.asfortranarray(c)
    assert c.flags.c_contiguous and f.flags.f_contiguous
    return {"C": c, "F": f}


# --- 1. C and Fortran arrays: every axis and tuple of axes ------------------------------------

SHAPES = {
    1: [
        (0,),
        (1,),
        (2,),
        (7,),
        (8,),
        (9,),
        (16,),
        (17,),
        (129,),
        (1000,),
        (8192,),
        (8193,),
        (20_000,),
        (70_001,),
    ],
    2: [
        (0, 0),
        (0, 5),
        (5, 0),
        (1, 1),
        (1, 7),
        (7, 1),
        (2, 3),
        (3, 2),
        (8, 8),
        (9, 17),
        (17, 9),
        (16, 16),
        (33, 40),
        (40, 33),
        (1, 9000),
        (9000, 1),
        (2, 9000),
        (9000, 2),
        (3, 20_000),
        (20_000, 3),
        (400, 250),
    ],
    3: [
        (0, 3, 4),
        (3, 0, 4),
        (3, 4, 0),
        (1, 1, 1),
        (2, 3, 4),
        (4, 1, 5),
        (1, 9, 8),
        (9, 8, 7),
        (8, 8, 8),
        (17, 9, 5),
        (5, 17, 33),
        (2, 3, 9000),
        (9000, 2, 3),
        (3, 9000, 2),
        (40, 50, 60),
    ],
    4: [
        (0, 2, 3, 4),
        (2, 3, 0, 4),
        (1, 1, 1, 1),
        (2, 3, 4, 5),
        (3, 1, 4, 1),
        (5, 6, 7, 8),
        (9, 8, 1, 7),
        (9, 9, 9, 9),
        (2, 2, 2, 9000),
        (9000, 2, 1, 2),
        (30, 30, 30, 30),
    ],
}


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("ndim", sorted(SHAPES))
def test_float64_c_and_fortran_arrays_every_axis(total, ndim, order):
    for seed, shape in enumerate(SHAPES[ndim]):
        a = c_and_fortran(shape, seed)[order]
        assert_every_axis_like_np_sum(total, a)


def test_signed_zeros_every_axis(total):
    # np.sum never gives -0.0 (it adds to 0.0), also along a length-1 axis and for axis=().
    for shape in [(1, 1), (1, 5), (5, 1), (2, 3), (3, 1, 4), (2, 1, 1, 3)]:
        rng = np.random.default_rng(len(shape))
        zeros = np.where(rng.random(shape) < 0.7, -0.0, 0.0)
        zeros.flat[0] = -0.0
        for a in [zeros, np.asfortranarray(zeros), np.full(shape, -0.0)]:
            assert_every_axis_like_np_sum(total, a)
    assert_sums_like_np_sum(total, np.array([-0.0, 1.5, -0.0]), (), False)


# --- 2. 1-D strided views ---------------------------------------------------------------------


@pytest.mark.parametrize("step", [2, 3, -1, -2])
@pytest.mark.parametrize("n", [1, 9, 129, 1235, 20_000, 200_001])
def test_1d_strided_views(total, n, step):
    a = wide(abs(step) * n, seed=n)[::step]
    for axis in [0, -1, (0,), (-1,), ()]:
        for keepdims in [False, True]:
            assert_sums_like_np_sum(total, a, axis, keepdims)


# --- 3. Other views ---------------------------------------------------------------------------


def other_views() -> dict[str, np.ndarray]:
    """Views NumPy's reduction reorders, groups or buffers: steps, negative steps, transposes,
    broadcast (stride 0) axes, length-1 axes, and runs longer than its 8192-value buffer."""
    b = wide(600 * 700, seed=31).reshape(600, 700)
    bf = np.asfortranarray(b)
    c = wide(40 * 50 * 60, seed=32).reshape(40, 50, 60)
    cf = np.asfortranarray(c)
    long3 = wide(3 * 9000 * 4, seed=33).reshape(3, 9000, 4)
    middle = wide(360, seed=38).reshape(12, 1, 30)
    d = wide(9 * 8 * 7 * 6, seed=34).reshape(9, 8, 7, 6)
    return {
        "b[::2, :300]": b[::2, :300],
        "b[:, :300]": b[:, :300],
        "b[:, ::-1]": b[:, ::-1],
        "b[::-3, 5:]": b[::-3, 5:],
        "b[::2, ::3]": b[::2, ::3],
        "b[::-1, ::-1]": b[::-1, ::-1],
        "b.T": b.T,
        "b.T[::2]": b.T[::2],
        "b[3:4, :]": b[3:4, :],
        "b[:, 5:6]": b[:, 5:6],
        "b[:, None, :]": b[:, None, :],
        "b[7]": b[7],
        "b[:, 7]": b[:, 7],
        "bf[::2, :300]": bf[::2, :300],
        "bf[:, ::-2]": bf[:, ::-2],
        "bf.T": bf.T,
        "c[:, :, :30]": c[:, :, :30],
        "c[:, 10:20, :]": c[:, 10:20, :],
        "c[::2, :, ::-1]": c[::2, :, ::-1],
        "c[::-1, ::-1, ::-1]": c[::-1, ::-1, ::-1],
        "c[:, :1, :]": c[:, :1, :],
        "c.transpose(1, 0, 2)": c.transpose(1, 0, 2),
        "c.transpose(2, 0, 1)[:, ::3]": c.transpose(2, 0, 1)[:, ::3],
        "cf[:, :, :30]": cf[:, :, :30],
        "cf[1:, ::2, :]": cf[1:, ::2, :],
        "long3[:, :, :3]": long3[:, :, :3],
        "long3[:, ::2, 1:]": long3[:, ::2, 1:],
        "long3.transpose(1, 2, 0)[::-1]": long3.transpose(1, 2, 0)[::-1],
        "d[::2, :, ::-1, 1:]": d[::2, :, ::-1, 1:],
        "d.transpose(3, 1, 0, 2)": d.transpose(3, 1, 0, 2),
        "broadcast row (50, 300)": np.broadcast_to(wide(300, seed=35), (50, 300)),
        "broadcast column (300, 50)": np.broadcast_to(wide(300, seed=36)[:, None], (300, 50)),
        "broadcast row (20000, 3)": np.broadcast_to(wide(3, seed=37), (20_000, 3)),
        "broadcast middle (12, 40, 30)": np.broadcast_to(middle, (12, 40, 30)),
        "broadcast scalar (4, 5, 6)": np.broadcast_to(np.float64(0.1), (4, 5, 6)),
    }


OTHER_VIEWS = other_views()


@pytest.mark.parametrize("name", list(OTHER_VIEWS))
def test_other_views_every_axis(total, name):
    view = OTHER_VIEWS[name]
    # axis=None, keepdims=False is today's sum: np.sum's bits only where the contract says so.
    assert_every_axis_like_np_sum(total, view)


# --- 4. Random arrays, views and axes (hypothesis) --------------------------------------------

SMALL_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=30) | hnp.array_shapes(
    min_dims=4, max_dims=4, min_side=0, max_side=7
)


@st.composite
def axis_and_keepdims(draw, ndim: int):
    """A bare int axis or a tuple of distinct axes, each possibly negative, or None with
    keepdims=True (None with keepdims=False is today's whole sum, not np.sum's array)."""
    keepdims = draw(st.booleans())
    kind = draw(st.sampled_from(["int", "tuple", "none"] if keepdims else ["int", "tuple"]))
    if kind == "none":
        return None, keepdims
    signed = st.integers(0, ndim - 1).flatmap(lambda axis: st.sampled_from([axis, axis - ndim]))
    if kind == "int":
        return draw(signed), keepdims
    axes = draw(st.lists(st.integers(0, ndim - 1), unique=True))
    return tuple(axis - ndim if draw(st.booleans()) else axis for axis in axes), keepdims


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_hypothesis_float64_views_and_axes(total, data):
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    view = data.draw(views_of(hnp.arrays(np.float64, SMALL_SHAPES, elements=floats)))
    axis, keepdims = data.draw(axis_and_keepdims(view.ndim))
    before = view.copy()
    assert_sums_like_np_sum(total, view, axis, keepdims)
    assert view.tobytes() == before.tobytes()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_hypothesis_int64_views_and_axes(total, data):
    ints = st.integers(-(2**40), 2**40)
    view = data.draw(views_of(hnp.arrays(np.int64, SMALL_SHAPES, elements=ints)))
    axis, keepdims = data.draw(axis_and_keepdims(view.ndim))
    got = total(view, axis=axis, keepdims=keepdims)
    assert got.dtype == np.int64
    assert_sums_like_np_sum(total, view, axis, keepdims)


# --- 5. float32 -------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("ndim", sorted(SHAPES))
def test_float32_is_summed_in_float64_every_axis(total, ndim, order):
    for seed, shape in enumerate(SHAPES[ndim][::2]):
        a = c_and_fortran(shape, seed, np.float32)[order]
        widened = a.astype(np.float64)
        assert widened.flags.c_contiguous == a.flags.c_contiguous
        assert widened.flags.f_contiguous == a.flags.f_contiguous
        assert_every_axis_like_np_sum(total, a, reference=widened)


@pytest.mark.parametrize("step", [1, 2, 3, -1, -2])
@pytest.mark.parametrize("n", [9, 8193, 100_001])
def test_float32_1d_views(total, n, step):
    a = wide(abs(step) * n, seed=n).astype(np.float32)[::step]
    for axis in [0, -1, (0,), ()]:
        for keepdims in [False, True]:
            assert_sums_like_np_sum(total, a, axis, keepdims, reference=a.astype(np.float64))


def test_float32_results_are_float64_more_accurate_than_np_sum(total):
    tenths = np.full((3, 10**5), 0.1, dtype=np.float32)
    got = total(tenths, axis=1)
    assert got.dtype == np.float64
    exact = 10**5 * float(np.float32(0.1))
    assert (np.abs(got - exact) < np.abs(np.sum(tenths, axis=1).astype(np.float64) - exact)).all()


# --- 6. Integers ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("ndim", sorted(SHAPES))
def test_integer_sums_every_axis_equal_np_sum_as_int64(total, ndim, dtype):
    for seed, shape in enumerate(SHAPES[ndim][::2]):
        for a in c_and_fortran(shape, seed, dtype).values():
            assert_every_axis_like_np_sum(total, a)
            assert total(a, axis=0).dtype == np.int64


def test_int32_full_range_is_exact(total):
    rng = np.random.default_rng(41)
    a = rng.integers(-(2**31), 2**31, size=(700, 300), dtype=np.int32)
    for view in [a, a.T, a[::-2, 1:], np.asfortranarray(a)]:
        for axis in [0, 1, (0, 1), ()]:
            assert_sums_like_np_sum(total, view, axis, False)


def test_int32_extremes_never_overflow_int64(total):
    # 100_000 values of 2**31 - 1 (or -2**31) along an axis: far beyond int32, exact in int64.
    for value in [2**31 - 1, -(2**31)]:
        a = np.full((3, 100_000), value, dtype=np.int32)
        for got in [total(a, axis=1), total(np.asfortranarray(a), axis=-1), total(a.T, axis=0)]:
            assert got.dtype == np.int64 and got.shape == (3,)
            assert got.tolist() == [100_000 * value] * 3
        whole = total(a, axis=(0, 1))
        assert type(whole) is np.int64 and int(whole) == 300_000 * value


def int64_column(values) -> np.ndarray:
    return np.array(values, dtype=np.int64).reshape(-1, 1)


def overflow_names(axis: int) -> str:
    """A pattern for an OverflowError message naming the axis: "axis 0", "axis (0,)", "axis=0"."""
    return rf"axis\b.*\b{axis}\b"


def test_int64_overflow_along_an_axis_is_an_overflow_error_naming_it(total):
    column = int64_column([2**62, 2**62])  # np.sum wraps it to -2**63
    for axis in [0, (0,)]:
        for keepdims in [False, True]:
            with pytest.raises(OverflowError, match=overflow_names(0)):
                total(column, axis=axis, keepdims=keepdims)
    with pytest.raises(OverflowError, match=overflow_names(1)):
        total(column.T, axis=1)
    with pytest.raises(OverflowError, match=overflow_names(0)):
        total(int64_column([-(2**63), -1]), axis=0)
    # The same array fits along the other axis: [2**62] each.
    assert total(column, axis=1).tolist() == [2**62, 2**62]


def test_int64_overflow_in_one_result_of_many(total):
    rng = np.random.default_rng(42)
    a = rng.integers(-(2**40), 2**40, size=(100_000, 4), dtype=np.int64)
    a[:3, 2] = 2**62  # column 2 sums past 2**63
    for view in [a, np.asfortranarray(a)]:
        with pytest.raises(OverflowError, match=overflow_names(0)):
            total(view, axis=0)
        with pytest.raises(OverflowError, match=overflow_names(0)):
            total(view, axis=(0,), keepdims=True)
        # Row sums fit: 3 * 2**62 never adds up within a row.
        assert_sums_like_np_sum(total, view, 1, False)


def test_int64_whole_sums_that_do_not_fit(total):
    a = np.full((2, 3), 2**62, dtype=np.int64)
    for axis, keepdims in [((0, 1), False), ((-1, -2), False), (None, True), ((0, 1), True)]:
        with pytest.raises(OverflowError):
            total(a, axis=axis, keepdims=keepdims)
    # Today's whole sum stays an exact Python int.
    assert total(a) == 6 * 2**62 and type(total(a)) is int


def test_int64_sums_that_fit_are_exact_whatever_a_running_sum_would_pass(total):
    expected = 2**62 + 2**62 - 2**62  # 4611686018427387904; a running sum reaches 2**63
    assert expected == 4611686018427387904
    column = int64_column([2**62, 2**62, -(2**62)])
    for view, axis in [
        (column, 0),
        (np.asfortranarray(column), (0,)),
        (column.T, 1),
        (column.T, -1),
    ]:
        got = total(view, axis=axis)
        assert got.dtype == np.int64 and got.tolist() == [expected]
    whole = total(column, axis=(0, 1))
    assert type(whole) is np.int64 and int(whole) == expected
    # The ends of int64 are reached exactly.
    assert total(int64_column([-(2**62), -(2**62)]), axis=0).tolist() == [-(2**63)]
    assert total(int64_column([2**62, 2**62 - 1]), axis=0).tolist() == [2**63 - 1]
    assert total(int64_column([2**63 - 1, 5, -5]), axis=0).tolist() == [2**63 - 1]


# --- 7. 0-d results and 0-d input -------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, scalar",
    [
        (np.float64, np.float64),
        (np.float32, np.float64),
        (np.int32, np.int64),
        (np.int64, np.int64),
    ],
)
def test_0d_results_are_numpy_scalars_and_arrays_with_keepdims(total, dtype, scalar):
    a = (wide(6 * 7, seed=51) * 100).astype(dtype).reshape(6, 7)
    for axis in [(0, 1), (1, 0), (-1, -2)]:
        got = total(a, axis=axis)
        assert type(got) is scalar and type(got) is type(np.sum(a.astype(scalar), axis=axis))
        kept = total(a, axis=axis, keepdims=True)
        assert type(kept) is np.ndarray and kept.shape == (1, 1) and kept.dtype == scalar
        assert kept.reshape(()) == got
    for axis in [0, -1, (0,)]:
        got = total(a[:, 3], axis=axis)
        assert type(got) is scalar
        assert type(total(a[:, 3], axis=axis, keepdims=True)) is np.ndarray
    kept = total(a, keepdims=True)
    assert type(kept) is np.ndarray and kept.shape == (1, 1) and kept.dtype == scalar


@pytest.mark.parametrize("value", [2.5, -0.0, np.nan, -7, 2**62], ids=repr)
def test_0d_input(total, value):
    a = np.array(value)
    today = total(a)
    assert type(today) is (int if a.dtype.kind == "i" else float)
    assert type(total(a, axis=None)) is type(today)
    for axis, keepdims in [((), False), ((), True), (None, True)]:
        assert_sums_like_np_sum(total, a, axis, keepdims)
    for axis in [0, -1, (0,)]:
        with pytest.raises(AxisError):
            total(a, axis=axis)


def test_empty_arrays_give_np_sums_zeros(total):
    for dtype in [np.float64, np.float32, np.int32, np.int64]:
        for shape in [(0,), (0, 3), (3, 0), (2, 0, 4), (0, 0)]:
            a = np.zeros(shape, dtype=dtype)
            for axis in every_axis(len(shape)):
                for keepdims in [False, True]:
                    reference = a.astype(np.float64) if dtype == np.float32 else a
                    assert_sums_like_np_sum(total, a, axis, keepdims, reference)


# --- 8. NaN payloads --------------------------------------------------------------------------


def nan_payloads(shape, seed: int, density: float) -> np.ndarray:
    """Wide values with NaNs of distinct payloads (and both signs) at random places: the NaN a
    sum gives shows which operands were added in which order."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    payloads = np.uint64(0x7FF8_0000_0000_0000) | np.arange(1, n + 1, dtype=np.uint64)
    payloads |= np.where(rng.random(n) < 0.5, np.uint64(1 << 63), np.uint64(0))
    nans = np.array(payloads, dtype=np.uint64).view(np.float64)
    values = np.where(rng.random(n) < density, nans, wide(n, seed=seed))
    return values.reshape(shape)


def innermost_axis(a: np.ndarray) -> int:
    """The axis NumPy's reduction iterator puts innermost for a C- or Fortran-ordered array:
    the one of the smallest stride among those longer than one."""
    return min(
        (axis for axis in range(a.ndim) if a.shape[axis] > 1), key=lambda axis: abs(a.strides[axis])
    )


@pytest.mark.parametrize("density", [0.05, 0.3, 1.0])
@pytest.mark.parametrize("shape", [(9, 17), (40, 33), (3, 20_000), (20_000, 3), (6, 7, 8)], ids=str)
def test_nan_payloads_come_out_as_np_sums(total, shape, density):
    """Where the axes summed along include NumPy's innermost one, each result is its runs'
    trees added one after the other: np.sum's bits, payloads included. Where that axis is
    kept, NumPy adds rows into the results value by value, in a SIMD loop that keeps one NaN
    of a pair in its vector body and the other in some remainders, by CPU: there the results
    are NaN where np.sum's are, with np.sum's bits elsewhere."""
    values = nan_payloads(shape, seed=len(shape) + int(density * 100), density=density)
    assert np.isnan(values).any()
    for a in [values, np.asfortranarray(values)]:
        for axis in list(every_axis(a.ndim)):
            summed = {ax % a.ndim for ax in ((axis,) if isinstance(axis, int) else axis)}
            if innermost_axis(a) in summed:
                assert_sums_like_np_sum(total, a, axis, False)
                continue
            got, expected = np.asarray(total(a, axis=axis)), np.asarray(np_sum(a, axis, False))
            what = describe(a, axis, False)
            assert got.shape == expected.shape, what
            np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), err_msg=what)
            numbers = ~np.isnan(expected)
            assert (raw_bits(got)[numbers.ravel()] == raw_bits(expected)[numbers.ravel()]).all(), (
                what
            )


# --- 9. Errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, axis, number",
    [
        ((3, 4), 2, 2),
        ((3, 4), -3, -3),
        ((3, 4), (0, 2), 2),
        ((3, 4), (-3, 1), -3),
        ((5,), 1, 1),
        ((0, 4), 5, 5),
        ((2, 3, 4, 5), 4, 4),
        ((), 0, 0),
    ],
    ids=str,
)
def test_axis_out_of_range_is_an_axis_error_naming_the_function(total, shape, axis, number):
    for dtype in [np.float64, np.int64]:
        message = rf"^{total.__name__}\(\): axis {number} is out of bounds"
        with pytest.raises(ValueError, match=message) as error:
            total(np.zeros(shape, dtype=dtype), axis=axis)
        assert isinstance(error.value, AxisError)
    with pytest.raises(AxisError, match=rf"^{total.__name__}\(\).*out of bounds"):
        total(np.zeros(shape), axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [(0, 0), (1, 1), (0, -2), (-1, 1), (0, 1, 0), (1, 0, -1)], ids=str)
def test_repeated_axes_are_value_errors(total, axis):
    with pytest.raises(ValueError, match=r"duplicate|repeated"):
        total(np.ones((3, 4)), axis=axis)


class Index:
    """Not an int, but usable as one: ``operator.index`` calls ``__index__``."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value

    def __repr__(self):
        return f"Index({self.value})"


@pytest.mark.parametrize(
    "axis",
    [
        1.0,
        np.float64(0),
        "0",
        [0],
        [0, 1],
        {0},
        True,
        False,
        np.True_,
        (0, None),
        (None,),
        (0, 1.0),
        (True,),
        (0, True),
    ],
    ids=repr,
)
def test_axis_of_the_wrong_type_is_a_type_error(total, axis):
    for dtype in [np.float64, np.int64]:
        a = np.ones((3, 4), dtype=dtype)
        assert total(a, axis=(0, 1)) == 12  # takes axis=, so the TypeError is about the value
        with pytest.raises(TypeError):
            total(a, axis=axis)


@pytest.mark.parametrize(
    "axis",
    [
        np.int64(1),
        np.int32(-1),
        np.uint8(0),
        Index(1),
        Index(-2),
        (np.int64(0), Index(1)),
        (np.intp(-1),),
    ],
    ids=repr,
)
def test_numpy_integers_and_index_objects_are_axes(total, axis):
    a = wide(9 * 17, seed=61).reshape(9, 17)
    plain = tuple(int(x) for x in axis) if isinstance(axis, tuple) else int(axis)
    for keepdims in [False, True]:
        got = total(a, axis=axis, keepdims=keepdims)
        assert_same_result(
            got, np.sum(a, axis=plain, keepdims=keepdims), describe(a, axis, keepdims)
        )


@pytest.mark.parametrize("keepdims", [1, 0, None, "True", 1.0], ids=repr)
def test_keepdims_not_a_bool_is_a_type_error(total, keepdims):
    a = np.ones((3, 4))
    assert total(a, axis=None, keepdims=True).shape == (1, 1)  # takes keepdims=
    for axis in [None, 0]:
        with pytest.raises(TypeError):
            total(a, axis=axis, keepdims=keepdims)


def test_signature_axis_positional_or_keyword_keepdims_keyword_only(total):
    threads = ", threads=None" if total is parallel_sum.parallel_sum else ""
    assert str(inspect.signature(total)) == f"(arr, /, axis=None, *, keepdims=False{threads})"
    a = wide(30, seed=62).reshape(5, 6)
    assert_same_result(total(a, 1), np.sum(a, axis=1))
    assert_same_result(total(a, (0, 1)), np.sum(a, axis=(0, 1)))
    with pytest.raises(TypeError):
        total(a, 0, True)


@pytest.mark.parametrize(
    "bad",
    [
        np.array([True, False]),
        np.array([[True], [False]]),
        np.array([1 + 2j, 3j]),
        np.array([1, 2], dtype=np.uint8),
        np.array([1, 2], dtype=np.uint64),
        np.array([1.0, 2.0], dtype=np.float16),
        np.array([None, 1.0]),
        np.array(["1.0"]),
        [True, False],
        [[1 + 2j]],
    ],
    ids=lambda v: f"{type(v).__name__} of {np.asarray(v).dtype}",
)
def test_unsupported_dtypes_with_an_axis_are_todays_type_errors(total, bad):
    with pytest.raises(TypeError) as without_axis:
        total(bad)
    for axis, keepdims in [(0, False), ((0,), True), (None, True), ((), False)]:
        with pytest.raises(TypeError) as with_axis:
            total(bad, axis=axis, keepdims=keepdims)
        assert str(with_axis.value) == str(without_axis.value)


def test_masked_arrays_with_an_axis_are_refused(total):
    masked = np.ma.array([[1.0, 1e9], [2.0, 3.0]], mask=[[False, True], [False, False]])
    for axis, keepdims in [(0, False), (1, True), ((0, 1), False), (None, True)]:
        with pytest.raises(TypeError, match="masked"):
            total(masked, axis=axis, keepdims=keepdims)


# --- 10. Byte-swapped, misaligned, read-only input --------------------------------------------


def native_copy(a: np.ndarray) -> np.ndarray:
    """The native, aligned copy in memory order the functions sum instead of ``a``."""
    copy = np.array(a, dtype=a.dtype.newbyteorder("="), order="K", copy=True)
    assert copy.dtype.isnative and copy.flags.aligned
    return copy


def reference_of(a: np.ndarray) -> np.ndarray:
    """What np.sum is given for ``a``: its native copy, in float64 for float32."""
    copy = native_copy(a)
    return copy.astype(np.float64) if copy.dtype == np.float32 else copy


def assert_like_the_native_copy(total, a: np.ndarray) -> None:
    before = a.tobytes()
    reference = reference_of(a)
    for keepdims in [False, True]:
        for axis in every_axis(a.ndim):
            assert_sums_like_np_sum(total, a, axis, keepdims, reference)
    assert a.tobytes() == before


@pytest.mark.parametrize("dtype", ["f8", "f4", "i8", "i4"])
def test_byte_swapped_arrays_sum_like_their_native_copy(total, dtype):
    native = (wide(300 * 70, seed=71) * 100).astype(dtype).reshape(300, 70)
    for layout in [native, np.asfortranarray(native), native.reshape(-1)]:
        swapped = layout.astype(layout.dtype.newbyteorder())
        assert not swapped.dtype.isnative
        assert swapped.flags.c_contiguous == layout.flags.c_contiguous
        assert swapped.flags.f_contiguous == layout.flags.f_contiguous
        assert_like_the_native_copy(total, swapped)
        if swapped.ndim == 1:
            assert_like_the_native_copy(total, swapped[::-3])
    if dtype in ("f8", "i8", "i4"):  # float32 is promised np.sum's bits for C, F and 1-D only
        swapped = native.astype(native.dtype.newbyteorder())
        for view in [swapped[::2, ::-1], swapped.T, swapped[:, :30]]:
            assert_like_the_native_copy(total, view)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32])
def test_misaligned_arrays_sum_like_their_native_copy(total, dtype):
    values = (wide(300 * 70, seed=72) * 100).astype(dtype)
    flat = misaligned(values)
    for view in [flat, flat.reshape(300, 70), flat.reshape((300, 70), order="F"), flat[::-3]]:
        assert not view.flags.aligned
        assert_like_the_native_copy(total, view)
    if dtype is not np.float32:  # float32: np.sum's bits promised for C, F and 1-D only
        grid = flat.reshape(300, 70)
        for view in [grid[::2, ::-1], grid.T[:, 5:], grid[:, :30]]:
            assert not view.flags.aligned
            assert_like_the_native_copy(total, view)


def test_read_only_input_is_fine_and_never_modified(total):
    floats = wide(300 * 70, seed=73).reshape(300, 70)
    ints = (wide(1000, seed=74) * 1e6).astype(np.int64).reshape(10, 100)
    for a in [floats, ints]:
        a.setflags(write=False)
        for view in [a, a.T, a[::-2, 1:]]:
            assert_every_axis_like_np_sum(total, view)
    a = wide(300 * 70, seed=75).reshape(300, 70)
    before = a.copy()
    for axis in [0, 1, (0, 1), ()]:
        total(a, axis=axis, keepdims=True)
        total(a[::-1], axis=axis)
    assert a.tobytes() == before.tobytes() and a.flags.writeable


# --- 11. Array-likes --------------------------------------------------------------------------


class ArrayLike:
    """Not an ndarray, but an array to NumPy: np.asarray calls ``__array__``."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)


def test_array_likes_go_through_np_asarray(total):
    floats = wide(30 * 20, seed=81).reshape(30, 20)
    ints = (floats * 1e6).astype(np.int64)
    for value in [
        floats.tolist(),
        tuple(tuple(row) for row in floats.tolist()),
        ints.tolist(),
        ArrayLike(floats),
        ArrayLike(ints.astype(np.int32)),
        [[1.5, -0.0], [2.0, -0.0]],
        [[1, 2, 3]],
    ]:
        array = np.asarray(value)
        assert not isinstance(value, np.ndarray)
        for axis in [0, 1, -1, (0, 1), ()]:
            for keepdims in [False, True]:
                assert_same_result(
                    total(value, axis=axis, keepdims=keepdims),
                    np_sum(array, axis, keepdims),
                    f"{type(value).__name__}, axis={axis!r}, keepdims={keepdims}",
                )


# --- 12. The GIL ------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1])
def test_releases_the_gil_while_summing_along_an_axis(total, axis):
    a = wide(2000 * 2000, seed=91).reshape(2000, 2000)
    # Once here first: an exception in the helper's thread would leave it waiting forever.
    assert_sums_like_np_sum(total, a, axis, False)
    assert_releases_the_gil(lambda: total(a, axis=axis), calls=10)


# --- 13. parallel_sum's threads= with an axis ------------------------------------------------


def parallel_cases():
    """Arrays of 10^5 to 10^6 values, so that parallel_sum's parallel paths run."""
    square = wide(10**6, seed=101).reshape(1000, 1000)
    cube = wide(10**6, seed=102).reshape(100, 100, 100)
    every_tuple = [axes for size in range(4) for axes in itertools.combinations(range(3), size)]
    cases = {
        "(1000, 1000) C": (square, [0, 1, (0, 1), (), -1]),
        "(1000, 1000) F": (np.asfortranarray(square), [0, 1, (0, 1), -2]),
        "(10000, 100) C": (square.reshape(10_000, 100), [0, 1, (0, 1)]),
        "(100, 10000) C": (square.reshape(100, 10_000), [0, 1, (0, 1)]),
        "(3, 400000) F": (np.asfortranarray(wide(1_200_000, seed=103).reshape(3, 400_000)), [0, 1]),
        "(100, 100, 100) C": (cube, every_tuple),
        "(100, 100, 100) F": (np.asfortranarray(cube), [0, 1, 2, (0, 2), (1, 2), (0, 1, 2)]),
        "square[::2, :700]": (square[::2, :700], [0, 1, (0, 1)]),
        "square[:, ::-2]": (square[:, ::-2], [0, 1, (0, 1)]),
        "int64 (1000, 1000)": ((square * 1e6).astype(np.int64), [0, 1, (0, 1)]),
    }
    return cases


PARALLEL_CASES = parallel_cases()


@pytest.mark.parametrize("name", list(PARALLEL_CASES))
def test_parallel_sum_same_bits_for_every_threads_value(name):
    a, axes = PARALLEL_CASES[name]
    for axis in axes:
        for keepdims in [False, True]:
            expected = np_sum(a, axis, keepdims)
            for threads in [1, 2, 3, None]:
                got = parallel_sum.parallel_sum(a, axis=axis, keepdims=keepdims, threads=threads)
                assert_same_result(
                    got, expected, f"{describe(a, axis, keepdims)}, threads={threads}"
                )
    whole = np_sum(a, None, True)
    for threads in [1, 2, 3, None]:
        got = parallel_sum.parallel_sum(a, keepdims=True, threads=threads)
        assert_same_result(got, whole, f"{describe(a, None, True)}, threads={threads}")
