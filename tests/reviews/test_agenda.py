"""The agenda of a JISC meeting: what is open, what is due by its end, in two queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import workflow as rwf
from reviews.agenda import agenda_items
from reviews.deadlines import add_months
from reviews.models import Review
from tests.factories import pdf_upload
from tests.support import CRITERIA_FORM, REASONS

pytestmark = pytest.mark.django_db


class Desk:
    """Projects with appraisals and reviews at chosen stages, made by the workflow."""

    def __init__(self, cycle, committee, secretariat, party_user):
        self.cycle, self.committee = cycle, committee
        self.secretariat, self.party_user = secretariat, party_user
        self.count = 0

    def published(self):
        self.count += 1
        return self.cycle.determination_published(title=f"Project {self.count}")

    def appraised(self, filed: int = 0):
        project = self.published()
        proposal = rwf.propose_appraisers(project)
        appraisal = rwf.appoint_appraisers(self.secretariat, project, **proposal)
        for seat in list(appraisal.appraisers.all())[:filed]:
            rwf.declare_no_conflict(seat.user, appraisal)
            rwf.file_appraisal(seat.user, appraisal, criteria=CRITERIA_FORM, opinion="meets")
        return project, appraisal

    def review(self, *, days_ago: int = 0, stage: str = "requested") -> Review:
        # published and requested that many days ago (a request is on time from day 1)
        with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=True):
            project = self.published()
            rwf.request_review(
                self.party_user, project, reasons=REASONS, summary="Additionality doubtful"
            )
        review = Review.objects.get(project=project)
        if stage == "requested":
            return review
        lead, other = self.committee.members[3], self.committee.members[4]
        rwf.appoint_team(self.secretariat, review, members=[lead, other], lead=lead)
        if stage == "in_progress":
            return Review.objects.get(pk=review.pk)
        rwf.file_report(lead, review, recommendation="corrections_required", report="Fix B.")
        if stage == "reported":
            return Review.objects.get(pk=review.pk)
        rwf.decide(self.secretariat, review, decision="corrections_required", reasons="Fix B.")
        if stage == "corrections_submitted":
            rwf.submit_corrections(self.cycle.aie_user, review, uploaded=pdf_upload("drep.pdf"))
        return Review.objects.get(pk=review.pk)

    def meeting(self, number: int, starts_on: dt.date, days: int = 1):
        return rwf.save_meeting(
            self.secretariat,
            number=number,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=days - 1),
            place="Bonn",
        )


@pytest.fixture
def desk(cycle, committee, secretariat, party_user):
    return Desk(cycle, committee, secretariat, party_user)


def keys(rows) -> list[str]:
    return [row["project"].title for row in rows]


def test_meetings_before_and_after_the_due_date(desk):
    review = desk.review(stage="reported")
    due = add_months(review.requested_at, 6)
    assert review.due_at == due
    today = review.requested_at.date()
    before = desk.meeting(40, today + dt.timedelta(days=10), days=2)
    after = desk.meeting(41, due.date() + dt.timedelta(days=30))
    review.refresh_from_db()
    assert review.due_at == due  # the second meeting ends after six months

    items = agenda_items(before)
    assert keys(items["decisions"]) == ["Project 1"]
    assert items["decisions"][0]["recommendation"] == "corrections_required"
    assert items["decisions"][0]["recommendation_label"] == "Corrections required"
    assert items["reviews_due"] == []  # due after the meeting ends
    assert items["appraisals"] == [] and items["corrections"] == []

    items = agenda_items(after)
    assert keys(items["decisions"]) == ["Project 1"]
    (row,) = items["reviews_due"]
    assert row["due_at"] == due and row["status"] == "reported"
    assert row["lapses_before_meeting"] and not row["overdue"]
    (row,) = agenda_items(after, now=due + dt.timedelta(seconds=1))["reviews_due"]
    assert row["overdue"]


def test_a_review_due_at_the_end_of_the_meeting_is_on_its_agenda(desk):
    review = desk.review(stage="in_progress")
    day = review.requested_at.date()
    desk.meeting(40, day + dt.timedelta(days=10))
    second = desk.meeting(41, day + dt.timedelta(days=40), days=3)
    review.refresh_from_db()
    assert review.due_at == dt.datetime.combine(
        day + dt.timedelta(days=43), dt.time(0, 0), tzinfo=dt.UTC
    )
    (row,) = agenda_items(second)["reviews_due"]
    assert row["review"] == review and row["status_label"] == "Under review"
    assert not row["lapses_before_meeting"] and not row["overdue"]
    assert agenda_items(second)["decisions"] == []  # not reported yet


def test_appraisals_and_corrections_ordered_by_due_date(desk):
    _, first = desk.appraised(filed=1)
    _, second = desk.appraised(filed=0)
    _, complete = desk.appraised(filed=4)
    assert complete.appraisers.filter(filed_at__isnull=True).count() == 0
    late = desk.review(days_ago=3, stage="corrections_required")
    early = desk.review(days_ago=5, stage="corrections_submitted")
    meeting = desk.meeting(40, timezone.now().date() + dt.timedelta(days=7))

    items = agenda_items(meeting)
    rows = items["appraisals"]
    assert [r["appraisal"] for r in rows] == sorted([first, second], key=lambda a: (a.due_at, a.pk))
    assert {(r["appraisal"].pk, r["filed"], r["total"]) for r in rows} == {
        (first.pk, 1, 4),
        (second.pk, 0, 4),
    }
    assert [r["review"] for r in items["corrections"]] == [early, late]
    assert [r["awaiting"] for r in items["corrections"]] == [
        "awaiting the confirmation",
        "awaiting the corrected report",
    ]
    # A decided "corrections required" review waits for the AIE, not for a decision.
    assert items["reviews_due"] == [] and items["decisions"] == []


def _touch(items: dict) -> None:
    """Everything the agenda PDF reads."""
    for rows in items.values():
        for row in rows:
            row["project"].key, row["project"].title, row["due_at"]


def _queries(meeting) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _touch(agenda_items(meeting))
    return len(ctx.captured_queries)


def test_constant_number_of_queries(desk, django_assert_max_num_queries):
    desk.appraised(filed=1)
    desk.review(stage="reported")
    meeting = desk.meeting(40, timezone.now().date() + dt.timedelta(days=400))
    with django_assert_max_num_queries(10):
        _touch(agenda_items(meeting))
    one = _queries(meeting)

    for _ in range(2):
        desk.appraised(filed=2)
    desk.review(days_ago=1, stage="requested")
    desk.review(days_ago=2, stage="in_progress")
    desk.review(days_ago=3, stage="reported")
    desk.review(days_ago=4, stage="corrections_required")
    items = agenda_items(meeting)
    assert [len(items[k]) for k in ("appraisals", "decisions", "reviews_due", "corrections")] == [
        3,
        2,
        4,
        1,
    ]
    with django_assert_max_num_queries(10):
        _touch(agenda_items(meeting))
    assert _queries(meeting) == one == 2
