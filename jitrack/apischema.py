"""The API's OpenAPI schema class (settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).

Apart from ``jitrack.api``: drf-spectacular's ``openapi`` module imports DRF's views, which import
the parsers of ``jitrack.api`` named in the settings (a circular import).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import authentication, permissions

from .api import ERRORS

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with every refusal an operation can answer documented in one
    place, from what the view is: its method, body, parameters, authentication, permissions and
    throttles. A view's own ``@extend_schema`` responses win."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in sorted(self.error_codes(operation)):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ERRORS[code], str(code))
        return operation

    def error_codes(self, operation) -> set[int]:
        view = self.view
        where = {p.get("in") for p in operation.get("parameters", [])}
        auth_classes = view.authentication_classes
        permission_classes = view.permission_classes
        codes = set()
        if "requestBody" in operation or self.method in UNSAFE:
            codes |= {400, 409, 413, 415}
        if "query" in where:
            codes.add(400)  # a filter, a page size
        if "path" in where or "query" in where:
            codes.add(404)  # no such object, or no such page
        if auth_classes:
            codes.add(401)  # a bad or expired token, on any endpoint
        if any(c is not permissions.AllowAny for c in permission_classes) or (
            self.method in UNSAFE
            and any(issubclass(c, authentication.SessionAuthentication) for c in auth_classes)
        ):
            codes.add(403)  # a role's refusal, or a session's missing CSRF token
        if view.throttle_classes:
            codes.add(429)
        return codes
