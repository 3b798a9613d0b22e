"""The URL root's error views (``handler400`` … ``handler500`` in ``registry.site_urls``): under
``/api/`` the API's ``{"code", "detail"}`` body, elsewhere Django's pages (templates/404.html …).

They answer what no view did: an unknown path, a body too large to read, an uncaught error.
"""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .api import error_response, too_large_body

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Django answers a body too large to read (RequestDataTooBig and its kin) as a 400: it is a
    # 413, Content Too Large.
    too_large = too_large_body(exception)
    if too_large is not None:
        if is_api(request):
            return error_response(413, too_large["code"], too_large["detail"])
        page = defaults.ERROR_PAGE_TEMPLATE % {
            "title": "Request too large (413)",
            "details": too_large["detail"],
        }
        return HttpResponse(page, status=413)
    if is_api(request):
        return error_response(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api(request):
        return error_response(403, "forbidden", "You may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api(request):
        return error_response(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return error_response(500, "server_error", "Server error.")
    return defaults.server_error(request)
