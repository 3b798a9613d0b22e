"""The one PDF renderer: a Django template rendered to HTML in the official language (PDFs are
always English, ``jitrack.i18n``), then to PDF by WeasyPrint.

The two steps are apart so that an act can render the slow part (``write_pdf``, a second or
more) before it takes its row lock, and check under the lock that the HTML it rendered still
stands (``determinations.workflow.submit_determination``).

A report an act files is stored once, as a document (F-JI-DRep, F-JI-VRep). A form made on
request from its stored data (invoices, credit notes, the JISC's forms) is ``stored_pdf``: made
once for each state of its data, kept in storage and served from there afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict
from .i18n import in_official_language

Draft = TypeVar("Draft")
Result = TypeVar("Result")
# How often an act renders its report again when what it shows changed while it rendered.
RENDER_ATTEMPTS = 3


@in_official_language
def render_html(template: str, context: dict, *, generated_at: datetime | None = None) -> str:
    return render_to_string(template, {**context, "generated_at": generated_at or timezone.now()})


def write_pdf(html: str) -> bytes:
    # WeasyPrint loads Pango and its fonts on import: only when a PDF is made.
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    return HTML(string=html).write_pdf()


# Two renderings of the same data differ only in their "generated on" instant: a form's digest
# is taken with this one in its place.
DIGEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
STORED = "generated"


def stored_pdf(name: str, template: str, context: dict) -> bytes:
    """The PDF of ``template`` with ``context``, made by WeasyPrint only the first time this
    content is asked for. The HTML is rendered each time (milliseconds, from the stored data);
    its digest names the file, ``generated/<name>-<digest>.pdf`` in the default storage, which
    is served as stored — with the instant it was first generated — once it is there. A form
    whose data changed (an invoice paid, a review decided, a day that made it overdue) has
    another digest, and is made again, once."""
    html = render_html(template, context, generated_at=DIGEST_INSTANT)
    path = f"{STORED}/{name}-{hashlib.sha256(html.encode()).hexdigest()[:32]}.pdf"
    try:
        with default_storage.open(path, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        pass
    content = write_pdf(render_html(template, context))
    saved = default_storage.save(path, ContentFile(content))
    if saved != path:  # made at the same moment for another request: the first one stays
        default_storage.delete(saved)
    return content


def filed_with_report(
    prepare: Callable[[datetime, bool], tuple[Draft, str]],
    commit: Callable[[Draft, bytes], Result],
) -> Result:
    """An act that files a generated report, holding no row lock while WeasyPrint works.

    ``prepare(at, locked)`` checks the act and returns its unsaved draft and the report's HTML,
    as generated at ``at``; with ``locked`` it runs inside the act's transaction and takes the
    act's row locks first. The PDF is made from an unlocked preparation; under the locks the act
    prepares again and ``commit(draft, pdf)`` saves it only if the HTML is the same, else the
    report is made again (at most ``RENDER_ATTEMPTS`` times)."""
    for _attempt in range(RENDER_ATTEMPTS):
        at = timezone.now()
        _draft, html = prepare(at, False)
        content = write_pdf(html)
        with transaction.atomic():
            draft, now_html = prepare(at, True)
            if now_html == html:
                return commit(draft, content)
    raise Conflict(
        _("The record kept changing while its report was prepared; file it again."),
        code="changed_meanwhile",
    )
