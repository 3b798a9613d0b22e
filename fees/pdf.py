"""Invoices and credit notes rendered to PDF with WeasyPrint from their stored snapshot, so a
document reads the same whenever it is downloaded; only the status stamp follows the record."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from jitrack.i18n import in_official_language

from . import calculator


@in_official_language
def _render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template, {**context, "issuer": settings.FEE_ISSUER, "generated_at": timezone.now()}
    )
    return HTML(string=html).write_pdf()


def render_invoice(invoice) -> bytes:
    schedule = calculator.SCHEDULES.get(invoice.assessment.schedule)
    return _render(
        "fees/invoice_pdf.html",
        {
            "invoice": invoice,
            "project": invoice.project,
            "assessment": invoice.assessment,
            "schedule": schedule,
            "payments": list(invoice.payments.all()),
            "credit_notes": list(invoice.credit_notes.all()),
        },
    )


def render_credit_note(note) -> bytes:
    return _render(
        "fees/credit_note_pdf.html",
        {"note": note, "invoice": note.invoice, "project": note.invoice.project},
    )
