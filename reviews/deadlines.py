"""Pure date rules for appraisals and reviews. No database, no ``now()``.

REVIEW_LIMIT: [our reading] ji-rules §3.8 — a review of a determination is due at the earlier of
six calendar months after the request that started it, and the end of the second JISC meeting
that starts after that request (when two are scheduled). A meeting "starts after" the request
when its first day is later than the request's day (UTC); it ends at 24:00 GMT on its last day.
Six calendar months: the same day of the month, or the month's last day when it has no such day,
at the same time. A review of a verification is due 30 days after the request (ji-rules §3.12,
our reading of para 39).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from projects.deadlines import period_end

REVIEW_MONTHS = 6
MEETINGS_LIMIT = 2
VERIFICATION_REVIEW_DAYS = 30


def add_months(instant: datetime, months: int) -> datetime:
    month0 = instant.month - 1 + months
    year, month = instant.year + month0 // 12, month0 % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


def meeting_end(ends_on: date) -> datetime:
    """The end of a meeting: 24:00 GMT on its last day."""
    return datetime.combine(ends_on + timedelta(days=1), time(0, 0), tzinfo=UTC)


def review_due(
    kind: str, requested_at: datetime, meetings: Iterable[tuple[date, date]] = ()
) -> datetime:
    """REVIEW_LIMIT. ``meetings`` are (first day, last day) pairs, in any order."""
    if kind == "verification":
        return requested_at + timedelta(days=VERIFICATION_REVIEW_DAYS)
    due = add_months(requested_at, REVIEW_MONTHS)
    after = sorted(m for m in meetings if m[0] > requested_at.astimezone(UTC).date())
    if len(after) >= MEETINGS_LIMIT:
        due = min(due, meeting_end(after[MEETINGS_LIMIT - 1][1]))
    return due


def appraisal_due(review_window_closes_at: datetime, days_before: int) -> datetime:
    """Appraisals are due a set number of days before the review window closes."""
    return review_window_closes_at - timedelta(days=days_before)


def clarification_due(due_on: date) -> datetime:
    """An answer to a request for clarification is due at 17:00 GMT on the day set."""
    return period_end(due_on, 1)
