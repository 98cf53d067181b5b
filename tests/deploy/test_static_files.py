"""Static files carry their content's hash in their names (config/settings.py, STORAGES): after a
release no browser runs last week's exam.js against new pages — the changed file has a new URL, which
nginx serves as immutable (deploy/nginx; through it: tests/e2e/test_deployment.py). Without DEBUG the
pages name the hashed files; with DEBUG (`make demo`) the plain ones, with no collectstatic."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.management import call_command
from django.templatetags.static import static

SOURCE = Path(django_settings.BASE_DIR) / "static"
PRODUCTION_STORAGES = {
    **django_settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture
def release(settings, tmp_path):
    """``release()`` runs collectstatic over a copy of static/ (changed between calls at will) into a
    fresh STATIC_ROOT, as a release does, and returns the copy's folder."""
    source = tmp_path / "static"
    shutil.copytree(SOURCE, source)
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = PRODUCTION_STORAGES
    settings.DEBUG = False

    def _release():
        call_command("collectstatic", interactive=False, verbosity=0)
        return ManifestStaticFilesStorage()  # reads the manifest just written

    _release.source = source
    return _release


def test_the_project_settings_hash_static_files():
    from config import settings as project_settings

    assert project_settings.STORAGES["staticfiles"] == PRODUCTION_STORAGES["staticfiles"]


def test_a_changed_exam_js_gets_a_new_url(release):
    before = release()
    old_url, other = before.url("js/exam.js"), before.url("js/live.js")
    assert old_url.startswith("/static/js/exam.") and old_url != "/static/js/exam.js"

    exam = release.source / "js" / "exam.js"
    exam.write_text(exam.read_text() + "\n// the next release\n")
    after = release()

    new_url = after.url("js/exam.js")
    assert new_url != old_url
    assert after.url("js/live.js") == other  # an unchanged file keeps its URL (still cached)
    root = Path(django_settings.STATIC_ROOT)
    assert "the next release" in (root / new_url.removeprefix("/static/")).read_text()
    assert (root / old_url.removeprefix("/static/")).exists()  # a page of the last release still loads


@pytest.mark.django_db
def test_pages_name_the_hashed_files(release, client):
    storage = release()
    html = client.get("/login/", secure=True).content.decode()
    for name in ("css/app.css", "js/menu.js", "django_htmx/htmx-2.min.js"):
        assert f'"{storage.url(name)}"' in html
        assert f'"/static/{name}"' not in html


@pytest.mark.django_db
def test_debug_serves_plain_names_without_collectstatic(settings, client, tmp_path):
    """`make demo`: runserver serves static/ itself; nothing was collected."""
    settings.STORAGES = PRODUCTION_STORAGES
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.DEBUG = True
    assert static("js/exam.js") == "/static/js/exam.js"
    html = client.get("/login/").content.decode()
    assert '"/static/css/app.css"' in html
