"""The determinations' part of the clock (STYLE habit 3): a published determination becomes
final (or its project rejected) when its 45-day window ends without a review (para 35), and a
published verification when its 15-day window ends (para 39). Due rows are found through the
indexed ``due_at`` columns; every act re-checks under its lock, so running twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from projects.clock import sweep_due_projects
from projects.models import ClockFault, Project

from . import verification, workflow


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "determinations_final": sweep_due_projects(
            ClockFault.Stage.DETERMINATIONS_FINAL,
            Project.Status.DETERMINATION_PUBLISHED,
            workflow.deem_final_due,
            now,
        ),
        **verification.sweep(now),
    }
