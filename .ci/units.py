#!/usr/bin/env python3
"""Run deploy/systemd's units the way systemd would, where there is no systemd (CI, a container).

    .ci/units.py --map /srv/attestation=/tmp/x/srv/attestation --map /etc/attestation=/tmp/x/etc \
        --logs /tmp/x/logs --state /tmp/x/units.json start attestation-release attestation-pages
    .ci/units.py --state /tmp/x/units.json stop

What is read from each unit, and what is done with it: ``EnvironmentFile=`` and ``Environment=``
(the process's environment, on top of this one's), ``WorkingDirectory=``, ``RuntimeDirectory=``
(made under /run, or where ``--map`` moves it), ``ExecStartPre=``,
``ExecStart=`` and ``ExecStartPost=`` with systemd's quoting and ``$VAR`` / ``${VAR}`` / ``$$`` /
``%%`` rules; a ``Type=oneshot`` unit runs its ``ExecStart=`` lines one after another to the end,
any other type is left running and counts as started once its ``ExecStartPost=`` lines (the
health probes) succeed. ``--map`` moves the production paths (``/srv/attestation``…) into a folder
of the caller's, in the units and in the environment files' values. ``User=`` and the hardening
lines are systemd's business and ignored here. Each unit's output goes to ``<logs>/<unit>.log``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def read_unit(path: Path) -> dict[str, list[str]]:
    """The [Service] section's lines: key → values in order (a key may repeat)."""
    service: dict[str, list[str]] = {}
    section, pending = "", ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            service.setdefault(key.strip(), []).append(value.strip())
    return service


def moved(text: str, maps: list[tuple[str, str]]) -> str:
    for old, new in maps:
        text = text.replace(old, new)
    return text


def environment_file(path: str, maps: list[tuple[str, str]]) -> dict[str, str]:
    optional = path.startswith("-")
    file = Path(moved(path.lstrip("-"), maps))
    if not file.exists():
        if optional:
            return {}
        raise SystemExit(f"EnvironmentFile {file} is missing")
    values = {}
    for raw in file.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = moved(value, maps)
    return values


def command(line: str, env: dict[str, str], maps: list[tuple[str, str]]) -> list[str]:
    """An Exec line as systemd runs it: prefixes off, words split, variables and %% replaced."""
    line = moved(line.lstrip("-@:+!"), maps)
    if re.search(r"%[^%]", line.replace("%%", "")):
        raise SystemExit(f"a specifier this runner does not know: {line}")
    words = []
    for word in shlex.split(line):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:  # "$FOO" as a word of its own: its value split at whitespace
            words += env.get(whole.group(1), "").split()
            continue
        words.append(VARIABLE.sub(lambda found: expand(found, env), word).replace("%%", "%"))
    return words


def expand(found: re.Match[str], env: dict[str, str]) -> str:
    """``$$`` is a dollar, ``${FOO}`` FOO's value; ``$FOO`` inside a word stays as it is (systemd)."""
    if found.group(0) == "$$":
        return "$"
    if found.group(1):
        return env.get(found.group(1), "")
    return found.group(0)


def start(name: str, maps, logs: Path, extra_env: dict[str, str], state: dict) -> None:
    unit = read_unit(UNITS / f"{name}.service")
    env = dict(os.environ)
    for path in unit.get("EnvironmentFile", []):
        env.update(environment_file(path, maps))
    for line in unit.get("Environment", []):
        env.update(pair.split("=", 1) for pair in shlex.split(line))
    env.update(extra_env)
    cwd = moved(unit.get("WorkingDirectory", ["/"])[-1], maps)
    for name_ in unit.get("RuntimeDirectory", []):
        Path(moved(f"/run/{name_}", maps)).mkdir(parents=True, exist_ok=True)
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 — the process keeps it
    kind = unit.get("Type", ["simple"])[-1]

    def run(line: str) -> None:
        argv = command(line, env, maps)
        print(f"  {name}: {' '.join(argv)}", flush=True)
        result = subprocess.run(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
        if result.returncode != 0 and not line.startswith("-"):
            raise SystemExit(f"{name}: exit {result.returncode} from {argv[0]} (see {logs / name}.log)")

    for line in unit.get("ExecStartPre", []):
        run(line)
    if kind == "oneshot":
        for line in unit.get("ExecStart", []):
            run(line)
    else:
        (line,) = unit["ExecStart"]
        argv = command(line, env, maps)
        print(f"  {name}: {' '.join(argv)}", flush=True)
        process = subprocess.Popen(  # noqa: S603
            argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        state[name] = process.pid
    for line in unit.get("ExecStartPost", []):
        run(line)
    if name in state:
        time.sleep(0.5)
        if subprocess.run(["kill", "-0", str(state[name])], check=False).returncode != 0:  # noqa: S603,S607
            raise SystemExit(f"{name} exited at once (see {logs / name}.log)")


def stop(state: dict) -> None:
    """SIGTERM to each unit's process group (KillMode=mixed sends it to the main process; its
    children are its own workers), then SIGKILL to what is left after 20 s."""
    for name, pid in state.items():
        try:
            os.killpg(pid, signal.SIGTERM)
            print(f"  stopped {name} ({pid})", flush=True)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 20
    for pid in state.values():
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map", action="append", default=[], help="OLD=NEW path prefix")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE added to every unit")
    parser.add_argument("--logs", type=Path, default=Path("."))
    parser.add_argument("--state", type=Path, required=True, help="the started processes (JSON)")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("units", nargs="*")
    args = parser.parse_args(argv)
    maps = [tuple(m.split("=", 1)) for m in args.map]
    state = json.loads(args.state.read_text()) if args.state.exists() else {}
    try:
        if args.action == "start":
            args.logs.mkdir(parents=True, exist_ok=True)
            extra = dict(pair.split("=", 1) for pair in args.env)
            for name in args.units:
                start(name, maps, args.logs, extra, state)
        else:
            stop({k: v for k, v in state.items() if not args.units or k in args.units})
            state = {k: v for k, v in state.items() if args.units and k not in args.units}
    finally:
        args.state.write_text(json.dumps(state))
    return 0


if __name__ == "__main__":
    sys.exit(main())
