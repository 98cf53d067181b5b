"""What the small benches share (``login_flood.py``, ``stream_flood.py``): a fresh PostgreSQL
database with a small bench college under the production settings, and their report."""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

from bench.run import BIN, ROOT, Database, production_env, run


def small_college(name: str, students: int, **extra: str) -> tuple[Database, dict, dict, Path]:
    """(database, environment, plan, output folder): migrated, with ``students`` signed in."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(tempfile.mkdtemp(prefix=f"attestation-{name}-{stamp}-"))
    database = Database("postgresql", f"{name.replace('-', '_')}_{stamp}", out)
    env = production_env(database, out, LOG_LEVEL="ERROR", **extra)
    database.create()
    run([BIN / "python", "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([BIN / "python", "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([BIN / "python", "bench/make_college.py", "--students", str(students), "--minutes", "30",
         "--out", out / "plan.json", "--sessions"], env)  # fmt: skip
    return database, env, json.loads((out / "plan.json").read_text(encoding="utf-8")), out


def report(title: str, lines: list[str], *, results: bool) -> None:
    """Print the figures; with ``results`` append them to bench/RESULTS.md."""
    print(f"\n== {title} ==")
    for line in lines:
        print(line)
    if results:
        when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as written:
            written.write(f"\n### {title}, {when}\n\n")
            written.write("".join(f"- {line}\n" for line in lines))
