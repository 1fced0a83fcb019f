"""Sums along an axis of a 2-D float64 array: ``np.sum(a, axis=axis)`` against Bottleneck's
``nansum`` and our ``sum_array`` and ``parallel_sum``, for axis 0, 1 and None, on arrays in C
and in Fortran order.

A sum along an axis is many short sums at once: along the axis that steps through memory, each
row is a contiguous line; along the other, the lines are strided and NumPy instead adds whole
rows into the result, element by element. Which is faster depends on the shape and the order,
so the table takes square, tall and wide shapes, each in both orders. It shows each path's time
against NumPy's, against ``sum_array``'s (the goal: ``parallel_sum`` on all cores 1.6 times
one thread of it, from 10^6 values on), and whether the result has exactly ``np.sum``'s bits:
ours are meant to; Bottleneck's ``nansum`` adds in its own order, and is here for its speed.

Today's installed ``sum_array`` and ``parallel_sum`` may take no ``axis=``: a path that raises
``TypeError`` for it shows as unavailable on that row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import progress, timing
from .arrays import measure, ratio, tabulate
from .peers import Peer, module_function
from .results import SectionResult

# 10^6 values each, three ways round; 3 x 10^6 as three long lines (or 10^6 lines of three).
SHAPES = [(1000, 1000), (10_000, 100), (100, 10_000), (3, 1_000_000), (1_000_000, 3)]
QUICK_SHAPES = [(1000, 1000)]
AXES = [0, 1, None]

# Not even close to np.sum: further than this, relative, from it. Float64 values of one sign,
# added in any order, differ by far less (about n half-ulps at most: 1e-10 for 10^6 values).
TOLERANCE = 1e-9


def along_axis(load_sum):
    """A Peer's load: the function ``load_sum()`` returns, called as ``fn((a, axis))`` for
    ``sum(a, axis=axis)``: every peer is timed on one argument, so this one-line def adds one
    Python call to each path's time, NumPy's included."""

    def load():
        sum_ = load_sum()

        def summed(case):
            a, axis = case
            return sum_(a, axis=axis)

        return summed

    return load


def arrays(shape: tuple[int, int]):
    """The same values, uniform in [0, 1), laid out in C and in Fortran order."""
    values = np.random.default_rng(shape).random(shape)
    return {"C": values, "F": np.asfortranarray(values)}


def same_bits(got, expected: np.ndarray) -> bool:
    """Whether ``got`` holds exactly ``expected``'s float64 bits, in its shape."""
    got = np.asarray(got)
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return False
    return np.array_equal(got.view(np.int64), expected.view(np.int64))


def axis_check(got, expected: np.ndarray) -> dict:
    """A sum's status against ``np.sum``'s ``expected``: WRONG if its shape differs or any of
    its values lies further than ``TOLERANCE`` (relative) from NumPy's; else "ok", whether its
    bits are NumPy's, and its largest relative difference from them."""
    got = np.asarray(got)
    if got.shape != expected.shape:
        return {"status": f"WRONG: shape {got.shape}, np.sum's {expected.shape}"}
    if got.dtype.kind != "f":
        return {"status": f"WRONG: dtype {got.dtype}, np.sum's {expected.dtype}"}
    distance = np.abs(got.astype(np.float64) - expected)
    worst = float(np.max(distance / np.maximum(np.abs(expected), np.finfo(np.float64).tiny)))
    if not np.all(distance <= TOLERANCE * np.abs(expected)):  # NaN included
        return {"status": f"WRONG: {worst:.1e} relative from np.sum"}
    return {
        "status": "ok",
        "same_bits_as_baseline": same_bits(got, expected),
        "max_rel_diff": worst,
    }


@dataclass(frozen=True)
class AxesSection:
    """Every peer is called as ``fn((a, axis))`` (see ``along_axis``) for each shape, order
    and axis, checked against ``np.sum(a, axis=axis)`` first (see ``axis_check``), the peers
    of one case timed in turns. A peer that raises ``TypeError`` (no ``axis=`` yet) is
    unavailable for that case; one that raises anything else is WRONG."""

    key: str
    title: str
    baseline: str  # np.sum: "vs NumPy" and "bits"
    single: str  # sum_array: "vs sum_array", what parallel_sum gains on all cores
    peers: list[Peer]

    def cases(self, settings: timing.Settings):
        """``({"shape", "order", "axis"}, (a, axis, np.sum(a, axis=axis)))``, each shape's
        arrays made only when its turn comes."""
        for shape in settings.pick(SHAPES, QUICK_SHAPES):
            for order, a in arrays(shape).items():
                for axis in AXES:
                    expected = np.asarray(np.sum(a, axis=axis))
                    yield {"shape": shape, "order": order, "axis": axis}, (a, axis, expected)

    @staticmethod
    def check(_name, fn, inputs) -> dict:
        a, axis, expected = inputs
        try:
            got = fn((a, axis))
        except TypeError as error:  # today's sums take no axis=
            return {"status": f"unavailable: {error}"}
        except Exception as error:
            return {"status": f"WRONG: raised {type(error).__name__}: {error}"}
        return axis_check(got, expected)

    def cells(self, record, _inputs, timed) -> list[str]:
        seconds = record["seconds"]
        return [
            f"{seconds * 1e6:.2f}",
            ratio(timed.get(self.baseline, {}).get("seconds"), seconds),
            ratio(timed.get(self.single, {}).get("seconds"), seconds),
            "same" if record["same_bits_as_baseline"] else "differs",
        ]

    def steps(self, settings: timing.Settings) -> int:
        """Paths times cases: the progress line's steps (see ``progress``)."""
        return len(settings.pick(SHAPES, QUICK_SHAPES)) * 2 * len(AXES) * len(self.peers)

    def run(self, settings: timing.Settings, roofline: dict) -> SectionResult:
        progress.heading(self.title)
        rows, records = tabulate(
            measure(
                self.key,
                self.peers,
                settings,
                self.cases(settings),
                self.check,
                timed=lambda inputs: inputs[:2],
            ),
            self.cells,
        )
        headers = ["shape", "order", "axis", "path", "us", "vs NumPy", f"vs {self.single}", "bits"]
        note = (
            f"{timing.describe(settings)}, call included; float64 uniform in [0, 1), the same "
            f"values in C and Fortran order; vs NumPy = {self.baseline}'s time / path time, "
            f"vs {self.single} likewise; bits: the result's bits against {self.baseline}'s "
            f"(WRONG beyond {TOLERANCE:.0e} relative from it)"
        )
        return SectionResult(
            self.key,
            self.title,
            note,
            headers,
            rows,
            {4, 5, 6},
            records,
            unit="table",
            baseline=self.baseline,
        )


SECTION = AxesSection(
    key="axes",
    title="Sums along an axis of a 2-D float64 array: axis 0, 1 and None, C and Fortran order",
    baseline="np.sum",
    single="sum_array",
    peers=[
        Peer(
            "np.sum",
            "np.sum(a, axis=axis): NumPy's pairwise lines, or rows added into the result",
            along_axis(lambda: np.sum),
        ),
        Peer(
            "bn.nansum",
            "Bottleneck's nansum(a, axis=axis): C loops, NaN as zero, its own order",
            along_axis(module_function("bottleneck", "nansum")),
        ),
        Peer(
            "sum_array",
            "fast_operations.sum_array(a, axis=axis): section 1, one thread",
            along_axis(module_function("fast_operations", "sum_array")),
            ours=True,
        ),
        Peer(
            "parallel_sum",
            "parallel_sum.parallel_sum(a, axis=axis): section 2, on all cores",
            along_axis(module_function("parallel_sum", "parallel_sum")),
            ours=True,
        ),
    ],
)
