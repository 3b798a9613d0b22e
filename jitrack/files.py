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
