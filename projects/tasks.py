"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import clock


@shared_task
def sweep() -> dict[str, int]:
    """The comment periods (para 32)."""
    return clock.sweep()
