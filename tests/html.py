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


def shown_page(response, status: int = 200) -> str:
    """The response's HTML, once its status is the expected one: a text that is *absent* proves
    nothing on an error page, so every "not in" assertion reads a page that was really shown."""
    assert response.status_code == status, f"status {response.status_code}, expected {status}"
    return response.content.decode()
