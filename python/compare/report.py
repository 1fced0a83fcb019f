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
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *full, strict=True)]

    def line(cells):
        if len(cells) < len(headers):
            *cells, note = cells
            return "  ".join([line(cells + [""] * (len(headers) - len(cells))).rstrip(), note])
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
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


# The flags of /proc/cpuinfo that decide which kernels can run, as Linux spells them (x86-64,
# then ARM's "Features").
SIMD_FLAGS = [
    "sse2",
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512dq",
    "avx512bw",
    "avx512vl",
    "asimd",
    "sve",
    "sve2",
]


def simd_flags() -> list[str]:
    """The CPU's vector-instruction flags among ``SIMD_FLAGS``, in that order."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for entry in cpuinfo:
                if entry.startswith(("flags", "Features")):
                    present = set(entry.split(":", 1)[1].split())
                    return [flag for flag in SIMD_FLAGS if flag in present]
    except OSError:
        pass
    return []


def kernel() -> dict:
    """The SIMD kernel the modules run (``fast_operations.kernel()``), and whether
    FAST_OPERATIONS_KERNEL forced it; NumPy's features turned off by NPY_DISABLE_CPU_FEATURES."""
    import fast_operations

    return {
        "name": fast_operations.kernel(),
        "forced": bool(os.environ.get("FAST_OPERATIONS_KERNEL", "").strip()),
        "numpy_disabled": os.environ.get("NPY_DISABLE_CPU_FEATURES", "").split(),
    }


def machine_record() -> dict:
    """Where and when: the date, the CPU, its SIMD flags, the kernel the modules run, the
    cores this process may use, the versions."""
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
        "simd_flags": simd_flags(),
        "kernel": kernel(),
        "cores": cores,
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "versions": versions,
    }
    shown = ", ".join(f"{p} {v}" for p, v in versions.items() if v)
    chosen = record["kernel"]
    how = "forced by FAST_OPERATIONS_KERNEL" if chosen["forced"] else "the widest this CPU has"
    numpy_off = (
        f"; NumPy without {' '.join(chosen['numpy_disabled'])}" if chosen["numpy_disabled"] else ""
    )
    record["summary"] = (
        f"{record['date']}, {record['cpu']} ({' '.join(record['simd_flags']) or 'no SIMD flags'}), "
        f"kernel {chosen['name']} ({how}{numpy_off}), {cores} cores, {record['python']}, {shown}"
    )
    return record


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)
