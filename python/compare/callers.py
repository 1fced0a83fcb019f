"""Concurrent callers: two Python threads, each calling a function on an array of its own,
against the same calls made one after the other on one thread.

The functions release the GIL while their kernels run, so two callers can overlap; the
parallel ones share the process's one pool of helper threads. Measured twice, each in a fresh
process (the pool's size is set once per process): with one thread per call
(``RAYON_NUM_THREADS=1``: each caller works alone, as when a user spreads many arrays over a
``ThreadPoolExecutor``) and with the default pool."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import progress, timing
from .peers import ROOT, Peer, Unavailable, module_function
from .results import SectionResult

N = 10**6  # values per array: enough that the kernels, not the calls, take the time
POOLS = {"1 thread per call": "1", "default pool": None}


@dataclass(frozen=True)
class CallersSection:
    key: str
    title: str
    peers: list[Peer]

    def steps(self, settings: timing.Settings) -> int:
        """Paths times pools: the progress line's steps (see ``progress``)."""
        return len(POOLS) * len(self.peers)

    def run(self, settings: timing.Settings, roofline: dict) -> SectionResult:
        progress.heading(self.title)
        quick = settings.quick
        rows, records = [], []
        for pool, threads in POOLS.items():
            env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
            env.pop("RAYON_NUM_THREADS", None)
            if threads:
                env["RAYON_NUM_THREADS"] = threads
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "compare.callers",
                    "--worker",
                    *(["--quick"] if quick else []),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"the callers' worker failed:\n{done.stderr}")
            progress.advance(len(self.peers))  # a worker times every path
            measured = json.loads(done.stdout)
            for j, record in enumerate(measured["records"]):
                threads = measured["threads"]
                record["pool"] = f"{pool} ({threads} thread{'s' if threads > 1 else ''})"
                record["ours"] = True
                records.append(record)
                first = [record["pool"] if j == 0 else "", record["path"]]
                if record["status"] != "ok":
                    rows.append(first + [record["status"]])
                    continue
                rows.append(
                    first
                    + [
                        f"{record['round_seconds_one_after_other'] * 1e3:.2f}",
                        f"{record['round_seconds_two_threads'] * 1e3:.2f}",
                        f"{record['speedup']:.2f}x",
                    ]
                )
        headers = ["pool", "path", "one after the other ms", "two threads ms", "speed-up"]
        note = (
            f"two arrays of {N:.0e} float64 values, each called on {CALLS} times per round, by "
            f"one thread then by two threads at once (rounds alternate which goes first); "
            f"medians of {ROUNDS} rounds (quick: {QUICK_ROUNDS}); speed-up = median of each "
            f"round's one-after-the-other time over its two-thread time"
        )
        return SectionResult(
            self.key, self.title, note, headers, rows, {2, 3, 4}, records, unit="table"
        )


CALLS = 30
ROUNDS = 21
QUICK_ROUNDS = 3


def check(name: str, fn) -> str:
    """'ok', or what was wrong: each path is checked before it is timed."""
    if name.startswith("square"):
        a = np.full(N, 3.0)
        fn(a)
        return "ok" if (a == 9.0).all() else "WRONG: squares differ from 9.0"
    a = np.random.default_rng(1).random(N)
    got = fn(a)
    return "ok" if got == np.sum(a) else f"WRONG: {got!r}, np.sum {np.sum(a)!r}"


def worker(quick: bool) -> None:
    """Times every peer in this process and prints the records as JSON."""
    arrays = [np.ones(N), np.ones(N)]  # squares of ones stay ones: the same work every call

    def calls(fn, a):
        for _ in range(CALLS):
            fn(a)

    records = []
    with ThreadPoolExecutor(2) as executor:
        for peer in SECTION.peers:
            try:
                fn = peer.load()
            except Unavailable as error:
                records.append({"path": peer.name, "status": f"unavailable: {error}"})
                continue
            status = check(peer.name, fn)
            if status != "ok":
                records.append({"path": peer.name, "status": status})
                continue
            list(executor.map(calls, [fn, fn], arrays))  # warm-up: threads, pool, caches
            alone, together = [], []
            for round_ in range(QUICK_ROUNDS if quick else ROUNDS):
                for first in [0, 1] if round_ % 2 else [1, 0]:
                    start = time.perf_counter()
                    if first == 0:
                        for a in arrays:
                            calls(fn, a)
                    else:
                        list(executor.map(calls, [fn, fn], arrays))
                    (alone if first == 0 else together).append(time.perf_counter() - start)
            records.append(
                {
                    "path": peer.name,
                    "status": "ok",
                    "n": N,
                    # Seconds a round takes (2 x CALLS calls), not seconds a call as elsewhere.
                    "round_seconds_one_after_other": statistics.median(alone),
                    "round_seconds_two_threads": statistics.median(together),
                    "speedup": statistics.median(
                        a / t for a, t in zip(alone, together, strict=True)
                    ),
                    "samples_one_after_other": alone,
                    "samples_two_threads": together,
                }
            )
    threads = module_function("parallel_sum", "thread_count")()()
    print(json.dumps({"threads": threads, "records": records}))


SECTION = CallersSection(
    key="callers",
    title="Concurrent callers: two Python threads at once against one after the other",
    peers=[
        Peer(
            "sum_array",
            "section 1, one thread per call",
            module_function("fast_operations", "sum_array"),
            ours=True,
        ),
        Peer(
            "parallel_sum",
            "section 2, the caller and the pool's helpers",
            module_function("parallel_sum", "parallel_sum"),
            ours=True,
        ),
        Peer(
            "square_numpy_array",
            "section 4, the C square_array, caller and helpers",
            module_function("array_ops", "square_numpy_array"),
            ours=True,
        ),
        Peer(
            "square_numpy_array_rust",
            "section 4, the Rust kernel, caller and helpers",
            module_function("array_ops", "square_numpy_array_rust"),
            ours=True,
        ),
    ],
)


if __name__ == "__main__" and "--worker" in sys.argv:
    worker(quick="--quick" in sys.argv)
