"""``reviews.clock.sweep``: appraisal reminders, overdue clarifications and overdue reviews, each
notified once, by e-mail carrying a link and never the content (ji-rules §6)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from determinations import workflow as dwf
from projects import workflow as wf
from reviews import clock
from reviews import workflow as rwf
from reviews.models import Appraisal, Appraiser, Clarification, Review
from tests.support import REASONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

UTC = dt.UTC
SECRET_CRITERIA = {
    key: {"met": False, "comment": f"SECRET-CRITERION-{key}"}
    for key in ("approval", "additionality", "baseline_monitoring", "environmental")
}
NOTHING = {
    "appraisals_closed": 0,
    "appraisal_reminders": 0,
    "clarification_reminders": 0,
    "reviews_overdue": 0,
}


@pytest.fixture
def run(django_capture_on_commit_callbacks, mailoutbox):
    """Run the sweep at ``when`` (the clock travels there), delivering its after-commit mail;
    returns the counts and the messages this run sent."""

    def sweep_at(when):
        before = len(mailoutbox)
        with time_machine.travel(when, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                counts = clock.sweep()
        return counts, mailoutbox[before:]

    return sweep_at


@pytest.fixture
def review(project, party_user):
    rwf.request_review(party_user, project, reasons=REASONS, summary="Additionality doubtful")
    return Review.objects.get(project=project)


@pytest.fixture
def team(review, committee, secretariat):
    m4, m5 = committee.members[3:5]
    rwf.appoint_team(secretariat, review, members=[m4, m5], lead=m4)
    return m4, m5


def link(path):
    return f"{settings.SITE_URL}{path}"


def assert_no_content(messages):
    for message in messages:
        assert "SECRET" not in message.subject and "SECRET" not in message.body
        assert "tariff" not in message.body.lower()


# --- appraisal reminders --------------------------------------------------------------------------


def test_appraisal_reminders_are_sent_n_days_before_due_once(appraisal, committee, run):
    m1 = committee.members[0]
    rwf.declare_no_conflict(m1, appraisal)
    rwf.file_appraisal(
        m1, appraisal, criteria=SECRET_CRITERIA, opinion="does_not_meet", comments="SECRET-DA"
    )
    remind_from = appraisal.due_at - dt.timedelta(days=settings.APPRAISAL_REMINDER_DAYS)
    assert run(remind_from - dt.timedelta(seconds=1)) == (NOTHING, [])
    counts, messages = run(remind_from)
    assert counts == NOTHING | {"appraisal_reminders": 3}  # m1 has filed
    assert sorted(m.to[0] for m in messages) == [
        "e1@example.org",
        "e2@example.org",
        "m2@example.org",
    ]
    key = appraisal.project.key
    subjects = {m.to[0]: m.subject for m in messages}
    assert subjects["m2@example.org"] == f"[jitrack] {key}: your F-JI-DA is due soon"
    assert subjects["e1@example.org"] == f"[jitrack] {key}: your F-JI-ExInpDA is due soon"
    for message in messages:
        assert link(f"/reviews/appraisals/{appraisal.pk}/") in message.body
        assert f"{appraisal.due_at:%d %b %Y %H:%M} GMT" in message.body
    assert_no_content(messages)
    assert set(
        Appraiser.objects.filter(filed_at__isnull=True).values_list("reminded_at", flat=True)
    ) == {remind_from}
    # Once: the same instant, a day later, after the due date.
    assert run(remind_from) == (NOTHING, [])
    assert run(remind_from + dt.timedelta(days=1)) == (NOTHING, [])
    assert run(appraisal.due_at + dt.timedelta(hours=1)) == (NOTHING, [])


def test_appraisal_reminder_after_the_due_date_says_overdue(appraisal, run):
    counts, messages = run(appraisal.due_at + dt.timedelta(seconds=1))
    assert counts["appraisal_reminders"] == 4
    assert all(m.subject.endswith("is overdue") for m in messages)


def test_no_appraisal_reminders_once_complete(appraisal, committee, run):
    for user in [*committee.members[:2], *committee.experts[:2]]:
        rwf.declare_no_conflict(user, appraisal)
        rwf.file_appraisal(user, appraisal, criteria=SECRET_CRITERIA, opinion="meets")
    assert Appraisal.objects.get(pk=appraisal.pk).status == Appraisal.Status.COMPLETE
    assert run(appraisal.due_at) == (NOTHING, [])


def test_appraisal_of_a_final_project_is_closed_and_not_reminded(project, appraisal, run):
    after = project.review_window_closes_at + dt.timedelta(seconds=1)
    assert dwf.deem_final(project.pk, after)
    counts, messages = run(after)
    assert counts == NOTHING | {"appraisals_closed": 1}
    assert messages == []
    assert Appraisal.objects.get(pk=appraisal.pk).status == Appraisal.Status.CLOSED
    assert run(after) == (NOTHING, [])


def test_appraisal_of_a_project_under_review_stays_open_and_is_reminded(appraisal, review, run):
    counts, _ = run(appraisal.due_at)
    assert counts == NOTHING | {"appraisal_reminders": 4}
    assert Appraisal.objects.get(pk=appraisal.pk).status == Appraisal.Status.OPEN


# --- overdue clarifications -----------------------------------------------------------------------


def clarify(review, user, addressed_to="aie", questions="SECRET-QUESTION about the tariff"):
    return rwf.send_clarification(
        user,
        review,
        addressed_to=addressed_to,
        questions=questions,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )


def test_overdue_clarification_is_reminded_once(review, team, run):
    clar = clarify(review, team[0], addressed_to="both")
    assert clar.due_at == dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=7), dt.time(17, 0), tzinfo=UTC
    )
    assert run(clar.due_at) == (NOTHING, [])  # due at 17:00, overdue after it
    counts, messages = run(clar.due_at + dt.timedelta(seconds=1))
    assert counts == NOTHING | {"clarification_reminders": 1}
    assert sorted(m.to[0] for m in messages) == [
        "aie@example.org",
        "m4@example.org",
        "m5@example.org",
        "participant@example.org",
    ]
    for message in messages:
        assert message.subject == f"[jitrack] {review.project.key}: clarification 1 is overdue"
        assert link(f"/reviews/clarifications/{clar.pk}/") in message.body
    assert_no_content(messages)
    assert Clarification.objects.get(pk=clar.pk).reminded_at == clar.due_at + dt.timedelta(
        seconds=1
    )
    assert run(clar.due_at + dt.timedelta(days=2)) == (NOTHING, [])


def test_answered_clarification_is_not_reminded(review, team, aie_user, run):
    answered = clarify(review, team[0], addressed_to="aie")
    rwf.answer_clarification(aie_user, answered, answer="SECRET-ANSWER")
    pending = clarify(review, team[1], addressed_to="participants")
    counts, messages = run(answered.due_at + dt.timedelta(seconds=1))
    assert counts["clarification_reminders"] == 1
    assert sorted(m.to[0] for m in messages) == [
        "m4@example.org",
        "m5@example.org",
        "participant@example.org",
    ]
    assert all(f"/reviews/clarifications/{pending.pk}/" in m.body for m in messages)
    assert_no_content(messages)


def test_clarification_of_a_closed_review_is_not_reminded(project, review, team, participant, run):
    clar = clarify(review, team[0])
    wf.withdraw(participant, project, reason="Abandoned.")
    assert run(clar.due_at + dt.timedelta(seconds=1)) == (NOTHING, [])


# --- overdue reviews ------------------------------------------------------------------------------


def test_overdue_review_is_notified_once(review, committee, secretariat, run):
    assert run(review.due_at) == (NOTHING, [])
    late = review.due_at + dt.timedelta(seconds=1)
    counts, messages = run(late)
    assert counts == NOTHING | {"reviews_overdue": 1}
    # The secretariat and every JISC account, by link.
    assert sorted(m.to[0] for m in messages) == sorted(
        f"{u.username}@example.org" for u in [secretariat, *committee.members, committee.conflicted]
    )
    for message in messages:
        assert message.subject == f"[jitrack] {review.project.key}: the review is overdue"
        assert link(f"/reviews/{review.pk}/") in message.body
        assert f"{review.due_at:%d %b %Y %H:%M} GMT" in message.body
        assert "Additionality doubtful" not in message.body
        assert REASONS["additionality"] not in message.body
    assert Review.objects.get(pk=review.pk).overdue_notified_at == late
    assert run(late + dt.timedelta(days=3)) == (NOTHING, [])


def test_decided_review_is_never_overdue(review, team, secretariat, run):
    rwf.file_report(team[0], review, recommendation="confirmed", report="SECRET-REPORT")
    rwf.decide(secretariat, review, decision="confirmed", reasons="Fine.")
    assert run(review.due_at + dt.timedelta(days=1)) == (NOTHING, [])


def test_review_decided_corrections_required_is_not_overdue(review, team, secretariat, run):
    rwf.file_report(team[0], review, recommendation="corrections_required", report="Fix it.")
    rwf.decide(secretariat, review, decision="corrections_required", reasons="Fix table 3.")
    counts, messages = run(review.due_at + dt.timedelta(days=1))
    assert counts["reviews_overdue"] == 0
    assert messages == []


def test_a_moved_due_date_is_notified_anew(review, secretariat, run):
    late = review.due_at + dt.timedelta(seconds=1)
    assert run(late)[0]["reviews_overdue"] == 1
    # Two meetings after the request, both over by then: the review was due at the end of the
    # second, earlier than six months; the new due date is notified although the old one was.
    requested_on = review.requested_at.date()
    for number, offset in ((60, 3), (61, 10)):
        rwf.save_meeting(
            secretariat,
            number=number,
            starts_on=requested_on + dt.timedelta(days=offset),
            ends_on=requested_on + dt.timedelta(days=offset),
            electronic=True,
        )
    review.refresh_from_db()
    assert review.due_at == dt.datetime.combine(
        requested_on + dt.timedelta(days=11), dt.time(0, 0), tzinfo=UTC
    )
    assert review.overdue_notified_at is None
    counts, messages = run(late)
    assert counts["reviews_overdue"] == 1
    assert all("the review is overdue" in m.subject for m in messages)
    assert run(late) == (NOTHING, [])


def test_sweep_with_nothing_to_do(project, run):
    assert run(timezone.now()) == (NOTHING, [])
