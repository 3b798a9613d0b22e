"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import clock, notify


@shared_task
def enforce_deadlines() -> dict[str, int]:
    return clock.enforce_deadlines()


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_event_notifications(event_id: int) -> int:
    return notify.send_event_mail(event_id)
