"""Make the test helpers shared with the module tests (python/tests/helpers.py) importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests"))
