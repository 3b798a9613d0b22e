"""The one way mail leaves: an act calls ``send_on_commit(builder, *args)``, which writes one row
to the outbox (``projects.outbox``: the kernel has no models, so it names the outbox by path) in
the act's transaction; after commit a Celery task calls ``builder(*args)`` — a function (by
dotted path) that returns the messages, read from the committed rows — and sends them one by one.

The builders belong to the apps (``projects.notify.event_messages``,
``reviews.notify.user_messages``); the kernel imports them by name, never by module. This module
holds what the outbox needs of mail itself: building, sending one message, telling a refusal from
a failure worth retrying.
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

# A builder: (*args) -> list of (subject, body, from, [to]) as send_mass_mail takes them.
BUILDER_SUFFIX = "_messages"
OUTBOX = "projects.outbox.send_on_commit"

Messages = list[tuple[str, str, str, list[str]]]


def check_builder(builder: str) -> str:
    if not builder.rsplit(".", 1)[-1].endswith(BUILDER_SUFFIX):
        raise ValueError(f"{builder!r} is not a mail builder")
    return builder


def build(builder: str, args: list) -> Messages:
    return import_string(check_builder(builder))(*args)


def send_on_commit(builder: str, *args) -> None:
    """Queue ``builder(*args)``'s mail: sent after the act's transaction commits, never if it
    rolls back (``projects.outbox.send_on_commit``; code above the kernel may call it there)."""
    import_string(OUTBOX)(check_builder(builder), *args)


def send(connection, subject: str, body: str, from_email: str, to: str, message_id: str) -> None:
    """Send one message to one address under its own ``Message-ID`` (the same on every attempt,
    so a client can tell a resent copy). ``connection`` stays open across calls; it is closed
    after a failure, so that the next call opens a new one."""
    message = EmailMessage(
        subject, body, from_email, [to], headers={"Message-ID": message_id}, connection=connection
    )
    try:
        connection.open()
        if message.send(fail_silently=False) != 1:
            raise smtplib.SMTPException(f"the mail backend did not send to {to}")
    except smtplib.SMTPRecipientsRefused:
        raise  # the connection is still good
    except Exception:
        connection.close()
        raise


def refused(exc: BaseException) -> bool:
    """The mail server refused every recipient for good (a 5xx reply): trying again will not help."""
    return (
        isinstance(exc, smtplib.SMTPRecipientsRefused)
        and bool(exc.recipients)
        and all(500 <= code < 600 for code, _ in exc.recipients.values())
    )


@shared_task(name="jitrack.mail.send_mail")
def send_mail(builder: str, *args) -> None:
    """Before the outbox, this task carried the mail in the broker; kept for one release so that
    such tasks still queued end up in the outbox (and are sent from there)."""
    send_on_commit(builder, *args)
