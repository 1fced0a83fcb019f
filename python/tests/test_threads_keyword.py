"""The ``threads=`` keyword of parallel_sum.parallel_sum and array_ops.square_numpy_array_rust:
at most that many of the pool's threads for one call, the same bits for every value, and
clear errors for values that are not an int >= 1 (bools refused, as NumPy's ``axis=``
refuses them)."""

import inspect

import numpy as np
import pytest
from array_ops import square_numpy_array, square_numpy_array_rust
from fast_operations import sum_array
from helpers import assert_releases_the_gil, assert_same_float, run_python, wide
from parallel_sum import parallel_sum

THREADS = [1, 2, 3, 8, None]
FUNCTIONS = [parallel_sum, square_numpy_array_rust]


def large_arrays() -> dict[str, np.ndarray]:
    """Arrays above both functions' parallel thresholds, in each layout the sum splits."""
    values = wide(1_000_003, seed=21)
    grid = values[:1_000_000].reshape(1000, 1000)
    return {
        "float64 1-D": values,
        "float64 strided": values[::-3],
        "float64 2-D": grid,
        "float64 2-D plane of rows": grid[:, 1:],
        "float64 2-D strided line": grid[::-1, ::-2],
        "float32": values.astype(np.float32),
        "int64": (values * 1e6).astype(np.int64),
        "int64 2-D strided": (grid * 1e6).astype(np.int64)[:, ::2],
    }


LARGE = large_arrays()


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("name", list(LARGE))
def test_parallel_sum_has_sum_arrays_bits_for_every_threads_value(name, threads):
    a = LARGE[name]
    expected = sum_array(a)
    got = parallel_sum(a, threads=threads)
    if isinstance(expected, float):
        assert_same_float(got, expected)
    else:
        assert type(got) is int and got == expected


SQUARED_VIEWS = {
    "1-D": np.s_[:],
    "2-D": np.s_[:, :],
    "2-D rows with gaps": np.s_[:, 1:],
    "2-D reversed, strided": np.s_[::-1, ::-2],
}


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("name", list(SQUARED_VIEWS))
def test_square_numpy_array_rust_squares_the_view_for_every_threads_value(name, threads):
    grid = wide(1_000_000, seed=22).reshape(1000, 1000)
    if name == "1-D":
        grid = grid.reshape(-1)
    expected = grid.copy()
    view = expected[SQUARED_VIEWS[name]]
    view[...] = np.square(view)
    square_numpy_array_rust(grid[SQUARED_VIEWS[name]], threads=threads)
    assert grid.tobytes() == expected.tobytes()


def test_int_like_values_are_ints():
    a = LARGE["float64 1-D"]
    for threads in [np.int64(2), np.int32(1), np.uint8(3), 2**70]:
        assert_same_float(parallel_sum(a, threads=threads), sum_array(a))
        b = np.full(100_000, 3.0)
        square_numpy_array_rust(b, threads=threads)
        assert (b == 9.0).all()


@pytest.mark.parametrize(
    "threads, error, words",
    [
        (0, ValueError, "got 0"),
        (-1, ValueError, "got -1"),
        (-(2**70), ValueError, f"got {-(2**70)}"),
        (np.int64(0), ValueError, "got np.int64(0)"),
        (True, TypeError, "got bool"),
        (False, TypeError, "got bool"),
        (np.bool_(True), TypeError, "got bool"),
        (2.0, TypeError, "got float"),
        ("2", TypeError, "got str"),
        ([2], TypeError, "got list"),
    ],
    ids=repr,
)
@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_bad_values_are_refused_naming_the_argument_and_what_came(function, threads, error, words):
    a = np.full(100_000, 3.0)
    with pytest.raises(error) as raised:
        function(a, threads=threads)
    message = str(raised.value)
    assert message.startswith(f"{function.__name__}() ")
    assert "threads" in message and message.endswith(words)
    if error is ValueError:
        assert "threads >= 1" in message
    else:
        assert "expected threads= to be an int >= 1 or None" in message
    assert (a == 3.0).all()  # nothing was changed


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_threads_is_keyword_only_and_arr_positional_only(function):
    # parallel_sum takes np.sum's axis (positional too) and keepdims before threads.
    positional = ["arr", "/"] + (["axis=None"] if function is parallel_sum else [])
    keywords = (["keepdims=False"] if function is parallel_sum else []) + ["threads=None"]
    expected = f"({', '.join(positional + ['*'] + keywords)})"
    assert str(inspect.signature(function)) == expected
    a = np.ones(10)
    with pytest.raises(TypeError):
        function(a, *[None] * (len(positional) - 2), 1)
    with pytest.raises(TypeError):
        function(arr=a)


def test_the_c_square_keeps_the_tutorials_one_argument_call():
    assert str(inspect.signature(square_numpy_array)) == "(arr, /)"
    with pytest.raises(TypeError):
        square_numpy_array(np.ones(3), threads=1)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_the_gil_is_released_with_a_thread_limit(function):
    # As test_sum_contract's test: another thread must run Python code meanwhile.
    a = np.ones(2 * 10**7)
    assert_releases_the_gil(lambda: function(a, threads=1))


def test_threads_1_runs_no_task_on_a_helper():
    # The helpers' CPU time, from /proc: it grows while calls share work out to them, and
    # not at all while every call is capped at the calling thread.
    script = """
    import os, time
    import numpy as np
    from parallel_sum import parallel_sum
    from array_ops import square_numpy_array_rust

    def helper_ticks():
        total = 0
        for task in os.listdir("/proc/self/task"):
            if open(f"/proc/self/task/{task}/comm").read().startswith("pool-helper"):
                fields = open(f"/proc/self/task/{task}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total

    a = np.ones(4 * 10**6)

    def ticks_while_working(threads):
        time.sleep(0.3)  # helpers that were spinning for more work go to sleep
        before = helper_ticks()
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            parallel_sum(a, threads=threads)
            square_numpy_array_rust(a, threads=threads)
        return helper_ticks() - before

    ticks_while_working(None)  # starts the helpers
    print(ticks_while_working(None), ticks_while_working(1))
    """
    shared, capped = map(int, run_python(script, env={"RAYON_NUM_THREADS": "4"}).split())
    assert shared > 0
    assert capped == 0
