"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import clock


@shared_task
def sweep() -> dict[str, int]:
    """The 45-day and 15-day windows (paras 35 and 39)."""
    return clock.sweep()
