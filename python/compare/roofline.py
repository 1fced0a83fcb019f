"""The machine's memory bandwidth, measured in the same run with the project's own kernels:
reading (the unordered sum on all threads) and reading + writing (the in-place square on all
threads), on an array far larger than the caches. Every array row's GB/s is shown against it."""

from __future__ import annotations

import numpy as np

from . import progress, timing
from .peers import Unavailable, python_module


def measure(settings: timing.Settings) -> dict[str, float | None]:
    n = 2 * 10**7 if settings.quick else 10**8  # 160 MB / 800 MB: past any cache
    ones = np.ones(n)
    found: dict[str, float | None] = {"read": None, "read+write": None}
    kernels = {
        "read": ("parallel_sum", "parallel_sum_unordered", ones.nbytes),
        "read+write": ("array_ops", "square_numpy_array_rust", 2 * ones.nbytes),
    }
    for name, (module, function, nbytes) in kernels.items():
        try:
            fn = getattr(python_module(module), function)
        except Unavailable as why:
            progress.note(f"memory bandwidth, {name}: {why}")
            progress.advance(1)
            continue
        seconds = timing.time_call(fn, ones, settings).median
        found[name] = nbytes / seconds / 1e9
        progress.note(f"memory bandwidth, {name}: {found[name]:.1f} GB/s")
    return found
