"""Checks the wheels `make wheels` put in dist/: one per module and per Python version, each
with a manylinux tag, the license texts in .dist-info/licenses/, the module's type stub and
py.typed. Prints each wheel's name and size; exits non-zero on anything missing.

Usage: python check_wheels.py DIST "MODULES" "PYTHON_VERSIONS"

With --installed "MODULES" instead, run by a venv's Python: prints the file each module is
imported from, and fails unless that is the venv's own (an installed wheel, not a source tree).
"""

import importlib
import sys
import zipfile
from pathlib import Path

LICENSES = ("LICENSE-MIT", "LICENSE-APACHE")


def problems(wheel: Path, module: str) -> list[str]:
    """What the wheel lacks of what every wheel of this project must hold."""
    names = set(zipfile.ZipFile(wheel).namelist())
    dist_info = next((n.split("/")[0] for n in names if ".dist-info/" in n), "")
    wanted = [f"{dist_info}/licenses/{name}" for name in LICENSES]
    wanted += [f"{module}/py.typed"]
    missing = [name for name in wanted if name not in names]
    if not {f"{module}/__init__.pyi", f"{module}.pyi"} & names:
        missing.append(f"{module}/__init__.pyi")
    return missing


def main(dist: str, modules: str, versions: str) -> int:
    failed = False
    for module in modules.split():
        for version in versions.split():
            tag = "cp" + version.replace(".", "")
            wheels = sorted(Path(dist).glob(f"{module}-*-{tag}-{tag}-*.whl"))
            if len(wheels) != 1:
                print(f"{module} for Python {version}: {len(wheels)} wheels in {dist}/, not 1")
                failed = True
                continue
            wheel = wheels[0]
            missing = problems(wheel, module)
            if "manylinux" not in wheel.name:
                missing.append("a manylinux tag")
            size = wheel.stat().st_size / 1024
            print(f"{wheel.name}  {size:.0f} KiB" + (f"  MISSING {missing}" if missing else ""))
            failed |= bool(missing)
    return 1 if failed else 0


def installed(modules: str) -> int:
    failed = False
    for module in modules.split():
        path = importlib.import_module(module).__file__ or ""
        ours = Path(path).resolve().is_relative_to(Path(sys.prefix).resolve())
        print(f"{module} imported from {path}" + ("" if ours else f": NOT from {sys.prefix}"))
        failed |= not ours
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "--installed":
        sys.exit(installed(sys.argv[2]))
    sys.exit(main(*sys.argv[1:]))
