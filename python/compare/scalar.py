"""A section whose job is one scalar call (section 3's ``square``): nanoseconds per call."""

from __future__ import annotations

from dataclasses import dataclass

from . import report, timing
from .peers import Peer, Unavailable


@dataclass(frozen=True)
class ScalarSection:
    """Every peer is called as ``fn(argument)`` and must return exactly ``expected``."""

    title: str
    argument: float
    expected: float
    baseline: str  # the name of the peer every other is compared with
    peers: list[Peer]

    def run(self, settings: timing.Settings) -> str:
        """Check, time and tabulate every peer; returns the table."""
        report.progress(self.title)
        overhead = timing.loop_overhead(settings)
        outcomes = {peer.name: self._measure(peer, settings) for peer in self.peers}

        base = outcomes.get(self.baseline)
        rows = []
        for peer in self.peers:
            t = outcomes[peer.name]
            if isinstance(t, str):  # not timed: unavailable or wrong
                rows.append([peer.name, peer.how, t, "", ""])
                continue
            ratio = f"{base.median / t.median:.1f}x" if isinstance(base, timing.Timing) else "n/a"
            spread = f"{t.low * 1e9:.0f}-{t.high * 1e9:.0f}"
            rows.append([peer.name, peer.how, f"{t.median * 1e9:.1f}", spread, ratio])
        headers = ["path", "how", "ns/call", "min-max", f"vs {self.baseline}"]
        note = (
            f"median of {settings.repeats} repeats; every row includes the timeit loop's own "
            f"{overhead.median * 1e9:.1f} ns per iteration; 'vs' = {self.baseline} time / path time"
        )
        return f"{self.title}\n({note})\n\n" + report.table(headers, rows, right={2, 3, 4})

    def _measure(self, peer: Peer, settings: timing.Settings) -> timing.Timing | str:
        """The peer's timing, or why it has none."""
        try:
            fn = peer.load()
        except Unavailable as why:
            outcome = f"unavailable: {why}"
        else:
            got = fn(self.argument)
            # Checked before timed: a fast wrong answer is shown as WRONG, never as a time.
            if type(got) is float and got == self.expected:
                outcome = timing.time_call(fn, self.argument, settings)
            else:
                outcome = f"WRONG: returned {got!r}, expected {self.expected!r}"
        shown = f"{outcome.median * 1e9:.1f} ns" if isinstance(outcome, timing.Timing) else outcome
        report.progress(f"  {peer.name}: {shown}")
        return outcome
