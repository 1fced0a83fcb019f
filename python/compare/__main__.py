"""``python -m compare``: run every section's comparison, print its table, write bench-results/."""

from __future__ import annotations

import argparse

from . import (
    axes,
    callers,
    cluster,
    output,
    report,
    roofline,
    section1,
    section2,
    section3,
    section4,
    timing,
    views,
)

# In tutorial order (sections 1 and 2 on other layouts, along axes and on Dask arrays after
# them, concurrent callers last); each section module
# exposes SECTION with a run(settings, roofline).
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m compare", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, short repeats")
    parser.add_argument(
        "--section", action="append", choices=sorted(SECTIONS), help="only these sections"
    )
    args = parser.parse_args()
    settings = timing.QUICK if args.quick else timing.FULL

    machine = report.machine_record()
    print(f"Machine: {machine['summary']}")
    bandwidth = roofline.measure(settings)
    print(
        f"Roofline (measured now): read {output.fmt(bandwidth['read'])} GB/s, "
        f"read+write {output.fmt(bandwidth['read+write'])} GB/s"
    )
    results = []
    for key in args.section or SECTIONS:
        result = SECTIONS[key].run(settings, bandwidth)
        results.append(result)
        print()
        print(result.text(), flush=True)
    written = output.write(machine, bandwidth, results)
    print()
    print("Written: " + ", ".join(str(path.relative_to(output.OUT.parent)) for path in written))


if __name__ == "__main__":
    main()
