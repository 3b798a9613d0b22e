"""The review team's report (F-JI-RRep) previewed before it is filed (issue 15): rendered from
the data on the filing form as ``reviews.pdf.render_review_report`` renders the filed one,
marked "preview", with nothing written — no row, no event, no stored PDF."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from determinations.preview import inline_pdf
from jitrack import pdf as kernel_pdf
from jitrack.errors import Conflict, Invalid

from . import workflow as rwf
from .models import Review, ReviewRequest
from .pdf import CONFIDENTIAL, _name, requester


def review_report(actor, review: Review, *, recommendation: str, report: str):
    """F-JI-RRep as ``rwf.file_report`` would file it now; its refusals first."""
    report = (report or "").strip()
    if recommendation not in Review.Decision.values:
        raise Invalid(
            _("Recommend confirmed, rejected or corrections_required."), field="recommendation"
        )
    if not report:
        raise Invalid(_("Write the report."), code="required", field="report")
    review = (
        Review.objects.select_related(
            "project", "project__host_party", "determination", "decided_at_meeting"
        )
        .prefetch_related("requests__party", "requests__requested_by", "team__user")
        .get(pk=review.pk)
    )
    rwf.team_seat(actor, review)
    if review.status != Review.Status.IN_PROGRESS:
        raise Conflict(_("The report is filed once, while the review runs."), code="wrong_status")
    review.recommendation, review.report = recommendation, report
    review.reported_at, review.reported_by = timezone.now(), actor
    requests = list(review.requests.all())
    html = kernel_pdf.render_html(
        "reviews/pdf/review_report.html",
        {
            "review": review,
            "form": "F-JI-RRep",
            "confidential": CONFIDENTIAL,
            "preview": True,
            "project": review.project,
            "determination": review.determination,
            "requests": [{"req": r, "requester": requester(r)} for r in requests],
            "party_requests": sum(r.by == ReviewRequest.By.PARTY for r in requests),
            "member_requests": len(
                {r.requested_by_id for r in requests if r.by == ReviewRequest.By.JISC}
            ),
            "team": [{"member": m, "name": _name(m.user)} for m in review.team.all()],
            "clarifications": list(review.clarifications.all()),
            "reported_by": _name(actor),
        },
    )
    return inline_pdf(kernel_pdf.write_pdf(html), f"F-JI-RRep-{review.project.key}-preview.pdf")
