"""The statutory clock: one sweep over rows whose ``due_at`` has passed (STYLE habit 3).

Due rows are found through the ``due_at`` index and locked with SKIP LOCKED, so two sweeps in
parallel never act on the same project; each transition re-checks inside its own lock, so a
second run changes nothing.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Project
from .workflow import close_comments

BATCH = 500


def due_project_ids(now: datetime, limit: int = BATCH) -> list[int]:
    with transaction.atomic():
        return list(
            Project.objects.select_for_update(skip_locked=True)
            .filter(due_at__lt=now)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )


def enforce_deadlines(now: datetime | None = None) -> dict[str, int]:
    from determinations.workflow import deem_final

    now = now or timezone.now()
    done = {"comments_closed": 0, "determinations_final": 0}
    seen: set[int] = set()
    while True:
        ids = [pk for pk in due_project_ids(now) if pk not in seen]
        if not ids:
            break
        for pk in ids:
            seen.add(pk)
            status = Project.objects.filter(pk=pk).values_list("status", flat=True).first()
            if status == Project.Status.OPEN_FOR_COMMENTS and close_comments(pk, now):
                done["comments_closed"] += 1
            elif status == Project.Status.DETERMINATION_PUBLISHED and deem_final(pk, now):
                done["determinations_final"] += 1
    return done
