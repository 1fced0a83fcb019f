"""A section whose job is one scalar call (section 3's ``square``): nanoseconds per call."""

from __future__ import annotations

from dataclasses import dataclass

from . import progress, timing
from .arrays import load, timing_fields
from .peers import Peer
from .results import SectionResult


@dataclass(frozen=True)
class ScalarSection:
    """Every peer is called as ``fn(argument)`` and must return exactly ``expected``."""

    key: str
    title: str
    argument: float
    expected: float
    baseline: str  # the name of the peer every other is compared with
    peers: list[Peer]

    def steps(self, settings: timing.Settings) -> int:
        """One per path: the progress line's steps (see ``progress``)."""
        return len(self.peers)

    def run(self, settings: timing.Settings, roofline: dict | None = None) -> SectionResult:
        """Check, time and tabulate every peer."""
        progress.heading(self.title)
        overhead = timing.loop_overhead(settings)
        loaded = {peer.name: load(peer) for peer in self.peers}
        records = [self._check(peer, loaded[peer.name]) for peer in self.peers]
        ok = {r["path"]: (loaded[r["path"]], self.argument) for r in records if r["status"] == "ok"}
        progress.advance(len(records) - len(ok))  # the paths not timed: their steps are done
        times = timing.time_calls(ok, settings)
        for record in records:
            if record["path"] in times:
                record |= timing_fields(times[record["path"]])
            shown = f"{record['seconds'] * 1e9:.1f} ns" if "seconds" in record else record["status"]
            progress.note(f"  {record['path']}: {shown}")
        base = next((r.get("seconds") for r in records if r["path"] == self.baseline), None)
        rows = []
        for record in records:
            if record["status"] != "ok":
                rows.append([record["path"], record["how"], record["status"]])
                continue
            t = record["seconds"]
            spread = f"{record['low'] * 1e9:.0f}-{record['high'] * 1e9:.0f}"
            rows.append(
                [
                    record["path"],
                    record["how"],
                    f"{t * 1e9:.1f}",
                    spread,
                    f"{base / t:.1f}x" if base else "n/a",
                ]
            )
        headers = ["path", "how", "ns/call", "min-max", f"vs {self.baseline}"]
        note = (
            f"{timing.describe(settings)}; every row includes the timeit loop's own "
            f"{overhead.median * 1e9:.1f} ns per iteration; 'vs' = {self.baseline} time / path time"
        )
        return SectionResult(
            self.key,
            self.title,
            note,
            headers,
            rows,
            {2, 3, 4},
            records,
            unit="ns",
            baseline=self.baseline,
        )

    def _check(self, peer: Peer, fn) -> dict:
        """The peer's record: "ok" if ``fn`` (or the reason it has none) gives ``expected``."""
        record = {"section": self.key, "path": peer.name, "how": peer.how, "ours": peer.ours}
        if isinstance(fn, str):
            return record | {"status": fn}
        got = fn(self.argument)
        # Checked before timed: a fast wrong answer is shown as WRONG, never as a time.
        if isinstance(got, float) and got == self.expected:
            return record | {"status": "ok"}
        return record | {"status": f"WRONG: returned {got!r}, expected {self.expected!r}"}
