"""bench-results/: results.json (every record), results.md (the tables), PNG plots."""

from __future__ import annotations

import json
from pathlib import Path

from .results import SectionResult

OUT = Path(__file__).resolve().parents[2] / "bench-results"


def write(machine: dict, roofline: dict, results: list[SectionResult]) -> list[Path]:
    """Writes everything; returns the files written."""
    OUT.mkdir(exist_ok=True)
    written = [OUT / "results.json", OUT / "results.md"]
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "roofline_gbps": roofline,
                "sections": [
                    {"key": r.key, "title": r.title, "note": r.note, "records": r.records}
                    for r in results
                ],
            },
            indent=1,
        )
        + "\n"
    )
    plots = {}
    try:
        plots = {r.key: plot(r) for r in results if r.unit != "table"}
        written += list(plots.values())
    except ImportError as error:  # matplotlib missing: the tables still stand
        print(f"no plots: {error}")
    lines = [
        f"Machine: {machine['summary']}",
        "",
        f"Roofline (measured in this run): read {fmt(roofline.get('read'))} GB/s, "
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
    (OUT / "results.md").write_text("\n".join(lines))
    return written


def fmt(value) -> str:
    return f"{value:.1f}" if value else "n/a"


def plot(result: SectionResult) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5))
    ok = [r for r in result.records if r.get("status") == "ok"]
    paths = list(dict.fromkeys(r["path"] for r in ok))
    if result.unit == "ns":  # one call each: a bar per path
        axes.barh(paths, [next(r["seconds"] for r in ok if r["path"] == p) * 1e9 for p in paths])
        axes.set_xlabel("ns per call (lower is better)")
        axes.invert_yaxis()
    else:
        for path in paths:
            points = sorted((r["n"], r["gbps"]) for r in ok if r["path"] == path)
            axes.plot(*zip(*points, strict=True), marker="o", label=path)
        if result.roofline:
            axes.axhline(
                result.roofline, color="black", linestyle="--", label="roofline (measured)"
            )
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("values in the array")
        axes.set_ylabel("GB/s (higher is better)")
        axes.legend(fontsize="small")
    axes.set_title(result.title, fontsize="medium")
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    path = OUT / f"section{result.key}.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
