"""Helpers shared by the test files: comparing floats bit for bit, arrays that show a change
of summation order or alignment, running a script in a fresh interpreter, and checks of a
module's Python surface."""

import doctest
import importlib.resources
import math
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
import types
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

# --- Floats, bit for bit ----------------------------------------------------------------------


def bits(x: float) -> int:
    """The 64 bits of a float as an int: equal bits, the same float (sign of zero and NaN
    payload included), where ``==`` would call 0.0 and -0.0 equal and every NaN unequal."""
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def assert_same_float(got, expected) -> None:
    """``got`` is a Python float with the bits of ``expected`` (any NaN for a NaN)."""
    assert type(got) is float, type(got)
    expected = float(expected)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert bits(got) == bits(expected), f"{got!r} != {expected!r}"


# --- Arrays -----------------------------------------------------------------------------------


def wide(n: int, seed: int = 0) -> np.ndarray:
    """Values spanning 2^-20..2^20 with both signs: any change of summation order shows."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * np.exp2(rng.integers(-20, 21, n))


def misaligned(values: np.ndarray, offset: int = 1) -> np.ndarray:
    """A copy of ``values`` that starts ``offset`` bytes into a buffer, so not aligned."""
    buffer = bytearray(values.nbytes + offset)
    view = np.frombuffer(buffer, dtype=values.dtype, offset=offset, count=values.size)
    view[...] = values
    assert not view.flags.aligned
    return view


# --- Random views (hypothesis) ----------------------------------------------------------------


@st.composite
def views_of(draw, arrays):
    """A random slice (any start, stop and step, negative ones too) of a drawn array, with its
    axes in a random order."""
    array = draw(arrays)
    index = tuple(
        slice(
            draw(st.none() | st.integers(-n - 1, n + 1)),
            draw(st.none() | st.integers(-n - 1, n + 1)),
            draw(st.sampled_from([None, 1, 2, 3, -1, -2, -3])),
        )
        for n in array.shape
    )
    view = array[index]
    return view.transpose(draw(st.permutations(range(view.ndim))))


# --- Scripts in a fresh interpreter -----------------------------------------------------------


def assert_releases_the_gil(call, calls: int = 3) -> None:
    """Asserts that this thread runs Python code in the middle half of at least one of
    ``calls`` calls of ``call()`` made by another thread. A call that holds the GIL throughout
    leaves no room for it: the switch interval is made 0.1 ms meanwhile, so a switch just
    before a call starts ends long before that call's middle (calls should take a millisecond
    or more). An exception in ``call()`` is raised here."""
    spans, errors, finished = [], [], threading.Event()

    def worker():
        try:
            for _ in range(calls):
                start = time.perf_counter()
                call()
                spans.append((start, time.perf_counter()))
        except BaseException as error:  # raised again below, in the test's thread
            errors.append(error)
        finally:
            finished.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        thread = threading.Thread(target=worker)
        stamps = []
        thread.start()
        while not finished.is_set():
            stamps.append(time.perf_counter())
        thread.join()
    finally:
        sys.setswitchinterval(interval)
    if errors:
        raise errors[0]
    stamps = np.array(stamps)
    inside = [
        int(((stamps > start + (end - start) / 4) & (stamps < end - (end - start) / 4)).sum())
        for start, end in spans
    ]
    assert max(inside) > 0, f"no Python ran during the calls {spans}"


def run_python(
    script: str,
    args: list[str] = (),
    env: dict | None = None,
    cwd: Path | None = None,
    timeout: float = 180,
) -> str:
    """Runs `script` in a fresh interpreter and returns its stdout; fails on a non-zero exit."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=dict(os.environ, **(env or {})),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


# --- A module's Python surface ----------------------------------------------------------------


def assert_docstring_example_runs(function) -> None:
    """The function has a docstring whose example runs and gives the shown result."""
    assert function.__doc__, f"{function.__name__} has no docstring"
    (test,) = doctest.DocTestFinder().find(
        function.__doc__, function.__name__, globs={function.__name__: function}
    )
    assert test.examples, f"{function.__name__}'s docstring shows no example"
    assert doctest.DocTestRunner().run(test).failed == 0


def public_names(module: types.ModuleType) -> set[str]:
    """The module's public names, without the submodules of a package."""
    return {
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), types.ModuleType)
    }


def assert_ships_stub(module: types.ModuleType, functions: set[str]) -> None:
    """The package ships py.typed and a stub declaring exactly its public names: functions with
    ``def``, other objects (a ufunc) with an annotation."""
    package = importlib.resources.files(module.__name__)
    assert package.joinpath("py.typed").is_file()
    stub = package.joinpath("__init__.pyi").read_text()
    public = public_names(module)
    assert public == functions
    for name in public:
        assert f"def {name}(" in stub or f"\n{name}: " in stub
