"""Sections 1 and 2 on other layouts than one contiguous float64 array: strided, reversed and
N-D views, float32 and int64. NumPy reads every view in place; the fast paths read a view in
place when its axes merge into one strided line the kernel reads in place (AVX-512: any stride;
AVX2: 2 and -1), and otherwise gather it a row at a time into a buffer before the tree sums it:
this table shows what each costs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import choices, progress, timing
from .arrays import measure, ratio, sum_check, tabulate
from .peers import Peer, module_function
from .results import SectionResult

SIZES = [10**4, 10**5, 10**6, 10**7]  # values summed, whatever the layout
QUICK_SIZES = [10**4]
# The 2-D layouts have 100 rows, or rows of 10: a size must be a multiple of this.
MULTIPLE = choices.VIEWS_MULTIPLE


def sizes(settings: timing.Settings) -> list[int]:
    """The sizes this table runs: its own, or those chosen (``--sizes``) that it can lay out."""
    return [n for n in settings.sizes_for(SIZES, QUICK_SIZES) if n % MULTIPLE == 0]


def layouts(n: int) -> dict[str, np.ndarray]:
    """Arrays of ``n`` values each, uniform in [0, 1), under the layouts users meet."""
    rng = np.random.default_rng(n)
    rows = 100
    return {
        "contiguous": rng.random(n),
        "a[::2]": rng.random(2 * n)[::2],
        "a[::-1]": rng.random(n)[::-1],
        "c[:, ::2] (2-D)": rng.random((rows, 2 * n // rows))[:, ::2],
        "t[:, 1:] (2-D, rows of 10)": rng.random((n // 10, 11))[:, 1:],
        "Fortran 2-D": np.asfortranarray(rng.random((rows, n // rows))),
        "float32": rng.random(n, dtype=np.float32),
        "int64": rng.integers(0, 10**6, n),
        "int64 a[::2]": rng.integers(0, 10**6, 2 * n)[::2],
    }


@dataclass(frozen=True)
class ViewSection:
    """Every peer is called as ``fn(view)`` for each layout of each size, checked against
    ``math.fsum`` of the view's values first (outside the rounding bound of the view's dtype:
    WRONG; integers: against the exact sum), the peers of one layout timed in turns."""

    key: str
    title: str
    baseline: str
    peers: list[Peer]

    def steps(self, settings: timing.Settings) -> int:
        """Paths times layouts times sizes: the progress line's steps (see ``progress``)."""
        return len(sizes(settings)) * len(layouts(MULTIPLE)) * len(self.peers)

    def run(self, settings: timing.Settings, roofline: dict) -> SectionResult:
        progress.heading(self.title)
        skipped = [n for n in settings.sizes_for(SIZES, QUICK_SIZES) if n not in sizes(settings)]
        if skipped:
            progress.note(f"  not laid out (not multiples of {MULTIPLE}): {skipped}")

        def cases():
            for n in sizes(settings):
                for layout, view in layouts(n).items():
                    yield {"n": n, "layout": layout}, view

        def check(_name, fn, view):
            if view.dtype.kind == "i":
                # Exact in int64: n values under 10^6 sum to less than 2^63.
                got, exact = int(fn(view)), int(np.sum(view, dtype=np.int64))
                if got != exact:
                    return {"status": f"WRONG: {got!r}, exact {exact!r}"}
                return {"status": "ok", "value": hex(got), "error": 0.0}
            exact = math.fsum(view.ravel(order="K").astype(np.float64))
            return sum_check(float(fn(view)), exact, view.size, view.dtype)

        def cells(record, view, timed):
            base = timed.get(self.baseline, {})
            record["gbps"] = view.nbytes / record["seconds"] / 1e9
            record["same_bits_as_baseline"] = record["value"] == base.get("value")
            return [
                f"{record['seconds'] * 1e6:.2f}",
                f"{record['gbps']:.1f}",
                ratio(base.get("seconds"), record["seconds"]),
                f"{record['error']:.1e}",
                "yes" if record["same_bits_as_baseline"] else "no",
            ]

        rows, records = tabulate(
            measure(self.key, self.peers, settings, cases(), check, timed=lambda view: view),
            cells,
        )
        headers = [
            "n",
            "layout",
            "path",
            "us",
            "GB/s",
            f"vs {self.baseline}",
            "rel. error",
            f"bits = {self.baseline}",
        ]
        note = (
            f"{timing.describe(settings)}, call included; n values summed, uniform in [0, 1) "
            f"(int64: integers in [0, 10^6)); GB/s counts the bytes of the values summed; error "
            f"against math.fsum; float32: np.sum adds in float32, ours in float64; int64: both "
            f"exact here, ours never wraps"
        )
        return SectionResult(
            self.key,
            self.title,
            note,
            headers,
            rows,
            {0, 3, 4, 5, 6},
            records,
            unit="layouts",
            baseline=self.baseline,
        )


SECTION = ViewSection(
    key="views",
    title="Sections 1 and 2 on views, float32 and int64: the sum of n values",
    baseline="np.sum",
    peers=[
        Peer("np.sum", "NumPy's pairwise sum, reading the view in place", lambda: np.sum),
        Peer(
            "sum_array",
            "section 1: strided lines read in place (AVX-512; AVX2 strides 2 "
            "and -1), other views gathered a row at a time, float32 widened",
            module_function("fast_operations", "sum_array"),
            ours=True,
        ),
        Peer(
            "parallel_sum",
            "section 2: the same tree on all cores",
            module_function("parallel_sum", "parallel_sum"),
            ours=True,
        ),
    ],
)
