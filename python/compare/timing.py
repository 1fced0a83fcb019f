"""Timing: auto-calibrated loops, a warm-up, the median of repeats.

Why this way: a single long loop hides noise, the minimum hides the typical cost; the median
of several calibrated repeats is what a caller sees on a busy machine. Paths that are compared
with each other are timed in turns (one repeat of each, then the next round), so that a slow
spell of the machine falls on all of them rather than on whichever ran during it. Each round
takes them in another order (shuffled, the same every run), so that no path always follows the
same one: what ran just before matters (a parallel path finds the other threads asleep after a
one-thread path, awake after another parallel one).
"""

from __future__ import annotations

import random
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
    loops: int  # calls per repeat
    repeats: int


# A repeat of fewer calls than this counts as few; such sizes get this many times the repeats.
FEW_CALLS = 10
FEW_CALLS_FACTOR = 3


def describe(settings: Settings) -> str:
    """How the medians were taken, for the tables' notes."""
    return (
        f"median of {settings.repeats} repeats ({FEW_CALLS_FACTOR * settings.repeats} "
        f"where a repeat holds fewer than {FEW_CALLS} calls)"
    )


def time_call(fn, arg, settings: Settings) -> Timing:
    """Seconds per ``fn(arg)``, timed in a ``timeit`` loop (its overhead included)."""
    return time_calls({"": (fn, arg)}, settings)[""]


def time_calls(calls: dict, settings: Settings) -> dict[str, Timing]:
    """Seconds per call of each ``name: (fn, arg)``, the repeats taken in turns."""
    timers = {
        name: timeit.Timer("fn(arg)", globals={"fn": fn, "arg": arg})
        for name, (fn, arg) in calls.items()
    }
    loops = {name: _calibrate(timer, settings) for name, timer in timers.items()}
    samples: dict[str, list[float]] = {name: [] for name in timers}
    names = list(timers)
    # Where a repeat holds only a few calls (the largest arrays: tens of milliseconds a call),
    # a slow spell of the machine moves whole repeats, and the memory's bandwidth changes by
    # 10% from one to the next: there, three times as many repeats.
    repeats = settings.repeats * (
        FEW_CALLS_FACTOR if min(loops.values(), default=FEW_CALLS) < FEW_CALLS else 1
    )
    order = random.Random(0)  # seeded: every run takes the paths in the same orders
    for _ in range(repeats):
        order.shuffle(names)
        for name in names:
            samples[name].append(timers[name].timeit(number=loops[name]) / loops[name])
    return {
        name: Timing(statistics.median(s), min(s), max(s), loops[name], repeats)
        for name, s in samples.items()
    }


def time_rounds(calls: dict, settings: Settings, seconds: float) -> dict[str, Timing]:
    """Seconds per call of each ``name: (fn, arg)``, for calls too slow to loop (a sum on a
    cluster: tens of milliseconds to seconds a call): one call of each per round, the rounds in
    shuffled orders as in ``time_calls``, the median over rounds. After a warm-up round, as
    many rounds as fit in about ``seconds``: at least 3, at most the repeats ``time_calls``
    takes for few calls."""
    names = list(calls)
    start = timeit.default_timer()
    for name in names:  # warm-up; and how long a round takes
        fn, arg = calls[name]
        fn(arg)
    per_round = timeit.default_timer() - start
    rounds = max(3, min(FEW_CALLS_FACTOR * settings.repeats, int(seconds / max(per_round, 1e-9))))
    samples: dict[str, list[float]] = {name: [] for name in names}
    order = random.Random(0)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            fn, arg = calls[name]
            start = timeit.default_timer()
            fn(arg)
            samples[name].append(timeit.default_timer() - start)
    return {
        name: Timing(statistics.median(s), min(s), max(s), 1, rounds) for name, s in samples.items()
    }


def loop_overhead(settings: Settings) -> Timing:
    """Seconds per iteration of an empty ``timeit`` loop: the part of each row that is not the
    call."""
    return _time(timeit.Timer("pass"), settings)


def _time(timer: timeit.Timer, settings: Settings) -> Timing:
    loops = _calibrate(timer, settings)
    samples = [t / loops for t in timer.repeat(repeat=settings.repeats, number=loops)]
    return Timing(statistics.median(samples), min(samples), max(samples), loops, settings.repeats)


def _calibrate(timer: timeit.Timer, settings: Settings) -> int:
    """After a warm-up, how many calls one repeat of about ``repeat_seconds`` makes."""
    timer.timeit(number=100)  # warm-up: caches, lazy loading, first-call paths
    loops = 1
    while timer.timeit(number=loops) < settings.repeat_seconds / 5:
        loops *= 10 if loops < 1000 else 2
    # Scale up to the target duration from the last calibration step.
    per_call = timer.timeit(number=loops) / loops
    return max(1, int(settings.repeat_seconds / max(per_call, 1e-12)))
