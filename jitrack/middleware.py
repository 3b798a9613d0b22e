"""Request hygiene shared by every page and API endpoint."""

import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


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


# --- the database unreachable ------------------------------------------------------------------

# How long a client is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 30
# SQLSTATEs a PostgreSQL server sends when it cannot serve a connection: class 08 (connection
# exception), 57P01-57P03 (shutting down, crashed, starting up), 53300 (too many connections).
_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03", "53300")
logger = logging.getLogger("jitrack.db")


def is_connection_error(exc: BaseException) -> bool:
    """The database could not be reached, or the connection was lost: not an error in what was
    asked. A serialization failure or a deadlock (SQLSTATE 40001, 40P01) is also an
    OperationalError, but it says the request met another one, not that the database is down;
    so is a cancelled statement (57014) or a row lock not available (55P03)."""
    if isinstance(exc, InterfaceError):  # the connection was already closed
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if hasattr(cause, "pgcode"):  # psycopg2: no code when the client could not talk to a server
        code = cause.pgcode
        return code is None or code.startswith("08") or code in _UNAVAILABLE_SQLSTATES
    # SQLite has no server: its file cannot be opened. "database is locked" is a busy database.
    return "unable to open database file" in str(exc)


class DatabaseUnavailableMiddleware:
    """A request that meets an unreachable database answers 503 with Retry-After: a short page
    for the site, ``{"code": "service_unavailable", "detail": …}`` under /api/.

    Nothing is left half-written: every act runs in one ``transaction.atomic()`` block (its
    domain function's), so a connection lost before COMMIT takes the whole act with it: the
    server rolls back what it had not committed. Django closes the broken connection at the end
    of the request and the next request connects again. The page is rendered without the
    database (no session, no user, no context processors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_connection_error(exception):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        detail = _(
            "The database cannot be reached just now, so this request was not carried out. "
            "Try again in a minute."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "service_unavailable", "detail": detail}, status=503)
        else:
            body = render_to_string(
                "503.html", {"detail": detail, "retry_after": RETRY_AFTER_SECONDS}
            )
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


# --- sessions that end after a time without requests -------------------------------------------

_RENEWED = "_jitrack_renewed"  # when the session's expiry was last pushed back (epoch seconds)
# A session is renewed at most this often: its idle limit is SESSION_COOKIE_AGE minus at most
# this, and an active user's session is written at most once in this time, not on every page.
RENEW_EVERY_SECONDS = 300


class SlidingSessionMiddleware:
    """SESSION_COOKIE_AGE as a limit on inactivity: a signed-in user's session is saved again
    (which pushes its expiry back by SESSION_COOKIE_AGE) once RENEW_EVERY_SECONDS have passed
    since it was last saved. Django's SESSION_SAVE_EVERY_REQUEST would write the session on
    every request. Sits just inside SessionMiddleware, which saves it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500:
            return response
        now = int(time.time())
        if session.modified:
            # Saved anyway (a login, a message): record it at no cost.
            if not session.is_empty():
                session[_RENEWED] = now
        elif settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in session:
            renewed = session.get(_RENEWED)
            # A session without the mark (e.g. from before this middleware) keeps its expiry.
            if isinstance(renewed, int) and now - renewed >= RENEW_EVERY_SECONDS:
                session[_RENEWED] = now
        return response
