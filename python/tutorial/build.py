"""Builds the tutorial's Cython files into build/cython/: as written, then with the smallest
fixes (python/tutorial/fixed/, each fix commented there), and records which built, and why
not, in build/cython/TAG/status.json (TAG names the Python: cpython-313; each version builds
its own). It builds the comparison's own Cython peers (files named *_peer.pyx, not the
tutorial's) the same way, recorded "as a peer". `make bench` and `make test` run it; it
rebuilds only when a source changed.

Each build runs the tutorial's own recipe, a setup.py with cythonize and NumPy's headers, in a
folder of its own with the files the tutorial puts beside each other.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# One folder per Python version: make test PYTHON=python3.13 must not find 3.11's build current.
OUT = ROOT / "build" / "cython" / sys.implementation.cache_tag

# The tutorial's setup.py, for the module's own .pyx: "{sources}" and "{extra}" filled in.
SETUP = """\
from setuptools import setup, Extension
from Cython.Build import cythonize
import numpy

setup(
    ext_modules=cythonize({modules}, language_level=3),
    include_dirs=[numpy.get_include()],
)
"""


@dataclass
class Build:
    module: str  # the module's name
    variant: str  # "as written" or "fixed" (the tutorial's files), or "as a peer" (ours)
    files: list[Path]  # copied side by side, as the tutorial has them
    extension: str  # the argument to cythonize()
    notes: list[str] = field(default_factory=list)


def openmp(name: str, sources: list[str]) -> str:
    return (
        f"[Extension({name!r}, {sources!r}, extra_compile_args=['-fopenmp'], "
        f"extra_link_args=['-fopenmp'])]"
    )


C_ARRAY_OPS = ROOT / "c_src" / "array_ops.c"
BUILDS = [
    Build("fast_operations", "as written", [HERE / "fast_operations.pyx"], '"fast_operations.pyx"'),
    Build("parallel_sum", "as written", [HERE / "parallel_sum.pyx"], '"parallel_sum.pyx"'),
    Build(
        "parallel_sum",
        "fixed",
        [HERE / "fixed" / "parallel_sum.pyx"],
        openmp("parallel_sum", ["parallel_sum.pyx"]),
    ),
    # As written: array_ops.pyx beside the tutorial's array_ops.c (it names no C source to link).
    Build("array_ops", "as written", [HERE / "array_ops.pyx", C_ARRAY_OPS], '"array_ops.pyx"'),
    Build(
        "array_ops",
        "fixed",
        [HERE / "fixed" / "array_ops_wrapper.pyx", C_ARRAY_OPS],
        '[Extension("array_ops_wrapper", ["array_ops_wrapper.pyx", "array_ops.c"])]',
    ),
    # Not the tutorial's: its C square as a Cython 3 ufunc, for section 4's ufunc rows.
    Build(
        "square_ufunc_peer",
        "as a peer",
        [HERE / "square_ufunc_peer.pyx"],
        '"square_ufunc_peer.pyx"',
    ),
]


def build(spec: Build) -> dict:
    folder = OUT / spec.variant.replace(" ", "_") / spec.module
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file in spec.files:
        shutil.copy(file, folder)
    (folder / "setup.py").write_text(SETUP.format(modules=spec.extension))
    done = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    built = sorted(folder.glob("*.so"))
    if done.returncode == 0 and built:
        return {"built": True, "library": str(built[0].relative_to(ROOT))}
    log = (done.stdout + done.stderr).splitlines()
    # Cython's own message ("file.pyx:8:23: ..."), else the compiler's errors, else the end.
    why = [line.strip() for line in log if re.match(r"\S+\.pyx:\d+:\d+: ", line)]
    why = why or [line.strip() for line in log if "error" in line.lower()] or log[-3:]
    return {"built": False, "why": why[:3] or ["no output"]}


def main() -> None:
    sources = [file for spec in BUILDS for file in spec.files] + [Path(__file__)]
    status_file = OUT / "status.json"
    newest = max(file.stat().st_mtime for file in sources)
    if status_file.exists() and status_file.stat().st_mtime > newest:
        return
    status = {}
    for spec in BUILDS:
        print(f"building {spec.module} ({spec.variant}) with Cython", flush=True)
        status.setdefault(spec.module, {})[spec.variant] = build(spec)
    OUT.mkdir(parents=True, exist_ok=True)
    status_file.write_text(json.dumps(status, indent=2) + "\n")


if __name__ == "__main__":
    main()
