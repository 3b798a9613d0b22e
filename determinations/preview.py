"""Previews of the forms the AIE files (issue 15): F-JI-DRep and F-JI-VRep rendered from the
data on the filing form exactly as filing would render them, marked "preview", with nothing
written — no row, no event, no document, no number consumed. The act's own checks run first,
so a preview of what cannot be filed says why instead."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from jitrack import pdf as kernel_pdf

from . import pdf
from . import verification as vwf
from . import workflow as dwf


def inline_pdf(content: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (not downloaded) and never cached: it is not a record."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def drep(actor, project, *, findings, outcome, due_account) -> HttpResponse:
    """F-JI-DRep as ``dwf.submit_determination`` would file it now."""
    dwf._findings(findings, outcome)
    dwf.GUARDS["submit"].check(actor, project)
    det = dwf._draft(
        actor,
        project,
        findings=findings,
        outcome=outcome,
        due_account=due_account,
        at=timezone.now(),
    )
    content = kernel_pdf.write_pdf(pdf.drep_html(det, preview=True))
    return inline_pdf(content, f"F-JI-DRep-{project.key}-{det.number}-preview.pdf")


def vrep(
    actor, report, *, verified, findings, change_opinions, conditions_hold, conditions_reasons
) -> HttpResponse:
    """F-JI-VRep as ``vwf.submit_verification`` would file it now."""
    vwf.GUARDS["verify"].check(actor, report)
    ver, changes = vwf._verification_draft(
        actor,
        report.project,
        report,
        verified=verified,
        findings=(findings or "").strip(),
        change_opinions=change_opinions,
        conditions_hold=conditions_hold,
        conditions_reasons=(conditions_reasons or "").strip(),
        at=timezone.now(),
    )
    content = kernel_pdf.write_pdf(pdf.vrep_html(ver, changes=changes, preview=True))
    return inline_pdf(content, f"F-JI-VRep-{report.project.key}-{ver.number}-preview.pdf")
