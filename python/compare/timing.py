"""Timing: a warm-up, auto-calibrated loops, the median of repeats.

Why this way: a single long loop hides noise, the minimum hides the typical cost; the median
of several calibrated repeats is what a caller sees on a busy machine. Paths that are compared
with each other are timed in turns (one repeat of each, then the next round), so that a slow
spell of the machine falls on all of them rather than on whichever ran during it. Each round
takes them in another order (shuffled, the same every run), so that no path always follows the
same one: what ran just before matters (a parallel path finds the other threads asleep after a
one-thread path, awake after another parallel one).

The warm-up lasts as long as needed and no longer: calls until at least ``WARMUP_CALLS`` calls
and a quarter of a repeat's time (``repeat_seconds / 4``) have passed. What it is for (the
array pulled into the caches, lazy loading, first-call paths, the threads and the clock woken
up) takes a call or two of a large array and well under a millisecond of small ones; a fixed
count of calls would cost seconds a path on the largest arrays. The calibration that follows
calls the path again before any timed repeat.

Every repeat's time per call is kept (``Timing.samples``), not only the median, so
results.json holds the whole distribution.
"""

from __future__ import annotations

import random
import statistics
import timeit
from dataclasses import dataclass

from . import progress


@dataclass(frozen=True)
class Settings:
    """How hard to try: ``repeat_seconds`` per repeat, ``repeats`` repeats; ``quick`` runs
    fewer and smaller cases; ``sizes``, if given, replaces the sizes of the sections that run
    size by size (``python -m compare --sizes``)."""

    repeat_seconds: float
    repeats: int
    quick: bool = False
    sizes: tuple[int, ...] | None = None

    def pick(self, full: list, quick: list) -> list:
        """A section's cases: ``quick`` in a quick run, ``full`` otherwise."""
        return quick if self.quick else full

    def sizes_for(self, full: list[int], quick: list[int]) -> list[int]:
        """A sized section's sizes: the chosen ones (``--sizes``), else its quick or full ones."""
        return list(self.sizes) if self.sizes else self.pick(full, quick)


FULL = Settings(repeat_seconds=0.1, repeats=9)
QUICK = Settings(repeat_seconds=0.01, repeats=3, quick=True)

# The warm-up's least number of calls (see the module's docstring).
WARMUP_CALLS = 2


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median over repeats, and the spread (min, max) around it."""

    median: float
    low: float
    high: float
    loops: int  # calls per repeat
    repeats: int
    samples: tuple[float, ...] = ()  # seconds per call of each repeat, in the order taken


def summarise(samples: list[float], loops: int) -> Timing:
    """The ``Timing`` of a list of seconds per call."""
    return Timing(
        statistics.median(samples), min(samples), max(samples), loops, len(samples), tuple(samples)
    )


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
    # Each path is one step of the progress line: its calibration and each round a share.
    share = len(names) / (repeats + 1)
    progress.advance(share)
    order = random.Random(0)  # seeded: every run takes the paths in the same orders
    for _ in range(repeats):
        order.shuffle(names)
        for name in names:
            samples[name].append(timers[name].timeit(number=loops[name]) / loops[name])
        progress.advance(share)
    return {name: summarise(s, loops[name]) for name, s in samples.items()}


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
    share = len(names) / (rounds + 1)  # as in time_calls: the warm-up and each round a share
    progress.advance(share)
    order = random.Random(0)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            fn, arg = calls[name]
            start = timeit.default_timer()
            fn(arg)
            samples[name].append(timeit.default_timer() - start)
        progress.advance(share)
    return {name: summarise(s, 1) for name, s in samples.items()}


def loop_overhead(settings: Settings) -> Timing:
    """Seconds per iteration of an empty ``timeit`` loop: the part of each row that is not the
    call."""
    return _time(timeit.Timer("pass"), settings)


def _time(timer: timeit.Timer, settings: Settings) -> Timing:
    loops = _calibrate(timer, settings)
    samples = [t / loops for t in timer.repeat(repeat=settings.repeats, number=loops)]
    return summarise(samples, loops)


def _calibrate(timer: timeit.Timer, settings: Settings) -> int:
    """After a warm-up, how many calls one repeat of about ``repeat_seconds`` makes."""
    warm_up(timer, settings)
    loops = 1
    while timer.timeit(number=loops) < settings.repeat_seconds / 5:
        loops *= 10 if loops < 1000 else 2
    # Scale up to the target duration from the last calibration step.
    per_call = timer.timeit(number=loops) / loops
    return max(1, int(settings.repeat_seconds / max(per_call, 1e-12)))


def warm_up(timer: timeit.Timer, settings: Settings) -> int:
    """Calls until at least ``WARMUP_CALLS`` calls and ``repeat_seconds / 4`` have passed: one
    at a time, then in batches that double the calls made (so that a fast call is not timed
    one at a time); returns the calls made."""
    calls, spent = 0, 0.0
    while calls < WARMUP_CALLS or spent < settings.repeat_seconds / 4:
        batch = 1 if calls < WARMUP_CALLS else calls
        spent += timer.timeit(number=batch)
        calls += batch
    return calls
