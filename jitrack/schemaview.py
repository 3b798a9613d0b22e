"""``/api/schema/``: drf-spectacular's schema view, generating the schema once per process.

The schema depends only on the code and the language (``SERVE_PUBLIC``: the same for every
viewer), and generating it walks every view (about a second), so each process keeps the
document it generated for a (version, language, host) and answers from it afterwards.
"""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    _generated: dict[tuple, dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language(), request.scheme, request.get_host())
        schema = self._generated.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            self._generated[key] = schema
        filename = self._get_filename(request, version)
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
