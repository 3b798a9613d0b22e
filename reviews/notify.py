"""E-mail for confidential review work: to named users, after commit, carrying a link and never
the content of an appraisal or a working paper (ji-rules §6)."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from projects.models import User

log = logging.getLogger(__name__)


def send(user_ids: list[int], subject: str, body: str, path: str) -> int:
    emails = sorted(
        set(
            User.objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    text = f"{body}\n\nOpen it here: {settings.SITE_URL}{path}\n"
    messages = [(subject, text, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def mail_users(user_ids: list[int], subject: str, body: str, path: str) -> None:
    if not user_ids:
        return

    def queue():
        from .tasks import send_review_mail

        try:
            send_review_mail.delay(list(user_ids), subject, body, path)
        except Exception:  # broker unreachable: deliver now rather than lose it
            log.warning("broker unavailable; sending review mail inline", exc_info=True)
            send(list(user_ids), subject, body, path)

    transaction.on_commit(queue)
