"""Section 2 beyond the shared sum contract: the same bits for every thread count."""

import inspect
import json
import os

import numpy as np
import parallel_sum
import pytest
from fast_operations import sum_array
from helpers import assert_docstring_example_runs, assert_ships_stub, run_python, wide
from parallel_sum import parallel_sum_unordered, thread_count

# Sums of arrays large enough to run in parallel, as hex bits (ints as decimal strings). The
# script makes its own values in its fresh interpreter: its `wide` is wide(3_000_017, seed=42).
SUMS_SCRIPT = """
import json, sys
import numpy as np
from parallel_sum import parallel_sum, thread_count
rng = np.random.default_rng(42)
wide = rng.standard_normal(3_000_017) * np.exp2(rng.integers(-20, 21, 3_000_017))
grid = wide[:2_000_000].reshape(2000, 1000)
block = wide[:2_000_000].reshape(20, 100, 1000)
arrays = [wide, wide[::-3], grid.T, wide.astype(np.float32), (wide * 1e6).astype(np.int64),
          grid[:, ::2], grid[::-1, ::-1], grid[:, 1:], block[:, 1:, 1:]]
print(json.dumps({"threads": thread_count(),
                  "sums": [float(s).hex() if isinstance(s, float) else str(s)
                           for s in map(parallel_sum, arrays)]}))
"""


def sums_with_threads(threads: int) -> dict:
    return json.loads(run_python(SUMS_SCRIPT, env={"RAYON_NUM_THREADS": str(threads)}, timeout=300))


def test_same_bits_for_every_thread_count_and_equal_to_sum_array_and_np_sum():
    runs = {threads: sums_with_threads(threads) for threads in [1, 2, 3, 8]}
    for threads, run in runs.items():
        assert run["threads"] == threads  # RAYON_NUM_THREADS is honoured and reported
    assert len({tuple(run["sums"]) for run in runs.values()}) == 1, runs
    values = wide(3_000_017, seed=42)  # the script's values
    grid = values[:2_000_000].reshape(2000, 1000)
    # The last four are N-D views: two whose axes merge into one strided line (split across
    # the threads as a 1-D view), one into one plane (split into runs of rows), and one of
    # three axes that do not merge (summed serially).
    block = values[:2_000_000].reshape(20, 100, 1000)
    expected = [
        sum_array(values),
        sum_array(values[::-3]),
        sum_array(grid.T),
        sum_array(values.astype(np.float32)),
        sum_array((values * 1e6).astype(np.int64)),
        sum_array(grid[:, ::2]),
        sum_array(grid[::-1, ::-1]),
        sum_array(grid[:, 1:]),
        sum_array(block[:, 1:, 1:]),
    ]
    assert runs[2]["sums"] == [s.hex() if isinstance(s, float) else str(s) for s in expected]
    assert runs[2]["sums"][0] == float(np.sum(values)).hex()
    assert runs[2]["sums"][1] == float(np.sum(values[::-3])).hex()


def test_same_bits_from_many_python_threads_at_once():
    # One thread owns the pool the sums run on (the first to sum); the others hand their work
    # to a second pool. Both paths, concurrently, give sum_array's bits.
    from concurrent.futures import ThreadPoolExecutor

    arrays = [wide(n, seed=n) for n in [100_003, 1_000_001, 2_000_000]]
    expected = [sum_array(a).hex() for a in arrays]
    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(lambda _: [parallel_sum.parallel_sum(a).hex() for a in arrays], range(12))
        )
    assert runs == [expected] * 12
    assert [parallel_sum.parallel_sum(a).hex() for a in arrays] == expected


def test_thread_count_is_the_pool_size():
    assert thread_count() >= 1
    if "RAYON_NUM_THREADS" not in os.environ:
        assert thread_count() == os.cpu_count()


def test_unordered_yardstick_is_a_sum_of_contiguous_float64():
    a = np.arange(1_000_003, dtype=np.float64) - 500_000  # integers: exact in any order
    assert parallel_sum_unordered(a) == float(a.sum())
    with pytest.raises(ValueError, match="contiguous"):
        parallel_sum_unordered(a[::2])
    with pytest.raises(TypeError, match="float64"):
        parallel_sum_unordered(a.astype(np.int64))


FUNCTIONS = [
    parallel_sum.parallel_sum,
    thread_count,
    parallel_sum_unordered,
    parallel_sum.tree_pieces,
    parallel_sum.sum_of_tree_pieces,
    parallel_sum.kernel,
]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_docstring_example_runs(function):
    assert_docstring_example_runs(function)


def test_signatures_and_stub():
    # threads= is tested in test_threads_keyword.py.
    assert str(inspect.signature(parallel_sum.parallel_sum)) == (
        "(arr, /, axis=None, *, keepdims=False, threads=None)"
    )
    assert str(inspect.signature(parallel_sum.tree_pieces)) == (
        "(chunk, offset, shape, *, threads=None)"
    )
    assert_ships_stub(parallel_sum, {f.__name__ for f in FUNCTIONS})
