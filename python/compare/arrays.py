"""Sections whose job runs over an array: microseconds, GB/s and ratios, size by size."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import progress, timing
from .peers import Peer, Unavailable
from .results import SectionResult

# The sizes of a full run and of a quick one (make bench QUICK=1).
SIZES = [10**k for k in range(9)]
QUICK_SIZES = [1, 10**3, 10**5]


def load(peer: Peer):
    """The peer's callable, or the reason it has none."""
    try:
        return peer.load()
    except Unavailable as why:
        return f"unavailable: {why}"


def sized(settings: timing.Settings, prepare):
    """The cases of a section that runs size by size: ``({"n": n}, prepare(n))``, each size's
    inputs made only when its turn comes."""
    for n in settings.sizes_for(SIZES, QUICK_SIZES):
        yield {"n": n}, prepare(n)


def measure(
    key: str,
    peers: list[Peer],
    settings: timing.Settings,
    cases,
    check,
    timed,
    time=timing.time_calls,
):
    """For each case ``(fields, inputs)`` (see ``sized``): a record per peer, the case's
    fields in it, with its status. A peer that loaded is first checked (``check(name, fn,
    inputs)`` gives its status and findings); those that pass are timed in turns on
    ``timed(inputs)`` by ``time(calls, settings)`` (see ``timing.time_calls``), their
    "seconds" added (the median; every repeat's in "samples")."""
    loaded = {peer.name: load(peer) for peer in peers}
    for fields, inputs in cases:
        case = " ".join(f"{k}={v:.0e}" if k == "n" else f"{k}={v}" for k, v in fields.items())
        progress.case(f"section {key}, {case}")
        records = []
        for peer in peers:
            fn = loaded[peer.name]
            record = {"section": key, **fields, "path": peer.name, "how": peer.how}
            record["ours"] = peer.ours
            record |= {"status": fn} if isinstance(fn, str) else check(peer.name, fn, inputs)
            records.append(record)
        ok = {r["path"]: (loaded[r["path"]], timed(inputs)) for r in records if r["status"] == "ok"}
        progress.advance(len(records) - len(ok))  # the paths not timed: their steps are done
        times = time(ok, settings)
        for record in records:
            if record["path"] in times:
                record |= timing_fields(times[record["path"]])
            shown = f"{record['seconds'] * 1e6:.2f} us" if "seconds" in record else record["status"]
            progress.note(f"  {case} {record['path']}: {shown}")
        yield fields, inputs, records


def timing_fields(t: timing.Timing) -> dict:
    """What a record keeps of a path's timing: the median, the spread, every repeat."""
    return {
        "seconds": t.median,
        "low": t.low,
        "high": t.high,
        "loops": t.loops,
        "samples": list(t.samples),
    }


def tabulate(measured, cells) -> tuple[list[list[str]], list[dict]]:
    """The rows of a section's table and its records, from what ``measure`` yields: a row per
    record, led by its case's fields (left blank where the row above shows the same, so a size
    heads its rows once), then its path, then ``cells(record, inputs, timed)`` where it was
    timed (``timed``: the case's timed records by path) or its status where not."""
    rows, records, above = [], [], {}
    for fields, inputs, batch in measured:
        records += batch
        timed = {r["path"]: r for r in batch if "seconds" in r}
        for record in batch:
            lead, same = [], True
            for name, value in fields.items():
                same = same and above.get(name) == value
                shown = f"{value:.0e}" if name == "n" else str(value)
                lead.append("" if same else shown)
            above = fields
            if record["path"] in timed:
                rows.append(lead + [record["path"]] + cells(record, inputs, timed))
            else:
                rows.append(lead + [record["path"], record["status"]])
    return rows, records


def sum_check(got: float, exact: float, n: int, dtype) -> dict:
    """A sum's status against ``math.fsum``'s ``exact``: adding ``n`` values of one sign of
    ``dtype`` in any order is off by at most (n - 1) half-ulps relative; beyond that, WRONG."""
    error = abs(got - exact) / exact if exact else abs(got)
    if not (math.isfinite(got) and error <= max(n - 1, 1) * float(np.finfo(dtype).eps) / 2):
        return {"status": f"WRONG: {got!r}, exact {exact!r}"}
    return {"status": "ok", "value": got.hex(), "error": error}


def ratio(numerator: float | None, seconds: float) -> str:
    return f"{numerator / seconds:.2f}x" if numerator else "n/a"


@dataclass(frozen=True)
class SumSection:
    """Every peer is called as ``fn(values)`` on float64 arrays of each size. Its answer is
    checked against ``math.fsum`` before it is timed (outside the rounding bound: WRONG), and
    taken three more times to see whether its bits change from run to run."""

    key: str
    title: str
    baseline: str  # the peer every other is compared with (NumPy)
    tutorial: str  # the tutorial's own code, the second comparison
    yardstick: str  # the fastest sum in no fixed order: how close each comes to it
    peers: list[Peer]

    def steps(self, settings: timing.Settings) -> int:
        """Paths times sizes: the progress line's steps (see ``progress``)."""
        return len(settings.sizes_for(SIZES, QUICK_SIZES)) * len(self.peers)

    def run(self, settings: timing.Settings, roofline: dict) -> SectionResult:
        progress.heading(self.title)
        bandwidth = roofline.get("read")

        def prepare(n):
            values = np.random.default_rng(n).random(n)  # uniform [0, 1): errors accumulate
            return values, math.fsum(values)

        def check(_name, fn, inputs):
            values, exact = inputs
            got = float(fn(values))
            status = sum_check(got, exact, values.size, values.dtype)
            if status["status"] == "ok":
                again = {float(fn(values)).hex() for _ in range(3)} | {got.hex()}
                status["stable_bits"] = len(again) == 1
            return status

        def cells(record, inputs, timed):
            values, _ = inputs
            base = timed.get(self.baseline, {})
            tutorial = timed.get(self.tutorial, {}).get("seconds")
            yardstick = timed.get(self.yardstick, {}).get("seconds")
            seconds = record["seconds"]
            gbps = values.nbytes / seconds / 1e9
            record |= {
                "gbps": gbps,
                "same_bits_as_baseline": record["value"] == base.get("value"),
                # A limit to measure against, not a way to sum: its bits are whatever they are.
                "yardstick": record["path"] == self.yardstick,
            }
            return [
                f"{seconds * 1e6:.2f}",
                f"{gbps:.1f}",
                ratio(base.get("seconds"), seconds),
                ratio(tutorial, seconds),
                f"{100 * yardstick / seconds:.0f}%" if yardstick else "n/a",
                f"{gbps / bandwidth:.2f}x" if bandwidth else "n/a",
                f"{record['error']:.1e}",
                "yes" if record["same_bits_as_baseline"] else "no",
                "yes" if record["stable_bits"] else "NO",
            ]

        rows, records = tabulate(
            measure(
                self.key,
                self.peers,
                settings,
                sized(settings, prepare),
                check,
                timed=lambda inputs: inputs[0],
            ),
            cells,
        )
        headers = [
            "n",
            "path",
            "us",
            "GB/s",
            f"vs {self.baseline}",
            "vs tutorial",
            f"% of {self.yardstick}",
            "vs memory",
            "rel. error",
            f"bits = {self.baseline}",
            "same bits each run",
        ]
        note = (
            f"{timing.describe(settings)}, call included; float64 uniform in [0, 1); "
            f"'vs' = other time / path time, tutorial = {self.tutorial}; vs memory = GB/s / main "
            f"memory's read bandwidth measured in this run (above 1x: the array is read from a "
            f"cache, faster than main memory); error against math.fsum"
        )
        return SectionResult(
            self.key,
            self.title,
            note,
            headers,
            rows,
            {0, 2, 3, 4, 5, 6, 7, 8},
            records,
            roofline=bandwidth,
            baseline=self.baseline,
        )


@dataclass(frozen=True)
class InPlaceSection:
    """Every peer is called as ``fn(values)`` and must square ``values`` in place. Each is first
    checked on random values against ``np.square`` (a wrong result is shown as WRONG), then
    timed on an array of ones: squaring leaves it unchanged, so every call sees the same
    values and the input need not be rebuilt between calls (nor become subnormal or inf).

    The ``allocating`` peers return the squares in a new array instead: they are checked for
    that (the input unchanged), timed in the same turns, and compared with
    ``allocating_baseline`` rather than ``baseline``."""

    key: str
    title: str
    baseline: str
    tutorial: str
    peers: list[Peer]
    allocating_baseline: str | None = None
    allocating: list[Peer] = field(default_factory=list)

    def steps(self, settings: timing.Settings) -> int:
        """Paths times sizes: the progress line's steps (see ``progress``)."""
        return len(settings.sizes_for(SIZES, QUICK_SIZES)) * len(self.peers + self.allocating)

    def run(self, settings: timing.Settings, roofline: dict) -> SectionResult:
        progress.heading(self.title)
        bandwidth = roofline.get("read+write")
        allocating = {peer.name for peer in self.allocating}

        def prepare(n):
            return np.random.default_rng(n).standard_normal(min(n, 10**6)), np.ones(n)

        def check(name, fn, inputs):
            sample, _ = inputs
            given = sample.copy()
            got = fn(given)
            if name not in allocating:
                if not np.array_equal(given, np.square(sample)):
                    return {"status": "WRONG: the values are not their squares"}
            elif not np.array_equal(given, sample):
                return {"status": "WRONG: it changed its input"}
            elif not isinstance(got, np.ndarray) or np.shares_memory(got, given):
                return {"status": "WRONG: it did not return a new array"}
            elif got.dtype != sample.dtype or not np.array_equal(got, sample * sample):
                return {"status": "WRONG: the new values are not the squares"}
            return {"status": "ok"}

        def cells(record, inputs, timed):
            _, ones = inputs
            assert np.all(ones == 1.0)  # squaring ones leaves them ones: every call saw the same
            baseline = self.allocating_baseline if record["path"] in allocating else self.baseline
            base = timed.get(baseline, {}).get("seconds")
            tutorial = timed.get(self.tutorial, {}).get("seconds")
            seconds = record["seconds"]
            record["gbps"] = gbps = 2 * ones.nbytes / seconds / 1e9
            record["baseline"] = baseline  # in place or into a new array: two jobs
            return [
                f"{seconds * 1e6:.2f}",
                f"{gbps:.1f}",
                ratio(base, seconds),
                ratio(tutorial, seconds),
                f"{gbps / bandwidth:.2f}x" if bandwidth else "n/a",
            ]

        rows, records = tabulate(
            measure(
                self.key,
                self.peers + self.allocating,
                settings,
                sized(settings, prepare),
                check,
                timed=lambda inputs: inputs[1],
            ),
            cells,
        )
        headers = ["n", "path", "us", "GB/s", "vs NumPy", "vs tutorial", "vs memory"]
        numpy = f"{self.baseline}'s time / path time"
        if self.allocating:
            numpy += (
                f" ({self.allocating_baseline}'s for the rows that return a new array: "
                f"{', '.join(peer.name for peer in self.allocating)})"
            )
        note = (
            f"{timing.describe(settings)}, call included; in place on float64 ones; "
            f"GB/s counts the read and the write; vs NumPy = {numpy}; tutorial = {self.tutorial}; "
            f"vs memory = GB/s / main memory's read+write bandwidth measured in this run (above "
            f"1x: the array sits in a cache, faster than main memory)"
        )
        return SectionResult(
            self.key,
            self.title,
            note,
            headers,
            rows,
            {0, 2, 3, 4, 5, 6},
            records,
            roofline=bandwidth,
            baseline=self.baseline,
        )
