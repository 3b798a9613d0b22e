"""Notifications of confidential review work to named users: an inbox row each and, as each
prefers, e-mail after commit, carrying a link and never the content of an appraisal or a
working paper (ji-rules §6). Through the outbox (``projects.outbox``); the builder writes the
inbox rows (``projects.notify.deliver``)."""

from django.conf import settings

from projects import outbox
from projects.models import User
from projects.notify import Messages, deliver

# The kind of review work a link leads to, when the caller names none (the first prefix that
# matches; ``projects.models.Notification.WORK_KINDS`` labels them).
KIND_BY_PATH = (
    ("/reviews/appraisals/", "appraisal"),
    ("/reviews/clarifications/", "clarification"),
    ("/reviews/", "review"),
)


def kind_for(path: str) -> str:
    return next((kind for prefix, kind in KIND_BY_PATH if path.startswith(prefix)), "review")


def user_messages(
    user_ids: list[int], subject: str, body: str, path: str, kind: str = ""
) -> Messages:
    """A builder: the inbox rows of ``user_ids`` and the mail of those who want it at once."""
    users = User.objects.filter(pk__in=user_ids, is_active=True).only(
        "pk", "email", "mail_preference"
    )
    return deliver(
        users.order_by("pk"),
        kind=kind or kind_for(path),
        subject=subject.removeprefix("[jitrack] "),
        text=body,
        url=path,
        mail_subject=subject,
        mail_body=f"{body}\n\nOpen it here: {settings.SITE_URL}{path}\n",
    )


def mail_users(user_ids: list[int], subject: str, body: str, path: str, kind: str = "") -> None:
    """Tell ``user_ids`` (inbox and mail) about review work at ``path``; ``kind`` defaults to
    the kind of work the path leads to (``KIND_BY_PATH``)."""
    if user_ids:
        args = [list(user_ids), subject, body, path] + ([kind] if kind else [])
        outbox.send_on_commit("reviews.notify.user_messages", *args)
