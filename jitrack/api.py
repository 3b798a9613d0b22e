"""API plumbing: one error shape, ``{"code", "detail"}``, for every refusal."""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
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


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.detail}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
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
        code = "not_authenticated"
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


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested too deeply is a 400 (DRF lets the decoder's
    RecursionError through: a server error), and so is a NUL."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        return refuse_nul(data)


class SafeFormParser(parsers.FormParser):
    """DRF's form parser; a NUL in a field is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_nul(super().parse(stream, media_type, parser_context))


class SafeMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; a NUL in a field other than a file is a 400 (Django drops control
    characters from file names)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data)
        return parsed


MAX_ID = 2**62  # larger numbers are not ids; refused here rather than by the database driver


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your role"),
    404: OpenApiResponse(ErrorSerializer, description="No such object (or not visible to you)"),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state"),
}
# Every API body goes through these (and settings.REST_FRAMEWORK's defaults, the same three).
MULTIPART = [SafeMultiPartParser, SafeFormParser]
JSON_OR_MULTIPART = [SafeJSONParser, SafeMultiPartParser, SafeFormParser]


def responses(ok: int, serializer) -> dict:
    return {ok: serializer, **ERRORS}


def validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer
