"""The comparison harness (``make bench``) keeps working: run it in quick mode."""

import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import fast_operations
import numpy as np
import pytest
from compare import choices, progress, publish, timing
from compare.__main__ import SECTIONS
from compare.arrays import InPlaceSection
from compare.axes import AxesSection, along_axis
from compare.cluster import ClusterSection, lazy
from compare.peers import Peer, module_function
from compare.scalar import ScalarSection
from compare.timing import QUICK

ROOT = Path(__file__).resolve().parents[2]

# The tutorial's files that do not build as written (python/tutorial/build.py says why).
DO_NOT_BUILD = {"Cython prange (tutorial)", "Cython + C (tutorial)"}
# The rows of array_ops.square, which an array_ops built before it does not have.
NEEDS_SQUARE = {"array_ops.square(a, out=a)", "array_ops.square(a)"}
HAS_SQUARE = hasattr(importlib.import_module("array_ops"), "square")


def compare(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """``python -m compare ARGS``, as make bench runs it (stderr not a terminal: no bar)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    return subprocess.run(
        [sys.executable, "-m", "compare", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def quick_out(tmp_path_factory) -> Path:
    """Where the quick run wrote (a directory of its own: a full run in bench-results/ stays)."""
    return tmp_path_factory.mktemp("quick")


@pytest.fixture(scope="module")
def quick_done(quick_out) -> subprocess.CompletedProcess:
    done = compare("--quick", "--out", str(quick_out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Machine: ")
    return done


@pytest.fixture(scope="module")
def quick_run(quick_done) -> str:
    return quick_done.stdout


@pytest.fixture(scope="module")
def quick_results(quick_done, quick_out) -> dict:
    return json.loads((quick_out / "results.json").read_text())


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
    for peer in section.peers + getattr(section, "allocating", []):
        mine = [cells for cells in rows if peer.name in cells]
        assert mine, f"no row for {peer.name}"
        for cells in mine:
            line = "  ".join(cells)
            assert "WRONG" not in line, line
            if peer.name in DO_NOT_BUILD:
                assert "unavailable: does not build as written: " in line, line
            elif peer.name in NEEDS_SQUARE and not HAS_SQUARE:
                assert "unavailable: the installed array_ops has no square" in line, line
            else:
                assert "unavailable" not in line, line


def test_quick_run_writes_json_markdown_and_plots(quick_results, quick_out):
    results = quick_results
    machine = results["machine"]
    assert machine["cores"] >= 1
    # The kernel the run used, and the CPU flags that decide which kernels can run.
    assert machine["kernel"]["name"] == fast_operations.kernel()
    assert machine["kernel"]["forced"] == bool(os.environ.get("FAST_OPERATIONS_KERNEL", "").strip())
    flags = Path("/proc/cpuinfo").read_text()
    if platform.machine() == "x86_64":
        assert "sse2" in machine["simd_flags"]
        assert ("avx2" in machine["simd_flags"]) == (" avx2" in flags)
    assert f"kernel {fast_operations.kernel()} (" in machine["summary"]
    assert results["roofline_gbps"]["read"] > 0 and results["roofline_gbps"]["read+write"] > 0
    assert [s["key"] for s in results["sections"]] == list(SECTIONS)
    for section in results["sections"]:
        timed = [r for r in section["records"] if r["status"] == "ok"]
        # The callers table times rounds of calls, and says so in its keys.
        key = "round_seconds_two_threads" if section["key"] == "callers" else "seconds"
        assert timed and all(r[key] > 0 for r in timed)
    markdown = (quick_out / "results.md").read_text()
    for key, section in SECTIONS.items():
        assert section.title in markdown
        plot = quick_out / f"section{key}.png"
        if key in {"axes", "callers"}:  # rows of shapes or pools: no plot
            assert not plot.exists()
        else:
            assert plot.stat().st_size > 1000
            assert results["plots"][key] == plot.name
    assert {p.name for p in quick_out.glob("*.png")} == set(results["plots"].values())


def test_results_json_keeps_every_sample_and_the_runs_metadata(quick_results):
    run = quick_results["run"]
    assert run["quick"] is True and run["full"] is False
    assert run["sections"] == choices.SECTIONS and run["sizes"] is None
    assert run["command"][-3:-1] == ["--quick", "--out"]
    assert 0 < run["seconds"] < 900
    assert run["timing"]["repeats"] == QUICK.repeats
    machine = quick_results["machine"]
    assert machine["versions"]["numpy"] == np.__version__
    assert machine["versions"]["dask"] and machine["modules"]["fast_operations"]
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    assert machine["git"]["commit"] == head.stdout.strip()
    assert isinstance(machine["git"]["dirty"], bool)
    sampled = 0
    for section in quick_results["sections"]:
        for record in section["records"]:
            if "samples" in record:  # every path timed by time_calls or time_rounds
                samples = record["samples"]
                assert len(samples) >= 3 and record["seconds"] == statistics.median(samples)
                assert record["low"] == min(samples) and record["high"] == max(samples)
                sampled += 1
            elif record["status"] == "ok" and section["key"] != "callers":
                raise AssertionError(f"no samples: {record}")
    assert sampled > 100


def test_off_a_terminal_progress_is_a_line_per_step_and_every_step_is_counted(quick_done):
    err = quick_done.stderr
    assert "\r" not in err  # no bar redrawn in a log
    for section in SECTIONS.values():
        assert re.search(rf"^{re.escape(section.title)}  \[\d+/\d+ steps, ", err, re.M)
    done, total = re.search(r"^Done: (\d+)/(\d+) steps in \d+:\d\d$", err, re.M).groups()
    assert done == total


def test_chosen_sections_and_sizes_run_alone_and_leave_only_their_plots(tmp_path):
    (tmp_path / "section2.png").write_bytes(b"a plot of an earlier run")
    done = compare("--quick", "--section", "4", "1", "--sizes", "10", "1e2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert [s["key"] for s in results["sections"]] == ["1", "4"]  # in the run's order
    assert results["run"]["sizes"] == [10, 100] and results["run"]["full"] is False
    for section in results["sections"]:
        assert {r["n"] for r in section["records"]} == {10, 100}
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["section1.png", "section4.png"]
    assert sorted(results["plots"].values()) == ["section1.png", "section4.png"]
    assert SECTIONS["2"].title not in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--section", "1", "five"], "invalid choice: 'five' (choose from '1', '2', 'views', "),
        (["--sizes", "1e3", "ten"], "size 'ten' is not a number: give numbers of values"),
        (["--sizes", "0.5"], "size '0.5' is not a whole number of values of at least 1"),
        (["--sizes", "1e10"], "size '1e10' is above the largest, 1e+09"),
        (["--section", "3", "axes", "--sizes", "1e3"], "--sizes applies to the sections 1 2"),
        (["--section", "views", "--sizes", "50"], "multiples of 100; none of 50 is"),
    ],
)
def test_a_wrong_choice_is_refused_naming_what_is_valid(args, message):
    done = compare(*args, timeout=60)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not done.stdout  # refused before anything ran


def test_make_bench_checks_its_choices_before_building():
    done = subprocess.run(
        ["make", "-s", "bench-choices", "SECTIONS=1 views six", "PYTHON=" + sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "invalid choice: 'six'" in done.stderr, done.stderr
    # --no-print-directory: under `make test` this make is a sub-make, which would print
    # "Entering directory" first.
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "bench", "SECTIONS=1 4", "SIZES=1e3 1e6", "QUICK=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-m compare --quick --section 1 4 --sizes 1e3 1e6" in dry.stdout
    assert "-m compare.choices --quick" in dry.stdout.splitlines()[0]  # before any build step


def test_every_section_named_is_a_full_run_as_none_named_is():
    assert choices.parse(["--section", *reversed(choices.SECTIONS)]).section is None
    assert choices.is_full(choices.parse(["--section", *choices.SECTIONS]))
    assert choices.parse(["--section", "4", "1"]).section == ["1", "4"]
    assert not choices.is_full(choices.parse(["--section", "4", "1"]))


def test_a_failing_plot_costs_that_plot_and_leaves_other_files_alone(monkeypatch, tmp_path):
    from compare import output
    from compare.results import SectionResult

    def plotted(key):
        record = {"path": "p", "status": "ok", "n": 10, "seconds": 1e-6, "gbps": 1.0}
        return SectionResult(key, f"Section {key}", "", [], [], set(), [record])

    def plot(result, machine, out):
        if result.key == "2":
            raise ValueError("no room")
        (out / f"section{result.key}.png").write_bytes(b"a plot")
        return out / f"section{result.key}.png"

    monkeypatch.setattr(output, "plot", plot)
    (tmp_path / "photo.png").write_bytes(b"not the harness's")
    (tmp_path / "section4.png").write_bytes(b"an earlier run's")
    run, machine = {"sections": ["1", "2"]}, {"summary": "a machine"}
    output.write(tmp_path, run, machine, {}, [plotted("1"), plotted("2")])
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["plots"] == {"1": "section1.png"}
    assert [s["plotted"] for s in results["sections"]] == [True, True]
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["photo.png", "section1.png"]


def full_copy(results: dict, out: Path, quick_out: Path) -> None:
    """``results`` as a full run's, written to ``out`` with its plots (a full run takes too long
    for a test: the quick one stands in, marked full)."""
    results = json.loads(json.dumps(results))
    results["run"] |= {"quick": False, "full": True}
    (out / "results.json").write_text(json.dumps(results))
    (out / "results.md").write_text((quick_out / "results.md").read_text())
    for name in results["plots"].values():
        (out / name).write_bytes((quick_out / name).read_bytes())


def test_publish_refuses_a_quick_or_partial_run(quick_results, quick_out, tmp_path):
    with pytest.raises(publish.Refused, match=r"holds a quick run \(QUICK=1\): "):
        publish.publish(quick_out, tmp_path)
    assert not (tmp_path / "RESULTS.md").exists()
    partial = json.loads(json.dumps(quick_results))
    partial["run"] |= {"quick": False, "sections": ["1", "4"], "sizes": [1000], "full": False}
    with pytest.raises(publish.Refused, match=r"only sections 1 4 \(SECTIONS\), only sizes 1e\+03"):
        publish.check_full(partial)
    old = dict(quick_results)
    del old["run"]
    with pytest.raises(publish.Refused, match="older harness"):
        publish.check_full(old)


def test_publish_copies_the_runs_plots_and_deletes_the_others(quick_results, quick_out, tmp_path):
    out, docs = tmp_path / "out", tmp_path / "docs"
    out.mkdir()
    full_copy(quick_results, out, quick_out)
    (docs / "results").mkdir(parents=True)
    (docs / "results" / "sectionaxes.png").write_bytes(b"an older run's plot")
    (docs / "results" / "section1.png").write_bytes(b"an older run's plot")
    page = publish.publish(out, docs).read_text()
    plots = set(quick_results["plots"].values())
    assert {p.name for p in (docs / "results").glob("*.png")} == plots
    for name in plots:
        assert (docs / "results" / name).read_bytes() == (out / name).read_bytes()
        assert f"](results/{name})" in page
    # The glance leads; the full tables follow; no internal reference anywhere.
    assert page.index("## At a glance") < page.index(SECTIONS["1"].title + "\n\n(")
    assert not re.search(r"#\d|\brun [A-Z]\b|[Ii]ssue \d", page)
    assert "% of roofline" not in page and "vs memory" in page
    # A missing plot is refused rather than published without it, and so is a run that drew
    # no plot for a section it should have.
    (out / "section1.png").unlink()
    with pytest.raises(publish.Refused, match="plots are missing"):
        publish.publish(out, docs)
    unplotted = json.loads((out / "results.json").read_text())
    del unplotted["plots"]["1"]
    (out / "results.json").write_text(json.dumps(unplotted))
    with pytest.raises(publish.Refused, match=r"drew no plot for sections 1 \("):
        publish.publish(out, docs)


def test_the_glance_names_the_fastest_path_with_numpys_bits(quick_results):
    rows = [line.split(" | ") for line in publish.glance(quick_results)[2:]]
    section1 = next(s for s in quick_results["sections"] if s["key"] == "1")
    at = {r["path"]: r for r in section1["records"] if r["n"] == 10**3}
    row = next(cells for cells in rows if cells[1] == "1,000")
    faithful = row[2].split(",")[0]
    assert at[faithful]["same_bits_as_baseline"] and at[faithful]["stable_bits"]
    same = [r for r in at.values() if r["same_bits_as_baseline"] and r["stable_bits"]]
    assert at[faithful]["seconds"] == min(r["seconds"] for r in same)
    fastest = row[3].split(",")[0]
    assert at[fastest]["seconds"] == min(r["seconds"] for r in at.values())
    faithful_too = at[fastest]["same_bits_as_baseline"] and at[fastest]["stable_bits"]
    assert row[3].endswith("(other bits) |") != faithful_too
    # Every glance section has its row, and section 3 one of one call.
    jobs = {cells[0].lstrip("| ") for cells in rows} - {""}
    assert jobs == {SECTIONS[k].title for k in publish.GLANCE}
    assert any(cells[1] == "one call" for cells in rows)


def test_the_glance_reads_dask_bits_against_np_sum_and_says_where_none_were_checked():
    def record(path, n, seconds, bits):
        return {"path": path, "status": "ok", "n": n, "seconds": seconds, "bits": bits}

    baseline = "Dask + NumPy"
    dask = {
        "key": "dask",
        "title": SECTIONS["dask"].title,
        "baseline": baseline,
        "records": [
            record(baseline, 10**8, 2.0, "differs"),
            record("parallel_sum", 10**8, 1.0, "differs"),  # the fastest, but not np.sum's bits
            record("sum_array", 10**8, 1.6, "same"),
            record(baseline, 10**9, 20.0, "not checked"),
            record("sum_array", 10**9, 10.0, "not checked"),
        ],
    }
    rows = publish.glance({"sections": [dask]})[2:]
    assert rows[0].endswith(
        "| 100,000,000 | sum_array, 1.25x Dask + NumPy | parallel_sum, 2.00x Dask + NumPy "
        "(other bits) |"
    )
    assert rows[1] == (
        "|  | 1,000,000,000 | not checked at this size | sum_array, 2.00x Dask + NumPy "
        "(bits not checked) |"
    )


def test_the_glance_leaves_the_yardstick_out_even_where_its_bits_match(quick_results):
    section2 = json.loads(json.dumps(next(s for s in quick_results["sections"] if s["key"] == "2")))
    n = max(r["n"] for r in section2["records"])
    at = {r["path"]: r for r in section2["records"] if r["n"] == n}
    yardstick = at["parallel unordered"]
    assert yardstick["yardstick"] and not at["parallel_sum"]["yardstick"]
    # The fastest by far, with np.sum's bits by chance: still not a path to recommend.
    yardstick |= {"seconds": 1e-12, "same_bits_as_baseline": True, "stable_bits": True}
    row = next(line for line in publish.glance({"sections": [section2]}) if f"{n:,}" in line)
    assert "parallel unordered" not in row


def test_our_sums_have_np_sums_bits_and_the_loops_do_not(quick_run):
    for key in ["1", "2"]:
        size = None
        for cells in table_rows(quick_run, SECTIONS[key].title):
            if re.fullmatch(r"\de[+-]\d\d", cells[0]):
                size, cells = cells[0], cells[1:]
            if cells[0] in {"sum_array", "parallel_sum"}:
                assert cells[-2:] == ["yes", "yes"], cells  # np.sum's bits, every run
            # One value has one sum; from 10^3 values the order of additions shows.
            if cells[0] in {"sum_array_naive", "Cython (tutorial)"} and size != "1e+00":
                assert cells[-2] == "no", cells


def test_our_sums_of_1d_views_have_np_sums_bits(quick_run):
    from compare.views import layouts

    names = set(layouts(10**4))
    layout = None
    checked = 0
    for cells in table_rows(quick_run, SECTIONS["views"].title):
        if re.fullmatch(r"\de[+-]\d\d", cells[0]):
            cells = cells[1:]
        if cells[0] in names:
            layout, cells = cells[0], cells[1:]
        if layout in {"contiguous", "a[::2]", "a[::-1]"} and cells[0] in {
            "sum_array",
            "parallel_sum",
        }:
            assert cells[-1] == "yes", (layout, cells)
            checked += 1
    assert checked == 6


def axes_rows(output: str, title: str) -> dict[tuple, dict[str, list[str]]]:
    """The axes table under ``title``: for each case (shape, order, axis), each path's cells
    after its name."""
    cases, case = {}, ["", "", ""]
    for cells in table_rows(output, title):
        for i, pattern in enumerate([r"\(\d+, \d+\)", "[CF]", "0|1|None"]):
            if len(cells) > 1 and re.fullmatch(pattern, cells[0]):
                case[i], cells = cells[0], cells[1:]
        cases.setdefault(tuple(case), {})[cells[0]] = cells[1:]
    return cases


def test_our_sums_along_axes_have_np_sums_bits(quick_run):
    cases = axes_rows(quick_run, SECTIONS["axes"].title)
    assert set(cases) == {
        ("(1000, 1000)", order, axis) for order in "CF" for axis in ["0", "1", "None"]
    }
    for case, paths in cases.items():
        _, vs_numpy, _, bits = paths["np.sum"]
        assert (vs_numpy, bits) == ("1.00x", "same"), case
        assert "bn.nansum" in paths and not paths["bn.nansum"][0].startswith("unavailable")
        for path in ["sum_array", "parallel_sum"]:
            assert paths[path][-1] == "same", (case, path, paths[path])


def test_axes_section_checks_shape_values_and_bits_and_a_sum_without_axis_is_unavailable():
    def raises(a, axis=None):
        raise ValueError("no Fortran")

    def other_axis(a, axis=None):
        return np.sum(a, axis=None if axis is None else 1 - axis)

    section = AxesSection(
        key="test",
        title="check",
        baseline="np.sum",
        single="stand-in",
        peers=[
            Peer("np.sum", "np.sum(a, axis=axis)", along_axis(lambda: np.sum)),
            # What sum_array(a, axis=axis) will be: np.sum's bits.
            Peer(
                "stand-in",
                "np.sum behind a def",
                along_axis(lambda: lambda a, axis=None: np.sum(a, axis=axis)),
            ),
            Peer(
                "an ulp off",
                "np.sum times 1 + 2^-52",
                along_axis(lambda: lambda a, axis=None: np.sum(a, axis=axis) * (1 + 2**-52)),
            ),
            Peer("other axis", "sums along the other axis", along_axis(lambda: other_axis)),
            Peer(
                "keeps dims",
                "keepdims=True",
                along_axis(lambda: lambda a, axis=None: np.sum(a, axis=axis, keepdims=True)),
            ),
            Peer("no axis=", "takes no axis=", along_axis(lambda: lambda a: np.sum(a))),
            Peer("raises", "raises ValueError", along_axis(lambda: raises)),
            Peer("math.nosuch", "no such function", along_axis(module_function("math", "nosuch"))),
        ],
    )
    cases = axes_rows(section.run(QUICK, {}).text(), "check")
    assert len(cases) == 6
    for (_, _, axis), paths in cases.items():
        assert paths["np.sum"][1] == paths["stand-in"][2] == "1.00x"
        assert paths["np.sum"][3] == paths["stand-in"][3] == "same"
        assert paths["an ulp off"][3] == "differs"
        if axis == "None":  # the other axis of None is None: the same sum
            assert paths["other axis"][3] == "same"
            assert paths["keeps dims"] == ["WRONG: shape (1, 1), np.sum's ()"]
        else:
            assert re.fullmatch(r"WRONG: \S+ relative from np.sum", paths["other axis"][0])
            kept = "(1, 1000)" if axis == "0" else "(1000, 1)"
            assert paths["keeps dims"] == [f"WRONG: shape {kept}, np.sum's (1000,)"]
        assert re.fullmatch(
            r"unavailable: \S*<lambda>\(\) got an unexpected keyword argument "
            r"'axis'",
            "  ".join(paths["no axis="]),
        )
        assert paths["raises"] == ["WRONG: raised ValueError: no Fortran"]
        assert paths["math.nosuch"] == ["unavailable: the installed math has no nosuch"]


def dask_rows(output: str, title: str) -> dict[tuple, dict[str, list[str]]]:
    """The dask table under ``title``: for each case (n, chunks), each path's cells after its
    name."""
    cases, case = {}, ["", ""]
    for cells in table_rows(output, title):
        for i, pattern in enumerate([r"\de[+-]\d\d", r"\d+ x \d+"]):
            if len(cells) > 1 and re.fullmatch(pattern, cells[0]):
                case[i], cells = cells[0], cells[1:]
        cases.setdefault(tuple(case), {})[cells[0]] = cells[1:]
    return cases


def test_our_sums_of_dask_arrays_have_np_sums_bits(quick_run):
    cases = dask_rows(quick_run, SECTIONS["dask"].title)
    assert [n for n, _ in cases] == ["1e+06", "1e+07"]
    for case, paths in cases.items():
        assert paths["Dask + NumPy"][2] == "1.00x", case
        for path in ["sum_array", "parallel_sum"]:
            assert paths[path][-1] == "same", (case, path, paths[path])


def test_dask_section_checks_values_and_bits_and_skips_what_does_not_fit(monkeypatch):
    import dask
    import dask.array as da
    from compare import cluster

    def whole(x):  # what sum_array(x) will be: np.sum's bits, lazily (chunks concatenated)
        return da.from_delayed(dask.delayed(np.sum)(x), shape=(), dtype=np.float64)

    def eager(x):  # today's sum_array: np.asarray(x), then a float
        return float(np.sum(np.asarray(x)))

    def takes_no_dask(x):
        raise TypeError("expected a NumPy array")

    def raises(x):
        raise ValueError("no chunks")

    section = ClusterSection(
        key="test",
        title="check",
        baseline="Dask + NumPy",
        peers=[
            Peer("Dask + NumPy", "x.sum()", lambda: lambda x: x.sum().compute()),
            Peer("np.sum's bits", "np.sum of the whole array, in one task", lazy(lambda: whole)),
            Peer("an ulp off", "times 1 + 2^-52", lazy(lambda: lambda x: whole(x) * (1 + 2**-52))),
            Peer("far off", "x.sum() * 1.001", lazy(lambda: lambda x: x.sum() * 1.001)),
            Peer("eager", "returns a float", lazy(lambda: eager)),
            Peer("no Dask", "raises TypeError", lazy(lambda: takes_no_dask)),
            Peer("raises", "raises ValueError", lazy(lambda: raises)),
        ],
        sizes=[],
        quick_sizes=[10**5, 2 * 10**5, 3 * 10**5],
        chunks=12_345,
        checked_up_to=10**5,
    )
    monkeypatch.setattr(cluster, "QUICK_ROUNDS_SECONDS", 0.0)  # the fewest rounds: 3
    room = cluster.room
    monkeypatch.setattr(
        cluster, "room", lambda n, limits: "skipped: no room" if n == 3 * 10**5 else room(n, limits)
    )
    cases = dask_rows(section.run(QUICK, {}).text(), "check")
    assert list(cases) == [("1e+05", "9 x 12345"), ("2e+05", "17 x 12345"), ("3e+05", "25 x 12345")]
    for (n, _), paths in cases.items():
        assert paths["eager"] == [
            "unavailable: the installed eager takes no Dask array: it "
            "returned a float, not a lazy sum"
        ]
        assert paths["no Dask"] == [
            "unavailable: takes_no_dask takes no Dask array: expected a NumPy array"
        ]
        if n == "3e+05":
            assert paths["Dask + NumPy"] == ["skipped: no room"]
            continue
        assert paths["Dask + NumPy"][2] == "1.00x"
        assert paths["raises"] == ["WRONG: raised ValueError: no chunks"]
        against = "np.sum" if n == "1e+05" else "Dask's x.sum()"
        assert re.fullmatch(rf"WRONG: \S+, {re.escape(against)} \S+", paths["far off"][0])
        if n == "1e+05":
            assert paths["np.sum's bits"][-1] == "same"
            assert paths["an ulp off"][-1] == "differs"
        else:
            assert {paths[p][-1] for p in ["Dask + NumPy", "np.sum's bits", "an ulp off"]} == {
                "not checked"
            }


def test_an_array_is_made_only_where_it_fits_in_free_memory_and_under_the_workers_limits():
    from compare.cluster import room

    assert room(10**13, [0, 0]).startswith("skipped: 80000 GB of values, ")  # 0: no limit
    assert room(10**8, [0.4e9, 2e9]) == (
        "skipped: 0.4 GB of values per worker, workers' memory limit 0.4 GB"
    )
    assert room(10**6, [0.4e9, 2e9]) is None


def test_wrong_answer_is_shown_instead_of_a_time():
    section = ScalarSection(
        key="test",
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
    out = section.run(QUICK).text()
    rows = {cells[0]: "  ".join(cells) for cells in table_rows(out, "check")}
    assert "WRONG: returned 10.0" in rows["wrong"]
    assert "WRONG: returned 25," in rows["not a float"]
    assert rows["right"].endswith("1.0x")


def test_section_4_has_the_ufunc_rows_each_against_its_own_numpy(quick_run):
    rows = [
        cells[1:] if re.fullmatch(r"\de[+-]\d\d", cells[0]) else cells
        for cells in table_rows(quick_run, SECTIONS["4"].title)
    ]
    paths = {cells[0] for cells in rows}
    assert {
        "Cython @ufunc",
        "Numba @vectorize",
        "Numba @vectorize parallel",
        "np.square(a)",
    } | NEEDS_SQUARE <= paths
    # Each baseline is 1.00x against itself: the allocating rows have their own.
    for cells in rows:
        if cells[0] in {"np.square(a, out=a)", "np.square(a)"}:
            assert cells[3] == "1.00x", cells


def test_in_place_and_allocating_squares_are_checked_and_a_missing_function_is_unavailable():
    def in_place(a):
        np.square(a, out=a)

    def squares_its_input(a):
        np.square(a, out=a)
        return a

    section = InPlaceSection(
        key="test",
        title="check",
        baseline="in place",
        tutorial="in place",
        peers=[
            Peer("in place", "np.square(a, out=a)", lambda: in_place),
            Peer("doubles", "a += a", lambda: lambda a: np.add(a, a, out=a)),
            Peer("math.square", "no such function", module_function("math", "square")),
        ],
        allocating_baseline="new",
        allocating=[
            Peer("new", "np.square(a)", lambda: np.square),
            Peer("squares its input", "returns a, squared", lambda: squares_its_input),
            Peer("new doubles", "a + a", lambda: lambda a: a + a),
            Peer("a view", "a[:]", lambda: lambda a: a[:]),
        ],
    )
    out = section.run(QUICK, {}).text()
    rows = {}
    for cells in table_rows(out, "check"):
        cells = cells[1:] if re.fullmatch(r"\de[+-]\d\d", cells[0]) else cells
        rows[cells[0]] = cells[1:]
    assert rows["in place"][2] == rows["new"][2] == "1.00x"
    assert rows["doubles"] == ["WRONG: the values are not their squares"]
    assert rows["math.square"] == ["unavailable: the installed math has no square"]
    assert rows["squares its input"] == ["WRONG: it changed its input"]
    assert rows["new doubles"] == ["WRONG: the new values are not the squares"]
    assert rows["a view"] == ["WRONG: it did not return a new array"]


def test_the_warm_up_lasts_a_quarter_repeat_and_at_least_two_calls():
    settings = timing.Settings(repeat_seconds=0.02, repeats=3)
    slow = timeit_timer(time.sleep, 0.03)  # longer than the budget: the least calls
    assert timing.warm_up(slow, settings) == timing.WARMUP_CALLS
    fast = timeit_timer(abs, -1.0)
    start = time.perf_counter()
    calls = timing.warm_up(fast, settings)
    assert calls > 1000 and time.perf_counter() - start >= settings.repeat_seconds / 4


def timeit_timer(fn, arg):
    import timeit

    return timeit.Timer("fn(arg)", globals={"fn": fn, "arg": arg})


def test_sections_count_every_step_they_announce():
    section = SECTIONS["3"]
    progress.start(section.steps(QUICK), bar=False)
    section.run(QUICK)
    assert progress._run.done == pytest.approx(progress._run.total)
    progress.finish()


def test_sizes_with_few_calls_a_repeat_get_three_times_the_repeats():
    slow = 0.4 * QUICK.repeat_seconds  # two calls fill a repeat
    times = timing.time_calls({"slow": (time.sleep, slow), "fast": (abs, -1.0)}, QUICK)
    assert times["slow"].loops < timing.FEW_CALLS
    assert times["slow"].repeats == times["fast"].repeats == 3 * QUICK.repeats
    assert times["slow"].median >= slow
    times = timing.time_calls({"fast": (abs, -1.0)}, QUICK)
    assert times["fast"].loops >= timing.FEW_CALLS
    assert times["fast"].repeats == QUICK.repeats
    assert "9 repeats (27 where a repeat holds fewer than 10 calls)" in timing.describe(timing.FULL)


def test_slow_calls_are_timed_once_a_round_as_many_rounds_as_fit():
    calls = []

    def path(name, seconds):
        return lambda _: (calls.append(name), time.sleep(seconds))

    settings = timing.Settings(repeat_seconds=0.01, repeats=3)
    times = timing.time_rounds(
        {"a": (path("a", 0), None), "b": (path("b", 0), None)}, settings, seconds=1.0
    )
    assert times["a"].repeats == times["b"].repeats == 3 * settings.repeats  # the most
    assert times["a"].loops == 1 and len(calls) == 2 * (1 + 3 * settings.repeats)
    assert sorted(calls[-2:]) == ["a", "b"]  # each round calls each path once
    calls.clear()
    times = timing.time_rounds({"slow": (path("slow", 0.05), None)}, settings, seconds=0.12)
    assert times["slow"].repeats == 3 and len(calls) == 1 + 3  # the fewest
    assert times["slow"].low >= 0.05


def test_every_view_layout_holds_n_values_laid_out_as_its_name_says():
    from compare.views import layouts

    views = layouts(10**4)
    assert {v.size for v in views.values()} == {10**4}
    assert views["contiguous"].flags.c_contiguous and views["contiguous"].dtype == np.float64
    assert views["a[::2]"].strides == (16,)
    assert views["a[::-1]"].strides == (-8,)
    grid = views["c[:, ::2] (2-D)"]
    assert grid.ndim == 2 and not grid.flags.c_contiguous and not grid.flags.f_contiguous
    table = views["t[:, 1:] (2-D, rows of 10)"]
    assert table.shape[1] == 10 and table.strides == (88, 8)
    fortran = views["Fortran 2-D"]
    assert fortran.ndim == 2 and fortran.flags.f_contiguous and not fortran.flags.c_contiguous
    assert views["float32"].dtype == np.float32 and views["float32"].flags.c_contiguous
    assert views["int64"].dtype == np.int64 and views["int64"].flags.c_contiguous
    assert views["int64 a[::2]"].dtype == np.int64 and views["int64 a[::2]"].strides == (16,)


def test_sum_check_allows_the_rounding_of_the_dtype_and_no_more():
    from compare.arrays import sum_check

    n, exact = 1001, 500.0
    f64_bound = (n - 1) * 2.0**-53
    assert sum_check(exact * (1 + f64_bound / 2), exact, n, np.float64)["status"] == "ok"
    assert sum_check(exact * (1 + 2 * f64_bound), exact, n, np.float64)["status"].startswith(
        "WRONG"
    )
    # float32 values summed in float32 (np.sum) may be off by float32 half-ulps instead.
    off = exact * (1 + 2.0**-20)
    assert sum_check(off, exact, n, np.float32)["status"] == "ok"
    assert sum_check(off, exact, n, np.float64)["status"].startswith("WRONG")
    assert sum_check(float("nan"), exact, n, np.float64)["status"].startswith("WRONG")
    assert sum_check(exact, exact, n, np.float64) == {
        "status": "ok",
        "value": exact.hex(),
        "error": 0.0,
    }


def test_paths_timed_in_turns_follow_different_paths_from_round_to_round():
    calls = []  # the path of every call, in order

    def path(name):
        return lambda _: calls.append(name)

    names = ["a", "b", "c", "d"]
    settings = timing.Settings(repeat_seconds=0.002, repeats=8)
    times = timing.time_calls({name: (path(name), None) for name in names}, settings)
    timed = calls[-sum(times[name].loops * times[name].repeats for name in names) :]
    order = []  # the paths' repeats, in the order they ran (after the calibration's calls)
    while timed:
        name = timed[0]
        assert timed[: times[name].loops] == [name] * times[name].loops
        order.append(name)
        timed = timed[times[name].loops :]
    rounds = [order[i : i + len(names)] for i in range(0, len(order), len(names))]
    assert len(rounds) == settings.repeats
    assert all(sorted(each) == names for each in rounds)
    before_a = {each[each.index("a") - 1] for each in rounds if each[0] != "a"}
    assert len(before_a) > 1, "in every round, a follows the same path"
