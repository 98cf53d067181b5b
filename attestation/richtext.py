"""Rich text: every stored HTML goes through nh3 with one allowlist, so XSS cannot be stored.

Teachers paste questions from Word; students type answers. Both become a small, safe subset of
HTML: paragraphs, emphasis, lists, headings, tables, links (http/https/mailto) and line breaks.
"""

import nh3
from django import forms
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitize(html: str) -> str:
    """Safe HTML for storage; an editor's empty paragraph counts as empty."""
    cleaned = _cleaner.clean(html or "").strip()
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


def plain_length(html: str) -> int:
    """How many visible characters the HTML holds (ANS-2's "at least 10 characters")."""
    return len(" ".join(nh3.clean(html or "", tags=set()).split()))


class RichTextFormField(forms.CharField):
    """A text editor whose value is sanitised before anything else sees it."""

    widget = forms.Textarea(attrs={"rows": 8, "data-rich-text": ""})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200_000)
        kwargs.setdefault("error_messages", {"max_length": _("The text is too long.")})
        super().__init__(*args, **kwargs)

    def clean(self, value):
        return sanitize(super().clean(value))
