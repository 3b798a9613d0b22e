"""The mail outbox (``OutboxMail``): an act's mail is a row written in the act's transaction, and
the drain sends it (at least once, see the model).

``send_on_commit`` writes the row and, after commit, queues the drain of that row alone (so the
rows of other transactions, fixtures' included, wait for the beat). The beat's ``drain`` sends
everything due: the rows whose task was lost with the broker or a worker, and the retries.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import make_msgid
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jitrack import mail

from .models import OutboxMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Message rows one drain sends at most; the next run takes the rest.
BATCH = 500


def send_on_commit(builder: str, *args) -> OutboxMail:
    """Queue ``builder(*args)``'s mail: one row now, in the act's transaction (no recipient is
    looked up here: the builder runs in the drain, on the committed rows)."""
    [row] = OutboxMail.objects.bulk_create(
        [OutboxMail(builder=mail.check_builder(builder), args=list(args))]
    )
    # robust: the act has committed; a failure here is logged, and the beat sends the row.
    transaction.on_commit(lambda: _queue_drain(row.pk), robust=True)
    return row


def _queue_drain(pk: int) -> None:
    try:
        drain.delay([pk])
    except Exception:  # broker unreachable: send now rather than wait for the beat
        log.warning("broker unavailable; draining outbox row %s inline", pk, exc_info=True)
        drain_due([pk])


def drain_due(ids: list[int] | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Expand the due builder rows, then send the due messages: of the rows ``ids`` (and the
    messages built from them), or of all rows."""
    now = now or timezone.now()
    return build_due(ids, now) | send_due(ids, now)


def _due(ids: list[int] | None, now: dt.datetime):
    due = OutboxMail.objects.filter(done_at=None, given_up_at=None, due_at__lte=now)
    if ids is not None:
        due = due.filter(Q(pk__in=ids) | Q(source__in=ids))
    return due.order_by("due_at", "pk").values_list("pk", flat=True)


def build_due(ids: list[int] | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Turn each due builder row into its message rows, each in a transaction holding its lock
    (a builder row another drain holds is skipped)."""
    now = now or timezone.now()
    done = {"built": 0, "build_failed": 0}
    for pk in list(_due(ids, now).exclude(builder="")[:BATCH]):
        outcome = _expand(pk, now)
        if outcome is not None:
            done["built" if outcome else "build_failed"] += 1
    return done


def send_due(ids: list[int] | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Send each due message row in a transaction holding its lock, skipping the rows another
    drain holds: two drains at once send each message once."""
    now = now or timezone.now()
    done = {"sent": 0, "send_failed": 0}
    connection = get_connection()
    try:
        for pk in list(_due(ids, now).filter(builder="")[:BATCH]):
            outcome = _send(connection, pk, now)
            if outcome is not None:
                done["sent" if outcome else "send_failed"] += 1
    finally:
        connection.close()
    return done


def _locked(pk: int, now: dt.datetime) -> OutboxMail | None:
    """The row, locked, if it is still due and no other drain holds it."""
    return (
        OutboxMail.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, done_at=None, given_up_at=None, due_at__lte=now)
        .first()
    )


def _expand(pk: int, now: dt.datetime) -> bool | None:
    """Write one builder row's messages: True when written, False when the builder failed, None
    when another drain has the row or has expanded it."""
    with transaction.atomic():
        row = _locked(pk, now)
        if row is None:
            return None
        try:
            with transaction.atomic():  # a failing builder's queries roll back alone
                messages = mail.build(row.builder, row.args)
                OutboxMail.objects.bulk_create(
                    OutboxMail(
                        source=row,
                        subject=subject,
                        body=body,
                        from_email=from_email,
                        to=address,
                        message_id=make_msgid(f"jitrack.{row.pk}", domain=_domain()),
                        created_at=row.created_at,
                        due_at=now,
                    )
                    for subject, body, from_email, to in messages
                    for address in to
                )
        except Exception as exc:
            _failed(row, exc)
            return False
        _update(row, done_at=timezone.now())
        return True


def _send(connection, pk: int, now: dt.datetime) -> bool | None:
    """Send one message row: True when sent, False when it failed, None when another drain has
    it or sent it."""
    with transaction.atomic():
        row = _locked(pk, now)
        if row is None:
            return None
        try:
            mail.send(connection, row.subject, row.body, row.from_email, row.to, row.message_id)
        except Exception as exc:
            _failed(row, exc)
            return False
        # The server has the message; a crash before this commit sends it again (the model).
        # The body goes: the outbox is a queue, not an archive (a reset link must not outlive
        # its sending in the database).
        _update(row, done_at=timezone.now(), body="")
        return True


def _failed(row: OutboxMail, exc: Exception) -> None:
    at = timezone.now()
    attempts = row.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if mail.refused(exc) or attempts >= MAX_ATTEMPTS:
        log.error("outbox row %s given up after %s attempts: %s", row.pk, attempts, error)
        _update(row, attempts=attempts, error=error, given_up_at=at)
    else:
        log.warning("outbox row %s failed (attempt %s): %s", row.pk, attempts, error)
        due_at = at + dt.timedelta(minutes=2 ** (attempts - 1))
        _update(row, attempts=attempts, error=error, due_at=due_at)


def _update(row: OutboxMail, **values) -> None:
    # An UPDATE, not save(): the outbox is on no page, and every save() of this app's models
    # renews the page cache (jitrack.pagecache); ``send_on_commit`` inserts with bulk_create.
    OutboxMail.objects.filter(pk=row.pk).update(**values)


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "jitrack.invalid"


@shared_task
def drain(ids: list[int] | None = None) -> dict[str, int]:
    """After an act's commit: its own rows; from the beat: everything due."""
    return drain_due(ids)
