"""The translations the pages' scripts read (Django's JavaScript catalogue, domain "djangojs").

django-prose-editor asks ``window.gettext`` for the words of its dialogs, and core/richtext.js for
the toolbar's titles: this project's Kazakh and Russian live in ``locale/*/LC_MESSAGES/djangojs.po``.
The language is in the address, so each language's catalogue is cached on its own, by the server and
by the browser; pages name their language's address (``RichTextWidget.media``).
"""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation
from django.views.decorators.cache import cache_control, cache_page
from django.views.i18n import JavaScriptCatalog

LANGUAGES = {code for code, _name in settings.LANGUAGES}
_catalog = JavaScriptCatalog.as_view(packages=["django_prose_editor"])


@cache_control(public=True, max_age=3600)
@cache_page(3600, key_prefix="jsi18n")
def javascript_catalog(request: HttpRequest, language: str) -> HttpResponseBase:
    if language not in LANGUAGES:
        raise Http404
    with translation.override(language):
        return _catalog(request)
