"""Every upload is parsed as a PDF and refused if it holds active content (``jitrack.files``);
stored names lose control and bidi characters and keep their extension."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jitrack.errors import Invalid
from jitrack.files import clean_filename, one_page_pdf, pdf_of, read_pdf_upload


def pdf_with(*extra: str, catalog: str = "") -> bytes:
    """A one-page PDF whose catalog holds ``catalog`` and which has the ``extra`` objects
    (numbered from 6)."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
        "<< >>",
        *extra,
    ]
    return pdf_of(objects, version="1.7")


def upload(content: bytes, name: str = "file.pdf"):
    return read_pdf_upload(SimpleUploadedFile(name, content), field="file")


def refusal(content: bytes) -> tuple[str, str]:
    with pytest.raises(Invalid) as err:
        upload(content)
    return err.value.code, err.value.detail


def test_a_plain_pdf_is_accepted():
    content, digest = upload(one_page_pdf("A PDD"))
    assert len(digest) == 64 and content.startswith(b"%PDF-")
    assert upload(pdf_with(catalog="/Outlines 5 0 R"))[0]


@pytest.mark.parametrize(
    "content",
    [
        b"\x7fELF\x02\x01\x01%PDF-1.4 an executable that names the magic early",
        b"<html><body>%PDF-1.4</body></html>",
        b"%PDF-1.4\nnot a structure at all",
        b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    ],
    ids=["elf", "html", "garbage", "no-xref-no-pages"],
)
def test_what_is_not_a_readable_pdf_is_refused(content):
    code, _detail = refusal(content)
    assert code == "not_a_pdf"


@pytest.mark.parametrize(
    ("catalog", "extra", "found"),
    [
        ("/OpenAction 6 0 R", ["<< /S /JavaScript /JS (app.alert(1)) >>"], "JavaScript"),
        ("/OpenAction 6 0 R", ["<< /S /Launch /F (calc.exe) >>"], "Launch"),
        ("/Names << /EmbeddedFiles 6 0 R >>", ["<< /Names [] >>"], "EmbeddedFiles"),
        ("/Names << /JavaScript 6 0 R >>", ["<< /Names [] >>"], "JavaScript"),
        ("/AcroForm << /XFA 6 0 R >>", ["<< /Length 0 >>\nstream\n\nendstream"], "XFA"),
        ("/OpenAction 6 0 R", ["<< /S /SubmitForm /F (https://x.example) >>"], "SubmitForm"),
        # an escaped name is the same name: /J#61vaScript is /JavaScript
        ("/OpenAction 6 0 R", ["<< /S /J#61vaScript /JS (1) >>"], "JavaScript"),
    ],
    ids=["js-open-action", "launch", "embedded-file", "js-names", "xfa", "submit", "escaped"],
)
def test_active_content_is_refused_wherever_it_hides(catalog, extra, found):
    code, detail = refusal(pdf_with(*extra, catalog=catalog))
    assert code == "pdf_active_content"
    assert f"({found})" in detail


def test_active_content_on_a_page_annotation_is_refused():
    page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [7 0 R] >>"
    annotation = "<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /JavaScript /JS (1) >> >>"
    code, _ = refusal(pdf_with(page, annotation, catalog="/Pages 2 0 R /Extra 6 0 R"))
    assert code == "pdf_active_content"


def test_names_lose_control_and_bidi_characters_and_keep_their_extension():
    assert clean_filename("report\u202efdp.exe") == "reportfdp.exe"
    assert clean_filename("a\x00b\x1fc.pdf") == "abc.pdf"
    assert clean_filename("..\\..\\etc/passwd") == "passwd"
    long = clean_filename("x" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")
    assert clean_filename("Отчёт о мониторинге.pdf") == "Отчёт о мониторинге.pdf"
    assert clean_filename("\u200f\u202e") == "document.pdf"
