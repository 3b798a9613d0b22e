"""Invoices and credit notes rendered to PDF with WeasyPrint from their stored snapshot, so a
document reads the same whenever it is downloaded; only the status stamp follows the record.
Each state of a document is made once and then served from storage (``jitrack.pdf.stored_pdf``).
"""

from jitrack import pdf

from . import calculator, selectors


def _render(name: str, template: str, context: dict) -> bytes:
    return pdf.stored_pdf(name, template, {**context, "issuer": selectors.issuer()})


def render_invoice(invoice) -> bytes:
    schedule = calculator.SCHEDULES.get(invoice.assessment.schedule)
    return _render(
        f"invoices/{invoice.number}",
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
        f"credit-notes/{note.number}",
        "fees/credit_note_pdf.html",
        {"note": note, "invoice": note.invoice, "project": note.invoice.project},
    )
