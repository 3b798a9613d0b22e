"""Human labels for event kinds and statuses, and the timeline query of a project page.

The timeline is a query over the append-only ``Event`` log (STYLE habit 2): the project's
participants, its AIE and the secretariat see every event; everyone else sees the public ones.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from .models import Document, Event, Project

S = Project.Status

EVENT_LABELS: dict[str, str] = {
    "project_created": "Project created",
    "project_updated": "Project details updated",
    "document_uploaded": "Document uploaded",
    "approval_recorded": "Letter of approval recorded",
    "engagement_requested": "AIE asked to take the engagement",
    "engagement_accepted": "AIE accepted the engagement",
    "engagement_declined": "AIE declined the engagement",
    "aie_changed": "AIE changed",
    "pdd_submitted": "PDD submitted for publication",
    "pdd_returned": "PDD returned by the secretariat",
    "pdd_published": "PDD published for comments",
    "comment_received": "Comment received",
    "comment_answered": "AIE answered a comment",
    "comment_answer_revised": "AIE revised an answer to a comment",
    "comments_closed": "Comment period closed",
    "determination_submitted": "Determination report submitted",
    "fee_assessed": "Fee assessed",
    "invoice_issued": "Invoice issued",
    "payment_recorded": "Payment recorded",
    "fee_paid": "Determination fee paid",
    "verification_fee_paid": "Verification fee paid",
    "credit_note_issued": "Credit note issued",
    "reimbursement_due": "Reimbursement due",
    "reimbursement_paid": "Reimbursement paid",
    "determination_returned": "Determination report returned by the secretariat",
    "determination_published": "Determination report published; 45-day period started",
    "determination_final": "Determination final",
    "determination_rejected": "Negative determination final: project rejected",
    "withdrawn": "Project withdrawn",
    "review_request_received": "Request for review received",
    "review_started": "Review started; the determination is not final until the JISC decides",
    "review_team_appointed": "Review team appointed",
    "review_decided": "JISC decision on the review",
    "corrections_submitted": "Corrected report submitted",
    "monitoring_report_submitted": "Monitoring report submitted and published",
    "monitoring_report_withdrawn": "Monitoring report withdrawn",
    "change_recorded": "Change during implementation recorded",
    "verification_submitted": "Verification report submitted",
    "verification_published": "Verification report published; 15-day period started",
    "verification_final": "Verification final",
    "verification_review_started": "Review of the verification started",
    "erus_issued": "ERUs issued",
    "erus_transferred": "ERUs transferred",
}

# What the project needs next, by status, as shown on dashboards.
NEXT_ACTIONS: dict[str, str] = {
    S.DRAFT: "Project participants: upload the PDD and engage an AIE",
    S.ENGAGED: "AIE: submit the PDD for publication",
    S.PDD_SUBMITTED: "Secretariat: check the PDD and publish it",
    S.OPEN_FOR_COMMENTS: "Public: comment until the period closes; AIE: answer comments",
    S.COMMENTS_CLOSED: "AIE: answer every comment and file the determination",
    S.DETERMINATION_SUBMITTED: "Secretariat: check the report (fee due on submission)",
    S.DETERMINATION_PUBLISHED: "Parties involved or three JISC members may request a review",
    S.UNDER_REVIEW: "JISC: decide the review",
    S.FINAL: "None: the determination is final",
    S.REJECTED: "None: the project is rejected",
    S.WITHDRAWN: "None: the project is withdrawn",
}


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def next_action(project: Project) -> str:
    if project.status == S.DRAFT and getattr(project, "pending_aie_name", None):
        return f"{project.pending_aie_name}: accept or decline the engagement"
    return NEXT_ACTIONS.get(project.status, "")


def _day(iso: str) -> str:
    try:
        return date.fromisoformat(iso[:10]).strftime("%-d %b %Y")
    except (TypeError, ValueError):
        return iso


def event_detail(event: Event) -> str:
    """A short public description of an event's data. Fee amounts never appear here: invoices
    and payments are for the paying participants and the secretariat only (ji-rules §6)."""
    data = event.data or {}
    if event.kind == "pdd_published" and data.get("reference"):
        return f"Reference {data['reference']}; available from {_day(data.get('available_on'))}."
    if event.kind == "approval_recorded" and data.get("party"):
        return f"Party {data['party']}, issued {_day(data.get('issued_on'))}."
    if event.kind == "aie_changed" and data.get("aie"):
        return f"From {data.get('old_aie', '')} to {data['aie']}."
    if event.kind in ("determination_submitted", "determination_published") and data.get("outcome"):
        return f"Outcome: {data['outcome']}."
    if event.kind == "engagement_requested" and data.get("aie"):
        return f"{data['aie']}."
    if event.kind == "document_uploaded" and data.get("kind"):
        kind = data["kind"]
        name = Document.Kind(kind).label if kind in Document.Kind.values else kind
        return f"{name}, version {data.get('version', 1)}."
    return ""


def project_events(project: Project, *, insider: bool) -> QuerySet[Event]:
    """The timeline: every event for the project's insiders (``projects.view_history``), the
    public ones for everyone else."""
    events = Event.objects.filter(project=project)
    if not insider:
        events = events.filter(public=True)
    return events.order_by("created_at", "pk")
