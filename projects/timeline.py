"""Human labels for event kinds and statuses, and the timeline query of a project page.

The timeline is a query over the append-only ``Event`` log (STYLE habit 2): the project's
participants, its AIE and the secretariat see every event; everyone else sees the public ones.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .models import Document, Event, Project

S = Project.Status

EVENT_LABELS: dict[str, str | Promise] = {
    "project_created": _("Project created"),
    "project_updated": _("Project details updated"),
    "document_uploaded": _("Document uploaded"),
    "approval_recorded": _("Letter of approval recorded"),
    "engagement_requested": _("AIE asked to take the engagement"),
    "engagement_accepted": _("AIE accepted the engagement"),
    "engagement_declined": _("AIE declined the engagement"),
    "aie_changed": _("AIE changed"),
    "pdd_submitted": _("PDD submitted for publication"),
    "pdd_returned": _("PDD returned by the secretariat"),
    "pdd_published": _("PDD published for comments"),
    "comment_received": _("Comment received"),
    "comment_answered": _("AIE answered a comment"),
    "comment_answer_revised": _("AIE revised an answer to a comment"),
    "comments_closed": _("Comment period closed"),
    "determination_submitted": _("Determination report submitted"),
    "fee_assessed": _("Fee assessed"),
    "invoice_issued": _("Invoice issued"),
    "payment_recorded": _("Payment recorded"),
    "fee_paid": _("Determination fee paid"),
    "verification_fee_paid": _("Verification fee paid"),
    "credit_note_issued": _("Credit note issued"),
    "reimbursement_due": _("Reimbursement due"),
    "reimbursement_paid": _("Reimbursement paid"),
    "determination_returned": _("Determination report returned by the secretariat"),
    "determination_published": _("Determination report published; 45-day period started"),
    "determination_final": _("Determination final"),
    "determination_rejected": _("Negative determination final: project rejected"),
    "withdrawn": _("Project withdrawn"),
    "review_request_received": _("Request for review received"),
    "review_started": _("Review started; the determination is not final until the JISC decides"),
    "review_team_appointed": _("Review team appointed"),
    "review_decided": _("JISC decision on the review"),
    "corrections_submitted": _("Corrected report submitted"),
    "monitoring_report_submitted": _("Monitoring report submitted and published"),
    "monitoring_report_withdrawn": _("Monitoring report withdrawn"),
    "change_recorded": _("Change during implementation recorded"),
    "verification_submitted": _("Verification report submitted"),
    "verification_published": _("Verification report published; 15-day period started"),
    "verification_final": _("Verification final"),
    "verification_review_started": _("Review of the verification started"),
    "erus_issued": _("ERUs issued"),
    "erus_transferred": _("ERUs transferred"),
}

# What the project needs next, by status, as shown on dashboards.
NEXT_ACTIONS: dict[str, str | Promise] = {
    S.DRAFT: _("Project participants: upload the PDD and engage an AIE"),
    S.ENGAGED: _("AIE: submit the PDD for publication"),
    S.PDD_SUBMITTED: _("Secretariat: check the PDD and publish it"),
    S.OPEN_FOR_COMMENTS: _("Public: comment until the period closes; AIE: answer comments"),
    S.COMMENTS_CLOSED: _("AIE: answer every comment and file the determination"),
    S.DETERMINATION_SUBMITTED: _("Secretariat: check the report (fee due on submission)"),
    S.DETERMINATION_PUBLISHED: _("Parties involved or three JISC members may request a review"),
    S.UNDER_REVIEW: _("JISC: decide the review"),
    S.FINAL: _("None: the determination is final"),
    S.REJECTED: _("None: the project is rejected"),
    S.WITHDRAWN: _("None: the project is withdrawn"),
}


# The outcome of a determination as the event data stores it.
OUTCOMES = {"positive": _("positive"), "negative": _("negative")}


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind) or kind.replace("_", " ").capitalize())


def next_action(project: Project) -> str:
    if project.status == S.DRAFT and getattr(project, "pending_aie_name", None):
        return gettext("%(aie)s: accept or decline the engagement") % {
            "aie": project.pending_aie_name
        }
    return str(NEXT_ACTIONS.get(project.status, ""))


def day_text(value: date) -> str:
    """``29 Jul 2008`` (``29 июля 2008`` in Russian): a calendar date in the active language."""
    # Translators: a Django date format (j = day, M = short month, E = month in the genitive,
    # Y = year).
    return dateformat.format(value, pgettext("date format", "j M Y"))


def _day(iso: str) -> str:
    try:
        return day_text(date.fromisoformat(iso[:10]))
    except (TypeError, ValueError):
        return iso


def event_detail(event: Event) -> str:
    """A short public description of an event's data. Fee amounts never appear here: invoices
    and payments are for the paying participants and the secretariat only (ji-rules §6)."""
    data = event.data or {}
    if event.kind == "pdd_published" and data.get("reference"):
        return gettext("Reference %(reference)s; available from %(day)s.") % {
            "reference": data["reference"],
            "day": _day(data.get("available_on")),
        }
    if event.kind == "approval_recorded" and data.get("party"):
        return gettext("Party %(party)s, issued %(day)s.") % {
            "party": data["party"],
            "day": _day(data.get("issued_on")),
        }
    if event.kind == "aie_changed" and data.get("aie"):
        return gettext("From %(old)s to %(new)s.") % {
            "old": data.get("old_aie", ""),
            "new": data["aie"],
        }
    if event.kind in ("determination_submitted", "determination_published") and data.get("outcome"):
        outcome = data["outcome"]
        return gettext("Outcome: %(outcome)s.") % {"outcome": OUTCOMES.get(outcome, outcome)}
    if event.kind == "engagement_requested" and data.get("aie"):
        return f"{data['aie']}."
    if event.kind == "document_uploaded" and data.get("kind"):
        kind = data["kind"]
        name = Document.Kind(kind).label if kind in Document.Kind.values else kind
        return gettext("%(kind)s, version %(version)s.") % {
            "kind": name,
            "version": data.get("version", 1),
        }
    return ""


def project_events(project: Project, *, insider: bool) -> QuerySet[Event]:
    """The timeline: every event for the project's insiders (``projects.view_history``), the
    public ones for everyone else."""
    events = Event.objects.filter(project=project)
    if not insider:
        events = events.filter(public=True)
    return events.order_by("created_at", "pk")
