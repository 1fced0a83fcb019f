"""The side-by-side comparison behind ``make bench``.

Layout:
- ``timing``: how a call is timed (auto-calibrated loops, warm-up, median of repeats).
- ``peers``:  a ``Peer`` is one way of doing a section's job (NumPy, ctypes, PyO3, ...): a name,
  a one-line "how", and a ``load()`` that returns the callable or raises ``Unavailable``.
- ``report``: the tables printed on stdout.
- one module per tutorial section (``section3`` ...), each exposing ``SECTION``.

To add a peer, add one ``Peer(...)`` line to its section's list. To add a section, write a
module with a ``SECTION`` and list it in ``SECTIONS`` in ``__main__``.
"""
