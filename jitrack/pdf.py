"""The one PDF renderer: a Django template rendered to HTML in the official language (PDFs are
always English, ``jitrack.i18n``), then to PDF by WeasyPrint.

The two steps are apart so that an act can render the slow part (``write_pdf``, a second or
more) before it takes its row lock, and check under the lock that the HTML it rendered still
stands (``determinations.workflow.submit_determination``).
"""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from .i18n import in_official_language


@in_official_language
def render_html(template: str, context: dict, *, generated_at: datetime | None = None) -> str:
    return render_to_string(template, {**context, "generated_at": generated_at or timezone.now()})


def write_pdf(html: str) -> bytes:
    # WeasyPrint loads Pango and its fonts on import: only when a PDF is made.
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    return HTML(string=html).write_pdf()


def render_pdf(template: str, context: dict, *, generated_at: datetime | None = None) -> bytes:
    return write_pdf(render_html(template, context, generated_at=generated_at))
