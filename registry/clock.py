"""The whole statutory clock at once: every app's sweep, in the order of the cycle. The beat
runs each app's sweep as its own task (``CELERY_BEAT_SCHEDULE``); this is for the management
command and for the tests that move the clock through a whole cycle."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from determinations import clock as determinations_clock
from projects import clock as projects_clock
from reviews import clock as reviews_clock


def enforce_deadlines(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        **projects_clock.sweep(now),
        **determinations_clock.sweep(now),
        **reviews_clock.sweep(now),
    }
