"""Interactive API docs without a CDN: Swagger UI's files come from the installed django-ninja.

Exam rooms may have poor internet and the design forbids run-time CDNs, and "ninja" is not an
installed app here, so its static files are served by a small view from the package directory.
"""

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}


class LocalSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        html = render_to_string(
            "api/docs.html",
            {
                "api": api,
                "openapi_url": reverse("api:v1:openapi-json"),
                "settings_json": self.settings_json(),
            },
            request=request,
        )
        response = HttpResponse(html)
        # Swagger UI sets inline styles as it renders; scripts stay limited to our own files.
        response["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        return response

    @staticmethod
    def settings_json():
        import json

        return json.dumps(
            {"url": reverse("api:v1:openapi-json"), "layout": "BaseLayout", "deepLinking": True}
        )


def docs_asset(request, name):
    if name not in ASSETS:
        raise Http404
    response = FileResponse(open(ASSET_DIR / name, "rb"), content_type=ASSETS[name])  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response
