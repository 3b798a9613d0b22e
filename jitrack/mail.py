"""The one mail queue. An act queues its mail with ``send_on_commit(builder, *args)``: after the
transaction commits, a Celery task calls ``builder(*args)`` — a function (by dotted path) that
returns the messages, read from the committed rows — and sends them. If the broker cannot take
the task, the mail is built and sent inline, so no notification is lost with a broker outage.

The builders belong to the apps (``projects.notify.event_messages``,
``reviews.notify.user_messages``); the kernel imports them by name, never by module.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# A builder: (*args) -> list of (subject, body, from, [to]) as send_mass_mail takes them.
BUILDER_SUFFIX = "_messages"


def deliver(builder: str, *args) -> int:
    if not builder.rsplit(".", 1)[-1].endswith(BUILDER_SUFFIX):
        raise ValueError(f"{builder!r} is not a mail builder")
    messages = import_string(builder)(*args)
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_mail(builder: str, *args) -> int:
    return deliver(builder, *args)


def send_on_commit(builder: str, *args) -> None:
    def queue() -> None:
        try:
            send_mail.delay(builder, *args)
        except Exception:  # broker unreachable: deliver now rather than lose it
            log.warning("broker unavailable; sending %s mail inline", builder, exc_info=True)
            deliver(builder, *args)

    transaction.on_commit(queue)
