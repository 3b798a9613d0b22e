"""Who must act next after each event, and the e-mail that tells them.

Mail goes through the outbox (``projects.outbox``): one row in the act's transaction, whose
builder (``events_messages``) looks up the recipients after commit.
"""

from django.conf import settings
from django.db.models import Q

from . import outbox
from .models import Event, User

# event kind -> (audiences, what they should do)
RECIPIENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "engagement_requested": (("invited_aie",), "Accept or decline the engagement."),
    "engagement_accepted": (("participants",), "The AIE accepted; it will submit the PDD."),
    "engagement_declined": (("participants",), "The AIE declined; engage another AIE."),
    "pdd_submitted": (("secretariat",), "Check the PDD for completeness and publish it."),
    "pdd_returned": (("aie", "participants"), "The secretariat returned the PDD."),
    "pdd_published": (("aie", "participants"), "The PDD is open for comments."),
    "comment_received": (("aie",), "Read the comment and write an answer."),
    "comments_closed": (("aie",), "The comment period closed; file the determination."),
    "aie_changed": (("aie", "secretariat"), "The project participants changed the AIE."),
    "determination_submitted": (
        ("secretariat", "participants"),
        "Check the determination report; the determination fee is due on submission.",
    ),
    "fee_paid": (("secretariat",), "The determination fee is paid; publish the report."),
    "invoice_issued": (("participants",), "An invoice was issued; pay it by its due date."),
    "verification_fee_paid": (
        ("secretariat",),
        "The verification fee is paid; publish the verification report.",
    ),
    "credit_note_issued": (("participants",), "A credit note was issued against an invoice."),
    "reimbursement_due": (("secretariat",), "A reimbursement is due; pay it back."),
    "determination_returned": (("aie",), "The secretariat returned the determination report."),
    "determination_published": (
        ("participants", "aie", "jisc", "parties"),
        "The determination is published; the 45-day review window is open.",
    ),
    "determination_final": (("participants", "aie", "parties"), "The determination is final."),
    "determination_rejected": (("participants", "aie", "parties"), "The project is rejected."),
    "withdrawn": (("aie", "secretariat"), "The project participants withdrew the project."),
    "review_request_received": (("secretariat",), "A request for review (F-JI-DR) arrived."),
    "review_started": (
        ("participants", "aie", "parties", "secretariat", "jisc"),
        "A review of the determination was requested; it is not final until the JISC decides.",
    ),
    "review_decided": (
        ("participants", "aie", "parties", "jisc"),
        "The JISC decided on the review of the determination. Its decision and reasons:",
    ),
    "monitoring_report_submitted": (("secretariat",), "A monitoring report was submitted."),
    "verification_submitted": (
        ("secretariat", "participants"),
        "Check the verification report; the verification fee is due on submission.",
    ),
    "verification_published": (
        ("participants", "jisc", "parties"),
        "The verification report is published; the 15-day review window is open.",
    ),
    "verification_final": (("participants", "parties"), "The verification is final."),
    "verification_review_started": (
        ("participants", "parties", "secretariat", "jisc"),
        "A review of the verification was requested; it is not final until the JISC decides.",
    ),
    "erus_issued": (("participants",), "ERUs were issued for the verification."),
    "corrections_submitted": (
        ("secretariat",),
        "The AIE submitted the corrected determination report; confirm the corrections.",
    ),
}


def recipients(event: Event) -> list[str]:
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
        elif audience == "parties":
            party_ids = [
                project.host_party_id,
                *project.parties_involved.values_list("pk", flat=True),
            ]
            q |= Q(role=User.Role.PARTY, party__in=party_ids)
    emails = (
        User.objects.filter(q, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    return sorted(set(emails))


def render(event: Event) -> tuple[str, str]:
    _, action = RECIPIENTS.get(event.kind, ((), ""))
    project = event.project
    subject = f"[jitrack] {project.key} {project.title}: {event.kind.replace('_', ' ')}"
    link = f"{settings.SITE_URL}/projects/{project.key}/"
    decision = event.data.get("decision")
    head = f"Decision: {decision.replace('_', ' ')}\n" if decision else ""
    body = f"{action}\n\n{head}{event.reason + chr(10) if event.reason else ''}Act here: {link}\n"
    return subject, body


def event_messages(event_id: int) -> list[tuple[str, str, str, list[str]]]:
    """The mail of one event, to everyone who must act next (a builder: the outbox calls it
    after commit). Kept for rows queued before ``notify`` named ``events_messages``."""
    return events_messages([event_id])


def events_messages(event_ids: list[int]) -> list[tuple[str, str, str, list[str]]]:
    """The mail of several events (one act of the clock over a batch of projects): one task."""
    messages = []
    for event in Event.objects.select_related("project").filter(pk__in=event_ids).order_by("pk"):
        subject, body = render(event)
        messages += [
            (subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients(event)
        ]
    return messages


def notify(event: Event) -> None:
    notify_many([event])


def notify_many(events: list[Event]) -> None:
    """``notify`` for the events of one batch: one outbox row."""
    told = [event.pk for event in events if event.kind in RECIPIENTS]
    if told:
        outbox.send_on_commit("projects.notify.events_messages", told)
