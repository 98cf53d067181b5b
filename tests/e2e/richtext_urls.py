"""Test-only URLconf: a page with a rich text form inside a <dialog>, on the project's base template.

Used by tests/e2e/test_richtext_browser.py through ``@pytest.mark.urls``. The project's own URLs
stay available, so ``base.html`` renders as on real pages.
"""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from core.richtext import RichTextFormField, sanitize

# What the view received after the form's clean(), in order (the live server shares the process).
RECEIVED: list[str] = []

XSS = '<p>x</p><img src=x onerror="window.__xss=1">'


class QuestionsForm(forms.Form):
    body = RichTextFormField(label="Questions")


# Like the tickets page: a dialog opened by stream-page.js; the form posts through htmx (hx-boost)
# and the whole #rt-page is swapped with the answer, a fresh dialog and editor included.
PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load static %}
{% block content %}
<script src="{% static 'js/stream-page.js' %}" defer></script>
{{ form.media }}
<div id="rt-page" hx-boost="true" hx-target="#rt-page" hx-select="#rt-page" hx-swap="outerHTML">
  <h1>Rich text</h1>
  {% if received is not None %}<output id="received">{{ received }}</output>{% endif %}
  <button type="button" data-open-dialog="dialog-rt">Add</button>
  <a id="next" href="?step={{ next_step }}">Next step</a>
  <div id="swap-here"></div>
  <button type="button" id="load-fragment" hx-get="/rt/fragment/" hx-target="#swap-here"
          hx-select="unset" hx-swap="innerHTML">Load another editor</button>
  <dialog id="dialog-rt" class="wide" aria-labelledby="dialog-rt-title">
    <form method="post" action="/rt/" novalidate>
      {% csrf_token %}
      <h2 id="dialog-rt-title">Questions by ticket</h2>
      {% include "partials/field.html" with field=form.body %}
      <div class="actions"><button type="submit" class="primary">Save</button>
        <button type="button" data-close-dialog>Cancel</button></div>
    </form>
  </dialog>
</div>
{% endblock %}"""
)

FRAGMENT = engines["django"].from_string(
    """<form id="fragment-form">{% include "partials/field.html" with field=form.body %}</form>"""
)

# How real pages show stored rich text: ``{{ body|safe }}`` of a sanitised value.
XSS_PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block content %}
{{ form.media }}
<div class="rich" id="shown">{{ shown|safe }}</div>
<form>{% include "partials/field.html" with field=form.body %}</form>
{% endblock %}"""
)


def rich_text_page(request):
    received = None
    if request.method == "POST":
        form = QuestionsForm(request.POST)
        assert form.is_valid(), form.errors
        received = form.cleaned_data["body"]
        RECEIVED.append(received)
        form = QuestionsForm(initial={"body": received})
    else:
        form = QuestionsForm()
    step = int(request.GET.get("step", 1))
    context = {"form": form, "received": received, "next_step": step + 1}
    return HttpResponse(PAGE.render(context, request))


def fragment(request):
    form = QuestionsForm(auto_id="fragment_%s", initial={"body": "<p>swapped in</p>"})
    return HttpResponse(FRAGMENT.render({"form": form}, request))


def xss_page(request):
    """``?mode=sanitised`` as real pages; ``editor-raw`` feeds the editor unsanitised HTML;
    ``shown-raw`` is the control: the payload shown unsanitised must run, or the test proves nothing.
    """
    mode = request.GET.get("mode", "sanitised")
    editor_value = XSS if mode == "editor-raw" else sanitize(XSS)
    shown = XSS if mode == "shown-raw" else sanitize(XSS)
    form = QuestionsForm(initial={"body": editor_value})
    response = HttpResponse(XSS_PAGE.render({"form": form, "shown": shown}, request))
    if mode == "shown-raw":
        # The control must show the sanitiser's absence alone, without the CSP's second line of
        # defence (which would block the inline handler anyway): a view-set policy is kept as is.
        response["Content-Security-Policy"] = "default-src 'self' 'unsafe-inline'"
    return response


urlpatterns = [
    path("rt/", rich_text_page),
    path("rt/fragment/", fragment),
    path("rt/xss/", xss_page),
    *project_urlpatterns,
]
