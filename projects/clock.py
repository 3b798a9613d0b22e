"""The statutory clock: sweeps over rows whose ``due_at`` has passed (STYLE habit 3).

Due rows are found through the ``due_at`` index, ``BATCH`` at a time in (``due_at``, id) order,
each batch in one transaction that first locks its projects with SKIP LOCKED and keeps them
locked while it acts: two sweeps in parallel never act on the same row (one skips what the other
holds). The act takes the whole batch at once (its writer's batch form, e.g.
``workflow.close_comments_due``: one locking read, one UPDATE, one INSERT of events, one mail
task for a hundred rows, where a row at a time cost ten queries each) and re-checks every row
inside the lock, so a second run changes nothing. A batch commits once for all its acts: a commit
waits for the disk. An act that raises rolls its batch back; its rows stay due for the next
sweep. This module sweeps the project's own deadline (the comment period); the
later stages sweep theirs the same way (``determinations.clock``, ``reviews.clock``) through
``sweep_due_projects`` and ``act_on_rows``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Project
from .workflow import close_comments_due

# Rows acted on in one transaction: long enough to pay one commit for many acts, short enough
# that a participant's own act on one of its projects never waits long for the clock.
BATCH = 100


def due_projects(
    now: datetime, status: str, after: tuple[int, datetime] | None = None, limit: int = BATCH
) -> list[tuple[int, datetime]]:
    """``(id, due_at)`` of up to ``limit`` projects in ``status`` whose ``due_at`` passed, the
    next after ``after`` in (``due_at``, id) order, locked with SKIP LOCKED until the caller's
    transaction ends."""
    due = Project.objects.select_for_update(skip_locked=True).filter(due_at__lt=now, status=status)
    if after is not None:
        pk, due_at = after  # due_at__gte: where the index scan starts
        due = due.filter(Q(due_at__gt=due_at) | Q(pk__gt=pk), due_at__gte=due_at)
    return list(due.order_by("due_at", "pk").values_list("pk", "due_at")[:limit])


def sweep_due_projects(
    status: str, act: Callable[[list[int], datetime], int], now: datetime
) -> int:
    """Call ``act(project_ids, now)`` for every batch of projects in ``status`` whose ``due_at``
    passed; the number of projects it acted on."""
    done = 0
    after = None
    while True:
        with transaction.atomic():
            rows = due_projects(now, status, after)
            if not rows:
                return done
            done += act([pk for pk, _due_at in rows], now)
        after = rows[-1]  # a row left due (its act did nothing) is not taken again


def act_on_rows(rows: Iterable[tuple[int, int]], act: Callable[[list[int]], int]) -> int:
    """Call ``act(row_ids)`` for the ``(row_id, project_id)`` of ``rows`` (a later stage's due
    rows, in order), ``BATCH`` to a transaction that first locks their projects with SKIP LOCKED:
    every act locks its project row first, so the sweep does too, and a row whose project another
    sweep (or a participant's act) holds is left to it. The number of rows acted on."""
    rows = list(rows)
    done = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with transaction.atomic():
            held = set(
                Project.objects.select_for_update(skip_locked=True)
                .filter(pk__in={project_id for _pk, project_id in batch})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            taken = [pk for pk, project_id in batch if project_id in held]
            if taken:
                done += act(taken)
    return done


def one_at_a_time(act: Callable[[int], bool]) -> Callable[[list[int]], int]:
    """A batch act made of a writer's act on one row (where a batch form would save little)."""
    return lambda pks: sum(bool(act(pk)) for pk in pks)


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "comments_closed": sweep_due_projects(
            Project.Status.OPEN_FOR_COMMENTS, close_comments_due, now
        )
    }
