"""The tooling's promises: pre-commit runs what `make lint` runs; the locks pin every requirement."""

import shlex
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def words(command):
    """What a command runs: no environment prefix, no venv path, no target folder, no ruff file filter."""
    skipped = {"env", ".", "--force-exclude"}
    found = [w for w in shlex.split(command) if "=" not in w.split("/")[0] and w not in skipped]
    return [w.removeprefix(".venv/bin/") for w in found]


def lint_commands():
    printed = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-n", "lint"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [words(line) for line in printed if line and "pip install" not in line]


def test_pre_commit_runs_every_linter_of_make_lint():
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = [words(hook["entry"]) for hook in hooks]
    for command in lint_commands():
        assert command in entries, f"`make lint` runs {' '.join(command)}; no pre-commit hook does"
    assert all(hook["language"] == "system" for hook in hooks)  # the venv's tools: the lock's versions


def test_the_locks_pin_every_requirement():
    result = subprocess.run(  # noqa: S603
        [".venv/bin/python", "scripts/check_lock.py"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
