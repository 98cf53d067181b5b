"""Every setting the code reads exists (#17.6): declared with its default in config/settings.py (and
in the README's Configuration table when it comes from the environment), or one of Django's own —
never a name only a ``getattr(settings, …, default)`` knows."""

import re
from pathlib import Path

from django.conf import global_settings

import config.settings as project_settings

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "access",
    "api",
    "attestation",
    "audit",
    "college",
    "config",
    "core",
    "demo",
    "imports",
    "notifications",
]
READ = re.compile(r"""getattr\(\s*settings,\s*["']([A-Z][A-Z0-9_]*)["']|\bsettings\.([A-Z][A-Z0-9_]*)\b""")


def settings_read():
    names = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in READ.finditer(path.read_text(encoding="utf-8")):
                names.setdefault(match.group(1) or match.group(2), path.relative_to(ROOT))
    return names


def test_every_setting_read_is_declared():
    undeclared = {
        name: str(path)
        for name, path in settings_read().items()
        if not hasattr(project_settings, name) and not hasattr(global_settings, name)
    }
    assert undeclared == {}


def test_the_environments_settings_are_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") : readme.index("## Layout")]
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    from_environment = set(
        re.findall(r"""(?:environ\.get|environ\[|env_bool\()\s*\(?["']([A-Z][A-Z0-9_]*)["']""", source)
    )
    missing = sorted(name for name in from_environment if f"`{name}`" not in table)
    assert missing == []
