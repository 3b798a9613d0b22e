"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import clock, notify


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_review_mail(user_ids: list[int], subject: str, body: str, path: str) -> int:
    return notify.send(user_ids, subject, body, path)


@shared_task
def sweep_reviews() -> dict[str, int]:
    return clock.sweep()
