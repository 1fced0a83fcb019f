"""The comparison harness (``make bench``) keeps working: run it in quick mode."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compare.__main__ import SECTIONS
from compare.peers import Peer
from compare.scalar import ScalarSection
from compare.timing import QUICK

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run() -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    done = subprocess.run(
        [sys.executable, "-m", "compare", "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Machine: ")
    return done.stdout


def table_rows(output: str, title: str) -> list[list[str]]:
    """The cells of each row of the table under ``title``."""
    block = output.split(title, 1)[1].split("\n\n", 1)[1]
    lines = block.split("\n\n")[0].splitlines()
    assert set(lines[1]) <= {"-", " "}, lines[1]  # the rule under the headers
    return [re.split(r"\s{2,}", line.strip()) for line in lines[2:]]


@pytest.mark.parametrize("key", list(SECTIONS))
def test_quick_run_times_every_peer_of_every_section(quick_run, key):
    section = SECTIONS[key]
    rows = table_rows(quick_run, section.title)
    for peer in section.peers:
        mine = [cells for cells in rows if peer.name in cells]
        assert mine, f"no row for {peer.name}"
        for cells in mine:
            line = "  ".join(cells)
            assert "WRONG" not in line and "unavailable" not in line, line


def test_section1_sum_array_has_np_sums_bits_and_naive_does_not(quick_run):
    rows = table_rows(quick_run, SECTIONS["1"].title)
    assert all(cells[-1] == "yes" for cells in rows if "sum_array" in cells)
    assert all(cells[-1] == "no" for cells in rows if "sum_array_naive" in cells)


def test_section2_parallel_sum_has_np_sums_bits(quick_run):
    rows = table_rows(quick_run, SECTIONS["2"].title)
    assert all(cells[-1] == "yes" for cells in rows if "parallel_sum" in cells)


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
    rows = {cells[0]: "  ".join(cells) for cells in table_rows(out, "check")}
    assert "WRONG: returned 10.0" in rows["wrong"]
    assert "WRONG: returned 25," in rows["not a float"]
    assert rows["right"].endswith("1.0x")
