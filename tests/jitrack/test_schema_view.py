"""/api/schema/ is generated once per process, language and host, then served from memory."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from jitrack.schemaview import SchemaView

pytestmark = pytest.mark.django_db


def test_the_schema_is_generated_once_and_then_served_as_it_was(client, monkeypatch):
    monkeypatch.setattr(SchemaView, "_generated", {})
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    first = client.get("/api/schema/")
    second = client.get("/api/schema/")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert b"/api/projects/" in first.content
    assert len(calls) == 1
    other = client.get("/api/schema/", HTTP_HOST="localhost")  # another host: its own document
    assert other.status_code == 200
    assert len(calls) == 2
