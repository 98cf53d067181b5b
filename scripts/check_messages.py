"""Fail when a committed .mo file is not the compilation of its .po file (CI keeps them current)."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        print("msgfmt (GNU gettext) is not installed: .mo freshness not checked")
        return 0
    stale = []
    for po in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "fresh.mo"
            subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(po)], check=True)  # noqa: S603
            if not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                stale.append(str(mo.relative_to(ROOT)))
    if stale:
        print("Stale or missing compiled catalogues (run `make messages`):", *stale, sep="\n  ")
        return 1
    print("translation catalogues are compiled and current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
