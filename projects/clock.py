"""The statutory clock: sweeps over rows whose ``due_at`` has passed (STYLE habit 3).

Due rows are found through the ``due_at`` index and locked with SKIP LOCKED, so two sweeps in
parallel never act on the same row; each act re-checks inside its own lock, so a second run
changes nothing. This module sweeps the project's own deadline (the comment period); the later
stages sweep theirs over the same index (``determinations.clock``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Project
from .workflow import close_comments

BATCH = 500


def due_project_ids(now: datetime, status: str, limit: int = BATCH) -> list[int]:
    with transaction.atomic():
        return list(
            Project.objects.select_for_update(skip_locked=True)
            .filter(due_at__lt=now, status=status)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )


def sweep_due_projects(status: str, act: Callable[[int, datetime], bool], now: datetime) -> int:
    """Call ``act(project_id, now)`` for every project in ``status`` whose ``due_at`` passed;
    the number of acts that did something."""
    done = 0
    seen: set[int] = set()
    while True:
        ids = [pk for pk in due_project_ids(now, status) if pk not in seen]
        if not ids:
            return done
        for pk in ids:
            seen.add(pk)
            done += bool(act(pk, now))


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "comments_closed": sweep_due_projects(Project.Status.OPEN_FOR_COMMENTS, close_comments, now)
    }
