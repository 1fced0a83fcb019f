"""The side-by-side comparison behind ``make bench``.

Layout, one module a line:
- ``__main__``: ``python -m compare``: runs the sections, prints the tables, writes bench-results/.
- ``choices``: what a run can be asked (``--quick``, ``--section``, ``--sizes``, ``--out``).
- ``publish``: ``python -m compare.publish``: turns the last full run into docs/RESULTS.md.
- ``section1``: the tutorial's section 1, the typed sum: its ``SECTION`` and peers.
- ``section2``: section 2, the sum on all cores.
- ``views``: sections 1 and 2 on strided, reversed and N-D views, float32 and int64.
- ``axes``: sums along axis 0, 1 and None of 2-D arrays in C and Fortran order (and Bottleneck).
- ``section3``: section 3, ``square(5.0)`` through every path (ctypes, cffi, PyO3, ...).
- ``section4``: section 4, squaring an array in place (and the same square as NumPy ufuncs).
- ``callers``: the section of two Python threads calling at once, against one thread calling.
- ``arrays``: the kinds of section that run over arrays of each size (sums, in-place squares).
- ``scalar``: the kind of section that times one scalar call (section 3).
- ``numba_peers``: the Numba versions of the tutorial's loops, compiled when loaded.
- ``peers``: a ``Peer`` is one way of doing a section's job (NumPy, ctypes, PyO3, ...): a name,
  a one-line "how", and a ``load()`` that returns the callable or raises ``Unavailable``.
- ``timing``: how a call is timed (a warm-up, auto-calibrated loops, median of repeats).
- ``progress``: the progress line on stderr, with the time left.
- ``roofline``: the machine's memory bandwidth, measured in the same run, for GB/s to compare with.
- ``results``: a ``SectionResult``, what a section's run produces (a table and its records).
- ``report``: the plain-text tables printed on stdout, and the machine's description.
- ``output``: bench-results/: results.json (every sample, the run, the machine), results.md and
  the PNG plots of the sections run.

To add a peer, add one ``Peer(...)`` line to its section's list. To add a section, write a
module with a ``SECTION`` (a ``run`` and a ``steps``) and list it in ``SECTIONS`` in ``__main__``
and in ``choices``.
"""
