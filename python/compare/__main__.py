"""``python -m compare``: run every section's comparison and print its table."""

from __future__ import annotations

import argparse

from . import report, section1, section2, section3, section4, timing

# In tutorial order; each section module exposes SECTION with a run(settings) -> str.
SECTIONS = {
    "1": section1.SECTION,
    "2": section2.SECTION,
    "3": section3.SECTION,
    "4": section4.SECTION,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m compare", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short repeats: about a minute")
    parser.add_argument(
        "--section", action="append", choices=sorted(SECTIONS), help="only these sections"
    )
    args = parser.parse_args()
    settings = timing.QUICK if args.quick else timing.FULL

    print(f"Machine: {report.machine()}")
    for key in args.section or SECTIONS:
        print()
        print(SECTIONS[key].run(settings), flush=True)


if __name__ == "__main__":
    main()
