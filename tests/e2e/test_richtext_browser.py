"""In real Chromium: the rich text editor (django-prose-editor) inside a native <dialog>, with htmx.

The page (tests/e2e/richtext_urls.py) is built like the tickets page: the project's base template,
``{{ form.media }}`` once, a dialog opened by stream-page.js, a form posted through hx-boost that
swaps the whole page region, editor included.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import richtext_urls

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.e2e.richtext_urls")]

LIVE_EDITOR = (
    "(selector) => Boolean(document.querySelector(selector + ' .prose-editor > .ProseMirror')?.editor)"
)


@pytest.fixture(autouse=True)
def _fresh_received():
    richtext_urls.RECEIVED.clear()
    yield
    richtext_urls.RECEIVED.clear()


def wait_for_live_editor(page, selector):
    page.wait_for_function(LIVE_EDITOR, arg=selector)


def open_dialog(page):
    page.get_by_role("button", name="Add").click()
    dialog = page.locator("#dialog-rt")
    expect(dialog).to_be_visible()
    return dialog


def test_editor_in_dialog_sends_bold_text_as_sanitised_html(new_page, screenshot):
    page = new_page()
    page.goto("/rt/")
    dialog = open_dialog(page)

    editor = dialog.get_by_role("textbox", name="Questions")
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("contenteditable", "true")
    expect(dialog.locator("textarea[name=body]")).to_be_hidden()
    # The label points at the hidden textarea; clicking it still puts the cursor in the editor.
    dialog.locator("label[for=id_body]").click()
    expect(editor).to_be_focused()  # Tiptap moves the focus on the next animation frame
    page.keyboard.type("Hello world")
    expect(editor).to_have_text("Hello world")  # every key has landed before the selection moves
    for _ in range(len("world")):
        page.keyboard.press("Shift+ArrowLeft")
    dialog.get_by_role("button", name="Қалың", exact=True).click()  # the page is in Kazakh: so is the toolbar
    expect(editor.locator("strong")).to_have_text("world")
    screenshot(page, "bold-in-dialog")

    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#received")).to_have_text("<p>Hello <strong>world</strong></p>")
    assert richtext_urls.RECEIVED == ["<p>Hello <strong>world</strong></p>"]


def test_keyboard_formatting_and_a_tampered_post_are_sanitised_on_the_server(new_page):
    page = new_page()
    page.goto("/rt/")
    dialog = open_dialog(page)
    dialog.get_by_role("textbox", name="Questions").click()
    page.keyboard.type("Plain ")
    page.keyboard.press("Control+b")
    page.keyboard.type("bold")
    page.keyboard.press("Control+b")
    expect(dialog.locator("textarea[name=body]")).to_have_value("<p>Plain <strong>bold</strong></p>")

    # A hand-made request: whatever the browser sends, the form field cleans it.
    dialog.locator("textarea[name=body]").evaluate(
        """(textarea) => { textarea.value +=
            '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
            + '<a href="javascript:alert(1)" onclick="alert(2)">link</a><p style="color:red">x</p>'; }"""
    )
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#received")).to_be_attached()
    assert richtext_urls.RECEIVED == [
        '<p>Plain <strong>bold</strong></p><a rel="noopener noreferrer nofollow">link</a><p>x</p>'
    ]
    assert page.evaluate("() => window.__xss") is None


def test_editors_swapped_in_by_htmx_start_and_keep_their_content(new_page):
    page = new_page()
    page.goto("/rt/")
    dialog = open_dialog(page)
    dialog.get_by_role("textbox", name="Questions").click()
    page.keyboard.type("First")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#received")).to_have_text("<p>First</p>")

    # The POST answer replaced #rt-page (dialog and textarea included) without {{ form.media }}.
    wait_for_live_editor(page, "#dialog-rt")
    dialog = open_dialog(page)
    editor = dialog.get_by_role("textbox", name="Questions")
    expect(editor).to_have_text("First")
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" and second")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#received")).to_have_text("<p>First and second</p>")
    assert richtext_urls.RECEIVED == ["<p>First</p>", "<p>First and second</p>"]

    # A fragment loaded by hx-get gets its own editor, with its initial value.
    wait_for_live_editor(page, "#dialog-rt")
    page.get_by_role("button", name="Load another editor").click()
    wait_for_live_editor(page, "#swap-here")
    swapped = page.locator("#swap-here").get_by_role("textbox", name="Questions")
    expect(swapped).to_have_text("swapped in")
    swapped.click()
    page.keyboard.press("End")
    page.keyboard.type("!")
    expect(page.locator("#fragment_body")).to_have_value("<p>swapped in!</p>")
    expect(page.locator("#swap-here .prose-editor")).to_have_count(1)


def test_editor_is_live_again_after_htmx_history_restore(new_page):
    page = new_page()
    page.goto("/rt/")
    wait_for_live_editor(page, "#dialog-rt")
    page.get_by_role("link", name="Next step").click()
    expect(page).to_have_url(re.compile(r"/rt/\?step=2$"))
    wait_for_live_editor(page, "#dialog-rt")

    # htmx restores its snapshot of the page: a copy of the editor's markup, nothing behind it.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/rt/$"))
    wait_for_live_editor(page, "#dialog-rt")
    expect(page.locator("#dialog-rt .prose-editor")).to_have_count(1)
    dialog = open_dialog(page)
    dialog.get_by_role("textbox", name="Questions").click()
    page.keyboard.type("Back again")
    expect(dialog.locator("textarea[name=body]")).to_have_value("<p>Back again</p>")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("sanitised", None),  # as real pages: the stored value went through sanitize()
        ("editor-raw", None),  # unsanitised HTML given to the editor: parsed inertly, not run
        ("shown-raw", 1),  # control: shown unsanitised, the payload runs, so the check can see it
    ],
)
def test_stored_payload_never_runs(new_page, mode, expected):
    page = new_page()
    page.goto(f"/rt/xss/?mode={mode}")
    wait_for_live_editor(page, "form")
    if expected is None:
        # An <img src=x> errors at once; give it every chance to.
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
    else:
        page.wait_for_function("() => window.__xss !== undefined")
    assert page.evaluate("() => window.__xss") == expected
    expect(page.get_by_role("textbox", name="Questions")).to_have_text("x")
    expect(page.locator(".prose-editor img")).to_have_count(0)
    if mode == "sanitised":
        expect(page.locator("#shown")).to_have_js_property("innerHTML", "<p>x</p>")
