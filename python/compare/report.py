"""Plain-text tables for stdout, and the header that says where and when a run happened."""

from __future__ import annotations

import datetime
import os
import platform
import sys


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A fixed-width table; columns whose index is in ``right`` are right-aligned (numbers)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells):
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for entry in cpuinfo:
                if entry.startswith("model name"):
                    return entry.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """One line: the date, the CPU, the cores this process may use, Python and NumPy."""
    try:
        import numpy

        numpy_version = f"NumPy {numpy.__version__}"
    except ImportError:
        numpy_version = "no NumPy"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{datetime.date.today().isoformat()}, {cpu_model()}, {cores} cores, "
        f"{platform.python_implementation()} {sys.version.split()[0]}, {numpy_version}"
    )


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)
