"""Review of a verification (F-JI-VR, para 39): a Party involved or three JISC members stop the
15-day clock; the review is due 30 days after the request (reviews.deadlines); the JISC confirms,
rejects (the monitoring period is free again) or requires corrections (final once the secretariat
confirms them)."""

import datetime as dt

import pytest

from determinations import issuance
from determinations import verification as vwf
from determinations.models import MonitoringReport, Verification
from jitrack.errors import Conflict, Forbidden, Invalid
from projects.models import Document, Event, User
from reviews import workflow as rwf
from reviews.models import Review, ReviewRequest
from tests.factories import UserFactory, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
REASONS = {"baseline_monitoring": "The meter readings of March 2009 are missing."}


@pytest.fixture
def members(committee):
    return committee.members


@pytest.fixture
def published_ver(final_project, submit_report, verify, cycle, members):
    """10,000 t in 2009 (fee covered by the advance), published today."""
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    return vwf.publish_verification(cycle.secretariat, verify(report, {2009: 10000}))


# F-JI-VR concerns the verification, not the para 33 criteria (ji-rules §7, para 39).
VERIFICATION_REASONS = {
    "monitoring_plan": "Meter 3 was not read as the monitoring plan requires.",
    "verified_amount": "",
}


def _request(actor, ver, now, summary="The monitoring data are incomplete."):
    return rwf.request_verification_review(
        actor, ver, reasons=dict(VERIFICATION_REASONS), summary=summary, now=now
    )


def _reported(cycle, review, members, recommendation):
    rwf.appoint_team(cycle.secretariat, review, members=members[:2], lead=members[0])
    return rwf.file_report(
        members[0], review, recommendation=recommendation, report="F-JI-RRep: data checked."
    )


# --- the request ---------------------------------------------------------------------------------


def test_verification_review_by_party_involved_stops_finality(
    published_ver, party_user, ukraine, final_project
):
    ver = published_ver
    closes = ver.review_window_closes_at
    now = closes - dt.timedelta(hours=3)
    req = _request(party_user, ver, now)
    assert (req.kind, req.by, req.party, req.verification) == (
        "verification",
        "party",
        ukraine,
        ver,
    )
    review = Review.objects.get(verification=ver)
    assert req.review == review
    assert (review.kind, review.status, review.project) == (
        "verification",
        "requested",
        final_project,
    )
    assert review.requested_at == now
    assert review.due_at == now + dt.timedelta(days=30)
    ver.refresh_from_db()
    assert (ver.status, ver.due_at, ver.final_on) == ("under_review", None, None)
    received = Event.objects.get(project=final_project, kind="review_request_received")
    assert received.public is True
    assert received.data == {
        "by": "party",
        "verification": 1,
        "party": "UA",
        "jisc_member_requests": 0,
    }
    started = Event.objects.get(project=final_project, kind="verification_review_started")
    assert (started.public, started.created_at) == (True, now)
    assert started.data == {
        "verification": 1,
        "due_at": (now + dt.timedelta(days=30)).isoformat(),
        "jisc_member_requests": 0,
    }
    # The clock leaves it alone.
    later = closes + dt.timedelta(days=1)
    assert vwf.sweep(later) == {"verifications_final": 0}
    assert vwf.deem_verification_final(ver.pk, later) is False
    assert Verification.objects.get(pk=ver.pk).status == "under_review"
    # Later requests join the same review; the same requester, or Party, only once.
    with pytest.raises(Conflict) as err:
        _request(party_user, ver, now)
    assert err.value.code == "duplicate_request"
    second_dfp = UserFactory(username="ua_dfp2", role=User.Role.PARTY, party=ukraine)
    with pytest.raises(Conflict) as err:
        _request(second_dfp, ver, now)
    assert err.value.code == "party_already_requested"
    assert Review.objects.count() == 1


def test_verification_review_by_other_party_involved(cycle, japan, submit_report, verify, members):
    project = cycle.final(crediting_start=D(2009, 1, 1), parties_involved=[japan])
    report = submit_report(project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    ver = vwf.publish_verification(cycle.secretariat, verify(report, {2009: 10000}))
    japan_dfp = UserFactory(username="jp_dfp", role=User.Role.PARTY, party=japan)
    req = _request(japan_dfp, ver, None)
    assert (req.by, req.party) == ("party", japan)
    assert req.review is not None
    assert Verification.objects.get(pk=ver.pk).status == "under_review"


def test_verification_review_request_on_time_at_the_closing_instant(published_ver, members):
    ver = published_ver
    closes = ver.review_window_closes_at
    req = _request(members[0], ver, closes)
    assert (req.by, req.review) == ("jisc", None)
    with pytest.raises(Conflict) as err:
        _request(members[1], ver, closes + dt.timedelta(seconds=1))
    assert err.value.code == "window_closed"
    assert err.value.detail == f"The 15-day window closed at {closes:%d %b %Y %H:%M} GMT."
    assert ReviewRequest.objects.count() == 1


def test_verification_review_request_outside_window_not_in_window(
    final_project, submit_report, verify, cycle, party_user, members
):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    ver = verify(report, {2009: 10000})
    with pytest.raises(Conflict) as err:
        _request(party_user, ver, None)
    assert err.value.code == "not_in_window"
    ver = vwf.publish_verification(cycle.secretariat, ver)
    vwf.deem_verification_final(ver.pk, ver.review_window_closes_at + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as err:
        _request(party_user, ver, ver.review_window_closes_at - dt.timedelta(days=1))
    assert err.value.code == "not_in_window"
    assert not ReviewRequest.objects.exists()


def test_verification_review_only_party_involved_or_jisc(
    published_ver, japan, participant, aie_user, secretariat
):
    japan_dfp = UserFactory(username="jp_dfp", role=User.Role.PARTY, party=japan)
    for actor in (japan_dfp, participant, aie_user, secretariat):
        with pytest.raises(Forbidden):
            _request(actor, published_ver, None)
    assert not ReviewRequest.objects.exists()
    assert Verification.objects.get(pk=published_ver.pk).status == "published"


def test_verification_review_needs_summary(published_ver, party_user):
    with pytest.raises(Invalid) as err:
        _request(party_user, published_ver, None, summary="  ")
    assert (err.value.code, err.value.field) == ("required", "summary")


def test_verification_review_third_jisc_member_starts_it(published_ver, members):
    ver = published_ver
    t0 = ver.review_window_closes_at - dt.timedelta(days=2)
    for i, member in enumerate(members[:2]):
        req = _request(member, ver, t0 + dt.timedelta(hours=i))
        assert req.review is None
    assert Verification.objects.get(pk=ver.pk).status == "published"
    third_at = t0 + dt.timedelta(hours=5)
    req = _request(members[2], ver, third_at)
    review = Review.objects.get(verification=ver)
    assert req.review == review
    assert (review.requested_at, review.due_at) == (third_at, third_at + dt.timedelta(days=30))
    assert set(ReviewRequest.objects.values_list("review", flat=True)) == {review.pk}
    started = Event.objects.get(kind="verification_review_started")
    assert started.data["jisc_member_requests"] == 3
    assert Verification.objects.get(pk=ver.pk).status == "under_review"


def test_verification_two_jisc_members_do_not_stop_finality(published_ver, members):
    ver = published_ver
    for member in members[:2]:
        _request(member, ver, ver.review_window_closes_at - dt.timedelta(hours=1))
    assert vwf.sweep(ver.review_window_closes_at + dt.timedelta(seconds=1)) == {
        "verifications_final": 1
    }
    assert Verification.objects.get(pk=ver.pk).status == "final"
    assert not Review.objects.exists()


# --- the decision --------------------------------------------------------------------------------


def test_verification_review_confirmed_final(published_ver, party_user, cycle, members, ukraine):
    ver = published_ver
    _request(party_user, ver, None)
    review = _reported(cycle, Review.objects.get(verification=ver), members, "confirmed")
    decided_at = review.requested_at + dt.timedelta(days=20)
    review = rwf.decide(
        cycle.secretariat, review, decision="confirmed", reasons="The data hold.", now=decided_at
    )
    assert (review.status, review.decision, review.decided_at) == (
        "decided",
        "confirmed",
        decided_at,
    )
    ver.refresh_from_db()
    assert (ver.status, ver.final_on, ver.due_at) == ("final", decided_at.date(), None)
    assert MonitoringReport.objects.get(pk=ver.monitoring_report_id).status == "final"
    event = Event.objects.get(kind="review_decided")
    assert (event.public, event.reason) == (True, "The data hold.")
    assert event.data == {
        "decision": "confirmed",
        "meeting": None,
        "review": review.pk,
        "verification": 1,
    }
    # Final: ERUs can be issued.
    issuance.record_aau_holding(party_user, ukraine, quantity=10000)
    iss = issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1, "serial_end": 10000}])
    assert iss.quantity == 10000


def test_verification_review_rejected_frees_the_period(
    published_ver, party_user, cycle, members, submit_report, ukraine
):
    ver = published_ver
    _request(party_user, ver, None)
    review = _reported(cycle, Review.objects.get(verification=ver), members, "rejected")
    rwf.decide(cycle.secretariat, review, decision="rejected", reasons="Data missing.")
    ver.refresh_from_db()
    assert (ver.status, ver.final_on, ver.due_at) == ("rejected", None, None)
    report = MonitoringReport.objects.get(pk=ver.monitoring_report_id)
    assert report.status == "rejected"
    assert vwf.sweep(ver.review_window_closes_at + dt.timedelta(days=40)) == {
        "verifications_final": 0
    }
    issuance.record_aau_holding(party_user, ukraine, quantity=10000)
    with pytest.raises(Conflict) as err:
        issuance.issue_erus(party_user, ver, blocks=[{"serial_start": 1, "serial_end": 10}])
    assert err.value.code == "not_final"
    with pytest.raises(Conflict) as err:
        vwf.withdraw_monitoring_report(cycle.participant, report)
    assert err.value.code == "wrong_status"
    again = submit_report(ver.project, D(2009, 1, 1), D(2009, 12, 31), {2009: 9000})
    assert (again.number, again.status) == (2, "submitted")


def test_verification_review_corrections_then_confirmed_final(
    final_project, submit_report, cycle, members, party_user, other_aie_org, other_aie_user
):
    report = submit_report(
        final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000}, aie=other_aie_org
    )
    ver = vwf.submit_verification(
        other_aie_user,
        report,
        verified={2009: 10000},
        findings="Checked.",
        conditions_hold=True,
        conditions_reasons="Unchanged.",
        no_overlap_declared=True,
    )
    ver = vwf.publish_verification(cycle.secretariat, ver)
    _request(party_user, ver, None)
    review = _reported(cycle, Review.objects.get(verification=ver), members, "corrections_required")
    review = rwf.decide(
        cycle.secretariat, review, decision="corrections_required", reasons="Fix table 3."
    )
    assert review.status == "corrections_required"
    assert Verification.objects.get(pk=ver.pk).status == "under_review"
    with pytest.raises(Conflict) as err:
        rwf.confirm_corrections(cycle.secretariat, review)
    assert err.value.code == "no_corrections"
    # Only the AIE that verified (not the project's determination AIE) corrects it.
    for actor in (cycle.aie_user, cycle.participant):
        with pytest.raises(Forbidden):
            rwf.submit_corrections(actor, review, uploaded=pdf_upload("corrected.pdf"))
    doc = rwf.submit_corrections(other_aie_user, review, uploaded=pdf_upload("corrected.pdf"))
    assert (doc.kind, doc.title, doc.published_at) == (
        "verification_report",
        "Corrected verification report (F-JI-VRep)",
        None,
    )
    assert Verification.objects.get(pk=ver.pk).status == "under_review"
    with pytest.raises(Forbidden):
        rwf.confirm_corrections(other_aie_user, review)
    review = rwf.confirm_corrections(cycle.secretariat, review)
    assert review.status == "decided"
    assert review.corrections_confirmed_at is not None
    ver.refresh_from_db()
    assert (ver.status, ver.final_on) == ("final", review.corrections_confirmed_at.date())
    assert Document.objects.get(pk=doc.pk).published_at == review.corrections_confirmed_at


# --- found bugs ----------------------------------------------------------------------------------


def test_reconciliation_ignores_rejected_report_claims(
    published_ver, party_user, cycle, members, submit_report
):
    ver = published_ver
    _request(party_user, ver, None)
    review = _reported(cycle, Review.objects.get(verification=ver), members, "rejected")
    rwf.decide(cycle.secretariat, review, decision="rejected", reasons="Data missing.")
    submit_report(ver.project, D(2009, 1, 1), D(2009, 12, 31), {2009: 9000})
    rows = {r["year"]: r for r in issuance.reconciliation(ver.project)}
    assert rows[2009]["claimed"] == 9000


def test_changes_addressed_in_rejected_verification_pending_again(
    final_project, party_user, cycle, members, submit_report, verify
):
    change = vwf.record_change(
        cycle.participant, final_project, description="Second flare", justification="More gas"
    )
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    ver = verify(report, {2009: 10000}, change_opinions={change.pk: "Fine."})
    ver = vwf.publish_verification(cycle.secretariat, ver)
    _request(party_user, ver, None)
    review = _reported(cycle, Review.objects.get(verification=ver), members, "rejected")
    rwf.decide(cycle.secretariat, review, decision="rejected", reasons="Data missing.")
    again = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 9000})
    with pytest.raises(Invalid) as err:
        verify(again, {2009: 9000})
    assert err.value.code == "changes_unaddressed"


def test_confirm_corrections_publishes_only_the_corrected_report(
    published_ver, party_user, cycle, members, submit_report, verify
):
    ver = published_ver
    _request(party_user, ver, None)
    review = _reported(cycle, Review.objects.get(verification=ver), members, "corrections_required")
    rwf.decide(cycle.secretariat, review, decision="corrections_required", reasons="Fix table 3.")
    rwf.submit_corrections(cycle.aie_user, review, uploaded=pdf_upload("corrected.pdf"))
    # Verification 2 (2010: USD 2,500.00, no credit) is filed but its fee is unpaid.
    other = verify(
        submit_report(ver.project, D(2010, 1, 1), D(2010, 12, 31), {2010: 20000}), {2010: 20000}
    )
    assert ver.project.fees.get(kind="verification", number=2).status == "due"
    rwf.confirm_corrections(cycle.secretariat, review)
    assert Verification.objects.get(pk=ver.pk).status == "final"
    assert Document.objects.get(pk=other.report_id).published_at is None


def test_a_verification_review_asks_about_the_verification_not_para_33(
    client, published_ver, party_user, party_api, final_project
):
    """ji-rules §7 "Verification reviews" (para 39): the monitoring plan and the verified amount."""
    client.force_login(party_user)
    page = client.get(f"/projects/{final_project.key}/verifications/1/review/").content.decode()
    assert "The monitoring followed the monitoring plan" in page
    assert "The reductions verified in the monitoring period are right" in page
    assert "additional to any that would otherwise occur" not in page
    refused = party_api.post(
        f"/api/projects/{final_project.key}/verifications/1/review-requests/",
        {"reasons": {"additionality": "Not additional."}, "summary": "S"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "reasons"
    accepted = party_api.post(
        f"/api/projects/{final_project.key}/verifications/1/review-requests/",
        {"reasons": {"verified_amount": "Meter 3 double counted."}, "summary": "S"},
        format="json",
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["reasons"] == {
        "monitoring_plan": "",
        "verified_amount": "Meter 3 double counted.",
    }
    assert accepted.json()["requester"] == "Ukraine"
