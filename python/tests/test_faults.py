"""Faults a user can meet, each once found by hand, kept here so the next one is found by us.

Each section names the fault. Tests that depend on process-wide state (which thread called
first, the thread pool's size, resource limits, fork) run in a fresh subprocess.
"""

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from array_ops import square_numpy_array, square_numpy_array_rust
from fast_operations import sum_array
from parallel_sum import parallel_sum


def run_python(script: str, args: list[str] = (), env: dict | None = None) -> str:
    """Runs `script` in a fresh interpreter and returns its stdout; fails on a non-zero exit."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


# --- A forked child must not hang, whichever thread made the first parallel call ---------

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


# --- Threads that cannot start: the right answer on fewer threads, and a true count -------

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


# --- One pool of threads per process, whichever module starts first ----------------------

@pytest.mark.parametrize("first", ["parallel_sum", "array_ops"])
def test_one_pool_per_process_for_both_modules_and_every_caller(first):
    script = f"""
    import os, threading
    import numpy as np
    import {first}
    from parallel_sum import parallel_sum, thread_count
    from array_ops import square_numpy_array, square_numpy_array_rust

    def calls():
        a = np.ones(10**6)
        parallel_sum(a)
        square_numpy_array(a)
        square_numpy_array_rust(a)

    calls()
    thread = threading.Thread(target=calls)
    thread.start()
    thread.join()
    names = [open(f"/proc/self/task/{{task}}/comm").read().strip()
             for task in os.listdir("/proc/self/task")]
    helpers = [name for name in names if name.startswith("pool-helper")]
    assert thread_count() == 8
    assert len(helpers) == 7, names  # the callers are the eighth thread of each call
    print("ok")
    """
    assert run_python(script, env={"RAYON_NUM_THREADS": "8"}).strip() == "ok"


# --- Concurrent callers: each gets its own right answer ----------------------------------

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
