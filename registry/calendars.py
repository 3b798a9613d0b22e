"""iCalendar feeds of the statutory windows (issue 6), for one project and for the registry:

* comment period — PDD available (day 1, from 00:00 GMT) until ``comments_close_at`` (para 32);
* review-request window — determination report available until its ``review_window_closes_at``
  (45 days, para 35);
* verification window — verification report available until its ``review_window_closes_at``
  (15 days, para 39).

Each window is one VEVENT from 00:00 GMT on the availability date (the day a document becomes
available is day 1, ji-rules §4) to the end instant, both in UTC. Past windows stay in the
calendar of a project so subscribers keep its history; the registry's calendar carries the windows
open now and those closed in the last ``RECENT`` days (a subscriber's calendar keeps what it saw
before), so it stays the size of what is going on, not of twenty years of record. A window cut
short by a withdrawal is CANCELLED.
UIDs are built from the project reference, the kind of window and the report number, so they
never change between downloads. Three queries whatever the number of projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar

from determinations.models import Determination, Verification
from jitrack.errors import NotFound
from projects.models import Project
from projects.selectors import parse_key, public_projects

PRODID = "-//JI Track 2//jitrack registry//EN"
REFRESH = timedelta(hours=6)  # how often subscribers should fetch again
RECENT = timedelta(days=30)  # closed windows the registry's calendar still carries


@dataclass(frozen=True)
class Window:
    kind: str  # comments, determination, verification
    number: int | None
    reference: str
    title: str
    opens_on: date
    closes_at: datetime
    cancelled: bool

    @property
    def uid(self) -> str:
        host = urlsplit(settings.SITE_URL).hostname or "jitrack"
        number = f"-{self.number}" if self.number is not None else ""
        return f"{self.kind}-{self.reference}{number}@{host}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.opens_on, time(0, 0), tzinfo=UTC)

    @property
    def summary(self) -> str:
        what = {
            "comments": "Comment period on the PDD",
            "determination": "Review requests on the determination",
            "verification": f"Review requests on verification {self.number}",
        }[self.kind]
        return f"{what} — JI {self.reference} {self.title}"

    @property
    def description(self) -> str:
        end = self.closes_at.astimezone(UTC).strftime("%-d %b %Y %H:%M GMT")
        text = {
            "comments": "Parties, stakeholders and accredited observers may comment on the PDD "
            f"until {end} (para 32, 30 days).",
            "determination": "A Party involved or three JISC members may request a review of "
            f"the determination until {end} (para 35, 45 days); without a request it is "
            "final at the end of the period.",
            "verification": "A Party involved or three JISC members may request a review of "
            f"the verification until {end} (para 39, 15 days); without a request it is "
            "final at the end of the period.",
        }[self.kind]
        if self.cancelled:
            text += " The project was withdrawn before the period ended."
        return text


def _cut_short(withdrawn_at: datetime | None, closes_at: datetime) -> bool:
    return withdrawn_at is not None and withdrawn_at < closes_at


def windows(projects: QuerySet[Project], *, closing_after: datetime | None = None) -> list[Window]:
    """Every window of the given (public) projects, by opening date, or only those closing
    after ``closing_after``: three queries."""
    ids = projects.values("pk")
    comments, reports = Q(), Q()
    if closing_after is not None:
        comments = Q(comments_close_at__gt=closing_after)
        reports = Q(review_window_closes_at__gt=closing_after)
    out = [
        Window(
            "comments",
            None,
            p["reference"],
            p["title"],
            p["pdd_available_on"],
            p["comments_close_at"],
            _cut_short(p["withdrawn_at"], p["comments_close_at"]),
        )
        for p in projects.filter(
            comments, pdd_available_on__isnull=False, comments_close_at__isnull=False
        ).values("reference", "title", "pdd_available_on", "comments_close_at", "withdrawn_at")
    ]
    for model, kind in ((Determination, "determination"), (Verification, "verification")):
        rows = model.objects.filter(
            reports,
            project__in=ids,
            available_on__isnull=False,
            review_window_closes_at__isnull=False,
        ).values(
            "number",
            "available_on",
            "review_window_closes_at",
            "status",
            reference=F("project__reference"),
            title=F("project__title"),
            withdrawn_at=F("project__withdrawn_at"),
        )
        out.extend(
            Window(
                kind,
                r["number"],
                r["reference"],
                r["title"],
                r["available_on"],
                r["review_window_closes_at"],
                _cut_short(r["withdrawn_at"], r["review_window_closes_at"]),
            )
            for r in rows
        )
    order = {"comments": 0, "determination": 1, "verification": 2}
    out.sort(key=lambda w: (w.opens_on, w.reference, order[w.kind], w.number or 0))
    return out


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _line(name: str, value: str) -> bytes:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    raw = f"{name}:{value}".encode()
    parts, width = [], 75
    while len(raw) > width:
        cut = width
        while raw[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(raw[:cut])
        raw, width = raw[cut:], 74  # a folded line starts with a space
    parts.append(raw)
    return b"\r\n ".join(parts) + b"\r\n"


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_bytes(request: HttpRequest, name: str, items: list[Window]) -> bytes:
    """The calendar's head from ``icalendar``; its events written directly, line by line — the
    registry's calendar carries thousands, which the library's objects take seconds to write
    (tests/registry/test_calendars.py reads them back with the library)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "UTC")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    stamp = _utc(timezone.now().replace(microsecond=0))
    base = request.build_absolute_uri("/").rstrip("/")
    out = [head[: -len(end)]]
    for w in items:
        out += (
            b"BEGIN:VEVENT\r\n",
            _line("UID", _text(w.uid)),
            _line("DTSTAMP", stamp),
            _line("DTSTART", _utc(w.starts_at)),
            _line("DTEND", _utc(w.closes_at)),
            _line("SUMMARY", _text(w.summary)),
            _line("DESCRIPTION", _text(w.description)),
            _line("URL", base + reverse("project_detail", args=[w.reference])),
            _line("STATUS", "CANCELLED" if w.cancelled else "CONFIRMED"),
            b"TRANSP:TRANSPARENT\r\n",
            _line("CATEGORIES", _text(w.kind)),
            b"END:VEVENT\r\n",
        )
    out.append(end)
    return b"".join(out)


def _response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def registry_calendar(request: HttpRequest) -> HttpResponse:
    items = windows(public_projects(), closing_after=timezone.now() - RECENT)
    return _response(
        calendar_bytes(request, "JI Track 2: comment and review windows", items),
        "jitrack.ics",
    )


@require_safe
def project_calendar(request: HttpRequest, key: str) -> HttpResponse:
    try:
        projects = public_projects().filter(parse_key(key))
    except NotFound:
        raise Http404(f"No published project {key!r}.") from None
    project = projects.values("reference").first()
    if project is None:
        raise Http404(f"No published project {key!r}.")
    reference = project["reference"]
    items = windows(public_projects().filter(reference=reference))
    return _response(
        calendar_bytes(request, f"JI {reference}: comment and review windows", items),
        f"jitrack-{reference}.ics",
    )
