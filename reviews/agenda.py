"""What a JISC meeting has to deal with: open appraisals, team reports awaiting a decision, reviews
whose legal limit falls by the end of the meeting (a review due at the end of the second meeting
after its request is due at that meeting's end, so it is on that meeting's agenda), and
corrections awaited.

The agenda is for the JISC and the secretariat only (ji-rules §6): it carries the review teams'
recommendations, which stay confidential until the decision. Two queries whatever the number of
appraisals and reviews; every list is ordered by due date.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Project

from .deadlines import meeting_end
from .models import Appraisal, Meeting, Review

R = Review.Status
# Reviews still waiting for the JISC's decision. A review in "corrections required" has had its
# decision; it waits for the AIE's corrected report and the secretariat's confirmation instead.
AWAITING_DECISION = (R.REQUESTED, R.IN_PROGRESS, R.REPORTED)


def meeting_start(meeting: Meeting) -> datetime:
    """The opening of a meeting: 00:00 GMT on its first day."""
    return datetime.combine(meeting.starts_on, time(0, 0), tzinfo=UTC)


def agenda_items(meeting: Meeting, now: datetime | None = None) -> dict:
    """``appraisals``, ``decisions``, ``reviews_due`` and ``corrections`` for ``meeting``; each a
    list of dicts ordered by due date (then by primary key)."""
    now = now or timezone.now()
    opens_at, closes_at = meeting_start(meeting), meeting_end(meeting.ends_on)

    appraisals = (
        Appraisal.objects.filter(
            status=Appraisal.Status.OPEN,
            project__status__in=[
                Project.Status.DETERMINATION_PUBLISHED,
                Project.Status.UNDER_REVIEW,
            ],
        )
        .select_related("project", "determination")
        .annotate(
            seats=Count("appraisers"),
            filed=Count("appraisers", filter=Q(appraisers__filed_at__isnull=False)),
        )
        .order_by("due_at", "pk")
    )
    reviews = (
        Review.objects.filter(status__in=[*AWAITING_DECISION, R.CORRECTIONS])
        .select_related("project", "determination")
        .order_by("due_at", "pk")
    )

    items: dict[str, list[dict]] = {
        "appraisals": [
            {
                "appraisal": a,
                "project": a.project,
                "due_at": a.due_at,
                "filed": a.filed,
                "total": a.seats,
                "overdue": now > a.due_at,
            }
            for a in appraisals
        ],
        "decisions": [],
        "reviews_due": [],
        "corrections": [],
    }
    for review in reviews:
        if review.status == R.CORRECTIONS:
            items["corrections"].append(
                {
                    "review": review,
                    "project": review.project,
                    "due_at": review.due_at,
                    "decided_at": review.decided_at,
                    "submitted_at": review.corrections_submitted_at,
                    "awaiting": _("awaiting the confirmation")
                    if review.corrections_submitted_at
                    else _("awaiting the corrected report"),
                }
            )
            continue
        if review.status == R.REPORTED:
            items["decisions"].append(
                {
                    "review": review,
                    "project": review.project,
                    "due_at": review.due_at,
                    "recommendation": review.recommendation,
                    "recommendation_label": review.get_recommendation_display(),
                    "reported_at": review.reported_at,
                }
            )
        if review.due_at <= closes_at:
            items["reviews_due"].append(
                {
                    "review": review,
                    "project": review.project,
                    "due_at": review.due_at,
                    "status": review.status,
                    "status_label": review.get_status_display(),
                    # Past its legal limit already, as of ``now``.
                    "overdue": now > review.due_at,
                    # The limit passes before the meeting opens: it cannot decide in time.
                    "lapses_before_meeting": review.due_at <= opens_at,
                }
            )
    return items
