"""Who must act next after each event, and the notification that tells them: a row in each
recipient's inbox (``Notification``) and, as each recipient prefers, an e-mail at once, one in
the daily digest, or none.

Mail goes through the outbox (``projects.outbox``): one row in the act's transaction, whose
builder (``events_messages``) looks up the recipients after commit. The builders are the one
writer of inbox rows: the drain runs a builder in the transaction that holds its outbox row's
lock and marks it done, so each notification is written exactly once, together with its mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from . import outbox
from .models import Event, Notification, User

Messages = list[tuple[str, str, str, list[str]]]
# One digest lists this many notifications at most; the inbox has them all.
DIGEST_LIMIT = 100

# event kind -> (audiences, what they should do); the inbox translates what to do, the mail
# stays English (``gettext_noop``)
RECIPIENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "engagement_requested": (("invited_aie",), gettext_noop("Accept or decline the engagement.")),
    "engagement_accepted": (
        ("participants",),
        gettext_noop("The AIE accepted; it will submit the PDD."),
    ),
    "engagement_declined": (
        ("participants",),
        gettext_noop("The AIE declined; engage another AIE."),
    ),
    "pdd_submitted": (
        ("secretariat",),
        gettext_noop("Check the PDD for completeness and publish it."),
    ),
    "pdd_returned": (("aie", "participants"), gettext_noop("The secretariat returned the PDD.")),
    "pdd_published": (("aie", "participants"), gettext_noop("The PDD is open for comments.")),
    "comment_received": (("aie",), gettext_noop("Read the comment and write an answer.")),
    "comments_closed": (
        ("aie",),
        gettext_noop("The comment period closed; file the determination."),
    ),
    "aie_changed": (
        ("aie", "secretariat"),
        gettext_noop("The project participants changed the AIE."),
    ),
    "determination_submitted": (
        ("secretariat", "participants"),
        gettext_noop("Check the determination report; the determination fee is due on submission."),
    ),
    "fee_paid": (
        ("secretariat",),
        gettext_noop("The determination fee is paid; publish the report."),
    ),
    "invoice_issued": (
        ("participants",),
        gettext_noop("An invoice was issued; pay it by its due date."),
    ),
    "verification_fee_paid": (
        ("secretariat",),
        gettext_noop("The verification fee is paid; publish the verification report."),
    ),
    "credit_note_issued": (
        ("participants",),
        gettext_noop("A credit note was issued against an invoice."),
    ),
    "reimbursement_due": (("secretariat",), gettext_noop("A reimbursement is due; pay it back.")),
    "determination_returned": (
        ("aie",),
        gettext_noop("The secretariat returned the determination report."),
    ),
    "determination_published": (
        ("participants", "aie", "jisc", "parties"),
        gettext_noop("The determination is published; the 45-day review window is open."),
    ),
    "determination_final": (
        ("participants", "aie", "parties"),
        gettext_noop("The determination is final."),
    ),
    "determination_rejected": (
        ("participants", "aie", "parties"),
        gettext_noop("The project is rejected."),
    ),
    "withdrawn": (
        ("aie", "secretariat"),
        gettext_noop("The project participants withdrew the project."),
    ),
    "review_request_received": (
        ("secretariat",),
        gettext_noop("A request for review (F-JI-DR) arrived."),
    ),
    "review_started": (
        ("participants", "aie", "parties", "secretariat", "jisc"),
        gettext_noop(
            "A review of the determination was requested; it is not final until the JISC decides."
        ),
    ),
    "review_decided": (
        ("participants", "aie", "parties", "jisc"),
        gettext_noop(
            "The JISC decided on the review of the determination. Its decision and reasons:"
        ),
    ),
    "monitoring_report_submitted": (
        ("secretariat",),
        gettext_noop("A monitoring report was submitted."),
    ),
    "verification_submitted": (
        ("secretariat", "participants"),
        gettext_noop("Check the verification report; the verification fee is due on submission."),
    ),
    "verification_published": (
        ("participants", "jisc", "parties"),
        gettext_noop("The verification report is published; the 15-day review window is open."),
    ),
    "verification_final": (("participants", "parties"), gettext_noop("The verification is final.")),
    "verification_review_started": (
        ("participants", "parties", "secretariat", "jisc"),
        gettext_noop(
            "A review of the verification was requested; it is not final until the JISC decides."
        ),
    ),
    "erus_issued": (("participants",), gettext_noop("ERUs were issued for the verification.")),
    "corrections_submitted": (
        ("secretariat",),
        gettext_noop(
            "The AIE submitted the corrected determination report; confirm the corrections."
        ),
    ),
    # changes after the determination (projects.changes)
    "change_requested": (
        ("requested_party",),
        gettext_noop(
            "The project participants ask your Party to join the project as a Party involved: "
            "record its letter of approval."
        ),
    ),
    "party_added": (("participants",), gettext_noop("The new Party approved; it is involved.")),
    "verification_aie_changed": (
        ("invited_aie",),
        gettext_noop("A monitoring report was moved to your entity: file its verification."),
    ),
}


def audience(event: Event) -> Q:
    """The users who must act next after ``event`` (active or not)."""
    audiences, _ = RECIPIENTS.get(event.kind, ((), ""))
    project = event.project
    q = Q(pk__in=[])
    for audience in audiences:
        if audience == "participants":
            q |= Q(role=User.Role.PARTICIPANT, organisation__projects=project)
        elif audience == "aie" and project.aie_id:
            q |= Q(role=User.Role.AIE, organisation=project.aie_id)
            old = event.data.get("old_aie_id")
            if old:
                q |= Q(role=User.Role.AIE, organisation=old)
        elif audience == "invited_aie" and event.data.get("aie_id"):
            q |= Q(role=User.Role.AIE, organisation=event.data["aie_id"])
        elif audience == "secretariat":
            q |= Q(role=User.Role.SECRETARIAT)
        elif audience == "jisc":
            q |= Q(role=User.Role.JISC)
        elif audience == "requested_party" and event.data.get("party_id"):
            # the Party a pending addition waits for; not told of a cancellation
            if not event.data.get("cancelled"):
                q |= Q(role=User.Role.PARTY, party=event.data["party_id"])
        elif audience == "parties":
            party_ids = [
                project.host_party_id,
                *project.parties_involved.values_list("pk", flat=True),
            ]
            q |= Q(role=User.Role.PARTY, party__in=party_ids)
    return q


def recipient_users(event: Event) -> list[User]:
    return list(
        User.objects.filter(audience(event), is_active=True)
        .only("pk", "email", "mail_preference")
        .distinct()
        .order_by("pk")
    )


def recipients(event: Event) -> list[str]:
    """The addresses of everyone who must act next (whatever they prefer)."""
    return sorted({user.email for user in recipient_users(event) if user.email})


def render(event: Event) -> tuple[str, str]:
    subject, body, _ = _render(event)
    return subject, body


def _render(event: Event) -> tuple[str, str, str]:
    """The mail's subject and body, and the detail under what to do (a decision, a reason)."""
    _, action = RECIPIENTS.get(event.kind, ((), ""))
    project = event.project
    subject = f"[jitrack] {project.key} {project.title}: {event.kind.replace('_', ' ')}"
    link = f"{settings.SITE_URL}{_path(event)}"
    decision = event.data.get("decision")
    head = f"Decision: {decision.replace('_', ' ')}\n" if decision else ""
    detail = f"{head}{event.reason + chr(10) if event.reason else ''}"
    body = f"{action}\n\n{detail}Act here: {link}\n"
    return subject, body, detail.strip()


def _path(event: Event) -> str:
    return f"/projects/{event.project.key}/"


def deliver(
    users: Iterable[User],
    *,
    kind: str,
    subject: str,
    text: str,
    url: str,
    mail_subject: str,
    mail_body: str,
    detail: str = "",
    created_at: dt.datetime | None = None,
) -> Messages:
    """Write one inbox row per user and return the mail of those who want it at once (one
    message per address). A builder calls it, in the drain's transaction (see the module)."""
    now = timezone.now()
    rows, addresses = [], set()
    for user in {u.pk: u for u in users}.values():
        mail = Notification.Mail.NONE
        if user.email and user.mail_preference == User.MailPreference.IMMEDIATELY:
            mail = Notification.Mail.SENT
            addresses.add(user.email)
        elif user.email and user.mail_preference == User.MailPreference.DIGEST:
            mail = Notification.Mail.PENDING
        rows.append(
            Notification(
                user=user,
                created_at=created_at or now,
                kind=kind,
                subject=subject[:300],
                text=text,
                detail=detail,
                url=url[:300],
                mail=mail,
                mailed_at=now if mail == Notification.Mail.SENT else None,
            )
        )
    # bulk_create: no save() signal, so no renewal of the public pages' cache
    Notification.objects.bulk_create(rows)
    return [
        (mail_subject, mail_body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in sorted(addresses)
    ]


def event_messages(event_id: int) -> Messages:
    """The mail of one event, to everyone who must act next (a builder: the outbox calls it
    after commit). Kept for rows queued before ``notify`` named ``events_messages``."""
    return events_messages([event_id])


def events_messages(event_ids: list[int]) -> Messages:
    """The notifications of several events (one act of the clock over a batch of projects):
    one task. Returns the mail of the recipients who want it at once."""
    messages: Messages = []
    for event in Event.objects.select_related("project").filter(pk__in=event_ids).order_by("pk"):
        subject, body, detail = _render(event)
        messages += deliver(
            recipient_users(event),
            kind=event.kind,
            # the reference once there is one; a draft's key (P<id>) means nothing to people
            subject=f"{event.project.reference or ''} {event.project.title}".strip(),
            text=RECIPIENTS.get(event.kind, ((), ""))[1],
            detail=detail,
            url=_path(event),
            mail_subject=subject,
            mail_body=body,
            created_at=event.created_at,
        )
    return messages


def digest_messages() -> Messages:
    """The daily digest (a builder; ``projects.tasks.send_digests`` queues it): one mail per
    user who prefers a digest, listing the notifications not yet digested, which it marks
    digested in the drain's transaction. Their rows are locked (``select_for_update``): a second
    digest running at the same time waits, then finds them digested; each is mailed once."""
    now = timezone.now()
    pending = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(
            mail=Notification.Mail.PENDING,
            user__mail_preference=User.MailPreference.DIGEST,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for row in pending:
        by_user.setdefault(row.user_id, []).append(row)
    messages: Messages = []
    for rows in by_user.values():
        user = rows[0].user
        lines = [
            f"You have {len(rows)} new notification{'s' if len(rows) != 1 else ''} in jitrack.",
            "",
        ]
        for row in rows[:DIGEST_LIMIT]:
            lines += [
                f"{row.created_at:%d %b %Y %H:%M} GMT  {row.subject}",
                f"  {row.text}",
                *(f"  {line}" for line in row.detail.splitlines()),
                f"  {settings.SITE_URL}{row.url}",
                "",
            ]
        if len(rows) > DIGEST_LIMIT:
            lines += [f"… and {len(rows) - DIGEST_LIMIT} more.", ""]
        lines.append(f"Your inbox: {settings.SITE_URL}/inbox/")
        subject = f"[jitrack] Your daily digest: {len(rows)} notification" + (
            "s" if len(rows) != 1 else ""
        )
        messages.append(
            (subject, "\n".join(lines) + "\n", settings.DEFAULT_FROM_EMAIL, [user.email])
        )
    Notification.objects.filter(pk__in=[row.pk for row in pending]).update(
        mail=Notification.Mail.DIGESTED, mailed_at=now
    )
    return messages


def queue_digests() -> None:
    """Queue the daily digest (the beat's ``projects.tasks.send_digests``)."""
    outbox.send_on_commit("projects.notify.digest_messages")


def notify(event: Event) -> None:
    notify_many([event])


def notify_many(events: list[Event]) -> None:
    """``notify`` for the events of one batch: one outbox row."""
    told = [event.pk for event in events if event.kind in RECIPIENTS]
    if told:
        outbox.send_on_commit("projects.notify.events_messages", told)
