"""Section 3 of "NumPy with Cython and C": the C ``square``, called from Python through Rust."""

from typing import SupportsFloat, SupportsIndex

def square(x: SupportsFloat | SupportsIndex, /) -> float:
    """Return ``x * x`` as a float, computed in Rust.

    ``x`` is any real number Python can turn into a float, as for :func:`math.sqrt`:
    ``float``, ``int``, NumPy scalars, anything with ``__float__`` or ``__index__``.
    Anything else raises ``TypeError``; an ``int`` too large for a float raises
    ``OverflowError``.

    >>> square(5.0)
    25.0
    """

def square_c(x: SupportsFloat | SupportsIndex, /) -> float:
    """Return ``x * x`` as a float, computed by the tutorial's C ``square``
    (``c_src/math_functions.c``) called through Rust FFI rather than ctypes.

    Accepts what :func:`square` accepts and gives the same bits.

    >>> square_c(5.0)
    25.0
    """
