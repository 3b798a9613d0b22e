"""API plumbing: one error shape, ``{"code", "detail"}``, for every refusal."""

import functools
import json

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, parsers, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from jitrack.errors import DomainError
from jitrack.text import NUL_MESSAGE, nul_field


def _first_message(detail) -> tuple[str, str | None]:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message, _ = _first_message(value)
            return (message if field == "non_field_errors" else f"{field}: {message}"), field
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail), None


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def too_large_body(exc) -> dict | None:
    """The error body for Django's refusals of a request too large to read (its body, its number
    of fields or of files), or None for any other exception."""
    if isinstance(exc, RequestDataTooBig):
        detail = "The request body is too large."
    elif isinstance(exc, TooManyFieldsSent):
        detail = "The request has too many fields."
    elif isinstance(exc, TooManyFilesSent):
        detail = "The request has too many files."
    else:
        return None
    return {"code": "too_large", "detail": detail}


def error_response(status_code: int, code: str, detail: str) -> JsonResponse:
    """A ``{"code", "detail"}`` answer from outside DRF (the URL root's error handlers)."""
    return JsonResponse({"code": code, "detail": detail}, status=status_code)


GENERIC_AUTH_CODES = ("not_authenticated", "authentication_failed")


def exception_handler(exc, context):
    too_large = too_large_body(exc)
    if too_large is not None:
        return Response(too_large, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return Response({"code": "bad_request", "detail": "Bad request."}, status=400)
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.detail}
        if exc.field:
            body["field"] = exc.field
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        return Response({"code": "not_found", "detail": "Not found."}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"code": "forbidden", "detail": "You may not do this."}, status=403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message, field = _first_message(exc.detail)
        body = {"code": "invalid", "detail": message, "errors": exc.detail}
        if field and field != "non_field_errors":
            body["field"] = field
        response.data = body
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF's generic codes are one to clients; a specific reason (token_expired) stands.
        specific = exc.get_codes()
        code = specific if specific not in GENERIC_AUTH_CODES else "not_authenticated"
    detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
    response.data = {"code": str(code), "detail": str(detail)}
    return response


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf`` on a PDF download (the view returns the
    file itself); an error body is still JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


PDF_RENDERERS = [renderers.JSONRenderer, PDFRenderer]


def refuse_nul(data):
    """``data`` as parsed, or a 400 naming the field when it holds a NUL anywhere, names
    included (jitrack.text): refused here, no serializer field can pass one to the database."""
    field = nul_field(data)
    if field is None:
        return data
    raise serializers.ValidationError({field: [NUL_MESSAGE]} if field else [NUL_MESSAGE])


def refuse_oversize(parser_context, limit: int) -> None:
    """A 413 before reading a body its ``Content-Length`` says is larger than ``limit``."""
    request = (parser_context or {}).get("request")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        length = 0
    if length > limit:
        raise TooLarge()


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested too deeply is a 400 (DRF lets the decoder's
    RecursionError through: a server error), and so is a NUL."""

    def parse(self, stream, media_type=None, parser_context=None):
        refuse_oversize(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        return refuse_nul(data)


class SafeFormParser(parsers.FormParser):
    """DRF's form parser; a NUL in a field is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        refuse_oversize(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return refuse_nul(super().parse(stream, media_type, parser_context))


class SafeMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; a NUL in a field other than a file is a 400 (Django drops control
    characters from file names)."""

    def parse(self, stream, media_type=None, parser_context=None):
        # The largest file, with room for the other fields: anything longer cannot be accepted.
        refuse_oversize(
            parser_context, settings.UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data)
        return parsed


MAX_ID = 2**62  # larger numbers are not ids; refused here rather than by the database driver


class ErrorSerializer(serializers.Serializer):
    """Every refusal: a machine-readable ``code`` and a sentence for people."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The input field at fault, if one.")
    errors = serializers.JSONField(
        required=False, help_text="Invalid input: every message, by field (code ``invalid``)."
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated (or a bad token)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your role"),
    404: OpenApiResponse(ErrorSerializer, description="No such object (or not visible to you)"),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state"),
    413: OpenApiResponse(ErrorSerializer, description="Request too large"),
    415: OpenApiResponse(ErrorSerializer, description="Unsupported media type"),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; try again later"),
}
# Every API body goes through these (and settings.REST_FRAMEWORK's defaults, the same three).
MULTIPART = [SafeMultiPartParser, SafeFormParser]
JSON_OR_MULTIPART = [SafeJSONParser, SafeMultiPartParser, SafeFormParser]


def responses(ok: int, serializer) -> dict:
    """``ok`` and the refusals of an act (jitrack.apischema adds what the view's shape adds)."""
    return {ok: serializer, **{code: ERRORS[code] for code in (400, 401, 403, 404, 409)}}


@functools.cache
def page_of(serializer_class) -> type[serializers.Serializer]:
    """The schema of one page of ``serializer_class`` rows as DRF's ``PageNumberPagination``
    answers it, for a view that pages by hand (drf-spectacular pages only generic list views).
    """
    name = serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}ListSerializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="A page number within the list."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page (at most 100)."),
]


def validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer
