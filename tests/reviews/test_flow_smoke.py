import pytest

from reviews import workflow as rwf
from reviews.models import Review
from tests.support import CRITERIA_FORM, REASONS

pytestmark = pytest.mark.django_db


def test_three_members_start_a_review_that_is_confirmed(cycle, committee, secretariat):
    project = cycle.determination_published()
    proposal = rwf.propose_appraisers(project)
    assert len(proposal["members"]) == 2 and len(proposal["experts"]) == 2
    appraisal = rwf.appoint_appraisers(secretariat, project, **proposal)
    seat = proposal["members"][0]
    rwf.declare_no_conflict(seat, appraisal)
    rwf.file_appraisal(seat, appraisal, criteria=CRITERIA_FORM, opinion="review_recommended")
    m1, m2, m3, m4, m5 = committee.members
    rwf.request_review(m1, project, reasons=REASONS, summary="Additionality doubtful")
    rwf.request_review(m2, project, reasons=REASONS, summary="Additionality doubtful")
    project.refresh_from_db()
    assert project.status == "determination_published"
    rwf.request_review(m3, project, reasons=REASONS, summary="Additionality doubtful")
    project.refresh_from_db()
    assert project.status == "under_review"
    review = Review.objects.get()
    rwf.request_review(m4, project, reasons=REASONS, summary="Me too")
    assert review.requests.count() == 4
    rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m4)
    clar = rwf.send_clarification(
        m4,
        review,
        addressed_to="aie",
        questions="Explain the tariff.",
        due_on=review.due_at.date(),
    )
    rwf.answer_clarification(cycle.aie_user, clar, answer="See annex.")
    rwf.file_report(m4, review, recommendation="confirmed", report="Fine.")
    rwf.decide(secretariat, review, decision="confirmed", reasons="Additionality shown.")
    project.refresh_from_db()
    assert project.status == "final"
