"""Section 3 of "NumPy with Cython and C": the C ``square``, called from Python through Rust."""

from typing import SupportsFloat, SupportsIndex

def square(x: SupportsFloat | SupportsIndex, /) -> float:
    """Return ``x * x`` as a float, computed in Rust.

    ``x`` is any real number Python can turn into a float, as for :func:`math.sqrt`.
    Anything else raises ``TypeError``.

    >>> square(5.0)
    25.0
    """

def square_c(x: SupportsFloat | SupportsIndex, /) -> float:
    """Return ``x * x`` as a float, computed by the tutorial's C ``square`` through Rust FFI.

    >>> square_c(5.0)
    25.0
    """
