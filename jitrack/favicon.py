"""``/favicon.ico``: browsers ask for it at the site root whatever a page links to (pages link
``favicon.svg`` too, templates/base.html). Served from here rather than redirected to the
static files, so that it answers wherever the static files are served from; the bytes are read
once per process."""

from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent / "static" / "favicon.ico"


@cache
def icon_bytes() -> bytes:
    return ICON.read_bytes()


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    return HttpResponse(icon_bytes(), content_type="image/x-icon")
