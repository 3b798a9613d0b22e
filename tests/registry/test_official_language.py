"""The record is written in the official language whatever the language of the page that
caused it: generated PDFs and stored texts never follow a Russian visitor (issue 6)."""

import io

from django.utils import translation
from pypdf import PdfReader

from determinations import pdf
from determinations.models import current_determination as current
from determinations.workflow import compile_comment_summary
from projects import workflow as wf
from projects.models import Document
from tests.factories import pdf_upload


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_the_determination_report_pdf_is_english_under_russian(cycle):
    project = cycle.determination_submitted()
    det = current(project)
    with translation.override("ru"):
        text = pdf_text(pdf.render_drep(det))
        assert translation.get_language() == "ru"  # the caller's language is restored
    assert "Determination" in text
    assert "детерминац" not in text.lower()
    month = project.pdd_available_on.strftime("%b")
    assert month in text  # English month names in the dates


def test_the_comment_summary_is_stored_in_english(cycle):
    project = cycle.open()
    comment = wf.add_comment(
        project,
        name="Olena",
        affiliation="",
        category="party",
        email="o@example.org",
        text="Please check the baseline.",
    )
    with translation.override("ru"):
        summary = compile_comment_summary([comment])
    assert "1 comment(s) received (1 from a Party)." in summary
    assert "Olena (Party): Please check the baseline." in summary
    assert not any("\u0400" <= ch <= "\u04ff" for ch in summary)


def test_a_default_document_title_is_stored_in_english(cycle):
    project = cycle.draft()
    with translation.override("ru"):
        doc = wf.add_document(
            cycle.participant, project, kind="pdd", title="", uploaded=pdf_upload()
        )
    doc = Document.objects.get(pk=doc.pk)
    assert doc.title == "Project design document"
