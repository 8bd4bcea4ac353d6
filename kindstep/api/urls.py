"""Server mode's API addresses: ``/api/`` (kindstep/api/routes.py), and the Settings page's
tokens (kindstep/api/pages.py). Added to web/urls.py only in server mode."""

from django.http import JsonResponse
from django.urls import path, re_path

from kindstep.api import pages
from kindstep.api.routes import api


def _no_such_route(request, rest=""):
    """Any other address under /api/: JSON like the API's own answers, never an HTML page."""
    return JsonResponse({"detail": "The kindstep API has no such address; docs/api.md lists "
                                   "them, and /api/openapi.json describes them."}, status=404)


urlpatterns = [
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", _no_such_route),
    path("settings/tokens/", pages.tokens_page, name="api_tokens"),
]
