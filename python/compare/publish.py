"""``python -m compare.publish``: turn the last full run (bench-results/) into docs/RESULTS.md,
with its plots in docs/results/. Every number in that page comes from the run; the reading
above the tables is written to hold whatever the numbers are, and cites none."""

from __future__ import annotations

import json
import shutil
import sys

from .output import OUT

DOCS = OUT.parent / "docs"

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


def main() -> None:
    results = json.loads((OUT / "results.json").read_text())
    # A quick run times fewer sizes: its series sections hold fewer records. (Section 3's
    # one scalar, the callers' few pools and the dask table's three sizes are small in a full
    # run too.)
    small = ("3", "callers", "dask")
    if any(len(s["records"]) < 20 for s in results["sections"] if s["key"] not in small):
        sys.exit("bench-results/ holds a quick run: publish a full one (make bench)")
    (DOCS / "results").mkdir(parents=True, exist_ok=True)
    for plot in OUT.glob("section*.png"):
        shutil.copy(plot, DOCS / "results" / plot.name)
    generated = (OUT / "results.md").read_text().replace("](section", "](results/section")
    page = [
        "# Results: every path, side by side",
        "",
        "A full run of `make bench`, as it printed it: machine, date and versions on the first",
        "line. Regenerate this page with `make bench` then `make results`. How each figure is",
        "measured: the note under each title, and `python/compare/`.",
        "",
        READING,
        generated,
    ]
    (DOCS / "RESULTS.md").write_text("\n".join(page))
    print(f"wrote {DOCS / 'RESULTS.md'} and {DOCS / 'results'}/")


if __name__ == "__main__":
    main()
