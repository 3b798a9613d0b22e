"""Bring projects over from earlier records, with their history, and write them out again.

Two steps. ``parse`` is pure (no database, no ``now()``): CSV text -> ``ProjectRecord``s plus
a ``RowError`` for every bad cell. ``import_projects`` adds the checks that need the database
(existing references, organisation kinds) and, only if the whole file is good, writes it in one
transaction. A row whose reference exists with identical data changes nothing, so importing a
file twice, or importing an export, changes nothing.

Memory: a file (``manage.py import_projects``) is read twice, ``CHUNK`` rows at a time — once
to check every row, once to write — and never held whole; what the import keeps across chunks
is the rows' references (duplicates, the report) and the organisations' names.

From a row's dates ``derive`` computes the deadline instants by ji-rules §4
(``projects.deadlines``), the status as of now and the timeline events. Imported events are
history: they are written without notifications (nobody should be mailed about a 2009
publication), with ``actor_label`` ``IMPORT_LABEL``. The importer sets the initial status of a
historical record directly; every later move goes through ``projects.workflow``.

**[our reading]** Rules the file format makes us decide, kept here:

- A published project needs ``reference`` (four digits, or up to six past 9999), ``title``, ``host_party`` and at least
  one of ``pdd_available_on`` and ``determination_available_on``; every other empty cell is
  unknown (no Parties, participants, scopes or AIE; ``false``; 0 t). A historical record may
  know when its determination was published but not when its PDD was: the project is imported
  without the PDD's date, its comment period and their events (the timeline starts with the
  determination); what depends on the determination's date is derived as usual.
- Availability dates may be today or tomorrow at the latest (§4: the secretariat may set the next
  day); the other dates may not be in the future.
- The determination is made available after the comment period's last day (§3: it is filed only
  once the period has ended). A review is requested within the 45-day window. Without a review
  the determination is final on the window's last day (as ``determinations.workflow.deem_final``
  records it); after a review, on ``final_on``. A project is withdrawn before it is final.
- An event of a date-only record happens at 00:00 UTC on that date; an event the clock causes
  (comments closed, final without review) at the period's end instant.
- The file has no column for a rejection, so a rejected project exports as final after review.

Track 1 (JI guidelines, para 23; issue 16), the optional columns ``TRACK_COLUMNS``:

- ``track`` is ``1`` or ``2``; empty (or the column left out) is 2, so a Track 2 file reads as
  before. ``national_approval_reference`` and ``national_guidelines`` are the host Party's
  national approval and the guidelines it applied (each optional, Track 1 only: a Track 2 row
  leaves them empty).
- A Track 1 row's reference is the one the host assigned: the host's ISO code and digits
  (``projects.selectors.TRACK1_REFERENCE``), beginning with the row's ``host_party``. It needs no
  PDD nor determination date: the host approved and determined it under its national procedure,
  so it has no comment period, no 45-day window and no review (``pdd_available_on`` and
  ``review_requested_on`` stay empty). Its status is final unless ``withdrawn_on`` is given.
  The host's determination date is ``determination_available_on`` or ``final_on`` (both given:
  the same day), and the project is final on that day, as the focal point records it
  (``determinations.track1``, TRACK1_DETERMINATION). Its history is one ``track1_recorded``
  event at 00:00 UTC of that day — or at the import when the day is unknown — and a
  ``withdrawn`` event when it was withdrawn (not before the determination date).
- A Track 1 reference never moves the secretariat's publication counter (Track 2 references).
- The export writes the three Track columns when it lists a Track 1 project, so an export of
  Track 2 projects has the columns it always had and any export imports again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jitrack import pagecache
from jitrack.errors import Invalid
from jitrack.streaming import csv_text_read, csv_value
from jitrack.text import control_character
from projects import deadlines, search
from projects.models import Counter, Event, Organisation, Party, Project, SectoralScope
from projects.selectors import REFERENCE, TRACK1_REFERENCE
from projects.workflow import imported_project

S = Project.Status

COLUMNS = (
    "reference",
    "title",
    "host_party",
    "parties_involved",
    "participants",
    "aie",
    "sectoral_scopes",
    "small_scale",
    "poa",
    "expected_annual_reductions",
    "pdd_available_on",
    "determination_available_on",
    "review_requested_on",
    "final_on",
    "withdrawn_on",
)
# Optional: a file without them is a Track 2 file (see the module docstring).
TRACK_COLUMNS = ("track", "national_approval_reference", "national_guidelines")
ALL_COLUMNS = (*COLUMNS, *TRACK_COLUMNS)
REQUIRED = ("reference", "title", "host_party")
# A published project has at least one of these dates (see the module docstring).
PUBLISHED_ON = ("pdd_available_on", "determination_available_on")
IMPORT_LABEL = "Imported from earlier records"
MAX_TONNES = 10**12  # the same bound as projects.workflow._validate_project_data
# Rows checked, then written, at a time: one chunk's records, projects and events are what the
# import holds in memory.
CHUNK = 1000
SEPARATOR = ";"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODE = re.compile(r"[A-Z]{2}")
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class ImportRejected(Invalid):
    """The whole file is refused; ``errors`` lists every bad row. Nothing was written."""

    code = "import_rejected"

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors)
        super().__init__(report(self.errors))


@dataclass(frozen=True)
class ProjectRecord:
    line: int
    reference: str
    title: str
    host_party: str
    parties_involved: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    aie: str = ""
    sectoral_scopes: tuple[int, ...] = ()
    small_scale: bool = False
    poa: bool = False
    expected_annual_reductions: int = 0
    pdd_available_on: date | None = None
    determination_available_on: date | None = None
    review_requested_on: date | None = None
    final_on: date | None = None
    withdrawn_on: date | None = None
    track: str = Project.Track.TWO
    national_approval_reference: str = ""
    national_guidelines: str = ""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = _("created %(count)s, unchanged %(count2)s") % {
            "count": len(self.created),
            "count2": len(self.unchanged),
        }
        if self.organisations:
            text += f"; new historical organisations: {', '.join(self.organisations)}"
        return text


def report(errors: list[RowError]) -> str:
    head = f"The file was rejected and nothing was imported: {len(errors)} problem(s)."
    return "\n".join([head, *(str(e) for e in errors)])


# --- parse: pure -------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark is allowed) or ``ImportRejected`` naming the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ImportRejected([RowError(line, "", NOT_UTF8)]) from None


NOT_UTF8 = gettext_lazy("the file is not UTF-8 text (save it as CSV UTF-8)")


def _file_lines(f: BinaryIO) -> Iterator[str]:
    """The text lines of a file opened in binary, decoded as they are read; not UTF-8:
    ``ImportRejected`` naming the first bad line, as ``decode`` does."""
    f.seek(0)
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    try:
        yield from text
    except UnicodeDecodeError:
        f.seek(0)  # the bad byte's line: a UTF-8 sequence never spans a line break
        for number, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ImportRejected([RowError(number, "", NOT_UTF8)]) from None
        raise
    finally:
        text.detach()  # the caller's file stays open


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


class _Row:
    """Parses the cells of one row, collecting errors instead of stopping at the first."""

    def __init__(self, line: int, cells: dict[str, str]):
        self.line, self.cells = line, cells
        self.errors: list[RowError] = []

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    def text(self, column: str, max_length: int = 200) -> str:
        value = self.cells[column]
        if len(value) > max_length:
            self.error(
                column, _("longer than %(max_length)s characters") % {"max_length": max_length}
            )
        return value

    def boolean(self, column: str) -> bool:
        value = self.cells[column].lower()
        if value not in ("", "true", "false"):
            self.error(column, _("%(cells)r is not true or false") % {"cells": self.cells[column]})
        return value == "true"

    def day(self, column: str, latest: date) -> date | None:
        value = self.cells[column]
        if not value:
            return None
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(column, _("%(value)r is not a date YYYY-MM-DD") % {"value": value})
            return None
        if parsed > latest:
            self.error(column, _("%(value)s is in the future") % {"value": value})
        return parsed

    def codes(self, column: str, known: set[str]) -> list[str]:
        out = []
        for part in _split(self.cells[column]) if column != "host_party" else [self.cells[column]]:
            code = part.upper()
            if not _CODE.fullmatch(code):
                self.error(column, _("%(part)r is not an ISO 3166-1 alpha-2 code") % {"part": part})
            elif code not in known:
                self.error(column, _("unknown Party code %(code)s") % {"code": code})
            elif code not in out:
                out.append(code)
        return out


def _parse_row(line: int, cells: dict[str, str], now: datetime, known: set[str]):
    """-> (record or None, errors) for one row; every bad cell is reported."""
    today = now.astimezone(UTC).date()
    row = _Row(line, cells)
    # Every cell is one line of visible text; PostgreSQL cannot even compare a NUL (jitrack.text).
    for column, value in cells.items():
        if char := control_character(value):
            row.error(column, _("contains the control character %(char)s") % {"char": char})
    for column in REQUIRED:
        if not cells[column]:
            row.error(column, "required")
    reference = cells["reference"]
    track: str | None = cells.get("track", "") or Project.Track.TWO
    if track not in Project.Track.values:
        # what depends on the track (the reference, the dates) cannot be checked
        row.error("track", _("%(value)r is not a track: 1, 2 or empty (2)") % {"value": track})
        track = None
    if track is None:
        pass
    elif track == Project.Track.ONE:
        if reference and not (
            TRACK1_REFERENCE.fullmatch(reference)
            and reference.startswith(cells["host_party"].upper())
        ):
            row.error(
                "reference",
                _(
                    "%(reference)r is not a Track 1 reference: the host Party's code followed "
                    "by digits, e.g. %(code)s1000001"
                )
                % {"reference": reference, "code": cells["host_party"].upper() or "UA"},
            )
    elif reference and not (
        REFERENCE.fullmatch(reference)
        and 0 < int(reference)
        and reference == f"{int(reference):04d}"
    ):
        row.error(
            "reference",
            _("%(reference)r is not a reference of four to six digits (0001-999999)")
            % {"reference": reference},
        )
    title = row.text("title", 255)
    approval = guidelines = ""
    if "national_approval_reference" in cells:
        approval = row.text("national_approval_reference", 100)
    if "national_guidelines" in cells:
        guidelines = row.text("national_guidelines", 300)
    if track == Project.Track.TWO:
        for column in ("national_approval_reference", "national_guidelines"):
            if cells.get(column):
                row.error(column, _("only a Track 1 project has it; leave it empty"))
    host = row.codes("host_party", known) if cells["host_party"] else []
    involved = row.codes("parties_involved", known)
    if host and host[0] in involved:
        row.error(
            "parties_involved",
            _("lists the host Party %(host)s; list only the others") % {"host": host[0]},
        )
    participants: list[str] = []
    for name in _split(cells["participants"]):
        if len(name) > 200:
            row.error(
                "participants", _("%(name)s… is longer than 200 characters") % {"name": name[:40]}
            )
        elif name not in participants:
            participants.append(name)
    aie = row.text("aie")
    scopes: set[int] = set()
    for part in _split(cells["sectoral_scopes"]):
        if not (_WHOLE.fullmatch(part) and 1 <= int(part) <= 15):
            row.error(
                "sectoral_scopes",
                _("%(part)r is not a sectoral scope number 1-15") % {"part": part},
            )
        else:
            scopes.add(int(part))
    small_scale, poa = row.boolean("small_scale"), row.boolean("poa")
    tonnes = 0
    value = cells["expected_annual_reductions"]
    if value and not (_WHOLE.fullmatch(value) and int(value) <= MAX_TONNES):
        row.error(
            "expected_annual_reductions",
            _("%(value)r is not a whole, non-negative number of tonnes") % {"value": value},
        )
    elif value:
        tonnes = int(value)
    # §4: an availability date may be the day after publication; other dates are in the past.
    tomorrow = today + timedelta(days=1)
    before = len(row.errors)
    dates = {
        "pdd_available_on": row.day("pdd_available_on", tomorrow),
        "determination_available_on": row.day("determination_available_on", tomorrow),
        "review_requested_on": row.day("review_requested_on", today),
        "final_on": row.day("final_on", today),
        "withdrawn_on": row.day("withdrawn_on", today),
    }
    if track is None:
        pass
    elif track == Project.Track.ONE:
        if len(row.errors) == before:
            dates = _check_track1(row, **dates)
    elif not any(cells[c] for c in PUBLISHED_ON):
        row.error("pdd_available_on", _("required when determination_available_on is empty"))
    elif len(row.errors) == before:
        _check_order(row, now, **dates)
    if row.errors:
        return None, row.errors
    record = ProjectRecord(
        line=line,
        reference=reference,
        title=title,
        host_party=host[0],
        parties_involved=tuple(sorted(involved)),
        participants=tuple(sorted(participants)),
        aie=aie,
        sectoral_scopes=tuple(sorted(scopes)),
        small_scale=small_scale,
        poa=poa,
        expected_annual_reductions=tonnes,
        track=track,
        national_approval_reference=approval,
        national_guidelines=guidelines,
        **dates,
    )
    return record, []


def _check_track1(
    row: _Row,
    *,
    pdd_available_on: date | None,
    determination_available_on: date | None,
    review_requested_on: date | None,
    final_on: date | None,
    withdrawn_on: date | None,
) -> dict:
    """The dates of a Track 1 row (see the module docstring), with the determination date in
    both ``determination_available_on`` and ``final_on``."""
    for column, value in (
        ("pdd_available_on", pdd_available_on),
        ("review_requested_on", review_requested_on),
    ):
        if value is not None:
            row.error(
                column,
                _(
                    "a Track 1 project has no comment period and no review by the JISC; "
                    "leave it empty"
                ),
            )
    det, final = determination_available_on, final_on
    if det is not None and final is not None and det != final:
        row.error(
            "final_on",
            _("a Track 1 project is final on the day its host determined it, %(det)s")
            % {"det": det},
        )
    day = det or final
    if withdrawn_on is not None and day is not None and withdrawn_on < day:
        row.error(
            "withdrawn_on",
            _("%(withdrawn)s is before %(latest)s, an earlier step")
            % {"withdrawn": withdrawn_on, "latest": day},
        )
    return {
        "pdd_available_on": None,
        "determination_available_on": day,
        "review_requested_on": None,
        "final_on": day,
        "withdrawn_on": withdrawn_on,
    }


def _check_order(
    row: _Row,
    now: datetime,
    *,
    pdd_available_on: date | None,
    determination_available_on: date | None,
    review_requested_on: date | None,
    final_on: date | None,
    withdrawn_on: date | None,
) -> None:
    """The dates of one row in the order of the cycle (see the module docstring)."""
    pdd, det, review, final, withdrawn = (
        pdd_available_on,
        determination_available_on,
        review_requested_on,
        final_on,
        withdrawn_on,
    )
    comments_end = deadlines.comments_close_at(pdd) if pdd else None
    if det is not None and comments_end is not None:
        if det <= comments_end.date():
            row.error(
                "determination_available_on",
                _("%(det)s is not after the comment period, which ended %(comments_end)s GMT")
                % {"det": det, "comments_end": f"{comments_end:%Y-%m-%d %H:%M}"},
            )
        elif now <= comments_end:
            row.error("determination_available_on", _("the comment period has not ended yet"))
    window_end = deadlines.review_window_closes_at(det) if det else None
    if review is not None:
        if det is None:
            row.error("review_requested_on", _("a review needs determination_available_on"))
        elif not det <= review <= window_end.date():
            row.error(
                "review_requested_on",
                _("%(review)s is outside the 45-day window (%(det)s to %(window_end)s GMT)")
                % {"review": review, "det": det, "window_end": f"{window_end:%Y-%m-%d %H:%M}"},
            )
    if final is not None:
        if det is None:
            row.error("final_on", _("a final determination needs determination_available_on"))
        elif final < det:
            row.error(
                "final_on",
                _("%(final)s is before the determination was available (%(det)s)")
                % {"final": final, "det": det},
            )
        elif review is None and now <= window_end:
            row.error(
                "final_on",
                _("the 45-day window is open until %(window_end)s GMT")
                % {"window_end": f"{window_end:%Y-%m-%d %H:%M}"},
            )
        elif review is None and final != window_end.date():
            row.error(
                "final_on",
                _(
                    "without a review the determination is final on the window's last day, %(date)s, not %(final)s"
                )
                % {"date": window_end.date(), "final": final},
            )
        elif review is not None and final < review:
            row.error(
                "final_on",
                _("%(final)s is before the review was requested (%(review)s)")
                % {"final": final, "review": review},
            )
    if withdrawn is not None:
        latest = max(d for d in (pdd, det, review) if d is not None)
        if withdrawn < latest:
            row.error(
                "withdrawn_on",
                _("%(withdrawn)s is before %(latest)s, an earlier step")
                % {"withdrawn": withdrawn, "latest": latest},
            )
        elif final is not None:
            row.error(
                "withdrawn_on", _("a project cannot be withdrawn once its determination is final")
            )
        elif det is not None and review is None and withdrawn > window_end.date():
            row.error(
                "withdrawn_on",
                _("the determination was already final on %(date)s") % {"date": window_end.date()},
            )


def parse(text: str, *, now: datetime, party_codes: set[str]):
    """CSV text -> (records, errors). Pure: the known Party codes and ``now`` are given."""
    errors: list[RowError] = []
    rows = parse_rows(
        io.StringIO(text, newline=""), now=now, party_codes=party_codes, errors=errors
    )
    return list(rows), errors


def parse_rows(
    lines: Iterable[str], *, now: datetime, party_codes: set[str], errors: list[RowError]
) -> Iterator[ProjectRecord]:
    """``parse`` a row at a time: the valid records of the CSV ``lines`` in file order, the
    errors of the others added to ``errors``. Keeps the references seen, not the rows."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as err:
        errors.append(RowError(1, "", _("not a CSV file (%(err)s)") % {"err": err}))
        return
    if header is None or not any(h.strip() for h in header):
        errors.append(RowError(1, "", _("the file is empty; the first line must name the columns")))
        return
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in ALL_COLUMNS]
    repeated = sorted({n for n in names if names.count(n) > 1})
    problems = []
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(repr(n) for n in unknown)}")
    if repeated:
        problems.append(f"repeated columns: {', '.join(repeated)}")
    if problems:
        expected = ", ".join(COLUMNS)
        errors.append(
            RowError(
                1,
                "",
                _("wrong column set (%(join)s); expected: %(expected)s")
                % {"join": "; ".join(problems), "expected": expected},
            )
        )
        return
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as err:
            errors.append(RowError(line, "", _("not valid CSV (%(err)s)") % {"err": err}))
            break
        if cells is None:
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            errors.append(
                RowError(
                    line,
                    "",
                    _("has %(count)s cells; the header has %(count2)s")
                    % {"count": len(cells), "count2": len(names)},
                )
            )
            continue
        record, row_errors = _parse_row(
            line,
            {n: csv_text_read(c.strip()) for n, c in zip(names, cells, strict=True)},
            now,
            party_codes,
        )
        errors.extend(row_errors)
        reference = record.reference if record else cells[names.index("reference")].strip()
        if reference in seen:
            errors.append(
                RowError(
                    line,
                    "reference",
                    _("duplicate reference %(reference)s (line %(seen)s)")
                    % {"reference": reference, "seen": seen[reference]},
                )
            )
            continue
        if reference:
            seen[reference] = line
        if record:
            yield record


# --- derive: pure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    kind: str
    from_status: str
    to_status: str
    at: datetime
    data: dict


@dataclass(frozen=True)
class Derived:
    status: str
    comments_close_at: datetime | None
    review_window_closes_at: datetime | None
    final_on: date | None
    withdrawn_at: datetime | None
    steps: tuple[Step, ...]


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def derive(record: ProjectRecord, now: datetime) -> Derived:
    """Deadline instants, status as of ``now`` and the timeline of one valid record. Without
    the PDD's date the timeline starts with the determination's publication."""
    if record.track == Project.Track.ONE:
        return _derive_track1(record, now)
    pdd, det = record.pdd_available_on, record.determination_available_on
    comments_end = deadlines.comments_close_at(pdd) if pdd else None
    window_end = deadlines.review_window_closes_at(det) if det else None
    withdrawn_at = start_of(record.withdrawn_on) if record.withdrawn_on else None

    def before_withdrawal(at: datetime) -> bool:
        return withdrawn_at is None or at < withdrawn_at

    steps: list[Step] = []
    status = S.OPEN_FOR_COMMENTS

    def step(kind: str, to: str, at: datetime, **data) -> None:
        nonlocal status
        steps.append(Step(kind, status if steps else "", to, at, data))
        status = to

    if pdd is not None:
        step(
            "pdd_published",
            S.OPEN_FOR_COMMENTS,
            min(start_of(pdd), now),
            reference=record.reference,
            available_on=pdd.isoformat(),
            comments_close_at=comments_end.isoformat(),
        )
        if now > comments_end and before_withdrawal(comments_end):
            step("comments_closed", S.COMMENTS_CLOSED, comments_end)
    final_on = None
    if det is not None:
        step(
            "determination_published",
            S.DETERMINATION_PUBLISHED,
            min(start_of(det), now),
            available_on=det.isoformat(),
            review_window_closes_at=window_end.isoformat(),
        )
        if record.review_requested_on is not None:
            step(
                "review_started",
                S.UNDER_REVIEW,
                start_of(record.review_requested_on),
                requested_on=record.review_requested_on.isoformat(),
            )
            if record.final_on is not None:
                final_on = record.final_on
                step("determination_final", S.FINAL, start_of(final_on), final_on=str(final_on))
        elif now > window_end and before_withdrawal(window_end):
            final_on = window_end.date()
            step("determination_final", S.FINAL, window_end, final_on=str(final_on))
    if withdrawn_at is not None:
        step("withdrawn", S.WITHDRAWN, withdrawn_at)
    return Derived(status, comments_end, window_end, final_on, withdrawn_at, tuple(steps))


def _derive_track1(record: ProjectRecord, now: datetime) -> Derived:
    """A Track 1 record: final on the host's determination date (if known), one
    ``track1_recorded`` event, then ``withdrawn`` if it was (see the module docstring)."""
    day = record.final_on
    recorded_at = min(start_of(day), now) if day else now
    steps = [
        Step(
            "track1_recorded",
            "",
            S.FINAL,
            recorded_at,
            {
                "reference": record.reference,
                "national_approval_reference": record.national_approval_reference,
                "national_guidelines": record.national_guidelines,
                "determined_on": day.isoformat() if day else None,
            },
        )
    ]
    status = S.FINAL
    withdrawn_at = None
    if record.withdrawn_on is not None:
        withdrawn_at = max(start_of(record.withdrawn_on), recorded_at)
        steps.append(Step("withdrawn", S.FINAL, S.WITHDRAWN, withdrawn_at, {}))
        status = S.WITHDRAWN
    return Derived(status, None, None, day, withdrawn_at, tuple(steps))


# --- export ------------------------------------------------------------------------------------


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def record_row(record: ProjectRecord) -> dict[str, str]:
    return {
        "reference": record.reference,
        "title": record.title,
        "host_party": record.host_party,
        "parties_involved": SEPARATOR.join(record.parties_involved),
        "participants": SEPARATOR.join(record.participants),
        "aie": record.aie,
        "sectoral_scopes": SEPARATOR.join(str(n) for n in record.sectoral_scopes),
        "small_scale": "true" if record.small_scale else "false",
        "poa": "true" if record.poa else "false",
        "expected_annual_reductions": str(record.expected_annual_reductions),
        "pdd_available_on": _day(record.pdd_available_on),
        "determination_available_on": _day(record.determination_available_on),
        "review_requested_on": _day(record.review_requested_on),
        "final_on": _day(record.final_on),
        "withdrawn_on": _day(record.withdrawn_on),
        "track": record.track,
        "national_approval_reference": record.national_approval_reference,
        "national_guidelines": record.national_guidelines,
    }


def export_rows(projects=None) -> list[dict[str, str]]:
    """One row per project with a reference, in reference order (five queries in all)."""
    base = (Project.objects.all() if projects is None else projects).filter(reference__isnull=False)
    projects = list(
        base.select_related("host_party", "aie")
        .prefetch_related("parties_involved", "participants", "sectoral_scopes")
        .order_by("reference")
    )
    # The review of the current determination started last.
    reviews: dict[int, datetime] = dict(
        Event.objects.filter(project__in=base.values("pk"), kind="review_started")
        .order_by("created_at", "pk")
        .values_list("project_id", "created_at")
    )
    rows = []
    for p in projects:
        review = reviews.get(p.pk)
        rows.append(
            {
                "reference": p.reference,
                "title": p.title,
                "host_party": p.host_party.code,
                "parties_involved": SEPARATOR.join(
                    sorted(x.code for x in p.parties_involved.all())
                ),
                "participants": SEPARATOR.join(sorted(o.name for o in p.participants.all())),
                "aie": p.aie.name if p.aie else "",
                "sectoral_scopes": SEPARATOR.join(
                    str(n) for n in sorted(s.number for s in p.sectoral_scopes.all())
                ),
                "small_scale": "true" if p.small_scale else "false",
                "poa": "true" if p.poa else "false",
                "expected_annual_reductions": str(p.expected_annual_reductions),
                "pdd_available_on": _day(p.pdd_available_on),
                "determination_available_on": _day(p.determination_available_on),
                "review_requested_on": _day(review.astimezone(UTC).date() if review else None),
                "final_on": _day(p.final_on),
                "withdrawn_on": _day(
                    p.withdrawn_at.astimezone(UTC).date() if p.withdrawn_at else None
                ),
                "track": p.track,
                "national_approval_reference": p.national_approval_reference,
                "national_guidelines": p.national_guidelines,
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    """The rows in the import format; a cell a spreadsheet would run as a formula is written as
    ``jitrack.streaming`` writes it, which ``parse_rows`` reads back. The Track columns are
    written when a row is of Track 1 (see the module docstring)."""
    track1 = any(row.get("track") == Project.Track.ONE for row in rows)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(
        out,
        fieldnames=ALL_COLUMNS if track1 else COLUMNS,
        lineterminator="\n",
        extrasaction="ignore",
    )
    writer.writeheader()
    writer.writerows({k: csv_value(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _comparable(row: dict[str, str]) -> dict[str, str]:
    """Without a review, final_on follows from the determination date (and is empty until the
    window closes), so it carries no information of its own; a Track 1 project is final on its
    determination date. A file without the Track columns is of Track 2."""
    row = {**{"track": Project.Track.TWO}, **row}
    row = {c: row.get(c, "") or "" for c in ALL_COLUMNS} | {"track": row["track"] or "2"}
    if row["track"] == Project.Track.ONE:
        day = row["determination_available_on"] or row["final_on"]
        row.update(determination_available_on=day, final_on=day)
    elif not row["review_requested_on"]:
        row = {**row, "final_on": ""}
    return row


# --- import ------------------------------------------------------------------------------------


class _Checked:
    """The checks that need the database (reads only), a chunk of records at a time, and what
    the writing needs from them: the references to create, the organisations' names."""

    def __init__(self):
        self.created: list[str] = []
        self.unchanged: list[str] = []
        self.wanted: dict[str, tuple[str, int]] = {}  # name -> (kind, first line) for new names
        self.names: set[str] = set()
        self.scopes: set[int] = set()

    def chunk(self, records: list[ProjectRecord]) -> list[RowError]:
        errors: list[RowError] = []
        existing = {
            row["reference"]: row
            for row in export_rows(
                Project.objects.filter(reference__in=[r.reference for r in records])
            )
        }
        fresh = []
        for record in records:
            old = existing.get(record.reference)
            if old is None:
                fresh.append(record)
                continue
            self.unchanged.append(record.reference)
            new = _comparable(record_row(record))
            differ = [c for c in ALL_COLUMNS if _comparable(old)[c] != new[c]]
            if differ:
                errors.append(
                    RowError(
                        record.line,
                        "reference",
                        _("reference %(reference)s exists with different data (%(join)s)")
                        % {"reference": record.reference, "join": ", ".join(differ)},
                    )
                )
        names = _org_names(fresh)
        orgs = {o.name: o for o in Organisation.objects.filter(name__in=names)}
        P, A = Organisation.Kind.PARTICIPANT, Organisation.Kind.AIE
        for record in fresh:
            uses = [("participants", n, P) for n in record.participants]
            uses += [("aie", record.aie, A)] if record.aie else []
            for column, name, kind in uses:
                org = orgs.get(name)
                if org is not None and org.kind != kind:
                    errors.append(
                        RowError(
                            record.line,
                            column,
                            _("%(name)s is registered as %(kind)s, not as %(label)s")
                            % {
                                "name": name,
                                "kind": org.get_kind_display().lower(),
                                "label": Organisation.Kind(kind).label.lower(),
                            },
                        )
                    )
                elif org is None and self.wanted.setdefault(name, (kind, record.line))[0] != kind:
                    errors.append(
                        RowError(
                            record.line,
                            column,
                            _("%(name)s is also named as %(label)s on line %(wanted)s")
                            % {
                                "name": name,
                                "label": Organisation.Kind(self.wanted[name][0]).label.lower(),
                                "wanted": self.wanted[name][1],
                            },
                        )
                    )
        self.created += [r.reference for r in fresh]
        self.names |= names
        self.scopes |= {n for r in fresh for n in r.sectoral_scopes}
        return errors

    @property
    def new_organisations(self) -> dict[str, str]:
        return {n: k for n, (k, _) in self.wanted.items()}


def _lines(data: bytes | str | BinaryIO) -> Callable[[], Iterable[str]]:
    """How to read the file's text lines from its start, as often as needed."""
    if isinstance(data, bytes | str):
        text = decode(data) if isinstance(data, bytes) else data
        return lambda: io.StringIO(text, newline="")
    return lambda: _file_lines(data)


def _chunks(records: Iterable[ProjectRecord]) -> Iterator[list[ProjectRecord]]:
    records = iter(records)
    while chunk := list(islice(records, CHUNK)):
        yield chunk


def import_projects(data: bytes | str | BinaryIO, *, now: datetime | None = None) -> ImportReport:
    """Import a whole file or nothing: ``ImportRejected`` lists every bad row. ``data`` is the
    file's content, or the file itself opened in binary (read twice, never held whole)."""
    now = now or timezone.now()
    lines = _lines(data)
    parties = {p.code: p for p in Party.objects.all()}
    codes = set(parties)
    with transaction.atomic():
        # The publication counter's lock serialises imports with each other and with check_pdd.
        counter, _ = Counter.objects.select_for_update().get_or_create(name="project_reference")
        errors: list[RowError] = []
        checked = _Checked()
        for chunk in _chunks(parse_rows(lines(), now=now, party_codes=codes, errors=errors)):
            errors += checked.chunk(chunk)
        if errors:
            raise ImportRejected(errors)
        new_orgs = checked.new_organisations
        result = ImportReport(
            created=checked.created,
            unchanged=checked.unchanged,
            organisations=sorted(new_orgs),
        )
        if not checked.created:
            return result
        for name, kind in sorted(new_orgs.items()):
            Organisation.objects.create(name=name, kind=kind, historical=True)
        orgs = {o.name: o for o in Organisation.objects.filter(name__in=checked.names)}
        scopes = _scopes(checked.scopes)
        fresh = set(checked.created)
        again = parse_rows(lines(), now=now, party_codes=codes, errors=[])
        for chunk in _chunks(r for r in again if r.reference in fresh):
            _create(chunk, now, parties, orgs, scopes)
        # Track 1 references are the hosts' (TRACK1_REFERENCE): they never move the counter.
        highest = max((int(r) for r in checked.created if r.isdigit()), default=0)
        if counter.value < highest:
            counter.value = highest
            counter.save(update_fields=["value"])
        pagecache.invalidate()  # bulk writes send no signals
    return result


def _org_names(records: list[ProjectRecord]) -> set[str]:
    return {n for r in records for n in r.participants} | {r.aie for r in records if r.aie}


def _scopes(numbers: set[int]) -> dict[int, SectoralScope]:
    """The fixed list of ji-rules §1; a missing row is reference data, so it is added."""
    for n in numbers:
        SectoralScope.objects.get_or_create(number=n, defaults={"name": SectoralScope.NAMES[n - 1]})
    return {s.number: s for s in SectoralScope.objects.filter(number__in=numbers)}


def _create(records: list[ProjectRecord], now, parties, orgs, scopes) -> None:
    """Write one chunk of records: their projects, many-to-many rows and events, each kind in
    one INSERT (no signals: ``import_projects`` tells the page cache itself)."""
    derived = [derive(record, now) for record in records]
    projects = Project.objects.bulk_create(
        [
            imported_project(
                reference=record.reference,
                title=record.title,
                # the searched names, which bulk rows do not signal (``projects.search``)
                participants_text=search.participants_text(record.participants),
                host_party=parties[record.host_party],
                small_scale=record.small_scale,
                poa=record.poa,
                expected_annual_reductions=record.expected_annual_reductions,
                aie=orgs[record.aie] if record.aie else None,
                status=d.status,
                pdd_available_on=record.pdd_available_on,
                comments_close_at=d.comments_close_at,
                determination_available_on=record.determination_available_on,
                review_window_closes_at=d.review_window_closes_at,
                final_on=d.final_on,
                withdrawn_at=d.withdrawn_at,
                track=record.track,
                national_approval_reference=record.national_approval_reference,
                national_guidelines=record.national_guidelines,
                # Listings sort by creation: an imported project sorts by its publication.
                created_at=d.steps[0].at,
            )
            for record, d in zip(records, derived, strict=True)
        ]
    )
    _link(
        Project.parties_involved,
        projects,
        [[parties[c] for c in r.parties_involved] for r in records],
    )
    _link(Project.participants, projects, [[orgs[n] for n in r.participants] for r in records])
    _link(
        Project.sectoral_scopes, projects, [[scopes[n] for n in r.sectoral_scopes] for r in records]
    )
    Event.objects.bulk_create(
        Event(
            project=project,
            kind=s.kind,
            from_status=s.from_status,
            to_status=s.to_status,
            actor=None,
            actor_label=IMPORT_LABEL,
            data={**s.data, "imported": True},
            public=True,
            created_at=s.at,
        )
        for project, d in zip(projects, derived, strict=True)
        for s in d.steps
    )


def _link(relation, projects: list[Project], targets: list[list]) -> None:
    """The rows of a many-to-many ``relation`` (``Project.participants`` …) of new projects."""
    through = relation.through
    source, target = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
    through.objects.bulk_create(
        through(**{source: project, target: value})
        for project, values in zip(projects, targets, strict=True)
        for value in values
    )
