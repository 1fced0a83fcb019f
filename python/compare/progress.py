"""The progress line on stderr: how far the run is, and about how long it has left.

A run is counted in steps: one step is one path timed on one case (a size, a layout, a shape).
The calibration makes every timed repeat last about the same, so steps take comparable times
whatever the size, and the time left is estimated from the average step so far (the Dask
table's steps take several times longer, a cluster's round trips: the estimate runs short
until it is done). Within a step,
the line moves on after each round of repeats (see ``timing.time_calls``): a size whose paths
take a minute together is never silent.

On a terminal the line is a tqdm bar, and the notes (each path's time) print above it. Where
stderr is not a terminal (CI, a pipe, a file) a redrawn bar would fill the log: there is no bar,
the notes are plain lines, and each section's first line says how far the run is. Nothing
happens until ``start``: sections run on their own (in the tests) print plain notes only.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

# On a terminal: "section 1, n=1e+06:  37%|███▋      | 152/412 steps [02:01 elapsed, 03:27 left]".
BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} steps "
    "[{elapsed} elapsed, {remaining} left]"
)


@dataclass
class _Run:
    total: float
    done: float = 0.0
    started: float = field(default_factory=time.monotonic)
    bar: object = None  # a tqdm bar on a terminal, else None


_run: _Run | None = None


def start(total: float, bar: bool | None = None) -> None:
    """Begins counting ``total`` steps; ``bar`` forces the tqdm bar on or off (default: on
    where stderr is a terminal and tqdm is installed)."""
    global _run
    _run = _Run(total)
    if bar is None:
        bar = sys.stderr.isatty()
    if bar:
        try:
            from tqdm import tqdm
        except ImportError:  # not installed: plain lines, as off a terminal
            return
        # smoothing=0: the average over the whole run, not the last few steps (steps vary).
        _run.bar = tqdm(
            total=total, file=sys.stderr, bar_format=BAR_FORMAT, smoothing=0, dynamic_ncols=True
        )


def advance(steps: float) -> None:
    """``steps`` more steps done (a fraction for a round of repeats)."""
    if _run is None:
        return
    _run.done += steps
    if _run.bar is not None:
        _run.bar.update(steps)


def case(description: str) -> None:
    """What the bar is timing now, shown at its left (e.g. "section 1, n=1e+06")."""
    if _run is not None and _run.bar is not None:
        _run.bar.set_description_str(description)


def note(message: str) -> None:
    """A line of progress, on stderr so that stdout holds only the tables."""
    if _run is not None and _run.bar is not None:
        _run.bar.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr, flush=True)


def heading(message: str) -> None:
    """A section's first line; off a terminal, followed by how far the run is. The bar shows
    the section's name ("Section 3") until the section names its case."""
    case(message.split(":", 1)[0])
    if _run is not None and _run.bar is None:
        message = f"{message}  [{summary()}]"
    note(message)


def summary() -> str:
    """ "152/412 steps, 2:01 elapsed, about 3:27 left": the estimate is the average step so far
    times the steps to go."""
    done, total = _run.done, _run.total
    elapsed = time.monotonic() - _run.started
    left = f"about {clock(elapsed * (total - done) / done)} left" if done else "time left unknown"
    return f"{done:.0f}/{total:.0f} steps, {clock(elapsed)} elapsed, {left}"


def finish() -> float:
    """Closes the line (off a terminal: a last line, the steps done and the time taken);
    returns the seconds since ``start``."""
    global _run
    elapsed = time.monotonic() - _run.started
    if _run.bar is not None:
        _run.bar.close()
    else:
        note(f"Done: {_run.done:.0f}/{_run.total:.0f} steps in {clock(elapsed)}")
    _run = None
    return elapsed


def clock(seconds: float) -> str:
    """Minutes and seconds, "3:07"."""
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}:{seconds:02d}"
