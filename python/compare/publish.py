"""``python -m compare.publish``: turn the last full run (bench-results/) into docs/RESULTS.md,
with its plots in docs/results/. Every number in that page comes from the run; the reading
above the tables is written to hold whatever the numbers are, and cites none.

It refuses a quick or partial run (some sections, or chosen sizes): the page is the whole
comparison or nothing. The plots it copies are those results.json lists, which the same run
drew; any other plot in docs/results/ is deleted, so no plot of an older run stays beside
the new tables.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from . import choices

OUT = choices.DEFAULT_OUT
DOCS = OUT.parent / "docs"

# The sections summed up at the top of the page (the others are tables of many cases).
GLANCE = ["1", "2", "dask", "3", "4"]
# Their small, medium and large sizes: in the caches, in the last cache, in main memory
# (a section with three sizes or fewer shows each).
GLANCE_SIZES = [10**3, 10**6]

READING = """\
## How to read it, and which way to choose

- **Calling one scalar function** (section 3): the cost is the call, not the work. ctypes
  converts every argument through generic machinery, whatever is behind it: the C library, its
  -O3 build and the Rust library cost about the same through ctypes. cffi's ABI mode is cheaper, but
  still several times a PyO3 call, which costs about what a Python `def` does; cffi's API mode
  (it compiles a real extension module) comes closer. Numba's dispatcher and NumPy's ufunc
  machinery sit in between. For many scalars, do not call per scalar at all: pass an array.
- **Reducing an array** (sections 1 and 2): the tutorial's typed loop adds in order, so each
  addition waits for the previous one. Compiled by Cython, by Numba or by Rust, that loop runs
  at the same speed: slower than `np.sum` from a few thousand values on, and less accurate.
  `sum_array` computes NumPy's own pairwise tree in SIMD lanes: it keeps `np.sum`'s bits and
  beats it wherever the data sits in the caches, most of all for small arrays, where NumPy's
  call costs the most; from the shared cache and main memory the gap narrows to what the
  memory lets one core read. For the tiniest
  arrays the tutorial's Cython function has the cheapest call of all. On several threads,
  `parallel_sum` splits where the tree splits and keeps the same bits for every thread count;
  the fixed Cython `prange` and Numba's `prange` give other bits than `np.sum`; the Cython one
  is slower than one thread of `sum_array` at every size here, Numba's wherever the data sits
  in the caches (from main memory, with two cores, it can be the faster).
- **Other layouts** (the table after section 2): NumPy reads strided and reversed views in
  place. `sum_array` first merges the axes that step through memory as one (as NumPy's
  iterator does); a view that becomes one strided line it reads in place too, on CPUs with
  AVX-512 (masked loads for `a[::2]`, reversed loads for `a[::-1]`, gathers for other strides),
  and any other view it gathers a row at a time into a small buffer before summing. The copy
  costs little where the data sits in the caches; from the shared cache and main memory it
  can make a view slower than NumPy's. Every float64 view is summed in the order NumPy's
  iterator adds its values (axes ordered by stride and merged, its buffered runs), so every
  view has `np.sum`'s bits; `parallel_sum` shares out the runs, or splits a single run's
  tree. Arrays in Fortran order are one slice in memory and are summed as NumPy sums them;
  float32 is summed in float64 (other bits than NumPy's float32 result, and more accurate).
- **Sums along an axis** (the axes table): `sum_array(a, axis)` and `parallel_sum(a, axis)`
  add each result's values in NumPy's order (a row added into the results value by value
  where the axis summed along is not the innermost, NumPy's tree over each run where it is),
  so they have `np.sum(a, axis)`'s bits; Bottleneck's `nansum` is there for its speed, in its
  own order.
- **Dask arrays** (the dask table): `sum_array(x)` and `parallel_sum(x)` take a
  `dask.array.Array` and return a lazy sum: each chunk sends the sums of the nodes of NumPy's
  tree that lie inside it and the values of the leaves its edges cut, and one task combines
  them, so `.compute()` has `np.sum(x.compute())`'s bits whatever the chunks and the workers.
  Dask's own `x.sum()` adds the chunks' NumPy sums in a tree of its own: its bits change with
  the chunking (an array of one chunk is summed as NumPy sums it). Every time includes Dask's
  scheduling: the graph sent to the workers, the result brought back.
- **Transforming an array in place** (section 4): the tutorial's wrapper only builds once
  renamed, and even then only handles contiguous arrays (it squares the wrong values of a
  strided view and corrupts memory on a reversed one); gcc builds its loop for the oldest
  x86-64, so it trails NumPy from a few thousand values on. Numba's loop is
  quick in the caches. `square_numpy_array` calls the same C function on every contiguous run
  of any view, compiled for the CPU it runs on, on all cores for long arrays; past the caches
  every path is bound by memory.
- **The rows** marked "unavailable: does not build as written" are the tutorial's files
  exactly as printed; the build's own error says why. "WRONG" would mark a path whose answer
  failed the check made before timing it. The machine is shared and noisy: compare rows of the
  same size, which were measured one after the other.
"""


class Refused(Exception):
    """Why bench-results/ cannot be published."""


def check_full(results: dict) -> None:
    """Raises ``Refused`` unless ``results`` is a full run: every section at its own sizes,
    not quick."""
    run = results.get("run")
    if run is None:
        raise Refused("results.json was written by an older harness: run make bench again")
    # Read from what ran, not from a flag: a run is full when nothing was left out.
    why = []
    if run["quick"]:
        why.append("a quick run (QUICK=1)")
    if run["sections"] != choices.SECTIONS:
        why.append(f"only sections {' '.join(run['sections'])} (SECTIONS)")
    if run["sizes"]:
        why.append(f"only sizes {' '.join(f'{n:.0e}' for n in run['sizes'])} (SIZES)")
    if not why:
        return
    raise Refused(
        f"bench-results/ holds {', '.join(why)}: docs/RESULTS.md shows a full run only; "
        f"run make bench without QUICK, SECTIONS or SIZES, then make results"
    )


def keeps_bits(record: dict) -> bool | None:
    """Whether a path's result has NumPy's bits (None: not checked at this size)."""
    if "same_bits_as_baseline" in record:  # sums: against np.sum, on every run
        return record["same_bits_as_baseline"] and record.get("stable_bits", True)
    if "bits" in record:  # Dask sums: against np.sum of the whole array
        return {"same": True, "differs": False}.get(record["bits"])
    # Squares (checked equal to NumPy's, value for value, before timing) and the one scalar
    # of section 3 (every path's answer checked before timing).
    return True


def glance_sizes(sizes: list[int]) -> list[int]:
    """The sizes a section is summed up at: small, medium and its largest."""
    if len(sizes) <= 3:
        return sizes
    return [n for n in GLANCE_SIZES if n in sizes] + [max(sizes)]


def speed(record: dict | None, base: float, baseline: str) -> str:
    """The path and the baseline's time over its own: "sum_array, 3.32x np.sum"."""
    return f"{record['path']}, {base / record['seconds']:.2f}x {baseline}"


def values(n: int | None) -> str:
    """A size as a reader counts it: "1,000,000"."""
    return "one call" if n is None else f"{n:,}"


def glance(results: dict) -> list[str]:
    """The table at the top of the page: per section and size, the fastest path that gives
    the baseline's bits, and the fastest of all, each against the baseline."""
    lines = [
        "| job | values | fastest with NumPy's bits | fastest of all |",
        "|---|---|---|---|",
    ]
    for section in results["sections"]:
        if section["key"] not in GLANCE:
            continue
        baseline = section["baseline"]
        # The paths a reader could call in place of the baseline (no yardstick: it has no
        # fixed order, and matched NumPy's bits only by chance where it did).
        timed = [
            r
            for r in section["records"]
            if "seconds" in r and r.get("baseline", baseline) == baseline and not r.get("yardstick")
        ]
        sizes = sorted({r["n"] for r in timed if "n" in r}) or [None]
        job = section["title"]
        for n in glance_sizes(sizes):
            here = [r for r in timed if r.get("n") == n]
            base = next((r["seconds"] for r in here if r["path"] == baseline), None)
            if base is None:
                continue
            same = [r for r in here if keeps_bits(r)]
            fastest = min(here, key=lambda r: r["seconds"])
            faithful = min(same, key=lambda r: r["seconds"], default=None)
            if faithful is not None:
                best = speed(faithful, base, baseline)
            elif all(keeps_bits(r) is None for r in here):
                best = "not checked at this size"
            else:
                best = "none"
            overall = speed(fastest, base, baseline)
            if keeps_bits(fastest) is False:
                overall += " (other bits)"
            elif keeps_bits(fastest) is None:
                overall += " (bits not checked)"
            lines.append(f"| {job} | {values(n)} | {best} | {overall} |")
            job = ""
    return lines


def publish(out: Path, docs: Path) -> Path:
    """Writes ``docs``/RESULTS.md and ``docs``/results/ from the full run in ``out``; raises
    ``Refused`` if it is not one. Returns the page's path."""
    results = json.loads((out / "results.json").read_text())
    check_full(results)
    plots = set(results["plots"].values())
    unplotted = [s["key"] for s in results["sections"] if s["plotted"]]
    unplotted = [key for key in unplotted if key not in results["plots"]]
    if unplotted:
        raise Refused(f"the run drew no plot for sections {' '.join(unplotted)} (see its output)")
    missing = [name for name in plots if not (out / name).exists()]
    if missing:
        raise Refused(f"the run's plots are missing from {out}: {', '.join(sorted(missing))}")
    (docs / "results").mkdir(parents=True, exist_ok=True)
    for old in (docs / "results").glob("*.png"):
        if old.name not in plots:
            old.unlink()
    for name in plots:
        shutil.copy(out / name, docs / "results" / name)
    run, machine = results["run"], results["machine"]
    commit = (machine["git"]["commit"] or "unknown")[:12]
    if machine["git"]["dirty"]:
        commit += ", with changes not committed"
    generated = (out / "results.md").read_text().replace("](section", "](results/section")
    page = [
        "# Results: every path, side by side",
        "",
        f"A full run of `make bench` on {machine['date']}, on {machine['cpu']} "
        f"({machine['cores']} cores), from commit {commit}; it took {run['seconds'] / 60:.0f} "
        f"minutes. Regenerate this page with `make bench` then `make results`. How each figure "
        f"is measured: the note under each table, and `python/compare/`; every sample and the "
        f"machine's details are in bench-results/results.json.",
        "",
        "## At a glance",
        "",
        "Each path's speed is the baseline's time over its own (above 1x: faster than the "
        "baseline: NumPy's call for arrays, Dask's own `x.sum()` for Dask arrays, the "
        "tutorial's ctypes call for one scalar). 'With NumPy's bits' means the same result as "
        "NumPy's (`np.sum` of the whole array for Dask arrays), bit for bit, on every run; "
        "every path shown passed the check of its answer made before timing it (the unordered "
        "sums, yardsticks in no fixed order, are left out). The full "
        "tables follow, with the other layouts, the sums along an axis and the concurrent "
        "callers.",
        "",
        *glance(results),
        "",
        READING,
        generated,
    ]
    (docs / "RESULTS.md").write_text("\n".join(page))
    return docs / "RESULTS.md"


def main() -> None:
    try:
        page = publish(OUT, DOCS)
    except Refused as why:
        sys.exit(f"make results: {why}")
    print(f"wrote {page} and {page.parent / 'results'}/")


if __name__ == "__main__":
    main()
