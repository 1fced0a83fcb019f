"""The comparison harness (``make bench``) keeps working: run it in quick mode."""

import os
import subprocess
import sys
from pathlib import Path

from compare import section3
from compare.peers import Peer
from compare.scalar import ScalarSection
from compare.timing import QUICK

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_times_every_section3_peer():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    done = subprocess.run(
        [sys.executable, "-m", "compare", "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Machine: ")
    for peer in section3.SECTION.peers:
        (row,) = [line for line in out.splitlines() if line.startswith(peer.name + "  ")]
        assert "WRONG" not in row and "unavailable" not in row, row
        assert row.rstrip().endswith("x"), row  # a ratio: the peer was timed


def test_wrong_answer_is_shown_instead_of_a_time():
    section = ScalarSection(
        title="check",
        argument=5.0,
        expected=25.0,
        baseline="right",
        peers=[
            Peer("right", "x * x", lambda: lambda x: x * x),
            Peer("wrong", "x + x", lambda: lambda x: x + x),
            Peer("not a float", "int", lambda: lambda x: 25),
        ],
    )
    out = section.run(QUICK)
    rows = {line.split("  ")[0]: line for line in out.splitlines()[3:]}
    assert "WRONG: returned 10.0" in rows["wrong"]
    assert "WRONG: returned 25," in rows["not a float"]
    assert rows["right"].rstrip().endswith("1.0x")
