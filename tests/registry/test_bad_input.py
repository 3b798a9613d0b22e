"""Bad input ("Trust under attack"): a NUL byte anywhere is a 400 naming the field, never a
server error (PostgreSQL cannot store or compare one). Nothing changes on a refusal."""

import pytest
from django.test import Client

from projects.models import Comment, Document, Event, Organisation, Project
from tests.factories import pdf_upload
from tests.support import assert_error, create_body, html, login

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        Event.objects.count(),
        Organisation.objects.count(),
        Comment.objects.count(),
        Document.objects.count(),
    )


# --- NUL: the API ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participants", ["Green Carbon\x00 Ltd"]),
        ("participants", ["\x00"]),
        ("host_party", "U\x00"),
        ("parties_involved", ["J\x00"]),
        ("title", "Wind\x00park"),
        ("expected_reductions", [{"year": 2009, "tonnes": "1\x00"}]),
    ],
)
def test_nul_in_a_project_created_through_the_api_is_400(cycle, pp_api, field, value):
    before = counts()
    r = pp_api.post("/api/projects/", create_body(**{field: value}), format="json")
    body = assert_error(r, 400, "invalid", field=field)
    assert body["detail"] == f"{field}: Null characters are not allowed."
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"), [("participants", ["A\x00"]), ("host_party", "\x00A"), ("title", "\x00")]
)
def test_nul_in_a_project_edited_through_the_api_is_400(cycle, pp_api, field, value):
    project = cycle.draft()
    before = counts()
    r = pp_api.patch(f"/api/projects/{project.key}/", {field: value}, format="json")
    assert_error(r, 400, "invalid", field=field)
    assert counts() == before
    assert Project.objects.get(pk=project.pk).title == project.title


@pytest.mark.parametrize("action", ["engage", "change-aie"])
def test_nul_in_an_aie_given_by_name_is_400(cycle, pp_api, action):
    project = cycle.draft() if action == "engage" else cycle.engaged()
    before = counts()
    r = pp_api.post(
        f"/api/projects/{project.key}/{action}/",
        {"aie": "Bureau Veritas\x00", "reason": "Our AIE closed."},
        format="json",
    )
    assert_error(r, 400, "invalid", field="aie")
    assert counts() == before


def test_nul_in_a_name_of_the_json_body_is_400_without_a_field(cycle, pp_api):
    before = counts()
    r = pp_api.post("/api/projects/", {**create_body(), "title\x00": "x"}, format="json")
    body = assert_error(r, 400, "invalid")
    assert "field" not in body
    assert counts() == before


@pytest.mark.parametrize("fmt", ["multipart", None])
def test_nul_in_a_form_encoded_api_body_is_400(cycle, pp_api, fmt):
    project = cycle.draft()
    before = counts()
    data = {"aie": "\x00", "kind": "pdd"}
    r = pp_api.post(
        f"/api/projects/{project.key}/engage/", data, **({"format": fmt} if fmt else {})
    )
    assert_error(r, 400, "invalid", field="aie")
    r = pp_api.post(
        f"/api/projects/{project.key}/documents/",
        {"kind": "pdd", "title": "PDD\x00", "file": pdf_upload()},
        format="multipart",
    )
    assert_error(r, 400, "invalid", field="title")
    assert counts() == before


# --- NUL: the registry's filters, pages and forms -----------------------------------------------


FILTERS = ["aie", "host_party", "q", "status", "scope", "section", "from", "to"]


@pytest.mark.parametrize("param", FILTERS)
def test_nul_in_a_registry_filter_is_refused_everywhere(cycle, client, param):
    cycle.open()
    query = {param: "x\x00y"}
    assert_error(client.get("/api/projects/", query), 400, "invalid", field=param)
    for url in ("/opendata/projects.csv", "/opendata/projects.json"):
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert param in response.json()["errors"]
    assert client.get("/opendata/", query).status_code == 400
    # A section's page refuses it in the filters it has, and ignores the others.
    for url in ("/projects/", "/projects/open/", "/registry/pdds-open/"):
        assert client.get(url, query).status_code in (200, 400), url
    if param != "section":
        assert client.get("/projects/", query).status_code == 400


def test_nul_in_the_new_project_form_is_a_form_error(cycle, participant, ukraine):
    client = login(Client(), participant)
    before = counts()
    for field, value in [
        ("title", "Wind\x00park"),
        ("host_party", "U\x00"),
        ("participants", "\x00"),
        ("sectoral_scopes", "1\x00"),
    ]:
        data = {
            "title": "Wind park",
            "host_party": ukraine.pk,
            "sectoral_scopes": ["1"],
            "baseline_approach": "ji_specific",
            "expected": "2009: 1000",
            field: value,
        }
        response = client.post("/projects/new/", data)
        assert response.status_code == 400, field
        assert 'role="alert"' in html(response), field
    assert counts() == before


def test_nul_in_the_public_comment_form_is_a_form_error(cycle, client):
    project = cycle.open()
    before = counts()
    data = {"name": "Ann", "category": "observer", "email": "ann@example.org", "text": "Fine."}
    for field in ("name", "affiliation", "text"):
        response = client.post(f"/projects/{project.key}/comments/", {**data, field: "a\x00b"})
        assert response.status_code == 400, field
        assert "Null characters are not allowed." in html(response), field
    assert counts() == before
