"""The suite's ``fast_pdfs`` fixture (``tests/conftest.py``): in place of WeasyPrint, a tiny valid
PDF that holds the page's text, reaching the reports the workflow files."""

import io

import pytest
from pypdf import PdfReader

from jitrack import pdf

pytestmark = pytest.mark.usefixtures("fast_pdfs")

PAGE = """<html><head><style>p { color: red }</style></head>
<body><h1>Determination report F-JI-DRep (1)</h1>
<p>Revised &amp; answered.</p></body></html>"""


def test_a_fast_pdf_is_a_valid_pdf_that_holds_the_text_of_the_page():
    content = pdf.write_pdf(PAGE)
    reader = PdfReader(io.BytesIO(content), strict=True)
    assert len(reader.pages) == 1
    text = b"Determination report F-JI-DRep (1) Revised & answered."
    assert reader.attachments["text.txt"] == [text]
    assert text in content
    assert b"color" not in content


@pytest.mark.django_db
def test_the_workflow_files_fast_reports(cycle):
    project = cycle.determination_submitted()
    report = project.determinations.get().report
    with report.file.open("rb") as fh:
        content = fh.read()
    assert content.startswith(b"%PDF-")
    assert b"F-JI-DRep" in content and project.title.encode() in content
    assert "text.txt" in PdfReader(io.BytesIO(content)).attachments  # not WeasyPrint's
