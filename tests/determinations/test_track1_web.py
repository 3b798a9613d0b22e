"""The host's focal point's Track 1 pages (``determinations.track1_views``): the dashboard's and
the project page's buttons, the forms, their confirmation holding the PDFs, and the issuance of
the ERUs of a Track 1 verification through the monitoring page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from determinations import issuance
from determinations.models import EruBlock, Verification
from projects.models import Event, Project, SectoralScope, User
from tests.factories import UserFactory, make_scopes, pdf_upload
from tests.support import html, login

from . import test_track1 as t1

pytestmark = pytest.mark.django_db

host, dfp = t1.host, t1.dfp  # the fixtures
D = dt.date


def project_post(**overrides) -> dict:
    make_scopes()
    data = {
        "reference": "UA1000001",
        "title": "Landfill gas at Zaporizhzhia",
        "national_approval_reference": "Order 123",
        "national_guidelines": "Resolution 206",
        "determined_on": "2009-05-04",
        "entity": "Bureau Veritas Certification Holding SAS",
        "participant_names": "Green Carbon Ltd\nKyiv Vodokanal",
        "sectoral_scopes": ["1"],
        "crediting_start": "2008-01-01",
        "crediting_end": "2012-12-31",
        "baseline_approach": "ji_specific",
        "expected": "2009: 50000\n2010: 60000",
    }
    data.update(overrides)
    return data


def _scope_ids(numbers):
    make_scopes()
    return [str(s.pk) for s in SectoralScope.objects.filter(number__in=numbers)]


def test_dashboard_offers_the_act_only_to_an_eligible_hosts_focal_point(client, dfp, host):
    login(client, dfp)
    assert "Record a Track 1 project" in html(client.get("/dashboard/"))
    host.national_system = False
    host.save()
    login(client, User.objects.get(pk=dfp.pk))
    assert "Record a Track 1 project" not in html(client.get("/dashboard/"))


def test_project_form_refuses_whoever_may_not_record(
    client, dfp, host, django_assert_max_num_queries
):
    assert client.get("/track1/projects/new/").status_code == 302  # to the login
    login(client, UserFactory(username="pp", role=User.Role.PARTICIPANT))
    assert client.get("/track1/projects/new/").status_code == 403
    login(client, dfp)
    with django_assert_max_num_queries(10):
        assert client.get("/track1/projects/new/").status_code == 200
    host.inventory_submitted = False
    host.save()
    response = client.get("/track1/projects/new/")
    assert response.status_code == 409
    assert "para 21" in html(response)


def test_project_is_recorded_after_confirmation_with_the_held_pdfs(client, dfp, host):
    login(client, dfp)
    post = project_post(sectoral_scopes=_scope_ids([1]))
    response = client.post(
        "/track1/projects/new/",
        {**post, "report": pdf_upload("drep.pdf"), "pdd": pdf_upload("pdd.pdf")},
    )
    assert response.status_code == 200
    page = html(response)
    assert "Record Track 1 project UA1000001?" in page
    assert "drep.pdf" in page and 'name="held_files"' in page
    assert "2009: 50,000 · 2010: 60,000" in page and "Green Carbon Ltd, Kyiv Vodokanal" in page
    assert "QuerySet" not in page
    assert not Project.objects.exists()
    token = response.context["replay"]
    token = dict(token)["held_files"]
    response = client.post(
        "/track1/projects/new/", {**post, "held_files": token, "confirmed": "yes"}
    )
    assert response.status_code == 302
    project = Project.objects.get(reference="UA1000001")
    assert response["Location"] == "/projects/UA1000001/"
    assert (project.track, project.status) == ("1", "final")
    assert sorted(project.documents.values_list("kind", "filename")) == [
        ("determination_report", "drep.pdf"),
        ("pdd", "pdd.pdf"),
    ]
    assert sorted(project.participants.values_list("name", flat=True)) == [
        "Green Carbon Ltd",
        "Kyiv Vodokanal",
    ]
    # the token is spent
    again = client.post(
        "/track1/projects/new/",
        {**post, "reference": "UA1000002", "held_files": token, "confirmed": "yes"},
    )
    assert again.status_code == 400
    assert Project.objects.count() == 1


def test_another_users_token_holds_nothing(client, dfp, host):
    login(client, dfp)
    post = project_post(sectoral_scopes=_scope_ids([1]))
    response = client.post("/track1/projects/new/", {**post, "report": pdf_upload()})
    token = dict(response.context["replay"])["held_files"]
    other = UserFactory(username="ua_dfp2", role=User.Role.PARTY, party=host)
    login(client, other)
    response = client.post(
        "/track1/projects/new/", {**post, "held_files": token, "confirmed": "yes"}
    )
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_project_form_shows_refusals_on_the_form(client, dfp, host):
    login(client, dfp)
    post = project_post(sectoral_scopes=_scope_ids([1]), reference="RU1")
    response = client.post("/track1/projects/new/", {**post, "report": pdf_upload()})
    token = dict(response.context["replay"])["held_files"]
    response = client.post(
        "/track1/projects/new/", {**post, "held_files": token, "confirmed": "yes"}
    )
    assert response.status_code == 400
    assert "followed by digits" in html(response)
    response = client.post(
        "/track1/projects/new/",
        {
            **project_post(sectoral_scopes=_scope_ids([1])),
            "report": SimpleUploadedFile("x.pdf", b"not a pdf"),
        },
    )
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_verification_page_records_and_the_erus_are_issued(
    client, dfp, host, django_assert_max_num_queries
):
    project = t1.record(dfp, host)
    login(client, dfp)
    with django_assert_max_num_queries(10):
        page = html(client.get(f"/projects/{project.key}/"))
    assert "Record a Track 1 verification" in page
    url = f"/projects/{project.key}/track1/verifications/new/"
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    post = {
        "period_start": "2009-01-01",
        "period_end": "2009-12-31",
        "verified": "2009: 45,000",
        "verified_on": "2010-03-01",
        "entity": "Bureau Veritas Certification Holding SAS",
    }
    response = client.post(url, {**post, "report": pdf_upload("vrep.pdf")})
    assert response.status_code == 200 and "45,000 t CO2e" in html(response)
    token = dict(response.context["replay"])["held_files"]
    response = client.post(url, {**post, "held_files": token, "confirmed": "yes"})
    assert response.status_code == 302
    ver = Verification.objects.get(project=project)
    assert (ver.status, ver.verified_total) == ("final", 45000)
    assert Event.objects.filter(project=project, kind="track1_verification").count() == 1
    # the monitoring page's issuance form works for it, with the same AAU ledger
    issuance.record_aau_holding(dfp, host, quantity=50_000, commitment_period=1)
    issue = {"blocks": "1001-46000", "commitment_period": "1"}
    response = client.post(
        f"/projects/{project.key}/verifications/1/issue/", {**issue, "confirmed": "yes"}
    )
    assert response.status_code == 302, html(response)
    block = EruBlock.objects.get()
    assert (block.track, block.quantity) == (1, 45000)


def test_verification_page_is_the_hosts_focal_points_only(client, dfp, host, japan):
    project = t1.record(dfp, host)
    url = f"/projects/{project.key}/track1/verifications/new/"
    login(client, UserFactory(username="jp", role=User.Role.PARTY, party=japan))
    assert client.get(url).status_code == 403
    assert "Record a Track 1 verification" not in html(client.get(f"/projects/{project.key}/"))
    login(client, None)
    assert "Record a Track 1 verification" not in html(client.get(f"/projects/{project.key}/"))
    assert client.get("/projects/UA9/track1/verifications/new/").status_code in (302, 404)
