"""Section 4's ufunc, ``array_ops.square``, against ``np.square``: the same result (bits, dtype,
shape, strides, type), the same warnings and the same errors, for every dtype, layout and
keyword a ufunc takes, and through ``__array_ufunc__`` (masked arrays, Dask, xarray)."""

import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import array_ops
import numpy as np
import pytest
from array_ops import square
from helpers import assert_docstring_example_runs, misaligned
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# The ufunc's loops, in the order NumPy tries them.
LOOP_DTYPES = [np.int32, np.int64, np.float32, np.float64]
# The run length from which the loops share a run out over the pool (PARALLEL_FROM in lib.rs).
PARALLEL_FROM = 1 << 15


def assert_same(got, expected) -> None:
    """``got`` is what ``expected`` is: the same type, dtype, shape, strides and bytes (so the
    same bits, the sign of zero and NaN payloads included)."""
    assert type(got) is type(expected), (type(got), type(expected))
    got_array, expected_array = np.asarray(got), np.asarray(expected)
    assert got_array.dtype == expected_array.dtype
    assert got_array.shape == expected_array.shape
    if isinstance(expected, np.ndarray):
        assert got_array.strides == expected_array.strides
    assert got_array.tobytes() == expected_array.tobytes()


def values(dtype, n: int, seed: int = 0) -> np.ndarray:
    """``n`` values of ``dtype`` covering its edges: for floats zeros of both signs, infinities,
    NaN, subnormals, values whose square overflows or underflows; for integers the extremes,
    whose squares wrap."""
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.floating):
        info = np.finfo(dtype)
        special = [0.0, -0.0, np.inf, -np.inf, np.nan, info.smallest_subnormal, info.max, -1.5]
        wide = rng.standard_normal(n) * np.exp2(rng.integers(info.minexp, info.maxexp, n) / 2)
        out = wide.astype(dtype)
    else:
        info = np.iinfo(dtype)
        special = [0, 1, -1, info.max, info.min, info.max // 2, 46341, -3037000500]
        out = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    special = np.array(special).astype(dtype)
    out[: min(n, len(special))] = special[: min(n, len(special))]
    return out


def both(*args, **kwargs):
    """``array_ops.square(*args, **kwargs)`` and ``np.square`` of the same, each on its own
    copies of the arrays among the arguments (``out`` included), with every floating-point
    flag silenced (the warnings have their own tests)."""

    def copy(x):
        return x.copy() if isinstance(x, np.ndarray) else x

    def call(ufunc):
        return ufunc(*map(copy, args), **{key: copy(x) for key, x in kwargs.items()})

    with np.errstate(all="ignore"):
        return call(square), call(np.square)


def read_only(shape) -> np.ndarray:
    a = np.zeros(shape)
    a.flags.writeable = False
    return a


# --- What it is --------------------------------------------------------------------------------


def test_is_a_ufunc_named_square_with_four_loops():
    assert isinstance(square, np.ufunc)
    assert (square.__name__, square.nin, square.nout, square.identity) == ("square", 1, 1, None)
    assert square.types == ["i->i", "l->l", "f->f", "d->d"]
    assert square.types == [f"{np.dtype(t).char}->{np.dtype(t).char}" for t in LOOP_DTYPES]


def test_docstring_says_what_it_is_and_its_example_runs():
    doc = square.__doc__
    for words in ["C square_array", "float64, float32, int64 and int32", "as np.square does"]:
        assert words in doc
    assert_docstring_example_runs(square)


def test_pickles_as_itself():
    # By name, as NumPy's ufuncs do: a process that imports array_ops gets the same object.
    assert pickle.loads(pickle.dumps(square)) is square
    assert array_ops.square is array_ops.array_ops.square


# --- Every dtype and layout --------------------------------------------------------------------


def contiguous(a):
    return a


LAYOUTS = {
    "contiguous": contiguous,
    "strided": lambda a: a[::3],
    "reversed": lambda a: a[::-1],
    "reversed strided": lambda a: a[-2::-5],
    "2-D C": lambda a: a[:120].reshape(10, 12),
    "2-D Fortran": lambda a: np.asfortranarray(a[:120].reshape(10, 12)),
    "transposed": lambda a: a[:120].reshape(10, 12).T,
    "3-D sliced": lambda a: a[:240].reshape(4, 6, 10)[1:, ::2, ::-3],
    "broadcast": lambda a: np.broadcast_to(a[:7], (5, 7)),
    "column broadcast": lambda a: np.broadcast_to(a[:6, None], (6, 4)),
    "0-d": lambda a: a[5:6].reshape(()),
    "empty": lambda a: a[:0],
    "empty 2-D": lambda a: a[:0].reshape(0, 3),
    "misaligned": lambda a: misaligned(a[:50]),
    "byte-swapped": lambda a: a.astype(a.dtype.newbyteorder()),
    "long": lambda a: np.resize(a, PARALLEL_FROM + 13),
    "long strided": lambda a: np.resize(a, 3 * PARALLEL_FROM)[::3],
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", LOOP_DTYPES, ids=lambda t: np.dtype(t).name)
def test_every_dtype_and_layout_gives_np_squares_result(dtype, layout):
    a = LAYOUTS[layout](values(dtype, 1000))
    before = a.copy()
    got, expected = both(a)
    assert_same(got, expected)
    assert a.tobytes() == before.tobytes()  # the input is not modified


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", LOOP_DTYPES, ids=lambda t: np.dtype(t).name)
def test_every_dtype_and_layout_in_place(dtype, layout):
    if layout in ("broadcast", "column broadcast"):
        pytest.skip("a broadcast view is read-only")
    a = LAYOUTS[layout](values(dtype, 1000))
    ours, numpys = a.copy(), a.copy()
    with np.errstate(all="ignore"):
        assert square(ours, out=ours) is ours
        np.square(numpys, out=numpys)
    assert_same(ours, numpys)


@pytest.mark.parametrize(
    "dtype, loop",
    [
        (np.bool_, np.int32),
        (np.int8, np.int32),
        (np.uint8, np.int32),
        (np.int16, np.int32),
        (np.uint16, np.int32),
        (np.uint32, np.int64),
        (np.uint64, np.float64),
        (np.float16, np.float32),
    ],
    ids=lambda t: np.dtype(t).name,
)
def test_other_dtypes_take_the_first_loop_they_cast_to_safely(dtype, loop):
    # np.square has a loop for each of these; array_ops.square has four, and NumPy picks the
    # first its input casts to safely: the result is np.square of the input in that dtype.
    a = np.arange(-20, 20).astype(dtype)
    with np.errstate(all="ignore"):
        assert_same(square(a), np.square(a.astype(loop)))


@pytest.mark.parametrize("x", [np.complex128(1j), "text", None, np.datetime64(1, "s")], ids=repr)
def test_a_dtype_without_a_loop_is_numpys_no_loop_error(x):
    # np.square has loops for complex and object values; array_ops.square refuses them as
    # NumPy refuses any ufunc's missing loop (a UFuncTypeError, a TypeError).
    with pytest.raises(TypeError, match="not supported for the input types"):
        square(x)


# --- Scalars, lists, broadcasting --------------------------------------------------------------


@pytest.mark.parametrize(
    "x",
    [
        3,
        -7,
        2**40,
        2.5,
        -0.0,
        float("nan"),
        1e200,
        np.float64(3.0),
        np.float32(1.5),
        np.int32(50_000),
        np.int64(-3_037_000_500),
        [1, 2, 3],
        [1.0, -2.5],
        [[1, 2], [3, 4]],
        (1.5, 2),
        [],
    ],
    ids=repr,
)
def test_scalars_and_lists_as_np_square(x):
    assert_same(*both(x))


def test_integer_squares_wrap_silently_as_np_squares_do():
    for dtype in (np.int32, np.int64):
        a = np.array([np.iinfo(dtype).max, np.iinfo(dtype).min, 46341, -3037000500]).astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                assert_same(square(a), np.square(a))
    assert square(np.int32(50_000)) == -1_794_967_296


def test_broadcasting_against_out():
    a = values(np.float64, 6)
    assert_same(*both(a[:, None]))
    ours, numpys = np.zeros((3, 4, 6)), np.zeros((3, 4, 6))
    square(a, out=ours)
    np.square(a, out=numpys)
    assert_same(ours, numpys)
    with pytest.raises(ValueError):
        square(a[:, None], out=np.zeros(6))


# --- out=, where=, dtype=, casting= ------------------------------------------------------------


@pytest.mark.parametrize("dtype", LOOP_DTYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize(
    "source, target",
    [
        (slice(1, None), slice(None, -1)),  # the output starts one value before the input
        (slice(None, -1), slice(1, None)),  # the output starts one value after the input
        (slice(None, None, -1), slice(None)),  # reversed onto itself
        (slice(None, None, 2), slice(1, None, 2)),  # interleaved, no location shared
        (slice(10, None), slice(None, -10)),
    ],
    ids=[
        "a[1:] into a[:-1]",
        "a[:-1] into a[1:]",
        "a[::-1] into a",
        "a[::2] into a[1::2]",
        "a[10:] into a[:-10]",
    ],
)
@pytest.mark.parametrize("n", [1000, 2 * PARALLEL_FROM + 8], ids=["short", "long"])
def test_out_overlapping_the_input(dtype, source, target, n):
    a = values(dtype, n)
    ours, numpys = a.copy(), a.copy()
    with np.errstate(all="ignore"):
        square(ours[source], out=ours[target])
        np.square(numpys[source], out=numpys[target])
    assert_same(ours, numpys)


@pytest.mark.parametrize("dtype", LOOP_DTYPES, ids=lambda t: np.dtype(t).name)
def test_out_in_place_and_0d(dtype):
    for a in (values(dtype, 100), values(dtype, 1).reshape(())):
        ours, numpys = a.copy(), a.copy()
        with np.errstate(all="ignore"):
            assert square(ours, out=ours) is ours
            assert square(ours, ours) is ours  # out given by position
            np.square(numpys, out=numpys)
            np.square(numpys, numpys)
        assert_same(ours, numpys)
        ours_tuple, numpys_tuple = a.copy(), a.copy()
        with np.errstate(all="ignore"):
            square(ours_tuple, out=(ours_tuple,))
            np.square(numpys_tuple, out=(numpys_tuple,))
        assert_same(ours_tuple, numpys_tuple)


def test_out_of_another_dtype_or_layout():
    a = values(np.float64, 120).reshape(10, 12)
    for make_out in (
        lambda: np.zeros((10, 12), np.float32),
        lambda: np.zeros((12, 10)).T,
        lambda: np.zeros((10, 24))[:, ::2],
        lambda: np.zeros((10, 12), ">f8"),
    ):
        ours, numpys = make_out(), make_out()
        with np.errstate(all="ignore"):
            assert square(a, out=ours) is ours
            np.square(a, out=numpys)
        assert_same(ours, numpys)


@pytest.mark.parametrize("dtype", LOOP_DTYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("n", [50, 3 * PARALLEL_FROM], ids=["short", "long"])
def test_where(dtype, n):
    a = values(dtype, n)
    mask = np.random.default_rng(1).random(n) < 0.5
    ours, numpys = np.full(n, 7, dtype), np.full(n, 7, dtype)
    with np.errstate(all="ignore"):
        square(a, out=ours, where=mask)
        np.square(a, out=numpys, where=mask)
    assert_same(ours, numpys)
    # A scalar where= and a broadcast one.
    assert_same(*both(a, out=np.ones(n, dtype), where=False))
    rows = values(dtype, 24).reshape(4, 6)
    where = np.array([True, False, True, True, False, False])
    assert_same(*both(rows, out=np.zeros((4, 6), dtype), where=where))


@pytest.mark.parametrize(
    "dtype, given",
    [
        (np.int32, np.float64),
        (np.int64, np.float64),
        (np.float64, np.float32),
        (np.int32, np.int64),
        (np.float32, np.float64),
        (np.float64, np.float64),
    ],
    ids=lambda t: np.dtype(t).name,
)
def test_dtype(dtype, given):
    a = values(dtype, 100)
    assert_same(*both(a, dtype=given))
    assert_same(*both(a, signature=(given, given)))


@pytest.mark.parametrize(
    "call",
    [
        lambda f, a: f(a, dtype=np.float32, casting="safe"),
        lambda f, a: f(a, dtype=np.int32, casting="same_kind"),
        lambda f, a: f(a, out=np.zeros(a.shape, np.int64)),
        lambda f, a: f(a, out=np.zeros(a.shape, np.float32), casting="no"),
        lambda f, a: f(a, casting="nonsense"),
        lambda f, a: f(a, out=np.zeros(3)),
        lambda f, a: f(a, out=read_only(a.shape)),
        lambda f, a: f(a, out=np.broadcast_to(np.zeros(1), a.shape)),
        lambda f, a: f(a, out=[0.0] * a.size),
        lambda f, a: f(a, where="yes", out=np.zeros(a.shape)),
        lambda f, a: f(a, a, out=a),
    ],
    ids=[
        "float64 as float32, safe",
        "float64 as int32, same_kind",
        "float64 into int64 out",
        "float64 into float32, no",
        "a casting that does not exist",
        "out of the wrong shape",
        "read-only out",
        "broadcast out",
        "out a list",
        "where a string",
        "out twice",
    ],
)
def test_errors_are_numpys_own(call):
    a = values(np.float64, 10)
    try:
        with np.errstate(all="ignore"):
            expected = call(np.square, a.copy())
    except Exception as error:
        with pytest.raises(type(error)) as ours:
            call(square, a.copy())
        assert str(ours.value).replace("square", "") == str(error).replace("square", "")
    else:
        with np.errstate(all="ignore"):
            assert_same(call(square, a.copy()), expected)


def test_casting_that_numpy_allows():
    a = values(np.float64, 100)
    for kwargs in (
        {"out": np.zeros(100, np.int64), "casting": "unsafe"},
        {"out": np.zeros(100, np.float32), "casting": "same_kind"},
        {"dtype": np.float64, "casting": "no"},
        {"dtype": np.float32, "casting": "same_kind"},
    ):
        assert_same(*both(a, **kwargs))


# --- Floating-point flags become NumPy's warnings and errors -----------------------------------


@pytest.mark.parametrize("n", [1000, 4 * PARALLEL_FROM + 5], ids=["short", "long"])
@pytest.mark.parametrize("in_place", [False, True], ids=["into another", "in place"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda t: np.dtype(t).name)
def test_overflow_warns_and_raises_wherever_it_happens(dtype, in_place, n):
    # A long run is shared out over the pool's threads, whose flags are their own: a square
    # that overflows on a helper must be reported on the calling thread as on one thread.
    big = np.sqrt(np.finfo(dtype).max) * 2
    for at in (0, n // 3, n // 2, n - 1):
        for _ in range(5):
            a = np.ones(n, dtype)
            a[at] = big
            with pytest.warns(RuntimeWarning, match="overflow encountered in square"):
                square(a, out=a if in_place else None)
            a[at] = big
            with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
                square(a, out=a if in_place else None)
    # No flag is left behind: a square that does not overflow raises nothing afterwards.
    with np.errstate(all="raise"):
        square(np.ones(n, dtype))


def test_underflow_and_invalid_as_numpy_reports_them():
    tiny = np.full(3 * PARALLEL_FROM, 1e-200)
    with np.errstate(under="raise"):
        with pytest.raises(FloatingPointError, match="underflow"):
            np.square(tiny)
        with pytest.raises(FloatingPointError, match="underflow"):
            square(tiny)
    with np.errstate(all="raise"):
        # Quiet NaNs and infinities square without a flag, in NumPy's loop and ours.
        special = np.resize(np.array([np.nan, np.inf, -np.inf, 0.0]), 3 * PARALLEL_FROM)
        assert_same(square(special), np.square(special))


# --- Large arrays, threads ---------------------------------------------------------------------


@pytest.mark.parametrize("n", [PARALLEL_FROM - 1, PARALLEL_FROM, 10**6 + 3])
@pytest.mark.parametrize("dtype", LOOP_DTYPES, ids=lambda t: np.dtype(t).name)
def test_large_arrays_in_place_and_not(dtype, n):
    a = values(dtype, n, seed=n)
    assert_same(*both(a))
    ours, numpys = a.copy(), a.copy()
    with np.errstate(all="ignore"):
        square(ours, out=ours)
        np.square(numpys, out=numpys)
    assert_same(ours, numpys)


def test_calls_from_many_threads_at_once():
    arrays = [values(np.float64, 3 * PARALLEL_FROM + i, seed=i) for i in range(16)]
    with np.errstate(all="ignore"):
        expected = [np.square(a) for a in arrays]

        def run(i):
            # np.errstate is per thread (a context variable): each worker sets its own.
            with np.errstate(all="ignore"):
                copy = arrays[i].copy()
                square(copy, out=copy)
                return square(arrays[i]), copy

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run, range(16)))
    for (out_of_place, in_place), want in zip(results, expected, strict=True):
        assert_same(out_of_place, want)
        assert_same(in_place, want)


# --- Random shapes and strides -----------------------------------------------------------------


@st.composite
def views(draw):
    dtype = draw(st.sampled_from(LOOP_DTYPES))
    base = draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7)))
    index = tuple(
        slice(draw(st.integers(0, 2)), None, draw(st.sampled_from([1, 2, 3, -1, -2])))
        for _ in range(base.ndim)
    )
    return base[index] if index else base[...]  # base[()] of a 0-d array is a scalar


@settings(max_examples=300, deadline=None)
@given(views(), st.booleans())
def test_hypothesis_random_views(view, in_place):
    if in_place:
        ours, numpys = view.copy(), view.copy()
        with np.errstate(all="ignore"):
            square(ours, out=ours)
            np.square(numpys, out=numpys)
        assert_same(ours, numpys)
    else:
        assert_same(*both(view))


# --- __array_ufunc__: masked arrays, Dask, xarray ----------------------------------------------


def test_masked_arrays_keep_their_mask():
    a = np.ma.masked_array(values(np.float64, 12), mask=[i % 3 == 0 for i in range(12)])
    got, expected = both(a)
    assert type(got) is np.ma.MaskedArray
    np.testing.assert_array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(expected))
    assert got.compressed().tobytes() == expected.compressed().tobytes()


def test_dask_arrays_stay_lazy_and_compute_np_squares_result():
    da = pytest.importorskip("dask.array")
    for dtype in LOOP_DTYPES:
        data = values(dtype, 10_000).reshape(100, 100)
        x = da.from_array(data, chunks=(30, 45))
        y = square(x)
        assert isinstance(y, da.Array)
        assert y.dtype == data.dtype and y.chunks == x.chunks
        with np.errstate(all="ignore"):
            assert_same(y.compute(), np.square(data))
            # A chunked view, and a result that is still lazy when used again.
            assert_same(square(x[::-3, 1::2]).compute(), np.square(data[::-3, 1::2]))
            assert_same((square(x) + 1).compute(), np.square(data) + 1)


def test_dask_calls_the_ufunc_only_when_computed():
    da = pytest.importorskip("dask.array")
    calls = []

    def source(block):
        calls.append(block.shape)
        return block

    x = da.from_array(np.arange(100.0), chunks=25)
    x = x.map_blocks(source, dtype=np.float64, meta=np.empty((0,), np.float64))
    y = square(x)
    assert calls == []
    assert_same(y.compute(), np.square(np.arange(100.0)))
    assert calls == [(25,)] * 4


def test_xarray_objects_keep_their_coordinates():
    xr = pytest.importorskip("xarray")
    data = values(np.float64, 12).reshape(3, 4)
    array = xr.DataArray(data, dims=("x", "y"), coords={"x": [10, 20, 30]}, name="v")
    got = square(array)
    assert isinstance(got, xr.DataArray)
    assert got.dims == ("x", "y") and list(got.coords["x"].values) == [10, 20, 30]
    with np.errstate(all="ignore"):
        assert_same(got.values, np.square(data))
