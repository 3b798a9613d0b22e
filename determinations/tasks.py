"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import verification


@shared_task
def sweep_verifications() -> dict[str, int]:
    return verification.sweep()
