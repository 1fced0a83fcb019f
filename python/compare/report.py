"""Plain-text tables for stdout, and the header that says where and when a run happened."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys

from .choices import ROOT

# The packages whose versions a run records: the peers' and the tools around them.
PACKAGES = ["numpy", "cython", "numba", "cffi", "dask", "distributed", "bottleneck", "matplotlib"]
# This project's modules, installed from crates/.
MODULES = ["fast_operations", "parallel_sum", "math_functions", "array_ops"]


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


def installed(package: str) -> str | None:
    """The installed version of ``package``, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def git_state() -> dict:
    """The commit the code was run from, and whether the work tree differed from it (a dirty
    tree: the numbers may come from code no commit holds). None where git cannot tell."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    changes = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if changes is None else bool(changes)}


def machine_record() -> dict:
    """Where and when: the date, the CPU, its SIMD flags, the kernel the modules run, the
    cores this process may use, the versions (Python, the peers, this project's modules), the
    git commit."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = {p: installed(p) for p in PACKAGES}
    record = {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu_model(),
        "simd_flags": simd_flags(),
        "kernel": kernel(),
        "cores": cores,
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "versions": versions,
        "modules": {m: installed(m) for m in MODULES},
        "git": git_state(),
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


def footer(machine: dict) -> str:
    """One line for a plot: the date and the machine."""
    return (
        f"{machine['date']}, {machine['cpu']}, {machine['cores']} cores, "
        f"kernel {machine['kernel']['name']}"
    )
