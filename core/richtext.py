"""Rich text: every stored HTML goes through nh3 with one allowlist, so XSS cannot be stored.

Teachers paste questions from Word; students type answers. Both become a small, safe subset of
HTML: paragraphs, emphasis, lists, headings, tables, links (http/https/mailto) and line breaks.

The editor is django-prose-editor (ProseMirror/Tiptap, assets shipped in the package, no CDN) with
a toolbar limited to what :data:`ALLOWED_TAGS` keeps, so nothing a user formats is lost on save.
The browser's HTML is never trusted: :class:`RichTextFormField` runs :func:`sanitize` on clean,
before its own validation.

Templates must include the form's media once per page, before or beside the form::

    {{ form.media }}

It renders an inline ``<script type="importmap">`` (the editor's modules import each other by bare
name), the editor's stylesheets and ``<script type="module">`` tags: the editor itself and
``static/js/richtext.js``, which starts editors in content htmx swaps in later (the editor's own
module only scans the page once) and revives them after an htmx history restore. Put the media in
the part of the page that is rendered on a full load; fragments swapped in by htmx need no media.

When a Content-Security-Policy arrives, the inline import map needs a nonce (js_asset's ``Media``
takes one: ``form.media.with_nonce(request.csp_nonce)``, or ``media.render(attrs={"nonce": ...})``)
or a hash. Tiptap also injects one ``<style>`` element at run time: allow its hash in
``style-src`` (it changes only with the editor's version), or let it be blocked and give
``.prose-editor .ProseMirror`` ProseMirror's base rules (``white-space: pre-wrap`` above all) in
the project's stylesheet.
"""

import re
from html import unescape
from typing import Any

import nh3
from django import forms
from django.conf import settings
from django.forms.widgets import Script
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import ProseEditorWidget
from js_asset import Media

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
# The longest rich text kept (after sanitising): answers, drafts, tickets and tasks alike (X-1, ANS-1).
RICH_TEXT_MAX = 200_000

# The editor's features, in django-prose-editor's "configurable" preset. Every tag they produce is
# in ALLOWED_TAGS (tests/attestation/test_richtext.py checks it); attributes outside the allowlist
# (a table's inline widths, an ordered list's start) are dropped by sanitize().
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Heading": {"levels": [2, 3, 4]},
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
# What an editor leaves behind when everything is deleted: one empty block.
_EMPTY = re.compile(r"<(\w+)>(<br>)?</\1>")


def sanitize(html: str) -> str:
    """Safe HTML for storage; an editor's empty paragraph counts as empty."""
    cleaned = _cleaner.clean(html or "").strip()
    return "" if _EMPTY.fullmatch(cleaned) else cleaned


def plain_length(value: str) -> int:
    """How many visible characters the HTML holds (ANS-2's "at least 10 characters").

    Entities count as the one character they show (``&lt;`` is "<", ``&nbsp;`` is a space).
    """
    return len(" ".join(plain_text(value).split()))


def plain_text(value: str) -> str:
    """The text the HTML shows, entities resolved, without its tags."""
    return unescape(nh3.clean(value or "", tags=set()))


class RichTextWidget(ProseEditorWidget):
    """django-prose-editor's textarea with this project's toolbar and its htmx glue."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"rows": 8, "data-rich-text": "", **(attrs or {})},
            config={"extensions": EDITOR_EXTENSIONS},
            preset="configurable",
        )

    @property
    def media(self) -> forms.Media:
        # The language's words first (window.gettext, read by the editor as its modules load).
        catalog = Media(js=[reverse("javascript-catalog", args=[get_language() or settings.LANGUAGE_CODE])])
        media: forms.Media = catalog + super().media + Media(js=[Script("js/richtext.js", type="module")])
        return media


class RichTextFormField(forms.CharField):
    """A text editor whose value is sanitised before anything else sees it."""

    widget = RichTextWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", RICH_TEXT_MAX)
        kwargs.setdefault("error_messages", {"max_length": _("The text is too long.")})
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        # Before validation, so "required" and "max_length" judge what will be stored.
        return sanitize(super().to_python(value) or "")
