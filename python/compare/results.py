"""What a section's run produces: a table for stdout and records for results.json."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import report


@dataclass
class SectionResult:
    key: str
    title: str
    note: str
    headers: list[str]
    rows: list[list[str]]
    right: set[int]
    records: list[dict] = field(default_factory=list)
    # What the plot shows: "us" (arrays: GB/s by size), "ns" (calls: a bar per path),
    # "layouts" (each path's speed against the baseline, per layout and size), or "table" (no
    # plot: rows that are not one series per path).
    unit: str = "us"
    roofline: float | None = None  # GB/s, for the plot
    baseline: str | None = None  # the path the others are compared with (NumPy's, mostly)

    def text(self) -> str:
        return f"{self.title}\n({self.note})\n\n" + report.table(
            self.headers, self.rows, self.right
        )
