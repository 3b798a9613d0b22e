"""``/dev/mail/``: the e-mails the site has sent, read back from the files Django's file-based
backend writes (``EMAIL_FILE_PATH``; ``./scripts/run`` sets it to ``var/mail``), newest first,
each with its date, recipients, subject and body. A development page: it answers 404 unless
``DEBUG`` is on, whatever the method and whoever asks.

The backend appends each message of a connection to one file (``YYYYMMDD-HHMMSS-<id>.log``),
the message as sent (RFC 5322) followed by a line of 79 dashes.
"""

import datetime as dt
import email
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = re.compile(rb"\r?\n-{79}\r?\n")
LIMIT = 200  # the newest messages listed; older files stay on disk


@dataclass(frozen=True)
class Mail:
    file: str
    date: dt.datetime
    sender: str
    to: str
    subject: str
    body: str
    attachments: tuple[str, ...]


def _header(message: EmailMessage, name: str) -> str:
    """A header as one line (a long one is folded when written)."""
    return " ".join(str(message.get(name, "")).split())


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        return part.get_payload(decode=True).decode("utf-8", "replace")


def _date(message: EmailMessage, fallback: dt.datetime) -> dt.datetime:
    try:
        date = parsedate_to_datetime(message["Date"])
    except (TypeError, ValueError):
        return fallback
    return date if date.tzinfo else date.replace(tzinfo=dt.UTC)


def parse(path: Path) -> list[Mail]:
    """The messages of one file, in the order they were written."""
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    mails = []
    for chunk in SEPARATOR.split(path.read_bytes()):
        if not chunk.strip():
            continue
        message = email.message_from_bytes(chunk, policy=policy.default)
        mails.append(
            Mail(
                file=path.name,
                date=_date(message, modified),
                sender=_header(message, "From"),
                to=", ".join(_header(message, h) for h in ("To", "Cc") if message.get(h)),
                subject=_header(message, "Subject"),
                body=_body(message),
                attachments=tuple(
                    part.get_filename() or part.get_content_type()
                    for part in message.iter_attachments()
                ),
            )
        )
    return mails


def read_mail(folder: Path, limit: int = LIMIT) -> tuple[list[Mail], bool]:
    """The newest ``limit`` messages under ``folder``, newest first, and whether older ones were
    left out. The files' names start with their time, so the newest files are read first."""
    files = sorted(folder.glob("*.log"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    mails: list[Mail] = []
    for path in files:
        mails.extend(reversed(parse(path)))
        if len(mails) > limit:
            break
    mails.sort(key=lambda m: m.date, reverse=True)
    return mails[:limit], len(mails) > limit


def mail_list(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("development only")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    folder = Path(settings.EMAIL_FILE_PATH) if settings.EMAIL_FILE_PATH else None
    writes_files = settings.EMAIL_BACKEND == FILE_BACKEND and folder is not None
    mails, more = read_mail(folder, LIMIT) if writes_files and folder.is_dir() else ([], False)
    return render(
        request,
        "devmail.html",
        {
            "mails": mails,
            "more": more,
            "limit": LIMIT,
            "folder": folder,
            "writes_files": writes_files,
            "backend": settings.EMAIL_BACKEND,
        },
    )
