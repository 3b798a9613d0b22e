"""The language of a request (issue 6): the pages follow the visitor, the API stays English."""

import functools

from django.conf import settings
from django.middleware import locale
from django.utils import translation

API_PREFIX = "/api/"


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware (language cookie set by ``set_language``, then
    Accept-Language), except under /api/: API clients read ``detail`` messages and labels in
    the documented English whatever their Accept-Language, and DRF and Django ship their own
    translations of validation and authentication messages that would otherwise follow it."""

    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(API_PREFIX):
            response.headers.setdefault("Content-Language", settings.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)


def in_official_language(func):
    """Run ``func`` in the official language (``LANGUAGE_CODE``), whatever the viewer's.

    The record is written once for everybody: generated PDFs (F-JI-DRep, F-JI-VRep, invoices,
    the JISC's forms), texts stored with a project (the comment summary, default document
    titles) and notification e-mails do not follow the language of the page that caused them.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


@in_official_language
def official(text) -> str:
    """A (lazy) label as stored text, in the official language."""
    return str(text)
