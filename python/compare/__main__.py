"""``python -m compare``: run every section's comparison, print its table, write bench-results/.

``--section KEY ...`` and ``--sizes N ...`` choose (see ``choices``); ``--quick`` runs short."""

from __future__ import annotations

import dataclasses
import datetime
import sys

from . import (
    axes,
    callers,
    choices,
    cluster,
    output,
    progress,
    report,
    roofline,
    section1,
    section2,
    section3,
    section4,
    timing,
    views,
)

# Each section module exposes SECTION with a run(settings, roofline) and a steps(settings).
SECTIONS = {
    "1": section1.SECTION,
    "2": section2.SECTION,
    "views": views.SECTION,
    "axes": axes.SECTION,
    "dask": cluster.SECTION,
    "3": section3.SECTION,
    "4": section4.SECTION,
    "callers": callers.SECTION,
}
# choices.py lists the keys without importing the sections (make checks them before building).
assert list(SECTIONS) == choices.SECTIONS, "compare/choices.py's SECTIONS is out of date"

# The memory bandwidth takes two timed calls: two steps of the progress line.
ROOFLINE_STEPS = 2


def main() -> None:
    args = choices.parse()
    settings = timing.QUICK if args.quick else timing.FULL
    if args.sizes:
        settings = dataclasses.replace(settings, sizes=tuple(args.sizes))
    keys = args.section or choices.SECTIONS
    started = datetime.datetime.now(datetime.UTC)

    machine = report.machine_record()
    print(f"Machine: {machine['summary']}")
    progress.start(ROOFLINE_STEPS + sum(SECTIONS[key].steps(settings) for key in keys))
    progress.case("memory bandwidth")
    bandwidth = roofline.measure(settings)
    print(
        f"Main memory bandwidth (measured now): read {output.fmt(bandwidth['read'])} GB/s, "
        f"read+write {output.fmt(bandwidth['read+write'])} GB/s"
    )
    results = []
    for key in keys:
        result = SECTIONS[key].run(settings, bandwidth)
        results.append(result)
        print()
        print(result.text(), flush=True)
    seconds = progress.finish()
    run = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "command": ["python", "-m", "compare", *sys.argv[1:]],
        "quick": args.quick,
        "sections": keys,
        "sizes": args.sizes,  # None: each section's own sizes
        "full": choices.is_full(args),
        "timing": dataclasses.asdict(settings) | {"warmup_calls": timing.WARMUP_CALLS},
    }
    written = output.write(args.out, run, machine, bandwidth, results)
    print()
    print(f"Run took {progress.clock(seconds)}. Written: " + ", ".join(map(str, written)))


if __name__ == "__main__":
    main()
