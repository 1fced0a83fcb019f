"""A section whose job runs over an array: microseconds, GB/s and ratios, size by size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import report, timing
from .peers import Peer, Unavailable


@dataclass(frozen=True)
class Answer:
    """What a sum section knows of a result, besides its time."""

    ok: bool  # within the rounding bound of the exact answer
    error: float  # relative error against the exact answer
    same_bits: bool  # bit for bit the same as the baseline's answer


@dataclass(frozen=True)
class SumSection:
    """Every peer is called as ``fn(values)`` on float64 arrays of each size; its answer is
    checked against ``math.fsum`` before it is timed (a wrong one is shown as WRONG)."""

    title: str
    sizes: list[int]
    quick_sizes: list[int]
    baseline: str  # the name of the peer every other is compared with
    yardstick: str  # the fastest peer: how close each comes to what the machine can do
    peers: list[Peer]

    def run(self, settings: timing.Settings) -> str:
        report.progress(self.title)
        loaded = {peer.name: _load(peer) for peer in self.peers}
        rows = []
        for n in self.quick_sizes if settings is timing.QUICK else self.sizes:
            values = np.random.default_rng(n).random(n)  # uniform [0, 1): errors accumulate
            exact = math.fsum(values)
            expected_bits = None
            outcomes = {}
            for peer in self.peers:
                fn = loaded[peer.name]
                if isinstance(fn, str):
                    outcomes[peer.name] = fn
                    continue
                got = fn(values)
                answer = _check(got, exact, n, expected_bits)
                if peer.name == self.baseline:
                    expected_bits = got
                    answer = _check(got, exact, n, expected_bits)
                if not answer.ok:
                    outcomes[peer.name] = f"WRONG: {got!r}, exact {exact!r}"
                else:
                    outcomes[peer.name] = (timing.time_call(fn, values, settings), answer)
                report.progress(f"  n={n:.0e} {peer.name}: {_shown(outcomes[peer.name])}")
            rows += self._rows(n, values.nbytes, outcomes)
        headers = ["n", "path", "us", "GB/s", f"vs {self.baseline}", f"% of {self.yardstick}",
                   "rel. error", f"bits = {self.baseline}"]
        note = (
            f"median of {settings.repeats} repeats, call included; float64 uniform in [0, 1); "
            f"error against math.fsum; 'vs' = {self.baseline} time / path time"
        )
        return f"{self.title}\n({note})\n\n" + report.table(headers, rows, right={0, 2, 3, 4, 5, 6})

    def _rows(self, n, nbytes, outcomes):
        base = outcomes.get(self.baseline)
        yard = outcomes.get(self.yardstick)
        rows = []
        for i, peer in enumerate(self.peers):
            size = f"{n:.0e}" if i == 0 else ""
            outcome = outcomes[peer.name]
            if isinstance(outcome, str):
                rows.append([size, peer.name, outcome, "", "", "", "", ""])
                continue
            t, answer = outcome
            seconds = t.median
            ratio = f"{base[0].median / seconds:.2f}x" if isinstance(base, tuple) else "n/a"
            share = f"{100 * yard[0].median / seconds:.0f}%" if isinstance(yard, tuple) else "n/a"
            rows.append([
                size, peer.name, f"{seconds * 1e6:.2f}", f"{nbytes / seconds / 1e9:.1f}", ratio,
                share, f"{answer.error:.1e}", "yes" if answer.same_bits else "no",
            ])
        return rows


def _load(peer: Peer):
    try:
        return peer.load()
    except Unavailable as why:
        return f"unavailable: {why}"


def _check(got, exact: float, n: int, expected) -> Answer:
    got = float(got)
    error = abs(got - exact) / exact if exact else abs(got)
    # The worst case of adding n values of one sign in any order is (n - 1) * eps relative.
    ok = math.isfinite(got) and error <= max(n - 1, 1) * 2.0**-53
    same = expected is not None and np.float64(got).tobytes() == np.float64(expected).tobytes()
    return Answer(ok, error, same)


def _shown(outcome) -> str:
    if isinstance(outcome, str):
        return outcome
    return f"{outcome[0].median * 1e6:.2f} us"


@dataclass(frozen=True)
class InPlaceSection:
    """Every peer is called as ``fn(values)`` and must square ``values`` in place. Each is first
    checked on random values against ``np.square`` (a wrong result is shown as WRONG), then
    timed on an array of ones: squaring leaves it unchanged, so every call sees the same
    values and the input need not be rebuilt between calls (nor become subnormal or inf)."""

    title: str
    sizes: list[int]
    quick_sizes: list[int]
    baseline: str
    peers: list[Peer]

    def run(self, settings: timing.Settings) -> str:
        report.progress(self.title)
        loaded = {peer.name: _load(peer) for peer in self.peers}
        rows = []
        for n in self.quick_sizes if settings is timing.QUICK else self.sizes:
            sample = np.random.default_rng(n).standard_normal(min(n, 10**6))
            ones = np.ones(n)
            outcomes = {}
            for peer in self.peers:
                fn = loaded[peer.name]
                if isinstance(fn, str):
                    outcomes[peer.name] = fn
                    continue
                got = sample.copy()
                fn(got)
                if not np.array_equal(got, np.square(sample)):
                    outcomes[peer.name] = "WRONG: the values are not their squares"
                else:
                    outcomes[peer.name] = timing.time_call(fn, ones, settings)
                    assert np.all(ones == 1.0)
                report.progress(f"  n={n:.0e} {peer.name}: {_shown_time(outcomes[peer.name])}")
            rows += self._rows(n, 2 * ones.nbytes, outcomes)
        headers = ["n", "path", "us", "GB/s", f"vs {self.baseline}", "% of fastest"]
        note = (
            f"median of {settings.repeats} repeats, call included; in place on float64 ones; "
            f"GB/s counts the read and the write; 'vs' = {self.baseline} time / path time"
        )
        return f"{self.title}\n({note})\n\n" + report.table(headers, rows, right={0, 2, 3, 4, 5})

    def _rows(self, n, nbytes, outcomes):
        times = {name: t.median for name, t in outcomes.items() if isinstance(t, timing.Timing)}
        base = times.get(self.baseline)
        fastest = min(times.values(), default=None)
        rows = []
        for i, peer in enumerate(self.peers):
            size = f"{n:.0e}" if i == 0 else ""
            if peer.name not in times:
                rows.append([size, peer.name, outcomes[peer.name], "", "", ""])
                continue
            seconds = times[peer.name]
            rows.append([
                size, peer.name, f"{seconds * 1e6:.2f}", f"{nbytes / seconds / 1e9:.1f}",
                f"{base / seconds:.2f}x" if base else "n/a", f"{100 * fastest / seconds:.0f}%",
            ])
        return rows


def _shown_time(outcome) -> str:
    return outcome if isinstance(outcome, str) else f"{outcome.median * 1e6:.2f} us"
