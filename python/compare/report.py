"""Plain-text tables for stdout, and the header that says where and when a run happened."""

from __future__ import annotations

import datetime
import os
import platform
import sys


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A fixed-width table; columns whose index is in ``right`` are right-aligned (numbers).

    A row shorter than the headers ends in a note (why a path has no time) that runs on past
    the columns instead of widening them.
    """
    full = [row for row in rows if len(row) == len(headers)]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *full)]

    def line(cells):
        if len(cells) < len(headers):
            *cells, note = cells
            return "  ".join([line(cells + [""] * (len(headers) - len(cells))).rstrip(), note])
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


def machine_record() -> dict:
    """Where and when: the date, the CPU, the cores this process may use, the versions."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(package: str) -> str | None:
        try:
            return version(package)
        except PackageNotFoundError:
            return None

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = {p: installed(p) for p in ["numpy", "cython", "numba", "cffi"]}
    record = {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu_model(),
        "cores": cores,
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "versions": versions,
    }
    shown = ", ".join(f"{p} {v}" for p, v in versions.items() if v)
    record["summary"] = f"{record['date']}, {record['cpu']}, {cores} cores, {record['python']}, {shown}"
    return record


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)
