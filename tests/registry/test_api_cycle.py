"""The whole Track 2 determination cycle, driven only through the API."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail

from registry.clock import enforce_deadlines
from tests.factories import pdf_upload
from tests.support import FINDINGS_BODY, create_body, payment_body

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def acted(done: dict[str, int]) -> dict[str, int]:
    """What a sweep did: its non-zero counts."""
    return {kind: n for kind, n in done.items() if n}


def test_cycle_through_the_api_reaches_final(
    anon, pp_api, aie_api, sec_api, party_api, aie_org, ukraine, japan, scopes
):
    with time_machine.travel(START, tick=False) as traveller:
        # The participant drafts the project, uploads its PDD and engages the AIE.
        r = pp_api.post("/api/projects/", create_body(parties_involved=["JP"]), format="json")
        assert r.status_code == 201, r.json()
        key = r.json()["key"]
        assert r.json()["status"] == "draft"
        assert r.json()["reference"] is None
        assert r.json()["expected_annual_reductions"] == 55000

        r = pp_api.post(
            f"/api/projects/{key}/documents/",
            {"kind": "pdd", "title": "PDD v1", "file": pdf_upload()},
            format="multipart",
        )
        assert r.status_code == 201, r.json()
        r = pp_api.post(
            f"/api/projects/{key}/approvals/",
            {"party": "UA", "issued_on": "2025-02-20", "reference": "LoA-17"},
            format="json",
        )
        assert r.status_code == 201, r.json()
        assert r.json()["party"] == "UA"
        assert r.json()["confirmed_at"] is None
        # Ukraine's focal point confirms the letter: on record for the determination (ji-rules §7)
        r = party_api.post(f"/api/approvals/{r.json()['id']}/confirm/")
        assert r.status_code == 200, r.json()
        assert r.json()["confirmed_at"] is not None

        r = pp_api.post(f"/api/projects/{key}/engage/", {"aie": aie_org.name}, format="json")
        assert r.status_code == 201, r.json()
        engagement_id = r.json()["id"]
        assert r.json()["status"] == "pending"

        # The AIE finds it in its inbox, accepts and submits the PDD.
        r = aie_api.get("/api/engagements/")
        assert [e["id"] for e in r.json()["results"]] == [engagement_id]
        r = aie_api.post(f"/api/engagements/{engagement_id}/accept/", {}, format="json")
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "accepted"
        assert r.json()["project_status"] == "engaged"
        r = aie_api.post(f"/api/projects/{key}/submit-pdd/")
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "pdd_submitted"

        # The public does not see it yet.
        assert anon.get(f"/api/projects/{key}/").status_code == 404

        # The secretariat publishes it: reference 0001, comments until day 30 at 17:00 GMT.
        r = sec_api.post(
            f"/api/projects/{key}/check-pdd/",
            {"accept": True, "available_on": "2025-03-03"},
            format="json",
        )
        assert r.status_code == 200, r.json()
        body = r.json()
        assert body["reference"] == "0001"
        assert body["key"] == "0001"
        assert body["status"] == "open_for_comments"
        assert body["pdd_available_on"] == "2025-03-03"
        assert body["comments_close_at"] == "2025-04-01T17:00:00Z"

        # Anyone comments; the AIE answers.
        r = anon.post(
            "/api/projects/0001/comments/",
            {
                "name": "Olena",
                "affiliation": "Kyiv Eco Forum",
                "category": "stakeholder",
                "email": "olena@example.org",
                "text": "How is the methane content measured?",
            },
            format="json",
        )
        assert r.status_code == 201, r.json()
        comment_id = r.json()["id"]
        assert "email" not in r.json()
        r = aie_api.post(
            f"/api/comments/{comment_id}/answer/",
            {"answer": "By a continuous analyser, calibrated yearly."},
            format="json",
        )
        assert r.status_code == 200, r.json()
        assert r.json()["email"] == "olena@example.org"

        # The comment period ends at 17:00 GMT on day 30.
        traveller.move_to(dt.datetime(2025, 4, 1, 17, 0, 1, tzinfo=dt.UTC))
        assert acted(enforce_deadlines()) == {"comments_closed": 1}
        assert acted(enforce_deadlines()) == {}
        assert anon.get("/api/projects/0001/").json()["status"] == "comments_closed"

        # The AIE files a positive determination; the fee falls due.
        traveller.move_to(dt.datetime(2025, 4, 2, 8, 0, tzinfo=dt.UTC))
        r = aie_api.post(
            "/api/projects/0001/determination/",
            {"findings": FINDINGS_BODY, "outcome": "positive", "due_account": "See answers."},
            format="json",
        )
        assert r.status_code == 201, r.json()
        assert r.json()["status"] == "submitted"
        assert r.json()["outcome"] == "positive"
        assert r.json()["findings"]["approval"] == FINDINGS_BODY["approval"]
        # Not public until the secretariat publishes it.
        assert anon.get("/api/projects/0001/").json()["determination"] is None

        # Unpaid: the secretariat cannot publish yet.
        r = sec_api.post("/api/projects/0001/determination/check/", {"accept": True}, format="json")
        assert r.status_code == 409
        assert r.json()["code"] == "fee_unpaid"

        r = pp_api.get("/api/projects/0001/fee/")
        assert r.status_code == 200
        # 15,000 t at USD 0.10 + 40,000 t at USD 0.20.
        assert r.json()["amount_usd"] == "9500.00"
        assert r.json()["status"] == "due"

        r = sec_api.post(
            "/api/projects/0001/fee/payment/", payment_body(amount_usd="9500.00"), format="json"
        )
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "paid"
        [number] = r.json()["invoices"]
        assert re.fullmatch(r"JI-\d{4}-00001", number)
        invoice = sec_api.get(f"/api/invoices/{number}/").json()
        assert [p["reference"] for p in invoice["payments"]] == ["BANK-77"]

        r = sec_api.post("/api/projects/0001/determination/check/", {"accept": True}, format="json")
        assert r.status_code == 200, r.json()
        body = r.json()
        assert body["status"] == "determination_published"
        assert body["determination_available_on"] == "2025-04-02"
        assert body["review_window_closes_at"] == "2025-05-16T17:00:00Z"

        public = anon.get("/api/projects/0001/").json()
        det = public["determination"]
        assert det["outcome"] == "positive"
        assert det["available_on"] == "2025-04-02"
        assert det["review_window_closes_at"] == "2025-05-16T17:00:00Z"
        assert det["final_on"] is None
        assert det["comments_summary"].startswith("1 comment(s) received (1 from a stakeholder).")
        assert len(det["report"]["sha256"]) == 64
        report = anon.get(det["report"]["download_url"])
        assert report.status_code == 200
        assert b"".join(report.streaming_content).startswith(b"%PDF-")

        # Still open at the end instant; final one second later.
        traveller.move_to(dt.datetime(2025, 5, 16, 17, 0, 0, tzinfo=dt.UTC))
        assert acted(enforce_deadlines()) == {}
        traveller.move_to(dt.datetime(2025, 5, 16, 17, 0, 1, tzinfo=dt.UTC))
        assert acted(enforce_deadlines()) == {"determinations_final": 1}
        assert acted(enforce_deadlines()) == {}

        final = anon.get("/api/projects/0001/").json()
        assert final["status"] == "final"
        assert final["final_on"] == "2025-05-16"
        assert final["determination"]["final_on"] == "2025-05-16"
        assert [(e["kind"], e["to_status"]) for e in final["timeline"]] == [
            ("pdd_published", "open_for_comments"),
            ("comment_received", ""),
            ("comment_answered", ""),
            ("comments_closed", "comments_closed"),
            ("determination_submitted", "determination_submitted"),
            ("determination_published", "determination_published"),
            ("determination_final", "final"),
        ]
        assert final["comments"][0]["answer"] == "By a continuous analyser, calibrated yearly."
        assert "email" not in final["comments"][0]
    assert mail.outbox == []  # mail goes out after commit; the test transaction never commits
