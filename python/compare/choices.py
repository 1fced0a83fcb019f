"""What a run of ``python -m compare`` can be asked: quick or full, which sections, which sizes.

Standard library only, so that ``make bench`` checks the choices (``python -m compare.choices
ARGS``) before it builds anything: a typo fails in a second, not after a cold build.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

# Every section, in the order a full run takes them (tutorial order; the other layouts, axes
# and Dask arrays after sections 1 and 2; concurrent callers last). __main__ maps each to
# its module and checks that the two lists agree.
SECTIONS = ["1", "2", "views", "axes", "dask", "3", "4", "callers"]

# The sections that run size by size, and so take --sizes; the others have fixed cases.
SIZED = ["1", "2", "views", "dask", "4"]
assert set(SIZED) <= set(SECTIONS)

# The views table lays its 2-D arrays out in rows of 100 values (or 10): sizes it can take.
VIEWS_MULTIPLE = 100
# The largest size a run may ask for: the Dask table's largest (its arrays live on the workers;
# a local array of 10^9 float64 values already takes 8 GB).
LARGEST = 10**9

# The repository (python/compare/ is two folders down): builds, sources, results.
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench-results"


def size(text: str) -> int:
    """A number of values, as 1000 or 1e3: a whole number of at least 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"size {text!r} is not a number: give numbers of values such as 1000 or 1e6"
        ) from None
    if not math.isfinite(value) or value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(
            f"size {text!r} is not a whole number of values of at least 1 (e.g. 1e3)"
        )
    if value > LARGEST:
        raise argparse.ArgumentTypeError(f"size {text!r} is above the largest, {LARGEST:.0e}")
    return int(value)


def parser() -> argparse.ArgumentParser:
    sized = ", ".join(SIZED)
    parser = argparse.ArgumentParser(
        prog="python -m compare",
        description="Run every section's comparison, print its table, write bench-results/.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, short repeats")
    parser.add_argument(
        "--section",
        nargs="+",
        action="extend",
        choices=SECTIONS,
        metavar="KEY",
        help=f"only these sections, among: {' '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=size,
        metavar="N",
        help=f"only these numbers of values (e.g. 1e3 1e6), in the sections that run size by "
        f"size ({sized}); default: each section's own sizes",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="where results.json, results.md and the plots go (default: bench-results/)",
    )
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The choices; argparse exits with a message naming the valid ones if any is wrong, or
    saying why sizes cannot apply to the sections chosen."""
    parser_ = parser()
    args = parser_.parse_args(argv)
    # In the run's order, each once, whatever order they were given in; all of them is the
    # default (a full run, however it was asked for).
    if args.section:
        args.section = [key for key in SECTIONS if key in args.section]
        if args.section == SECTIONS:
            args.section = None
    if args.sizes:
        args.sizes = sorted(set(args.sizes))
        chosen = args.section or SECTIONS
        if not set(chosen) & set(SIZED):
            parser_.error(
                f"--sizes applies to the sections {' '.join(SIZED)} only, and none of them "
                f"is chosen (--section {' '.join(chosen)})"
            )
        if chosen == ["views"] and not any(n % VIEWS_MULTIPLE == 0 for n in args.sizes):
            parser_.error(
                f"the views table takes sizes that are multiples of {VIEWS_MULTIPLE}; "
                f"none of {' '.join(map(str, args.sizes))} is"
            )
    return args


def is_full(args: argparse.Namespace) -> bool:
    """Whether the run is one to publish: every section, at its own sizes, not quick."""
    return not args.quick and args.section is None and args.sizes is None


if __name__ == "__main__":
    # `make bench` checks its arguments here first; on success, nothing to say.
    parse(sys.argv[1:])
