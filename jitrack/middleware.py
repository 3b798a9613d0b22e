"""Request hygiene shared by every page and API endpoint."""

from django.http import HttpResponse, JsonResponse


class RejectNulBytesMiddleware:
    """A NUL byte in the path is never part of a key, and PostgreSQL refuses it in a string
    literal (a server error). Answer 404 before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            # No object's key contains one: answer as for any unknown object.
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
            return HttpResponse("Not found.", status=404, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        # The path is checked here. A page's query and form fields are validated by its form
        # (Django refuses a NUL in every CharField and model choice, on the field); an API body,
        # wherever it holds one, by the parsers of jitrack.api. An unknown query parameter is
        # ignored, whatever it holds.
        return "\x00" in request.path
