"""The JISC's forms rendered to PDF with WeasyPrint from the stored data: review requests
(F-JI-DR), appraisals (F-JI-DA, F-JI-ExInpDA), requests for clarification (F-JI-Clar), review
team reports (F-JI-RRep) and meeting agendas.

Appraisal forms (F-JI-DA, F-JI-ExInpDA) are always confidential and say so on every page; a team report
says so until the JISC has decided; the agenda carries the teams' recommendations and is for the
JISC and the secretariat only.

Each state of a form is made once and then served from storage (``jitrack.pdf.stored_pdf``).
"""

from __future__ import annotations

import posixpath

from jitrack.pdf import stored_pdf

from .agenda import agenda_items
from .models import CRITERIA, Appraiser, Clarification, Review, ReviewRequest, criteria_of
from .serializers import requester_name

CONFIDENTIAL = "CONFIDENTIAL — not public"


def _render(name: str, template: str, context: dict) -> bytes:
    return stored_pdf(f"reviews/{name}", template, context)


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def requester(req: ReviewRequest) -> str:
    """A DFP's request is the Party's; a JISC member's request is the member's."""
    name = requester_name(req)
    return name if req.by == ReviewRequest.By.PARTY else f"JISC member {name}"


def _review_form(kind: str) -> str:
    return "F-JI-VR" if kind == Review.Kind.VERIFICATION else "F-JI-DR"


def render_review_request(request_obj: ReviewRequest) -> bytes:
    req = (
        ReviewRequest.objects.select_related(
            "project", "project__host_party", "determination", "party", "requested_by", "review"
        )
        .prefetch_related("project__parties_involved")
        .get(pk=request_obj.pk)
    )
    return _render(
        f"request-{req.pk}",
        "reviews/pdf/review_request.html",
        {
            "req": req,
            "form": _review_form(req.kind),
            "project": req.project,
            "determination": req.determination,
            "parties": list(req.project.parties_involved.all()),
            "requester": requester(req),
            "reasons": [
                {"label": label, "text": (req.reasons or {}).get(key, "")}
                for key, label in criteria_of(req.kind)
            ],
        },
    )


def render_appraisal(seat: Appraiser) -> bytes:
    seat = Appraiser.objects.select_related(
        "user",
        "user__party",
        "appraisal",
        "appraisal__project",
        "appraisal__project__host_party",
        "appraisal__determination",
    ).get(pk=seat.pk)
    stored = seat.criteria or {}
    return _render(
        f"appraisal-{seat.pk}",
        "reviews/pdf/appraisal.html",
        {
            "seat": seat,
            "form": seat.form_name,
            "confidential": CONFIDENTIAL,
            "appraisal": seat.appraisal,
            "project": seat.appraisal.project,
            "determination": seat.appraisal.determination,
            "appraiser": _name(seat.user),
            "criteria": [
                {
                    "label": label,
                    "met": (stored.get(key) or {}).get("met"),
                    "comment": (stored.get(key) or {}).get("comment", ""),
                }
                for key, label in CRITERIA
            ],
        },
    )


def _file_name(attachment) -> str:
    """The uploaded file's own name, without the folder and the digest prefix of the path."""
    name = posixpath.basename(attachment.file.name or "")
    prefix = f"{attachment.sha256[:16]}-"
    return name[len(prefix) :] if name.startswith(prefix) else name


def render_clarification(clarification) -> bytes:
    clar = (
        Clarification.objects.select_related(
            "review", "review__project", "review__determination", "sent_by", "answered_by"
        )
        .prefetch_related("files")
        .get(pk=clarification.pk)
    )
    return _render(
        f"clarification-{clar.pk}",
        "reviews/pdf/clarification.html",
        {
            "clar": clar,
            "form": "F-JI-Clar",
            "review": clar.review,
            "project": clar.review.project,
            "sent_by": _name(clar.sent_by),
            "answered_by": _name(clar.answered_by),
            "files": [
                {"title": f.title, "name": _file_name(f), "sha256": f.sha256, "size": f.size}
                for f in clar.files.all()
            ],
        },
    )


def render_review_report(review: Review) -> bytes:
    review = (
        Review.objects.select_related(
            "project", "project__host_party", "determination", "reported_by", "decided_at_meeting"
        )
        .prefetch_related("requests__party", "requests__requested_by", "team__user")
        .get(pk=review.pk)
    )
    requests = list(review.requests.all())
    return _render(
        f"report-{review.pk}",
        "reviews/pdf/review_report.html",
        {
            "review": review,
            "form": "F-JI-RRep",
            "confidential": "" if review.decided_at else CONFIDENTIAL,
            "project": review.project,
            "determination": review.determination,
            "requests": [{"req": r, "requester": requester(r)} for r in requests],
            "party_requests": sum(r.by == ReviewRequest.By.PARTY for r in requests),
            "member_requests": len(
                {r.requested_by_id for r in requests if r.by == ReviewRequest.By.JISC}
            ),
            "team": [{"member": m, "name": _name(m.user)} for m in review.team.all()],
            "clarifications": list(review.clarifications.all()),
            "reported_by": _name(review.reported_by),
        },
    )


def render_agenda(meeting) -> bytes:
    return _render(
        f"agenda-{meeting.number}",
        "reviews/pdf/agenda.html",
        {
            "meeting": meeting,
            "form": f"JISC {meeting.number} agenda",
            "confidential": "JISC and secretariat only",
            "items": agenda_items(meeting),
        },
    )
