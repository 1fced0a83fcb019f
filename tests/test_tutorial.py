"""The tutorial's own files and commands, end to end (docs/tutorial.md is the tutorial,
verbatim)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text()
CTYPES_DIR = ROOT / "build" / "ctypes"


def tutorial_block(heading: str) -> str:
    """The code block that follows a bold heading such as **C Code (`array_ops.c`):**."""
    match = re.search(re.escape(f"**{heading}**") + r"\s*\n```\w*\n(.*?)```", TUTORIAL, re.S)
    assert match, f"no code block after {heading!r} in the tutorial"
    return match.group(1)


CTYPES_SNIPPET = tutorial_block("Using C in Python with `ctypes`:")
GCC_LINE = tutorial_block("Compiling the C File:").strip()


@pytest.mark.parametrize("name", ["math_functions.c", "array_ops.c"])
def test_c_sources_are_the_tutorials_byte_for_byte(name):
    assert (ROOT / "c_src" / name).read_text() == tutorial_block(f"C Code (`{name}`):")


def test_tutorial_gcc_line_and_ctypes_lines_as_written(tmp_path):
    # Exactly what a reader does: copy the C file, run the tutorial's gcc line, run its Python.
    assert GCC_LINE == "gcc -shared -o math_functions.so -fPIC math_functions.c"
    shutil.copy(ROOT / "c_src" / "math_functions.c", tmp_path)
    subprocess.run(GCC_LINE.split(), cwd=tmp_path, check=True)
    assert run_python(CTYPES_SNIPPET, cwd=tmp_path, timeout=60) == "25.0\n"


@pytest.mark.parametrize("library", ["math_functions.so", "math_functions_rust.so"])
def test_ctypes_lines_load_the_built_libraries(library):
    # The tutorial's lines with only the library path changed (for the Rust one).
    code = CTYPES_SNIPPET.replace('"./math_functions.so"', f'"./{library}"')
    assert f'"./{library}"' in code
    assert run_python(code, cwd=CTYPES_DIR, timeout=60) == "25.0\n"


def dynamic_symbols(library: Path) -> list[str]:
    listing = subprocess.run(
        ["nm", "-D", "--defined-only", library], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[-1] for line in listing.splitlines() if line.strip()]


def test_rust_library_exports_square_and_has_no_python_in_it():
    library = CTYPES_DIR / "math_functions_rust.so"
    symbols = dynamic_symbols(library)
    assert "square" in symbols
    assert not [s for s in symbols if s.startswith(("Py", "_Py"))]
    needed = subprocess.run(
        ["readelf", "-d", library], capture_output=True, text=True, check=True
    ).stdout
    assert "libpython" not in needed


@pytest.mark.parametrize(
    "name, heading",
    [
        ("fast_operations.pyx", "Cython File (`fast_operations.pyx`):"),
        ("parallel_sum.pyx", "Optimized Cython Code (`parallel_sum.pyx`):"),
        ("array_ops.pyx", "Cython Wrapper (`array_ops.pyx`):"),
        ("setup.py", "Compiling Cython Code (`setup.py`):"),
    ],
)
def test_cython_files_are_the_tutorials_byte_for_byte(name, heading):
    assert (ROOT / "python" / "tutorial" / name).read_text() == tutorial_block(heading)
