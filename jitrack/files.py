"""Upload checks: PDF by content, size limit, SHA-256."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile, File

from .errors import Invalid

PDF_MAGIC = b"%PDF-"


def read_pdf_upload(uploaded, field: str = "file") -> tuple[bytes, str]:
    """Return (content, sha256) of an uploaded PDF, or raise Invalid with a readable reason."""
    if uploaded is None:
        raise Invalid("Choose a PDF file to upload.", code="file_missing", field=field)
    size = getattr(uploaded, "size", None)
    limit = settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise Invalid(
            f"The file is larger than the limit of {limit // (1024 * 1024)} MB.",
            code="file_too_large",
            field=field,
        )
    uploaded.seek(0) if hasattr(uploaded, "seek") else None
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise Invalid(
            f"The file is larger than the limit of {limit // (1024 * 1024)} MB.",
            code="file_too_large",
            field=field,
        )
    if not content:
        raise Invalid("The file is empty.", code="file_empty", field=field)
    # Checked by content, not by name: a PDF starts with %PDF- within its first 1024 bytes.
    if PDF_MAGIC not in content[:1024]:
        raise Invalid("The file is not a PDF.", code="not_a_pdf", field=field)
    return content, hashlib.sha256(content).hexdigest()


def as_django_file(content: bytes, name: str) -> File:
    return ContentFile(content, name=name)


def clean_filename(name: str | None, default: str = "document.pdf") -> str:
    base = (name or default).replace("\\", "/").rsplit("/", 1)[-1]
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in base).strip() or default
    return safe[:120]


def one_page_pdf(*lines: str) -> bytes:
    """A small valid one-page PDF showing ``lines`` (Latin-1; others become "?"): the stand-in
    document of the demo data and of a generated registry."""
    texts = []
    for line in lines:
        text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        texts.append(f"({text.encode('latin-1', 'replace').decode('latin-1')}) Tj")
    stream = "BT /F1 14 Tf 72 770 Td " + " 0 -24 Td ".join(texts) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
