"""The statutory clock: sweeps over rows whose ``due_at`` has passed (STYLE habit 3).

Due rows are found through the ``due_at`` index, ``BATCH`` at a time in (``due_at``, id) order,
each batch in one transaction that first locks its projects with SKIP LOCKED and keeps them
locked while it acts: two sweeps in parallel never act on the same row (one skips what the other
holds). The act takes the whole batch at once (its writer's batch form, e.g.
``workflow.close_comments_due``: one locking read, one UPDATE, one INSERT of events, one mail
task for a hundred rows, where a row at a time cost ten queries each) and re-checks every row
inside the lock, so a second run changes nothing. A batch commits once for all its acts: a commit
waits for the disk. A batch whose act raises is rolled back to its savepoint and its rows acted on
one at a time, each in a savepoint of its own: a row that still fails is recorded as a
``ClockFault`` (logged, shown to the secretariat, retried with back-off) and never holds up the
rest. This module sweeps the project's own deadline (the comment period); the
later stages sweep theirs the same way (``determinations.clock``, ``reviews.clock``) through
``sweep_due_projects`` and ``act_on_rows``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import ClockFault, Project
from .workflow import close_comments_due

logger = logging.getLogger(__name__)

# Rows acted on in one transaction: long enough to pay one commit for many acts, short enough
# that a participant's own act on one of its projects never waits long for the clock.
BATCH = 100
# A row whose act failed is tried again after a minute, then two, four, … at most a day.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MOST = timedelta(days=1)


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


class Faults:
    """The open ``ClockFault`` rows of one stage, read once a sweep: a row waiting for its
    retry is left alone; a row that failed before is acted on alone, so it cannot fail a
    batch again."""

    def __init__(self, stage: str, now: datetime):
        self.stage = stage
        self.now = now
        self.open = dict(
            ClockFault.objects.filter(stage=stage, resolved_at__isnull=True).values_list(
                "row_id", "retry_at"
            )
        )

    def waiting(self, pk: int) -> bool:
        return pk in self.open and self.open[pk] > self.now

    def failed(self, pk: int, project_id: int, exc: Exception) -> None:
        logger.error(
            "clock: %s failed on row %s of project %s", self.stage, pk, project_id, exc_info=exc
        )
        error = f"{type(exc).__name__}: {exc}"[:2000]
        fault = ClockFault.objects.filter(stage=self.stage, row_id=pk, resolved_at__isnull=True)
        if pk in self.open:
            attempts = fault.values_list("attempts", flat=True).get() + 1
            fault.update(
                attempts=attempts,
                error=error,
                last_failed_at=self.now,
                retry_at=self.now + retry_after(attempts),
            )
        else:
            ClockFault.objects.create(
                stage=self.stage,
                row_id=pk,
                project_id=project_id,
                error=error,
                first_failed_at=self.now,
                last_failed_at=self.now,
                retry_at=self.now + retry_after(1),
            )
            self.open[pk] = self.now + retry_after(1)

    def succeeded(self, pk: int) -> None:
        if self.open.pop(pk, None) is not None:
            ClockFault.objects.filter(stage=self.stage, row_id=pk, resolved_at__isnull=True).update(
                resolved_at=self.now
            )


def retry_after(attempts: int) -> timedelta:
    """A minute after the first failure, doubling with each, at most a day."""
    return min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MOST)


def apply(faults: Faults, rows: list[tuple[int, int]], act: Callable[[list[int]], int]) -> int:
    """Call ``act`` on the ``(row_id, project_id)`` of ``rows`` (locked by the caller's
    transaction): the batch at once in a savepoint; if it raises, each row alone in its own, so
    one row that cannot move never holds up the others. A row that fails alone is recorded
    (``Faults.failed``) and the sweep goes on. The number of rows acted on."""
    rows = [row for row in rows if not faults.waiting(row[0])]
    alone = [row for row in rows if row[0] in faults.open]
    batch = [row for row in rows if row[0] not in faults.open]
    done = 0
    if batch:
        try:
            with transaction.atomic():
                done += act([pk for pk, _project in batch])
        except Exception:
            logger.warning("clock: a batch of %s failed; acting row by row", faults.stage)
            alone = batch + alone
    for pk, project_id in alone:
        try:
            with transaction.atomic():
                done += act([pk])
        except Exception as exc:
            faults.failed(pk, project_id, exc)
        else:
            faults.succeeded(pk)
    return done


def sweep_due_projects(
    stage: str, status: str, act: Callable[[list[int], datetime], int], now: datetime
) -> int:
    """Call ``act(project_ids, now)`` for every batch of projects in ``status`` whose ``due_at``
    passed (``apply``); the number of projects it acted on."""
    faults = Faults(stage, now)
    done = 0
    after = None
    while True:
        with transaction.atomic():
            rows = due_projects(now, status, after)
            if not rows:
                return done
            done += apply(faults, [(pk, pk) for pk, _due_at in rows], lambda pks: act(pks, now))
        after = rows[-1]  # a row left due (its act did nothing or failed) is not taken again


def act_on_rows(
    stage: str, rows: Iterable[tuple[int, int]], act: Callable[[list[int]], int], now: datetime
) -> int:
    """Call ``act(row_ids)`` for the ``(row_id, project_id)`` of ``rows`` (a later stage's due
    rows, in order), ``BATCH`` to a transaction that first locks their projects with SKIP LOCKED:
    every act locks its project row first, so the sweep does too, and a row whose project another
    sweep (or a participant's act) holds is left to it (``apply``). The number of rows acted on."""
    faults = Faults(stage, now)
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
            done += apply(faults, [row for row in batch if row[1] in held], act)
    return done


def one_at_a_time(act: Callable[[int], bool]) -> Callable[[list[int]], int]:
    """A batch act made of a writer's act on one row (where a batch form would save little)."""
    return lambda pks: sum(bool(act(pk)) for pk in pks)


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "comments_closed": sweep_due_projects(
            ClockFault.Stage.COMMENTS_CLOSED,
            Project.Status.OPEN_FOR_COMMENTS,
            close_comments_due,
            now,
        )
    }
