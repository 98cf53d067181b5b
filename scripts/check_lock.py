"""Fail when the lock files no longer answer requirements*.txt (run `make lock`).

Installs come from the locks (`make install`, CI, the servers), so a requirement added or re-pinned in
requirements*.txt — a merged branch, say — does nothing until the locks are compiled again. Checked
offline: every requirement named in requirements-dev.txt (and the requirements.txt it includes) is
pinned in requirements-dev.lock at a version its specifier allows, every runtime one in
requirements.lock too, and the runtime lock pins nothing at another version than the development
lock (the servers run what the tests ran).
"""

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def requirements(path: Path) -> list[Requirement]:
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            found += requirements(path.parent / line[3:].strip())
        elif not line.startswith("-"):
            found.append(Requirement(line))
    return found


def pins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {
        canonicalize_name(m.group(1)): m.group(2)
        for m in map(PIN.match, path.read_text(encoding="utf-8").splitlines())
        if m
    }


def problems() -> list[str]:
    found = []
    dev_pins, runtime_pins = pins(ROOT / "requirements-dev.lock"), pins(ROOT / "requirements.lock")
    for source, lock, locked in (
        ("requirements-dev.txt", "requirements-dev.lock", dev_pins),
        ("requirements.txt", "requirements.lock", runtime_pins),
    ):
        for requirement in requirements(ROOT / source):
            version = locked.get(canonicalize_name(requirement.name))
            if version is None:
                found.append(f"{requirement} ({source}) is not in {lock}")
            elif not requirement.specifier.contains(version, prereleases=True):
                found.append(f"{requirement} ({source}): {lock} pins {version}")
    for name, version in runtime_pins.items():
        if dev_pins.get(name) != version:
            found.append(f"requirements.lock pins {name}=={version}, the dev lock {dev_pins.get(name)}")
    return found


def main() -> int:
    found = problems()
    if found:
        print("The lock files are stale (run `make lock`):", *found, sep="\n  ")
        return 1
    print("the lock files pin every requirement")
    return 0


if __name__ == "__main__":
    sys.exit(main())
