"""Open data: the component activities (CPAs) of the published programmes of activities, one row
each, with the reductions verified and the ERUs issued for them (``projects.components``;
``determinations.verification`` COMPONENT_MONITORING). A dataset for ``registry.opendata``'s
``DATASETS`` (``COMPONENTS``): public exactly as its programme is; one query whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jitrack.sources import SOURCES
from projects.models import ComponentActivity, Project

from .datadict import Dataset, Field

COMPONENT_STATUSES = tuple(ComponentActivity.Status.values)

COMPONENT_FIELDS = (
    Field(
        "project_reference",
        "string",
        _("Reference number of the programme of activities."),
        SOURCES["reference"],
    ),
    Field("host_party_code", "string", _("ISO code of the host Party."), SOURCES["eligibility"]),
    Field(
        "number",
        "integer",
        _("Number of the component within the programme (1 for the first included)."),
        SOURCES["poa"],
    ),
    Field(
        "reference",
        "string",
        _("Reference of the component: the programme's reference, CPA and its number."),
        SOURCES["poa"],
    ),
    Field("title", "string", _("Title of the component activity."), SOURCES["poa"]),
    Field("location", "string", _("Where the component is carried out."), SOURCES["poa"]),
    Field(
        "included_on",
        "date",
        _("Date the coordinating entity included the component in the programme."),
        SOURCES["poa"],
    ),
    Field(
        "status",
        "string",
        _("Whether the component is included in the programme or was excluded."),
        SOURCES["poa"],
        COMPONENT_STATUSES,
    ),
    Field(
        "excluded_on",
        "date",
        _("Date from which the component was excluded (empty while included)."),
        SOURCES["poa"],
    ),
    Field(
        "expected_annual_reductions",
        "integer",
        _("Reductions the component is expected to achieve per year, tonnes CO2e."),
        SOURCES["expected_reductions"],
    ),
    Field(
        "monitoring_reports",
        "integer",
        _("Monitoring reports submitted for the component and not withdrawn."),
        SOURCES["monitoring"],
    ),
    Field(
        "verified_final",
        "integer",
        _("Reductions verified for the component by final verifications, tonnes CO2e."),
        SOURCES["verification"],
    ),
    Field(
        "erus_issued",
        "integer",
        _("ERUs issued so far for the component's verifications."),
        SOURCES["issuance"],
    ),
)


def component_rows(projects: QuerySet[Project], request: HttpRequest) -> Iterator[dict]:
    """The components of the selected programmes, by programme reference and number: one query
    (the monitoring reports of a component each have at most one verification, so the sums over
    them count each verification once)."""
    rows = (
        ComponentActivity.objects.filter(project__in=projects.values("pk"), project__poa=True)
        .order_by("project__reference", "number")
        .values(
            "number",
            "title",
            "location",
            "included_on",
            "status",
            "excluded_on",
            "expected_annual_reductions",
            project_reference=F("project__reference"),
            host_party_code=F("project__host_party__code"),
        )
        .annotate(
            report_count=Count("monitoring", filter=~Q(monitoring__status="withdrawn")),
            verified_final=Sum(
                "monitoring__verification__verified_total",
                filter=Q(monitoring__verification__status="final"),
                default=0,
            ),
            erus=Sum("monitoring__verification__erus_issued", default=0),
        )
    )
    for r in rows.iterator():
        yield {
            "project_reference": r["project_reference"],
            "host_party_code": r["host_party_code"],
            "number": r["number"],
            "reference": f"{r['project_reference']}-CPA-{r['number']:03d}",
            "title": r["title"],
            "location": r["location"],
            "included_on": r["included_on"],
            "status": r["status"],
            "excluded_on": r["excluded_on"],
            "expected_annual_reductions": r["expected_annual_reductions"],
            "monitoring_reports": r["report_count"],
            "verified_final": r["verified_final"],
            "erus_issued": r["erus"],
        }


COMPONENTS = Dataset(
    "components",
    _("Component activities of programmes"),
    _(
        "One row per component activity (CPA) of a published programme of activities, by "
        "programme reference and component number, with the reductions verified and the ERUs "
        "issued for it: a programme is monitored, verified and credited per component."
    ),
    COMPONENT_FIELDS,
    component_rows,
)
