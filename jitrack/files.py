"""Upload checks: PDF by content (parsed, no active content), size limit, SHA-256."""

import hashlib
import io
import logging
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from .errors import Invalid

PDF_MAGIC = b"%PDF-"
# What a PDF could run, launch, send or carry besides its pages: refused in every upload, since
# the record publishes what it receives. A name found as a key (``/JS``, ``/EmbeddedFiles``)
# or as an action's type (``/S /Launch``) anywhere reachable from the trailer.
ACTIVE = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
    }
)
# Objects read at most in one upload: a file built to make the walk endless is refused.
MAX_OBJECTS = 500_000
NAME_LIMIT = 120
logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged upload is refused, not logged


def read_pdf_upload(uploaded, field: str = "file") -> tuple[bytes, str]:
    """Return (content, sha256) of an uploaded PDF, or raise Invalid with a readable reason."""
    if uploaded is None:
        raise Invalid(_("Choose a PDF file to upload."), code="file_missing", field=field)
    size = getattr(uploaded, "size", None)
    limit = settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise Invalid(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
            field=field,
        )
    uploaded.seek(0) if hasattr(uploaded, "seek") else None
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise Invalid(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
            field=field,
        )
    if not content:
        raise Invalid(_("The file is empty."), code="file_empty", field=field)
    # Checked by content, not by name: a PDF starts with %PDF- within its first 1024 bytes, and
    # pypdf reads its structure from the trailer on.
    if PDF_MAGIC not in content[:1024]:
        raise Invalid(_("The file is not a PDF."), code="not_a_pdf", field=field)
    try:
        active = active_content(content)
    except Exception:  # noqa: BLE001 - whatever pypdf cannot read is not a PDF we accept
        raise Invalid(_("The file is not a readable PDF."), code="not_a_pdf", field=field) from None
    if active:
        raise Invalid(
            _(
                "The PDF holds active content (%(what)s): JavaScript, launch actions, embedded "
                "files and forms that send data are not accepted. Save or print it to a new PDF "
                "without them."
            )
            % {"what": active.lstrip("/")},
            code="pdf_active_content",
            field=field,
        )
    return content, hashlib.sha256(content).hexdigest()


def active_content(content: bytes) -> str | None:
    """The first name of ``ACTIVE`` the PDF holds, or None; raises whatever pypdf raises on a
    file it cannot read (or ValueError past ``MAX_OBJECTS``)."""
    reader = PdfReader(io.BytesIO(content), strict=False)
    stack: list = [reader.trailer["/Root"], reader.trailer]
    seen: set[tuple[int, int]] = set()
    read = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        read += 1
        if read > MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(obj, DictionaryObject):  # streams too: their dictionaries, not their data
            for key, value in obj.items():
                if key in ACTIVE:
                    return str(key)
                if key == "/S" and value in ACTIVE:
                    return str(value)
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def as_django_file(content: bytes, name: str) -> File:
    return ContentFile(content, name=name)


def clean_filename(name: str | None, default: str = "document.pdf") -> str:
    """The name a file is stored and served under: its last path part, without control and
    format characters (bidi overrides that would show "fdp.exe" as "exe.pdf"), other symbols
    made "_", at most ``NAME_LIMIT`` characters with its extension kept."""
    base = (name or default).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf"))
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in base).strip() or default
    if len(safe) > NAME_LIMIT:
        stem, dot, extension = safe.rpartition(".")
        if dot and stem and len(extension) <= 5:
            return stem[: NAME_LIMIT - len(extension) - 1].rstrip() + "." + extension
        return safe[:NAME_LIMIT]
    return safe


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
    return pdf_of(objects)


def pdf_of(objects: list[str], version: str = "1.4") -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalog) with its cross-reference
    table and trailer."""
    out = bytearray(f"%PDF-{version}\n".encode())
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
