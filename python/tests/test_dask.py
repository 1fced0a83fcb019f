"""Sums of Dask arrays (issue 22), and the two functions they are built from.

fast_operations.sum_array and parallel_sum.parallel_sum (with any ``threads=``) take a
``dask.array.Array`` and return a lazy 0-d Dask array. Its ``.compute()`` is a Python float with
the bits of ``np.sum`` of the whole array in C order (float32 summed in float64: sum_array's
bits of the computed array), or, for ints, the exact Python int, never wrapped. tree_pieces and
sum_of_tree_pieces, in both modules, are the building blocks, usable with any framework: the
pieces of NumPy's pairwise tree that one chunk holds, and the sum of every chunk's pieces.

What is checked, always against NumPy itself (or exact Python int arithmetic), floats bit for
bit, never with a tolerance:

* laziness: the call reads no block (blocks that count their reads, a block that raises if
  read), compute reads each block once; the result's shape () and dtype (float64 or int64);
* float64 1-D arrays of every length around NumPy's leaves (8 and 128 values) up to 10**6, in
  chunks regular, irregular, tiny, empty, one or many; N-D arrays whose chunks cut the trailing
  axes or span them, made from C or Fortran arrays or from Dask views; empty and 0-d arrays;
  NaN payloads, infinities and signed zeros; random shapes and chunkings (hypothesis);
* float32, int32 and int64 (sums beyond int64's range too);
* the same bits with Dask's synchronous, threaded and multiprocessing schedulers, and on a
  dask.distributed cluster of 1, 2 and 3 worker processes, also when a worker is killed mid-sum
  (its nanny restarts it, the scheduler computes its tasks again);
* keepdims=True; axis= (a ValueError) and unsupported dtypes (a TypeError at call time);
* Dask stays optional: where it cannot be imported, the modules import and sum as before;
* tree_pieces: what its six arrays hold (the tree's nodes wholly inside the chunk with the bits
  of np.sum of their values, the values of the leaves the chunk's edges cut; each of the chunk's
  values once), whatever the chunk's layout, and a few KB for a chunk of 10**5 values;
  sum_of_tree_pieces: the blocks of 1-D to 3-D arrays, in any order, give np.sum's bits; the
  errors of both.

The Dask tests are skipped where Dask is not installed, the cluster's where dask.distributed
is not; the others run without them.
"""

import itertools
import json
import math
import os
import platform
import signal
import struct
import time

import fast_operations
import numpy as np
import parallel_sum
import pytest
from helpers import bits, misaligned, run_python, wide
from hypothesis import given, settings
from hypothesis import strategies as st

# Seconds any one computation may take (a slow shared machine, not the expected time).
TIMEOUT = 60


class Sum:
    """A sum under test: sum_array, or parallel_sum with a fixed ``threads=``."""

    def __init__(self, function, **fixed):
        self.function, self.fixed = function, fixed
        self.name = function.__name__

    def __call__(self, x, *args, **kwargs):
        return self.function(x, *args, **self.fixed, **kwargs)

    def __repr__(self):
        return self.name + "".join(f"[{key}={value}]" for key, value in self.fixed.items())


SUMS = [Sum(fast_operations.sum_array), Sum(parallel_sum.parallel_sum)]
THREADED = [Sum(parallel_sum.parallel_sum, threads=threads) for threads in [1, 2, 3]]


@pytest.fixture(scope="module", params=SUMS, ids=repr)
def total(request):
    """sum_array or parallel_sum: the tests of many arrays (threads= has its own test)."""
    return request.param


@pytest.fixture(scope="module", params=SUMS + THREADED, ids=repr)
def any_total(request):
    """sum_array, or parallel_sum with every threads=: the tests of what a call returns."""
    return request.param


@pytest.fixture(scope="module")
def da():
    """dask.array, or the test is skipped."""
    return pytest.importorskip("dask.array")


# --- What a sum must give ---------------------------------------------------------------------


def expected_sum(values: np.ndarray):
    """What a lazy sum of a Dask array of these values computes to: the exact Python int of
    ints; for floats, np.sum's bits of the C-ordered values (float32 as float64)."""
    values = np.ascontiguousarray(values)
    if values.dtype.kind == "i":
        return sum(values.ravel().tolist())
    with np.errstate(all="ignore"):
        return float(np.sum(values.astype(np.float64)))


def assert_same_sum(got, expected, what: str) -> None:
    """``got`` is ``expected``: the same Python int, or a float (a Python float, or the NumPy
    float64 a lazy sum computes to) with the same bits."""
    if isinstance(expected, int):
        assert type(got) is int, f"{what}: a {type(got).__name__}, not an int"
        assert got == expected, f"{what}: {got} != {expected}"
    else:
        assert type(got) in (float, np.float64), f"{what}: a {type(got).__name__}, not a float"
        assert bits(got) == bits(expected), (
            f"{what}: {got!r} ({bits(got):#018x}) != {expected!r} ({bits(expected):#018x})"
        )


def assert_lazy(result, input_dtype, shape=()) -> None:
    """``result`` is a Dask array of ``shape``: float64 for float input, int64 for int input."""
    import dask.array

    assert isinstance(result, dask.array.Array), f"a {type(result).__name__}, not a Dask array"
    assert result.shape == shape
    assert result.dtype == (np.int64 if np.dtype(input_dtype).kind == "i" else np.float64)


def describe(x) -> str:
    chunks = str(x.chunks)
    return f"{x.dtype} shape {x.shape} chunks {chunks[:150]}{'...' if len(chunks) > 150 else ''}"


def assert_sums_lazily(total, x, what: str = "") -> None:
    """``total(x)`` is lazy and computes to the sum of ``x``'s values in C order."""
    result = total(x)
    assert_lazy(result, x.dtype)
    got = result.compute()
    assert_same_sum(got, expected_sum(x.compute()), f"{total!r} {what} {describe(x)}")


def values_of(dtype, n: int, seed: int) -> np.ndarray:
    """n values of dtype: wide floats (any change of summation order shows), ints over the
    dtype's whole range (int64 sums leave int64's range)."""
    if np.dtype(dtype).kind == "f":
        return wide(n, seed=seed).astype(dtype)
    info = np.iinfo(dtype)
    return np.random.default_rng(seed).integers(info.min, info.max, n, dtype=dtype, endpoint=True)


# --- Chunkings --------------------------------------------------------------------------------

# More blocks make Dask's overhead, not the sums, the test's time.
MAX_BLOCKS = 400


def regular(n: int, size: int) -> tuple:
    return (size,) * (n // size) + ((n % size,) if n % size else ())


def repeating(sizes, n: int) -> tuple:
    """Chunk sizes cycling through ``sizes``, the last one cut short, summing to n."""
    chunks, covered = [], 0
    for size in itertools.cycle(sizes):
        if covered >= n:
            return tuple(chunks) or (0,)
        chunks.append(min(size, n - covered))
        covered += chunks[-1]


def random_cuts(rng, n: int, cuts: int) -> tuple:
    """Chunk sizes summing to n, cut at random points (two cuts at one point: an empty chunk)."""
    points = np.sort(rng.integers(0, n + 1, cuts))
    return tuple(np.diff([0, *points, n]).tolist())


def chunkings_1d(n: int) -> dict:
    """Chunkings of n values: one chunk, regular ones (tiny, around NumPy's leaf of 128 values
    and its 8 accumulators, large), irregular ones, random cuts, empty chunks."""
    rng = np.random.default_rng(n)
    found = {"one chunk": (n,)}
    for size in [1, 3, 7, 8, 127, 128, 129, 1000, 65_536]:
        if size < n:
            found[f"chunks of {size}"] = regular(n, size)
    found["irregular"] = repeating((5, 300, 1, 129, 7000), n)
    found["irregular, small first"] = repeating((1, 7, 8, 9, 127, 128, 129), n)
    found["2 random cuts"] = random_cuts(rng, n, 2)
    found["40 random cuts"] = random_cuts(rng, n, 40)
    found["empty chunks at both ends"] = (0, n, 0)
    if n > 30_000:
        found["about 300 chunks"] = regular(n, n // 300)
    return {name: chunks for name, chunks in found.items() if len(chunks) <= MAX_BLOCKS}


LENGTHS = [0, 1, 7, 8, 9, 127, 128, 129, 1000, 7435, 100_003, 1_000_003]


# --- Laziness -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64])
def test_the_call_reads_no_block_and_compute_reads_each_once(da, any_total, dtype):
    values = values_of(dtype, 10_000, seed=1).reshape(100, 100)
    reads = []

    def read(block, block_id=None):
        reads.append(block_id)
        return block

    x = da.from_array(values, chunks=(30, 45))
    x = x.map_blocks(read, dtype=dtype, meta=np.empty((0, 0), dtype))
    result = any_total(x)
    assert reads == []
    assert_lazy(result, dtype)
    got = result.compute()
    assert sorted(reads) == list(itertools.product(range(4), range(3)))
    assert_same_sum(got, expected_sum(values), repr(any_total))


def test_a_block_that_raises_when_read_raises_only_in_compute(da, any_total):
    import dask

    def unreadable():
        raise RuntimeError("the block was read")

    readable = da.from_array(wide(1000), chunks=100)
    bad = da.from_delayed(dask.delayed(unreadable)(), shape=(50,), dtype=np.float64)
    result = any_total(da.concatenate([readable, bad]))
    assert_lazy(result, np.float64)
    with pytest.raises(RuntimeError, match="the block was read"):
        result.compute()


# --- float64: np.sum's bits in C order---------------------------------------------------------


@pytest.mark.parametrize("n", LENGTHS)
def test_1d_float64_in_every_chunking_has_np_sums_bits(da, total, n):
    values = wide(n, seed=n)
    for name, chunks in chunkings_1d(n).items():
        assert_sums_lazily(total, da.from_array(values, chunks=(chunks,)), name)


def test_the_irregular_chunks_of_the_issue(da, total):
    values = wide(7435, seed=22)
    assert_sums_lazily(total, da.from_array(values, chunks=((5, 300, 1, 129, 7000),)))
    assert_sums_lazily(total, da.from_array(values, chunks=((7000, 129, 1, 300, 5),)))


ND_CASES = {
    "rows whole": ((300, 257), (100, 257)),
    "trailing axis cut": ((300, 257), (100, 100)),
    "edge slivers": ((300, 257), ((1, 299), (256, 1))),
    "one row a chunk": ((120, 257), (1, 257)),
    "leaf sizes": ((129, 130), (8, 127)),
    "chunks of one": ((9, 17), (1, 1)),
    "one chunk": ((129, 130), (129, 130)),
    "3-D planes whole": ((20, 30, 40), (5, 30, 40)),
    "3-D rows whole": ((20, 30, 40), (5, 7, 40)),
    "3-D every axis cut": ((20, 30, 40), (5, 7, 9)),
    "3-D last axis in ones": ((20, 30, 40), (20, 30, 1)),
    "3-D chunks of one": ((4, 5, 6), (1, 1, 1)),
    "3-D long rows": ((2, 3, 9000), (1, 2, 1000)),
}


@pytest.mark.parametrize("case", list(ND_CASES))
def test_nd_float64_has_np_sums_bits_in_c_order(da, total, case):
    shape, chunks = ND_CASES[case]
    values = wide(math.prod(shape), seed=len(case)).reshape(shape)
    for order in ["C", "F"]:
        x = da.from_array(np.asarray(values, order=order), chunks=chunks)
        views = {"x": x, "x.T": x.T, "x[::-1, ..., 1::2]": x[::-1, ..., 1::2]}
        for name, view in views.items():
            assert_sums_lazily(total, view, f"{order} source, {name}")


@pytest.mark.parametrize(
    "values, chunks",
    [
        (np.array(2.5), ()),
        (np.array(-0.0), ()),  # 0.0, as np.sum gives
        (np.array(np.float32(0.1)), ()),
        (np.array(7), ()),
        (np.array(-3, dtype=np.int32), ()),
        (np.zeros(0), (5,)),
        (np.zeros((0, 5)), (2, 2)),
        (np.zeros((5, 0)), (2, 2)),
        (np.zeros((3, 0, 4)), (1, 1, 3)),
        (np.zeros((0,), dtype=np.int32), (5,)),
        (np.zeros((4, 0), dtype=np.int64), (3, 1)),
        (np.zeros((0, 3), dtype=np.float32), (1, 1)),
    ],
    ids=lambda v: f"{v.dtype}{list(v.shape)}" if isinstance(v, np.ndarray) else str(v),
)
def test_zero_d_and_empty_arrays(da, total, values, chunks):
    assert_sums_lazily(total, da.from_array(values, chunks=chunks))


NEGATIVE_NAN_1 = np.uint64(0xFFF8_0000_0000_0001).view(np.float64)
POSITIVE_NAN_2 = np.uint64(0x7FF8_0000_0000_0002).view(np.float64)

# sum_array reproduces the NaN operand order of NumPy's x86-64 AVX2 build (test_nan_bits.py).
_features = getattr(np._core._multiarray_umath, "__cpu_features__", {})
NUMPYS_NAN_ORDER = platform.machine() in ("x86_64", "AMD64") and bool(
    _features.get("AVX2") and _features.get("FMA3")
)


@pytest.mark.parametrize(
    "n, pairs",
    [
        (1000, [(3, 500), (500, 3), (99, 100), (100, 99), (0, 999), (999, 0), (120, 130), (7, 8)]),
        (70_007, [(10, 60_000), (60_000, 10), (35_000, 34_999), (0, 70_006)]),
    ],
)
def test_nan_payloads_in_different_chunks_have_sum_arrays_bits(da, total, n, pairs):
    clean = np.random.default_rng(n).standard_normal(n)
    for i, j in pairs:
        values = clean.copy()
        values[i], values[j] = NEGATIVE_NAN_1, POSITIVE_NAN_2
        expected = bits(fast_operations.sum_array(values))
        if NUMPYS_NAN_ORDER:
            assert expected == bits(np.sum(values))
        chunkings = [regular(n, 100), regular(n, 128), regular(n, 129), (n,)]
        for chunks in chunkings + [repeating((5, 300, 1, 129, 7000), n)]:
            x = da.from_array(values, chunks=(chunks,))
            got = total(x).compute()
            assert type(got) is np.float64
            assert bits(got) == expected, f"{total!r} NaNs at {i}, {j}: {describe(x)}"


def test_infinities_and_signed_zeros(da, total):
    values = wide(1000, seed=8)
    cases = {}
    both = values.copy()
    both[10], both[900] = np.inf, -np.inf
    cases["inf and -inf in two chunks: nan"] = both
    one = values.copy()
    one[[10, 500, 999]] = np.inf
    cases["inf: inf"] = one
    cases["-inf: -inf"] = -one
    cases["-0.0 only: 0.0"] = np.full(1000, -0.0)
    cases["-0.0 and 0.0"] = np.where(np.arange(1000) % 3 == 0, 0.0, -0.0)
    cases["overflow: inf"] = np.full(1000, 1e308)
    for name, case in cases.items():
        for chunks in [7, 100, 129, 1000]:
            assert_sums_lazily(total, da.from_array(case, chunks=chunks), name)
    # What the cases above hold the sums to, spelled out.
    assert math.isnan(expected_sum(both))
    assert expected_sum(one) == math.inf and expected_sum(-one) == -math.inf
    assert bits(expected_sum(np.full(1000, -0.0))) == bits(0.0)


# --- float32 and ints -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [9, 1000, 100_003])
def test_float32_is_summed_in_float64_as_sum_array_sums_it(da, total, n):
    values = values_of(np.float32, n, seed=n)
    for name, chunks in chunkings_1d(n).items():
        x = da.from_array(values, chunks=(chunks,))
        result = total(x)
        assert_lazy(result, np.float32)
        got = result.compute()
        assert_same_sum(got, fast_operations.sum_array(values), f"{total!r} {name}")
        assert_same_sum(got, float(np.sum(values.astype(np.float64))), f"{total!r} {name}")
    grid = values[: n - n % 9].reshape(9, -1)
    assert_sums_lazily(total, da.from_array(grid, chunks=(4, 100)))
    assert_sums_lazily(total, da.from_array(grid, chunks=(4, 100)).T)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_sums_are_exact_python_ints(da, total, dtype):
    values = values_of(dtype, 100_003, seed=11)
    rng = np.random.default_rng(11)
    chunkings = [(100_003,), regular(100_003, 1000), repeating((5, 300, 1, 129, 7000), 100_003)]
    for chunks in chunkings + [random_cuts(rng, 100_003, 40)]:
        assert_sums_lazily(total, da.from_array(values, chunks=(chunks,)))
    grid = values[:100_000].reshape(100, 1000)
    assert_sums_lazily(total, da.from_array(grid, chunks=(7, 300)))
    assert_sums_lazily(total, da.from_array(grid, chunks=(7, 300)).T)


def test_int64_sums_beyond_int64s_range_do_not_wrap(da, total):
    info = np.iinfo(np.int64)
    rng = np.random.default_rng(12)
    near_max = info.max - rng.integers(0, 1000, 10_000)
    near_min = info.min + rng.integers(0, 1000, 10_000)
    cases = {
        "near the largest int64": (near_max, sum(near_max.tolist())),
        "near the smallest int64": (near_min, sum(near_min.tolist())),
        "eight times 2**62": (np.full(8, 2**62), 2**65),
    }
    for name, (values, exact) in cases.items():
        assert not info.min <= exact <= info.max  # np.sum would wrap
        for chunks in chunkings_1d(values.size).values():
            x = da.from_array(values, chunks=(chunks,))
            result = total(x)
            assert_lazy(result, np.int64)
            assert_same_sum(result.compute(), exact, f"{total!r} {name} {describe(x)}")


# --- Random shapes and chunkings (hypothesis) -------------------------------------------------


@st.composite
def chunk_sizes(draw, n: int, most: int) -> tuple:
    """Chunk sizes summing to n: cuts at up to ``most`` random points, some chunks empty."""
    points = sorted(draw(st.lists(st.integers(0, n), max_size=most)))
    return tuple(np.diff([0, *points, n]).tolist())


@st.composite
def chunked_arrays(draw):
    """A 1-D or 2-D float64 array of wide values, with a few infinities, huge values, signed
    zeros or subnormals among them, and chunk sizes for each axis."""
    if draw(st.booleans()):
        shape = (draw(st.integers(0, 300) | st.integers(0, 100_000)),)
        most = 40
    else:
        shape = (draw(st.integers(0, 150)), draw(st.integers(0, 150)))
        most = 8
    chunks = tuple(draw(chunk_sizes(n, most)) for n in shape)
    values = wide(math.prod(shape), seed=draw(st.integers(0, 2**32))).reshape(shape)
    specials = st.sampled_from([np.inf, -np.inf, 0.0, -0.0, 1e308, -1e308, 5e-324])
    if values.size:
        for value in draw(st.lists(specials, max_size=3)):
            values.flat[draw(st.integers(0, values.size - 1))] = value
    return values, chunks


@settings(max_examples=100, deadline=None)
@given(chunked_arrays())
def test_hypothesis_random_shapes_and_chunkings(da, total, case):
    values, chunks = case
    assert_sums_lazily(total, da.from_array(values, chunks=chunks))


# --- parallel_sum's threads=, and Dask's schedulers -------------------------------------------


def made_where_read(da, shape, chunks, dtype=np.float64):
    """A Dask array whose blocks are made from their indices where they are read (the graph
    carries no data): for floats, values spanning 2^-20..2^20 with both signs (as ``wide``);
    int32 over its whole range; int64 near its largest value (the sum leaves int64's range)."""
    strides = [math.prod(shape[axis + 1 :]) for axis in range(len(shape))]

    def values_at(*index):
        # Nested, so that cloudpickle sends it by value: workers need not import this file.
        flat = sum(i.astype(np.int64) * stride for i, stride in zip(index, strides, strict=True))
        mixed = (flat * 2654435761 + 12345) % 2**32
        if np.dtype(dtype) == np.int64:
            return np.iinfo(np.int64).max - mixed % 1000
        if np.dtype(dtype) == np.int32:
            return (mixed - 2**31).astype(np.int32)
        return np.ldexp(mixed / 2**32 - 0.5, (flat * 7919) % 41 - 20).astype(dtype)

    return da.fromfunction(values_at, shape=shape, chunks=chunks, dtype=dtype)


def arrays_for_schedulers(da) -> list:
    """Dask arrays for the scheduler, cluster and threads= tests: float64 1-D in chunks tiny,
    irregular, random (some empty) or one, N-D with chunks that cut the trailing axes or span
    them, empty and 0-d arrays, float32, int32, and int64 whose sum leaves int64's range. A few
    blocks each: a cluster's time goes on its tasks, not on the sums."""
    rng = np.random.default_rng(21)
    return [
        made_where_read(da, (100_003,), ((100_003,),)),
        made_where_read(da, (50,), 3),
        made_where_read(da, (1000,), 129),
        made_where_read(da, (7435,), ((5, 300, 1, 129, 7000),)),
        made_where_read(da, (100_003,), (random_cuts(rng, 100_003, 12),)),
        made_where_read(da, (1_000_003,), (random_cuts(rng, 1_000_003, 5),)),
        made_where_read(da, (300, 257), (100, 100)),
        made_where_read(da, (300, 257), (50, 257)).T,
        made_where_read(da, (20, 30, 40), (10, 15, 20)),
        made_where_read(da, (0, 5), (2, 2)),
        da.from_array(np.array(2.5)),
        made_where_read(da, (100_003,), 10_000, np.float32),
        made_where_read(da, (10_007,), 999, np.int32),
        made_where_read(da, (10_000,), 1000, np.int64),
    ]


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_every_threads_value_gives_the_same_bits(da, threads):
    total = Sum(parallel_sum.parallel_sum, threads=threads)
    values = wide(100_003, seed=3)
    for name, chunks in chunkings_1d(values.size).items():
        assert_sums_lazily(total, da.from_array(values, chunks=(chunks,)), name)
    for x in arrays_for_schedulers(da):
        assert_sums_lazily(total, x)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_same_bits_with_every_scheduler(da, scheduler):
    import dask

    xs = arrays_for_schedulers(da)
    sums = [(total, x) for total in SUMS + THREADED for x in xs]
    lazy = [total(x) for total, x in sums]
    for result, (_, x) in zip(lazy, sums, strict=True):
        assert_lazy(result, x.dtype)  # what the scheduler computes
    options = {"num_workers": 2} if scheduler == "processes" else {}
    # One compute of them all: the processes scheduler starts its pool once.
    results = dask.compute(*lazy, scheduler=scheduler, **options)
    for (total, x), got in zip(sums, results, strict=True):
        assert_same_sum(got, expected_sum(x.compute()), f"{scheduler}: {total!r} {describe(x)}")


# --- dask.distributed: worker processes, and one killed ---------------------------------------


@pytest.fixture(scope="module", params=[1, 2, 3], ids=lambda n: f"{n} workers")
def client(request):
    """A client of a local cluster of ``request.param`` worker processes, one thread each, on
    the loopback interface: started once per worker count, closed after the module's tests."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=request.param,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The scheduler's HTTP server starts even without a dashboard: on a free loopback port,
            # not on 8787, which another cluster may hold.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        client.wait_for_workers(request.param, timeout=TIMEOUT)
        yield client


def test_same_bits_on_a_cluster_of_worker_processes(da, client):
    sums = [(total, x) for total in SUMS + THREADED[1:2] for x in arrays_for_schedulers(da)]
    lazy = [total(x) for total, x in sums]
    for result, (_, x) in zip(lazy, sums, strict=True):
        assert_lazy(result, x.dtype)  # what the cluster computes
    futures = client.compute(lazy)
    for (total, x), future in zip(sums, futures, strict=True):
        got = future.result(timeout=TIMEOUT)
        assert_same_sum(got, expected_sum(x.compute()), f"{total!r} {describe(x)}")


@pytest.mark.parametrize("client", [2], indirect=True)
def test_a_worker_killed_mid_sum_changes_no_bit(da, client):
    def slow_identity(block):
        # Nested, so that cloudpickle sends it by value: workers need not import this file.
        time.sleep(0.05)
        return block

    # 41 blocks of 50 ms on two workers: about a second of work; the kill lands in its first tenth.
    made = made_where_read(da, (200_003,), 5000)
    x = made.map_blocks(slow_identity, dtype=np.float64, meta=np.empty((0,), np.float64))
    deadline = time.monotonic() + TIMEOUT
    while any(client.has_what().values()):  # earlier tests' results, still being released
        assert time.monotonic() < deadline, "the workers keep earlier results"
        time.sleep(0.005)
    victim, pid = sorted(client.run(os.getpid).items())[0]
    lazy = [fast_operations.sum_array(x), parallel_sum.parallel_sum(x, threads=2)]
    for result in lazy:
        assert_lazy(result, np.float64)
    futures = client.compute(lazy)
    while not client.has_what().get(victim):  # wait until the kill loses results
        assert time.monotonic() < deadline, "no result ever reached the worker's memory"
        time.sleep(0.005)
    assert not any(future.done() for future in futures), "the sums ended before the kill"
    os.kill(pid, signal.SIGKILL)
    expected = expected_sum(made.compute())
    for future in futures:
        assert_same_sum(future.result(timeout=TIMEOUT), expected, "after a kill")
    client.wait_for_workers(2, timeout=TIMEOUT)
    assert pid not in client.run(os.getpid).values()  # killed, and replaced by its nanny


# --- keepdims, axis, dtypes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, shape, chunks",
    [
        (np.float64, (1000,), 77),
        (np.float64, (30, 40), (7, 40)),
        (np.float64, (4, 5, 6), (2, 3, 4)),
        (np.float64, (), ()),
        (np.float64, (0, 5), (2, 2)),
        (np.float32, (30, 40), (7, 13)),
        (np.int32, (1000,), 77),
        (np.int64, (30, 40), (7, 13)),
    ],
    ids=lambda v: np.dtype(v).name if isinstance(v, type) else str(v),
)
def test_keepdims_gives_an_array_of_ones_shape_holding_the_sum(da, any_total, dtype, shape, chunks):
    values = values_of(dtype, math.prod(shape), seed=3).reshape(shape)
    if dtype is np.int64:
        values //= 2**20  # the sum fits in int64
    x = da.from_array(values, chunks=chunks)
    kept = any_total(x, keepdims=True)
    assert_lazy(kept, dtype, shape=(1,) * values.ndim)
    got = np.asarray(kept.compute())
    assert got.shape == (1,) * values.ndim and got.dtype == kept.dtype
    assert_same_sum(got.item(), expected_sum(values), f"{any_total!r} {describe(x)}")
    assert_same_sum(any_total(x, keepdims=False).compute(), expected_sum(values), repr(any_total))


def unreadable_array(da, shape, dtype):
    """A Dask array whose only block raises if read: a call that computes anything fails."""
    import dask

    def unreadable():
        raise RuntimeError("the block was read")

    return da.from_delayed(dask.delayed(unreadable)(), shape=shape, dtype=dtype)


@pytest.mark.parametrize("axis", [0, -1, 1, (0,), (), (0, 1), np.int64(0)], ids=repr)
@pytest.mark.parametrize("keepdims", [False, True])
def test_axis_is_a_value_error_naming_the_function(da, any_total, axis, keepdims):
    x = unreadable_array(da, (30, 40), np.float64)
    with pytest.raises(ValueError, match="axis") as error:
        any_total(x, axis=axis, keepdims=keepdims)
    assert any_total.name in str(error.value)
    assert "dask" in str(error.value).lower()
    with pytest.raises(ValueError, match="axis"):
        any_total(x, axis)  # positional too


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.complex128, np.uint8, object], ids=lambda d: np.dtype(d).name
)
def test_unsupported_dtypes_are_type_errors_at_call_time(da, any_total, dtype):
    x = unreadable_array(da, (100,), dtype)
    with pytest.raises(TypeError, match="float64") as error:
        any_total(x)
    message = str(error.value)
    assert any_total.name in message and np.dtype(dtype).name in message
    with pytest.raises(TypeError, match="float64"):
        any_total(x, keepdims=True)
    readable = da.from_array(np.zeros(10, dtype=dtype), chunks=3)
    with pytest.raises(TypeError, match="float64"):
        any_total(readable)


def test_chunks_that_are_not_numpy_arrays_are_type_errors_at_call_time(da, any_total):
    # A Dask array's chunks are what its metadata is (CuPy, sparse...): the sums take NumPy's.
    class OtherArrays:
        ndim, shape, dtype = 1, (0,), np.dtype(np.float64)

    x = unreadable_array(da, (100,), np.float64)
    x._meta = OtherArrays()
    with pytest.raises(TypeError, match="NumPy chunks") as error:
        any_total(x)
    assert any_total.name in str(error.value) and "OtherArrays" in str(error.value)
    masked = da.from_array(np.ma.masked_array(np.ones(10), mask=[0, 1] * 5), chunks=3)
    with pytest.raises(TypeError, match="masked"):
        any_total(masked)


def test_unknown_chunk_sizes_are_a_value_error_naming_the_way_out(da, any_total):
    x = da.from_array(np.arange(10.0), chunks=3)
    y = x[x > 3]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        any_total(y)
    assert_same_sum(any_total(y.compute_chunk_sizes()).compute(), 39.0, "known sizes")


def test_a_float_sum_computes_to_a_numpy_float64_that_composes(da, any_total):
    # As Dask's own x.sum(): the chunk is what the metadata says, so other arrays take it.
    x = da.from_array(wide(1000, seed=13), chunks=300)
    y = da.from_array(wide(500, seed=14), chunks=70)
    total = any_total(x)
    assert type(total.compute()) is np.float64
    stacked = da.stack([total, any_total(y)]).compute()
    assert [bits(v) for v in stacked] == [bits(np.sum(x.compute())), bits(np.sum(y.compute()))]
    assert total.astype(np.float32).compute() == np.float32(np.sum(x.compute()))


# --- Dask stays optional ------------------------------------------------------------------------

BLOCK_DASK = """
import sys

sys.modules["dask"] = None  # `import dask` (and dask.array) raise ImportError from now on
sys.modules["distributed"] = None
try:
    import dask.array
except ImportError:
    pass
else:
    raise SystemExit("dask could still be imported")
"""

# Run in this process and in one where Dask cannot be imported: results() must agree.
SUMS_OF_ARRAY_LIKES = """
import struct

import numpy as np


class ArrayLike:
    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)


def inputs():
    rng = np.random.default_rng(22)
    wide = rng.standard_normal(100_003) * np.exp2(rng.integers(-20, 21, 100_003))
    grid = wide[:100_000].reshape(100, 1000)
    return {
        "float64": wide,
        "reversed view": wide[::-3],
        "transposed": grid.T,
        "float32": wide.astype(np.float32),
        "int64": (wide * 1e6).astype(np.int64),
        "int64, sum beyond int64": np.full(8, 2**62),
        "int32": np.arange(-7, 1000, dtype=np.int32),
        "list": wide[:1000].tolist(),
        "nested list": grid[:3, :5].tolist(),
        "list of ints": [1, 2, 3],
        "float": 3.5,
        "numpy float32": np.float32(0.1),
        "array-like": ArrayLike(grid[:7]),
        "0-d": np.array(2.5),
        "empty": np.zeros((0, 5)),
        "bool": np.array([True]),
    }


def describe(call):
    try:
        result = call()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    if type(result) is float:
        return "float " + struct.pack("<d", result).hex()
    if type(result) is int:
        return f"int {result}"
    data = np.asarray(result).tobytes().hex()
    return f"{type(result).__name__} {result.dtype} {np.shape(result)} {data}"


def results():
    import fast_operations
    import parallel_sum

    calls = {
        "sum_array": lambda v: fast_operations.sum_array(v),
        "parallel_sum": lambda v: parallel_sum.parallel_sum(v),
        "parallel_sum threads=2": lambda v: parallel_sum.parallel_sum(v, threads=2),
        "sum_array axis=0": lambda v: fast_operations.sum_array(v, 0),
        "parallel_sum axis=-1 keepdims": lambda v: parallel_sum.parallel_sum(v, -1, keepdims=True),
    }
    return {
        f"{call_name} of {name}": describe(lambda: call(value))
        for name, value in inputs().items()
        for call_name, call in calls.items()
    }
"""


def test_without_dask_the_modules_import_and_sum_as_before():
    script = BLOCK_DASK + SUMS_OF_ARRAY_LIKES + "\nimport json\nprint(json.dumps(results()))\n"
    without_dask = json.loads(run_python(script))
    here = {}
    exec(SUMS_OF_ARRAY_LIKES, here)
    expected = here["results"]()
    assert without_dask.keys() == expected.keys()
    differ = [key for key in expected if without_dask[key] != expected[key]]
    assert differ == [], (
        f"{differ[0]}: {without_dask[differ[0]][:200]} != {expected[differ[0]][:200]}"
    )
    # What is compared is the sums themselves:
    float64 = here["inputs"]()["float64"]
    assert expected["sum_array of float64"] == "float " + struct.pack("<d", np.sum(float64)).hex()


def test_tree_pieces_need_no_dask():
    script = (
        BLOCK_DASK
        + """
import numpy as np
import fast_operations
import parallel_sum

rng = np.random.default_rng(22)
a = rng.standard_normal(10_007) * np.exp2(rng.integers(-20, 21, 10_007))
for module in (fast_operations, parallel_sum):
    starts = range(0, a.size, 1000)
    pieces = [module.tree_pieces(a[start : start + 1000], (start,), a.shape) for start in starts]
    print(module.sum_of_tree_pieces(pieces, a.shape).hex())
"""
    )
    rng = np.random.default_rng(22)
    a = rng.standard_normal(10_007) * np.exp2(rng.integers(-20, 21, 10_007))
    assert run_python(script).split() == [float(np.sum(a)).hex()] * 2


# --- tree_pieces and sum_of_tree_pieces ---------------------------------------------------------

PIECE_DTYPES = [np.int64, np.int64, np.float64, np.int64, np.int64, np.float64]


def numpy_tree(n: int):
    """NumPy's pairwise tree over n values (``pairwise_sum`` in
    numpy/_core/src/umath/loops_utils.h.src): a node of more than 128 values splits at n / 2
    rounded down to a multiple of 8, the others are leaves. Every node as (start, length), and
    the leaves, sorted."""
    nodes, leaves, stack = set(), [], [(0, n)]
    while stack:
        start, length = stack.pop()
        nodes.add((start, length))
        if length <= 128:
            leaves.append((start, length))
        else:
            half = length // 2 - length // 2 % 8
            stack += [(start, half), (start + half, length - half)]
    return nodes, sorted(leaves)


def assert_pieces_describe_the_chunk(pieces, chunk, offset, shape) -> None:
    """``pieces`` is what tree_pieces documents for ``chunk`` at ``offset`` of an array of
    ``shape``: six 1-D arrays; nodes of NumPy's tree over the whole array wholly inside the
    chunk, each with the bits of np.sum of its values; runs of the chunk's values (as float64)
    from leaves of the tree that the chunk's edges cut; each of the chunk's values in one node
    or one run, nothing else. (The chunk's values must be wide ones: no zeros, no NaN.)"""
    assert type(pieces) is tuple and len(pieces) == 6
    for piece, dtype in zip(pieces, PIECE_DTYPES, strict=True):
        assert type(piece) is np.ndarray and piece.ndim == 1 and piece.dtype == dtype
    node_starts, node_lens, node_sums, cut_starts, cut_lens, cut_values = pieces
    assert len(node_starts) == len(node_lens) == len(node_sums)
    assert len(cut_starts) == len(cut_lens) and cut_lens.sum() == len(cut_values)
    n = math.prod(shape)
    index = tuple(
        slice(start, start + length) for start, length in zip(offset, chunk.shape, strict=True)
    )
    flat = np.zeros(n)  # the chunk's values where they lie in the whole array
    flat.reshape(shape)[index] = chunk
    inside = np.zeros(n, bool)
    inside.reshape(shape)[index] = True
    covered = np.zeros(n, np.int64)
    nodes, leaves = numpy_tree(n)
    for start, length, node_sum in zip(*(piece.tolist() for piece in pieces[:3]), strict=True):
        where = f"node ({start}, {length})"
        assert (start, length) in nodes, f"{where} is no node of the tree over {n} values"
        assert inside[start : start + length].all(), f"{where} is not inside the chunk"
        assert bits(node_sum) == bits(float(np.sum(flat[start : start + length]))), where
        covered[start : start + length] += 1
    leaf_starts = np.array([start for start, _ in leaves], dtype=np.int64)
    leaf_lens = np.array([length for _, length in leaves], dtype=np.int64)
    leaf_inside = np.zeros(len(leaves), bool)
    if n:
        leaf_inside = np.add.reduceat(inside.astype(np.int64), leaf_starts) == leaf_lens
    runs = np.cumsum([0, *cut_lens.tolist()])
    for start, length, first in zip(
        cut_starts.tolist(), cut_lens.tolist(), runs[:-1].tolist(), strict=True
    ):
        assert start >= 0 and start + length <= n
        run = cut_values[first : first + length]
        assert run.view(np.uint64).tolist() == flat[start : start + length].view(np.uint64).tolist()
        where = np.arange(start, start + length)
        leaf_of = np.searchsorted(leaf_starts, where, side="right") - 1
        assert not leaf_inside[leaf_of].any(), f"the run at {start} has values of an uncut leaf"
        covered[start : start + length] += 1
    assert covered.tolist() == inside.astype(np.int64).tolist(), "not each value of the chunk once"


def split_sizes(n: int, parts: int) -> tuple:
    """np.array_split's sizes (empty ones where parts > n)."""
    return tuple(len(part) for part in np.array_split(np.arange(n), parts))


def blocks(shape, sizes):
    """The blocks of an array of ``shape`` cut into chunks of ``sizes`` (a tuple per axis):
    each block's index (slices) and offset."""
    starts = [np.cumsum([0, *axis_sizes[:-1]]).tolist() for axis_sizes in sizes]
    for corner in itertools.product(
        *(zip(s, z, strict=True) for s, z in zip(starts, sizes, strict=True))
    ):
        index = tuple(slice(start, start + size) for start, size in corner)
        yield index, tuple(start for start, _ in corner)


class TreePieces:
    """A module's tree_pieces (parallel_sum's with a fixed ``threads=``) and its
    sum_of_tree_pieces."""

    def __init__(self, module, **fixed):
        self.module, self.fixed = module, fixed

    def pieces(self, chunk, offset, shape):
        return self.module.tree_pieces(chunk, offset, shape, **self.fixed)

    def sum(self, pieces, shape):
        return self.module.sum_of_tree_pieces(pieces, shape)

    def __repr__(self):
        fixed = "".join(f"[{key}={value}]" for key, value in self.fixed.items())
        return self.module.__name__ + fixed


# parallel_sum's other threads= values:
# test_both_modules_and_every_thread_count_give_the_same_pieces
TREES = [TreePieces(fast_operations), TreePieces(parallel_sum), TreePieces(parallel_sum, threads=3)]


@pytest.fixture(scope="module", params=TREES, ids=repr)
def tree(request):
    return request.param


def sum_of_blocks(tree, values, sizes, seed=0):
    """Pieces of each block of ``values`` (checked), shuffled, summed."""
    pieces = []
    for index, offset in blocks(values.shape, sizes):
        chunk = values[index]
        found = tree.pieces(chunk, offset, values.shape)
        assert_pieces_describe_the_chunk(found, chunk, offset, values.shape)
        pieces.append(found)
    np.random.default_rng(seed).shuffle(pieces)
    return tree.sum(pieces, values.shape)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 1000, 7435, 100_003])
def test_1d_blocks_in_any_order_sum_to_np_sums_bits(tree, n):
    values = wide(n, seed=n)
    rng = np.random.default_rng(n)
    chunkings = [split_sizes(n, parts) for parts in [1, 2, 3, 10, 99]]
    chunkings += [random_cuts(rng, n, 5), repeating((5, 300, 1, 129, 7000), n)]
    for sizes in chunkings:
        got = sum_of_blocks(tree, values, (sizes,), seed=len(sizes))
        assert_same_sum(got, float(np.sum(values)), f"{tree!r} chunks {sizes[:20]}")


@pytest.mark.parametrize(
    "shape, parts",
    [
        ((37, 45), (3, 4)),
        ((300, 129), (7, 2)),
        ((129, 1000), (5, 3)),
        ((1, 1000), (1, 9)),
        ((1000, 1), (9, 1)),
        ((2, 3), (5, 5)),  # empty blocks too
        ((20, 30, 40), (3, 4, 5)),
        ((4, 5, 6), (4, 5, 6)),  # blocks of one value
        ((3, 2, 9000), (2, 1, 7)),
    ],
    ids=str,
)
def test_nd_blocks_in_any_order_sum_to_np_sums_bits(tree, shape, parts):
    values = wide(math.prod(shape), seed=len(shape)).reshape(shape)
    sizes = tuple(split_sizes(n, k) for n, k in zip(shape, parts, strict=True))
    assert_same_sum(sum_of_blocks(tree, values, sizes), float(np.sum(values)), repr(tree))


def test_float32_blocks_sum_to_np_sums_bits_in_float64(tree):
    values = values_of(np.float32, 30 * 1001, seed=4).reshape(30, 1001)
    expected = float(np.sum(values.astype(np.float64)))
    sizes = (split_sizes(30, 4), split_sizes(1001, 3))
    assert_same_sum(sum_of_blocks(tree, values, sizes), expected, "2-D")
    flat = values.reshape(-1)
    assert_same_sum(sum_of_blocks(tree, flat, (split_sizes(flat.size, 7),)), expected, "1-D")


def test_zero_d_and_empty_arrays_are_one_chunk(tree):
    assert_same_sum(tree.sum([tree.pieces(np.array(2.5), (), ())], ()), 2.5, "0-d")
    assert_same_sum(tree.sum([tree.pieces(np.zeros(0), (0,), (0,))], (0,)), 0.0, "empty 1-D")
    assert_same_sum(
        tree.sum([tree.pieces(np.zeros((0, 5)), (0, 0), (0, 5))], (0, 5)), 0.0, "empty 2-D"
    )


def test_a_chunk_is_read_in_c_order_whatever_its_layout(tree):
    values = wide(300 * 257, seed=5).reshape(300, 257)
    chunk = values[100:200, 50:150]
    spread = np.zeros((200, 300))
    spread[::2, ::3] = chunk
    reversed_copy = np.ascontiguousarray(chunk[::-1, ::-1])
    layouts = {
        "C copy": np.ascontiguousarray(chunk),
        "Fortran copy": np.asfortranarray(chunk),
        "strided view": spread[::2, ::3],
        "reversed view": reversed_copy[::-1, ::-1],
        "transposed view": np.ascontiguousarray(chunk.T).T,
        "misaligned C copy": misaligned(chunk.ravel()).reshape(chunk.shape),
        "misaligned Fortran copy": misaligned(chunk.T.ravel()).reshape(chunk.T.shape).T,
        "byte-swapped copy": chunk.astype(chunk.dtype.newbyteorder()),
    }
    expected = tree.pieces(chunk, (100, 50), values.shape)
    assert_pieces_describe_the_chunk(expected, chunk, (100, 50), values.shape)
    for name, layout in layouts.items():
        np.testing.assert_array_equal(layout, chunk)
        got = tree.pieces(layout, (100, 50), values.shape)
        assert [p.tobytes() for p in got] == [p.tobytes() for p in expected], name


def test_a_misaligned_chunk_received_over_the_network_gives_the_aligned_pieces():
    # Dask's workers unpickle chunks they receive at any address; those are read where they
    # are, a buffer at a time (large enough here for parallel_sum's threads to share them).
    values = wide(3_000_001, seed=7)
    chunk = values[123_457:2_876_543]
    held = misaligned(chunk, offset=3)
    expected = fast_operations.tree_pieces(chunk, (123_457,), values.shape)
    assert_pieces_describe_the_chunk(expected, chunk, (123_457,), values.shape)
    for threads in [None, 1, 2, 3]:
        for got in [
            fast_operations.tree_pieces(held, (123_457,), values.shape),
            parallel_sum.tree_pieces(held, (123_457,), values.shape, threads=threads),
        ]:
            assert [p.tobytes() for p in got] == [p.tobytes() for p in expected], threads


def test_both_modules_and_every_thread_count_give_the_same_pieces():
    values = wide(100_003, seed=6)
    for index, offset in blocks(values.shape, (split_sizes(values.size, 7),)):
        chunk = values[index]
        expected = fast_operations.tree_pieces(chunk, offset, values.shape)
        for threads in [None, 1, 2, 3]:
            got = parallel_sum.tree_pieces(chunk, offset, values.shape, threads=threads)
            assert [p.tobytes() for p in got] == [p.tobytes() for p in expected], (offset, threads)


def test_the_pieces_of_a_large_chunk_are_a_few_kilobytes(tree):
    values = wide(10**6, seed=7)
    rng = np.random.default_rng(7)
    for sizes in [split_sizes(values.size, 10), random_cuts(rng, values.size, 9)]:
        pieces = []
        for index, offset in blocks(values.shape, (sizes,)):
            found = tree.pieces(values[index], offset, values.shape)
            assert sum(piece.nbytes for piece in found) < 8192, (offset, [p.nbytes for p in found])
            pieces.append(found)
        assert_same_sum(tree.sum(pieces, values.shape), float(np.sum(values)), repr(tree))


@pytest.mark.parametrize(
    "chunk_shape, offset, shape",
    [
        ((5,), (8,), (10,)),  # past the end
        ((11,), (0,), (10,)),  # longer than the array
        ((3, 4), (0, 2), (3, 5)),  # past the end of the last axis
        ((3, 4), (1, 0), (3, 4)),  # past the end of the first axis
        ((5,), (0, 0), (10,)),  # two offsets for one axis
        ((5,), (0,), (10, 1)),  # a shape of two axes for a chunk of one
        ((2, 5), (0,), (2, 10)),  # one offset for two axes
        ((2, 5), (0, 0), (20,)),  # a shape of one axis for a chunk of two
        ((), (0,), (1,)),  # a 0-d chunk with an offset
    ],
    ids=str,
)
def test_a_chunk_that_does_not_fit_is_a_value_error(tree, chunk_shape, offset, shape):
    with pytest.raises(ValueError):
        tree.pieces(np.ones(chunk_shape), offset, shape)


@pytest.mark.parametrize(
    "dtype", [np.int32, np.int64, np.bool_, np.complex128], ids=lambda d: np.dtype(d).name
)
def test_chunks_of_other_dtypes_are_type_errors(tree, dtype):
    with pytest.raises(TypeError):
        tree.pieces(np.ones(10, dtype=dtype), (0,), (10,))


@pytest.mark.parametrize(
    "chunk_shape, offset, shape, error, match",
    [
        ((10,), (0.0,), (10,), TypeError, "offset as a tuple of ints"),
        ((10,), (0,), "10", TypeError, "shape as a tuple of ints"),
        ((10,), 0, (10,), TypeError, "offset as a tuple of ints, got int"),
        ((10,), (-1,), (10,), ValueError, "offset as ints from 0"),
        ((10,), (0,), (2**64,), ValueError, "shape as ints from 0"),
        ((10,), (0,), (2**63,), ValueError, "shape as ints from 0"),
        ((2, 4), (0, 0), (2**61, 4), ValueError, "more values"),
    ],
    ids=str,
)
def test_offsets_and_shapes_that_are_not_indices_are_refused(
    tree, chunk_shape, offset, shape, error, match
):
    with pytest.raises(error, match=match):
        tree.pieces(np.ones(chunk_shape), offset, shape)


def test_what_is_not_tree_pieces_is_refused_naming_what_came(tree):
    values = wide(1000, seed=15)
    good = tree.pieces(values[:500], (0,), values.shape)
    rest = tree.pieces(values[500:], (500,), values.shape)
    refused = {
        "a list among them": ([list(good), rest], TypeError, "got a list among them"),
        "five arrays": ([good[:5], rest], TypeError, "a tuple of 5 among them"),
        "float starts": (
            [(good[0] * 1.0,) + good[1:], rest],
            TypeError,
            "node_starts a 1-D float64",
        ),
        "2-D values": (
            [good[:5] + (good[5].reshape(1, -1),), rest],
            TypeError,
            "cut_values a 2-D float64",
        ),
        "no sequence": (3, TypeError, "not iterable"),
        "lengths that disagree": (
            [good[:2] + (good[2][:-1],) + good[3:], rest],
            ValueError,
            "lengths or signs",
        ),
        "a negative start": ([(good[0] - 5,) + good[1:], rest], ValueError, "lengths or signs"),
        "cut lengths beyond the values": (
            [good[:4] + (good[4] + 1, good[5]), rest],
            ValueError,
            "lengths or signs",
        ),
        "a shape of floats": ([good, rest], TypeError, "shape as a tuple of ints"),
    }
    for name, (pieces, error, match) in refused.items():
        shape = (1000.0,) if name == "a shape of floats" else values.shape
        with pytest.raises(error, match=match):
            tree.sum(pieces, shape)
    assert_same_sum(tree.sum([good, rest], values.shape), float(np.sum(values)), "the good ones")


def test_pieces_that_travelled_misaligned_or_strided_sum_as_the_originals(tree):
    # A worker unpickles the pieces it receives at any address.
    values = wide(1000, seed=12)
    pieces = [tree.pieces(values[i : i + 300], (i,), values.shape) for i in range(0, 1000, 300)]
    moved = [tuple(misaligned(a, offset=3) if a.size else a for a in p) for p in pieces]
    moved[0] = tuple(np.repeat(a, 2)[::2] for a in pieces[0])  # strided copies
    assert_same_sum(tree.sum(moved, values.shape), float(np.sum(values)), "moved pieces")


def test_forged_pieces_of_an_empty_array_are_a_value_error(tree):
    empty = (
        np.zeros(1, np.int64),
        np.zeros(1, np.int64),
        np.array([5.0]),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0),
    )
    with pytest.raises(ValueError):
        tree.sum([empty], (0,))
    assert_same_sum(tree.sum([], (0,)), 0.0, "no pieces of an empty array")


@pytest.mark.parametrize(
    "name",
    [
        "last missing",
        "first missing",
        "one in the middle missing",
        "one twice",
        "none",
        "in a longer array",
        "in a shorter array",
    ],
)
def test_pieces_that_miss_a_chunk_or_repeat_one_are_a_value_error(tree, name):
    values = wide(1000, seed=9)
    pieces = [tree.pieces(values[i : i + 100], (i,), values.shape) for i in range(0, 1000, 100)]
    assert_same_sum(tree.sum(pieces, values.shape), float(np.sum(values)), "all of them")
    wrong = {
        "last missing": (pieces[:-1], values.shape),
        "first missing": (pieces[1:], values.shape),
        "one in the middle missing": (pieces[:5] + pieces[6:], values.shape),
        "one twice": (pieces + [pieces[3]], values.shape),
        "none": ([], values.shape),
        "in a longer array": (pieces, (1100,)),
        "in a shorter array": (pieces, (900,)),
    }
    with pytest.raises(ValueError):
        tree.sum(*wrong[name])


def test_2d_pieces_that_miss_a_block_or_repeat_one_are_a_value_error(tree):
    grid = wide(30 * 40, seed=10).reshape(30, 40)
    cut = blocks(grid.shape, ((10, 20), (15, 25)))
    pieces = [tree.pieces(grid[index], offset, grid.shape) for index, offset in cut]
    assert_same_sum(tree.sum(pieces, grid.shape), float(np.sum(grid)), "all of them")
    with pytest.raises(ValueError):
        tree.sum(pieces[:-1], grid.shape)
    with pytest.raises(ValueError):
        tree.sum(pieces + pieces[:1], grid.shape)
