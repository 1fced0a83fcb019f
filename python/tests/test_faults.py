"""Faults a user met (issue 18), one section per fault, in the issue's order.

Each test fails on the code before its fix; item 12's fault was in the docs, and its test
pins down what they now say. A new fault gets a new section.
"""

import contextlib
import ctypes
import re
import sys
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from array_ops import square_numpy_array, square_numpy_array_rust
from fast_operations import sum_array, sum_array_naive, sum_array_unordered
from helpers import bits, misaligned, run_python, wide
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from parallel_sum import parallel_sum, parallel_sum_unordered

SUMS = [sum_array, parallel_sum]
SQUARES = [square_numpy_array, square_numpy_array_rust]
CRATES = Path(__file__).resolve().parents[2] / "crates"


@contextlib.contextmanager
def rust_borrow(array: np.ndarray, *, write: bool):
    """Hold a borrow of `array` in the registry every rust-numpy extension shares, as a Rust
    call running on another thread holds one: deterministic, where two threads would race.

    The registry is a versioned C API in a capsule (numpy._core.multiarray); version 1's
    first fields are fixed for every later version.
    """
    sum_array(np.zeros(1))  # the first borrow in the process makes the registry
    capsule = np._core.multiarray._RUST_NUMPY_BORROW_CHECKING_API
    get_pointer_type = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)
    get_pointer = get_pointer_type(
        ("PyCapsule_GetPointer", ctypes.pythonapi)
    )  # a private prototype
    address = get_pointer(capsule, b"_RUST_NUMPY_BORROW_CHECKING_API")
    # PYFUNCTYPE: the functions run with the GIL held, as rust-numpy requires.
    acquire = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.py_object)
    release = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.py_object)

    class Shared(ctypes.Structure):
        _fields_ = [
            ("version", ctypes.c_uint64),
            ("flags", ctypes.c_void_p),
            ("acquire", acquire),
            ("acquire_mut", acquire),
            ("release", release),
            ("release_mut", release),
        ]

    shared = Shared.from_address(address)
    if shared.version < 1:
        pytest.skip(f"rust-numpy borrow API version {shared.version}")
    take, give_back = (
        (shared.acquire_mut, shared.release_mut) if write else (shared.acquire, shared.release)
    )
    assert take(shared.flags, array) == 0
    try:
        yield
    finally:
        give_back(shared.flags, array)


@pytest.fixture(params=SUMS, ids=lambda f: f.__name__)
def total(request):
    return request.param


@pytest.fixture(params=SQUARES, ids=lambda f: f.__name__)
def square(request):
    return request.param


# --- A forked child must not hang, whichever thread called first (item 1) ------------------

FORK_SCRIPT = """
import multiprocessing, os, signal, sys, threading
from concurrent.futures import ThreadPoolExecutor
import numpy as np
from array_ops import square_numpy_array, square_numpy_array_rust
from parallel_sum import parallel_sum

ones = np.ones(10**6)  # large enough for every function to use the pool


def check(name):
    if name == "parallel_sum":
        return parallel_sum(ones) == 1e6
    a = np.full(10**6, 3.0)
    globals()[name](a)
    return bool((a == 9.0).all())


NAMES = ["parallel_sum", "square_numpy_array", "square_numpy_array_rust"]
first = sys.argv[1]
for name in NAMES:
    if first == "main thread":
        assert check(name)
    elif first == "other thread":
        thread = threading.Thread(target=check, args=(name,))
        thread.start()
        thread.join()
    else:
        with ThreadPoolExecutor(2) as executor:
            assert all(executor.map(check, [name] * 4))
for name in NAMES:  # and then the main thread, as in the report
    assert check(name)

pid = os.fork()
if pid == 0:
    signal.alarm(30)  # a hang ends the child, and the test fails instead of hanging
    os._exit(0 if all(check(name) for name in NAMES) else 1)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, f"forked child: {status}"

with multiprocessing.get_context("fork").Pool(2) as workers:
    assert all(workers.map_async(check, NAMES * 2).get(timeout=60))
print("ok")
"""


@pytest.mark.parametrize("first", ["main thread", "other thread", "thread pool"])
def test_fork_after_parallel_calls_works_in_the_child(first):
    assert run_python(FORK_SCRIPT, args=[first]).strip() == "ok"


# --- Overlapping writable views (item 2) ---------------------------------------------------
# A view that reaches one memory location by two index tuples has each location squared once,
# as np.square(w, out=w) leaves it; before, a location was squared once per index tuple.

OVERLAPPING = {
    "1-D sliding window": (
        lambda: np.arange(1.0, 6.0),
        lambda x: sliding_window_view(x, 3, writeable=True),
    ),
    "windows reversed": (
        lambda: wide(50),
        lambda x: sliding_window_view(x, 4, writeable=True)[::-1, ::-2],
    ),
    "2-D sliding windows": (
        lambda: wide(12 * 15).reshape(12, 15),
        lambda x: sliding_window_view(x, (3, 4), writeable=True),
    ),
    "as_strided, rows overlapping": (
        lambda: wide(40),
        lambda x: as_strided(x, shape=(6, 5), strides=(16, 8), writeable=True),
    ),
    "as_strided, interleaved": (
        lambda: wide(40),
        lambda x: as_strided(x[::2], shape=(4, 3), strides=(16, 40), writeable=True),
    ),
    "zero stride (broadcast rows), writable": (
        lambda: wide(5),
        lambda x: as_strided(x, shape=(3, 5), strides=(0, 8), writeable=True),
    ),
    "zero stride, one value": (
        lambda: wide(3),
        lambda x: as_strided(x[1:], shape=(7,), strides=(0,), writeable=True),
    ),
    # Parallel sizes: the runs of distinct locations are long enough to go to all threads.
    "windows of 3 over 10^5 values": (
        lambda: wide(10**5),
        lambda x: sliding_window_view(x, 3, writeable=True),
    ),
    "2-D windows over 300 x 300": (
        lambda: wide(300 * 300).reshape(300, 300),
        lambda x: sliding_window_view(x, (2, 2), writeable=True)[:, ::2],
    ),
    "broadcast of 40 000 values, writable": (
        lambda: wide(40_000),
        lambda x: as_strided(x, shape=(3, 40_000), strides=(0, 8), writeable=True),
    ),
}


@pytest.mark.parametrize("name", list(OVERLAPPING))
def test_overlapping_views_square_each_location_once(square, name):
    make_base, make_view = OVERLAPPING[name]
    base = make_base()
    expected = base.copy()
    with np.errstate(over="ignore"):
        reference = make_view(expected)
        np.square(reference, out=reference)
    square(make_view(base))
    assert base.tobytes() == expected.tobytes()


def test_the_issues_sliding_window_example(square):
    x = np.arange(1.0, 6.0)
    square(sliding_window_view(x, 3, writeable=True))
    assert x.tolist() == [1.0, 4.0, 9.0, 16.0, 25.0]


# --- More than 32 axes (item 3) -------------------------------------------------------------
# NumPy allows 64 axes, rust-numpy's views 32 (it panicked: PanicException). Axes of length
# one are dropped (same values, same orders, so the same bits); arrays still over 32 axes are
# refused by the sums with a ValueError naming the limit, and squared by the squares.


def test_more_than_32_axes_are_summed_with_the_same_bits(total):
    assert total(np.ones((1,) * 33)) == 1.0
    values = wide(5000, seed=3)
    for a in [
        values.reshape((1,) * 63 + (5000,)),  # 64 axes, the most NumPy allows
        values.reshape((1,) * 31 + (50, 100)),  # 33 axes, C order
        np.asfortranarray(values.reshape(50, 100)).reshape((1,) * 31 + (50, 100), order="A"),
    ]:
        assert a.ndim > 32
        assert bits(total(a)) == bits(np.sum(a))
    # Views that are not contiguous: 1-D once squeezed, and N-D: np.sum's bits too.
    strided = values.reshape((1,) * 32 + (5000,))[..., ::-3]
    assert bits(total(strided)) == bits(np.sum(strided))
    columns = values.reshape((1,) * 31 + (50, 100))[..., 1::2]
    assert bits(total(columns)) == bits(np.sum(columns))
    integers = np.arange(-(10**6), 10**6, 7, dtype=np.int64).reshape((1,) * 40 + (-1,))
    assert total(integers) == int(np.sum(integers))
    assert total(np.ones((0,) * 40)) == 0.0
    assert total(np.ones((3,) + (0,) * 40, dtype=np.int32)) == 0


def test_more_than_32_axes_longer_than_one_are_refused_by_the_sums(total):
    b = np.broadcast_to(np.ones(2), (2,) * 33)
    with pytest.raises(
        ValueError, match=rf"{total.__name__}\(\) .*at most 32 axes longer than one.* 33"
    ):
        total(b)


@pytest.mark.parametrize("function", [sum_array_naive, sum_array_unordered, parallel_sum_unordered])
def test_the_1d_functions_still_refuse_more_than_one_axis(function):
    for a in [np.ones((1,) * 33 + (5,)), np.ones((0,) * 40)]:
        with pytest.raises(
            TypeError, match=rf"{function.__name__}\(\) expected a 1-D array, got a {a.ndim}-D"
        ):
            function(a)


def test_more_than_32_axes_are_squared(square):
    values = wide(5000, seed=4)
    views = [
        lambda x: x.reshape((1,) * 33 + (5000,)),  # contiguous
        lambda x: x.reshape((1,) * 31 + (50, 100))[..., ::2],  # 33 axes, strided
        lambda x: x.reshape((1,) * 62 + (50, 100))[..., ::-1, 1::3],  # 64 axes, reversed
        lambda x: sliding_window_view(x.reshape((1,) * 32 + (5000,)), 3, axis=-1, writeable=True),
    ]
    for view in views:
        base, expected = values.copy(), values.copy()
        reference = view(expected)
        np.square(reference, out=reference)
        assert view(base).ndim > 32
        square(view(base))
        assert base.tobytes() == expected.tobytes()
    # 33 axes longer than one (zero strides): each location is squared once.
    base = np.array([3.0, 5.0, 7.0])
    square(as_strided(base[1:], shape=(2,) * 33, strides=(0,) * 32 + (8,), writeable=True))
    assert base.tolist() == [3.0, 25.0, 49.0]
    with pytest.raises(ValueError, match="read-only"):
        square(np.broadcast_to(base, (2,) * 32 + (3,)))


PANIC_SCRIPT = """
import numpy as np
# rust-numpy makes its borrow registry on the first borrow, and panics (expect) when the
# attribute it keeps it in holds something else: a panic every function meets, on purpose.
np._core.multiarray._RUST_NUMPY_BORROW_CHECKING_API = "not a capsule"
from fast_operations import sum_array, sum_array_naive
from parallel_sum import parallel_sum
from array_ops import square_numpy_array, square_numpy_array_rust
functions = [sum_array, sum_array_naive, parallel_sum, square_numpy_array, square_numpy_array_rust]
for function in functions:
    try:
        function(np.ones(10_000))
    except Exception as error:  # PanicException is a BaseException: it would escape this
        assert type(error) is RuntimeError, repr(error)
        assert str(error).startswith(f"internal error in {function.__name__}(): "), error
        assert str(error).endswith("; please report it"), error
    else:
        raise AssertionError(f"{function.__name__} did not fail")
print("ok")
"""


def test_a_rust_panic_is_a_runtime_error_naming_the_function():
    assert run_python(PANIC_SCRIPT, timeout=60) == "ok\n"


# --- Zero-stride arrays in rust-numpy's borrow registry (found auditing item 3) --------------
# When two borrows of one base overlap, the registry divides by the gcd of their strides: 0 when
# both arrays' strides are all zero (a broadcast of one value). The panic is inside an
# extern "C" function, so the process aborted: e.g. two threads summing a broadcast value as
# float64 and as int32. No function now borrows an array whose strides are all zero.

ZERO_STRIDE_SCRIPT = """
import sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_faults import rust_borrow
from fast_operations import sum_array, sum_array_naive
from parallel_sum import parallel_sum
from array_ops import square_numpy_array, square_numpy_array_rust

x = np.array([3.0, 1.0])
low_half = np.broadcast_to(x.view(np.int32)[:1], (5,))  # strides (0,): gcd 0
with rust_borrow(low_half, write=False):
    as_int32 = np.broadcast_to(x.view(np.int32)[:1], (7,))
    assert sum_array(as_int32) == parallel_sum(as_int32) == 0
    assert sum_array(np.broadcast_to(x[:1], (4, 3))) == 36.0
    assert sum_array(np.broadcast_to(x.view(np.int32)[:1], (0, 3))) == 0
    first = x[0, ...][np.newaxis]  # a writable view of x[0] with strides (0,)
    assert sum_array_naive(first) == 3.0
    square_numpy_array(first)
    square_numpy_array_rust(x[0, ...][np.newaxis, np.newaxis])  # strides (0, 0)
    assert x.tolist() == [81.0, 1.0], x
print("ok")
"""


def test_zero_stride_arrays_never_reach_the_registrys_division_by_zero():
    script = ZERO_STRIDE_SCRIPT.format(tests=str(Path(__file__).parent))
    assert run_python(script, timeout=60) == "ok\n"


# --- Threads that cannot start: the right answer, and a true count (item 4) --------------


def test_threads_that_cannot_start_give_the_right_answer_and_a_true_count():
    script = """
    import os, resource, threading
    import numpy as np
    from parallel_sum import parallel_sum, thread_count
    from array_ops import square_numpy_array_rust

    limit = 1_500_000 * 1024  # as `ulimit -v 1500000`: room for about 700 thread stacks
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    a = np.arange(10**6, dtype=np.float64)
    results = []

    def work():
        b = np.full(10**6, 3.0)
        square_numpy_array_rust(b)
        results.append((parallel_sum(a), bool((b == 9.0).all()), thread_count()))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    work()
    helpers = sum(
        open(f"/proc/self/task/{task}/comm").read().startswith("pool-helper")
        for task in os.listdir("/proc/self/task")
    )
    print(results, helpers)
    expected = float(np.sum(a))
    assert results[0] == results[1], results
    total, squared, threads = results[0]
    assert total == expected and squared
    assert 1 <= threads < 1000, threads  # not all could start ...
    assert helpers == threads - 1, (helpers, threads)  # ... and the count says how many did
    """
    run_python(script, env={"RAYON_NUM_THREADS": "1000"})


# --- One pool of threads per process, whichever module starts first (item 5) --------------


@pytest.mark.parametrize("first", ["parallel_sum", "array_ops"])
def test_one_pool_per_process_for_both_modules_and_every_caller(first):
    script = f"""
    import os, threading, time
    import numpy as np
    import {first}
    from parallel_sum import parallel_sum, thread_count
    from array_ops import square_numpy_array, square_numpy_array_rust

    def calls():
        a = np.ones(10**6)
        parallel_sum(a)
        square_numpy_array(a)
        square_numpy_array_rust(a)

    def thread_names():
        names = []
        for task in os.listdir("/proc/self/task"):
            try:
                names.append(open(f"/proc/self/task/{{task}}/comm").read().strip())
            except FileNotFoundError:  # a thread that ended meanwhile
                pass
        return names

    calls()
    thread = threading.Thread(target=calls)
    thread.start()
    thread.join()
    # The callers do the work without waiting for helpers, so a helper may still be starting
    # (its name not yet set) when the calls return: wait for every one to be named. One pool
    # per process means 7 helpers (the callers are the eighth thread of each call), never 14.
    deadline = time.monotonic() + 30
    while True:
        names = thread_names()
        helpers = [name for name in names if name.startswith("pool-helper")]
        assert len(helpers) <= 7, names
        if len(helpers) == 7 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert thread_count() == 8
    assert len(helpers) == 7, names
    print("ok")
    """
    assert run_python(script, env={"RAYON_NUM_THREADS": "8"}).strip() == "ok"


# --- Masked arrays (item 7) ----------------------------------------------------------------
# The squares squared the values under the mask; now every function refuses masked arrays.


@pytest.mark.parametrize("function", SUMS + SQUARES, ids=lambda f: f.__name__)
def test_masked_arrays_are_refused_and_unchanged(function):
    masked = np.ma.array([1.0, 3.0, 1e9], mask=[False, False, True])
    data, mask = masked.data.copy(), masked.mask.copy()
    with pytest.raises(TypeError, match=rf"{function.__name__}\(\) does not take masked arrays"):
        function(masked)
    assert masked.data.tobytes() == data.tobytes()
    assert (masked.mask == mask).all()


# --- Borrow conflicts (item 8) -------------------------------------------------------------
# An array another call is using raised rust-numpy's "The given array is already borrowed",
# naming no function. Now the message names the function and the reason.


def test_borrow_conflicts_name_the_function_and_the_reason():
    a = np.ones(1000)
    reading = [
        sum_array,
        parallel_sum,
        sum_array_naive,
        sum_array_unordered,
        parallel_sum_unordered,
    ]
    with rust_borrow(a, write=True):
        for function in reading:
            expected = (
                rf"^{function.__name__}\(\) cannot read the array: another call is writing it"
            )
            with pytest.raises(ValueError, match=expected):
                function(a)
        for square in SQUARES:
            expected = rf"^{square.__name__}\(\) cannot write the array: another call is reading or"
            with pytest.raises(ValueError, match=expected):
                square(a)
    with rust_borrow(a[::2], write=False):
        assert sum_array(a) == parallel_sum(a) == 1000.0  # readers share
        for square in SQUARES:
            with pytest.raises(ValueError, match="nothing was changed"):
                square(a[1:])
    assert (a == 1.0).all()
    square_numpy_array(a)  # every borrow was given back


def test_a_sum_beside_a_square_on_another_thread_gets_its_sum_or_a_clear_error():
    # Ones square to ones: every sum that comes is 10^6, whichever call ran first. The short
    # sleeps let each thread start calls while the other's runs (both ways happen, not always).
    a = np.ones(10**6)
    stop = time.monotonic() + 0.5
    errors = {}

    def note(error):
        errors[str(error)] = errors.get(str(error), 0) + 1

    def squares():
        while time.monotonic() < stop:
            try:
                square_numpy_array(a)
            except ValueError as error:
                note(error)
            time.sleep(0.0002)

    thread = threading.Thread(target=squares)
    thread.start()
    try:
        while time.monotonic() < stop:
            try:
                assert sum_array(a) == 10**6
            except ValueError as error:
                note(error)
            time.sleep(0.0001)
    finally:
        thread.join()
    assert set(errors) <= {
        "sum_array() cannot read the array: another call is writing it right now (a square on "
        "another thread?); nothing was read",
        "square_numpy_array() cannot write the array: another call is reading or writing it right "
        "now (a sum or a square on another thread?); nothing was changed",
    }


# --- Floors (item 10) ----------------------------------------------------------------------
# np.sum's bits for large arrays changed in NumPy 2.3 (1.26, 2.0, 2.2 differ), and NumPy 2.3
# needs Python 3.11: the packages said numpy>=1.21 and Python >= 3.9.


def test_pyproject_floors_are_what_is_promised_and_tested():
    pyprojects = sorted(CRATES.glob("*/pyproject.toml"))
    assert {path.parent.name for path in pyprojects} >= {
        "fast_operations",
        "parallel_sum",
        "array_ops",
    }
    for path in pyprojects:
        project = tomllib.loads(path.read_text())["project"]
        cargo = (path.parent / "Cargo.toml").read_text()
        takes_arrays = "dep:numpy" in cargo or "dep:python_glue" in cargo
        numpy_floors = [d for d in project.get("dependencies", []) if re.match(r"numpy\b", d)]
        assert project["requires-python"] == ">=3.11", path
        assert numpy_floors == (["numpy>=2.3"] if takes_arrays else []), path
    assert sys.version_info >= (3, 11)
    assert tuple(int(part) for part in np.__version__.split(".")[:2]) >= (2, 3)


# --- Concurrent callers: each gets its own right answer (item 11) ---------------------------


def test_concurrent_callers_get_right_answers():
    rng = np.random.default_rng(18)
    arrays = [rng.standard_normal(200_000 + 1000 * i) for i in range(8)]
    expected_sums = [np.sum(a) for a in arrays]

    def one_round(i):
        a = arrays[i]
        squared_c, squared_rust = a.copy(), a.copy()
        square_numpy_array(squared_c)
        square_numpy_array_rust(squared_rust)
        return (
            parallel_sum(a) == expected_sums[i] == sum_array(a)
            and np.array_equal(squared_c, np.square(a))
            and np.array_equal(squared_rust, np.square(a))
        )

    with ThreadPoolExecutor(4) as executor:
        assert all(executor.map(one_round, [i % 8 for i in range(64)]))


# --- Bits of byte-swapped and misaligned arrays (item 12) ------------------------------------
# np.sum sums such arrays of more than 8192 values in buffered pieces; the sums copy them to
# native, aligned values first, so their bits are np.sum's of that copy, as documented.


def test_byte_swapped_and_misaligned_arrays_have_the_bits_of_a_native_copy(total):
    values = wide(10**5, seed=12)
    swapped = values.astype(">f8")
    assert bits(total(swapped)) == bits(np.sum(swapped.astype("=f8")))
    view = misaligned(values)
    assert bits(total(view)) == bits(np.sum(view.copy()))
