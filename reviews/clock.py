"""The reviews' part of the clock: reminders and overdue notices, found through indexed due
columns, each sent once (the row records it), so running the sweep twice changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.models import User

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
    for pk in (
        Appraisal.objects.filter(status=Appraisal.Status.OPEN)
        .exclude(project__status__in=workflow.APPRAISAL_WINDOW)
        .values_list("pk", flat=True)
    ):
        counts["appraisals_closed"] += workflow.close_appraisal(pk)
    soon = now + timedelta(days=settings.APPRAISAL_REMINDER_DAYS)
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
        for seat in seats:
            overdue = now > seat.appraisal.due_at
            mail_users(
                [seat.user_id],
                f"[jitrack] {seat.appraisal.project.key}: your {seat.form_name} is "
                + ("overdue" if overdue else "due soon"),
                f"It is due by {seat.appraisal.due_at:%d %b %Y %H:%M} GMT.",
                f"/reviews/appraisals/{seat.appraisal_id}/",
            )
            seat.reminded_at = now
            seat.save(update_fields=["reminded_at"])
            counts["appraisal_reminders"] += 1
    with transaction.atomic():
        overdue = (
            Clarification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lt=now, answered_at__isnull=True, reminded_at__isnull=True)
            .filter(review__status__in=Review.OPEN)
            .select_related("review", "review__project")
        )
        for clar in overdue:
            project = clar.review.project
            team = list(clar.review.team.values_list("user_id", flat=True))
            mail_users(
                workflow.clarification_recipients(project, clar.addressed_to) + team,
                f"[jitrack] {project.key}: clarification {clar.number} is overdue",
                f"The answer was due by {clar.due_at:%d %b %Y %H:%M} GMT.",
                f"/reviews/clarifications/{clar.pk}/",
            )
            clar.reminded_at = now
            clar.save(update_fields=["reminded_at"])
            counts["clarification_reminders"] += 1
    with transaction.atomic():
        late = (
            Review.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                due_at__lt=now,
                status__in=Review.AWAITING_DECISION,
                overdue_notified_at__isnull=True,
            )
            .select_related("project")
        )
        staff = list(
            User.objects.filter(role__in=[User.Role.SECRETARIAT, User.Role.JISC]).values_list(
                "pk", flat=True
            )
        )
        for review in late:
            mail_users(
                staff,
                f"[jitrack] {review.project.key}: the review is overdue",
                f"The JISC decision was due by {review.due_at:%d %b %Y %H:%M} GMT.",
                f"/reviews/{review.pk}/",
            )
            review.overdue_notified_at = now
            review.save(update_fields=["overdue_notified_at"])
            counts["reviews_overdue"] += 1
    return counts
