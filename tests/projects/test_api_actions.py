"""Each step of the cycle as an API action: who may take it, when, and its refusals."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from determinations import workflow as dwf
from determinations.models import Determination
from fees.models import FeeAssessment, Payment
from projects import workflow as wf
from projects.models import Comment, Document, Engagement, Project, User
from registry.clock import enforce_deadlines
from tests.factories import AIEFactory, UserFactory, pdf_upload
from tests.support import (
    FINDINGS,
    FINDINGS_BODY,
    assert_error,
    client_for,
    create_body,
    payment_body,
)

pytestmark = pytest.mark.django_db


def status_of(project) -> str:
    return Project.objects.get(pk=project.pk).status


# --- engagement ---------------------------------------------------------------------------------


def test_engage_by_name_or_id(pp_api, cycle, aie_org, participant):
    project = cycle.draft()
    wf.add_document(participant, project, kind="pdd", title="PDD", uploaded=pdf_upload())
    r = pp_api.post(f"/api/projects/{project.key}/engage/", {"aie": aie_org.pk}, format="json")
    assert r.status_code == 201, r.json()
    engagement = Engagement.objects.get()
    assert r.json() == {
        "id": engagement.pk,
        "project": project.key,
        "project_title": "Landfill gas capture at Kyiv",
        "project_status": "draft",
        "aie": "Bureau Veritas Certification",
        "status": "pending",
        "requested_at": r.json()["requested_at"],
        "decided_at": None,
        "reason": "",
    }


@pytest.mark.parametrize("aie", ["No Such AIE", 10**30, -1, None, True, ["x"], "Green Carbon Ltd"])
def test_engage_unknown_aie_is_400(pp_api, cycle, aie):
    project = cycle.draft()
    r = pp_api.post(f"/api/projects/{project.key}/engage/", {"aie": aie}, format="json")
    assert_error(r, 400, "invalid", "aie")
    assert Engagement.objects.count() == 0


def test_engage_aie_not_accredited_for_the_scope_is_409(pp_api, cycle):
    narrow = AIEFactory(name="Narrow AIE", accredited=[2])
    project = cycle.draft()
    r = pp_api.post(f"/api/projects/{project.key}/engage/", {"aie": "Narrow AIE"}, format="json")
    assert_error(r, 409, "not_accredited")
    assert not narrow.engagements.exists()


def test_engage_twice_is_409(pp_api, cycle, aie_org, other_aie_org):
    project = cycle.draft()
    assert (
        pp_api.post(f"/api/projects/{project.key}/engage/", {"aie": aie_org.pk}).status_code == 201
    )
    r = pp_api.post(f"/api/projects/{project.key}/engage/", {"aie": other_aie_org.pk})
    assert_error(r, 409, "already_pending")


def test_engage_with_ineligible_host_is_409(pp_api, cycle, ineligible_party, aie_org):
    project = cycle.draft(host_party=ineligible_party)
    r = pp_api.post(f"/api/projects/{project.key}/engage/", {"aie": aie_org.pk})
    assert_error(r, 409, "host_not_eligible")


def test_engagement_inbox_per_role(
    pp_api, aie_api, other_aie_api, other_pp_api, sec_api, cycle, aie_org
):
    project = cycle.draft()
    engagement = wf.engage_aie(cycle.participant, project, aie_org)
    for client, expected in (
        (pp_api, [engagement.pk]),
        (aie_api, [engagement.pk]),
        (sec_api, [engagement.pk]),
        (other_aie_api, []),
        (other_pp_api, []),
    ):
        assert [e["id"] for e in client.get("/api/engagements/").json()["results"]] == expected
    assert aie_api.get("/api/engagements/?status=accepted").json()["count"] == 0
    assert aie_api.get("/api/engagements/?status=pending").json()["count"] == 1


def test_decline_engagement_with_reason(aie_api, cycle, aie_org):
    project = cycle.draft()
    engagement = wf.engage_aie(cycle.participant, project, aie_org)
    r = aie_api.post(
        f"/api/engagements/{engagement.pk}/decline/", {"reason": "No capacity."}, format="json"
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["reason"]) == ("declined", "No capacity.")
    assert status_of(project) == "draft"
    assert_error(aie_api.post(f"/api/engagements/{engagement.pk}/accept/"), 409, "already_decided")


def test_engagement_decided_by_others(pp_api, other_aie_api, cycle, aie_org):
    project = cycle.draft()
    engagement = wf.engage_aie(cycle.participant, project, aie_org)
    assert_error(other_aie_api.post(f"/api/engagements/{engagement.pk}/accept/"), 404, "not_found")
    assert_error(pp_api.post(f"/api/engagements/{engagement.pk}/accept/"), 403, "forbidden")
    assert_error(pp_api.post("/api/engagements/99999999999999999999/accept/"), 404, "not_found")
    assert Engagement.objects.get().status == "pending"


# --- PDD submission and publication ------------------------------------------------------------


def test_submit_pdd_by_participant_is_403(pp_api, cycle):
    project = cycle.engaged()
    assert_error(pp_api.post(f"/api/projects/{project.key}/submit-pdd/"), 403, "forbidden")
    assert status_of(project) == "engaged"


def test_submit_pdd_twice_is_409(aie_api, cycle):
    project = cycle.submitted()
    assert_error(aie_api.post(f"/api/projects/{project.key}/submit-pdd/"), 409, "wrong_status")


def test_check_pdd_return_with_reasons(sec_api, cycle):
    project = cycle.submitted()
    r = sec_api.post(
        f"/api/projects/{project.key}/check-pdd/",
        {"accept": False, "reason": "Section B.2 is missing."},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "engaged"
    assert r.json()["reference"] is None
    assert r.json()["timeline"][-1]["reason"] == "Section B.2 is missing."


def test_check_pdd_available_tomorrow(sec_api, cycle):
    project = cycle.submitted()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    r = sec_api.post(
        f"/api/projects/{project.key}/check-pdd/",
        {"accept": True, "available_on": tomorrow.isoformat()},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["pdd_available_on"] == tomorrow.isoformat()
    closes = tomorrow + dt.timedelta(days=29)
    assert r.json()["comments_close_at"] == f"{closes.isoformat()}T17:00:00Z"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"accept": False}, "reason"),
        ({"accept": False, "reason": "   "}, "reason"),
        ({}, "accept"),
        ({"accept": "maybe"}, "accept"),
        ({"accept": True, "available_on": "2025-02-30"}, "available_on"),
        ({"accept": True, "available_on": "2001-01-01"}, "available_on"),
        ({"accept": True, "available_on": 20250101}, "available_on"),
    ],
)
def test_check_pdd_invalid_is_400(sec_api, cycle, body, field):
    project = cycle.submitted()
    r = sec_api.post(f"/api/projects/{project.key}/check-pdd/", body, format="json")
    assert_error(r, 400, "invalid", field)
    assert status_of(project) == "pdd_submitted"
    assert Project.objects.get().reference is None


def test_check_pdd_by_aie_is_403(aie_api, cycle):
    project = cycle.submitted()
    r = aie_api.post(f"/api/projects/{project.key}/check-pdd/", {"accept": True}, format="json")
    assert_error(r, 403, "forbidden")


def test_check_pdd_when_published_is_409(sec_api, cycle):
    cycle.open()
    r = sec_api.post("/api/projects/0001/check-pdd/", {"accept": True}, format="json")
    assert_error(r, 409, "wrong_status")


# --- comments ---------------------------------------------------------------------------------

COMMENT = {
    "name": "Olena",
    "affiliation": "",
    "category": "party",
    "email": "olena@example.org",
    "text": "Please explain the baseline.",
}


def test_comment_is_public_without_email(anon, cycle):
    cycle.open()
    r = anon.post("/api/projects/0001/comments/", COMMENT, format="json")
    assert r.status_code == 201
    comment = Comment.objects.get()
    assert r.json() == {
        "id": comment.pk,
        "name": "Olena",
        "affiliation": "",
        "category": "party",
        "text": "Please explain the baseline.",
        "submitted_at": r.json()["submitted_at"],
        "answer": "",
        "answered_at": None,
        "removed_at": None,
        "removed_reason": "",
        "attachment_url": None,
    }


@pytest.mark.parametrize(
    "override,field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"category": "lobbyist"}, "category"),
        ({"name": ""}, "name"),
        ({"text": ""}, "text"),
        ({"text": "x" * 20001}, "text"),
        ({"name": "n" * 121}, "name"),
    ],
)
def test_comment_invalid_is_400(anon, cycle, override, field):
    cycle.open()
    r = anon.post("/api/projects/0001/comments/", COMMENT | override, format="json")
    assert_error(r, 400, "invalid", field)
    assert Comment.objects.count() == 0


def test_comment_after_the_period_is_409(anon, cycle):
    project = cycle.open()
    with time_machine.travel(project.comments_close_at, tick=False):
        assert anon.post("/api/projects/0001/comments/", COMMENT, format="json").status_code == 201
    with time_machine.travel(project.comments_close_at + dt.timedelta(seconds=1), tick=False):
        r = anon.post("/api/projects/0001/comments/", COMMENT, format="json")
    assert_error(r, 409, "window_closed")
    assert Comment.objects.count() == 1


def test_comment_on_unpublished_project_is_404(anon, pp_api, cycle):
    project = cycle.engaged()
    assert_error(anon.post(f"/api/projects/{project.key}/comments/", COMMENT), 404, "not_found")
    assert_error(
        pp_api.post(f"/api/projects/{project.key}/comments/", COMMENT), 409, "window_closed"
    )


def test_answer_comment(aie_api, other_aie_api, pp_api, anon, cycle):
    project = cycle.open()
    comment = wf.add_comment(project, **COMMENT)
    assert_error(
        other_aie_api.post(f"/api/comments/{comment.pk}/answer/", {"answer": "x"}), 403, "forbidden"
    )
    assert_error(
        pp_api.post(f"/api/comments/{comment.pk}/answer/", {"answer": "x"}), 403, "forbidden"
    )
    assert_error(
        aie_api.post(f"/api/comments/{comment.pk}/answer/", {"answer": " "}),
        400,
        "invalid",
        "answer",
    )
    assert_error(aie_api.post("/api/comments/999999/answer/", {"answer": "x"}), 404, "not_found")
    r = aie_api.post(f"/api/comments/{comment.pk}/answer/", {"answer": "See section B."})
    assert r.status_code == 200
    assert r.json()["answer"] == "See section B."
    assert anon.get("/api/projects/0001/").json()["comments"][0]["answer"] == "See section B."


# --- determination ------------------------------------------------------------------------------


def determination_body(**overrides):
    return {"findings": FINDINGS_BODY, "outcome": "positive", "due_account": ""} | overrides


def test_determination_multipart_with_supporting_files(aie_api, anon, sec_api, cycle):
    cycle.comments_closed()
    r = aie_api.post(
        "/api/projects/0001/determination/",
        {
            "findings": json.dumps(FINDINGS_BODY),
            "outcome": "positive",
            "supporting_files": [pdf_upload("site-visit.pdf"), pdf_upload("calc.pdf", "calc")],
            "supporting_titles": ["Site visit report"],
            "supporting_confidential": [False, True],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    supporting = Document.objects.filter(kind="determination_supporting").order_by("pk")
    assert [(d.title, d.confidential) for d in supporting] == [
        ("Site visit report", False),
        ("calc.pdf", True),
    ]
    fee = FeeAssessment.objects.get()
    assert fee.status == "due"
    sec_api.post("/api/projects/0001/fee/payment/", payment_body(reference="B-1"))
    assert (
        sec_api.post("/api/projects/0001/determination/check/", {"accept": True}).status_code == 200
    )
    public = anon.get("/api/projects/0001/").json()
    assert sorted(d["title"] for d in public["documents"]) == [
        "Determination report F-JI-DRep (1)",
        "PDD",
        "Site visit report",
    ]


@pytest.mark.parametrize(
    "body,field,code",
    [
        (determination_body(findings={}), "findings", "invalid"),
        (determination_body(findings="not json"), "findings", "invalid"),
        (determination_body(findings=[1, 2]), "findings", "invalid"),
        (
            determination_body(findings=FINDINGS_BODY | {"approval": {"met": True}}),
            "findings",
            "invalid",
        ),
        (
            determination_body(findings=FINDINGS_BODY | {"approval": {"met": "x", "reasons": "r"}}),
            "findings",
            "invalid",
        ),
        (
            determination_body(
                findings=FINDINGS_BODY | {"approval": {"met": True, "reasons": " "}}
            ),
            "findings",
            "invalid",
        ),
        (determination_body(outcome="maybe"), "outcome", "invalid"),
        (determination_body(supporting_titles=["x"]), "supporting_titles", "invalid"),
        (
            determination_body(
                findings=FINDINGS_BODY | {"environmental": {"met": False, "reasons": "No EIA."}}
            ),
            "outcome",
            "inconsistent_outcome",
        ),
    ],
)
def test_determination_invalid_is_400(aie_api, cycle, body, field, code):
    cycle.comments_closed()
    r = aie_api.post("/api/projects/0001/determination/", body, format="json")
    assert_error(r, 400, code, field)
    assert Determination.objects.count() == 0
    assert Project.objects.get().status == "comments_closed"


def test_determination_with_non_pdf_supporting_file_is_400(aie_api, cycle):
    cycle.comments_closed()
    r = aie_api.post(
        "/api/projects/0001/determination/",
        {
            "findings": json.dumps(FINDINGS_BODY),
            "outcome": "positive",
            "supporting_files": [SimpleUploadedFile("x.pdf", b"GIF89a...", "application/pdf")],
        },
        format="multipart",
    )
    assert_error(r, 400, "not_a_pdf", "file")
    assert Determination.objects.count() == 0
    assert FeeAssessment.objects.count() == 0


def test_determination_while_comments_open_is_409(aie_api, cycle):
    cycle.open()
    r = aie_api.post("/api/projects/0001/determination/", determination_body(), format="json")
    assert_error(r, 409, "wrong_status")


def test_determination_with_unanswered_comments_is_409(aie_api, cycle):
    project = cycle.open()
    wf.add_comment(project, **COMMENT)
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    r = aie_api.post("/api/projects/0001/determination/", determination_body(), format="json")
    assert_error(r, 409, "comments_unanswered")


@pytest.mark.parametrize("client", ["pp_api", "other_aie_api", "sec_api"])
def test_determination_by_others_is_403(request, cycle, client):
    cycle.comments_closed()
    r = request.getfixturevalue(client).post(
        "/api/projects/0001/determination/", determination_body(), format="json"
    )
    assert_error(r, 403, "forbidden")


def test_negative_determination_becomes_rejected(aie_api, sec_api, cycle):
    cycle.comments_closed(expected={2009: 1000})  # below 15,000 t: no advance due
    findings = FINDINGS_BODY | {"additionality": {"met": False, "reasons": "Common practice."}}
    r = aie_api.post(
        "/api/projects/0001/determination/",
        {"findings": findings, "outcome": "negative"},
        format="json",
    )
    assert r.status_code == 201
    r = sec_api.post("/api/projects/0001/fee/payment/", payment_body())
    assert_error(r, 409, "fee_not_due")
    r = sec_api.post("/api/projects/0001/determination/check/", {"accept": True})
    assert r.json()["determination"]["findings"]["additionality"]["met"] is False
    closes = Project.objects.get().review_window_closes_at
    enforce_deadlines(now=closes + dt.timedelta(seconds=1))
    assert Project.objects.get().status == "rejected"


def test_check_determination_return(sec_api, aie_api, cycle):
    cycle.determination_submitted()
    r = sec_api.post(
        "/api/projects/0001/determination/check/",
        {"accept": False, "reason": "Summary of comments incomplete."},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "comments_closed"
    # The AIE can file again.
    r = aie_api.post("/api/projects/0001/determination/", determination_body(), format="json")
    assert r.status_code == 201
    assert r.json()["number"] == 2


def test_check_determination_refusals(sec_api, aie_api, cycle):
    cycle.determination_submitted()
    assert_error(
        aie_api.post("/api/projects/0001/determination/check/", {"accept": True}), 403, "forbidden"
    )
    assert_error(
        sec_api.post("/api/projects/0001/determination/check/", {"accept": False}),
        400,
        "invalid",
        "reason",
    )
    assert_error(
        sec_api.post("/api/projects/0001/determination/check/", {"accept": True}), 409, "fee_unpaid"
    )
    assert Project.objects.get().status == "determination_submitted"


# --- fees ----------------------------------------------------------------------------------------


def test_fee_payment_refusals(sec_api, aie_api, pp_api, cycle):
    cycle.comments_closed()
    assert_error(sec_api.post("/api/projects/0001/fee/payment/", payment_body()), 409, "no_fee")
    assert_error(pp_api.get("/api/projects/0001/fee/"), 404, "no_fee")
    cycle_project = Project.objects.get()
    dwf.submit_determination(
        cycle.aie_user, cycle_project, findings=dict(FINDINGS), outcome="positive"
    )
    assert_error(aie_api.post("/api/projects/0001/fee/payment/", payment_body()), 403, "forbidden")
    assert_error(aie_api.get("/api/projects/0001/fee/"), 403, "forbidden")
    r = sec_api.post("/api/projects/0001/fee/payment/", payment_body(reference="x" * 121))
    assert_error(r, 400, "invalid", "reference")
    # Nothing is assumed: no amount, date or bank reference, no payment (ji-rules §7).
    for missing in ("amount_usd", "received_on", "reference"):
        body = {k: v for k, v in payment_body().items() if k != missing}
        assert_error(sec_api.post("/api/projects/0001/fee/payment/", body), 400, "invalid", missing)
    for field, bad in (("amount_usd", "lots"), ("received_on", "31/12/2009"), ("reference", " ")):
        body = payment_body() | {field: bad}
        assert_error(sec_api.post("/api/projects/0001/fee/payment/", body), 400, "invalid", field)
    assert not Payment.objects.exists()
    # A part payment leaves a balance, shown as such.
    r = sec_api.post("/api/projects/0001/fee/payment/", payment_body(amount_usd="500.00"))
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["balance_usd"]) == ("due", "8000.00")
    r = sec_api.post(
        "/api/projects/0001/fee/payment/", payment_body(amount_usd="8000.00", reference="BANK-78")
    )
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["balance_usd"]) == ("paid", "0.00")
    r = sec_api.post("/api/projects/0001/fee/payment/", payment_body())
    assert_error(r, 409, "already_paid")


def test_fee_record_shape(pp_api, cycle):
    cycle.determination_submitted()
    body = pp_api.get("/api/projects/0001/fee/").json()
    assert body == {
        "kind": "determination",
        "schedule": "v3",
        "inputs": {"expected_annual_reductions": 50000, "small_scale": False, "poa": False},
        "lines": [
            {"tonnes": 15000, "rate_usd": "0.10", "amount_usd": "1500.00"},
            {"tonnes": 35000, "rate_usd": "0.20", "amount_usd": "7000.00"},
        ],
        "number": 1,
        "amount_usd": "8500.00",
        "credit_usd": "0.00",
        "due_usd": "8500.00",
        "balance_usd": "8500.00",
        "status": "due",
        "assessed_at": body["assessed_at"],
        "paid_at": None,
        "invoices": [f"JI-{timezone.localdate().year}-00001"],
    }


# --- change of AIE and withdrawal -------------------------------------------------------------


def test_change_aie_window(pp_api, cycle, other_aie_org):
    project = cycle.open()
    r = pp_api.post("/api/projects/0001/change-aie/", {"aie": other_aie_org.name, "reason": "Cost"})
    assert_error(r, 409, "window_closed")
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    r = pp_api.post("/api/projects/0001/change-aie/", {"aie": other_aie_org.name, "reason": "Cost"})
    assert r.status_code == 200
    assert r.json()["aie"] == "TÜV SÜD"
    assert "aie_changed" in [e["kind"] for e in r.json()["timeline"]]
    r = pp_api.post("/api/projects/0001/change-aie/", {"aie": other_aie_org.pk})
    assert_error(r, 400, "invalid", "aie")


def test_change_aie_by_the_aie_is_403(aie_api, cycle, other_aie_org):
    cycle.comments_closed()
    r = aie_api.post("/api/projects/0001/change-aie/", {"aie": other_aie_org.pk})
    assert_error(r, 403, "forbidden")


def test_withdraw(pp_api, anon, cycle):
    cycle.open()
    r = pp_api.post("/api/projects/0001/withdraw/", {"reason": "Financing fell through."})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["withdrawn"]) == ("withdrawn", True)
    public = anon.get("/api/projects/0001/").json()
    assert public["withdrawn"] is True
    assert public["timeline"][-1]["reason"] == "Financing fell through."
    assert_error(pp_api.post("/api/projects/0001/withdraw/", {}), 409, "wrong_status")


@pytest.mark.parametrize("client", ["aie_api", "sec_api", "other_pp_api"])
def test_withdraw_by_others_is_403(request, cycle, client):
    cycle.open()
    assert_error(
        request.getfixturevalue(client).post("/api/projects/0001/withdraw/"), 403, "forbidden"
    )
    assert Project.objects.get().status == "open_for_comments"


def test_withdraw_draft_of_another_organisation_is_404(other_pp_api, cycle):
    draft = cycle.draft()
    assert_error(other_pp_api.post(f"/api/projects/{draft.key}/withdraw/"), 404, "not_found")


def test_participant_without_organisation_cannot_create(ukraine, scopes):

    loner = UserFactory(username="loner", role=User.Role.PARTICIPANT, organisation=None)
    r = client_for(loner).post("/api/projects/", create_body(), format="json")
    assert_error(r, 403, "forbidden")
    assert Project.objects.count() == 0
