"""Statistics of the public registry (issue 6), computed from the database and its event log on
every request — nothing is typed in.

Definitions (each table's fields are in the data dictionary, ``opendata.dictionary``):

* Projects are the published ones (``public_projects``), counted by status and by host Party.
* Time to final determination: from the project's ``pdd_published`` event to the event that made
  the determination final — ``determination_final`` (para 35, no review) or ``review_decided``
  moving the project to ``final`` (a confirmed review, or corrections confirmed). Counted in
  whole calendar days between the UTC dates of the two events. Grouped by the calendar year of
  the final event and by the project's AIE. Spread: minimum, quartiles and maximum, quartiles by
  linear interpolation between the ordered values (inclusive method: Excel ``QUARTILE.INC``).
* Review requests: of the published determinations (F-JI-DRep) for which it is known whether a
  review was requested — the 45-day window has closed, or a request (F-JI-DR) already arrived —
  the share that received at least one request. A determination still in its window without a
  request is counted apart, not in the share. Grouped by the year of the availability date.
* ERUs: verified = reductions of final verifications, by the year each became final; issued =
  ERUs issued, by the year of issuance; both by host Party.
* AAU-to-ERU conversions: the AAUs the host Party cancelled by conversion (one per ERU issued,
  13/CMP.1 annex para 29) and the number of conversions, by host Party.
* Track 1 beside Track 2 (issue 16): published projects, reductions of final verifications and
  ERUs issued per track (para 23: Track 1, the host's national procedure; paras 30-45: Track 2),
  in total and by year. The ERU figures are the same grouped rows as the table by host Party
  (``_eru_cells``), so the two agree; the time-to-final and review tables are about the Track 2
  procedure and count Track 2 projects only (a Track 1 project has no PDD publication, no 45-day
  window and no review).

Each table is one grouped query (ERUs: two, shared by the three ERU tables), so the page costs
eight queries whatever the data size. Charts are inline SVG drawn by the kernel's chart engine (``jitrack.charts``) from the same
rows as the tables (no script); the CSVs are streamed (``jitrack.streaming``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from determinations.models import AauLedgerEntry, Determination, EruIssuance, Verification
from jitrack import charts
from jitrack.sources import SOURCES, guidelines
from jitrack.streaming import csv_response
from projects.models import Project
from projects.selectors import public_projects
from reviews.models import ReviewRequest

from .datadict import Dataset, Field, in_english, versioned

S = Project.Status
FINAL_KINDS = ("determination_final", "review_decided")
NO_AIE = _("No AIE recorded")
NO_CHART = _("No data yet, so there is no chart.")
DAYS = f"{guidelines('paras 32 and 35')}; the project's event log"


def _f(name: str, type_: str, meaning: str, source: str) -> Field:
    return Field(name, type_, meaning, source)


SPREAD_FIELDS = (
    _f("projects", "integer", _("Projects whose determination became final in the group."), DAYS),
    _f("min_days", "decimal", _("Shortest time from PDD publication to final, days."), DAYS),
    _f("q1_days", "decimal", _("First quartile of that time, days."), DAYS),
    _f("median_days", "decimal", _("Median of that time, days."), DAYS),
    _f("q3_days", "decimal", _("Third quartile of that time, days."), DAYS),
    _f("max_days", "decimal", _("Longest time from PDD publication to final, days."), DAYS),
)

TABLES: dict[str, Dataset] = {
    t.name: t
    for t in (
        Dataset(
            "projects-by-status",
            _("Projects by status"),
            _("Published projects counted by their current status, in the order of the cycle."),
            (
                _f("status", "string", _("Status code."), SOURCES["track2"]),
                _f("status_label", "string", _("Status as shown on the pages."), SOURCES["track2"]),
                _f(
                    "projects",
                    "integer",
                    _("Published projects with that status."),
                    SOURCES["public"],
                ),
            ),
        ),
        Dataset(
            "projects-by-host-party",
            _("Projects by host Party"),
            _("Published projects counted by host Party, most projects first."),
            (
                _f(
                    "host_party_code",
                    "string",
                    _("ISO code of the host Party."),
                    SOURCES["eligibility"],
                ),
                _f("host_party", "string", _("Name of the host Party."), SOURCES["eligibility"]),
                _f("projects", "integer", _("Published projects it hosts."), SOURCES["public"]),
            ),
        ),
        Dataset(
            "time-to-final-by-year",
            _("Time from PDD publication to final determination, by year"),
            _(
                "Days from the pdd_published event to the event that made the determination final "
                "(determination_final, or review_decided to final), by the year of the final event."
            ),
            (
                _f("year", "integer", _("Calendar year (UTC) of the final event."), DAYS),
                *SPREAD_FIELDS,
            ),
        ),
        Dataset(
            "time-to-final-by-aie",
            _("Time from PDD publication to final determination, by AIE"),
            _("The same times grouped by the project's AIE."),
            (_f("aie", "string", _("The AIE that determined the project."), DAYS), *SPREAD_FIELDS),
        ),
        Dataset(
            "review-requests",
            _("Review requests on published determinations"),
            _(
                "By year of availability: published determinations, those for which it is known "
                "whether a review was requested (the 45-day window has closed, or a request "
                "arrived), those of them that received a request for review, and the share."
            ),
            (
                _f(
                    "year",
                    "integer",
                    _("Year of the determination's availability date."),
                    SOURCES["determination_available"],
                ),
                _f(
                    "published",
                    "integer",
                    _("Determination reports made public."),
                    SOURCES["determination_public"],
                ),
                _f(
                    "window_closed",
                    "integer",
                    _(
                        "Of those, determinations whose 45-day window has closed or that already "
                        "received a request for review."
                    ),
                    SOURCES["determination_window"],
                ),
                _f(
                    "with_requests",
                    "integer",
                    _(
                        "Of those, determinations that received at least one request for review "
                        "(F-JI-DR) from a Party involved or a JISC member."
                    ),
                    SOURCES["determination_review"],
                ),
                _f(
                    "share_percent",
                    "decimal",
                    _(
                        "with_requests / window_closed × 100, one decimal; empty when no "
                        "determination of the year is counted yet."
                    ),
                    SOURCES["determination_review"],
                ),
            ),
        ),
        Dataset(
            "erus-by-year-and-host-party",
            _("Verified and issued ERUs by year and host Party"),
            _(
                "Reductions of final verifications by the year they became final, and ERUs issued "
                "by the year of issuance, per host Party."
            ),
            (
                _f(
                    "year",
                    "integer",
                    _("Calendar year."),
                    f"{SOURCES['verification_final']}; {SOURCES['issuance']}",
                ),
                _f(
                    "host_party_code",
                    "string",
                    _("ISO code of the host Party."),
                    SOURCES["eligibility"],
                ),
                _f("host_party", "string", _("Name of the host Party."), SOURCES["eligibility"]),
                _f(
                    "verified",
                    "integer",
                    _("Tonnes CO2e in verifications that became final that year."),
                    guidelines("paras 37–39"),
                ),
                _f(
                    "issued",
                    "integer",
                    _("ERUs issued that year."),
                    SOURCES["issuance"],
                ),
            ),
        ),
        Dataset(
            "projects-and-erus-by-track",
            _("Track 1 and Track 2 side by side"),
            _(
                "Published projects, reductions of final verifications and ERUs issued, per "
                "track: Track 1, verified by the host Party under its national procedure; "
                "Track 2, under the JISC's verification procedure."
            ),
            (
                _f("track", "string", _("JI track: 1 or 2."), SOURCES["track"]),
                _f("track_label", "string", _("Track as shown on the pages."), SOURCES["track"]),
                _f("projects", "integer", _("Published projects of the track."), SOURCES["public"]),
                _f(
                    "verified",
                    "integer",
                    _("Tonnes CO2e in final verifications of the track's projects."),
                    f"{guidelines('paras 23 and 37–39')}",
                ),
                _f(
                    "issued",
                    "integer",
                    _("ERUs issued for the track's projects."),
                    SOURCES["issuance"],
                ),
            ),
        ),
        Dataset(
            "erus-by-year-and-track",
            _("ERUs issued by year, Track 1 and Track 2"),
            _(
                "Reductions of final verifications by the year they became final, and ERUs issued "
                "by the year of issuance, for Track 1 and Track 2 projects side by side."
            ),
            (
                _f("year", "integer", _("Calendar year."), SOURCES["issuance"]),
                _f(
                    "track1_verified",
                    "integer",
                    _("Track 1: tonnes CO2e in verifications that became final that year."),
                    guidelines("para 23"),
                ),
                _f(
                    "track1_issued",
                    "integer",
                    _("Track 1: ERUs issued that year."),
                    f"{guidelines('para 23')}; {SOURCES['issuance']}",
                ),
                _f(
                    "track2_verified",
                    "integer",
                    _("Track 2: tonnes CO2e in verifications that became final that year."),
                    guidelines("paras 37–39"),
                ),
                _f(
                    "track2_issued",
                    "integer",
                    _("Track 2: ERUs issued that year."),
                    SOURCES["issuance"],
                ),
            ),
        ),
        Dataset(
            "aau-conversions-by-host-party",
            _("AAU-to-ERU conversions by host Party"),
            _(
                "AAUs cancelled by conversion to ERUs, and the number of conversions, per host Party."
            ),
            (
                _f(
                    "host_party_code",
                    "string",
                    _("ISO code of the host Party."),
                    SOURCES["eligibility"],
                ),
                _f("host_party", "string", _("Name of the host Party."), SOURCES["eligibility"]),
                _f(
                    "conversions",
                    "integer",
                    _("Issuances recorded (each converts AAUs to ERUs)."),
                    SOURCES["issuance"],
                ),
                _f(
                    "aaus_converted",
                    "integer",
                    _("AAUs converted to ERUs; one AAU cancelled per ERU issued."),
                    SOURCES["issuance"],
                ),
            ),
        ),
    )
}


# --- numbers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float


def quantile(ordered: Sequence[float], p: float) -> float:
    """Linear interpolation between the closest ranks (inclusive method)."""
    position = p * (len(ordered) - 1)
    lo = math.floor(position)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (position - lo)


def spread(values: Sequence[float]) -> Spread:
    ordered = sorted(values)
    return Spread(
        len(ordered),
        ordered[0],
        quantile(ordered, 0.25),
        quantile(ordered, 0.5),
        quantile(ordered, 0.75),
        ordered[-1],
    )


def num(value: float | int | None) -> str:
    """``44`` or ``44.5`` or ``44.25``: two decimals at most, no trailing zeros."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- queries -------------------------------------------------------------------------------


def projects_by_status() -> list[dict]:
    rows = public_projects().values("status").annotate(n=Count("pk")).order_by()
    counts = {row["status"]: row["n"] for row in rows}
    return [
        {"status": s, "status_label": str(S(s).label), "projects": counts[s]}
        for s in S.values
        if counts.get(s)
    ]


def projects_by_host_party() -> list[dict]:
    rows = (
        public_projects()
        .values(code=F("host_party__code"), name=F("host_party__name"))
        .annotate(projects=Count("pk"))
        .order_by("-projects", "name")
    )
    return [
        {"host_party_code": r["code"], "host_party": r["name"], "projects": r["projects"]}
        for r in rows
    ]


def final_durations() -> list[tuple[int, str, int]]:
    """``(year of the final event, AIE, days)`` per project that reached final: one query."""
    events = Q(events__public=True)
    rows = (
        public_projects()
        .filter(track=Project.Track.TWO)
        .annotate(
            published_at=Min("events__created_at", filter=events & Q(events__kind="pdd_published")),
            final_at=Min(
                "events__created_at",
                filter=events & Q(events__kind__in=FINAL_KINDS, events__to_status=S.FINAL),
            ),
        )
        .filter(published_at__isnull=False, final_at__isnull=False)
        .order_by()
        .values_list("published_at", "final_at", "aie__name")
    )
    out = []
    for published_at, final_at, aie in rows:
        final_day = final_at.astimezone(UTC).date()
        days = (final_day - published_at.astimezone(UTC).date()).days
        out.append((final_day.year, aie or str(NO_AIE), days))
    return out


def _spread_rows(key: str, groups: dict) -> list[dict]:
    rows = []
    for group in sorted(groups):
        s = spread(groups[group])
        rows.append(
            {
                key: group,
                "projects": s.n,
                "min_days": s.min,
                "q1_days": s.q1,
                "median_days": s.median,
                "q3_days": s.q3,
                "max_days": s.max,
            }
        )
    return rows


def time_to_final(durations: list[tuple[int, str, int]]) -> tuple[list[dict], list[dict]]:
    by_year: dict[int, list[int]] = {}
    by_aie: dict[str, list[int]] = {}
    for year, aie, days in durations:
        by_year.setdefault(year, []).append(days)
        by_aie.setdefault(aie, []).append(days)
    return _spread_rows("year", by_year), _spread_rows("aie", by_aie)


def review_requests(now=None) -> list[dict]:
    now = now or timezone.now()
    closed = Q(review_window_closes_at__lt=now)
    rows = (
        Determination.objects.filter(
            project__in=public_projects().filter(track=Project.Track.TWO).values("pk"),
            available_on__isnull=False,
        )
        .annotate(has_request=Exists(ReviewRequest.objects.filter(determination=OuterRef("pk"))))
        .values(year=ExtractYear("available_on"))
        # A determination whose window is still open counts once it has a request: its answer
        # to "was a review requested?" is already known (yes).
        .annotate(
            published=Count("pk"),
            window_closed=Count("pk", filter=closed | Q(has_request=True)),
            with_requests=Count("pk", filter=Q(has_request=True)),
        )
        .order_by("year")
    )
    return [
        {**row, "share_percent": percent(row["with_requests"], row["window_closed"])}
        for row in rows
    ]


def _eru_cells() -> dict[tuple[int, str, str, str], list[int]]:
    """``(year, host name, host code, track) -> [verified, issued]``: two grouped queries."""
    public = public_projects().values("pk")
    verified = (
        Verification.objects.filter(
            project__in=public, status=Verification.Status.FINAL, final_on__isnull=False
        )
        .values(
            year=ExtractYear("final_on"),
            code=F("project__host_party__code"),
            name=F("project__host_party__name"),
            track=F("project__track"),
        )
        .annotate(total=Sum("verified_total"))
        .order_by()
    )
    issued = (
        EruIssuance.objects.filter(verification__project__in=public)
        .values(
            year=ExtractYear("recorded_at"),
            code=F("party__code"),
            name=F("party__name"),
            track=F("verification__project__track"),
        )
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    cells: dict[tuple, list[int]] = {}
    for index, rows in enumerate((verified, issued)):
        for row in rows:
            key = (int(row["year"]), row["name"], row["code"], row["track"])
            cells.setdefault(key, [0, 0])[index] += int(row["total"] or 0)
    return cells


def erus_by_year_and_host_party(cells: dict | None = None) -> list[dict]:
    by_host: dict[tuple, list[int]] = {}
    for (year, name, code, _track), (v, i) in (
        cells if cells is not None else _eru_cells()
    ).items():
        cell = by_host.setdefault((year, name, code), [0, 0])
        cell[0] += v
        cell[1] += i
    return [
        {
            "year": year,
            "host_party_code": code,
            "host_party": name,
            "verified": v,
            "issued": i,
        }
        for (year, name, code), (v, i) in sorted(by_host.items())
    ]


def erus_by_year_and_track(cells: dict | None = None) -> list[dict]:
    years: dict[int, dict] = {}
    for (year, _name, _code, track), (v, i) in (
        cells if cells is not None else _eru_cells()
    ).items():
        row = years.setdefault(
            year,
            {
                "year": year,
                "track1_verified": 0,
                "track1_issued": 0,
                "track2_verified": 0,
                "track2_issued": 0,
            },
        )
        row[f"track{track}_verified"] += v
        row[f"track{track}_issued"] += i
    return [years[y] for y in sorted(years)]


def projects_and_erus_by_track(cells: dict | None = None) -> list[dict]:
    """Every track, even one with no project yet: the two are always side by side."""
    counts = dict(public_projects().values_list("track").annotate(n=Count("pk")).order_by())
    totals = {t: [0, 0] for t in Project.Track.values}
    for (_year, _name, _code, track), (v, i) in (
        cells if cells is not None else _eru_cells()
    ).items():
        totals[track][0] += v
        totals[track][1] += i
    return [
        {
            "track": t,
            "track_label": str(Project.Track(t).label),
            "projects": counts.get(t, 0),
            "verified": totals[t][0],
            "issued": totals[t][1],
        }
        for t in Project.Track.values
    ]


def aau_conversions_by_host_party() -> list[dict]:
    rows = (
        AauLedgerEntry.objects.filter(
            kind=AauLedgerEntry.Kind.CONVERSION,
            issuance__verification__project__in=public_projects().values("pk"),
        )
        .values(code=F("party__code"), name=F("party__name"))
        .annotate(conversions=Count("pk"), cancelled=Sum("quantity"))
        .order_by("name")
    )
    return [
        {
            "host_party_code": r["code"],
            "host_party": r["name"],
            "conversions": r["conversions"],
            "aaus_converted": -int(r["cancelled"] or 0),
        }
        for r in rows
    ]


def table_rows(name: str) -> list[dict]:
    """The rows of one statistics table (for its CSV)."""
    if name in ("time-to-final-by-year", "time-to-final-by-aie"):
        by_year, by_aie = time_to_final(final_durations())
        return by_year if name.endswith("year") else by_aie
    return {
        "projects-by-status": projects_by_status,
        "projects-by-host-party": projects_by_host_party,
        "review-requests": review_requests,
        "erus-by-year-and-host-party": erus_by_year_and_host_party,
        "projects-and-erus-by-track": projects_and_erus_by_track,
        "erus-by-year-and-track": erus_by_year_and_track,
        "aau-conversions-by-host-party": aau_conversions_by_host_party,
    }[name]()


# --- charts --------------------------------------------------------------------------------


def _spread_values(label: str, s: Spread) -> dict:
    return {
        "label": label,
        "n": s.n,
        "min": num(s.min),
        "q1": num(s.q1),
        "median": num(s.median),
        "q3": num(s.q3),
        "max": num(s.max),
    }


def bar_chart(
    title: str,
    groups: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str] = ("",),
    *,
    fmt: Callable[[float], str] = charts.whole,
    notes: Sequence[str] | None = None,
    hi: float | None = None,
) -> SafeString:
    """Horizontal bars: one group per label, one bar per series in each group. ``notes``
    replaces the value printed after the first bar of each group; ``hi`` fixes the axis's top."""
    return charts.bar_chart(
        title,
        [
            charts.Group(label, values, notes[i] if notes is not None else None)
            for i, (label, values) in enumerate(groups)
        ],
        [charts.Series(name) for name in series],
        scale=charts.Scale.fit(high=hi) if hi is not None else None,
        fmt=fmt,
        css="stat-chart bar-chart",
        empty=NO_CHART,
    )


def box_chart(title: str, groups: Sequence[tuple[str, Spread]]) -> SafeString:
    """Horizontal box plots of times in days: whiskers from minimum to maximum, the box from the
    first to the third quartile, a thick line at the median."""
    boxes = [
        charts.Box(
            label,
            s.min,
            s.q1,
            s.median,
            s.q3,
            s.max,
            summary=ngettext(
                "%(label)s: %(n)s project, median %(median)s days, quartiles %(q1)s–%(q3)s, "
                "range %(min)s–%(max)s",
                "%(label)s: %(n)s projects, median %(median)s days, quartiles %(q1)s–%(q3)s, "
                "range %(min)s–%(max)s",
                s.n,
            )
            % _spread_values(label, s),
            tip=ngettext(
                "%(label)s: %(n)s project; min %(min)s, Q1 %(q1)s, median %(median)s, "
                "Q3 %(q3)s, max %(max)s days",
                "%(label)s: %(n)s projects; min %(min)s, Q1 %(q1)s, median %(median)s, "
                "Q3 %(q3)s, max %(max)s days",
                s.n,
            )
            % _spread_values(label, s),
            note=f"{num(s.median)} (n={s.n})",
        )
        for label, s in groups
    ]
    return charts.box_chart(
        title,
        boxes,
        fmt=num,
        css="stat-chart box-chart",
        empty=NO_CHART,
    )


# --- the page ------------------------------------------------------------------------------

NUMERIC = ("integer", "decimal")
HEADINGS = {
    "year": _("Year"),
    "status_label": _("Status"),
    "host_party_code": _("Code"),
    "host_party": _("Host Party"),
    "aie": _("AIE"),
    "projects": _("Projects"),
    "min_days": _("Min"),
    "q1_days": _("Q1"),
    "median_days": _("Median"),
    "q3_days": _("Q3"),
    "max_days": _("Max"),
    "window_closed": _("Window closed"),
    "with_requests": _("With requests"),
    "share_percent": _("Share (%)"),
    "published": _("Published"),
    "verified": _("Verified"),
    "issued": _("Issued"),
    "conversions": _("Conversions"),
    "aaus_converted": _("AAUs converted"),
    "track_label": _("Track"),
    "track1_verified": _("Track 1 verified"),
    "track1_issued": _("Track 1 issued"),
    "track2_verified": _("Track 2 verified"),
    "track2_issued": _("Track 2 issued"),
}


def _cell(name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return num(value)
    if isinstance(value, int) and not isinstance(value, bool) and name != "year":
        return f"{value:,}"
    return str(value)


def _section(name: str, rows: list[dict], chart: SafeString, columns=None) -> dict:
    table = TABLES[name]
    fields = [f for f in table.fields if columns is None or f.name in columns]
    return {
        "name": name,
        "title": table.title,
        "description": table.description,
        "chart": chart,
        "columns": [
            {"label": HEADINGS.get(f.name, f.name.replace("_", " ").capitalize()), "field": f}
            for f in fields
        ],
        "rows": [[(_cell(f.name, row[f.name]), f.type in NUMERIC) for f in fields] for row in rows],
        "csv_url": reverse("statistics_csv", args=[name]),
    }


def sections() -> list[dict]:
    status = projects_by_status()
    parties = projects_by_host_party()
    by_year, by_aie = time_to_final(final_durations())
    reviews = review_requests()
    cells = _eru_cells()
    erus = erus_by_year_and_host_party(cells)
    tracks = projects_and_erus_by_track(cells)
    track_years = erus_by_year_and_track(cells)
    conversions = aau_conversions_by_host_party()
    eru_years: dict[int, list[int]] = {}
    for row in erus:
        totals = eru_years.setdefault(row["year"], [0, 0])
        totals[0] += row["verified"]
        totals[1] += row["issued"]

    def spreads(rows: list[dict], key: str) -> list[tuple[str, Spread]]:
        return [
            (
                str(r[key]),
                Spread(
                    r["projects"],
                    r["min_days"],
                    r["q1_days"],
                    r["median_days"],
                    r["q3_days"],
                    r["max_days"],
                ),
            )
            for r in rows
        ]

    return [
        _section(
            "projects-by-status",
            status,
            bar_chart(
                gettext("Published projects by status"),
                [(r["status_label"], [r["projects"]]) for r in status],
            ),
            columns=("status_label", "projects"),
        ),
        _section(
            "projects-by-host-party",
            parties,
            bar_chart(
                gettext("Published projects by host Party"),
                [(r["host_party"], [r["projects"]]) for r in parties],
            ),
        ),
        _section(
            "time-to-final-by-year",
            by_year,
            box_chart(
                gettext(
                    "Days from PDD publication to final determination, by year of the final event"
                ),
                spreads(by_year, "year"),
            ),
        ),
        _section(
            "time-to-final-by-aie",
            by_aie,
            box_chart(
                gettext("Days from PDD publication to final determination, by AIE"),
                spreads(by_aie, "aie"),
            ),
        ),
        _section(
            "review-requests",
            reviews,
            bar_chart(
                gettext(
                    "Share of determinations (window closed) that received review requests, by year"
                ),
                [
                    (str(r["year"]), [float(r["share_percent"] or 0)])
                    for r in reviews
                    if r["window_closed"]
                ],
                fmt=lambda v: f"{v:g} %",
                notes=[
                    gettext("%(share)s %% (%(part)s of %(whole)s)")
                    % {
                        "share": r["share_percent"],
                        "part": r["with_requests"],
                        "whole": r["window_closed"],
                    }
                    for r in reviews
                    if r["window_closed"]
                ],
                hi=100,
            ),
        ),
        _section(
            "erus-by-year-and-host-party",
            erus,
            bar_chart(
                gettext("Verified and issued ERUs by year (all host Parties)"),
                [(str(year), totals) for year, totals in sorted(eru_years.items())],
                series=(gettext("Verified (t CO2e)"), gettext("Issued (ERUs)")),
            ),
        ),
        _section(
            "projects-and-erus-by-track",
            tracks,
            bar_chart(
                gettext("Verified reductions and ERUs issued, Track 1 and Track 2"),
                [(r["track_label"], [r["verified"], r["issued"]]) for r in tracks]
                if any(r["verified"] or r["issued"] for r in tracks)
                else [],
                series=(gettext("Verified (t CO2e)"), gettext("Issued (ERUs)")),
                notes=[
                    ngettext(
                        "%(n)s project; %(issued)s ERUs",
                        "%(n)s projects; %(issued)s ERUs",
                        r["projects"],
                    )
                    % {"n": r["projects"], "issued": f"{r['issued']:,}"}
                    for r in tracks
                ],
            ),
            columns=("track_label", "projects", "verified", "issued"),
        ),
        _section(
            "erus-by-year-and-track",
            track_years,
            bar_chart(
                gettext("ERUs issued by year, Track 1 and Track 2"),
                [(str(r["year"]), [r["track1_issued"], r["track2_issued"]]) for r in track_years],
                series=(str(Project.Track.ONE.label), str(Project.Track.TWO.label)),
            ),
        ),
        _section(
            "aau-conversions-by-host-party",
            conversions,
            bar_chart(
                gettext("AAUs converted to ERUs by host Party"),
                [(r["host_party"], [r["aaus_converted"]]) for r in conversions],
            ),
        ),
    ]


@require_safe
def statistics_page(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/statistics.html", {"sections": sections()})


@require_safe
@in_english
def statistics_csv(request: HttpRequest, name: str) -> HttpResponse:
    table = TABLES.get(name)
    if table is None:
        raise Http404(f"No statistics table {name!r}.")
    # A few grouped rows, written out inside the view (in English): no lazy text reaches the body.
    rows = [
        {k: num(v) if isinstance(v, float) else v for k, v in r.items()} for r in table_rows(name)
    ]
    return versioned(csv_response(table.header, rows, f"jitrack-{name}.csv"), request)
