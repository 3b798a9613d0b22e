"""E-mail for confidential review work: to named users, after commit, carrying a link and never
the content of an appraisal or a working paper (ji-rules §6). Through the outbox
(``projects.outbox``)."""

from django.conf import settings

from projects import outbox
from projects.models import User


def user_messages(
    user_ids: list[int], subject: str, body: str, path: str
) -> list[tuple[str, str, str, list[str]]]:
    emails = sorted(
        set(
            User.objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    text = f"{body}\n\nOpen it here: {settings.SITE_URL}{path}\n"
    return [(subject, text, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails]


def mail_users(user_ids: list[int], subject: str, body: str, path: str) -> None:
    if user_ids:
        outbox.send_on_commit("reviews.notify.user_messages", list(user_ids), subject, body, path)
