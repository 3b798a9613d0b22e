"""Open data (issue 6): the public register as streamed CSV and JSON downloads, and the published
data dictionary that describes every field of every download.

What is published: only what ji-rules §6 makes public — published projects (``public_projects``),
verification reports made public through the secretariat (para 38) and the ERU blocks issued for
final verifications (13/CMP.1 annex para 29). Nothing from invoices, payments, appraisals or
review working papers.

Filters: the API list's ``ProjectFilter``, so one query string selects the same projects on
``/api/projects/``, on the open-data page and in every download. For verifications and issuances
the filters select the projects whose rows are listed.

Query budget: a download costs a fixed number of queries whatever its size. The rows and the
values of their many-to-many fields are read by parallel queries in the same order and merged
while streaming (``_Many``), never one query per row.

Versioning: ``VERSION`` (``datadict``) is the dictionary's version; change it whenever a field is
added, removed or changes meaning. Every CSV carries it in the ``X-Data-Dictionary-Version``
header next to a ``Link: <…/opendata/dictionary.json>; rel="describedby"`` header; every JSON
document has it as its top-level ``version`` with the dictionary's address in ``dictionary``.
Both are streamed (``jitrack.streaming``): a download's memory does not grow with its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from determinations.models import EruBlock, Verification
from jitrack.sources import SOURCES
from jitrack.streaming import csv_response, json_response
from projects.models import Party, Project
from projects.selectors import public_projects
from projects.timeline import event_label

from .analytics import TABLES
from .datadict import VERSION, Dataset, Field, dictionary_url, in_english, versioned
from .feeds import NOTICE_KINDS
from .filters import ProjectFilter, section_choices
from .opendata_components import COMPONENTS
from .section_defs import PROJECT_STATUSES

PER_PAGE = 20

# --- the dictionary -------------------------------------------------------------------------

TYPES = {
    "string": _("Text."),
    "integer": _("Whole number."),
    "boolean": _("true or false."),
    "date": _("Calendar date, YYYY-MM-DD."),
    "datetime": _("Instant in UTC, ISO 8601 with a Z: YYYY-MM-DDTHH:MM:SSZ."),
    "decimal": _("Number with a decimal point."),
    "list of strings": _("JSON: an array. CSV: the values joined by “; ”."),
    "list of integers": _("JSON: an array. CSV: the values joined by “; ”."),
    "object (year → tonnes)": _("JSON: an object. CSV: year:tonnes pairs joined by “; ”."),
}

# How every CSV download is written (``jitrack.streaming``: ``csv_lines``, ``csv_value``,
# ``csv_text``); published in the dictionary since version 1.2.
CSV_RULES = {
    "format": _(
        "UTF-8 without a byte-order mark; one header line with the field names, then one line per "
        "row; cells separated by commas, lines ended by CR LF. A cell that holds a comma, a "
        "double quote or a line break is enclosed in double quotes, a double quote inside it "
        "written twice (RFC 4180)."
    ),
    "empty": _("A value that is null in JSON is an empty cell."),
    "formulas": _(
        "A text cell that starts with =, +, -, @, a tab or a carriage return (after any "
        "apostrophes already in front) is written with one apostrophe (') in front, so that a "
        "spreadsheet shows it as text instead of running it as a formula. A text that is a plain "
        "number (an optional minus, digits, an optional decimal part: -12.5) keeps no apostrophe; "
        "numbers, booleans, dates, instants and empty cells never get one. To read the original "
        "text, remove the first apostrophe of a cell that starts with apostrophes followed by one "
        "of those characters. JSON downloads hold the values as they are."
    ),
}

VERIFICATION_STATUSES = ("published", "under_review", "final", "rejected", "withdrawn")
# The registry sections that list projects (ProjectFilter's ``section``).
PROJECT_SECTIONS = tuple(slug for slug, _title in section_choices())

PROJECT_FIELDS = (
    Field(
        "reference",
        "string",
        _(
            "Reference number of the project. Track 2: the number the secretariat gave the "
            "project when it published the PDD, four digits, in order of publication. Track 1: "
            "the reference the host Party assigned, its ISO code and digits (UA1000001)."
        ),
        f"{SOURCES['reference']}; Track 1: {SOURCES['track']}",
    ),
    Field("title", "string", _("Title of the project as in its PDD."), SOURCES["pdd"]),
    Field("url", "string", _("Address of the project's public page."), SOURCES["public"]),
    Field(
        "track",
        "string",
        _(
            "JI track: 1 when the host Party, meeting all the eligibility requirements, approved "
            "the project and verifies its reductions under its own national procedure; 2 when "
            "they are verified under the JISC's verification procedure."
        ),
        SOURCES["track"],
        tuple(Project.Track.values),
    ),
    Field(
        "national_approval_reference",
        "string",
        _("Track 1: the host Party's reference of its national approval; empty for Track 2."),
        SOURCES["track"],
    ),
    Field(
        "national_guidelines",
        "string",
        _(
            "Track 1: the national guidelines and procedures under which the host Party approved "
            "the project and verifies its reductions; empty for Track 2."
        ),
        SOURCES["track"],
    ),
    Field(
        "status",
        "string",
        _(
            "Where the project is in its cycle. A Track 1 project is final once the host Party "
            "has recorded it (or withdrawn)."
        ),
        f"{SOURCES['track2']}; Track 1: {SOURCES['track']}",
        PROJECT_STATUSES,
    ),
    Field(
        "host_party_code",
        "string",
        _("ISO 3166-1 alpha-2 code of the host Party."),
        SOURCES["eligibility"],
    ),
    Field("host_party", "string", _("Name of the host Party."), SOURCES["eligibility"]),
    Field(
        "parties_involved",
        "list of strings",
        _("ISO codes of the other Parties involved, in code order."),
        SOURCES["pdd"],
    ),
    Field(
        "participants",
        "list of strings",
        _("Project participants (legal entities authorised by a Party involved), in name order."),
        SOURCES["participants"],
    ),
    Field(
        "aie",
        "string",
        _("The accredited independent entity engaged for the determination; empty if none."),
        SOURCES["aie"],
    ),
    Field(
        "sectoral_scopes",
        "list of integers",
        _("JI sectoral scope numbers (1–15) of the project, ascending."),
        SOURCES["scopes"],
    ),
    Field("small_scale", "boolean", _("A small-scale project."), SOURCES["small_scale"]),
    Field("poa", "boolean", _("A programme of activities."), SOURCES["poa"]),
    Field(
        "baseline_approach",
        "string",
        _(
            "Baseline and monitoring approach: a JI specific approach or an approved CDM methodology."
        ),
        SOURCES["pdd"],
        tuple(Project.Approach.values),
    ),
    Field(
        "methodology",
        "string",
        _("The approved CDM methodology used, if any."),
        SOURCES["pdd"],
    ),
    Field(
        "expected_annual_reductions",
        "integer",
        _(
            "Expected average annual emission reductions in the PDD, tonnes CO2e (mean of the "
            "yearly figures, whole tonnes, half up)."
        ),
        SOURCES["expected_reductions"],
    ),
    Field("crediting_start", "date", _("First day of the crediting period."), SOURCES["pdd"]),
    Field("crediting_end", "date", _("Last day of the crediting period."), SOURCES["pdd"]),
    Field(
        "pdd_available_on",
        "date",
        _("Availability date of the PDD: day 1 of the 30-day comment period."),
        SOURCES["comment_period"],
    ),
    Field(
        "comments_close_at",
        "datetime",
        _("End of the comment period: 17:00 GMT on the 30th day."),
        SOURCES["comment_period"],
    ),
    Field(
        "determination_available_on",
        "date",
        _("Availability date of the published determination report: day 1 of the 45-day period."),
        SOURCES["determination_available"],
    ),
    Field(
        "review_window_closes_at",
        "datetime",
        _(
            "End of the 45-day period in which a Party involved or three JISC members may request "
            "a review: 17:00 GMT on the 45th day."
        ),
        SOURCES["determination_window"],
    ),
    Field(
        "final_on",
        "date",
        _(
            "Date the determination became final (or, for a rejected project, the date of the "
            "final negative outcome)."
        ),
        SOURCES["determination_final"],
    ),
    Field(
        "withdrawn_at",
        "datetime",
        _("When the project was withdrawn; it stays on the public record."),
        SOURCES["withdrawal"],
    ),
)

VERIFICATION_FIELDS = (
    Field(
        "project_reference", "string", _("Reference number of the project."), SOURCES["reference"]
    ),
    Field("project_title", "string", _("Title of the project."), SOURCES["pdd"]),
    Field("host_party_code", "string", _("ISO code of the host Party."), SOURCES["eligibility"]),
    Field(
        "number",
        "integer",
        _("Number of the verification within the project (1 for the first)."),
        SOURCES["verification"],
    ),
    Field("aie", "string", _("The AIE that verified the reductions."), SOURCES["verification"]),
    Field(
        "period_start",
        "date",
        _("First day of the monitoring period verified."),
        SOURCES["monitoring"],
    ),
    Field(
        "period_end",
        "date",
        _("Last day of the monitoring period verified."),
        SOURCES["monitoring"],
    ),
    Field(
        "status",
        "string",
        _("Status of the verification since its publication."),
        SOURCES["verification_status"],
        VERIFICATION_STATUSES,
    ),
    Field(
        "verified_by_year",
        "object (year → tonnes)",
        _("Reductions verified per calendar year, tonnes CO2e."),
        SOURCES["verification_by_year"],
    ),
    Field(
        "verified_total",
        "integer",
        _("Reductions verified in the monitoring period, tonnes CO2e."),
        SOURCES["verification"],
    ),
    Field(
        "available_on",
        "date",
        _("Availability date of the verification report: day 1 of the 15-day period."),
        SOURCES["verification_available"],
    ),
    Field(
        "review_window_closes_at",
        "datetime",
        _("End of the 15-day period for review requests: 17:00 GMT on the 15th day."),
        SOURCES["verification_window"],
    ),
    Field(
        "final_on", "date", _("Date the verification became final."), SOURCES["verification_final"]
    ),
    Field(
        "erus_issued",
        "integer",
        _("ERUs issued so far for this verification (never more than verified)."),
        SOURCES["issuance"],
    ),
    Field(
        "track",
        "string",
        _(
            "JI track of the project: 1 when the host Party verified the reductions under its "
            "own national procedure, 2 under the JISC's verification procedure."
        ),
        SOURCES["track"],
        tuple(Project.Track.values),
    ),
)

ISSUANCE_FIELDS = (
    Field(
        "block_id",
        "integer",
        _(
            "Identifier of the block of units as issued. Later transfers split blocks; they are on "
            "the project's timeline, not here, so each unit appears once."
        ),
        SOURCES["issuance"],
    ),
    Field(
        "issued_at",
        "datetime",
        _("When the host Party recorded the issuance."),
        SOURCES["issuance"],
    ),
    Field(
        "project_reference", "string", _("Reference number of the project."), SOURCES["reference"]
    ),
    Field(
        "project_identifier",
        "string",
        _("Project identifier the units gained on conversion."),
        SOURCES["issuance"],
    ),
    Field(
        "host_party_code",
        "string",
        _("ISO code of the host Party that issued the ERUs."),
        SOURCES["issuance"],
    ),
    Field(
        "verification_number",
        "integer",
        _("Number of the final verification the ERUs were issued for."),
        SOURCES["issuance"],
    ),
    Field(
        "unit_type",
        "string",
        _("Kind of unit: ERU (an AAU or RMU converted for a JI project)."),
        SOURCES["issuance"],
    ),
    Field(
        "originating_party_code",
        "string",
        _("ISO code of the Party whose AAUs were converted (the serials keep it)."),
        SOURCES["issuance"],
    ),
    Field(
        "serial_start",
        "integer",
        _("First serial number of the block; the units keep the serials of the converted AAUs."),
        SOURCES["issuance"],
    ),
    Field("serial_end", "integer", _("Last serial number of the block."), SOURCES["issuance"]),
    Field(
        "quantity",
        "integer",
        _(
            "Units in the block: serial_end − serial_start + 1. One AAU of the host was cancelled "
            "for each."
        ),
        SOURCES["issuance"],
    ),
    Field(
        "commitment_period",
        "integer",
        _("Kyoto Protocol commitment period."),
        SOURCES["commitment_period"],
    ),
    Field(
        "track",
        "integer",
        _(
            "JI track of the project: 1 (issued for a verification by the host Party under its "
            "national procedure) or 2."
        ),
        SOURCES["track"],
        ("1", "2"),
    ),
    Field(
        "account",
        "string",
        _("Account that received the block on issuance (the host Party's registry)."),
        SOURCES["issuance"],
    ),
)

FILTERS = (
    Field(
        "status",
        "string",
        _("Only projects with this status."),
        "registry.filters.ProjectFilter",
        PROJECT_STATUSES,
    ),
    Field(
        "track",
        "string",
        _("Only projects of this JI track (1 or 2)."),
        "registry.filters.ProjectFilter",
        tuple(Project.Track.values),
    ),
    Field(
        "host_party",
        "string",
        _("Only projects hosted by the Party with this ISO code (any case)."),
        "registry.filters.ProjectFilter",
    ),
    Field(
        "aie",
        "string",
        _("Only projects whose AIE has this id or this exact name (any case)."),
        "registry.filters.ProjectFilter",
    ),
    Field(
        "q",
        "string",
        _("Only projects whose title or reference contains this text."),
        "registry.filters.ProjectFilter",
    ),
    Field(
        "scope",
        "integer",
        _("Only projects in this sectoral scope (1 to 15)."),
        "registry.filters.ProjectFilter",
    ),
    Field(
        "section",
        "string",
        _(
            "Only the projects of this registry section; from and to then apply to the "
            "section's date (PDD availability, determination availability or final date)."
        ),
        "registry.filters.ProjectFilter",
        PROJECT_SECTIONS,
    ),
    Field(
        "from",
        "date",
        _("Only projects whose date (see section; else PDD availability) is on or after this."),
        "registry.filters.ProjectFilter",
    ),
    Field(
        "to",
        "date",
        _("Only projects whose date (see section; else PDD availability) is on or before this."),
        "registry.filters.ProjectFilter",
    ),
)


# --- rows ----------------------------------------------------------------------------------


class _Many:
    """The values of a many-to-many field, read by one query ordered like the rows they belong
    to (``(reference, project pk, value)``), handed out row by row while both stream."""

    def __init__(self, triples: Iterable[tuple]):
        self._groups = groupby(triples, key=lambda t: (t[0] or "", t[1]))
        self._next = next(self._groups, None)

    def pop(self, key: tuple[str, int]) -> list:
        while self._next is not None and self._next[0] < key:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != key:
            return []
        values = [t[2] for t in self._next[1]]
        self._next = next(self._groups, None)
        return values


def project_url(request: HttpRequest, reference: str) -> str:
    return request.build_absolute_uri(reverse("project_detail", args=[reference]))


def _many(projects: QuerySet[Project], field: str, value: str) -> _Many:
    through = getattr(Project, field).through
    ids = projects.values("pk")
    return _Many(
        through.objects.filter(project__in=ids)
        .order_by("project__reference", "project_id", value)
        .values_list("project__reference", "project_id", value)
        .iterator()
    )


def project_rows(projects: QuerySet[Project], request: HttpRequest) -> Iterator[dict]:
    """Four queries whatever the number of projects."""
    rows = (
        projects.order_by("reference", "pk")
        .values(
            "pk",
            "reference",
            "title",
            "track",
            "national_approval_reference",
            "national_guidelines",
            "status",
            "small_scale",
            "poa",
            "baseline_approach",
            "methodology",
            "expected_annual_reductions",
            "crediting_start",
            "crediting_end",
            "pdd_available_on",
            "comments_close_at",
            "determination_available_on",
            "review_window_closes_at",
            "final_on",
            "withdrawn_at",
            host_party_code=F("host_party__code"),
            host_party_name=F("host_party__name"),
            aie_name=F("aie__name"),
        )
        .iterator()
    )
    parties = _many(projects, "parties_involved", "party__code")
    participants = _many(projects, "participants", "organisation__name")
    scopes = _many(projects, "sectoral_scopes", "sectoralscope__number")
    for r in rows:
        key = (r["reference"] or "", r["pk"])
        yield {
            "reference": r["reference"],
            "title": r["title"],
            "url": project_url(request, r["reference"]),
            "track": r["track"],
            "national_approval_reference": r["national_approval_reference"],
            "national_guidelines": r["national_guidelines"],
            "status": r["status"],
            "host_party_code": r["host_party_code"],
            "host_party": r["host_party_name"],
            "parties_involved": parties.pop(key),
            "participants": participants.pop(key),
            "aie": r["aie_name"],
            "sectoral_scopes": scopes.pop(key),
            "small_scale": r["small_scale"],
            "poa": r["poa"],
            "baseline_approach": r["baseline_approach"],
            "methodology": r["methodology"],
            "expected_annual_reductions": r["expected_annual_reductions"],
            "crediting_start": r["crediting_start"],
            "crediting_end": r["crediting_end"],
            "pdd_available_on": r["pdd_available_on"],
            "comments_close_at": r["comments_close_at"],
            "determination_available_on": r["determination_available_on"],
            "review_window_closes_at": r["review_window_closes_at"],
            "final_on": r["final_on"],
            "withdrawn_at": r["withdrawn_at"],
        }


def verification_rows(projects: QuerySet[Project], request: HttpRequest) -> Iterator[dict]:
    """Verification reports made public (para 38): one query."""
    rows = (
        Verification.objects.filter(
            Verification.PUBLIC,
            project__in=projects.values("pk"),
            status__in=VERIFICATION_STATUSES,
        )
        .order_by("project__reference", "number")
        .values(
            "number",
            "status",
            "verified",
            "verified_total",
            "available_on",
            "review_window_closes_at",
            "final_on",
            "erus_issued",
            project_reference=F("project__reference"),
            project_title=F("project__title"),
            host_party_code=F("project__host_party__code"),
            track=F("project__track"),
            aie_name=F("aie__name"),
            period_start=F("monitoring_report__period_start"),
            period_end=F("monitoring_report__period_end"),
        )
    )
    for r in rows.iterator():
        verified = {str(y): int(t) for y, t in sorted((r["verified"] or {}).items())}
        yield {
            "project_reference": r["project_reference"],
            "project_title": r["project_title"],
            "host_party_code": r["host_party_code"],
            "number": r["number"],
            "aie": r["aie_name"],
            "period_start": r["period_start"],
            "period_end": r["period_end"],
            "status": r["status"],
            "verified_by_year": verified,
            "verified_total": r["verified_total"],
            "available_on": r["available_on"],
            "review_window_closes_at": r["review_window_closes_at"],
            "final_on": r["final_on"],
            "erus_issued": r["erus_issued"],
            "track": r["track"],
        }


def issuance_rows(projects: QuerySet[Project], request: HttpRequest) -> Iterator[dict]:
    """ERU blocks as issued (parent-less blocks): one query."""
    rows = (
        EruBlock.objects.filter(
            parent__isnull=True, issuance__verification__project__in=projects.values("pk")
        )
        .order_by("issuance__recorded_at", "issuance_id", "serial_start", "pk")
        .values(
            "pk",
            "project_identifier",
            "unit_type",
            "serial_start",
            "serial_end",
            "commitment_period",
            "track",
            "account",
            issued_at=F("issuance__recorded_at"),
            project_reference=F("issuance__verification__project__reference"),
            host_party_code=F("issuance__party__code"),
            verification_number=F("issuance__verification__number"),
            originating_party_code=F("originating_party__code"),
        )
    )
    for r in rows.iterator():
        yield {
            "block_id": r["pk"],
            "issued_at": r["issued_at"],
            "project_reference": r["project_reference"],
            "project_identifier": r["project_identifier"],
            "host_party_code": r["host_party_code"],
            "verification_number": r["verification_number"],
            "unit_type": r["unit_type"],
            "originating_party_code": r["originating_party_code"],
            "serial_start": r["serial_start"],
            "serial_end": r["serial_end"],
            "quantity": r["serial_end"] - r["serial_start"] + 1,
            "commitment_period": r["commitment_period"],
            "track": r["track"],
            "account": r["account"],
        }


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "projects",
            _("Projects"),
            _(
                "One row per published project, in reference order: Track 2 projects whose PDD "
                "the secretariat made public, and Track 1 projects from the moment their host "
                "Party recorded them. Drafts and PDDs not yet available are never listed."
            ),
            PROJECT_FIELDS,
            project_rows,
        ),
        Dataset(
            "verifications",
            _("Verifications"),
            _(
                "One row per verification report (F-JI-VRep) made public, by project reference and "
                "verification number. Reports submitted but not yet published are not listed."
            ),
            VERIFICATION_FIELDS,
            verification_rows,
        ),
        Dataset(
            "issuances",
            _("ERU issuances"),
            _(
                "One row per block of ERUs as issued by the host Party for a final verification, in "
                "order of issuance."
            ),
            ISSUANCE_FIELDS,
            issuance_rows,
        ),
        COMPONENTS,
    )
}


# --- views ---------------------------------------------------------------------------------


def filter_query(filterset: ProjectFilter) -> str:
    """The valid filter parameters of a request, ready to append to a download link."""
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    return urlencode({k: v for k, v in data.items() if v not in (None, "")})


def _download_urls(request: HttpRequest, name: str, query: str = "") -> dict[str, str]:
    suffix = f"?{query}" if query else ""
    return {
        fmt: request.build_absolute_uri(reverse(f"opendata_{fmt}", args=[name])) + suffix
        for fmt in ("csv", "json")
    }


def invalid_filters(filterset: ProjectFilter) -> JsonResponse:
    errors = filterset.errors
    detail = " ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
    return JsonResponse(
        {"code": "invalid", "detail": detail, "errors": errors.get_json_data()}, status=400
    )


def _dataset(name: str) -> Dataset:
    dataset = DATASETS.get(name)
    if dataset is None:
        raise Http404(f"No dataset {name!r}.")
    return dataset


@require_safe
@in_english
def download_csv(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset(name)
    filterset = ProjectFilter(request.GET, queryset=public_projects())
    if not filterset.is_valid():
        return invalid_filters(filterset)
    rows = dataset.rows(filterset.qs, request)
    return versioned(csv_response(dataset.header, rows, f"jitrack-{name}.csv"), request)


@require_safe
@in_english
def download_json(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset(name)
    filterset = ProjectFilter(request.GET, queryset=public_projects())
    if not filterset.is_valid():
        return invalid_filters(filterset)
    head = {
        "version": VERSION,
        "dataset": name,
        "dictionary": dictionary_url(request),
        "filters": {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")},
    }
    return versioned(json_response(head, dataset.rows(filterset.qs, request)), request)


def dictionary(request: HttpRequest) -> dict:
    """The data dictionary as data: every field of every download."""
    return {
        "version": VERSION,
        "title": "JI open data (Track 1 and Track 2): data dictionary",
        "url": dictionary_url(request),
        "types": TYPES,
        "csv": CSV_RULES,
        "filters": {
            "applies_to": sorted(DATASETS),
            "description": "Query parameters of the API project list (/api/projects/); for "
            "verifications and issuances they select the projects whose rows are listed.",
            "fields": [f.as_dict() for f in FILTERS],
        },
        "datasets": [d.as_dict(urls=_download_urls(request, d.name)) for d in DATASETS.values()],
        "statistics": [
            t.as_dict(urls={"csv": request.build_absolute_uri(reverse("statistics_csv", args=[n]))})
            for n, t in TABLES.items()
        ],
    }


@require_safe
@in_english
def dictionary_json(request: HttpRequest) -> JsonResponse:
    return versioned(
        JsonResponse(dictionary(request), json_dumps_params={"ensure_ascii": False}), request
    )


@require_safe
def opendata_page(request: HttpRequest) -> HttpResponse:
    """The data dictionary as a page, with the project filters, a paginated preview of the
    projects they select and download links carrying the same filters."""
    filterset = ProjectFilter(request.GET or None, queryset=public_projects())
    status = 200
    page = None
    query = ""
    if filterset.is_bound and not filterset.is_valid():
        status = 400
    else:
        query = filter_query(filterset)
        projects = filterset.qs.select_related("host_party", "aie").order_by("reference", "pk")
        page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    datasets = [
        {"dataset": d, "urls": _download_urls(request, d.name, query)} for d in DATASETS.values()
    ]
    hosts = list(
        Party.objects.filter(hosted_projects__in=public_projects().values("pk"))
        .distinct()
        .order_by("name")
        .values_list("code", "name")
    )
    context = {
        "version": VERSION,
        "datasets": datasets,
        "tables": TABLES,
        "types": TYPES,
        "csv_rules": CSV_RULES,
        "filter_table": Dataset("filters", _("Filters"), "", FILTERS),
        "notice_kinds": [(kind, event_label(kind)) for kind in NOTICE_KINDS],
        "form": filterset.form,
        "statuses": [(v, Project.Status(v).label) for v in PROJECT_STATUSES],
        "hosts": hosts,
        "tracks": list(Project.Track.choices),
        "page": page,
        "query": query,
        "dictionary_json": reverse("opendata_dictionary"),
    }
    return render(request, "registry/opendata.html", context, status=status)
