"""Timing: auto-calibrated loops, a warm-up, the median of repeats.

Why this way: a single long loop hides noise, the minimum hides the typical cost; the median
of several calibrated repeats is what a caller sees on a busy machine.
"""

from __future__ import annotations

import statistics
import timeit
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How hard to try: ``repeat_seconds`` per repeat, ``repeats`` repeats."""

    repeat_seconds: float
    repeats: int


FULL = Settings(repeat_seconds=0.1, repeats=9)
QUICK = Settings(repeat_seconds=0.01, repeats=3)


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median over repeats, and the spread (min, max) around it."""

    median: float
    low: float
    high: float
    loops: int


def time_call(fn, arg, settings: Settings) -> Timing:
    """Seconds per ``fn(arg)``, timed in a ``timeit`` loop (its overhead included)."""
    timer = timeit.Timer("fn(arg)", globals={"fn": fn, "arg": arg})
    return _time(timer, settings)


def loop_overhead(settings: Settings) -> Timing:
    """Seconds per iteration of an empty ``timeit`` loop: the part of every row that is not the call."""
    return _time(timeit.Timer("pass"), settings)


def _time(timer: timeit.Timer, settings: Settings) -> Timing:
    timer.timeit(number=100)  # warm-up: caches, lazy loading, first-call paths
    loops = 1
    while timer.timeit(number=loops) < settings.repeat_seconds / 5:
        loops *= 10 if loops < 1000 else 2
    # Scale up to the target duration from the last calibration step.
    per_call = timer.timeit(number=loops) / loops
    loops = max(1, int(settings.repeat_seconds / max(per_call, 1e-12)))
    samples = [t / loops for t in timer.repeat(repeat=settings.repeats, number=loops)]
    return Timing(statistics.median(samples), min(samples), max(samples), loops)
