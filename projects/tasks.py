"""Thin Celery tasks: ids in, one domain call, idempotent."""

from celery import shared_task

from . import clock, ledger, notify


@shared_task
def sweep() -> dict[str, int]:
    """The comment periods (para 32)."""
    return clock.sweep()


@shared_task
def seal_logs() -> dict[str, int]:
    """Seal the logs' new rows into their hash chains and record the heads of days gone by
    (``projects.ledger``). Idempotent: the chain's lock serialises parallel runs."""
    sealed = ledger.seal_all()
    sealed["daily_heads"] = ledger.record_daily_heads()
    return sealed


@shared_task
def send_digests() -> None:
    """The daily digest of the users who prefer one (``projects.notify.digest_messages``):
    queued through the outbox, whose builder marks what it lists, so two runs mail it once."""
    notify.queue_digests()
