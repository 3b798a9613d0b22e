"""The Track 1 API (``determinations.track1_api``): ``POST /api/track1/projects/`` and
``POST /api/projects/{key}/track1-verifications/``, their refusals and their schema."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from determinations.models import Verification
from projects.models import Project, User
from tests.factories import UserFactory, make_scopes, pdf_upload
from tests.support import assert_error, client_for, openapi_schema

from . import test_track1 as t1

pytestmark = pytest.mark.django_db

host, dfp = t1.host, t1.dfp  # the fixtures
D = dt.date


def body(**overrides) -> dict:
    make_scopes()
    data = {
        "reference": "UA1000001",
        "title": "Landfill gas at Zaporizhzhia",
        "national_approval_reference": "Order 123",
        "national_guidelines": "Resolution 206",
        "determined_on": "2009-05-04",
        "entity": "Bureau Veritas Certification Holding SAS",
        "participants": ["Green Carbon Ltd", "Kyiv Vodokanal"],
        "parties_involved": ["JP"],
        "sectoral_scopes": [1, 13],
        "crediting_start": "2008-01-01",
        "crediting_end": "2012-12-31",
        "expected": '{"2009": 50000, "2010": 60000}',
        "report": pdf_upload("drep.pdf"),
    }
    data.update(overrides)
    return data


def verification_body(**overrides) -> dict:
    data = {
        "period_start": "2009-01-01",
        "period_end": "2009-12-31",
        "verified": '{"2009": 45000}',
        "verified_on": "2010-03-01",
        "entity": "Bureau Veritas Certification Holding SAS",
        "report": pdf_upload("vrep.pdf"),
    }
    data.update(overrides)
    return data


def test_api_records_a_track1_project(dfp, host, japan, django_assert_max_num_queries):
    api = client_for(dfp)
    response = api.post("/api/track1/projects/", body(pdd=pdf_upload("pdd.pdf")))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["reference"], data["status"]) == ("UA1000001", "final")
    project = Project.objects.get(reference="UA1000001")
    assert (project.track, project.final_on) == ("1", D(2009, 5, 4))
    assert list(project.parties_involved.values_list("code", flat=True)) == ["JP"]
    assert project.expected_annual_reductions == 55000
    assert project.documents.count() == 2


def test_api_project_refusals(dfp, host, anon):
    assert_error(anon.post("/api/track1/projects/", body()), 401)
    pp = client_for(UserFactory(username="pp", role=User.Role.PARTICIPANT))
    assert_error(pp.post("/api/track1/projects/", {}), 403, "forbidden")
    api = client_for(dfp)
    assert_error(api.post("/api/track1/projects/", body(reference="RU1")), 400, "invalid_reference")
    assert_error(api.post("/api/track1/projects/", body(expected="{")), 400, "invalid")
    for expected in ('{"2009": true}', '{"2009": 1.5}', '{"09": 1}', '{"2009": "\\u0000"}'):
        assert_error(api.post("/api/track1/projects/", body(expected=expected)), 400, "invalid")
    assert_error(
        api.post("/api/track1/projects/", body(entity="Bad\u0000name")), 400, None, "entity"
    )
    assert_error(
        api.post("/api/track1/projects/", body(report=SimpleUploadedFile("x.pdf", b"no"))),
        400,
        None,
        "report",
    )
    assert api.post("/api/track1/projects/", body()).status_code == 201
    assert_error(api.post("/api/track1/projects/", body(title="Again")), 409, "reference_taken")
    host.supplementary_info = False
    host.save()
    assert_error(
        api.post("/api/track1/projects/", body(reference="UA2")), 409, "track1_not_eligible"
    )
    assert Project.objects.count() == 1


def test_api_records_a_track1_verification(dfp, host):
    project = t1.record(dfp, host)
    api = client_for(dfp)
    url = f"/api/projects/{project.key}/track1-verifications/"
    response = api.post(url, verification_body(monitoring_report=pdf_upload("mr.pdf")))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["verified"], data["verified_reductions"]) == (
        "final",
        {"2009": 45000},
        45000,
    )
    assert data["report"] is not None
    assert_error(api.post(url, verification_body()), 409, "period_overlap")
    assert_error(
        api.post(url, verification_body(period_start="2007-01-01", verified='{"2007": 1}')),
        400,
        "before_2008",
    )
    assert Verification.objects.count() == 1


def test_api_verification_refusals(dfp, host, japan, anon, participant):
    project = t1.record(dfp, host)
    url = f"/api/projects/{project.key}/track1-verifications/"
    assert_error(anon.post(url, verification_body()), 401)
    jp = client_for(UserFactory(username="jp", role=User.Role.PARTY, party=japan))
    assert_error(jp.post(url, {}), 403, "forbidden")
    assert_error(
        client_for(dfp).post("/api/projects/UA9/track1-verifications/", {}), 404, "not_found"
    )
    host.national_registry = False
    host.save()
    assert_error(client_for(dfp).post(url, {}), 409, "track1_not_eligible")


def test_api_schema_has_the_track1_acts(anon):
    paths = openapi_schema(anon)["paths"]
    assert "multipart/form-data" in paths["/api/track1/projects/"]["post"]["requestBody"]["content"]
    post = paths["/api/projects/{key}/track1-verifications/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(post["responses"])
