"""Every answer under /api/ is JSON with the house body ``{"code", "detail"}``, whatever refuses
the request: an unknown path, a method, a body too large, an uncaught error."""

import io
import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import api as projects_api
from tests.support import assert_error, client_for

pytestmark = pytest.mark.django_db

TOO_LARGE = 6 * 1024 * 1024  # above DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB)


@pytest.mark.parametrize(
    "path", ["/api/nope/", "/api/nope", "/api/projects/0001/nope/", "/api/parties/UA/nope/"]
)
def test_unknown_api_path_is_a_json_404(anon, path):
    assert_error(anon.get(path), 404, "not_found")
    assert_error(anon.post(path, {}, format="json"), 404, "not_found")


def test_unknown_page_is_still_a_page(client, db):
    r = client.get("/nope/")
    assert r.status_code == 404
    assert r["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_method_on_the_api_is_a_json_405_with_allow(anon, method):
    r = getattr(anon, method)("/api/parties/")
    assert_error(r, 405, "method_not_allowed")
    assert r["Allow"] == "GET, HEAD, OPTIONS"


def test_post_to_a_read_only_endpoint_is_a_json_405(secretariat):
    r = client_for(secretariat).post("/api/scopes/", {}, format="json")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" not in r["Allow"] and "GET" in r["Allow"]


def test_json_body_too_large_is_413_and_changes_nothing(anon, participant):
    body = json.dumps({"username": "participant", "password": "x" * TOO_LARGE})
    r = anon.post("/api/auth/token/", body, content_type="application/json")
    assert_error(r, 413, "too_large")
    assert not Token.objects.filter(user=participant).exists()


def test_form_body_too_large_is_413(anon):
    r = anon.post("/api/auth/token/", {"username": "x" * TOO_LARGE, "password": "y"})
    assert_error(r, 413, "too_large")


def test_json_body_too_large_on_an_action_is_413(pp_api, cycle):
    project = cycle.draft()
    before = project.title
    r = pp_api.post(
        f"/api/projects/{project.key}/update/", {"title": "t" * TOO_LARGE}, format="json"
    )
    assert_error(r, 413, "too_large")
    project.refresh_from_db()
    assert project.title == before


def test_too_many_fields_is_413(anon, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    r = anon.post("/api/auth/token/", {f"f{i}": "x" for i in range(20)})
    assert_error(r, 413, "too_large")


def test_upload_body_longer_than_any_upload_is_413_before_it_is_read(pp_api, cycle, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    project = cycle.draft()
    count = project.documents.count()
    pdf = io.BytesIO(b"%PDF-1.4\n" + b"0" * 4096)
    pdf.name = "big.pdf"
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD", "file": pdf},
        format="multipart",
    )
    assert_error(r, 413, "too_large")
    assert project.documents.count() == count


def test_page_body_too_large_is_a_413_page(client, cycle):
    project = cycle.open()
    r = client.post(f"/projects/{project.key}/comments/", {"text": "x" * TOO_LARGE})
    assert r.status_code == 413
    assert r["Content-Type"].startswith("text/html")
    assert project.comments.count() == 0


def test_server_error_under_api_is_json(monkeypatch, db):
    def boom(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(projects_api.PartyList, "list", boom)
    r = APIClient(raise_request_exception=False).get("/api/parties/")
    assert_error(r, 500, "server_error")


def test_server_error_on_a_page_is_still_a_page(monkeypatch, db):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("registry.views.render", boom)
    r = Client(raise_request_exception=False).get("/")
    assert r.status_code == 500
    assert r["Content-Type"].startswith("text/html")
