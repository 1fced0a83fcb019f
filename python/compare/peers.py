"""What every section's peers share: a name, how it works, and how to load it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .choices import ROOT

CTYPES_DIR = ROOT / "build" / "ctypes"


class Unavailable(Exception):
    """A peer that cannot be built or loaded here; the message says why, the table shows it."""


@dataclass(frozen=True)
class Peer:
    """One way of doing a section's job.

    ``load`` returns the callable to time (it may build or import things, so it runs once,
    before timing) or raises ``Unavailable`` with the reason. ``ours``: one of this project's
    modules (the plots draw these solid, the others dashed).
    """

    name: str
    how: str
    load: Callable[[], Callable]
    ours: bool = False


def shared_library(name: str) -> Path:
    """A library that ``make`` builds into build/ctypes/, or Unavailable if it is missing."""
    path = CTYPES_DIR / name
    if not path.exists():
        raise Unavailable(f"{path.relative_to(ROOT)} not built (run make ctypes)")
    return path


def python_module(name: str):
    """Import one of the project's Python modules, or Unavailable if it is not installed."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise Unavailable(f"module {name} not installed ({error})") from error


def tutorial_cython(module: str, variant: str, function: str):
    """A function of the tutorial's Cython module, as built by python/tutorial/build.py
    ("as written" or "fixed"), or Unavailable with the reason it does not build."""
    import importlib.util
    import json

    # python/tutorial/build.py builds for each Python version in a folder of its own.
    status_file = ROOT / "build" / "cython" / sys.implementation.cache_tag / "status.json"
    if not status_file.exists():
        raise Unavailable(f"build/cython not built for {sys.implementation.cache_tag} (run make)")
    entry = json.loads(status_file.read_text()).get(module, {}).get(variant)
    if entry is None:  # a status.json written before this module was added to build.py
        raise Unavailable(f"{module} ({variant}) not in build/cython's status (run make peers)")
    if not entry["built"]:
        raise Unavailable(f"does not build {variant}: {entry['why'][0]}")
    path = ROOT / entry["library"]
    name = path.name.split(".")[0]
    # Its name is the tutorial's, the same as the Rust module's: loading it must not leave it
    # in sys.modules in place of ours.
    ours = sys.modules.get(name)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
    finally:
        if ours is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = ours
    return getattr(loaded, function)


def module_function(module: str, name: str):
    """A Peer's load: the function ``name`` of the project's module ``module``, or Unavailable
    if the installed module does not have it (yet)."""

    def load():
        try:
            return getattr(python_module(module), name)
        except AttributeError as error:
            raise Unavailable(f"the installed {module} has no {name}") from error

    return load
