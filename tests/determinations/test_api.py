"""The REST API for monitoring reports, changes during implementation, verifications F-JI-VRep
(paras 36-39), F-JI-VR and ERU issuance (13/CMP.1 annex para 29)."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from determinations import issuance
from determinations import verification as vwf
from determinations.models import EruBlock, MonitoringReport, Verification
from determinations.serializers import json_object
from fees import services as fee_services
from fees.models import Invoice
from jitrack.errors import Invalid
from projects import workflow as wf
from projects.models import User
from tests.factories import AIEFactory, PartyFactory, UserFactory, pdf_upload
from tests.support import CONDITIONS, assert_error, client_for, openapi_schema

pytestmark = pytest.mark.django_db

D = dt.date
HUGE = "99999999999999999999"
ERRORS = {"400", "401", "403", "404", "409"}


# --- clients and the flow ------------------------------------------------------------------------


@pytest.fixture
def other_party_api(db):
    germany = PartyFactory(code="DE", name="Germany")
    return client_for(UserFactory(username="dfp_de", role=User.Role.PARTY, party=germany))


def pay(cycle, ver: Verification) -> None:
    """The secretariat records the verification fee's balance as received."""
    fee = ver.project.fees.get(kind="verification", number=ver.number)
    for invoice in fee.invoices.filter(status__in=Invoice.OPEN):
        fee_services.record_payment(
            cycle.secretariat, invoice, amount=str(invoice.balance_usd), reference="VER"
        )


def publish(cycle, ver: Verification) -> Verification:
    pay(cycle, ver)
    return vwf.publish_verification(cycle.secretariat, ver)


def make_final(cycle, ver: Verification) -> Verification:
    ver = publish(cycle, ver)
    assert vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(1))
    return Verification.objects.get(pk=ver.pk)


@pytest.fixture
def report(final_project, submit_report):
    return submit_report(final_project, D(2009, 7, 1), D(2010, 6, 30), {2009: 25000, 2010: 25000})


@pytest.fixture
def final_ver(cycle, report, verify, party_user):
    """Verification 1 (24,000 + 25,000 t) final; Ukraine holds 100,000 AAUs."""
    ver = make_final(cycle, verify(report, {2009: 24000, 2010: 25000}))
    issuance.record_aau_holding(party_user, ver.project.host_party, quantity=100000)
    return ver


def report_form(aie_org, start="2009-07-01", end="2010-06-30", claimed=None, **extra) -> dict:
    body = {
        "period_start": start,
        "period_end": end,
        "aie": str(aie_org.pk),
        "claimed": json.dumps(claimed if claimed is not None else {"2009": 100, "2010": 200}),
        "file": pdf_upload("monitoring.pdf"),
    }
    body.update(extra)
    return body


def ver_body(verified=None, **extra) -> dict:
    body = {
        "verified": verified if verified is not None else {"2009": 24000, "2010": 25000},
        "findings": "Meters calibrated; data checked against invoices.",
        "change_opinions": {},
        "conditions_hold": True,
        "conditions_reasons": CONDITIONS,
        "no_overlap_declared": True,
    }
    body.update(extra)
    return body


def detail(client, key="0001") -> list[dict]:
    r = client.get(f"/api/projects/{key}/")
    assert r.status_code == 200
    return r.json()["verifications"]


def closes_at(day: dt.date) -> str:
    return f"{(day + dt.timedelta(days=14)).isoformat()}T17:00:00Z"


# --- the project detail's ``verifications`` ------------------------------------------------------


def test_detail_verifications_shape_order_and_visibility(
    final_project,
    cycle,
    submit_report,
    verify,
    anon,
    pp_api,
    aie_api,
    sec_api,
    party_api,
    other_aie_api,
    party_user,
):
    project = final_project
    later = submit_report(project, D(2010, 1, 1), D(2010, 12, 31), {2010: 30000})
    earlier = submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 20000})
    v1 = verify(later, {2010: 29000})  # number 1, the later period
    v2 = verify(earlier, {2009: 19000})  # number 2, the earlier period
    submitted = [
        {
            "number": 2,
            "period_start": "2009-01-01",
            "period_end": "2009-12-31",
            "status": "submitted",
            "verified_reductions": 19000,
            "available_on": None,
            "review_window_closes_at": None,
            "final_on": None,
            "erus_issued": 0,
        },
        {
            "number": 1,
            "period_start": "2010-01-01",
            "period_end": "2010-12-31",
            "status": "submitted",
            "verified_reductions": 29000,
            "available_on": None,
            "review_window_closes_at": None,
            "final_on": None,
            "erus_issued": 0,
        },
    ]
    # Insiders see the submitted reports, in period order; nobody else does.
    for client in (pp_api, aie_api, sec_api):
        assert detail(client) == submitted
    for client in (anon, party_api, other_aie_api):
        assert detail(client) == []

    today = timezone.localdate()
    publish(cycle, v2)
    row2 = {
        **submitted[0],
        "status": "published",
        "available_on": today.isoformat(),
        "review_window_closes_at": closes_at(today),
    }
    for client in (anon, party_api, other_aie_api):
        assert detail(client) == [row2]
    assert detail(pp_api) == [row2, submitted[1]]

    v2 = Verification.objects.get(pk=v2.pk)
    assert vwf.deem_verification_final(v2.pk, v2.review_window_closes_at + dt.timedelta(1))
    issuance.record_aau_holding(party_user, project.host_party, quantity=5000)
    issuance.issue_erus(party_user, v2, blocks=[{"serial_start": 1, "serial_end": 5000}])
    row2 = {
        **row2,
        "status": "final",
        "final_on": (today + dt.timedelta(days=14)).isoformat(),
        "erus_issued": 5000,
    }
    assert detail(anon) == [row2]

    # Withdrawn before publication: on the insiders' record only.
    vwf.withdraw_monitoring_report(cycle.participant, later)
    assert detail(anon) == [row2]
    assert detail(sec_api) == [row2, {**submitted[1], "status": "withdrawn"}]
    assert v1.number == 1


def test_detail_shows_the_verifying_aie_its_own_submitted_verification(
    final_project, cycle, submit_report, other_aie_user, other_aie_api, anon
):
    report = submit_report(
        final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100}, aie=other_aie_user.organisation
    )
    vwf.submit_verification(
        other_aie_user,
        report,
        verified={2009: 90},
        findings="Checked.",
        conditions_hold=True,
        conditions_reasons=CONDITIONS,
        no_overlap_declared=True,
    )
    assert [v["status"] for v in detail(other_aie_api)] == ["submitted"]
    assert detail(anon) == []


def test_detail_query_budget_with_several_verifications(
    final_project,
    cycle,
    submit_report,
    verify,
    anon,
    pp_api,
    aie_api,
    sec_api,
    party_api,
    django_assert_max_num_queries,
):
    vers = []
    for year in (2009, 2010, 2011, 2012):
        report = submit_report(final_project, D(year, 1, 1), D(year, 12, 31), {year: 1000})
        vers.append(verify(report, {year: 900}))
    publish(cycle, vers[0])
    make_final(cycle, vers[1])
    for client in (anon, pp_api, aie_api, sec_api, party_api):
        with django_assert_max_num_queries(10):
            r = client.get("/api/projects/0001/")
        assert r.status_code == 200
        assert len(r.json()["verifications"]) in (2, 4)


def test_detail_before_any_verification_is_an_empty_list(cycle, anon):
    cycle.open()
    assert detail(anon) == []


# --- monitoring reports ----------------------------------------------------------------------------


def test_submit_and_list_monitoring_reports(final_project, cycle, pp_api, anon):
    aie_org = cycle.aie_user.organisation
    r = pp_api.post(
        "/api/projects/0001/monitoring-reports/",
        report_form(
            aie_org,
            claimed={"2009": 25000, "2010": 25000},
            supporting_files=[pdf_upload("meters.pdf")],
            supporting_titles=["Meter calibration"],
        ),
        format="multipart",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {
        "id",
        "number",
        "component",
        "period_start",
        "period_end",
        "aie",
        "status",
        "claimed",
        "claimed_total",
        "submitted_at",
        "withdrawn_at",
        "report",
    }
    assert (body["number"], body["component"]) == (1, None)
    assert body["aie"] == aie_org.name
    assert (body["status"], body["claimed"], body["claimed_total"]) == (
        "submitted",
        {"2009": 25000, "2010": 25000},
        50000,
    )
    assert body["report"]["download_url"].startswith("http://testserver/api/documents/")
    listed = anon.get("/api/projects/0001/monitoring-reports/").json()
    assert listed == [body]
    # The report is published on submission (para 36): anyone downloads it.
    download = anon.get(body["report"]["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    kinds = [d["kind"] for d in anon.get("/api/projects/0001/").json()["documents"]]
    assert {"monitoring_report", "monitoring_supporting"} <= set(kinds)


def test_monitoring_reports_listed_in_period_order(final_project, submit_report, anon):
    submit_report(final_project, D(2011, 1, 1), D(2011, 12, 31), {2011: 1})
    submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 1})
    rows = anon.get("/api/projects/0001/monitoring-reports/").json()
    assert [(r["number"], r["period_start"]) for r in rows] == [
        (2, "2009-01-01"),
        (1, "2011-01-01"),
    ]


def test_monitoring_report_list_of_an_unpublished_project_is_404(cycle, anon, pp_api):
    project = cycle.draft()
    assert_error(anon.get(f"/api/projects/{project.key}/monitoring-reports/"), 404)
    assert_error(anon.get(f"/api/projects/{project.key}/changes/"), 404)
    assert pp_api.get(f"/api/projects/{project.key}/monitoring-reports/").json() == []


def test_overlapping_period_is_409_naming_the_report(final_project, cycle, pp_api):
    aie_org = cycle.aie_user.organisation
    url = "/api/projects/0001/monitoring-reports/"
    assert pp_api.post(url, report_form(aie_org), format="multipart").status_code == 201
    r = pp_api.post(
        url,
        report_form(aie_org, start="2010-06-30", end="2010-12-31", claimed={"2010": 1}),
        format="multipart",
    )
    body = assert_error(r, 409, "period_overlap", "period_start")
    assert "monitoring report 1 (1 Jul 2009–30 Jun 2010)" in body["detail"]


def test_monitoring_report_refusals_by_role(
    final_project, cycle, pp_api, aie_api, sec_api, other_pp_api, party_api, anon
):
    aie_org = cycle.aie_user.organisation
    url = "/api/projects/0001/monitoring-reports/"
    for client in (aie_api, sec_api, other_pp_api, party_api):
        assert_error(client.post(url, report_form(aie_org), format="multipart"), 403, "forbidden")
    assert_error(anon.post(url, report_form(aie_org), format="multipart"), 401, "not_authenticated")
    assert_error(
        pp_api.post("/api/projects/0999/monitoring-reports/", report_form(aie_org)),
        404,
        "not_found",
    )
    assert MonitoringReport.objects.count() == 0


def test_monitoring_report_before_the_determination_is_final_is_409(cycle, pp_api):
    cycle.determination_published()
    r = pp_api.post(
        "/api/projects/0001/monitoring-reports/",
        report_form(cycle.aie_user.organisation),
        format="multipart",
    )
    assert_error(r, 409, "wrong_status")


MONITORING_GARBAGE = [
    ({"claimed": json.dumps({"2009": -1})}, "claimed"),
    ({"claimed": json.dumps({"2009": 2.5})}, "claimed"),
    ({"claimed": json.dumps({"2009": 10**13})}, "claimed"),
    ({"claimed": json.dumps({"2009": 10**400})}, "claimed"),
    ({"claimed": json.dumps({"2009": "100"})}, "claimed"),
    ({"claimed": json.dumps({"2009": True})}, "claimed"),
    ({"claimed": json.dumps({"2009": None})}, "claimed"),
    ({"claimed": json.dumps({"2011": 100})}, "claimed"),
    ({"claimed": json.dumps({"year": 100})}, "claimed"),
    ({"claimed": json.dumps({"9" * 5000: 100})}, "claimed"),
    ({"claimed": json.dumps({})}, "claimed"),
    ({"claimed": json.dumps([2009, 100])}, "claimed"),
    ({"claimed": "2009: 100"}, "claimed"),
    ({"claimed": "{" * 5000}, "claimed"),
    ({"claimed": "[" * 50000}, "claimed"),
    ({"claimed": "NaN"}, "claimed"),
    ({"claimed": json.dumps({"2009": float("inf")})}, "claimed"),
    # A NUL escaped inside the form field's JSON: decoded after the parsers' NUL check.
    ({"claimed": '{"2009\\u0000": 100}'}, "claimed"),
    ({"claimed": '{"2009": 100, "x": "\\u0000"}'}, "claimed"),
    ({"period_start": "2009-02-30"}, "period_start"),
    ({"period_start": "yesterday"}, "period_start"),
    ({"period_start": "0000-01-01"}, "period_start"),
    ({"period_start": "2007-12-31"}, "period_start"),  # before 2008
    ({"period_start": "2008-06-01"}, "period_start"),  # before the crediting period
    ({"period_end": "2009-06-30"}, "period_end"),  # before the start
    ({"period_end": "99999-01-01"}, "period_end"),
    ({"aie": "0"}, "aie"),
    ({"aie": HUGE}, "aie"),
    ({"aie": "No such AIE"}, "aie"),
    ({"supporting_titles": ["a", "b"]}, "supporting_titles"),
]


def test_monitoring_report_garbage_is_400(final_project, cycle, pp_api):
    for overrides, field in MONITORING_GARBAGE:
        body = report_form(cycle.aie_user.organisation, **overrides)
        r = pp_api.post("/api/projects/0001/monitoring-reports/", body, format="multipart")
        assert_error(r, 400, field=field)
    assert MonitoringReport.objects.count() == 0


def test_a_nul_escaped_in_a_form_fields_json_is_refused_as_such(db):
    """ "\\u0000" in a form field's JSON is a NUL once decoded, past the parsers' check: a key
    holding one would reach PostgreSQL's jsonb, which cannot store it (a 500)."""
    for raw in ('{"2009\\u0000": 100}', '{"a": {"b": ["\\u0000"]}}'):
        with pytest.raises(ValidationError) as refused:
            json_object(raw, "tonnes per year")
        assert refused.value.detail == ["Null characters are not allowed."]
    assert json_object('{"2009": 100}', "tonnes per year") == {"2009": 100}


def test_monitoring_report_files_must_be_pdfs(final_project, cycle, pp_api):
    url = "/api/projects/0001/monitoring-reports/"
    aie_org = cycle.aie_user.organisation
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert_error(
        pp_api.post(url, report_form(aie_org, file=fake), format="multipart"), 400, "not_a_pdf"
    )
    empty = SimpleUploadedFile("report.pdf", b"", content_type="application/pdf")
    assert_error(
        pp_api.post(url, report_form(aie_org, file=empty), format="multipart"), 400, "file_empty"
    )
    body = report_form(aie_org)
    del body["file"]
    assert_error(pp_api.post(url, body, format="multipart"), 400, field="file")
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    r = pp_api.post(url, report_form(aie_org, supporting_files=[bad]), format="multipart")
    assert_error(r, 400, "not_a_pdf")
    # JSON cannot carry the file.
    r = pp_api.post(url, {"period_start": "2009-01-01"}, format="json")
    assert r.status_code == 415
    assert MonitoringReport.objects.count() == 0


def test_monitoring_report_by_an_aie_not_accredited_is_409(final_project, cycle, pp_api):
    unaccredited = AIEFactory(name="Scope 5 only", accredited=[5])
    r = pp_api.post(
        "/api/projects/0001/monitoring-reports/", report_form(unaccredited), format="multipart"
    )
    assert_error(r, 409, "not_accredited", "aie")


# --- withdrawal ------------------------------------------------------------------------------------


def test_withdraw_monitoring_report(report, cycle, pp_api, aie_api, anon):
    url = f"/api/monitoring-reports/{report.pk}/withdraw/"
    assert_error(aie_api.post(url, {"reason": "x"}, format="json"), 403, "forbidden")
    assert_error(anon.post(url, {}, format="json"), 401)
    r = pp_api.post(url, {"reason": "Meter data incomplete."}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "withdrawn"
    assert r.json()["withdrawn_at"]
    assert_error(pp_api.post(url, {}, format="json"), 409, "wrong_status")
    # The period is free again; the withdrawn report stays on the record.
    r = pp_api.post(
        "/api/projects/0001/monitoring-reports/",
        report_form(cycle.aie_user.organisation),
        format="multipart",
    )
    assert r.status_code == 201
    rows = anon.get("/api/projects/0001/monitoring-reports/").json()
    assert [(row["number"], row["status"]) for row in rows] == [(1, "withdrawn"), (2, "submitted")]


def test_withdraw_after_final_is_409(final_ver, pp_api):
    r = pp_api.post(f"/api/monitoring-reports/{final_ver.monitoring_report_id}/withdraw/")
    assert_error(r, 409, "wrong_status")


def test_withdraw_unknown_report_is_404(final_project, pp_api):
    for pk in ("999", HUGE, "0"):
        assert_error(pp_api.post(f"/api/monitoring-reports/{pk}/withdraw/"), 404)


def test_withdraw_report_of_an_invisible_project_is_404(cycle, submit_report, anon, other_aie_api):
    project = cycle.final(crediting_start=D(2009, 1, 1))
    report = submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 1})
    # A published project: others may know of the report, but may not withdraw it.
    assert_error(other_aie_api.post(f"/api/monitoring-reports/{report.pk}/withdraw/"), 403)


# --- changes during implementation -----------------------------------------------------------------


def test_record_and_list_changes(
    final_project, cycle, submit_report, verify, pp_api, anon, party_api
):
    url = "/api/projects/0001/changes/"
    r = pp_api.post(
        url,
        {
            "description": "A second flare was installed.",
            "justification": "The gas flow doubled.",
            "files": [pdf_upload("flare.pdf")],
            "titles": ["Flare datasheet"],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    change = r.json()
    assert set(change) == {
        "id",
        "description",
        "justification",
        "recorded_at",
        "files",
        "addressed_in",
        "aie_opinion",
    }
    assert (change["addressed_in"], change["aie_opinion"]) == (None, "")
    assert [f["title"] for f in change["files"]] == ["Flare datasheet"]
    r = pp_api.post(
        url, {"description": "Meters moved.", "justification": "Access."}, format="json"
    )
    assert r.status_code == 201
    public = anon.get(url).json()
    assert [c["description"] for c in public] == ["A second flare was installed.", "Meters moved."]
    assert public[0]["files"] == []  # the participants' supporting file is not published
    assert [f["title"] for f in pp_api.get(url).json()[0]["files"]] == ["Flare datasheet"]

    # The next verification addresses both; the opinion is public once it is published.
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 100})
    ver = verify(report, {2009: 90}, change_opinions={str(c["id"]): "Fine." for c in public})
    assert [(c["addressed_in"], c["aie_opinion"]) for c in pp_api.get(url).json()] == [
        (1, "Fine.")
    ] * 2
    assert [(c["addressed_in"], c["aie_opinion"]) for c in party_api.get(url).json()] == [
        (None, "")
    ] * 2
    publish(cycle, ver)
    assert [(c["addressed_in"], c["aie_opinion"]) for c in anon.get(url).json()] == [
        (1, "Fine.")
    ] * 2


def test_change_refusals(cycle, pp_api, aie_api, anon):
    cycle.determination_published()
    url = "/api/projects/0001/changes/"
    body = {"description": "x", "justification": "y"}
    assert_error(pp_api.post(url, body, format="json"), 409, "wrong_status")
    assert_error(aie_api.post(url, body, format="json"), 403, "forbidden")
    assert_error(anon.post(url, body, format="json"), 401)
    assert_error(pp_api.post(url, {"description": "x"}, format="json"), 400, field="justification")
    assert_error(
        pp_api.post(url, {"description": " ", "justification": "y"}), 400, field="description"
    )
    assert_error(
        pp_api.post(url, {"description": "\x00", "justification": "y"}), 400, field="description"
    )


def test_change_with_a_file_that_is_not_a_pdf_is_400(final_project, pp_api):
    r = pp_api.post(
        "/api/projects/0001/changes/",
        {
            "description": "x",
            "justification": "y",
            "files": [SimpleUploadedFile("a.pdf", b"<html>", content_type="application/pdf")],
        },
        format="multipart",
    )
    assert_error(r, 400, "not_a_pdf")
    assert final_project.changes.count() == 0


# --- verification ----------------------------------------------------------------------------------


def test_submit_verification(report, cycle, aie_api, pp_api, anon):
    url = f"/api/monitoring-reports/{report.pk}/verification/"
    r = aie_api.post(url, ver_body(), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {
        "number",
        "status",
        "monitoring_report",
        "period_start",
        "period_end",
        "aie",
        "verified",
        "verified_reductions",
        "erus_issued",
        "findings",
        "conditions_hold",
        "conditions_reasons",
        "no_overlap_declared",
        "changes",
        "submitted_at",
        "available_on",
        "review_window_closes_at",
        "final_on",
        "report",
    }
    assert body["number"] == 1
    assert body["status"] == "submitted"
    assert body["verified"] == {"2009": 24000, "2010": 25000}
    assert body["verified_reductions"] == 49000
    assert (body["period_start"], body["period_end"]) == ("2009-07-01", "2010-06-30")
    assert body["report"]["download_url"]
    # The verification fee falls due; the report is the insiders' until published.
    assert report.project.fees.filter(kind="verification", number=1).exists()
    assert anon.get(body["report"]["download_url"]).status_code == 404
    assert pp_api.get(body["report"]["download_url"]).status_code == 200
    # One verification per report.
    assert_error(aie_api.post(url, ver_body(), format="json"), 409, "wrong_status")


def test_submit_verification_multipart_with_changes(report, cycle, aie_api):
    change = vwf.record_change(
        cycle.participant, report.project, description="New meter.", justification="Broken."
    )
    url = f"/api/monitoring-reports/{report.pk}/verification/"
    body = ver_body(
        verified=json.dumps({"2009": 1, "2010": 2}),
        change_opinions=json.dumps({}),
        supporting_files=[pdf_upload("site.pdf")],
        supporting_confidential=["true"],
    )
    r = aie_api.post(url, body, format="multipart")
    assert_error(r, 400, "changes_unaddressed", "change_opinions")
    body["change_opinions"] = json.dumps({str(change.pk): "The new meter is calibrated."})
    body["supporting_files"] = [pdf_upload("site.pdf")]
    r = aie_api.post(url, body, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["verified_reductions"] == 3
    assert r.json()["changes"] == [
        {
            "id": change.pk,
            "description": "New meter.",
            "aie_opinion": "The new meter is calibrated.",
        }
    ]
    assert report.project.documents.get(kind="verification_supporting").confidential


def test_verification_refusals_by_role(report, pp_api, sec_api, other_aie_api, anon, party_api):
    url = f"/api/monitoring-reports/{report.pk}/verification/"
    for client in (pp_api, sec_api, other_aie_api, party_api):
        assert_error(client.post(url, ver_body(), format="json"), 403, "forbidden")
    assert_error(anon.post(url, ver_body(), format="json"), 401)
    for pk in ("999", HUGE):
        r = pp_api.post(f"/api/monitoring-reports/{pk}/verification/", ver_body(), format="json")
        assert_error(r, 404)
    assert not Verification.objects.exists()


VERIFICATION_GARBAGE = [
    ({"verified": {"2009": -5}}, "verified"),
    ({"verified": {"2009": 1.5}}, "verified"),
    ({"verified": {"2009": 10**12 + 1}}, "verified"),
    ({"verified": {"2011": 5}}, "verified"),
    ({"verified": {}}, "verified"),
    ({"verified": [1]}, "verified"),
    ({"verified": "not json"}, "verified"),
    ({"verified": {"2009": 10**12, "2010": 10**12}}, "verified"),  # a total beyond bounds
    ({"findings": ""}, "findings"),
    ({"findings": "x" * 20001}, "findings"),
    ({"conditions_reasons": " "}, "conditions_reasons"),
    ({"conditions_hold": "maybe"}, "conditions_hold"),
    ({"no_overlap_declared": False}, "no_overlap_declared"),
    ({"change_opinions": ["x"]}, "change_opinions"),
    ({"change_opinions": "{"}, "change_opinions"),
    ({"change_opinions": {"1": {"a": 1}}}, "change_opinions"),
    ({"supporting_titles": ["x"]}, "supporting_titles"),
]


def test_verification_garbage_is_400(report, aie_api):
    url = f"/api/monitoring-reports/{report.pk}/verification/"
    for overrides, field in VERIFICATION_GARBAGE:
        assert_error(aie_api.post(url, ver_body(**overrides), format="json"), 400, field=field)
    # The same as a form: the objects as JSON strings.
    form = ver_body(verified="{2009: 1}", change_opinions="{}")
    assert_error(aie_api.post(url, form, format="multipart"), 400, field="verified")
    assert not Verification.objects.exists()


# --- publication -----------------------------------------------------------------------------------


def test_publish_verification(report, cycle, verify, sec_api, pp_api, party_api, anon):
    ver = verify(report, {2009: 24000, 2010: 25000})
    url = "/api/projects/0001/verifications/1/publish/"
    assert_error(pp_api.post(url, {}, format="json"), 403, "forbidden")
    assert_error(party_api.post(url, {}, format="json"), 404)  # not public before publication
    assert_error(anon.post(url, {}, format="json"), 401)
    assert_error(sec_api.post(url, {}, format="json"), 409, "fee_unpaid")
    pay(cycle, ver)
    today = timezone.localdate()
    assert_error(
        sec_api.post(url, {"available_on": "2009-01-01"}, format="json"), 400, field="available_on"
    )
    assert_error(
        sec_api.post(url, {"available_on": "someday"}, format="json"), 400, field="available_on"
    )
    r = sec_api.post(url, {"available_on": (today + dt.timedelta(1)).isoformat()}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "published"
    assert body["available_on"] == (today + dt.timedelta(1)).isoformat()
    assert body["review_window_closes_at"] == closes_at(today + dt.timedelta(1))
    assert anon.get(body["report"]["download_url"]).status_code == 200
    assert_error(sec_api.post(url, {}, format="json"), 409, "wrong_status")


def test_publish_unknown_verification_is_404(final_project, sec_api):
    for number in ("1", "0", "40000", HUGE):
        assert_error(sec_api.post(f"/api/projects/0001/verifications/{number}/publish/"), 404)
    assert_error(sec_api.post("/api/projects/0999/verifications/1/publish/"), 404)


# --- F-JI-VR ---------------------------------------------------------------------------------------


def test_review_request_within_the_window(
    report, cycle, verify, party_api, pp_api, anon, other_party_api
):
    publish(cycle, verify(report, {2009: 24000, 2010: 25000}))
    url = "/api/projects/0001/verifications/1/review-requests/"
    # F-JI-VR concerns the verification (ji-rules §7, para 39)
    body = {"reasons": {"monitoring_plan": "Meter data gaps."}, "summary": "Data gaps."}
    assert_error(pp_api.post(url, body, format="json"), 403, "forbidden")
    assert_error(
        other_party_api.post(url, body, format="json"), 403, "forbidden"
    )  # not a Party involved
    assert_error(anon.post(url, body, format="json"), 401)
    assert_error(party_api.post(url, {"summary": ""}, format="json"), 400, field="summary")
    assert_error(party_api.post(url, {"reasons": {"x": "y"}, "summary": "s"}, format="json"), 400)
    r = party_api.post(url, body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["by"] == "party"
    assert r.json()["party"] == "UA"
    assert [v["status"] for v in detail(anon)] == ["under_review"]
    assert_error(party_api.post(url, body, format="json"), 409, "duplicate_request")


def test_review_request_after_the_window_is_409(report, cycle, verify, party_api):
    ver = publish(cycle, verify(report, {2009: 24000, 2010: 25000}))
    url = "/api/projects/0001/verifications/1/review-requests/"
    with time_machine.travel(ver.review_window_closes_at + dt.timedelta(seconds=1)):
        r = party_api.post(url, {"summary": "Too late."}, format="json")
    assert_error(r, 409, "window_closed")


def test_review_request_of_a_submitted_verification(report, verify, party_api, pp_api, sec_api):
    verify(report, {2009: 1, 2010: 1})
    url = "/api/projects/0001/verifications/1/review-requests/"
    assert_error(party_api.post(url, {"summary": "s"}, format="json"), 404)  # not public yet
    assert_error(sec_api.post(url, {"summary": "s"}, format="json"), 403)


# --- AAU holdings and ERU issuance -----------------------------------------------------------------


def test_record_aau_holding(ukraine, party_api, other_party_api, pp_api, anon):
    url = "/api/parties/UA/aau-holdings/"
    r = party_api.post(url, {"quantity": 1000, "note": "Registry statement 2012"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "party": "UA",
        "commitment_period": 1,
        "quantity": 1000,
        "aau_balance": 1000,
    }
    # A statement is the holding as it stands, not an addition (ji-rules §7).
    r = party_api.post("/api/parties/ua/aau-holdings/", {"quantity": 1001}, format="json")
    assert r.json()["aau_balance"] == 1001
    r = party_api.post(url, {"quantity": 7, "commitment_period": 2}, format="json")
    assert r.json() == {"party": "UA", "commitment_period": 2, "quantity": 7, "aau_balance": 7}
    assert_error(other_party_api.post(url, {"quantity": 1}, format="json"), 403, "forbidden")
    assert_error(pp_api.post(url, {"quantity": 1}, format="json"), 403, "forbidden")
    assert_error(anon.post(url, {"quantity": 1}, format="json"), 401)
    for quantity in (-5, 2.5, "abc", 10**15, 10**40, None, True, [1]):
        assert_error(
            party_api.post(url, {"quantity": quantity}, format="json"), 400, field="quantity"
        )
    assert_error(
        party_api.post(url, {"quantity": 1, "note": "x" * 201}, format="json"), 400, field="note"
    )
    for code in ("ZZ", "UKR", "U1", "%00A"):
        assert_error(party_api.post(f"/api/parties/{code}/aau-holdings/", {"quantity": 1}), 404)
    assert issuance.aau_balances(ukraine) == {1: 1001, 2: 7}


def test_issue_erus(final_ver, party_api, anon):
    url = "/api/projects/0001/verifications/1/issuance/"
    blocks = [
        {"serial_start": 1001, "serial_end": 11000},
        {"serial_start": 20001, "serial_end": 59000, "commitment_period": 1},
    ]
    r = party_api.post(url, {"blocks": blocks}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body == {
        "id": body["id"],
        "project": "0001",
        "verification": 1,
        "party": "UA",
        "quantity": 49000,
        "recorded_at": body["recorded_at"],
        "blocks": [
            {
                "id": body["blocks"][0]["id"],
                "originating_party": "UA",
                "unit_type": "ERU",
                "serial_start": 1001,
                "serial_end": 11000,
                "quantity": 10000,
                "commitment_period": 1,
                "project_identifier": "JI-0001",
                "track": 2,
                "account": "UA national registry",
                "account_party": "UA",
                "active": True,
            },
            {
                "id": body["blocks"][1]["id"],
                "originating_party": "UA",
                "unit_type": "ERU",
                "serial_start": 20001,
                "serial_end": 59000,
                "quantity": 39000,
                "commitment_period": 1,
                "project_identifier": "JI-0001",
                "track": 2,
                "account": "UA national registry",
                "account_party": "UA",
                "active": True,
            },
        ],
    }
    assert detail(anon)[0]["erus_issued"] == 49000
    again = {"blocks": [{"serial_start": 1, "serial_end": 1}]}
    assert_error(party_api.post(url, again, format="json"), 409, "exceeds_verified")


def test_issuance_refusals(
    final_ver, cycle, party_api, other_party_api, pp_api, sec_api, anon, party_user
):
    url = "/api/projects/0001/verifications/1/issuance/"
    one = {"blocks": [{"serial_start": 1, "serial_end": 1000}]}
    assert_error(pp_api.post(url, one, format="json"), 403, "forbidden")
    assert_error(sec_api.post(url, one, format="json"), 403, "forbidden")
    assert_error(other_party_api.post(url, one, format="json"), 403, "forbidden")
    assert_error(anon.post(url, one, format="json"), 401)
    too_many = {"blocks": [{"serial_start": 1, "serial_end": 49001}]}
    assert_error(party_api.post(url, too_many, format="json"), 409, "exceeds_verified")
    assert party_api.post(url, one, format="json").status_code == 201
    clash = {"blocks": [{"serial_start": 1000, "serial_end": 1500}]}
    assert_error(party_api.post(url, clash, format="json"), 409, "serial_in_use")
    # 99,000 AAUs left after 1,000 converted: 48,000 more would be fine, so spend them first.
    issuance.record_aau_holding(party_user, final_ver.project.host_party, quantity=1)
    assert_error(
        party_api.post(
            url, {"blocks": [{"serial_start": 2001, "serial_end": 50001}]}, format="json"
        ),
        409,
        "exceeds_verified",
    )
    assert_error(
        party_api.post("/api/projects/0001/verifications/2/issuance/", one, format="json"), 404
    )


def test_issuance_with_too_few_aaus_is_409(report, cycle, verify, party_api, party_user):
    make_final(cycle, verify(report, {2009: 24000, 2010: 25000}))
    issuance.record_aau_holding(party_user, report.project.host_party, quantity=10)
    r = party_api.post(
        "/api/projects/0001/verifications/1/issuance/",
        {"blocks": [{"serial_start": 1, "serial_end": 11}]},
        format="json",
    )
    assert_error(r, 409, "insufficient_aau")


def test_issuance_before_the_verification_is_final_is_409(
    report, cycle, verify, party_api, party_user
):
    publish(cycle, verify(report, {2009: 24000, 2010: 25000}))
    issuance.record_aau_holding(party_user, report.project.host_party, quantity=100)
    r = party_api.post(
        "/api/projects/0001/verifications/1/issuance/",
        {"blocks": [{"serial_start": 1, "serial_end": 10}]},
        format="json",
    )
    assert_error(r, 409, "not_final")


BLOCKS_GARBAGE = [
    [],
    None,
    "1-10",
    [1, 10],
    [{"serial_start": 1}],
    [{"serial_start": 10, "serial_end": 1}],
    [{"serial_start": 0, "serial_end": 1}],
    [{"serial_start": -1, "serial_end": 1}],
    [{"serial_start": 1.5, "serial_end": 2}],
    [{"serial_start": 1, "serial_end": 10**15}],
    [{"serial_start": 1, "serial_end": 10**40}],
    [{"serial_start": 1, "serial_end": 2, "commitment_period": 3}],
    [{"serial_start": "a", "serial_end": 2}],
    [{"serial_start": 1, "serial_end": 10}, {"serial_start": 5, "serial_end": 20}],
]


def test_issuance_garbage_is_400(final_ver, party_api):
    url = "/api/projects/0001/verifications/1/issuance/"
    for blocks in BLOCKS_GARBAGE:
        assert_error(party_api.post(url, {"blocks": blocks}, format="json"), 400)
    assert not EruBlock.objects.exists()


def test_transfer_block(final_ver, party_api, pp_api, other_party_api, anon, party_user):
    iss = issuance.issue_erus(
        party_user, final_ver, blocks=[{"serial_start": 1001, "serial_end": 2000}]
    )
    block = iss.blocks.get()
    url = f"/api/eru-blocks/{block.pk}/transfer/"
    body = {"quantity": 300, "account": "Green Carbon Ltd, JP registry"}
    assert_error(pp_api.post(url, body, format="json"), 403, "forbidden")
    assert_error(other_party_api.post(url, body, format="json"), 403, "forbidden")
    assert_error(anon.post(url, body, format="json"), 401)
    assert_error(
        party_api.post(url, {"quantity": 1001, "account": "A"}, format="json"), 409, "exceeds_block"
    )
    for bad in ({"quantity": 0, "account": "A"}, {"quantity": 1.5, "account": "A"}):
        assert_error(party_api.post(url, bad, format="json"), 400, field="quantity")
    assert_error(
        party_api.post(url, {"quantity": 1, "account": " "}, format="json"), 400, field="account"
    )
    assert_error(party_api.post(url, {"quantity": 1, "account": "a" * 121}), 400, field="account")
    r = party_api.post(url, body, format="json")
    assert r.status_code == 200, r.content
    head = r.json()
    assert (head["serial_start"], head["serial_end"], head["quantity"]) == (1001, 1300, 300)
    assert (head["account"], head["active"]) == ("Green Carbon Ltd, JP registry", True)
    assert_error(party_api.post(url, body, format="json"), 409, "block_inactive")
    for pk in ("999999", HUGE):
        assert_error(party_api.post(f"/api/eru-blocks/{pk}/transfer/", body, format="json"), 404)

    # The public registry view: every block, the split one inactive.
    page = anon.get("/api/parties/UA/issuance/").json()
    blocks = page["issuances"][0]["blocks"]
    assert [(b["serial_start"], b["serial_end"], b["account"], b["active"]) for b in blocks] == [
        (1001, 2000, "UA national registry", False),
        (1001, 1300, "Green Carbon Ltd, JP registry", True),
        (1301, 2000, "UA national registry", True),
    ]


def test_transfer_to_another_partys_registry(final_ver, party_api, party_user, japan):
    """ERUs go to an account of a Party other than the host once its approval is on record
    (para 33 (a)); the block says whose registry holds it."""
    iss = issuance.issue_erus(
        party_user, final_ver, blocks=[{"serial_start": 1001, "serial_end": 2000}]
    )
    url = f"/api/eru-blocks/{iss.blocks.get().pk}/transfer/"
    body = {"quantity": 10, "account": "Azur, JP registry", "account_party": "JP"}
    assert_error(party_api.post(url, body, format="json"), 409, "approval_missing")
    assert_error(
        party_api.post(url, body | {"account_party": "ZZ"}, format="json"),
        400,
        field="account_party",
    )
    final_ver.project.parties_involved.add(japan)
    jp_dfp = UserFactory(username="jp-dfp", role=User.Role.PARTY, party=japan)
    wf.record_approval(jp_dfp, final_ver.project, party=japan, issued_on=D(2010, 1, 4))
    r = party_api.post(url, body, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["account"], r.json()["account_party"]) == ("Azur, JP registry", "JP")


def test_party_issuance_is_public(final_ver, anon, party_user):
    issuance.issue_erus(party_user, final_ver, blocks=[{"serial_start": 1, "serial_end": 4000}])
    r = anon.get("/api/parties/UA/issuance/")
    assert r.status_code == 200
    page = r.json()
    assert set(page) == {"party", "name", "aau_balance", "aau_balances", "issuances", "aau_ledger"}
    assert page["aau_balances"] == [
        {"commitment_period": 1, "balance": 96000},
        {"commitment_period": 2, "balance": 0},
    ]
    assert (page["party"], page["name"], page["aau_balance"]) == ("UA", "Ukraine", 96000)
    [issued] = page["issuances"]
    assert (issued["project"], issued["verification"], issued["quantity"]) == ("0001", 1, 4000)
    assert set(issued["blocks"][0]) >= {
        "originating_party",
        "unit_type",
        "serial_start",
        "serial_end",
        "commitment_period",
        "project_identifier",
        "track",
        "account",
        "account_party",
        "active",
    }
    assert [(e["kind"], e["quantity"]) for e in page["aau_ledger"]] == [
        ("holding", 100000),
        ("conversion", -4000),
    ]
    assert all(e["recorded_at"] for e in page["aau_ledger"])
    assert anon.get("/api/parties/ua/issuance/").json() == page
    for code in ("ZZ", "UKR", "%00%00", "1"):
        assert_error(anon.get(f"/api/parties/{code}/issuance/"), 404)


def test_party_issuance_of_a_party_without_any(ukraine, anon):
    assert anon.get("/api/parties/UA/issuance/").json() == {
        "party": "UA",
        "name": "Ukraine",
        "aau_balance": 0,
        "aau_balances": [
            {"commitment_period": 1, "balance": 0},
            {"commitment_period": 2, "balance": 0},
        ],
        "issuances": [],
        "aau_ledger": [],
    }


def test_reconciliation_is_public(final_ver, anon, party_user):
    issuance.issue_erus(party_user, final_ver, blocks=[{"serial_start": 1, "serial_end": 30000}])
    r = anon.get("/api/projects/0001/reconciliation/")
    assert r.status_code == 200
    body = r.json()
    assert body["project"] == "0001"
    assert body["years"] == issuance.reconciliation(final_ver.project)
    assert body["years"][1] == {
        "year": 2009,
        "expected": 50000,
        "claimed": 25000,
        "verified": 24000,
        "issued": 24000,
    }
    assert body["years"][2]["issued"] == 6000
    assert_error(anon.get("/api/projects/0999/reconciliation/"), 404)
    assert_error(anon.get(f"/api/projects/P{HUGE}/reconciliation/"), 404)


# --- the schema and garbage ------------------------------------------------------------------------

ACTIONS = [
    "/api/projects/{key}/monitoring-reports/",
    "/api/monitoring-reports/{id}/withdraw/",
    "/api/projects/{key}/changes/",
    "/api/monitoring-reports/{id}/verification/",
    "/api/projects/{key}/verifications/{number}/publish/",
    "/api/projects/{key}/verifications/{number}/review-requests/",
    "/api/parties/{code}/aau-holdings/",
    "/api/projects/{key}/verifications/{number}/issuance/",
    "/api/eru-blocks/{id}/transfer/",
]
READS = [
    "/api/projects/{key}/monitoring-reports/",
    "/api/projects/{key}/changes/",
    "/api/parties/{code}/issuance/",
    "/api/projects/{key}/reconciliation/",
]


def test_schema_lists_the_new_paths(anon):
    schema = openapi_schema(anon)
    for path in ACTIONS:
        responses = schema["paths"][path]["post"]["responses"]
        assert ERRORS <= set(responses), path
        assert "requestBody" in schema["paths"][path]["post"], path
    for path in READS:
        assert "200" in schema["paths"][path]["get"]["responses"], path
    detail = schema["paths"]["/api/projects/{key}/"]["get"]["responses"]["200"]
    ref = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    field = schema["components"]["schemas"][ref]["properties"]["verifications"]
    assert field["type"] == "array"
    item = schema["components"]["schemas"][field["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(item["properties"]) == {
        "number",
        "period_start",
        "period_end",
        "status",
        "verified_reductions",
        "available_on",
        "review_window_closes_at",
        "final_on",
        "erus_issued",
    }
    assert item["properties"]["status"]["allOf"][0]["enum"] == [
        "submitted",
        "published",
        "under_review",
        "final",
        "rejected",
        "withdrawn",
    ]
    multipart = schema["paths"]["/api/projects/{key}/monitoring-reports/"]["post"]["requestBody"]
    assert "multipart/form-data" in multipart["content"]


GARBAGE = [
    {},
    [1, 2],
    "text",
    None,
    {"period_start": 10**40, "period_end": [], "aie": {"a": 1}, "claimed": 5, "file": "x"},
    {"claimed": {"2009": {"a": 1}}, "verified": {"2009": [1]}, "change_opinions": 3},
    {"verified": {"2009": 10**40}, "findings": ["x"], "conditions_hold": None},
    {"available_on": "0000-00-00", "reasons": "x", "summary": {"a": 1}},
    {"available_on": "9999-12-31", "reasons": {"approval": 1}, "summary": "\x00"},
    {"quantity": 10**40, "note": {"a": 1}, "account": ["x"]},
    {"quantity": -1, "account": "\x00"},
    {"blocks": [{"serial_start": 10**40, "serial_end": "x", "commitment_period": None}]},
    {"blocks": "x" * 10000},
    {"description": 10**40, "justification": None, "files": "x", "titles": 1},
    {"reason": {"a": 1}},
]


@pytest.mark.parametrize("template", ACTIONS)
def test_garbage_never_causes_a_server_error(
    final_ver, cycle, pp_api, aie_api, sec_api, party_api, anon, party_user, template
):
    block = issuance.issue_erus(
        party_user, final_ver, blocks=[{"serial_start": 1, "serial_end": 10}]
    ).blocks.get()
    real = {
        "key": "0001",
        "id": str(block.pk if "eru-blocks" in template else final_ver.monitoring_report_id),
        "number": "1",
        "code": "UA",
    }
    wrong = {"key": "P" + HUGE, "id": HUGE, "number": HUGE, "code": "%00x"}

    def url_for(names: dict) -> str:
        url = template
        for name, value in names.items():
            url = url.replace("{" + name + "}", value)
        return url

    # The real objects, then each placeholder in turn replaced by garbage.
    urls = [url_for(real)] + [
        url_for({**real, name: value})
        for name, value in wrong.items()
        if "{" + name + "}" in template
    ]
    for url in urls:
        clients = (pp_api, aie_api, sec_api, party_api) if url == urls[0] else (pp_api, party_api)
        for client in clients:
            for body in GARBAGE:
                r = client.post(url, body, format="json")
                assert r.status_code in (200, 201, 400, 401, 403, 404, 409, 415), (url, body)
                assert r.status_code < 300 or {"code", "detail"} <= set(r.json())
                if isinstance(body, dict) and body:
                    r = client.post(url, {k: str(v) for k, v in body.items()})
                    assert r.status_code < 500, (url, body)
    assert anon.post(urls[0], {}, format="json").status_code == 401


def test_garbage_reads_never_cause_a_server_error(final_ver, anon):
    for url in (
        "/api/projects/%00/monitoring-reports/",
        f"/api/projects/P{HUGE}/changes/",
        "/api/parties/%00%00/issuance/",
        "/api/parties/" + "x" * 5000 + "/issuance/",
        "/api/projects/0001/reconciliation/?x=%00",
    ):
        assert anon.get(url).status_code in (200, 404), url


def test_json_nested_too_deeply_is_400(final_ver, cycle, pp_api, aie_api, party_api, party_user):
    block = issuance.issue_erus(
        party_user, final_ver, blocks=[{"serial_start": 1, "serial_end": 10}]
    ).blocks.get()
    deep = "[" * 100000
    for client, url in (
        (pp_api, "/api/projects/0001/changes/"),
        (pp_api, f"/api/monitoring-reports/{final_ver.monitoring_report_id}/withdraw/"),
        (aie_api, f"/api/monitoring-reports/{final_ver.monitoring_report_id}/verification/"),
        (client_for(cycle.secretariat), "/api/projects/0001/verifications/1/publish/"),
        (party_api, "/api/projects/0001/verifications/1/review-requests/"),
        (party_api, "/api/parties/UA/aau-holdings/"),
        (party_api, "/api/projects/0001/verifications/1/issuance/"),
        (party_api, f"/api/eru-blocks/{block.pk}/transfer/"),
    ):
        assert_error(client.post(url, deep, content_type="application/json"), 400, "parse_error")


def test_publishing_one_verification_keeps_another_unpublished(
    final_project, cycle, submit_report, verify, anon
):
    first = verify(
        submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10}), {2009: 10}
    )
    second = verify(
        submit_report(final_project, D(2010, 1, 1), D(2010, 12, 31), {2010: 10}), {2010: 10}
    )
    publish(cycle, first)
    assert [v["number"] for v in detail(anon)] == [1]
    assert anon.get(f"/api/documents/{first.report_id}/download/").status_code == 200
    assert anon.get(f"/api/documents/{second.report_id}/download/").status_code == 404


# --- bugs in the domain code and the API plumbing --------------------------------------------------


def test_json_nested_too_deeply_elsewhere_is_400(cycle, pp_api):
    r = pp_api.post("/api/projects/", "[" * 100000, content_type="application/json")
    assert r.status_code == 400


def test_a_huge_verified_total_is_refused_by_the_domain(final_project, cycle, submit_report):
    years = {y: 10**12 for y in range(2009, 2013)}
    report = submit_report(final_project, D(2009, 1, 1), D(2012, 12, 31), {2009: 1})
    with pytest.raises(Invalid):
        vwf.submit_verification(
            cycle.aie_user,
            report,
            verified=years,
            findings="Checked.",
            conditions_hold=True,
            conditions_reasons=CONDITIONS,
            no_overlap_declared=True,
        )
