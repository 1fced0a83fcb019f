"""bench-results/: results.json (every record, every sample, the run and the machine),
results.md (the tables), and the PNG plots of the sections this run ran, no others."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

from . import report
from .results import SectionResult

# One marker per path, so that lines that lie on each other can still be told apart.
MARKERS = ["o", "s", "^", "v", "D", "P", "X", "*", "<", ">", "h", "p"]


def write(
    out: Path, run: dict, machine: dict, roofline: dict, results: list[SectionResult]
) -> list[Path]:
    """Writes everything into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    # The plots of an earlier run would pass for this one's: only this run's stay.
    for old in out.glob("section*.png"):
        old.unlink()
    plots = {}
    for result in results:
        if result.unit == "table" or not any(r.get("status") == "ok" for r in result.records):
            continue
        # A plot that fails (matplotlib missing, say) costs that plot, never the run's numbers.
        try:
            plots[result.key] = plot(result, machine, out)
        except Exception as error:
            print(f"no plot for section {result.key}: {type(error).__name__}: {error}")
    (out / "results.json").write_text(
        json.dumps(
            {
                "run": run,
                "machine": machine,
                "roofline_gbps": roofline,
                "plots": {key: path.name for key, path in plots.items()},
                "sections": [
                    {
                        "key": r.key,
                        "title": r.title,
                        "note": r.note,
                        "baseline": r.baseline,
                        "plotted": r.unit != "table",
                        "records": r.records,
                    }
                    for r in results
                ],
            },
            indent=1,
        )
        + "\n"
    )
    lines = [
        f"Machine: {machine['summary']}",
        "",
        f"Main memory bandwidth (measured in this run): read {fmt(roofline.get('read'))} GB/s, "
        f"read+write {fmt(roofline.get('read+write'))} GB/s",
        "",
    ]
    for result in results:
        lines += [
            f"## {result.title}",
            "",
            f"({result.note})",
            "",
            "```",
            result.text().split("\n\n", 1)[1],
            "```",
            "",
        ]
        if result.key in plots:
            lines += [f"![{result.title}]({plots[result.key].name})", ""]
    (out / "results.md").write_text("\n".join(lines))
    return [out / "results.json", out / "results.md", *plots.values()]


def fmt(value) -> str:
    return f"{value:.1f}" if value else "n/a"


def plot(result: SectionResult, machine: dict, out: Path) -> Path:
    """The section's plot, its title above, the date and machine below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in result.records if r.get("status") == "ok"]
    if result.unit == "layouts":
        figure = speed_by_layout(plt, ok, result.baseline)
    else:
        figure, axes = plt.subplots(figsize=(8, 5.5))
        if result.unit == "ns":
            bars(axes, ok)
        else:
            lines(axes, ok, result.roofline)
        axes.grid(True, which="both", alpha=0.3)
    figure.suptitle(result.title, fontsize="medium")
    figure.text(0.01, 0.01, report.footer(machine), fontsize="x-small", color="dimgray")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    path = out / f"section{result.key}.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def bars(axes, ok: list[dict]) -> None:
    """One call each: a bar per path, this project's in colour."""
    paths = list(dict.fromkeys(r["path"] for r in ok))
    ns = [next(r["seconds"] for r in ok if r["path"] == p) * 1e9 for p in paths]
    ours = {r["path"] for r in ok if r.get("ours")}
    axes.barh(paths, ns, color=["tab:blue" if p in ours else "tab:gray" for p in paths])
    axes.set_xlabel("ns per call (lower is better; this project's paths in blue)")
    axes.invert_yaxis()


def lines(axes, ok: list[dict], roofline: float | None) -> None:
    """GB/s against size, a line per path: this project's solid, the others dashed, each
    with its own marker."""
    paths = list(dict.fromkeys(r["path"] for r in ok))
    ours = {r["path"] for r in ok if r.get("ours")}
    for path, marker in zip(paths, itertools.cycle(MARKERS)):
        points = sorted((r["n"], r["gbps"]) for r in ok if r["path"] == path)
        axes.plot(
            *zip(*points, strict=True),
            marker=marker,
            linestyle="-" if path in ours else "--",
            label=path,
        )
    if roofline:
        axes.axhline(roofline, color="black", linestyle=":", label="main memory (measured)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("values in the array")
    axes.set_ylabel("GB/s (higher is better)")
    axes.legend(fontsize="small", title="solid: this project; dashed: the others")


def speed_by_layout(plt, ok: list[dict], baseline: str):
    """A grid per path (but the baseline): a row per layout, a column per size, each cell the
    baseline's time over the path's (above 1: faster than it), red where slower."""
    from matplotlib.colors import TwoSlopeNorm

    paths = [p for p in dict.fromkeys(r["path"] for r in ok) if p != baseline]
    layouts = list(dict.fromkeys(r["layout"] for r in ok))
    sizes = sorted({r["n"] for r in ok})
    seconds = {(r["path"], r["layout"], r["n"]): r["seconds"] for r in ok}
    figure, panels = plt.subplots(
        1, len(paths), figsize=(4 + 2.2 * len(paths) * max(len(sizes), 2) / 2, 5.5), squeeze=False
    )
    # Colours on a log scale, even around 1 (as slow at half the speed as fast at twice).
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-2.0, vmax=2.0)
    for axes, path in zip(panels[0], paths, strict=True):
        grid = [
            [
                seconds[(baseline, layout, n)] / seconds[(path, layout, n)]
                if (path, layout, n) in seconds and (baseline, layout, n) in seconds
                else math.nan
                for n in sizes
            ]
            for layout in layouts
        ]
        logs = [[math.nan if math.isnan(v) else math.log2(v) for v in row] for row in grid]
        axes.imshow(logs, cmap="RdBu", norm=norm, aspect="auto")
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                text = "n/a" if math.isnan(value) else f"{value:.2f}x"
                dark = not math.isnan(value) and abs(math.log2(value)) > 1  # white on dark cells
                axes.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="white" if dark else "black",
                )
        axes.set_xticks(range(len(sizes)), [f"{n:.0e}" for n in sizes])
        axes.set_yticks(range(len(layouts)), layouts if axes is panels[0][0] else [])
        axes.set_xlabel("values summed")
        axes.set_title(f"{path}: speed vs {baseline}", fontsize="small")
    return figure
