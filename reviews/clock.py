"""The reviews' part of the clock: appraisals closed with their determination's window, and
reminders and overdue notices, each sent once (the row records it), so running the sweep twice
changes nothing.

Every row is found through a partial index that holds only the rows the clock may still act on
(``reviews.models``: open appraisals by ``due_at``, unanswered and unreminded clarifications,
reviews awaiting a decision and not yet notified), so a sweep reads nothing of the finished
record however long it grows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.clock import act_on_rows, one_at_a_time
from projects.models import ClockFault, Project, User

from . import workflow
from .models import Appraisal, Appraiser, Clarification, Review
from .notify import mail_users


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {
        "appraisals_closed": 0,
        "appraisal_reminders": 0,
        "clarification_reminders": 0,
        "reviews_overdue": 0,
    }
    # An appraisal ends with the determination's window (final, rejected or withdrawn): each
    # through its workflow act, which locks it and logs the closing.
    counts["appraisals_closed"] = act_on_rows(
        ClockFault.Stage.APPRAISALS_CLOSED,
        _appraisals_to_close(),
        one_at_a_time(workflow.close_appraisal),
        now,
    )
    soon = now + timedelta(days=settings.APPRAISAL_REMINDER_DAYS)
    # Reminders and notices: the rows are locked with SKIP LOCKED (a parallel sweep takes the
    # others) and each marked sent in the same transaction as its mail is queued for the commit.
    with transaction.atomic():
        seats = (
            Appraiser.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                appraisal__status=Appraisal.Status.OPEN,
                appraisal__due_at__lte=soon,
                filed_at__isnull=True,
                reminded_at__isnull=True,
            )
            .select_related("appraisal", "appraisal__project")
        )
        reminded: list[int] = []
        for seat in seats:
            late_seat = now > seat.appraisal.due_at
            mail_users(
                [seat.user_id],
                f"[jitrack] {seat.appraisal.project.key}: your {seat.form_name} is "
                + ("overdue" if late_seat else "due soon"),
                f"It is due by {seat.appraisal.due_at:%d %b %Y %H:%M} GMT.",
                f"/reviews/appraisals/{seat.appraisal_id}/",
            )
            reminded.append(seat.pk)
        # the seats are locked: one UPDATE records every reminder (confidential, on no page)
        counts["appraisal_reminders"] = Appraiser.objects.filter(pk__in=reminded).update(
            reminded_at=now
        )

        unanswered = (
            Clarification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lt=now, answered_at__isnull=True, reminded_at__isnull=True)
            .filter(review__status__in=Review.OPEN)
            .select_related("review", "review__project")
        )
        reminded = []
        for clar in unanswered:
            project = clar.review.project
            team = list(clar.review.team.values_list("user_id", flat=True))
            mail_users(
                workflow.clarification_recipients(project, clar.addressed_to) + team,
                f"[jitrack] {project.key}: clarification {clar.number} is overdue",
                f"The answer was due by {clar.due_at:%d %b %Y %H:%M} GMT.",
                f"/reviews/clarifications/{clar.pk}/",
            )
            reminded.append(clar.pk)
        counts["clarification_reminders"] = Clarification.objects.filter(pk__in=reminded).update(
            reminded_at=now
        )

        late = (
            Review.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                due_at__lt=now,
                status__in=Review.AWAITING_DECISION,
                overdue_notified_at__isnull=True,
            )
            .select_related("project")
        )
        notified = []
        staff = None
        for review in late:
            if staff is None:  # read once, and only when a review is late
                staff = list(
                    User.objects.filter(
                        role__in=[User.Role.SECRETARIAT, User.Role.JISC]
                    ).values_list("pk", flat=True)
                )
            mail_users(
                staff,
                f"[jitrack] {review.project.key}: the review is overdue",
                f"The JISC decision was due by {review.due_at:%d %b %Y %H:%M} GMT.",
                f"/reviews/{review.pk}/",
            )
            notified.append(review.pk)
        counts["reviews_overdue"] = Review.objects.filter(pk__in=notified).update(
            overdue_notified_at=now
        )
    return counts


def _appraisals_to_close() -> list[tuple[int, int]]:
    """``(appraisal, project)`` of the open appraisals whose project has left the 45-day
    window: the open ones through their partial index, their projects by primary key, never a
    scan of either table."""
    open_ = sorted(
        Appraisal.objects.filter(status=Appraisal.Status.OPEN).values_list("pk", "project_id")
    )
    in_window = set(
        Project.objects.filter(
            pk__in={project for _pk, project in open_}, status__in=workflow.APPRAISAL_WINDOW
        ).values_list("pk", flat=True)
    )
    return [(pk, project) for pk, project in open_ if project not in in_window]
