"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import clock


@shared_task
def sweep() -> dict[str, int]:
    """Appraisals that end with their window, reminders and overdue notices."""
    return clock.sweep()
