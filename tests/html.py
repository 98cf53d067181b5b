"""Small HTML helpers for assertions on rendered pages."""

import re


def input_tag(html: str, name: str, value: str | None = None) -> str:
    """The first <input> with this name (and value), or AssertionError."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return tag
    raise AssertionError(f"no input {name}={value} in the page")


def is_checked(html: str, name: str, value: str | None = None) -> bool:
    return re.search(r"\schecked(\s|>|/)", input_tag(html, name, value)) is not None
