"""The invoice a filing would issue, previewed before it is filed (issue 15): the determination
fee (advance) that falls due when F-JI-DRep is submitted, computed by the same calculator from
the project's expected reductions and rendered with the invoice's own template, marked
"preview". Nothing is written: no assessment, no invoice, no number taken from the counter, no
stored PDF."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from jitrack import pdf
from projects.models import Project

from . import calculator, selectors, services
from .models import FeeAssessment, FeeKind, Invoice

PREVIEW_NUMBER = "PREVIEW"


def determination_invoice_pdf(project: Project) -> bytes | None:
    """The PDF of the determination-fee invoice filing F-JI-DRep now would issue, or None when
    no advance would be due (below 15,000 t a year, small-scale: ji-rules §5)."""
    expected = services.expected_average(project)
    result = calculator.determination_fee(
        expected, small_scale=project.small_scale, poa=project.poa
    )
    if result.amount_usd <= 0:
        return None
    assessment = FeeAssessment(
        project=project,
        kind=FeeKind.DETERMINATION,
        number=1,
        schedule=result.schedule,
        inputs=services.expected_inputs(expected),
        lines=[line.as_dict() for line in result.lines],
        amount_usd=result.amount_usd,
        # unsaved, for the page only, and without a status: ``fees.services`` writes statuses
    )
    org = services.focal_point(project)
    today = timezone.localdate()
    invoice = Invoice(
        number=PREVIEW_NUMBER,
        assessment=assessment,
        project=project,
        kind=FeeKind.DETERMINATION,
        addressee_name=org.name if org else project.title,
        addressee_email=org.email if org else "",
        addressee_country=str(org.country) if org and org.country_id else "",
        lines=[dict(line, label=services._line_label(line)) for line in assessment.lines],
        amount_usd=result.amount_usd,
        issued_on=today,
        due_on=today + timedelta(days=settings.INVOICE_DUE_DAYS),
    )
    html = pdf.render_html(
        "fees/invoice_pdf.html",
        {
            "invoice": invoice,
            "project": project,
            "assessment": assessment,
            "schedule": calculator.SCHEDULES.get(result.schedule),
            "payments": [],
            "credit_notes": [],
            "issuer": selectors.issuer(),
            "preview": True,
        },
    )
    return pdf.write_pdf(html)
