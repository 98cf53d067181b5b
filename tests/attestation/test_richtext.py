"""The rich text sanitizer (nh3 allowlist), its visible-length count and the editor's form field."""

import json
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions
from hypothesis import given, settings
from hypothesis import strategies as st

from core.richtext import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    EDITOR_EXTENSIONS,
    RichTextFormField,
    plain_length,
    sanitize,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="position:fixed;inset:0">x</div>',
    '<p onclick="alert(1)">x</p>',
    '<b onmouseover="alert(1)">x</b>',
    '<body onload="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=javascript:alert(1)>x</math>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="javascript:alert(1)">',
    "<!-- <script>alert(1)</script> -->",
    "<!--",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>*{color:red}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<td background="javascript:alert(1)">',
    '<a title="',
    "<a href='",
    "<b",
    "<p",
    "</",
    "<",
    ">",
    '"',
    "'",
    "&",
    "<p><strong>ok</strong>",
    "</p></table>",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "data", "srcdoc", "xlink:href"}
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "svg",
    "math",
    "style",
    "img",
    "object",
    "embed",
    "form",
    "input",
    "meta",
}


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def elements(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


hostile_html = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE)), max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(hostile_html)
def test_sanitized_output_has_no_script_handlers_styles_or_script_urls(value):
    cleaned = sanitize(value)
    lowered = cleaned.lower()

    # "<" is always escaped outside tags (and inside attribute values), so these never hide in text.
    for tag in ("<script", "<iframe", "<svg", "<math", "<style", "<img", "<object", "<embed"):
        assert tag not in lowered
    for tag, attrs in elements(cleaned):
        assert tag in ALLOWED_TAGS
        assert tag not in DANGEROUS_TAGS
        for name, attr_value in attrs:
            assert not name.startswith("on"), (name, cleaned)
            assert name != "style"
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            if name in URL_ATTRIBUTES:
                url = "".join((attr_value or "").split()).lower()
                assert not url.startswith(("javascript:", "data:", "vbscript:")), cleaned
    # Comments are stripped, so nothing can be smuggled in one.
    assert "<!--" not in cleaned


@settings(max_examples=200, deadline=None)
@given(hostile_html)
def test_sanitizing_twice_changes_nothing(value):
    once = sanitize(value)
    assert sanitize(once) == once


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
        '<p style="color:red" onclick="alert(1)">x</p>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
        "</style></mglyph></table></mtext></math>",
        '<a href="data:text/html,alert(1)">x</a>',
        "<!-- comment -->",
    ],
)
def test_each_hostile_fragment_loses_its_payload(fragment):
    cleaned = sanitize(f"<p>before</p>{fragment}<p>after</p>").lower()
    for marker in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "data:",
    ):
        assert marker not in cleaned
    assert cleaned.startswith("<p>before</p>")
    assert cleaned.endswith("<p>after</p>")


@pytest.mark.parametrize(
    "html",
    [
        "<p><strong>a</strong> <em>b</em></p>",
        "<p><u>u</u> <s>s</s> H<sub>2</sub>O x<sup>2</sup></p>",
        "<ul><li><p>one</p></li><li><p>two</p></li></ul>",
        "<ol><li>first</li><li>second</li></ol>",
        "<h2>Title</h2><h3>Sub</h3><h4>Subsub</h4>",
        "<blockquote><p>quoted</p></blockquote>",
        "<p>line<br>break</p>",
        '<table><tbody><tr><th colspan="2">head</th></tr>'
        '<tr><td>a</td><td rowspan="1">b</td></tr></tbody></table>',
        "<p>Қазақстан Республикасы — «сұрақ» № 5 &amp; 6 &lt; 7</p>",
    ],
)
def test_ordinary_formatting_survives(html):
    assert sanitize(html) == html


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            '<a href="https://example.kz/a?b=1&amp;c=2">x</a>',
            '<a href="https://example.kz/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="http://example.kz">x</a>',
            '<a href="http://example.kz" rel="noopener noreferrer nofollow">x</a>',
        ),
        ('<a href="mailto:a@b.kz">x</a>', '<a href="mailto:a@b.kz" rel="noopener noreferrer nofollow">x</a>'),
        # What the editor sends for a link opened in a new tab: the target and its rel are replaced.
        (
            '<a target="_blank" rel="noopener" href="https://example.kz">x</a>',
            '<a href="https://example.kz" rel="noopener noreferrer nofollow">x</a>',
        ),
    ],
)
def test_links_keep_safe_urls_and_get_a_safe_rel(link, expected):
    assert sanitize(f"<p>{link}</p>") == f"<p>{expected}</p>"


def test_editor_table_markup_keeps_its_structure_without_inline_styles():
    editor_html = (
        '<table style="min-width: 50px"><colgroup><col style="min-width: 25px"><col></colgroup>'
        '<tbody><tr><th colspan="1" rowspan="1"><p>Q</p></th></tr>'
        '<tr><td colspan="1" rowspan="1"><p>A</p></td></tr></tbody></table>'
    )
    assert sanitize(editor_html) == (
        '<table><tbody><tr><th colspan="1" rowspan="1"><p>Q</p></th></tr>'
        '<tr><td colspan="1" rowspan="1"><p>A</p></td></tr></tbody></table>'
    )


@pytest.mark.parametrize(
    "empty", ["", None, "<p></p>", "<p><br></p>", "<h2></h2>", "  <p></p>\n", "<script>x</script>"]
)
def test_an_empty_editor_is_stored_as_empty(empty):
    assert sanitize(empty) == ""


def test_an_empty_paragraph_among_text_is_kept():
    assert sanitize("<p>a</p><p></p>") == "<p>a</p><p></p>"


@pytest.mark.parametrize(
    ("html", "length"),
    [
        ("<p>Hello <b>world</b></p>", 11),
        ("", 0),
        (None, 0),
        ("<p></p>", 0),
        ("<p>  spaced \n  out  </p>", len("spaced out")),
        ("<p>Сәлем, әлем!</p>", len("Сәлем, әлем!")),
        ("<p>a &amp; b</p>", 5),
        ("<p>&lt;&lt;&lt;</p>", 3),
        ("<p>a&nbsp;&nbsp;b</p>", 3),
        ("<p>x</p><script>long hidden script</script>", 1),
    ],
)
def test_plain_length_counts_visible_characters(html, length):
    assert plain_length(html) == length


def test_every_tag_the_editor_can_produce_is_allowed():
    produced = allowlist_from_extensions(EDITOR_EXTENSIONS)["tags"]
    assert produced <= ALLOWED_TAGS, produced - ALLOWED_TAGS


class QuestionsForm(forms.Form):
    body = RichTextFormField(label="Questions")


def test_form_field_cleans_hostile_html():
    hostile = (
        '<p onclick="alert(1)">Hi <strong>there</strong></p>'
        "<script>alert(1)</script><img src=x onerror=alert(1)>"
    )
    assert RichTextFormField().clean(hostile) == "<p>Hi <strong>there</strong></p>"


def test_form_returns_sanitised_html_in_cleaned_data():
    form = QuestionsForm({"body": '<p>ok</p><a href="javascript:alert(1)">x</a>'})
    assert form.is_valid()
    assert form.cleaned_data["body"] == '<p>ok</p><a rel="noopener noreferrer nofollow">x</a>'


def test_required_field_refuses_an_editor_that_only_holds_an_empty_paragraph():
    field = RichTextFormField(required=True)
    with pytest.raises(forms.ValidationError):
        field.clean("<p></p>")
    with pytest.raises(forms.ValidationError):
        field.clean("<script>alert(1)</script>")


def test_widget_is_the_prose_editor_with_the_configurable_preset():
    html = str(QuestionsForm()["body"])
    assert "data-django-prose-editor-configurable" in html
    assert "&quot;Heading&quot;:{&quot;levels&quot;:[2,3,4]}" in html
    assert "required" not in html


def test_form_media_brings_the_editor_and_the_htmx_glue():
    media = str(QuestionsForm().media)
    assert '<script type="importmap">' in media
    assert "django_prose_editor/configurable.js" in media
    assert "django_prose_editor/editor.css" in media
    assert '<script src="/static/js/richtext.js" type="module"></script>' in media


@pytest.mark.req("X-8")
@pytest.mark.parametrize(("language", "word"), [("kk", "Қалың"), ("ru", "Полужирный"), ("en", "Bold")])
def test_the_javascript_catalogue_carries_the_editors_words(client, db, language, word):
    response = client.get(reverse("javascript-catalog", args=[language]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert json.dumps(word)[1:-1] in response.content.decode() or language == "en"  # JSON, \\u-escaped
    assert "max-age=3600" in response["Cache-Control"]
    assert client.get("/jsi18n/xx/").status_code == 404
